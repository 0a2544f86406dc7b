-- s47_started: section 47 enquiries with a start date in the month (indicators.md). A count of
-- enquiries, whatever their outcome: numerator = value.
with months as (
    select * from {{ ref('util_reporting_months') }}
),

s47_enquiries as (
    select s47_enquiry_id, start_date from {{ ref('stg_s47_enquiries') }}
)

select
    's47_started' as indicator_code,
    months.month,
    count(s47_enquiries.s47_enquiry_id) as numerator,
    cast(null as bigint) as denominator,
    cast(count(s47_enquiries.s47_enquiry_id) as double) as value
from months
left join s47_enquiries
    on s47_enquiries.start_date between months.month and months.month_end
group by months.month
