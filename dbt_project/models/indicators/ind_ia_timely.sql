-- ia_timely: % of initial assessments authorised in the month that were authorised within 10
-- working days of the referral date (indicators.md; int_assessments_timed measures them). An
-- assessment that cannot be timed is left out of the denominator (the checks report it).
{{ assessments_within_working_days('ia_timely', 'initial', 10) }}
