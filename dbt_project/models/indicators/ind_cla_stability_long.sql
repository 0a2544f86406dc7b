-- cla_stability_long: % of children looked after at the end of the month, aged under 16, looked
-- after continuously for at least 2.5 years, who have been in their current placement for at
-- least 2 years (indicators.md).
--   looked after at the month end, and since when: int_looked_after_at_month_end (the start of
--     the period of care of the open episode)
--   aged under 16 at the month end: date of birth after the month end minus 16 years (a child
--     whose 16th birthday is on the month end is 16); no person record or no date of birth means
--     the age cannot be shown, so the child is left out
--   looked after continuously for 2.5 years: the period of care started on or before the month
--     end minus 30 months
--   current placement: the child's placement open on the month end with the latest start; in it
--     for 2 years when it started on or before the month end minus 2 years (exactly 2 years
--     counts). A child with no open placement is in the denominator only.
with children_in_scope as (
    select
        looked_after.month,
        looked_after.month_end,
        looked_after.person_id
    from {{ ref('int_looked_after_at_month_end') }} as looked_after
    inner join {{ ref('stg_persons') }} as persons
        on persons.person_id = looked_after.person_id
    where
        persons.date_of_birth > {{ dbt.dateadd('year', -16, 'looked_after.month_end') }}
        and looked_after.care_start_date <= {{ dbt.dateadd('month', -30, 'looked_after.month_end') }}
),

current_placements as (
    select
        children_in_scope.month,
        children_in_scope.person_id,
        max(placements.start_date) as placement_start_date
    from children_in_scope
    inner join {{ ref('stg_cla_placements') }} as placements
        on
            placements.person_id = children_in_scope.person_id
            and placements.start_date <= children_in_scope.month_end
            and (placements.end_date is null or placements.end_date > children_in_scope.month_end)
    group by children_in_scope.month, children_in_scope.person_id
),

children as (
    select
        children_in_scope.month,
        children_in_scope.person_id,
        coalesce(
            current_placements.placement_start_date <= {{ dbt.dateadd('year', -2, 'children_in_scope.month_end') }},
            false
        ) as in_placement_2_years
    from children_in_scope
    left join current_placements
        on
            current_placements.month = children_in_scope.month
            and current_placements.person_id = children_in_scope.person_id
)

{{ percentage_by_month('cla_stability_long', 'children', 'person_id', 'in_placement_2_years') }}
