-- ca_completed: core assessments authorised in the month (indicators.md); the authorisation date
-- is the completion date. The rolling 12-month rate per 10,000 is added in the marts.
{{ assessments_authorised('ca_completed', 'core') }}
