-- caf_stepdown_ca: early help episodes (CAFs) started in the month whose reason is a step-down
-- from a core assessment (indicators.md): the reason is the team's setting
-- stepdown_reason_core_assessment (ref_settings), matched case-insensitively. The YTD rate per
-- 10,000 is added in the marts.
{{ early_help_stepdowns('caf_stepdown_ca', 'stepdown_reason_core_assessment') }}
