-- Legal statuses of looked after children (SSDA903 LS), one row per status held.
select
    lega_legal_status_id as legal_status_id,
    lega_person_id as person_id,
    upper(trim(lega_legal_status)) as legal_status,
    lega_legal_status_start_date as start_date,
    lega_legal_status_end_date as end_date
from {{ source('ssd', 'ssd_legal_status') }}
