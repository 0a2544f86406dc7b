-- pack_extract_loads: the extract files the figures were calculated from, when each was last
-- loaded successfully (raw.load_log, written by the loads) and what that load kept, held back
-- and read as "still open". 'unchanged' is not a load: the data in the warehouse is then still
-- that of the earlier load, which is the one to state.
select
    cast(file_name as varchar) as file_name,
    cast(max(finished_at) as timestamp) as loaded_at,
    cast(coalesce(arg_max(rows_loaded, finished_at), 0) as bigint) as rows_loaded,
    cast(coalesce(arg_max(rows_quarantined, finished_at), 0) as bigint) as rows_quarantined,
    cast(coalesce(arg_max(open_end_dates, finished_at), 0) as bigint) as open_end_dates
from {{ source('ingest', 'load_log') }}
where status = 'loaded'
group by file_name
