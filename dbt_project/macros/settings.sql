{#- Values the performance team sets in seeds/ref_settings.csv, read as typed scalars. -#}
{% macro setting_value(name) -%}
    (select value from {{ ref('ref_settings') }} where setting = '{{ name }}')
{%- endmacro %}

{% macro setting_int(name) -%}
    cast({{ setting_value(name) }} as integer)
{%- endmacro %}

{% macro setting_date(name) -%}
    cast({{ setting_value(name) }} as date)
{%- endmacro %}
