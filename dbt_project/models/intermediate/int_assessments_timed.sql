-- int_assessments_timed: every authorised assessment with the working days it took, measured as
-- indicators.md says: an initial or single assessment from the date of its referral (found through
-- referral_id), a core assessment from its own start. working_days(from, authorised), so the same
-- day is 0 (macro working_days).
-- An assessment that cannot be timed (indicators.md "Untimed records") has no working days and
-- says why in cannot_be_timed:
--   no_start    nothing to time it from: no referral linked, the referral is not in the extract
--               or has no date; a core assessment with no start date
--   starts_after   the date it is timed from is after its authorisation (a referral dated after
--               the assessment was authorised, a core assessment authorised before it started)
-- The timeliness indicators leave it out of their denominators; the data-quality checks report
-- it (dq_ssd_cin_assessments).
with assessments as (
    select
        assessments.assessment_id,
        assessments.person_id,
        assessments.assessment_type,
        assessments.authorised_date,
        case
            when assessments.assessment_type = 'core' then assessments.start_date
            else referrals.referral_date
        end as timed_from_date
    from {{ ref('stg_assessments') }} as assessments
    left join {{ ref('stg_referrals') }} as referrals
        on referrals.referral_id = assessments.referral_id
    where assessments.authorised_date is not null
),

judged as (
    select
        *,
        case
            when timed_from_date is null then 'no_start'
            when timed_from_date > authorised_date then 'starts_after'
        end as cannot_be_timed
    from assessments
)

select
    assessment_id,
    person_id,
    assessment_type,
    authorised_date,
    timed_from_date,
    cannot_be_timed,
    case
        when cannot_be_timed is null then {{ working_days('timed_from_date', 'authorised_date') }}
    end as working_days_taken
from judged
