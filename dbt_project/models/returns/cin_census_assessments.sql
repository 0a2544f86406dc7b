-- CIN census Assessments on the census year's episodes: authorised in the year, or still
-- open at its end. An authorisation after 31 March is left blank.
select
    details.collection_year,
    details."LAchildID",
    details.referral_id,
    assessments.assessment_id,
    strftime(assessments.start_date, '%Y-%m-%d') as "AssessmentActualStartDate",
    case
        when assessments.authorised_date <= years.year_end
            then strftime(assessments.authorised_date, '%Y-%m-%d')
    end as "AssessmentAuthorisationDate"
from {{ ref('stg_assessments') }} as assessments
inner join {{ ref('cin_census_cin_details') }} as details
    on assessments.referral_id = details.referral_id
inner join {{ ref('ret_collection_years') }} as years
    on details.collection_year = years.collection_year
where
    assessments.start_date <= years.year_end
    and (assessments.authorised_date is null or assessments.authorised_date >= years.year_start)
