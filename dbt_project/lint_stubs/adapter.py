"""sqlfluff's stand-in for dbt's adapter.dispatch: the default__ (DuckDB) spelling of each of
the project's dispatched macros (macros/cross_engine.sql, macros/spark_sources.sql)."""

_DEFAULTS = {
    "int_div": lambda numerator, denominator: f"(({numerator}) // ({denominator}))",
    "wide_integer_type": lambda: "hugeint",
    "iso_weekday": lambda date_expr: f"isodow({date_expr})",
    "month_series": lambda first_month, last_month, from_clause: (
        f"select cast(month_start as date) as month from {from_clause}, generate_series("
        f"cast({first_month} as timestamp), cast({last_month} as timestamp), interval 1 month)"
        " as spine (month_start)"
    ),
    "register_raw_parquet_tables": lambda tables: "",
}


def dispatch(macro_name, macro_namespace=None):
    return _DEFAULTS[macro_name]
