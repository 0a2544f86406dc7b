-- SSDA903 PlacedAdoption: decisions that the child should be placed for adoption in force at
-- some time in the year (made by its end, not reversed before its start).
select
    header.collection_year,
    header."CHILD",
    header."DOB",
    strftime(permanence.decision_date, '%d/%m/%Y') as "DATE_PLACED",
    case
        when permanence.decision_reversed_date <= years.year_end
            then strftime(permanence.decision_reversed_date, '%d/%m/%Y')
    end as "DATE_PLACED_CEASED",
    case
        when permanence.decision_reversed_date <= years.year_end
            then permanence.decision_reversed_reason
    end as "REASON_PLACED_CEASED"
from {{ ref('stg_permanence') }} as permanence
inner join {{ ref('ret_collection_years') }} as years
    on
        permanence.decision_date <= years.year_end
        and (
            permanence.decision_reversed_date is null
            or permanence.decision_reversed_date >= years.year_start
        )
inner join {{ ref('ssda903_header') }} as header
    on
        permanence.person_id = header."CHILD"
        and years.collection_year = header.collection_year
where permanence.decision_date is not null
