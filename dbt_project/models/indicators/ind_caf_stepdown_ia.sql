-- caf_stepdown_ia: early help episodes (CAFs) started in the month whose reason is a step-down
-- from an initial assessment (indicators.md): the reason is the team's setting
-- stepdown_reason_initial_assessment (ref_settings), matched case-insensitively.
{{ early_help_stepdowns('caf_stepdown_ia', 'stepdown_reason_initial_assessment') }}
