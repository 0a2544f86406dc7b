-- pack_extract_loads: the extract files the figures were calculated from and when each was last
-- loaded successfully (raw.load_log, written by the loads). 'unchanged' is not a load: the data
-- in the warehouse is then still that of the earlier load, which is the time to state.
select
    cast(file_name as varchar) as file_name,
    cast(max(finished_at) as timestamp) as loaded_at
from {{ source('ingest', 'load_log') }}
where status = 'loaded'
group by file_name
