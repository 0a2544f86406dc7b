{#- The indicator models the pack reports: ONE list. Add each ind_<code> model here when it lands
    (it needs a row in seeds/ref_indicator_catalogue.csv too; a test fails without one).
    The union lives in its own model, not in fct_indicator_month, because a dbt unit test must
    mock every model its model refs: fct_indicator_month's unit tests mock this one input and
    keep working however many indicators are added here. -#}
{% set indicator_models = [
    'ind_caf_stepdown_ia',
    'ind_caf_stepdown_ca',
    'ind_contacts',
    'ind_referrals',
    'ind_referrals_to_ia',
    'ind_ia_completed',
    'ind_ia_timely',
    'ind_ca_completed',
    'ind_ca_timely',
    'ind_ca_over_61',
    'ind_s47_started',
    'ind_cp_children',
    'ind_cp_repeat',
    'ind_icpc_timely',
    'ind_rcpc_timely',
    'ind_cp_visits_timely',
    'ind_cla_children',
    'ind_cla_stability_long',
    'ind_cla_reviews_timely',
    'ind_assessments_timely_45',
    'ind_rereferrals_12m',
    'ind_cp_plans_2yrs',
    'ind_cla_stability_short',
] %}

-- int_indicator_values: the monthly figures of every indicator model, in the common shape
-- (docs/architecture.md "Indicators"), one row per indicator per spine month.
{{ config(materialized='view') }}

{% for model_name in indicator_models %}
    select
        indicator_code,
        month,
        cast(numerator as bigint) as numerator,
        cast(denominator as bigint) as denominator,
        cast(value as double) as value
    from {{ ref(model_name) }}
    {% if not loop.last %}union all{% endif %}
{% endfor %}
