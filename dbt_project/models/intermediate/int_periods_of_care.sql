-- int_periods_of_care: each period of care (the looked after episodes sharing a period_of_care_id)
-- and its start, the earliest start among its episodes. An episode with no period id stands for
-- a period of its own and is not here.
select
    period_of_care_id,
    min(start_date) as period_start_date
from {{ ref('stg_cla_episodes') }}
where period_of_care_id is not null
group by period_of_care_id
