{#- Written by `python -m pipelines.dbt_project` (run by `make manifest` and by the pipeline before
    each dbt build) from the models in models/indicators/: do not edit. It lists the indicator
    models int_indicator_values unions (see the comment there for why it is written, not kept). -#}
{% macro indicator_models() %}
    {{ return([
        'ind_assessments_timely_45',
        'ind_ca_completed',
        'ind_ca_over_61',
        'ind_ca_timely',
        'ind_caf_stepdown_ca',
        'ind_caf_stepdown_ia',
        'ind_cla_children',
        'ind_cla_reviews_timely',
        'ind_cla_stability_long',
        'ind_cla_stability_short',
        'ind_contacts',
        'ind_cp_children',
        'ind_cp_plans_2yrs',
        'ind_cp_repeat',
        'ind_cp_visits_timely',
        'ind_ia_completed',
        'ind_ia_timely',
        'ind_icpc_timely',
        'ind_rcpc_timely',
        'ind_referrals',
        'ind_referrals_to_ia',
        'ind_rereferrals_12m',
        'ind_s47_started',
    ]) }}
{% endmacro %}
