"""The month's commentary review: what the comments get wrong, and who still owes one.

When the pack is built, each comment is checked against the figures the pack prints beside it
(commentary_check.py) and the indicators with no comment are listed by responsible officer
(commentary_draft.commentary_due), both on the same rows and series the pack shows. The result
goes three places: the run summary of `boardpack run`, the board_pack asset's metadata (wording
and counts only: no child-level data), and `review.html`, a plain internal page written beside
the pack in the month's folder. The review page is for the performance team: the pack never
links to it and it is not one of the published files.

With BOARDPACK_COMMENTARY_BLOCKS on, a contradiction stops the pack being published
(CommentaryContradictsFiguresError, raised before anything is written).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from pipelines.pack.commentary import Commentary
from pipelines.pack.commentary_check import Contradiction, check_commentary
from pipelines.pack.commentary_draft import CommentaryDue, commentary_due

REVIEW_FILE = "review.html"
TEMPLATE = "review.html.j2"


class CommentaryContradictsFiguresError(ValueError):
    """The month's commentary contradicts its figures and BOARDPACK_COMMENTARY_BLOCKS is on.
    The message is one line per contradiction."""

    def __init__(self, contradictions: list[Contradiction]):
        self.contradictions = contradictions
        super().__init__("\n".join(c.line for c in contradictions))


@dataclass(frozen=True)
class CommentaryReview:
    contradictions: list[Contradiction]
    due: list[CommentaryDue]
    names: dict[str, str]  # indicator code -> name, for the review page

    @property
    def check_lines(self) -> list[str]:
        return [c.line for c in self.contradictions]

    @property
    def due_lines(self) -> list[str]:
        return [d.line for d in self.due]

    @property
    def indicators_due(self) -> int:
        return sum(len(d.codes) for d in self.due)

    def as_record(self) -> dict[str, object]:
        """The lines and counts, as recorded for a pack a later run reuses (pipelines/reuse.py):
        wording and counts only."""
        return {
            "check": self.check_lines,
            "due": self.due_lines,
            "indicators_due": self.indicators_due,
        }


def review_commentary(
    commentary: Commentary,
    rows: Iterable[Mapping[str, object]],
    series: Mapping[str, Iterable[Mapping[str, object]]],
) -> CommentaryReview:
    """The contradictions and the comments due, on the pack's rows (PackContext.rows) and
    series (PackContext.series), in the pack's order."""
    rows = list(rows)
    return CommentaryReview(
        contradictions=check_commentary(commentary.sections, rows, series),
        due=commentary_due(commentary.sections, rows),
        names={str(r["indicator_code"]): str(r.get("name") or "") for r in rows},
    )


def render_review(review: CommentaryReview, ctx) -> str:
    """review.html: plain, self-contained (no scripts, no external files), accessible."""
    from pipelines.pack.html import environment

    return environment().get_template(TEMPLATE).render(review=review, ctx=ctx)
