"""Rendering the pack's single HTML document (the HTML file, and the PDF's source)."""

from __future__ import annotations

import datetime as dt

from jinja2 import Environment, PackageLoader, StrictUndefined
from markupsafe import Markup

from pipelines.pack.commentary import NO_COMMENTARY
from pipelines.pack.context import PackContext
from pipelines.pack.formatting import (
    RAG_NONE,
    RAG_STYLES,
    assurance_icon,
    fmt_count,
    fmt_percent,
    long_date,
    rag_style,
    short_month,
    variation_icon,
)

TEMPLATE = "board_pack.html.j2"
# The SPC icons the legends, the summary and the glossary show.
SPC_LEGEND = {
    "common": variation_icon("Common cause"),
    "improving": variation_icon("Special cause improving", "higher"),
    "concerning": variation_icon("Special cause concerning", "higher"),
    "neither": variation_icon("Special cause neither", "higher"),
    "pass": assurance_icon("Target consistently met"),
    "fail": assurance_icon("Target consistently missed"),
    "hitmiss": assurance_icon("Hit and miss"),
}


def css_string(text: object) -> Markup:
    """A CSS string literal for the running header/footer. Quotes and backslashes are escaped
    for CSS, and '<' as a CSS escape so no text can close the <style> element early."""
    escaped = str(text).replace("\\", "\\\\").replace('"', '\\"').replace("<", "\\3c ")
    escaped = escaped.replace("\n", " ")
    return Markup(f'"{escaped}"')


def _datetime_text(value: dt.datetime) -> str:
    return f"{long_date(value.date())} {value:%H:%M}"


def _w3c_date(value: dt.datetime) -> str:
    """The W3C form of the document's dates (its dcterms meta tags; the PDF's are the same,
    pdf.py)."""
    return f"{value:%Y-%m-%dT%H:%M:%S}Z"


def _month_text(value: object) -> str:
    return short_month(value) if isinstance(value, dt.date) else str(value)


def environment() -> Environment:
    # autoescape=True explicitly: select_autoescape(["html"]) does not match "*.html.j2".
    env = Environment(
        loader=PackageLoader("pipelines.pack", "templates"),
        autoescape=True,
        undefined=StrictUndefined,
        trim_blocks=False,
        lstrip_blocks=False,
        keep_trailing_newline=True,
    )
    env.filters.update(
        css_string=css_string,
        count=fmt_count,
        percent=fmt_percent,
        short_month=_month_text,
        datetime_text=_datetime_text,
        long_date=long_date,
        w3c_date=_w3c_date,
    )
    env.globals.update(
        rag_styles=RAG_STYLES,
        rag_none=RAG_NONE,
        rag_by_word=rag_style,
        no_commentary=NO_COMMENTARY,
        spc_icons=SPC_LEGEND,
    )
    return env


def render_html(ctx: PackContext) -> str:
    return environment().get_template(TEMPLATE).render(ctx=ctx)
