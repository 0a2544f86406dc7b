-- CIN census FactorsIdentifiedAtAssessment: only for assessments authorised in the year.
select distinct
    assessments.collection_year,
    assessments.assessment_id,
    factors.factor_code as "AssessmentFactors"
from {{ ref('cin_census_assessments') }} as assessments
inner join {{ ref('stg_assessment_factors') }} as factors
    on assessments.assessment_id = factors.assessment_id
where assessments."AssessmentAuthorisationDate" is not null
