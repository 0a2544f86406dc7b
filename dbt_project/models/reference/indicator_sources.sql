-- indicator_sources: which extract tables each indicator is computed from (one row per indicator
-- and table), read from dbt's own lineage when the project runs (macro extract_tables_upstream_of).
-- A data-quality problem in a table puts a caveat beside the indicators computed from it
-- (marts.pack_caveats), so the map follows the models and nobody keeps it. The indicator code is
-- the model's name without ind_ (the catalogue's convention).
{%- set rows = [] %}
{%- if execute %}
    {%- for node in graph.nodes.values() | sort(attribute='name') %}
        {%- if node.resource_type == 'model' and 'indicator' in node.tags %}
            {%- for table in extract_tables_upstream_of(node.unique_id) | sort %}
                {%- do rows.append((node.name[4:], table)) %}
            {%- endfor %}
        {%- endif %}
    {%- endfor %}
{%- endif %}

-- the typed empty select gives the columns when there are no rows (while dbt parses)
select
    cast(null as varchar) as indicator_code,
    cast(null as varchar) as table_name
where false
{% for code, table in rows %}
    union all
    select
        '{{ code }}' as indicator_code,
        '{{ table }}' as table_name
{% endfor %}
