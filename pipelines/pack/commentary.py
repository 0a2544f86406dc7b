"""The performance team's comments: one markdown file per month, one section per indicator.

Format (see commentary/README.md): `commentary/<YYYY-MM>.md`; each section starts with a level-2
heading whose first word is the indicator code (`## rcpc_timely`, or
`## rcpc_timely - Review CP conferences`; anything after the code is for the writer). Text
before the first such heading is ignored (a title or notes to colleagues). The special section
`## data_quality` is shown in the data quality and cleansing section.

Markdown is rendered with raw HTML, links and images switched off: the pack must stay
self-contained and must not run or fetch anything a comment contains, so such text is shown
literally.

The file is read as UTF-8 (with or without a byte order mark); a file saved by an older editor
as Windows-1252 is read as that. Anything else (UTF-16, a mix of the two, bytes that are
neither) is refused with the file named, rather than printed garbled in the pack.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass, field
from pathlib import Path

import markdown
from markupsafe import Markup

log = logging.getLogger(__name__)


class CommentaryError(ValueError):
    """The month's commentary file cannot be read as text; the message names the file."""


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
    return Commentary(source=path, sections=parse_sections(read_commentary(path)))


def read_commentary(path: Path) -> str:
    """The file's text: UTF-8, else Windows-1252; raises CommentaryError naming the file."""
    data = path.read_bytes()
    expected = "expected UTF-8 (or Windows-1252) text; save it as UTF-8"
    if data.startswith((b"\xff\xfe", b"\xfe\xff")) or b"\x00" in data:
        raise CommentaryError(f"{path}: cannot be read: it is not UTF-8 text (UTF-16?); {expected}")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        bad = error.start
    # Windows-1252 only if no part of the file is UTF-8: a mix would garble one of them
    lenient = data.decode("utf-8", errors="replace").replace("\ufffd", "")
    if not lenient.isascii():
        raise CommentaryError(
            f"{path}: cannot be read: it mixes UTF-8 with another encoding (byte 0x{data[bad]:02X}"
            f" at offset {bad} is not UTF-8); {expected}"
        )
    try:
        text = data.decode("cp1252")
    except UnicodeDecodeError as error:
        raise CommentaryError(
            f"{path}: cannot be read: byte 0x{data[error.start]:02X} at offset {error.start} is "
            f"neither UTF-8 nor Windows-1252; {expected}"
        ) from None
    log.warning("commentary %s is not UTF-8: read as Windows-1252", path)
    return text


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
