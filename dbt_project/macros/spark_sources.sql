{#-
  The raw layer on Spark. DuckDB holds the extracts in its schema raw (pipelines/ingest); for
  Spark, pipelines/spark exports each raw table to <spark_dir>/raw/<table>.parquet (DuckDB's
  COPY ... (FORMAT parquet)) and then declares those files as the tables of Spark's database
  raw, before the build, so that source('ssd', ...) reads the same rows on both:

    dbt run-operation register_raw_parquet_tables --target spark --args '{tables: [...]}'

  Each table is declared again every time (dropping a table declared over files leaves the
  files), so a new export, even with different columns, is what the next build reads. It is a
  step of its own, not an on-run-start hook: a hook would be a result of every DuckDB run too,
  and the unit tests (which run before their model) read the source tables' columns. On DuckDB
  it does nothing.
-#}
{% macro spark_dir() -%}
    {{ return(var('spark_dir', env_var('BOARDPACK_SPARK_DIR', '../data/spark'))) }}
{%- endmacro %}

{% macro register_raw_parquet_tables(tables) -%}
    {{ return(adapter.dispatch('register_raw_parquet_tables')(tables)) }}
{%- endmacro %}

{% macro default__register_raw_parquet_tables(tables) -%}
{%- endmacro %}

{% macro spark__register_raw_parquet_tables(tables) -%}
    {%- do run_query('create database if not exists raw') -%}
    {%- for table in tables | sort -%}
        {%- do run_query('drop table if exists raw.' ~ table) -%}
        {%- do run_query(
            'create table raw.' ~ table ~ " using parquet location '"
            ~ spark_dir() ~ '/raw/' ~ table ~ ".parquet'"
        ) -%}
    {%- endfor -%}
    {{ log('Declared ' ~ (tables | length) ~ ' raw tables over their Parquet files', info=True) }}
{%- endmacro %}
