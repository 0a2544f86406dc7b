-- Fails (one row per model) when a model tagged `indicator` is missing from int_indicator_values,
-- or the union names a model that is not tagged: macros/indicator_models.sql is stale, so run
-- `make manifest` (python -m pipelines.dbt_project). Reads dbt's graph when the test runs.
-- depends_on: {{ ref('int_indicator_values') }}
{%- set tagged = [] %}
{%- if execute %}
    {%- for node in graph.nodes.values() if node.resource_type == 'model' and 'indicator' in node.tags %}
        {%- do tagged.append(node.name) %}
    {%- endfor %}
{%- endif %}
{%- set listed = indicator_models() %}
{%- set problems = [] %}
{%- for name in tagged | sort if name not in listed %}
    {%- do problems.append(name ~ ' is tagged indicator but not in macros/indicator_models.sql') %}
{%- endfor %}
{%- for name in listed | sort if execute and name not in tagged %}
    {%- do problems.append(name ~ ' is in macros/indicator_models.sql but not tagged indicator') %}
{%- endfor %}

{% if problems %}
    {% for problem in problems %}
        select '{{ problem }}' as problem
        {% if not loop.last %}union all{% endif %}
    {% endfor %}
{% else %}
    select 'none' as problem
    where false
{% endif %}
