"""sqlfluff's stand-in for dbt's cross-database macros: DuckDB's spelling (dbt-duckdb's)."""


def dateadd(datepart, interval, from_date_or_timestamp):
    return f"({from_date_or_timestamp} + cast({interval} as bigint) * interval 1 {datepart})"


def datediff(first_date, second_date, datepart):
    return f"(date_diff('{datepart}', {first_date}::timestamp, {second_date}::timestamp))"


def date_trunc(datepart, date):
    return f"date_trunc('{datepart}', {date})"


def last_day(date, datepart):
    month_start = f"date_trunc('{datepart}', {date})"
    return f"cast({month_start} + interval 1 {datepart} - interval 1 day as date)"


def type_string():
    return "varchar"
