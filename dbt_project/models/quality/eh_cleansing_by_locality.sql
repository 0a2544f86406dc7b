-- eh_cleansing_by_locality: progress of the early help (CAF) data-cleansing exercise, per
-- reporting month from the one in which it started, per locality (indicators.md "Data quality
-- and cleansing": the share of the stale backlog as at the start of the exercise that has since
-- been closed; a locality is complete at 100%). The seed pack reports 330 CAFs closed by the
-- exercise May-August 2014 and 4 of 8 localities complete.
with settings as (
    select
        {{ setting_date('cleansing_start_date') }} as cleansing_start,
        {{ setting_int('early_help_stale_after_months') }} as stale_after_months
),

months as (
    -- every spine month that ends on or after the start of the exercise
    select months.month, months.month_end
    from {{ ref('util_reporting_months') }} as months
    cross join settings
    where months.month_end >= settings.cleansing_start
),

episodes as (
    select
        episode_id,
        coalesce(locality, 'Not recorded') as locality,
        start_date,
        end_date,
        end_reason
    from {{ ref('stg_early_help_episodes') }}
),

-- The stale backlog, fixed at the start of the exercise: episodes open on that date (started
-- before it, no end date on or before it) that had started more than the stale period before it.
stale_backlog as (
    select episodes.*
    from episodes
    cross join settings
    where
        episodes.start_date < settings.cleansing_start
        and (episodes.end_date is null or episodes.end_date > settings.cleansing_start)
        and episodes.start_date
        < cast(settings.cleansing_start - settings.stale_after_months * interval 1 month as date)
),

-- Every episode the exercise closed, stale or not: what the seed pack reports as "CAFs closed
-- as part of the data cleansing action plan since May 2014" (330 in the demo).
all_cleansing_closures as (
    select episodes.*
    from episodes
    cross join settings
    where
        episodes.end_date >= settings.cleansing_start
        and {{ matches_setting_code('episodes.end_reason', 'cleansing_end_reason') }}
),

closures_by_month as (
    select
        months.month,
        all_cleansing_closures.locality,
        count(*) as closed_by_cleansing_all
    from months
    inner join all_cleansing_closures
        on all_cleansing_closures.end_date <= months.month_end
    group by months.month, all_cleansing_closures.locality
),

-- Every locality the early help episodes name, so a locality with no backlog still shows (with
-- no percentage) rather than vanishing.
localities as (
    select distinct locality from episodes
),

progress as (
    select
        months.month,
        months.month_end,
        localities.locality,
        count(stale_backlog.episode_id) as stale_backlog,
        -- closed by the month end (as at the month end: a later closure has not happened yet)
        count(case when stale_backlog.end_date <= months.month_end then stale_backlog.episode_id end)
            as closed_since,
        count(
            case
                when
                    stale_backlog.end_date <= months.month_end
                    and {{ matches_setting_code('stale_backlog.end_reason', 'cleansing_end_reason') }}
                    then stale_backlog.episode_id
            end
        ) as closed_by_cleansing
    from months
    cross join localities
    left join stale_backlog
        on stale_backlog.locality = localities.locality
    group by months.month, months.month_end, localities.locality
)

select
    progress.month,
    progress.month_end,
    progress.locality,
    progress.stale_backlog,
    progress.closed_since,
    progress.closed_by_cleansing,
    -- every closure by the exercise since it started, including episodes not (yet) stale
    coalesce(closures_by_month.closed_by_cleansing_all, 0) as closed_by_cleansing_all,
    progress.stale_backlog - progress.closed_since as still_open,
    {{ percentage('progress.closed_since', 'progress.stale_backlog') }} as pct_complete,
    -- NULL where the locality had no backlog: nothing to cleanse, neither complete nor not
    case
        when progress.stale_backlog > 0 then progress.closed_since = progress.stale_backlog
    end as is_complete
from progress
left join closures_by_month
    on
        progress.month = closures_by_month.month
        and progress.locality = closures_by_month.locality
