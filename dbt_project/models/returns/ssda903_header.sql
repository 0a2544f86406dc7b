-- SSDA903 Header: one row per child with an episode in the collection year.
-- SEX: M, F or U from 2024-25 (1 male, 2 female before); MOTHER 1/0 where recorded; MC_DOB
-- the mother's first child's date of birth.
with children as (
    select distinct
        collection_year,
        "CHILD" as person_id
    from {{ ref('ssda903_episodes') }}
),

first_child as (
    select
        person_id,
        min(childs_date_of_birth) as childs_date_of_birth
    from {{ ref('stg_mothers') }}
    group by person_id
)

select
    children.collection_year,
    persons.person_id as "CHILD",
    case
        when children.collection_year >= '2024-25'
            then coalesce(nullif(upper(trim(persons.sex)), ''), 'U')
        when upper(trim(persons.sex)) = 'M' then '1'
        when upper(trim(persons.sex)) = 'F' then '2'
    end as "SEX",
    strftime(persons.date_of_birth, '%d/%m/%Y') as "DOB",
    upper(trim(persons.ethnicity)) as "ETHNIC",
    coalesce(nullif(identifiers.upn, ''), upper(trim(persons.upn_unknown))) as "UPN",
    case when persons.is_mother then '1' when not persons.is_mother then '0' end as "MOTHER",
    case
        when persons.is_mother then strftime(first_child.childs_date_of_birth, '%d/%m/%Y')
    end as "MC_DOB"
from children
inner join {{ ref('stg_persons') }} as persons on children.person_id = persons.person_id
left join {{ ref('stg_person_identifiers') }} as identifiers
    on persons.person_id = identifiers.person_id
left join first_child on persons.person_id = first_child.person_id
