"""The performance team's comments: one markdown file per month, one section per indicator.

Format (see commentary/README.md): `commentary/<YYYY-MM>.md`; each section starts with a level-2
heading whose first word is the indicator code (`## rcpc_timely`, or
`## rcpc_timely - Review CP conferences`; anything after the code is for the writer). Text
before the first such heading is ignored (a title or notes to colleagues). The special section
`## data_quality` is shown in the data quality and cleansing section.

Markdown is rendered with raw HTML, links and images switched off: the pack must stay
self-contained and must not run or fetch anything a comment contains, so such text is shown
literally.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass, field
from pathlib import Path

import markdown
from markupsafe import Markup

log = logging.getLogger(__name__)

NO_COMMENTARY = "No commentary provided"
DATA_QUALITY_SECTION = "data_quality"

_HEADING = re.compile(r"^##(?!#)\s*(\S+)")

# Inline patterns and block processors that would let a comment pull in or link to something
# outside the file, or inject markup.
_DISABLED_INLINE = (
    "html",
    "link",
    "image_link",
    "image_reference",
    "reference",
    "short_reference",
    "short_image_ref",
    "autolink",
    "automail",
)
_DISABLED_BLOCK = ("html_block",)


@dataclass
class Commentary:
    source: Path | None
    sections: dict[str, str] = field(default_factory=dict)  # code -> markdown text

    def html_for(self, code: str) -> Markup | None:
        text = self.sections.get(code.lower(), "").strip()
        return render_markdown(text) if text else None

    def codes(self) -> set[str]:
        return set(self.sections)


def commentary_path(commentary_dir: Path, month: str) -> Path:
    return Path(commentary_dir) / f"{month}.md"


def load_commentary(commentary_dir: Path, month: str) -> Commentary:
    """The month's comments; an absent file gives no comments (every page then says so)."""
    path = commentary_path(commentary_dir, month)
    if not path.is_file():
        log.warning("no commentary file %s: every indicator shows '%s'", path, NO_COMMENTARY)
        return Commentary(source=None)
    return Commentary(source=path, sections=parse_sections(path.read_text(encoding="utf-8-sig")))


def parse_sections(text: str) -> dict[str, str]:
    """Split the file at `## <code>` headings; codes are matched case-insensitively.
    A code given twice keeps both texts, in file order (two people editing the same file)."""
    sections: dict[str, list[str]] = {}
    current: str | None = None
    in_fence = False
    for line in text.splitlines():
        if line.lstrip().startswith("```"):
            in_fence = not in_fence
        match = None if in_fence else _HEADING.match(line)
        if match:
            current = match.group(1).strip().lower()
            if current in sections:
                log.warning("commentary section '%s' appears twice; both are shown", current)
                sections[current].append("")
            else:
                sections[current] = []
            continue
        if current is not None:
            sections[current].append(line)
    return {code: "\n".join(lines).strip() for code, lines in sections.items()}


def render_markdown(text: str) -> Markup:
    md = markdown.Markdown(extensions=["sane_lists", "tables"], output_format="html")
    for name in _DISABLED_INLINE:
        if name in md.inlinePatterns:
            md.inlinePatterns.deregister(name)
    for name in _DISABLED_BLOCK:
        if name in md.preprocessors:
            md.preprocessors.deregister(name)
        if name in md.parser.blockprocessors:
            md.parser.blockprocessors.deregister(name)
    # With the raw-HTML handlers gone, markdown would still pass '<' through as-is in places;
    # escaping it first makes any markup in a comment print as the characters typed ('&lt;' is
    # kept as an entity; '>' stays so that '> quoted text' still works).
    return Markup(md.convert(text.replace("<", "&lt;")))
