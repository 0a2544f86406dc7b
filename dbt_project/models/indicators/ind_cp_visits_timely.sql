-- cp_visits_timely: % of children on a child protection plan at the end of the month, whose plan
-- started at least N working days before the month end, who were seen on a visit within the last
-- N working days up to the month end (indicators.md; N is the visit standard
-- cp_visit_standard_working_days in ref_settings, 10 by default).
--   on a plan at the month end: int_cp_plans_open_at_month_end; a child with two open plans is in
--     the denominator if either started at least N working days before the month end (the
--     earlier one did)
--   seen within the last N working days: a visit with the child seen, dated on or before the
--     month end, with working_days(visit date, month end) <= N. Visits are matched by child, not
--     plan. A visit with "seen" blank is unknown, not a sighting.
with children_due_a_visit as (
    select
        on_plan.month,
        on_plan.month_end,
        on_plan.person_id
    from {{ ref('int_cp_plans_open_at_month_end') }} as on_plan
    where
        {{ working_days('on_plan.earliest_plan_start', 'on_plan.month_end') }}
        >= {{ setting_int('cp_visit_standard_working_days') }}
),

children_seen as (
    select distinct
        children_due_a_visit.month,
        children_due_a_visit.person_id
    from children_due_a_visit
    inner join {{ ref('stg_cp_visits') }} as visits
        on
            visits.person_id = children_due_a_visit.person_id
            and visits.is_child_seen
            -- a visit after the month end has not happened yet as at the month end
            and visits.visit_date <= children_due_a_visit.month_end
            -- a cheap bound before the exact count below, so older visits are not counted through:
            -- N + 4 weeks hold 5N + 20 weekdays and no year more than 10 bank holidays, so a visit
            -- that long before the month end is more than N working days before it (N < 48)
            and visits.visit_date
            > {{ dbt.dateadd(
                'day',
                '-7 * (' ~ setting_int('cp_visit_standard_working_days') ~ ' + 4)',
                'children_due_a_visit.month_end',
            ) }}
    where
        {{ working_days('visits.visit_date', 'children_due_a_visit.month_end') }}
        <= {{ setting_int('cp_visit_standard_working_days') }}
),

children as (
    select
        children_due_a_visit.month,
        children_due_a_visit.person_id,
        children_seen.person_id is not null as was_seen
    from children_due_a_visit
    left join children_seen
        on
            children_seen.month = children_due_a_visit.month
            and children_seen.person_id = children_due_a_visit.person_id
)

{{ percentage_by_month('cp_visits_timely', 'children', 'person_id', 'was_seen') }}
