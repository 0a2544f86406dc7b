-- CIN census children: everyone with a CIN episode in the census year (ChildIdentifiers and
-- ChildCharacteristics). Sex M, F or U.
select distinct
    details.collection_year,
    persons.person_id as "LAchildID",
    nullif(identifiers.upn, '') as "UPN",
    case when nullif(identifiers.upn, '') is null then upper(trim(persons.upn_unknown)) end
        as "UPNunknown",
    strftime(persons.date_of_birth, '%Y-%m-%d') as "PersonBirthDate",
    case
        when persons.date_of_birth is null
            then strftime(persons.expected_date_of_birth, '%Y-%m-%d')
    end as "ExpectedPersonBirthDate",
    coalesce(upper(trim(persons.sex)), 'U') as "Sex",
    strftime(persons.date_of_death, '%Y-%m-%d') as "PersonDeathDate",
    upper(trim(persons.ethnicity)) as "Ethnicity"
from {{ ref('cin_census_cin_details') }} as details
inner join {{ ref('stg_persons') }} as persons on details."LAchildID" = persons.person_id
left join {{ ref('stg_person_identifiers') }} as identifiers
    on persons.person_id = identifiers.person_id
