{#-
  The derived columns the data-quality suites (expectations/*.json) assert on, written once here
  and used by the dq_ssd_* views (models/quality/checked/). Each takes the checked record as
  `records` and is a non-null boolean, true where the record has the problem
  (expectations/README.md "Columns a suite can name").
-#}

{#- <column>__lower: the value trimmed and in lower case (code sets compare case-insensitively). -#}
{% macro lowercase_codes(columns) -%}
    {%- for column in columns %}
    lower(trim(records.{{ column }})) as {{ column }}__lower{{ "," if not loop.last }}
    {%- endfor %}
{%- endmacro %}

{#- The value is filled in but no record of the referenced table has it. -#}
{% macro flag_unresolved(column, referenced_model, referenced_column) -%}
    coalesce(
        records.{{ column }} is not null and not exists (
            select 1
            from {{ ref(referenced_model) }} as referenced
            where referenced.{{ referenced_column }} = records.{{ column }}
        ),
        false
    )
{%- endmacro %}

{#- The date is before the child's date of birth. -#}
{% macro flag_before_birth(column, person_column) -%}
    coalesce(
        records.{{ column }} < (
            select min(person.pers_dob)
            from {{ ref('base_ssd_person') }} as person
            where person.pers_person_id = records.{{ person_column }}
        ),
        false
    )
{%- endmacro %}

{#- Another line of the file had the same key and was quarantined at load: the record kept is the
    first one, which may be the wrong one. -#}
{% macro flag_duplicate_key_quarantined(table, key_column) -%}
    exists (
        select 1
        from {{ source('ingest', 'quarantine') }} as quarantined
        where
            quarantined.table_name = '{{ table }}'
            and quarantined.column_name = '{{ key_column }}'
            and quarantined.reason like 'duplicate %'
            and quarantined.value = records.{{ key_column }}
    )
{%- endmacro %}

{#- Another period of the same child overlaps this one: each starts before the other ends (an end
    on the day the other starts is a hand-over, not an overlap; a blank end is still open). -#}
{% macro flag_overlaps_another(relation, person_column, start_column, end_column) -%}
    exists (
        select 1
        from {{ relation }} as other
        where
            other.{{ person_column }} = records.{{ person_column }}
            and other._source_line <> records._source_line
            and other.{{ start_column }} < coalesce(records.{{ end_column }}, date '9999-12-31')
            and records.{{ start_column }} < coalesce(other.{{ end_column }}, date '9999-12-31')
    )
{%- endmacro %}

{#- The record cannot be timed for its timeliness indicator, for the reason given (an
    int_*_timed model's cannot_be_timed: no_start or starts_after). -#}
{% macro flag_cannot_be_timed(timed_model, key_column, record_key, reason) -%}
    exists (
        select 1
        from {{ ref(timed_model) }} as timed
        where timed.{{ key_column }} = records.{{ record_key }} and timed.cannot_be_timed = '{{ reason }}'
    )
{%- endmacro %}
