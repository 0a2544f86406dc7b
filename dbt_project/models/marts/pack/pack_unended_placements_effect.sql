-- pack_unended_placements_effect: the effect the unended placements could have on the count of
-- children looked after, per month (unended_placements_effect).
select
    cast(month as date) as month,
    cast(children_looked_after as bigint) as children_looked_after,
    cast(looked_after_only_suspect_placements as bigint) as looked_after_only_suspect_placements,
    cast(looked_after_excluding_suspects as bigint) as looked_after_excluding_suspects,
    cast(suspect_placements as bigint) as suspect_placements
from {{ ref('unended_placements_effect') }}
