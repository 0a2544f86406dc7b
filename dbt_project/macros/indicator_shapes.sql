{#-
  The shapes every indicator model ends with, so that each model says only what it counts
  (docs/architecture.md "Indicators": indicator_code, month, numerator, denominator, value, one
  row per month of the reporting-month spine).
-#}

{#-
  rounded_ratio(numerator, denominator, per): numerator / denominator x per to 2 decimal places,
  halves rounded away from zero (indicators.md "Percentages": 3.125 -> 3.13), as decimal(18, 2);
  NULL when the denominator is 0 or NULL. Worked in whole numbers, never binary floating point
  (as a double, 100 x 3 / 4000 = 0.075 is stored as 0.07499... and rounds to 0.07):
  round(x) = floor((2 x per x 100 x n + d) / (2 d)), for the non-negative counts it is given.
-#}
{% macro rounded_ratio(numerator, denominator, per) -%}
    case
        when {{ denominator }} > 0 then
            cast(
                cast(
                    {{ int_div(
                        '2 * ' ~ per ~ ' * 100 * cast(' ~ numerator ~ ' as ' ~ wide_integer_type() ~ ')'
                        ~ ' + cast(' ~ denominator ~ ' as ' ~ wide_integer_type() ~ ')',
                        '2 * cast(' ~ denominator ~ ' as ' ~ wide_integer_type() ~ ')',
                    ) }}
                    as decimal(38, 0)
                ) * 0.01
                as decimal(18, 2)
            )
    end
{%- endmacro %}

{% macro percentage(numerator, denominator) -%}
    {{ rounded_ratio(numerator, denominator, 100) }}
{%- endmacro %}

{#-
  count_by_month(indicator_code, counted, unit): a count indicator. counted is a relation (or CTE)
  with one row per thing counted per month (columns month and unit); months with none give 0.
  numerator = value = the count; denominator NULL.
-#}
{% macro count_by_month(indicator_code, counted, unit) -%}
    select
        '{{ indicator_code }}' as indicator_code,
        months.month,
        count(distinct counted.{{ unit }}) as numerator,
        cast(null as bigint) as denominator,
        cast(count(distinct counted.{{ unit }}) as decimal(18, 2)) as value
    from {{ ref('util_reporting_months') }} as months
    left join {{ counted }} as counted
        on counted.month = months.month
    group by months.month
{%- endmacro %}

{#-
  percentage_by_month(indicator_code, counted, unit, is_met): a percentage indicator. counted has
  one row per member of the denominator per month (columns month, unit and the boolean is_met);
  the numerator counts those where is_met is true. A month with no denominator has no value.
-#}
{% macro percentage_by_month(indicator_code, counted, unit, is_met) -%}
    select
        '{{ indicator_code }}' as indicator_code,
        monthly.month,
        monthly.numerator,
        monthly.denominator,
        {{ percentage('monthly.numerator', 'monthly.denominator') }} as value
    from (
        select
            months.month,
            count(distinct case when counted.{{ is_met }} then counted.{{ unit }} end) as numerator,
            count(distinct counted.{{ unit }}) as denominator
        from {{ ref('util_reporting_months') }} as months
        left join {{ counted }} as counted
            on counted.month = months.month
        group by months.month
    ) as monthly
{%- endmacro %}

{#- in_month(date_column): the date falls in the spine month (alias months). -#}
{% macro in_month(date_column) -%}
    {{ date_column }} between months.month and months.month_end
{%- endmacro %}
