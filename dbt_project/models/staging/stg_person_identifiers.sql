-- The Unique Pupil Number, kept apart from stg_persons: only the statutory returns need it.
select
    pers_person_id as person_id,
    upper(trim(pers_upn)) as upn
from {{ source('ssd', 'ssd_person') }}
