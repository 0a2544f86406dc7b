-- unended_placements_effect: how much the unended placements could be inflating the count of
-- children looked after, per reporting month (judged as at each month end,
-- int_placements_open_at_month_end). children_looked_after counts exactly as ind_cla_children
-- (int_looked_after_at_month_end). Of those, looked_after_only_suspect_placements are the children
-- every one of whose open placements is a suspect: if those placements should have been ended,
-- the child may not be looked after at all, so looked_after_excluding_suspects is a lower bound
-- for the true count. It is not a corrected figure: a suspect placement can be right (a placement
-- recorded late, for instance).
with placement_children as (
    -- per child and month: has an open placement, and whether all of them are suspects
    select
        month,
        person_id,
        count(*) as open_placements,
        count(case when is_suspect then 1 end) as suspect_placements
    from {{ ref('int_placements_open_at_month_end') }}
    group by month, person_id
),

per_month as (
    select
        months.month,
        months.month_end,
        count(distinct looked_after.person_id) as children_looked_after,
        count(
            distinct case
                when placement_children.open_placements = placement_children.suspect_placements
                    then looked_after.person_id
            end
        ) as looked_after_only_suspect_placements
    from {{ ref('util_reporting_months') }} as months
    left join {{ ref('int_looked_after_at_month_end') }} as looked_after
        on looked_after.month = months.month
    left join placement_children
        on
            placement_children.month = months.month
            and placement_children.person_id = looked_after.person_id
    group by months.month, months.month_end
),

suspects_per_month as (
    -- every open suspect placement at the month end, whether or not the child counts as looked after
    select
        month,
        count(*) as suspect_placements
    from {{ ref('int_placements_open_at_month_end') }}
    where is_suspect
    group by month
)

select
    per_month.month,
    per_month.month_end,
    per_month.children_looked_after,
    per_month.looked_after_only_suspect_placements,
    per_month.children_looked_after - per_month.looked_after_only_suspect_placements
        as looked_after_excluding_suspects,
    coalesce(suspects_per_month.suspect_placements, 0) as suspect_placements
from per_month
left join suspects_per_month
    on suspects_per_month.month = per_month.month
