-- unended_placements: the worklist of placements with no end date, as at the end of the last
-- reporting month, that look as if they should have been ended (indicators.md "Unended
-- placements": the child has a later placement, the CLA episode that holds it has ended, or the
-- child is 18 or over). They inflate the count of children looked after; the seed pack's rise
-- in looked after children was put down to placements not ended in the system. One row per
-- placement with at least one reason; reason lists them in a fixed order.
with as_at as (
    select max(month_end) as as_at_date
    from {{ ref('util_reporting_months') }}
),

open_placements as (
    {{ open_placement_flags('as_at') }}
)

select
    placement_id,
    person_id,
    period_of_care_id,
    start_date,
    concat_ws(
        ', ',
        case when later_placement then 'later_placement' end,
        case when episode_ended then 'episode_ended' end,
        case when aged_18_or_over then 'aged_18_or_over' end
    ) as reason,
    later_placement,
    episode_ended,
    aged_18_or_over,
    as_at_date
from open_placements
where later_placement or episode_ended or coalesce(aged_18_or_over, false)
