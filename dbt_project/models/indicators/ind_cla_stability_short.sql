-- cla_stability_short: % of children looked after at the end of the month
-- (int_looked_after_at_month_end) with 3 or more placements starting in the 12 months to the end
-- of the month (indicators.md): start after the month end minus 12 calendar months and on or
-- before the month end. Placements are matched by child, whichever period of care holds them.
with placements_in_year as (
    select
        looked_after.month,
        looked_after.person_id,
        count(placements.placement_id) as placements_started
    from {{ ref('int_looked_after_at_month_end') }} as looked_after
    inner join {{ ref('stg_cla_placements') }} as placements
        on
            placements.person_id = looked_after.person_id
            and placements.start_date > {{ dbt.dateadd('month', -12, 'looked_after.month_end') }}
            and placements.start_date <= looked_after.month_end
    group by looked_after.month, looked_after.person_id
),

children as (
    select
        looked_after.month,
        looked_after.person_id,
        coalesce(placements_in_year.placements_started >= 3, false) as has_three_placements
    from {{ ref('int_looked_after_at_month_end') }} as looked_after
    left join placements_in_year
        on
            placements_in_year.month = looked_after.month
            and placements_in_year.person_id = looked_after.person_id
)

{{ percentage_by_month('cla_stability_short', 'children', 'person_id', 'has_three_placements') }}
