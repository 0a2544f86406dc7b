select
    cont_contact_id as contact_id,
    cont_person_id as person_id,
    cont_contact_date as contact_date,
    cont_contact_source_code as contact_source_code,
    cont_contact_source_desc as contact_source,
    cont_contact_outcome_json as contact_outcome_json
from {{ ref('base_ssd_contacts') }}
