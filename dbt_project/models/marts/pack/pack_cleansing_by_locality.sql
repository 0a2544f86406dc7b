-- pack_cleansing_by_locality: the early help cleansing status the pack shows for a month
-- (eh_cleansing_by_locality), with the start of the exercise the team set (ref_settings).
select
    cast(cleansing.month as date) as month,
    cast(cleansing.locality as varchar) as locality,
    cast(cleansing.stale_backlog as bigint) as stale_backlog,
    cast(cleansing.closed_since as bigint) as closed_since,
    cast(cleansing.closed_by_cleansing_all as bigint) as closed_by_cleansing,
    cast(cleansing.pct_complete as decimal(18, 2)) as pct_complete,
    cast(cleansing.is_complete as boolean) as is_complete,
    cast({{ setting_date('cleansing_start_date') }} as date) as cleansing_start
from {{ ref('eh_cleansing_by_locality') }} as cleansing
