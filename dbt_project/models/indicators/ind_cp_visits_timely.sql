-- cp_visits_timely: % of children on a child protection plan at the end of the month, whose
-- plan started at least N working days before the month end, who were seen on a visit within
-- the last N working days up to the month end (indicators.md; N is the configurable visit
-- standard cp_visit_standard_working_days in ref_settings, 10 by default).
--   on a plan at the month end: plan start <= month end, no end or end > month end
--   plan started at least N working days before: working_days(plan start, month end) >= N
--   seen within the last N working days: a visit with the child seen, dated on or before the
--     month end, with working_days(visit date, month end) <= N
-- Children, not plans: a child with two open plans is counted once, and is in the denominator
-- if any of their open plans started at least N working days before the month end. Visits are
-- matched by child (person_id), not plan. A visit with "seen" blank is unknown, not a sighting.
with months as (
    select * from {{ ref('util_reporting_months') }}
),

plans as (
    select person_id, start_date, end_date from {{ ref('stg_cp_plans') }}
),

visits as (
    select person_id, visit_date
    from {{ ref('stg_cp_visits') }}
    where is_child_seen
),

children_due_a_visit as (
    select distinct
        months.month,
        months.month_end,
        plans.person_id
    from months
    inner join plans
        on
            plans.start_date <= months.month_end
            and (plans.end_date is null or plans.end_date > months.month_end)
    where
        {{ working_days('plans.start_date', 'months.month_end') }}
        >= {{ setting_int('cp_visit_standard_working_days') }}
),

children_seen as (
    select distinct
        children_due_a_visit.month,
        children_due_a_visit.person_id
    from children_due_a_visit
    inner join visits
        on visits.person_id = children_due_a_visit.person_id
        -- a visit after the month end has not happened yet as at the month end
        and visits.visit_date <= children_due_a_visit.month_end
        -- a cheap bound before the exact count below, so older visits are not counted through:
        -- N + 4 weeks hold 5N + 20 weekdays and no year more than 10 bank holidays, so a visit
        -- that long before the month end is more than N working days before it (N < 48)
        and visits.visit_date
        > children_due_a_visit.month_end
        - to_days(7 * ({{ setting_int('cp_visit_standard_working_days') }} + 4))
    where
        {{ working_days('visits.visit_date', 'children_due_a_visit.month_end') }}
        <= {{ setting_int('cp_visit_standard_working_days') }}
),

monthly_counts as (
    select
        months.month,
        count(children_seen.person_id) as numerator,
        count(children_due_a_visit.person_id) as denominator
    from months
    left join children_due_a_visit
        on children_due_a_visit.month = months.month
    left join children_seen
        on
            children_seen.month = children_due_a_visit.month
            and children_seen.person_id = children_due_a_visit.person_id
    group by months.month
)

select
    'cp_visits_timely' as indicator_code,
    month,
    numerator,
    denominator,
    -- no children due a visit: no value, not 0%
    cast(round(100.0 * numerator / nullif(denominator, 0), 2) as double) as value
from monthly_counts
