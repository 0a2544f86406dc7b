{#-
  The few constructs DuckDB and Spark SQL spell differently, one dispatched macro each, so that
  the same models build on both (`dbt build --target spark`, docs/scaling.md). default__ is
  DuckDB's spelling, exactly as the models had it; spark__ is Spark SQL's. Date arithmetic uses
  dbt's own cross-database macros (dbt.dateadd, dbt.datediff, dbt.last_day, dbt.date_trunc,
  dbt.type_string) instead.
-#}

{#- int_div(a, b): integer division, rounding down for the non-negative values it is given. -#}
{% macro int_div(numerator, denominator) -%}
    {{ return(adapter.dispatch('int_div')(numerator, denominator)) }}
{%- endmacro %}

{% macro default__int_div(numerator, denominator) -%}
    (({{ numerator }}) // ({{ denominator }}))
{%- endmacro %}

{% macro spark__int_div(numerator, denominator) -%}
    (({{ numerator }}) div ({{ denominator }}))
{%- endmacro %}

{#- wide_integer_type(): the integer type exact sums of products of counts are worked in
    (DuckDB's 128-bit hugeint; Spark's 64-bit bigint holds the counts of any authority: the
    largest product is 2 x 10,000 x 100 x a rolling 12-month count). -#}
{% macro wide_integer_type() -%}
    {{ return(adapter.dispatch('wide_integer_type')()) }}
{%- endmacro %}

{% macro default__wide_integer_type() -%}
    hugeint
{%- endmacro %}

{% macro spark__wide_integer_type() -%}
    bigint
{%- endmacro %}

{#- iso_weekday(date): 1 = Monday .. 7 = Sunday. -#}
{% macro iso_weekday(date_expr) -%}
    {{ return(adapter.dispatch('iso_weekday')(date_expr)) }}
{%- endmacro %}

{% macro default__iso_weekday(date_expr) -%}
    isodow({{ date_expr }})
{%- endmacro %}

{% macro spark__iso_weekday(date_expr) -%}
    (weekday({{ date_expr }}) + 1)
{%- endmacro %}

{#-
  month_series(first_month, last_month, from_clause): a select of one date column `month`, the
  first day of each month from first_month to last_month (both first days of months; none when
  first_month is after last_month). The two are SQL expressions over from_clause (a relation and
  its alias), read once.
-#}
{% macro month_series(first_month, last_month, from_clause) -%}
    {{ return(adapter.dispatch('month_series')(first_month, last_month, from_clause)) }}
{%- endmacro %}

{% macro default__month_series(first_month, last_month, from_clause) -%}
    select cast(month_start as date) as month
    from {{ from_clause }},
        generate_series(
            cast({{ first_month }} as timestamp),
            cast({{ last_month }} as timestamp),
            interval 1 month
        ) as spine (month_start)
{%- endmacro %}

{#- Spark's sequence() fails when the end is before the start, so it runs to the later of the
    two and the months after last_month are dropped. -#}
{% macro spark__month_series(first_month, last_month, from_clause) -%}
    select spine.month
    from (
        select
            explode(sequence(
                cast({{ first_month }} as date),
                greatest(cast({{ first_month }} as date), cast({{ last_month }} as date)),
                interval 1 month
            )) as month,
            cast({{ last_month }} as date) as last_month
        from {{ from_clause }}
    ) as spine
    where spine.month <= spine.last_month
{%- endmacro %}
