-- ca_over_61: core assessments authorised in the month that took more than 60 working days from
-- their start (indicators.md), i.e. 61 or more (int_assessments_timed). An assessment that cannot
-- be timed cannot be shown to have taken 61+ days and is not counted (the checks report it).
with late_in_month as (
    select
        months.month,
        assessments.assessment_id
    from {{ ref('util_reporting_months') }} as months
    inner join {{ ref('int_assessments_timed') }} as assessments
        on {{ in_month('assessments.authorised_date') }}
    where
        assessments.assessment_type = 'core'
        and assessments.working_days_taken > 60
)

{{ count_by_month('ca_over_61', 'late_in_month', 'assessment_id') }}
