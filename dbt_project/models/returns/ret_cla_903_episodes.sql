-- SSDA903 episodes for every collection year's cut, before the year is applied: a new episode
-- starts whenever the placement or the legal status changes within a period of care (the
-- DfE's definition), so the SSD's placements and legal statuses are intersected here.
-- RNE: S for the first episode of a period, P (placement changed), L (legal status changed),
-- B (both on the same day). REC: X1 between episodes of a period, the period's end reason last.
with placements as (
    select
        placements.placement_id,
        placements.period_of_care_id,
        placements.start_date,
        placements.end_date,
        upper(trim(placements.placement_type)) as placement_type,
        upper(trim(placements.provider)) as provider,
        upper(trim(placements.placement_urn)) as urn,
        upper(trim(placements.change_reason)) as change_reason,
        locations.postcode
    from {{ ref('stg_cla_placements') }} as placements
    left join {{ ref('stg_cla_placement_locations') }} as locations
        on placements.placement_id = locations.placement_id
),

periods as (
    select * from {{ ref('ret_cla_periods') }}
),

boundaries as (
    select
        periods.period_of_care_id,
        periods.start_date as boundary
    from periods
    union
    select
        placements.period_of_care_id,
        placements.start_date
    from placements
    inner join periods on placements.period_of_care_id = periods.period_of_care_id
    where
        placements.start_date > periods.start_date
        and (periods.end_date is null or placements.start_date < periods.end_date)
    union
    select
        periods.period_of_care_id,
        legal.start_date
    from {{ ref('stg_legal_statuses') }} as legal
    inner join periods
        on
            legal.person_id = periods.person_id
            and legal.start_date > periods.start_date
            and (periods.end_date is null or legal.start_date < periods.end_date)
),

segments as (
    select
        boundaries.period_of_care_id,
        boundaries.boundary as start_date,
        coalesce(
            lead(boundaries.boundary) over (
                partition by boundaries.period_of_care_id order by boundaries.boundary
            ),
            periods.end_date
        ) as end_date,
        row_number() over (
            partition by boundaries.period_of_care_id order by boundaries.boundary
        ) as episode_number,
        count(*) over (partition by boundaries.period_of_care_id) as episodes_in_period
    from boundaries
    inner join periods on boundaries.period_of_care_id = periods.period_of_care_id
),

described as (
    select
        segments.*,
        periods.person_id,
        periods.end_reason,
        periods.primary_need_code,
        placement.placement_id,
        placement.placement_type,
        placement.provider,
        placement.urn,
        placement.postcode,
        placement.change_reason,
        legal.legal_status
    from segments
    inner join periods on segments.period_of_care_id = periods.period_of_care_id
    left join placements as placement
        on
            segments.period_of_care_id = placement.period_of_care_id
            and placement.start_date <= segments.start_date
            and (placement.end_date is null or placement.end_date > segments.start_date)
    left join {{ ref('stg_legal_statuses') }} as legal
        on
            periods.person_id = legal.person_id
            and legal.start_date <= segments.start_date
            and (legal.end_date is null or legal.end_date > segments.start_date)
    qualify row_number() over (
        partition by segments.period_of_care_id, segments.start_date
        order by placement.start_date desc, legal.start_date desc
    ) = 1
),

with_changes as (
    select
        *,
        lag(placement_id) over (partition by period_of_care_id order by start_date)
            as previous_placement_id,
        lag(legal_status) over (partition by period_of_care_id order by start_date)
            as previous_legal_status,
        lead(placement_id) over (partition by period_of_care_id order by start_date)
            as next_placement_id
    from described
)

select
    person_id,
    period_of_care_id,
    episode_number,
    start_date,
    end_date,
    case
        when episode_number = 1 then 'S'
        when
            (placement_id is distinct from previous_placement_id)
            and (legal_status is distinct from previous_legal_status)
            then 'B'
        when (placement_id is distinct from previous_placement_id) then 'P'
        else 'L'
    end as reason_new_episode,
    legal_status,
    primary_need_code,
    placement_type,
    provider,
    case when episode_number = episodes_in_period then end_reason else 'X1' end
        as reason_episode_ceased,
    -- the reason a placement changed belongs to the episode that the move ends
    case
        when
            episode_number < episodes_in_period
            and (next_placement_id is distinct from placement_id)
            then change_reason
    end as reason_place_change,
    postcode as placement_postcode,
    urn
from with_changes
