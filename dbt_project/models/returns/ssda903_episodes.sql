-- SSDA903 Episodes: every episode open at any time in the collection year. An episode that
-- ends after 31 March is reported as open (DEC and REC blank). Dates as the DfE's CSV loader
-- reads them (DD/MM/YYYY); codes upper case. HOME_POST: the home postcode the child had when
-- the period of care began.
with uasc as (
    select distinct person_id from {{ ref('stg_immigration_statuses') }}
    where immigration_status = 'UASC'
)

select
    years.collection_year,
    episodes.person_id as "CHILD",
    strftime(episodes.start_date, '%d/%m/%Y') as "DECOM",
    episodes.reason_new_episode as "RNE",
    episodes.legal_status as "LS",
    episodes.primary_need_code as "CIN",
    episodes.placement_type as "PLACE",
    episodes.provider as "PLACE_PROVIDER",
    case
        when episodes.end_date <= years.year_end
            then strftime(episodes.end_date, '%d/%m/%Y')
    end as "DEC",
    case when episodes.end_date <= years.year_end then episodes.reason_episode_ceased end
        as "REC",
    case when episodes.end_date <= years.year_end then episodes.reason_place_change end
        as "REASON_PLACE_CHANGE",
    -- no home postcode for an unaccompanied asylum-seeking child (the DfE's rule 406)
    case when uasc.person_id is null then home.postcode end as "HOME_POST",
    episodes.placement_postcode as "PL_POST",
    episodes.urn as "URN"
from {{ ref('ret_cla_903_episodes') }} as episodes
inner join {{ ref('ret_collection_years') }} as years
    on
        episodes.start_date <= years.year_end
        and (episodes.end_date is null or episodes.end_date >= years.year_start)
inner join {{ ref('ret_cla_periods') }} as periods
    on episodes.period_of_care_id = periods.period_of_care_id
left join {{ ref('stg_home_addresses') }} as home
    on
        episodes.person_id = home.person_id
        and (home.start_date is null or home.start_date <= periods.start_date)
        and (home.end_date is null or home.end_date >= periods.start_date)
left join uasc on episodes.person_id = uasc.person_id
qualify row_number() over (
    partition by years.collection_year, episodes.person_id, episodes.start_date
    order by home.start_date desc nulls last
) = 1
