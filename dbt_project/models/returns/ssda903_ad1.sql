-- SSDA903 AD1: children adopted in the year (their period of care ended E11 or E12), with the
-- adoption decision, the match and the adopters.
select
    header.collection_year,
    header."CHILD",
    header."DOB",
    strftime(permanence.decision_date, '%d/%m/%Y') as "DATE_INT",
    strftime(permanence.matched_date, '%d/%m/%Y') as "DATE_MATCH",
    case
        when permanence.adopted_by_foster_carer then '1'
        when not permanence.adopted_by_foster_carer then '0'
    end as "FOSTER_CARE",
    permanence.number_of_adopters as "NB_ADOPTR",
    permanence.adopter_sex as "SEX_ADOPTR",
    permanence.adopter_legal_status as "LS_ADOPTR"
from {{ ref('ret_cla_periods') }} as periods
inner join {{ ref('ret_collection_years') }} as years
    on periods.end_date between years.year_start and years.year_end
inner join {{ ref('ssda903_header') }} as header
    on
        periods.person_id = header."CHILD"
        and years.collection_year = header.collection_year
inner join {{ ref('stg_permanence') }} as permanence
    on
        periods.person_id = permanence.person_id
        and (
            permanence.period_of_care_id = periods.period_of_care_id
            or permanence.period_of_care_id is null
        )
where periods.end_reason in ('E11', 'E12')
qualify row_number() over (
    partition by years.collection_year, periods.person_id
    order by permanence.decision_date desc
) = 1
