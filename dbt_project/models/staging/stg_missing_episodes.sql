-- Episodes of a looked after child missing (M) or away without authorisation (A).
select
    miss_table_id as missing_episode_id,
    miss_person_id as person_id,
    miss_missing_episode_start_date as start_date,
    upper(trim(miss_missing_episode_type)) as missing_type,
    miss_missing_episode_end_date as end_date,
    miss_missing_rhi_offered as return_interview_offered,
    miss_missing_rhi_accepted as return_interview_accepted
from {{ source('ssd', 'ssd_missing') }}
