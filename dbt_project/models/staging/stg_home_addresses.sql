-- Home postcodes (SSDA903 HOME_POST). Only the postcode and its dates are carried: the
-- statutory returns need nothing else of an address. Child-level: read by the returns only.
select
    addr_table_id as address_id,
    addr_person_id as person_id,
    addr_address_type as address_type,
    addr_address_start_date as start_date,
    addr_address_end_date as end_date,
    upper(trim(addr_address_postcode)) as postcode
from {{ source('ssd', 'ssd_address') }}
