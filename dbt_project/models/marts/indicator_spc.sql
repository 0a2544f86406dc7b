-- indicator_spc: statistical process control (an XmR chart) on every indicator's monthly
-- figure, "as at" each month: the row for month M uses the figures up to and including M only,
-- so a past month's pack rebuilt later shows what could be known then. The method follows NHS
-- England's "Making Data Count" (MDC) practice; every choice is explained in indicator_spc.yml.
--
-- The rules' constants, in one place:
{%- set min_points = 12 %}       -- limits (trial) from the 12th point of a phase; before it, none
{%- set baseline_points = 20 %}  -- limits fixed on the first 20 points of a phase
{%- set limit_factor = 2.66 %}   -- natural process limits: mean +/- 2.66 x mean moving range (3 sigma)
{%- set shift_points = 7 %}      -- a run of 7 points on one side of the mean
{%- set trend_points = 7 %}      -- 7 points each higher (or each lower) than the one before
-- "Near a limit": beyond 2 sigma, i.e. beyond two thirds of the way from the mean to a limit.
with facts as (
    select
        indicator_code,
        month,
        indicator_guide,
        rate_basis,
        target_measure,
        target_value,
        target_low,
        target_high,
        measure_period,
        -- The figure the chart and the SPC read: a month-end rate is a monthly observation like
        -- any other; a rolling 12-month or year-to-date rate is a running sum (each point
        -- shares 11 months with the last, or restarts each April), on which runs and trends
        -- are artefacts, so those indicators are read on their monthly count instead.
        case when target_measure = 'rate' and rate_basis = 'month' then 'rate_per_10k' else 'value' end
            as spc_measure,
        case when target_measure = 'rate' and rate_basis = 'month' then rate_per_10k else value end
            as spc_value
    from {{ ref('fct_indicator_month') }}
),

-- A phase is the stretch of months whose limits are computed together: the whole series, or
-- from a recalculation month the performance team recorded in ref_spc_recalculations after a
-- sustained shift with an understood cause (tests/assert_spc_recalculation_follows_a_shift.sql).
phased as (
    select
        facts.indicator_code,
        facts.month,
        max(recalculations.recalculate_from) as phase_start
    from facts
    left join {{ ref('ref_spc_recalculations') }} as recalculations
        on
            recalculations.indicator_code = facts.indicator_code
            and recalculations.recalculate_from <= facts.month
    group by facts.indicator_code, facts.month
),

-- The points: months with a figure, numbered within their phase (a month without a figure,
-- e.g. a percentage with no cases, is skipped, not counted as zero).
points as (
    select
        facts.indicator_code,
        facts.month,
        coalesce(phased.phase_start, min(facts.month) over (partition by facts.indicator_code)) as phase_start,
        facts.spc_value,
        row_number() over (
            partition by facts.indicator_code, phased.phase_start order by facts.month
        ) as phase_point,
        facts.spc_value - lag(facts.spc_value) over (
            partition by facts.indicator_code, phased.phase_start order by facts.month
        ) as difference
    from facts
    inner join phased
        on phased.indicator_code = facts.indicator_code and phased.month = facts.month
    where facts.spc_value is not null
),

-- Mean and mean moving range as at each point with at least min_points before it in its phase:
-- over the phase's first points up to this one (trial limits), then fixed on the first
-- baseline_points. The first point of a phase has no moving range.
baseline as (
    select
        as_at.indicator_code,
        as_at.month,
        count(*) as baseline_count,
        avg(point.spc_value) as process_mean,
        avg(case when point.phase_point > 1 then abs(point.difference) end) as mean_moving_range
    from points as as_at
    inner join points as point
        on
            point.indicator_code = as_at.indicator_code
            and point.phase_start = as_at.phase_start
            and point.phase_point <= least(as_at.phase_point, {{ baseline_points }})
    where as_at.phase_point >= {{ min_points }}
    group by as_at.indicator_code, as_at.month
),

limits as (
    select
        points.indicator_code,
        points.month,
        points.phase_start,
        points.phase_point,
        points.spc_value,
        baseline.baseline_count,
        baseline.process_mean,
        baseline.mean_moving_range,
        baseline.process_mean + {{ limit_factor }} * baseline.mean_moving_range as upper_limit,
        baseline.process_mean - {{ limit_factor }} * baseline.mean_moving_range as lower_limit,
        baseline.process_mean + {{ limit_factor }} * 2 / 3 * baseline.mean_moving_range as upper_two_sigma,
        baseline.process_mean - {{ limit_factor }} * 2 / 3 * baseline.mean_moving_range as lower_two_sigma
    from points
    inner join baseline
        on baseline.indicator_code = points.indicator_code and baseline.month = points.month
),

-- The recent points of the phase, judged against the limits as at this month.
recent as (
    select
        limits.indicator_code,
        limits.month,
        sum(case
            when
                recent_point.phase_point > limits.phase_point - {{ shift_points }}
                and recent_point.spc_value > limits.process_mean then 1
            else 0
        end) as run_above,
        sum(case
            when
                recent_point.phase_point > limits.phase_point - {{ shift_points }}
                and recent_point.spc_value < limits.process_mean then 1
            else 0
        end) as run_below,
        -- trend_points points make trend_points - 1 successive differences
        sum(case
            when
                recent_point.phase_point > limits.phase_point - ({{ trend_points }} - 1)
                and recent_point.difference > 0 then 1
            else 0
        end) as rises,
        sum(case
            when
                recent_point.phase_point > limits.phase_point - ({{ trend_points }} - 1)
                and recent_point.difference < 0 then 1
            else 0
        end) as falls,
        sum(case
            when
                recent_point.phase_point > limits.phase_point - 3
                and recent_point.spc_value > limits.process_mean then 1
            else 0
        end) as last_three_above,
        sum(case
            when
                recent_point.phase_point > limits.phase_point - 3
                and recent_point.spc_value < limits.process_mean then 1
            else 0
        end) as last_three_below,
        sum(case
            when
                recent_point.phase_point > limits.phase_point - 3
                and recent_point.spc_value > limits.upper_two_sigma then 1
            else 0
        end) as last_three_beyond_upper_two_sigma,
        sum(case
            when
                recent_point.phase_point > limits.phase_point - 3
                and recent_point.spc_value < limits.lower_two_sigma then 1
            else 0
        end) as last_three_beyond_lower_two_sigma
    from limits
    inner join points as recent_point
        on
            recent_point.indicator_code = limits.indicator_code
            and recent_point.phase_start = limits.phase_start
            and recent_point.phase_point
            between limits.phase_point - ({{ [shift_points, trend_points, 3] | max }} - 1) and limits.phase_point
    group by limits.indicator_code, limits.month
),

-- Each rule, and which way it points (higher or lower than usual). A rule fires at this month
-- when this month's point completes or continues the pattern.
rules as (
    select
        limits.*,
        limits.spc_value > limits.upper_limit as above_upper_limit,
        limits.spc_value < limits.lower_limit as below_lower_limit,
        recent.run_above = {{ shift_points }} as shift_above,
        recent.run_below = {{ shift_points }} as shift_below,
        recent.rises = {{ trend_points }} - 1 as trend_rising,
        recent.falls = {{ trend_points }} - 1 as trend_falling,
        -- two of the last three beyond 2 sigma, all three on the same side, this one among them
        (
            recent.last_three_above = 3
            and recent.last_three_beyond_upper_two_sigma >= 2
            and limits.spc_value > limits.upper_two_sigma
        ) as near_upper_limit,
        (
            recent.last_three_below = 3
            and recent.last_three_beyond_lower_two_sigma >= 2
            and limits.spc_value < limits.lower_two_sigma
        ) as near_lower_limit
    from limits
    inner join recent
        on recent.indicator_code = limits.indicator_code and recent.month = limits.month
),

signals as (
    select
        rules.*,
        rules.above_upper_limit or rules.shift_above or rules.trend_rising or rules.near_upper_limit as signal_higher,
        rules.below_lower_limit or rules.shift_below or rules.trend_falling or rules.near_lower_limit as signal_lower
    from rules
),

population as (
    select year, population_0_17 from {{ ref('ref_population') }}
),

-- The target on the scale the SPC reads. A rolling 12-month rate target becomes the monthly
-- count that sustains it (rate x population / 10,000 / 12): monthly counts inside that band
-- keep the rolling rate inside the target band. A year-to-date rate target has no monthly
-- equivalent (its meaning changes through the year), so it is not assessed.
targets as (
    select
        facts.indicator_code,
        facts.month,
        case
            when facts.spc_measure = 'value' and facts.target_measure = 'rate' and facts.rate_basis = 'rolling_12'
                then facts.target_value * population.population_0_17 / 10000.0 / 12
            when facts.spc_measure = 'value' and facts.target_measure = 'rate' then null
            else facts.target_value
        end as spc_target_value,
        case
            when facts.spc_measure = 'value' and facts.target_measure = 'rate' and facts.rate_basis = 'rolling_12'
                then facts.target_low * population.population_0_17 / 10000.0 / 12
            when facts.spc_measure = 'value' and facts.target_measure = 'rate' then null
            else facts.target_low
        end as spc_target_low,
        case
            when facts.spc_measure = 'value' and facts.target_measure = 'rate' and facts.rate_basis = 'rolling_12'
                then facts.target_high * population.population_0_17 / 10000.0 / 12
            when facts.spc_measure = 'value' and facts.target_measure = 'rate' then null
            else facts.target_high
        end as spc_target_high
    from facts
    left join population
        on population.year = extract(year from facts.month)
)

select
    facts.indicator_code,
    facts.month,
    facts.spc_measure,
    facts.spc_value,
    -- a rolling 12-month percentage (cp_repeat, cp_plans_2yrs): successive points share 11
    -- months, so runs and trends come more easily than on monthly figures; the pack says so
    coalesce(lower(facts.measure_period) like 'rolling%', false) as spc_on_rolling_figure,
    points.phase_start,
    points.phase_point,
    signals.baseline_count,
    coalesce(signals.baseline_count >= {{ baseline_points }}, false) as limits_fixed,
    round(abs(points.difference), 4) as moving_range,
    round(signals.process_mean, 4) as process_mean,
    round(signals.mean_moving_range, 4) as mean_moving_range,
    round(signals.upper_limit, 4) as upper_limit,
    round(signals.lower_limit, 4) as lower_limit,
    round(signals.upper_two_sigma, 4) as upper_two_sigma,
    round(signals.lower_two_sigma, 4) as lower_two_sigma,
    signals.above_upper_limit or signals.below_lower_limit as rule_outside_limits,
    signals.shift_above or signals.shift_below as rule_shift,
    signals.trend_rising or signals.trend_falling as rule_trend,
    signals.near_upper_limit or signals.near_lower_limit as rule_near_limit,
    case
        when signals.signal_higher and signals.signal_lower then 'both'
        when signals.signal_higher then 'higher'
        when signals.signal_lower then 'lower'
    end as signal_direction,
    -- the rules that fired, in words, for the pack
    nullif(concat_ws(
        '; ',
        case when signals.above_upper_limit then 'above the upper limit' end,
        case when signals.below_lower_limit then 'below the lower limit' end,
        case when signals.shift_above then '{{ shift_points }} or more points in a row above the mean' end,
        case when signals.shift_below then '{{ shift_points }} or more points in a row below the mean' end,
        case when signals.trend_rising then '{{ trend_points }} or more points in a row rising' end,
        case when signals.trend_falling then '{{ trend_points }} or more points in a row falling' end,
        case when signals.near_upper_limit then '2 of the last 3 points near the upper limit' end,
        case when signals.near_lower_limit then '2 of the last 3 points near the lower limit' end
    ), '') as spc_signals,
    -- Variation icon. Where rules point both ways (say a rising trend still below the mean),
    -- concern is shown: the board should see the worrying reading first.
    case
        when facts.spc_value is null then 'No figure'
        when signals.process_mean is null then 'Not enough data'
        when not (signals.signal_higher or signals.signal_lower) then 'Common cause'
        when facts.indicator_guide not in ('higher', 'lower') or facts.indicator_guide is null
            then 'Special cause neither'
        when facts.indicator_guide = 'higher' and signals.signal_lower then 'Special cause concerning'
        when facts.indicator_guide = 'lower' and signals.signal_higher then 'Special cause concerning'
        else 'Special cause improving'
    end as spc_variation,
    round(targets.spc_target_value, 4) as spc_target_value,
    round(targets.spc_target_low, 4) as spc_target_low,
    round(targets.spc_target_high, 4) as spc_target_high,
    -- Assurance icon: where the target lies against the natural process limits. Met or missed
    -- only when the whole range between the limits is on one side of the target (strictly).
    case
        when
            targets.spc_target_low is null and targets.spc_target_high is null
            and (targets.spc_target_value is null or facts.indicator_guide not in ('higher', 'lower'))
            then 'No target'
        when signals.process_mean is null then 'Not enough data'
        when targets.spc_target_low is not null and targets.spc_target_high is not null
            then
                case
                    when targets.spc_target_low < signals.lower_limit and signals.upper_limit < targets.spc_target_high
                        then 'Target consistently met'
                    when targets.spc_target_high < signals.lower_limit or signals.upper_limit < targets.spc_target_low
                        then 'Target consistently missed'
                    else 'Hit and miss'
                end
        when facts.indicator_guide = 'higher'
            then
                case
                    when targets.spc_target_value < signals.lower_limit then 'Target consistently met'
                    when targets.spc_target_value > signals.upper_limit then 'Target consistently missed'
                    else 'Hit and miss'
                end
        when targets.spc_target_value > signals.upper_limit then 'Target consistently met'
        when targets.spc_target_value < signals.lower_limit then 'Target consistently missed'
        else 'Hit and miss'
    end as spc_assurance
from facts
left join points
    on points.indicator_code = facts.indicator_code and points.month = facts.month
left join signals
    on signals.indicator_code = facts.indicator_code and signals.month = facts.month
left join targets
    on targets.indicator_code = facts.indicator_code and targets.month = facts.month
