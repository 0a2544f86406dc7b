-- Annex A List 1: contacts (window: the contact date).
select
    children.person_id as "Child Unique ID",
    children.gender as "Gender",
    children.ethnicity as "Ethnicity",
    strftime(children.date_of_birth, '%d/%m/%Y') as "Date of Birth",
    children.date_of_birth as age_from_date_of_birth,
    strftime(contacts.contact_date, '%d/%m/%Y') as "Date of Contact",
    contacts.contact_source_code as "Contact Source",
    contacts.contact_date as window_from,
    contacts.contact_date as window_to
from {{ ref('stg_contacts') }} as contacts
inner join {{ ref('ret_annex_a_children') }} as children
    on contacts.person_id = children.person_id
