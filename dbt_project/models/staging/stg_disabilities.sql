-- Disabilities recorded for a person, one row per code (CIN census code set).
select
    disa_table_id as disability_record_id,
    disa_person_id as person_id,
    upper(trim(disa_disability_code)) as disability_code
from {{ source('ssd', 'ssd_disability') }}
