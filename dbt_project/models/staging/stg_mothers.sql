-- Young people who are mothers, with their child's date of birth (SSDA903 MC_DOB).
select
    moth_table_id as mother_record_id,
    moth_person_id as person_id,
    moth_childs_person_id as childs_person_id,
    moth_childs_dob as childs_date_of_birth
from {{ source('ssd', 'ssd_mother') }}
