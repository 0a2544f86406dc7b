{#-
  extract_tables_upstream_of(unique_id): the names of the extract tables (source `ssd`) a node is
  computed from, following dbt's graph of refs and sources upwards; for use when the project runs
  (the graph is empty while dbt parses). reporting_month is not followed: it reads the contacts
  only to choose the month when none is given, not to count anything.
-#}
{% macro extract_tables_upstream_of(unique_id, found=none, visited=none) -%}
{%- set found = [] if found is none else found -%}
{%- set visited = [] if visited is none else visited -%}
{%- if unique_id not in visited -%}
{%- do visited.append(unique_id) -%}
{%- if unique_id in graph.sources -%}
{%- set source_node = graph.sources[unique_id] -%}
{%- if source_node.source_name == 'ssd' and source_node.name not in found -%}
{%- do found.append(source_node.name) -%}
{%- endif -%}
{%- elif unique_id in graph.nodes and graph.nodes[unique_id].name != 'reporting_month' -%}
{%- for parent in graph.nodes[unique_id].depends_on.nodes -%}
{%- do extract_tables_upstream_of(parent, found, visited) -%}
{%- endfor -%}
{%- endif -%}
{%- endif -%}
{{- return(found) -}}
{%- endmacro %}
