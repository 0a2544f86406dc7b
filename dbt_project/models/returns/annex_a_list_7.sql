-- Annex A List 7: child protection plans open at any time in the window.
select
    children.person_id as "Child Unique ID",
    children.gender as "Gender",
    children.ethnicity as "Ethnicity",
    strftime(children.date_of_birth, '%d/%m/%Y') as "Date of Birth",
    children.date_of_birth as age_from_date_of_birth,
    children.has_disability as "Does the Child have a Disability",
    strftime(plans.start_date, '%d/%m/%Y') as "Child Protection Plan Start Date",
    plans.initial_category as "Initial Category of Abuse",
    coalesce(plans.latest_category, plans.initial_category) as "Latest Category of Abuse",
    (
        select strftime(max(v.visit_date), '%d/%m/%Y') from {{ ref('stg_cp_visits') }} as v
        where v.cp_plan_id = plans.cp_plan_id and v.is_child_seen
    ) as "Date of the Last Statutory Visit",
    cast(null as varchar) as "Was the Child Seen Alone?",
    (
        select strftime(max(r.review_date), '%d/%m/%Y') from {{ ref('stg_cp_reviews') }} as r
        where r.cp_plan_id = plans.cp_plan_id
    ) as "Date of latest review conference",
    strftime(plans.end_date, '%d/%m/%Y') as "Child Protection Plan End Date",
    cast(null as varchar)
        as "Subject to Emergency Protection Order or Protected Under Police Powers in Last Six Months (Y/N)",
    (
        select count(*) from {{ ref('stg_cp_plans') }} as earlier
        where earlier.person_id = plans.person_id and earlier.start_date < plans.start_date
    ) as "Number of Previous Child Protection Plans",
    cast(null as varchar) as "Allocated Team",
    cast(null as varchar) as "Allocated Worker",
    plans.start_date as window_from,
    plans.end_date as window_to
from {{ ref('stg_cp_plans') }} as plans
inner join {{ ref('ret_annex_a_children') }} as children
    on plans.person_id = children.person_id
