-- cla_children: distinct children with a looked after episode open on the last day of the
-- month (started on or before it, not ceased by then). Counted once however many episodes.
with months as (
    select * from {{ ref('util_reporting_months') }}
),

episodes as (
    select person_id, start_date, ceased_date from {{ ref('stg_cla_episodes') }}
)

select
    'cla_children' as indicator_code,
    months.month,
    count(distinct episodes.person_id) as numerator,
    cast(null as bigint) as denominator,
    cast(count(distinct episodes.person_id) as double) as value
from months
left join episodes
    on
        episodes.start_date <= months.month_end
        and (episodes.ceased_date is null or episodes.ceased_date > months.month_end)
group by months.month
