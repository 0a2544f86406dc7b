-- Children and other people known to the service. Names and the NHS number are deliberately
-- not carried past the raw layer: no indicator or check needs them.
select
    pers_person_id as person_id,
    pers_dob as date_of_birth,
    pers_expected_dob as expected_date_of_birth,
    pers_death_date as date_of_death,
    pers_sex as sex,
    pers_gender as gender,
    pers_ethnicity as ethnicity,
    pers_upn_unknown as upn_unknown,
    pers_send_flag as send_flag,
    pers_is_mother as is_mother,
    pers_nationality as nationality
from {{ ref('base_ssd_person') }}
