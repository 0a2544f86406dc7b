{#- Use the folder's schema name as it is (raw, staging, indicators, marts) rather than dbt's
    default "<target>_<custom>", so analysts find tables under the names the docs use. -#}
{% macro generate_schema_name(custom_schema_name, node) -%}
    {%- if custom_schema_name is none -%}{{ target.schema }}{%- else -%}{{ custom_schema_name | trim }}{%- endif -%}
{%- endmacro %}
