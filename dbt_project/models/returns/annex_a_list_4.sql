-- Annex A List 4: assessments started or authorised in the window.
select
    children.person_id as "Child Unique ID",
    children.gender as "Gender",
    children.ethnicity as "Ethnicity",
    strftime(children.date_of_birth, '%d/%m/%Y') as "Date of Birth",
    children.date_of_birth as age_from_date_of_birth,
    children.has_disability as "Does the Child have a Disability",
    strftime(assessments.start_date, '%d/%m/%Y') as "Continuous Assessment Start Date",
    case
        when assessments.is_child_seen then 'a) Yes'
        when not assessments.is_child_seen then 'b) No'
        else 'c) Unknown'
    end as "Child Seen During Continuous Assessment",
    strftime(assessments.authorised_date, '%d/%m/%Y')
        as "Continuous Assessment Date of Authorisation",
    case
        when assessments.authorised_date is null then null
        when assessments.is_no_further_action then 'b) No'
        else 'a) Yes'
    end as "Was the child assessed as requiring LA children's social care support?",
    assessments.team as "Allocated Team",
    assessments.worker_id as "Allocated Worker",
    assessments.start_date as window_from,
    assessments.authorised_date as window_to
from {{ ref('stg_assessments') }} as assessments
inner join {{ ref('ret_annex_a_children') }} as children
    on assessments.person_id = children.person_id
