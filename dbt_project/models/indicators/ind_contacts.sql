-- contacts: contacts dated in the month (indicators.md). A count: numerator = value.
with contacts_in_month as (
    select
        months.month,
        contacts.contact_id
    from {{ ref('util_reporting_months') }} as months
    inner join {{ ref('stg_contacts') }} as contacts
        on {{ in_month('contacts.contact_date') }}
)

{{ count_by_month('contacts', 'contacts_in_month', 'contact_id') }}
