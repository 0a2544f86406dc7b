-- The permanence option a child had before this period of care (SSDA903 PrevPerm).
select
    lapp_table_id as previous_permanence_id,
    lapp_person_id as person_id,
    lapp_previous_permanence_order_date as order_date,
    upper(trim(lapp_previous_permanence_option)) as permanence_option,
    lapp_previous_permanence_la as arranged_by_la
from {{ source('ssd', 'ssd_cla_previous_permanence') }}
