-- cla_children: distinct children with a looked after episode open on the last day of the month
-- (indicators.md; int_looked_after_at_month_end). The marts add the rate per 10,000.
{{ count_by_month('cla_children', ref('int_looked_after_at_month_end'), 'person_id') }}
