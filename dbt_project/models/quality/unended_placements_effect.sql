-- unended_placements_effect: how much the unended placements could be inflating the count of
-- children looked after, per reporting month (judged as at each month end, like
-- unended_placements). children_looked_after counts exactly as ind_cla_children (distinct
-- children with a CLA episode open at the month end). Of those,
-- looked_after_only_suspect_placements are the children every one of whose open placements is
-- a suspect (later placement, its episode ended, or aged 18+): if those placements should
-- have been ended, the child may not be looked after at all, so
-- looked_after_excluding_suspects is a lower bound for the true count. It is not a corrected
-- figure: a suspect placement can be right (a placement recorded late, for instance).
with months as (
    select month, month_end, month_end as as_at_date
    from {{ ref('util_reporting_months') }}
),

open_placements as (
    {{ open_placement_flags('months') }}
),

placement_children as (
    -- per child and month end: has an open placement, and whether all of them are suspects
    select
        as_at_date,
        person_id,
        count(*) as open_placements,
        count(
            case when later_placement or episode_ended or coalesce(aged_18_or_over, false) then 1 end
        ) as suspect_placements
    from open_placements
    group by as_at_date, person_id
),

looked_after as (
    select distinct months.month, episode.person_id
    from months
    inner join {{ ref('stg_cla_episodes') }} as episode
        on
            episode.start_date <= months.month_end
            and (episode.ceased_date is null or episode.ceased_date > months.month_end)
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
    from months
    left join looked_after
        on looked_after.month = months.month
    left join placement_children
        on
            placement_children.as_at_date = months.month_end
            and placement_children.person_id = looked_after.person_id
    group by months.month, months.month_end
),

suspects_per_month as (
    -- every open suspect placement at the month end, whether or not the child counts as looked after
    select as_at_date, count(*) as suspect_placements
    from open_placements
    where later_placement or episode_ended or coalesce(aged_18_or_over, false)
    group by as_at_date
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
    on suspects_per_month.as_at_date = per_month.month_end
