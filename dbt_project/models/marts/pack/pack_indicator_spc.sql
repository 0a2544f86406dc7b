-- pack_indicator_spc: each indicator's statistical process control reading as at each month
-- (marts.indicator_spc holds the rules), in the columns the pack's charts and draft use.
select
    cast(indicator_code as varchar) as indicator_code,
    cast(month as date) as month,
    cast(spc_measure as varchar) as spc_measure,
    cast(spc_value as double) as spc_value,
    cast(spc_on_rolling_figure as boolean) as spc_on_rolling_figure,
    cast(phase_start as date) as phase_start,
    cast(limits_fixed as boolean) as limits_fixed,
    cast(process_mean as double) as process_mean,
    cast(upper_limit as double) as upper_limit,
    cast(lower_limit as double) as lower_limit,
    cast(spc_signals as varchar) as spc_signals,
    cast(signal_direction as varchar) as signal_direction,
    cast(spc_variation as varchar) as spc_variation,
    cast(spc_assurance as varchar) as spc_assurance
from {{ ref('indicator_spc') }}
