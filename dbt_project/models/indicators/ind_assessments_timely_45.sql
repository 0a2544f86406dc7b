-- assessments_timely_45: % of single assessments authorised in the month that were authorised within 45
-- working days of the referral date (indicators.md; int_assessments_timed measures them). An
-- assessment that cannot be timed is left out of the denominator (the checks report it).
{{ assessments_within_working_days('assessments_timely_45', 'single', 45) }}
