-- cla_stability_short: % of children looked after at the end of the month (a CLA episode open
-- on the month end) with 3 or more placements starting in the 12 months to the end of the month
-- (indicators.md): start date after the month end minus 12 calendar months and on or before the
-- month end. Placements are matched by child (person_id), whichever period of care holds them.
-- Children, not episodes: a child with two open episodes is counted once.
with months as (
    select * from {{ ref('util_reporting_months') }}
),

episodes as (
    select person_id, start_date, ceased_date from {{ ref('stg_cla_episodes') }}
),

placements as (
    select placement_id, person_id, start_date from {{ ref('stg_cla_placements') }}
),

children_looked_after as (
    select distinct
        months.month,
        months.month_end,
        episodes.person_id
    from months
    inner join episodes
        on
            episodes.start_date <= months.month_end
            and (episodes.ceased_date is null or episodes.ceased_date > months.month_end)
),

placements_in_year as (
    select
        children_looked_after.month,
        children_looked_after.person_id,
        count(placements.placement_id) as placements_started
    from children_looked_after
    inner join placements
        on
            placements.person_id = children_looked_after.person_id
            and placements.start_date > children_looked_after.month_end - interval 12 month
            and placements.start_date <= children_looked_after.month_end
    group by children_looked_after.month, children_looked_after.person_id
),

monthly_counts as (
    select
        months.month,
        count(case when placements_in_year.placements_started >= 3 then 1 end) as numerator,
        count(children_looked_after.person_id) as denominator
    from months
    left join children_looked_after
        on children_looked_after.month = months.month
    left join placements_in_year
        on
            placements_in_year.month = children_looked_after.month
            and placements_in_year.person_id = children_looked_after.person_id
    group by months.month
)

select
    'cla_stability_short' as indicator_code,
    month,
    numerator,
    denominator,
    -- no children looked after: no value, not 0%
    cast(round(100.0 * numerator / nullif(denominator, 0), 2) as double) as value
from monthly_counts
