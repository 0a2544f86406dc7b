{#-
  Seeds on Spark. dbt-spark's session method passes each seed value to Spark SQL quoted but not
  escaped ("New Year's Day" breaks the statement) and writes a blank cell as the string 'None',
  not NULL. This writes each value as an escaped SQL literal instead (NULL for a blank cell);
  the rest is dbt-spark's own spark__load_csv_rows. Only the spark target uses it.
-#}
{% macro seed_literal(value) -%}
    {%- if value is none -%}
        null
    {%- elif value is boolean -%}
        {{ 'true' if value else 'false' }}
    {%- elif value is number -%}
        {{ value }}
    {%- else -%}
        '{{ (value | string) | replace('\\', '\\\\') | replace("'", "\\'") }}'
    {%- endif -%}
{%- endmacro %}

{% macro spark__load_csv_rows(model, agate_table) -%}
    {%- set column_override = model['config'].get('column_types', {}) -%}
    {%- set statements = [] -%}
    {%- for chunk in agate_table.rows | batch(get_batch_size()) -%}
        {%- set values = [] -%}
        {%- for row in chunk -%}
            {%- set literals = [] -%}
            {%- for col_name in agate_table.column_names -%}
                {%- set type = column_override.get(col_name, adapter.convert_type(agate_table, loop.index0)) -%}
                {%- do literals.append('cast(' ~ seed_literal(row[loop.index0]) ~ ' as ' ~ type ~ ')') -%}
            {%- endfor -%}
            {%- do values.append('(' ~ literals | join(', ') ~ ')') -%}
        {%- endfor -%}
        {%- set sql = 'insert into ' ~ this.render() ~ ' values ' ~ values | join(', ') -%}
        {%- do adapter.add_query(sql, abridge_sql_log=True) -%}
        {%- do statements.append(sql) if loop.first -%}
    {%- endfor -%}
    {{- return(statements[0]) -}}
{%- endmacro %}
