-- CIN census CINPlanDates: CIN plans on the census year's episodes open at any time in it.
select
    details.collection_year,
    details."LAchildID",
    details.referral_id,
    strftime(plans.start_date, '%Y-%m-%d') as "CINPlanStartDate",
    case
        when plans.end_date <= years.year_end then strftime(plans.end_date, '%Y-%m-%d')
    end as "CINPlanEndDate"
from {{ ref('stg_cin_plans') }} as plans
inner join {{ ref('cin_census_cin_details') }} as details
    on plans.referral_id = details.referral_id
inner join {{ ref('ret_collection_years') }} as years
    on details.collection_year = years.collection_year
where
    plans.start_date <= years.year_end
    and (plans.end_date is null or plans.end_date >= years.year_start)
