-- Immigration statuses; UASC marks an unaccompanied asylum-seeking child.
select
    immi_immigration_status_id as immigration_status_id,
    immi_person_id as person_id,
    upper(trim(immi_immigration_status)) as immigration_status,
    immi_immigration_status_start_date as start_date,
    immi_immigration_status_end_date as end_date
from {{ source('ssd', 'ssd_immigration_status') }}
