-- pack_unended_placements: the unended placements open at each month end, counted by the reasons
-- they are suspected for (int_placements_open_at_month_end), in the pack's words. Each placement
-- is counted once, under the combination of its reasons.
with worded as (
    select
        month,
        case
            when later_placement and episode_ended and aged_18_or_over
                then
                    'The child has a later placement, the looked after episode holding it has ended '
                    || 'and the young person is 18 or over'
            when later_placement and episode_ended
                then 'The child has a later placement and the looked after episode holding it has ended'
            when later_placement and aged_18_or_over
                then 'The child has a later placement and the young person is 18 or over'
            when episode_ended and aged_18_or_over
                then 'The looked after episode holding it has ended and the young person is 18 or over'
            when later_placement then 'The child has a later placement'
            when episode_ended then 'The looked after episode holding it has ended'
            else 'The young person is 18 or over'
        end as reason
    from {{ ref('int_placements_open_at_month_end') }}
    where is_suspect
)

select
    cast(month as date) as month,
    cast(reason as varchar) as reason,
    cast(count(*) as bigint) as placements
from worded
group by month, reason
