-- CIN census Disabilities: the child's disability codes, NONE where none is recorded.
select distinct
    children.collection_year,
    children."LAchildID",
    coalesce(disabilities.disability_code, 'NONE') as "Disability"
from {{ ref('cin_census_children') }} as children
left join {{ ref('stg_disabilities') }} as disabilities
    on children."LAchildID" = disabilities.person_id
