-- The columns every Annex A list starts with, in Ofsted's wording and code lists.
select
    persons.person_id,
    persons.date_of_birth,
    case upper(trim(persons.sex))
        when 'M' then 'a) Male'
        when 'F' then 'b) Female'
        else 'c) Not stated/recorded'
    end as gender,
    case upper(trim(persons.ethnicity))
        when 'WBRI' then 'a) WBRI' when 'WIRI' then 'b) WIRI' when 'WIRT' then 'c) WIRT'
        when 'WOTH' then 'd) WOTH' when 'WROM' then 'e) WROM' when 'MWBC' then 'f) MWBC'
        when 'MWBA' then 'g) MWBA' when 'MWAS' then 'h) MWAS' when 'MOTH' then 'i) MOTH'
        when 'AIND' then 'j) AIND' when 'APKN' then 'k) APKN' when 'ABAN' then 'l) ABAN'
        when 'AOTH' then 'm) AOTH' when 'BCRB' then 'n) BCRB' when 'BAFR' then 'o) BAFR'
        when 'BOTH' then 'p) BOTH' when 'CHNE' then 'q) CHNE' when 'OOTH' then 'r) OOTH'
        when 'REFU' then 's) REFU' when 'NOBT' then 't) NOBT'
        else 'u) UNKNOWN'
    end as ethnicity,
    case
        when exists (
            select 1 from {{ ref('stg_disabilities') }} as d
            where d.person_id = persons.person_id and d.disability_code != 'NONE'
        ) then 'a) Yes'
        else 'b) No'
    end as has_disability
from {{ ref('stg_persons') }} as persons
