{% macro cin_abuse_category(column) %}
    {#- The CIN census category of abuse code for a category as case systems write it
        (a code already, or its name: "Neglect", "Emotional abuse", ...). -#}
    case
        when upper(trim({{ column }})) in ('NEG', 'PHY', 'EMO', 'SAB', 'MUL')
            then upper(trim({{ column }}))
        when lower({{ column }}) like 'neglect%' then 'NEG'
        when lower({{ column }}) like 'physical%' then 'PHY'
        when lower({{ column }}) like 'emotional%' then 'EMO'
        when lower({{ column }}) like 'sexual%' then 'SAB'
        when lower({{ column }}) like 'multiple%' then 'MUL'
        else upper(trim({{ column }}))
    end
{%- endmacro %}
