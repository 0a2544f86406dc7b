{#-
  Indicators over the records an int_*_timed model times (indicators.md "Untimed records": a
  record that cannot be timed is left out of the denominator; the checks report it), and the
  count indicators that differ from one another only in a type or a setting.
-#}

{#-
  timely_by_month(indicator_code, timed_model, date_column, key, is_timely, where): the % of the
  timed model's records dated in the month (date_column) for which the SQL condition is_timely
  holds; `where` narrows the records (e.g. one assessment type).
-#}
{% macro timely_by_month(indicator_code, timed_model, date_column, key, is_timely, where='true') -%}
    with timed_in_month as (
        select
            months.month,
            timed.{{ key }},
            {{ is_timely }} as is_timely
        from {{ ref('util_reporting_months') }} as months
        inner join {{ ref(timed_model) }} as timed
            on {{ in_month('timed.' ~ date_column) }}
        where
            timed.cannot_be_timed is null
            and {{ where }}
    )

    {{ percentage_by_month(indicator_code, 'timed_in_month', key, 'is_timely') }}
{%- endmacro %}

{#-
  assessments_within_working_days(indicator_code, assessment_type, working_days): the % of the
  assessments of a type authorised in the month that were authorised within the working days of
  the date they are timed from (int_assessments_timed: the referral for initial and single
  assessments, the start for core ones). ia_timely, ca_timely and assessments_timely_45 differ
  only in type and limit.
-#}
{% macro assessments_within_working_days(indicator_code, assessment_type, working_days) -%}
    {{ timely_by_month(
        indicator_code,
        'int_assessments_timed',
        'authorised_date',
        'assessment_id',
        'timed.working_days_taken <= ' ~ working_days,
        "timed.assessment_type = '" ~ assessment_type ~ "'",
    ) }}
{%- endmacro %}

{#-
  assessments_authorised(indicator_code, assessment_type): the assessments of a type authorised
  (completed) in the month; ia_completed and ca_completed differ only in the type.
-#}
{% macro assessments_authorised(indicator_code, assessment_type) -%}
    with authorised_in_month as (
        select
            months.month,
            assessments.assessment_id
        from {{ ref('util_reporting_months') }} as months
        inner join {{ ref('stg_assessments') }} as assessments
            on {{ in_month('assessments.authorised_date') }}
        where assessments.assessment_type = '{{ assessment_type }}'
    )

    {{ count_by_month(indicator_code, 'authorised_in_month', 'assessment_id') }}
{%- endmacro %}

{#-
  early_help_stepdowns(indicator_code, reason_setting): early help episodes (CAFs) started in the
  month whose reason is the team's setting reason_setting (ref_settings, matched
  case-insensitively, indicators.md); caf_stepdown_ia and caf_stepdown_ca differ only in it.
-#}
{% macro early_help_stepdowns(indicator_code, reason_setting) -%}
    with stepdowns_in_month as (
        select
            months.month,
            episodes.episode_id
        from {{ ref('util_reporting_months') }} as months
        inner join {{ ref('stg_early_help_episodes') }} as episodes
            on {{ in_month('episodes.start_date') }}
        where {{ matches_setting_code('episodes.reason', reason_setting) }}
    )

    {{ count_by_month(indicator_code, 'stepdowns_in_month', 'episode_id') }}
{%- endmacro %}
