-- icpc_timely: % of initial child protection conferences held in the month within 15 working days
-- of the start of the section 47 enquiry that led to them, transfer-in conferences excluded
-- (indicators.md; int_initial_conferences_timed measures them). A conference that cannot be
-- timed is left out of the denominator (the checks report it).
{{ timely_by_month(
    'icpc_timely',
    'int_initial_conferences_timed',
    'conference_date',
    'icpc_id',
    'timed.working_days_taken <= 15',
) }}
