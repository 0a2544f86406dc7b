-- caf_stepdown_ca: early help episodes (CAFs) started in the month whose reason is a step-down
-- from a core assessment (indicators.md). The reason code is matched case-insensitively and
-- ignoring surrounding spaces, as indicators.md says for the early help codes. A count of
-- episodes: numerator = value. The YTD rate per 10,000 is added in the marts from the monthly
-- counts.
with months as (
    select * from {{ ref('util_reporting_months') }}
),

stepdown_episodes as (
    select episode_id, start_date
    from {{ ref('stg_early_help_episodes') }}
    where lower(trim(reason)) = 'step down from core assessment'
)

select
    'caf_stepdown_ca' as indicator_code,
    months.month,
    count(stepdown_episodes.episode_id) as numerator,
    cast(null as bigint) as denominator,
    cast(count(stepdown_episodes.episode_id) as double) as value
from months
left join stepdown_episodes
    on stepdown_episodes.start_date between months.month and months.month_end
group by months.month
