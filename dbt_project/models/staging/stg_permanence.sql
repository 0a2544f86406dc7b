-- Adoption decisions, matches, placements and adopters (SSDA903 PlacedAdoption and AD1).
select
    perm_table_id as permanence_id,
    perm_person_id as person_id,
    perm_cla_id as period_of_care_id,
    perm_adm_decision_date as decision_date,
    perm_placement_order_date as placement_order_date,
    perm_placed_for_adoption_date as placed_for_adoption_date,
    perm_matched_date as matched_date,
    perm_adopted_by_carer_flag as adopted_by_foster_carer,
    perm_decision_reversed_date as decision_reversed_date,
    upper(trim(perm_decision_reversed_reason)) as decision_reversed_reason,
    perm_permanence_order_date as order_date,
    perm_permanence_order_type as order_type,
    upper(trim(perm_adopter_sex)) as adopter_sex,
    upper(trim(perm_adopter_legal_status)) as adopter_legal_status,
    trim(perm_number_of_adopters) as number_of_adopters
from {{ source('ssd', 'ssd_permanence') }}
