-- CIN census Section47: enquiries that started in the census year or whose conference was
-- in it. ICPCnotRequired: true when the enquiry ended with no conference.
with conferences as (
    select
        s47_enquiry_id,
        min(target_date) as target_date,
        min(conference_date) as conference_date
    from {{ ref('stg_initial_cp_conferences') }}
    where s47_enquiry_id is not null and s47_enquiry_id != ''
    group by s47_enquiry_id
)

select
    details.collection_year,
    details."LAchildID",
    details.referral_id,
    strftime(s47.start_date, '%Y-%m-%d') as "S47ActualStartDate",
    strftime(conferences.target_date, '%Y-%m-%d') as "InitialCPCtarget",
    case
        when conferences.conference_date <= years.year_end
            then strftime(conferences.conference_date, '%Y-%m-%d')
    end as "DateOfInitialCPC",
    case
        when conferences.conference_date is null and s47.end_date <= years.year_end
            then 'true'
        else 'false'
    end as "ICPCnotRequired"
from {{ ref('stg_s47_enquiries') }} as s47
inner join {{ ref('cin_census_cin_details') }} as details
    on s47.referral_id = details.referral_id
inner join {{ ref('ret_collection_years') }} as years
    on details.collection_year = years.collection_year
left join conferences on s47.s47_enquiry_id = conferences.s47_enquiry_id
where
    s47.start_date between years.year_start and years.year_end
    or conferences.conference_date between years.year_start and years.year_end
