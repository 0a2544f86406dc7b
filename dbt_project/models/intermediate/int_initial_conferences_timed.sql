-- int_initial_conferences_timed: every initial child protection conference held that icpc_timely
-- measures (transfer-in conferences excluded; a blank transfer-in flag is unknown, not a transfer
-- in, so the conference counts), with the working days from the start of the section 47 enquiry
-- that led to it (working_days(S47 start, conference date)).
-- A conference that cannot be timed (indicators.md "Untimed records") has no working days and
-- says why in cannot_be_timed:
--   no_start       no section 47 enquiry linked, the enquiry is not in the extract, or it has no
--                  start date
--   starts_after   the enquiry started after the conference was held
with conferences as (
    select
        conferences.icpc_id,
        conferences.person_id,
        conferences.conference_date,
        enquiries.start_date as s47_start_date
    from {{ ref('stg_initial_cp_conferences') }} as conferences
    left join {{ ref('stg_s47_enquiries') }} as enquiries
        on enquiries.s47_enquiry_id = conferences.s47_enquiry_id
    where
        conferences.conference_date is not null
        and coalesce(conferences.is_transfer_in, false) = false
),

judged as (
    select
        *,
        case
            when s47_start_date is null then 'no_start'
            when s47_start_date > conference_date then 'starts_after'
        end as cannot_be_timed
    from conferences
)

select
    icpc_id,
    person_id,
    conference_date,
    s47_start_date,
    cannot_be_timed,
    case
        when cannot_be_timed is null then {{ working_days('s47_start_date', 'conference_date') }}
    end as working_days_taken
from judged
