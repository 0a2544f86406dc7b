-- contacts: contacts dated in the month (indicators.md). A count: numerator = value.
with months as (
    select * from {{ ref('util_reporting_months') }}
),

contacts as (
    select contact_date from {{ ref('stg_contacts') }}
)

select
    'contacts' as indicator_code,
    months.month,
    count(contacts.contact_date) as numerator,
    cast(null as bigint) as denominator,
    cast(count(contacts.contact_date) as double) as value
from months
left join contacts
    on contacts.contact_date between months.month and months.month_end
group by months.month
