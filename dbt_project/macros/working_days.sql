{#-
  working_days(a, b): the England and Wales working days d with a < d <= b (indicators.md), so the
  same day gives 0 and a Friday to the next Monday gives 1. Weekdays come from arithmetic on a
  Monday epoch (1900-01-01); weekday bank holidays from the ref_bank_holidays seed are taken off.
  Both arguments are SQL date expressions; NULL in gives NULL out.
-#}
{% macro weekdays_since_epoch(date_expr) -%}
    {%- set days = dbt.datediff("date '1900-01-01'", date_expr, 'day') -%}
    (5 * {{ int_div(days ~ ' + 1', 7) }}
     + least(({{ days }} + 1) % 7, 5))
{%- endmacro %}

{% macro working_days(start_date, end_date) -%}
    (
        {{ weekdays_since_epoch(end_date) }} - {{ weekdays_since_epoch(start_date) }}
        - cast(sign({{ dbt.datediff(start_date, end_date, 'day') }}) as integer) * (
            select count(*)
            from {{ ref('ref_bank_holidays') }} as bank_holiday
            where {{ iso_weekday('bank_holiday.holiday_date') }} <= 5
              and bank_holiday.holiday_date > least({{ start_date }}, {{ end_date }})
              and bank_holiday.holiday_date <= greatest({{ start_date }}, {{ end_date }})
        )
    )
{%- endmacro %}
