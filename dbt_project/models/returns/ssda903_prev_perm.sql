-- SSDA903 PrevPerm: for each child whose period of care began in the year, the permanence
-- option they had before it (Z1 none). LA_PERM is the arranging authority where recorded.
select
    header.collection_year,
    header."CHILD",
    header."DOB",
    previous.permanence_option as "PREV_PERM",
    nullif(trim(previous.arranged_by_la), '') as "LA_PERM",
    strftime(previous.order_date, '%d/%m/%Y') as "DATE_PERM"
from {{ ref('ret_cla_periods') }} as periods
inner join {{ ref('ret_collection_years') }} as years
    on periods.start_date between years.year_start and years.year_end
inner join {{ ref('ssda903_header') }} as header
    on
        periods.person_id = header."CHILD"
        and years.collection_year = header.collection_year
inner join {{ ref('stg_previous_permanence') }} as previous
    on periods.person_id = previous.person_id
qualify row_number() over (
    partition by years.collection_year, periods.person_id
    order by previous.order_date desc nulls last
) = 1
