{#- Generic data tests for the reference seeds and marts (dbt-core has no built-in equivalents). -#}

{#- Fails on each row where the boolean SQL expression is false or NULL. -#}
{% test row_satisfies(model, expression, column_name=none) %}
    select *
    from {{ model }}
    where not coalesce({{ expression }}, false)
{% endtest %}

{#- Fails on each combination of the columns that occurs more than once. -#}
{% test unique_combination(model, columns) %}
    select {{ columns | join(', ') }}, count(*) as occurrences
    from {{ model }}
    group by {{ columns | join(', ') }}
    having count(*) > 1
{% endtest %}
