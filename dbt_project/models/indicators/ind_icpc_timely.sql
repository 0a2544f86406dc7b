-- icpc_timely: % of initial child protection conferences held in the month that were held
-- within 15 working days of the start of the S47 enquiry that led to them, transfer-in
-- conferences excluded (indicators.md). "Within 15" = working_days(S47 start, ICPC) <= 15.
-- A transfer-in flag left blank is unknown, not a transfer-in, so the conference counts.
-- Conferences with no linked S47 enquiry (none given, or the id is not in the S47 extract)
-- have no start to measure from and are left out of the denominator.
with months as (
    select * from {{ ref('util_reporting_months') }}
),

conferences as (
    select icpc_id, s47_enquiry_id, conference_date
    from {{ ref('stg_initial_cp_conferences') }}
    where coalesce(is_transfer_in, false) = false
),

s47_enquiries as (
    select s47_enquiry_id, start_date from {{ ref('stg_s47_enquiries') }}
),

conferences_assessed as (
    select
        conferences.icpc_id,
        conferences.conference_date,
        {{ working_days('s47_enquiries.start_date', 'conferences.conference_date') }} <= 15
            as is_timely
    from conferences
    inner join s47_enquiries
        on s47_enquiries.s47_enquiry_id = conferences.s47_enquiry_id
),

monthly_counts as (
    select
        months.month,
        count(case when conferences_assessed.is_timely then 1 end) as numerator,
        count(conferences_assessed.icpc_id) as denominator
    from months
    left join conferences_assessed
        on conferences_assessed.conference_date between months.month and months.month_end
    group by months.month
)

select
    'icpc_timely' as indicator_code,
    month,
    numerator,
    denominator,
    -- no conferences in the month: no value, not 0%
    cast(round(100.0 * numerator / nullif(denominator, 0), 2) as double) as value
from monthly_counts
