-- ssd_contacts: the contacts the data-quality suites ssd_contacts check (expectations/), as at the end of the
-- reporting month (base_ssd_contacts), with the derived columns they name (macros/data_quality_flags.sql).
select
    records.*,
    {{ flag_duplicate_key_quarantined('ssd_contacts', 'cont_contact_id') }} as flag__duplicate_key_quarantined,
    {{ flag_unresolved('cont_person_id', 'base_ssd_person', 'pers_person_id') }} as flag__cont_person_id__unresolved,
    {{ flag_before_birth('cont_contact_date', 'cont_person_id') }} as flag__cont_contact_date__before_birth
from {{ ref('base_ssd_contacts') }} as records
