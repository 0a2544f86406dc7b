{#-
  open_placement_flags(as_at_dates): every placement open at each date in as_at_dates (a CTE or
  relation with one column, as_at_date), with the reasons to suspect it should have been ended
  (indicators.md "Unended placements"), judged as at that date:
    later_placement   the child has another placement starting after this one's start (and by
                      the as-at date);
    episode_ended     no looked after episode of the placement's period of care is open at the
                      as-at date (period of care missing: none of the child's episodes is open);
    aged_18_or_over   the child's 18th birthday is on or before the as-at date (NULL where the
                      date of birth is unknown: not known, so not flagged).
  "Open" as at the date: started on or before it, with no end date or one after it (a later
  end had not been recorded yet). Shared by unended_placements (the last month's worklist) and
  unended_placements_effect (every month), so the two cannot disagree.
-#}
{% macro open_placement_flags(as_at_dates) -%}
    select
        as_at.as_at_date,
        placement.placement_id,
        placement.person_id,
        placement.period_of_care_id,
        placement.start_date,
        exists (
            select 1
            from {{ ref('stg_cla_placements') }} as later
            where later.person_id = placement.person_id
              and later.placement_id <> placement.placement_id
              and later.start_date > placement.start_date
              and later.start_date <= as_at.as_at_date
        ) as later_placement,
        not exists (
            select 1
            from {{ ref('stg_cla_episodes') }} as episode
            where (
                    (placement.period_of_care_id is not null
                        and episode.period_of_care_id = placement.period_of_care_id)
                    or (placement.period_of_care_id is null
                        and episode.person_id = placement.person_id)
                )
              and episode.start_date <= as_at.as_at_date
              and (episode.ceased_date is null or episode.ceased_date > as_at.as_at_date)
        ) as episode_ended,
        (
            -- bool_or: one answer even if a person were duplicated (stg_persons tests uniqueness)
            select bool_or(cast(person.date_of_birth + interval 18 year as date) <= as_at.as_at_date)
            from {{ ref('stg_persons') }} as person
            where person.person_id = placement.person_id
        ) as aged_18_or_over
    from {{ as_at_dates }} as as_at
    inner join {{ ref('stg_cla_placements') }} as placement
        on placement.start_date <= as_at.as_at_date
        and (placement.end_date is null or placement.end_date > as_at.as_at_date)
{%- endmacro %}
