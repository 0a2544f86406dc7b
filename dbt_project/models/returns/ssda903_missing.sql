-- SSDA903 Missing: periods missing (M) or away without authorisation (A) that started in the
-- year or were still going on at its start; an end after 31 March is left blank.
select
    header.collection_year,
    header."CHILD",
    header."DOB",
    missing.missing_type as "MISSING",
    strftime(missing.start_date, '%d/%m/%Y') as "MIS_START",
    case
        when missing.end_date <= years.year_end then strftime(missing.end_date, '%d/%m/%Y')
    end as "MIS_END"
from {{ ref('stg_missing_episodes') }} as missing
inner join {{ ref('ret_collection_years') }} as years
    on
        missing.start_date <= years.year_end
        and (missing.end_date is null or missing.end_date >= years.year_start)
inner join {{ ref('ssda903_header') }} as header
    on
        missing.person_id = header."CHILD"
        and years.collection_year = header.collection_year
