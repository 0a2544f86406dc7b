-- Where each placement is (SSDA903 PL_POST). Kept apart from stg_cla_placements, which
-- carries no postcode: only the statutory returns, written to the restricted folder, read it.
select
    clap_cla_placement_id as placement_id,
    upper(trim(clap_cla_placement_postcode)) as postcode
from {{ source('ssd', 'ssd_cla_placement') }}
