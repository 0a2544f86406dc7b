{#-
  extract_as_at(relation, dated_by, later_dates): an extract table as it would have been taken at
  the end of the reporting month (reporting_month.as_at), so that a month rebuilt later from later
  extracts sees what it saw at the time:
    - a record dated after the as-at date is left out (it had not happened yet); dated_by is the
      column that dates the record (its start, or the day it happened). A record with no date is
      kept: nothing says it is later;
    - a date in later_dates (an end date, an authorisation, a death) after the as-at date is blank
      (it had not been recorded yet).
  Every other column, _source_line included, is kept as loaded. The columns are read from the
  table when the model runs (listing them here would be a second copy of the extract contract).
-#}
{% macro extract_as_at(relation, dated_by=none, later_dates=[]) -%}
    {%- set columns = [] -%}
    {%- for column in (adapter.get_columns_in_relation(relation) if execute else []) -%}
        {%- set name = adapter.quote(column.name) -%}
        {%- if column.name in later_dates -%}
            {%- do columns.append(
                'case when records.' ~ name ~ ' <= reporting_month.as_at then records.' ~ name
                ~ ' end as ' ~ name
            ) -%}
        {%- else -%}
            {%- do columns.append('records.' ~ name) -%}
        {%- endif -%}
    {%- endfor -%}
    select {{ columns | join(', ') if columns else 'records.*' }}
    from {{ relation }} as records
    cross join {{ ref('reporting_month') }} as reporting_month
    {%- if dated_by %}
        where records.{{ dated_by }} is null or records.{{ dated_by }} <= reporting_month.as_at
    {%- endif %}
{%- endmacro %}
