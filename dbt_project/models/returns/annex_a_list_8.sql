-- Annex A List 8: children looked after at any time in the window (one row per period of care,
-- described by its latest episode and placement).
select
    children.person_id as "Child Unique ID",
    children.gender as "Gender",
    children.ethnicity as "Ethnicity",
    strftime(children.date_of_birth, '%d/%m/%Y') as "Date of Birth",
    children.date_of_birth as age_from_date_of_birth,
    case
        when exists (
            select 1 from {{ ref('stg_immigration_statuses') }} as u
            where u.person_id = periods.person_id and u.immigration_status = 'UASC'
        ) then 'a) Yes'
        else 'b) No'
    end as "Unaccompanied Asylum Seeking Child (UASC) within the Last 12 Months (Y/N)",
    children.has_disability as "Does the Child have a Disability",
    strftime(periods.start_date, '%d/%m/%Y') as "Date Started to be Looked After",
    periods.primary_need_code as "Child's Category of Need",
    cast(null as varchar)
        as "Is this a second or subsequent period of being a Looked After Child within the last 12 months (Y/N)",
    strftime(latest.start_date, '%d/%m/%Y') as "Start date of current legal status",
    latest.legal_status as "Child's Legal Status",
    (
        select strftime(max(r.review_date), '%d/%m/%Y') from {{ ref('stg_cla_reviews') }} as r
        where r.period_of_care_id = periods.period_of_care_id
    ) as "Date of Latest Statutory Review",
    cast(null as varchar) as "Date of Last Social Work Visit",
    cast(null as varchar) as "What is the permanence plan for this child?",
    cast(null as varchar) as "Date of Last IRO Visit / Contact to the Child",
    cast(null as varchar) as "Date of Last Health Assessment",
    cast(null as varchar) as "Date of Last Dental Check",
    cast(null as integer) as "Number of Placements in the Last 12 months",
    strftime(periods.end_date, '%d/%m/%Y') as "Date Ceased to be Looked After",
    periods.end_reason as "Reason Ceased to be Looked After",
    strftime(latest.start_date, '%d/%m/%Y') as "Start Date of Most Recent Placement",
    latest.placement_type as "Placement Type",
    latest.provider as "Placement Provider",
    latest.placement_postcode as "Placement postcode",
    latest.urn as "URN of Placement",
    cast(null as varchar) as "Placement Location",
    cast(null as varchar) as "LA of Placement",
    cast(null as integer)
        as "Number of Episodes the Child has been 'Missing' from their Placement in the last 12 months",
    cast(null as integer)
        as "Number of Episodes the Child has been 'Absent' from their Placement in the last 12 months",
    cast(null as varchar)
        as "Was the child offered a Return Interview after their last missing episode (Y/N)?",
    cast(null as varchar)
        as "Did the child accept a Return Interview after their last missing episode (Y/N)?",
    cast(null as varchar) as "Allocated Team",
    cast(null as varchar) as "Allocated Worker",
    periods.start_date as window_from,
    periods.end_date as window_to
from {{ ref('ret_cla_periods') }} as periods
inner join {{ ref('ret_annex_a_children') }} as children
    on periods.person_id = children.person_id
left join {{ ref('ret_cla_903_episodes') }} as latest
    on periods.period_of_care_id = latest.period_of_care_id
qualify row_number() over (
    partition by periods.period_of_care_id order by latest.start_date desc
) = 1
