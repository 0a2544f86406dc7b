-- ca_timely: % of core assessments authorised in the month that were authorised within 35
-- working days of their start (indicators.md; int_assessments_timed measures them). An
-- assessment that cannot be timed is left out of the denominator (the checks report it).
{{ assessments_within_working_days('ca_timely', 'core', 35) }}
