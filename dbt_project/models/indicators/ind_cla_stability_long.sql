-- cla_stability_long: % of children looked after at the end of the month, aged under 16, looked
-- after continuously for at least 2.5 years, who have been in their current placement for at
-- least 2 years (indicators.md).
--   looked after at the month end: a CLA episode open on the month end
--   aged under 16 at the month end: date of birth after the month end minus 16 years (a child
--     whose 16th birthday is on the month end is 16); no person record or no date of birth
--     means the age cannot be shown, so the child is left out
--   looked after continuously for 2.5 years: the period of care of the open episode started on
--     or before the month end minus 30 months; its start is the earliest episode start sharing
--     its period_of_care_id (an episode with no period id stands for a period of its own)
--   current placement: the child's placement (by person_id) open on the month end with the
--     latest start; in it for 2 years when it started on or before the month end minus 2 years
--     (so exactly 2 years counts). A child with no open placement is in the denominator only.
-- Children, not episodes: a child with two open episodes is counted once, using the earliest
-- period-of-care start among them.
with months as (
    select * from {{ ref('util_reporting_months') }}
),

episodes as (
    select person_id, period_of_care_id, start_date, ceased_date
    from {{ ref('stg_cla_episodes') }}
),

periods_of_care as (
    select period_of_care_id, min(start_date) as period_start_date
    from episodes
    where period_of_care_id is not null
    group by period_of_care_id
),

persons as (
    select person_id, date_of_birth from {{ ref('stg_persons') }}
),

placements as (
    select person_id, start_date, end_date from {{ ref('stg_cla_placements') }}
),

children_looked_after as (
    select
        months.month,
        months.month_end,
        episodes.person_id,
        min(coalesce(periods_of_care.period_start_date, episodes.start_date)) as care_start_date
    from months
    inner join episodes
        on
            episodes.start_date <= months.month_end
            and (episodes.ceased_date is null or episodes.ceased_date > months.month_end)
    left join periods_of_care
        on periods_of_care.period_of_care_id = episodes.period_of_care_id
    group by months.month, months.month_end, episodes.person_id
),

children_in_scope as (
    select
        children_looked_after.month,
        children_looked_after.month_end,
        children_looked_after.person_id
    from children_looked_after
    inner join persons
        on persons.person_id = children_looked_after.person_id
    where
        persons.date_of_birth > children_looked_after.month_end - interval 16 year
        and children_looked_after.care_start_date
        <= children_looked_after.month_end - interval 30 month
),

current_placements as (
    select
        children_in_scope.month,
        children_in_scope.person_id,
        max(placements.start_date) as placement_start_date
    from children_in_scope
    inner join placements
        on
            placements.person_id = children_in_scope.person_id
            and placements.start_date <= children_in_scope.month_end
            and (placements.end_date is null or placements.end_date > children_in_scope.month_end)
    group by children_in_scope.month, children_in_scope.person_id
),

monthly_counts as (
    select
        months.month,
        count(
            case
                when
                    current_placements.placement_start_date
                    <= months.month_end - interval 2 year then 1
            end
        ) as numerator,
        count(children_in_scope.person_id) as denominator
    from months
    left join children_in_scope
        on children_in_scope.month = months.month
    left join current_placements
        on
            current_placements.month = children_in_scope.month
            and current_placements.person_id = children_in_scope.person_id
    group by months.month
)

select
    'cla_stability_long' as indicator_code,
    month,
    numerator,
    denominator,
    -- no children in scope: no value, not 0%
    cast(round(100.0 * numerator / nullif(denominator, 0), 2) as double) as value
from monthly_counts
