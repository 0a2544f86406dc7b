-- SSDA903 UASC: children in the return who have been unaccompanied asylum-seeking children;
-- DUC the date that status ended, where it ended by the end of the year.
select
    header.collection_year,
    header."CHILD",
    header."SEX",
    header."DOB",
    case
        when max(uasc.end_date) <= max(years.year_end)
            then strftime(max(uasc.end_date), '%d/%m/%Y')
    end as "DUC"
from {{ ref('stg_immigration_statuses') }} as uasc
inner join {{ ref('ssda903_header') }} as header on uasc.person_id = header."CHILD"
inner join {{ ref('ret_collection_years') }} as years
    on header.collection_year = years.collection_year
where uasc.immigration_status = 'UASC' and uasc.start_date <= years.year_end
group by header.collection_year, header."CHILD", header."SEX", header."DOB"
