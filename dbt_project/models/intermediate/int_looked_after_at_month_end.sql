-- int_looked_after_at_month_end: the children looked after at the end of each reporting month,
-- one row per child per month (indicators.md "Children, not records"): a CLA episode started on
-- or before the month end and not ceased by then (a ceased date after the month end was not known
-- at it). care_start_date is the start of the child's period of care (int_periods_of_care; an
-- episode with no period id stands for a period of its own); with two open episodes, the earlier
-- of their periods' starts.
select
    months.month,
    months.month_end,
    episodes.person_id,
    min(coalesce(periods_of_care.period_start_date, episodes.start_date)) as care_start_date
from {{ ref('util_reporting_months') }} as months
inner join {{ ref('stg_cla_episodes') }} as episodes
    on
        episodes.start_date <= months.month_end
        and (episodes.ceased_date is null or episodes.ceased_date > months.month_end)
left join {{ ref('int_periods_of_care') }} as periods_of_care
    on periods_of_care.period_of_care_id = episodes.period_of_care_id
where episodes.person_id is not null
group by months.month, months.month_end, episodes.person_id
