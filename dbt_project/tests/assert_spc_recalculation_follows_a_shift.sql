-- A recalculation of an indicator's SPC limits (seeds/ref_spc_recalculations.csv) is allowed
-- only where a sustained shift began: the first 7 figures from recalculate_from on all lie on
-- the same side of the mean the limits had just before it (indicator_spc's shift rule). Fails
-- on each recalculation that does not follow such a shift, or that comes before the earlier
-- phase had limits at all.
with recalculations as (
    select indicator_code, recalculate_from
    from {{ ref('ref_spc_recalculations') }}
),

previous_phase as (
    select
        recalculations.indicator_code,
        recalculations.recalculate_from,
        spc.process_mean,
        row_number() over (
            partition by recalculations.indicator_code, recalculations.recalculate_from
            order by spc.month desc
        ) as recency
    from recalculations
    inner join {{ ref('indicator_spc') }} as spc
        on
            spc.indicator_code = recalculations.indicator_code
            and spc.month < recalculations.recalculate_from
            and spc.process_mean is not null
),

new_points as (
    select
        recalculations.indicator_code,
        recalculations.recalculate_from,
        spc.spc_value,
        row_number() over (
            partition by recalculations.indicator_code, recalculations.recalculate_from
            order by spc.month
        ) as point
    from recalculations
    inner join {{ ref('indicator_spc') }} as spc
        on
            spc.indicator_code = recalculations.indicator_code
            and spc.month >= recalculations.recalculate_from
            and spc.spc_value is not null
),

judged as (
    select
        recalculations.indicator_code,
        recalculations.recalculate_from,
        previous_phase.process_mean as mean_before,
        sum(case when new_points.spc_value > previous_phase.process_mean then 1 else 0 end) as points_above,
        sum(case when new_points.spc_value < previous_phase.process_mean then 1 else 0 end) as points_below
    from recalculations
    left join previous_phase
        on
            previous_phase.indicator_code = recalculations.indicator_code
            and previous_phase.recalculate_from = recalculations.recalculate_from
            and previous_phase.recency = 1
    left join new_points
        on
            new_points.indicator_code = recalculations.indicator_code
            and new_points.recalculate_from = recalculations.recalculate_from
            and new_points.point <= 7
    group by recalculations.indicator_code, recalculations.recalculate_from, previous_phase.process_mean
)

select *
from judged
where mean_before is null or not (points_above = 7 or points_below = 7)
