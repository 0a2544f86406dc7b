-- ssd_person: the person records the data-quality suites ssd_person check (expectations/), as at the end of the
-- reporting month (base_ssd_person), with the derived columns they name (macros/data_quality_flags.sql).
select
    records.*,
    {{ flag_duplicate_key_quarantined('ssd_person', 'pers_person_id') }} as flag__duplicate_key_quarantined
from {{ ref('base_ssd_person') }} as records
