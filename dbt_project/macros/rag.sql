{#-
  Board-pack judgements on an indicator's figure, written once here so that they are unit-tested
  once (models/marts/fct_indicator_month.yml) and read the same wherever they are used.
  Arguments are SQL expressions. Comparisons are made on decimal(18, 4) so that a figure exactly
  on a target or exactly at the amber tolerance is judged as written (85 - 5 = 80 exactly),
  not by binary floating point.
-#}
{% macro pack_decimal(expr) -%}
    cast({{ expr }} as decimal(18, 4))
{%- endmacro %}

{#-
  rag(x, guide, target_value, target_low, target_high, tolerance) -> 'Green' | 'Amber' | 'Red' | 'N/A'
  (indicators.md "RAG": green where the target is met or the figure is inside the band, amber where
  it misses by no more than the tolerance, red otherwise; no target gives N/A).
  - band (target_low and target_high): Green inside [low, high] inclusive; Amber within the
    tolerance outside either edge (inclusive); otherwise Red. The guide plays no part.
  - single target, guide 'higher': Green x >= target; Amber x >= target - tolerance; else Red.
  - single target, guide 'lower': Green x <= target; Amber x <= target + tolerance; else Red.
  - no figure (NULL, e.g. a percentage with a zero denominator), no target, or a single target
    on a 'neither' indicator (which way is "meeting" it is undefined): 'N/A'.
  A missing tolerance is 0 (no amber zone).
-#}
{% macro rag(x, guide, target_value, target_low, target_high, tolerance) -%}
    case
        when {{ x }} is null then 'N/A'
        when {{ target_low }} is not null and {{ target_high }} is not null then
            case
                when {{ pack_decimal(x) }} between {{ pack_decimal(target_low) }} and {{ pack_decimal(target_high) }}
                    then 'Green'
                when {{ pack_decimal(x) }}
                    between {{ pack_decimal(target_low) }} - {{ pack_decimal('coalesce(' ~ tolerance ~ ', 0)') }}
                    and {{ pack_decimal(target_high) }} + {{ pack_decimal('coalesce(' ~ tolerance ~ ', 0)') }}
                    then 'Amber'
                else 'Red'
            end
        when {{ target_value }} is not null and {{ guide }} = 'higher' then
            case
                when {{ pack_decimal(x) }} >= {{ pack_decimal(target_value) }} then 'Green'
                when {{ pack_decimal(x) }}
                    >= {{ pack_decimal(target_value) }} - {{ pack_decimal('coalesce(' ~ tolerance ~ ', 0)') }}
                    then 'Amber'
                else 'Red'
            end
        when {{ target_value }} is not null and {{ guide }} = 'lower' then
            case
                when {{ pack_decimal(x) }} <= {{ pack_decimal(target_value) }} then 'Green'
                when {{ pack_decimal(x) }}
                    <= {{ pack_decimal(target_value) }} + {{ pack_decimal('coalesce(' ~ tolerance ~ ', 0)') }}
                    then 'Amber'
                else 'Red'
            end
        else 'N/A'
    end
{%- endmacro %}

{#-
  direction_of_travel(current, previous, guide): this month's figure against the same month one
  year earlier, read through the indicator guide (indicators.md "Direction of travel").
  guide 'higher' / 'lower': 'Improved' | 'Worsened' | 'No change'; guide 'neither' (or anything
  else): 'Increased' | 'Decreased' | 'No change'; either figure missing: 'Not comparable'.
-#}
{% macro direction_of_travel(current, previous, guide) -%}
    case
        when {{ current }} is null or {{ previous }} is null then 'Not comparable'
        when {{ pack_decimal(current) }} = {{ pack_decimal(previous) }} then 'No change'
        when {{ guide }} = 'higher' and {{ pack_decimal(current) }} > {{ pack_decimal(previous) }} then 'Improved'
        when {{ guide }} = 'lower' and {{ pack_decimal(current) }} < {{ pack_decimal(previous) }} then 'Improved'
        when {{ guide }} in ('higher', 'lower') then 'Worsened'
        when {{ pack_decimal(current) }} > {{ pack_decimal(previous) }} then 'Increased'
        else 'Decreased'
    end
{%- endmacro %}

{#-
  target_text(...): the target as the pack prints it. A band with one decimal place as the seed
  prints it ("138.0-168.6"); a percentage target with two ("85.00%"); a rate with two ("55.40");
  a count as a whole number; no target "N/A". The '%' applies where the target is on the value of
  a percentage indicator.
-#}
{% macro target_text(unit, target_measure, target_value, target_low, target_high) -%}
    case
        when {{ target_low }} is not null and {{ target_high }} is not null then
            cast(cast({{ target_low }} as decimal(18, 1)) as {{ dbt.type_string() }})
            || case when {{ unit }} = 'percent' and {{ target_measure }} = 'value' then '%' else '' end
            || '-'
            || cast(cast({{ target_high }} as decimal(18, 1)) as {{ dbt.type_string() }})
            || case when {{ unit }} = 'percent' and {{ target_measure }} = 'value' then '%' else '' end
        when {{ target_value }} is not null and {{ unit }} = 'percent' and {{ target_measure }} = 'value' then
            cast(cast({{ target_value }} as decimal(18, 2)) as {{ dbt.type_string() }}) || '%'
        when {{ target_value }} is not null and {{ target_measure }} = 'rate' then
            cast(cast({{ target_value }} as decimal(18, 2)) as {{ dbt.type_string() }})
        when {{ target_value }} is not null then
            cast(cast({{ target_value }} as decimal(18, 0)) as {{ dbt.type_string() }})
        else 'N/A'
    end
{%- endmacro %}

{#- A code from ref_settings matched case-insensitively and ignoring surrounding spaces
    (indicators.md "Codes the definitions rely on"). -#}
{% macro matches_setting_code(column, setting_name) -%}
    lower(trim({{ column }})) = lower(trim({{ setting_value(setting_name) }}))
{%- endmacro %}
