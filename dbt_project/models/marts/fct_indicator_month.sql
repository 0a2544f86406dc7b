-- fct_indicator_month: one row per indicator per spine month, as the board pack prints it. The
-- indicator models give numerator, denominator and value; this adds, from the reference seeds
-- the performance team maintains, the catalogue wording, the rate per 10,000, the target and
-- RAG, the direction of travel, the previous values, the small-numbers flag and comparators
-- (indicators.md "Derived rules the board pack needs").
with indicator_values as (
    -- every indicator model's monthly figures (the list of models is in int_indicator_values)
    select indicator_code, month, numerator, denominator, value
    from {{ ref('int_indicator_values') }}
),

months as (
    select month, month_end, rolling_12_start, financial_year_start
    from {{ ref('util_reporting_months') }}
),

catalogue as (
    select * from {{ ref('ref_indicator_catalogue') }}
),

population as (
    select year, population_0_17 from {{ ref('ref_population') }}
),

-- The months whose numerators make up each row's rate: the month itself (month), the 12 months
-- ending with it (rolling_12) or the months since 1 April (ytd) (indicators.md "Rate per
-- 10,000", "Rolling 12 months", "YTD").
rate_periods as (
    select
        indicator_values.indicator_code,
        indicator_values.month,
        catalogue.rate_basis,
        case catalogue.rate_basis
            when 'rolling_12' then months.rolling_12_start
            when 'ytd' then months.financial_year_start
            else indicator_values.month
        end as period_start,
        case catalogue.rate_basis
            when 'rolling_12' then 12
            when 'ytd' then {{ dbt.datediff('months.financial_year_start', 'indicator_values.month', 'month') }} + 1
            else 1
        end as months_expected
    from indicator_values
    inner join catalogue
        on catalogue.code = indicator_values.indicator_code
    inner join months
        on months.month = indicator_values.month
    where catalogue.rate_basis in ('month', 'rolling_12', 'ytd')
),

rate_numerators as (
    select
        rate_periods.indicator_code,
        rate_periods.month,
        rate_periods.months_expected,
        count(period_values.numerator) as months_present,
        sum(period_values.numerator) as period_numerator
    from rate_periods
    left join indicator_values as period_values
        on
            period_values.indicator_code = rate_periods.indicator_code
            and period_values.month between rate_periods.period_start and rate_periods.month
    group by rate_periods.indicator_code, rate_periods.month, rate_periods.months_expected
),

-- A rate over months the spine does not cover (the first 11 months of a rolling rate) would
-- understate the true figure, so it is left NULL rather than printed. Population: the mid-year
-- estimate for the calendar year of the month.
rates as (
    select
        rate_numerators.indicator_code,
        rate_numerators.month,
        case
            when rate_numerators.months_present = rate_numerators.months_expected
                then {{ rounded_ratio('rate_numerators.period_numerator', 'population.population_0_17', 10000) }}
        end as rate_per_10k
    from rate_numerators
    left join population
        on population.year = year(rate_numerators.month)
),

indicator_rates as (
    select
        indicator_values.*,
        rates.rate_per_10k
    from indicator_values
    left join rates
        on
            rates.indicator_code = indicator_values.indicator_code
            and rates.month = indicator_values.month
),

comparators as (
    select
        indicator_code,
        max(case when comparator = 'england' then value end) as england_value,
        max(case when comparator = 'england' then published_year end) as england_year,
        max(case when comparator = 'statistical_neighbours' then value end) as statistical_neighbours_value,
        max(case when comparator = 'statistical_neighbours' then published_year end) as statistical_neighbours_year,
        max(case when comparator = 'region' then comparator_name end) as region_name,
        max(case when comparator = 'region' then value end) as region_value,
        max(case when comparator = 'region' then published_year end) as region_year,
        bool_or(is_illustrative) as comparators_illustrative
    from {{ ref('ref_comparators') }}
    group by indicator_code
),

-- Previous values: the same month one and two years earlier (indicators.md), NULL where the
-- spine does not reach back that far.
with_previous as (
    select
        current_month.*,
        last_year.value as previous_1y,
        two_years_ago.value as previous_2y,
        last_year.rate_per_10k as previous_1y_rate
    from indicator_rates as current_month
    left join indicator_rates as last_year
        on
            last_year.indicator_code = current_month.indicator_code
            and last_year.month = cast({{ dbt.dateadd('month', -12, 'current_month.month') }} as date)
    left join indicator_rates as two_years_ago
        on
            two_years_ago.indicator_code = current_month.indicator_code
            and two_years_ago.month = cast({{ dbt.dateadd('month', -24, 'current_month.month') }} as date)
),

-- The figure the target, RAG and direction are read on: the rate where the catalogue says so
-- (e.g. referrals on the rolling 12-month rate, as the seed pack assessed them), else the value.
measured as (
    select
        with_previous.*,
        case when catalogue.target_measure = 'rate' then with_previous.rate_per_10k else with_previous.value end
            as target_measure_current,
        case when catalogue.target_measure = 'rate' then with_previous.previous_1y_rate else with_previous.previous_1y end
            as target_measure_last_year
    from with_previous
    left join catalogue
        on catalogue.code = with_previous.indicator_code
)

select
    measured.indicator_code,
    catalogue.display_order,
    catalogue.name,
    measured.month,
    months.month_end,
    measured.value,
    measured.numerator,
    measured.denominator,
    catalogue.unit,
    measured.rate_per_10k,
    catalogue.rate_basis,
    catalogue.target_measure,
    catalogue.target_value,
    catalogue.target_low,
    catalogue.target_high,
    {{ target_text('catalogue.unit', 'catalogue.target_measure', 'catalogue.target_value',
                   'catalogue.target_low', 'catalogue.target_high') }} as target_text,
    {{ rag('measured.target_measure_current', 'catalogue.indicator_guide', 'catalogue.target_value',
           'catalogue.target_low', 'catalogue.target_high', 'catalogue.amber_tolerance') }} as rag,
    measured.previous_1y,
    measured.previous_2y,
    measured.previous_1y_rate,
    {{ direction_of_travel('measured.target_measure_current', 'measured.target_measure_last_year',
                           'catalogue.indicator_guide') }} as direction,
    -- indicators.md "Small numbers": a denominator under the threshold; counts have none
    coalesce(measured.denominator < {{ setting_int('small_numbers_threshold') }}, false) as small_numbers,
    comparators.england_value,
    comparators.england_year,
    comparators.statistical_neighbours_value,
    comparators.statistical_neighbours_year,
    comparators.region_name,
    comparators.region_value,
    comparators.region_year,
    coalesce(comparators.comparators_illustrative, false) as comparators_illustrative,
    catalogue.responsible_officer,
    catalogue.description,
    catalogue.measure,
    catalogue.guide_text,
    catalogue.measure_period,
    catalogue.indicator_guide,
    catalogue.is_illustrative_target,
    -- how far short of the target is amber rather than red (the pack states it)
    catalogue.amber_tolerance,
    catalogue.counted_singular,
    catalogue.counted_plural,
    catalogue.counted_verb,
    catalogue.met_phrase
from measured
left join catalogue
    on catalogue.code = measured.indicator_code
left join months
    on months.month = measured.month
left join comparators
    on comparators.indicator_code = measured.indicator_code
