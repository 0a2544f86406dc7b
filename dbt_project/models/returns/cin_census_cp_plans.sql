-- CIN census ChildProtectionPlans open at any time in the census year, with the number of
-- earlier plans the child had.
with numbered as (
    select
        *,
        count(*) over (
            partition by person_id order by start_date
            rows between unbounded preceding and 1 preceding
        ) as previous_plans
    from {{ ref('stg_cp_plans') }}
)

select
    details.collection_year,
    details."LAchildID",
    details.referral_id,
    plans.cp_plan_id,
    strftime(plans.start_date, '%Y-%m-%d') as "CPPstartDate",
    case
        when plans.end_date <= years.year_end then strftime(plans.end_date, '%Y-%m-%d')
    end as "CPPendDate",
    {{ cin_abuse_category('plans.initial_category') }} as "InitialCategoryOfAbuse",
    {{ cin_abuse_category('coalesce(plans.latest_category, plans.initial_category)') }}
        as "LatestCategoryOfAbuse",
    cast(plans.previous_plans as varchar) as "NumberOfPreviousCPP"
from numbered as plans
inner join {{ ref('cin_census_cin_details') }} as details
    on plans.referral_id = details.referral_id
inner join {{ ref('ret_collection_years') }} as years
    on details.collection_year = years.collection_year
where
    plans.start_date <= years.year_end
    and (plans.end_date is null or plans.end_date >= years.year_start)
