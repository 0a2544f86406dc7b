{#-
  int_indicator_values: the monthly figures of every indicator model in the common shape
  (docs/architecture.md "Indicators"), one row per indicator per spine month.

  Every model in models/indicators/ (tagged `indicator`) is in it, with no list kept by hand.
  dbt records a model's refs when it parses the project, before the `graph` variable is filled,
  and refuses a ref() first met at run time ("dbt was unable to infer all dependencies"), so a
  union over `graph.nodes` or over the catalogue's rows cannot keep the DAG right; the
  established fix, `-- depends_on:` hints, is a hand-kept list again. The names therefore come
  from macros/indicator_models.sql, which `python -m pipelines.dbt_project` writes from the files
  in models/indicators/ before dbt parses the project (`make manifest`, and the pipeline before
  every build): the refs are real, so the DAG is exact, and nobody edits the list. The test
  tests/every_indicator_is_in_the_union.sql fails the build if the list is ever stale.
  The union lives in its own model, not in fct_indicator_month, because a dbt unit test mocks
  every model its model refs: fct_indicator_month's unit tests mock this one input.
-#}
{{ config(materialized='view') }}

{% for model_name in indicator_models() %}
    select
        indicator_code,
        month,
        cast(numerator as bigint) as numerator,
        cast(denominator as bigint) as denominator,
        cast(value as decimal(18, 2)) as value
    from {{ ref(model_name) }}
    {% if not loop.last %}union all{% endif %}
{% endfor %}
