-- s47_started: section 47 enquiries with a start date in the month (indicators.md), whatever their
-- outcome. A count: numerator = value.
with enquiries_started as (
    select
        months.month,
        enquiries.s47_enquiry_id
    from {{ ref('util_reporting_months') }} as months
    inner join {{ ref('stg_s47_enquiries') }} as enquiries
        on {{ in_month('enquiries.start_date') }}
)

{{ count_by_month('s47_started', 'enquiries_started', 's47_enquiry_id') }}
