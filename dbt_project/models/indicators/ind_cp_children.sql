-- cp_children: distinct children with a child protection plan open on the last day of the month
-- (indicators.md; int_cp_plans_open_at_month_end). The marts add the rate per 10,000.
{{ count_by_month('cp_children', ref('int_cp_plans_open_at_month_end'), 'person_id') }}
