-- Placements of looked after children. The placement postcode is not carried forward: no
-- indicator needs it and it can locate a child.
select
    clap_cla_placement_id as placement_id,
    clap_person_id as person_id,
    clap_cla_id as period_of_care_id,
    clap_cla_placement_start_date as start_date,
    clap_cla_placement_end_date as end_date,
    clap_cla_placement_type as placement_type,
    clap_cla_placement_urn as placement_urn,
    clap_cla_placement_distance as distance_from_home,
    clap_cla_placement_provider as provider,
    clap_cla_placement_change_reason as change_reason
from {{ ref('base_ssd_cla_placement') }}
