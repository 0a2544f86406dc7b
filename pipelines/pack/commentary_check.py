"""Does each comment agree with the figures beside it?

Officers write the commentary before, or without, seeing the final figures, so a comment can say
"assessed as red" beside a green figure, or "a significant reduction" beside a rise. This reads
each comment for the few kinds of claim a board member would check against the page, and
compares them with the figures:

- rating:      "assessed as red / amber / green"
- target:      "the target has been met", "has not met the target", "above the target band"
- comparators: "above / higher than / below the England average, statistical neighbours, region"
- direction:   "increase / reduction / rise / fall / dip ...", and "improved / worsened" read
               through the indicator's polarity; over the period the comment names ("over the
               past five months", "since April 2014", "in August", "since last year"), or by
               default against the same month last year, as the page's direction of travel
- timeliness:  cases "out of timescale" beside a figure where every case was in timescale.

It is deliberately conservative: a false alarm teaches people to ignore the check. A claim is
only compared when its reading is clear; it is skipped when negated ("did not drop"), hedged or
about the future ("will", "may", "likely", "to reduce"), about the past ("last year we were
within target"), about another measure ("the rise in the referral rate" under another
indicator), over a period the check cannot pin down ("in May and June", "month on month"),
when one sentence points both ways, or when the figure to compare with is missing. Equal
figures never contradict.

Pure: text and mart rows in, contradictions out. `check_commentary(sections, rows, series)`;
each Contradiction's `line` is `Commentary check: <code>: <what the text says> but <what the
figures say>`.
"""

from __future__ import annotations

import calendar
import datetime as dt
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from pipelines.pack.formatting import (
    add_months,
    as_float,
    fmt_by_kind,
    fmt_target_text,
    short_month,
)

PREFIX = "Commentary check: "


@dataclass(frozen=True)
class Contradiction:
    code: str
    says: str  # what the text says, with the words quoted
    figures: str  # what the figures say

    @property
    def line(self) -> str:
        return f"{PREFIX}{self.code}: {self.says} but {self.figures}"


# --- reading the text ---------------------------------------------------------------------

_MONTHS = {name.lower(): i for i, name in enumerate(calendar.month_name) if name}
_MONTH_NAMES = "|".join(_MONTHS)
_NUMBERS = {
    "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8,
    "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "eighteen": 18, "couple of": 2,
}  # fmt: skip

_NEGATION = re.compile(
    r"\b(not|no|never|nor|none|neither|without|n't|no longer|rather than)\b", re.IGNORECASE
)
# Future, conditional, aspiration or speculation: the clause is not a statement about the figure.
_HEDGE = re.compile(
    r"\b(will|would|may|might|could|should|can|expect(?:ed|s)?|likely|unlikely|aim(?:s|ed)?|"
    r"goal|plan(?:s|ned)?|if|hope(?:s|d)?|intend(?:s|ed)?|forecast|predict(?:ed)?|project(?:ed)?|"
    r"appears?|seems?|possibly|perhaps)\b",
    re.IGNORECASE,
)
_PAST = re.compile(
    r"\b(last year|previous(?:ly)?|was|were|used to|same (?:point|month|time)|earlier|before)\b",
    re.IGNORECASE,
)
# Words that end the scope of a claim: what follows is its reason or another statement.
_SCOPE_BREAK = re.compile(
    r"\b(as|because|due|since|following|after|when|while|given)\b", re.IGNORECASE
)

# Subjects of other indicators: a sentence about one of these, under an indicator it does not
# belong to, is about another measure ("the rise in the referral rate" under referrals_to_ia's
# neighbour ia_timely). Matched on the indicator code.
_SUBJECTS = {
    r"\bcontacts?\b": ("contacts",),
    r"\breferrals?\b|\bre-referrals?\b": ("referrals", "referrals_to_ia", "rereferrals_12m"),
    r"\binitial assessments?\b": (
        "ia_completed", "ia_timely", "referrals_to_ia", "caf_stepdown_ia",
    ),
    r"\bcore assessments?\b": ("ca_completed", "ca_timely", "ca_over_61", "caf_stepdown_ca"),
    r"\bsingle assessments?\b": ("assessments_timely_45",),
    r"\bstrategy (?:discussions?|meetings?)\b|\bsection 47\b|\bs47\b": ("s47_started",),
    r"\bconferences?\b": ("icpc_timely", "rcpc_timely"),
    r"\bvisits?\b": ("cp_visits_timely",),
    r"\bplacements?\b": ("cla_stability_long", "cla_stability_short"),
    r"\bcafs?\b|\bstep ?downs?\b|\bearly help\b": ("caf_stepdown_ia", "caf_stepdown_ca"),
    r"\blooked after\b": ("cla_children", "cla_stability_long", "cla_stability_short",
                         "cla_reviews_timely"),
}  # fmt: skip

_UP = r"increase[sd]?|increasing|rise|rises|rose|risen|rising|grew|grown|growth|upward"
_DOWN = (
    r"reductions?|reduced?|reduces|reducing|decrease[sd]?|decreasing|falls?|fell|fallen|falling|"
    r"drops?|dropped|dropping|dips?|dipped|declines?|declined|declining|downward"
)
_GOOD = r"improved|improvements?|improving|improves?|better"
_BAD = r"worsened|worsening|worse|deteriorated|deteriorating|deterioration"
_DIRECTION = re.compile(
    rf"\b(?:(?P<up>{_UP})|(?P<down>{_DOWN})|(?P<good>{_GOOD})|(?P<bad>{_BAD})|"
    r"(?P<than_up>higher|more|greater) than (?:at the same (?:point|month|time) )?last year|"
    r"(?P<than_down>lower|less|fewer) than (?:at the same (?:point|month|time) )?last year)\b",
    re.IGNORECASE,
)
_PERFORMANCE_SUBJECT = re.compile(
    r"\b(performance|this indicator|the indicator|the figure|compliance|timeliness|position)\b",
    re.IGNORECASE,
)
_EMPHASIS = r"(?:particularly|especially|notably|mainly|most of all)"
_PERIOD_MONTHS = re.compile(
    rf"(?P<emph>{_EMPHASIS}\s+)?\b(?:over|in|during|across|for) the (?:past|last) "
    r"(?P<n>\d+|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|eighteen|"
    r"couple of|few|several)?\s*(?P<unit>months?|year|12 months)\b",
    re.IGNORECASE,
)
_PERIOD_LAST_YEAR = re.compile(
    r"\b(?:since|than|on|compared (?:with|to)|from) (?:(?:at )?the same (?:point|month|time) )?"
    r"last year\b|\byear on year\b|\bover the year\b",
    re.IGNORECASE,
)
_PERIOD_SINCE = re.compile(
    rf"(?P<emph>{_EMPHASIS}\s+)?\bsince (?P<month>{_MONTH_NAMES})(?: (?P<year>\d{{4}}))?\b",
    re.IGNORECASE,
)
_PERIOD_IN = re.compile(
    rf"\b(?:in|during) (?P<month>{_MONTH_NAMES})(?: (?P<year>\d{{4}}))?\b", re.IGNORECASE
)
_UNCLEAR_PERIOD = re.compile(
    rf"\b(?:{_MONTH_NAMES}|month on month|summer|winter|spring|autumn|quarter|weeks?|"
    r"recent(?:ly)?|lately)\b",
    re.IGNORECASE,
)

_RATING = re.compile(
    r"\b(?:(?P<before>assessed|rated|rating|rag|remains|is|now|currently|shown|flagged|turned|"
    r"moved|to)\s+(?:as\s+|at\s+|to\s+)?)(?P<colour>red|amber|green)\b",
    re.IGNORECASE,
)
_TARGET_MET = re.compile(
    r"\b(?P<verb>met|meets?|meeting|achieved|achieves|achieving|within|on|exceeded|exceeds|"
    r"exceeding|hit|hitting)\s+(?:the |our |its |their )?(?:\w+ )?target\b|"
    r"\btarget (?:has been|have been|was|is|is being|were|had been) (?P<passive>met|achieved|"
    r"exceeded|hit)\b",
    re.IGNORECASE,
)
_TARGET_MISSED = re.compile(
    r"\b(?:missed|misses|miss|missing|failed to meet|fails to meet|failing to meet|short of|"
    r"outside)\s+(?:the |our |its |their )?(?:\w+ )?target\b",
    re.IGNORECASE,
)
_TARGET_SIDE = re.compile(
    r"\b(?P<side>above|below|over|under)\s+(?:the |our |its )?target(?: band)?\b", re.IGNORECASE
)
_COMPARISON = re.compile(
    r"\b(?:(?P<above>above|higher than|more than|greater than|exceeds|exceeding|over)|"
    r"(?P<below>below|lower than|less than|fewer than|under|beneath))\s+",
    re.IGNORECASE,
)
_COMPARATOR_WORDS = {
    "england": "england",
    "national": "england",
    "statistical neighbours": "statistical_neighbours",
    "statistical neighbour": "statistical_neighbours",
    "similar authorities": "statistical_neighbours",
    "regional": "region",
    "region": "region",
}
_FILLER = {"the", "our", "that", "those", "of", "and", "both", "average", "averages", "figure",
           "figures", "rate", "rates", "'s", "its", "their", "for", "all"}  # fmt: skip
_OUT_OF_TIMESCALE = re.compile(
    r"\b(?:out of|outside(?: of)?|not in|not within) timescales?\b", re.IGNORECASE
)

_COMPARATOR_LABELS = {
    "england": "England",
    "statistical_neighbours": "statistical neighbours",
    "region": "the region",
}


def plain_text(markdown_text: str) -> str:
    """Markdown reduced to its words: emphasis, list markers, headings and table pipes
    removed, whitespace collapsed."""
    text = re.sub(r"[*_`#>|]", " ", markdown_text)
    text = re.sub(r"^\s*(?:[-+]|\d+[.)])\s+", " ", text, flags=re.MULTILINE)
    text = text.replace("\u2019", "'")
    return re.sub(r"\s+", " ", text).strip()


def sentences(text: str) -> list[str]:
    """Sentences, each split into clauses at ';' and at 'but', 'however', 'while', 'whereas',
    'although' (each side of those is a separate statement)."""
    out = []
    for sentence in re.split(r"(?<=[.!?])\s+(?=[A-Za-z0-9\[(\"'])", text):
        clauses = re.split(
            r";|,?\s+\b(?:but|however|while|whereas|although|though|yet)\b,?\s+", sentence
        )
        out.append([c.strip(" .!?") for c in clauses if c.strip(" .!?")])
    return out


def _words_before(clause: str, position: int, count: int) -> str:
    return " ".join(clause[:position].split()[-count:])


def _negated(clause: str, position: int, window: int = 3) -> bool:
    return bool(_NEGATION.search(_words_before(clause, position, window)))


def _scope(clause: str, start: int, end: int, before: int = 6, after: int = 6) -> str:
    """The words around a claim up to a reason connector either side ("... as we were ...")."""
    head = clause[:start].split()[-before:]
    for i in range(len(head) - 1, -1, -1):
        if _SCOPE_BREAK.fullmatch(head[i]):
            head = head[i + 1 :]
            break
    tail = clause[end:].split()[:after]
    for i, word in enumerate(tail):
        if _SCOPE_BREAK.fullmatch(word.strip(",")):
            tail = tail[:i]
            break
    return " ".join([*head, clause[start:end], *tail])


def _quote(clause: str, start: int, end: int, before: int = 2) -> str:
    words = clause[:start].split()[-before:] if before else []
    return '"' + " ".join([*words, clause[start:end]]).strip() + '"'


def _about_other_indicator(clause: str, code: str) -> bool:
    return any(
        re.search(pattern, clause, re.IGNORECASE) and code not in codes
        for pattern, codes in _SUBJECTS.items()
    )


# --- the figures --------------------------------------------------------------------------


@dataclass(frozen=True)
class Figures:
    """One indicator's figures for the month, with its series for period comparisons."""

    code: str
    row: Mapping[str, object]
    by_month: Mapping[dt.date, Mapping[str, object]]

    @property
    def month(self) -> dt.date:
        return _as_date(self.row["month"])

    @property
    def guide(self) -> str:
        return str(self.row.get("indicator_guide") or "neither")

    @property
    def unit_kind(self) -> str:
        return "percent" if self.row.get("unit") == "percent" else "count"

    @property
    def measure_is_rate(self) -> bool:
        return (
            self.row.get("target_measure") == "rate"
            and (self.row.get("rate_basis") or "none") != "none"
        )

    @property
    def measure_kind(self) -> str:
        return "rate" if self.measure_is_rate else self.unit_kind

    def measure(self, row: Mapping[str, object] | None = None) -> float | None:
        """The figure the target and comparators are read on (the rate where they are)."""
        row = self.row if row is None else row
        return as_float(row.get("rate_per_10k" if self.measure_is_rate else "value"))

    def fmt(self, value: float | None, kind: str | None = None) -> str:
        return fmt_by_kind(value, kind or self.measure_kind)


def _as_date(value: object) -> dt.date:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    return dt.date.fromisoformat(str(value)[:10])


# --- the claims ---------------------------------------------------------------------------


def _rating_claims(code: str, clause: str, fig: Figures) -> Iterable[Contradiction]:
    rag = str(fig.row.get("rag") or "N/A")
    for match in _RATING.finditer(clause):
        start, end = match.span()
        if _negated(clause, start) or _PAST.search(_scope(clause, start, end)):
            continue
        if re.search(r"\bfrom\s*$", clause[: match.start("colour")]):
            continue  # "moved from red to amber": the claim is the colour after "to"
        colour = match.group("colour").title()
        if rag == "N/A" or colour == rag:
            continue  # no rating to contradict (no target), or it agrees
        target = fmt_target_text(fig.row.get("target_text") or "none")
        yield Contradiction(
            code,
            f"the comment says {_quote(clause, start, end, 0)}",
            f"the figures rate it {rag} ({fig.fmt(fig.measure())} against a target of {target})",
        )


def _target_claims(code: str, clause: str, fig: Figures) -> Iterable[Contradiction]:
    rag = str(fig.row.get("rag") or "N/A")
    if rag == "N/A":
        return  # no target to meet or miss
    value = fig.measure()
    target = fmt_target_text(fig.row.get("target_text") or "")
    claims = []
    for match in _TARGET_MET.finditer(clause):
        negated = _negated(clause, match.start()) or bool(
            re.search(r"\bnot\b", clause[match.start() : match.end()])
        )
        claims.append((match, "missed" if negated else "met"))
    for match in _TARGET_MISSED.finditer(clause):
        if not _negated(clause, match.start()):
            claims.append((match, "missed"))
    for match, claim in claims:
        start, end = match.span()
        if _HEDGE.search(clause) or _PAST.search(_scope(clause, start, end)):
            continue
        if claim == "met" and rag in ("Amber", "Red"):
            figures = f"the figure misses it ({fig.fmt(value)} against {target}; rated {rag})"
        elif claim == "missed" and rag == "Green":
            figures = f"the figure meets it ({fig.fmt(value)} against {target}; rated Green)"
        else:
            continue
        yield Contradiction(code, f"the comment says {_quote(clause, start, end)}", figures)
    yield from _target_side_claims(code, clause, fig)


def _target_side_claims(code: str, clause: str, fig: Figures) -> Iterable[Contradiction]:
    value = fig.measure()
    low, high = as_float(fig.row.get("target_low")), as_float(fig.row.get("target_high"))
    single = as_float(fig.row.get("target_value"))
    if value is None:
        return
    for match in _TARGET_SIDE.finditer(clause):
        start, end = match.span()
        if _negated(clause, start) or _HEDGE.search(clause):
            continue
        above = match.group("side") in ("above", "over")
        if low is not None and high is not None:
            wrong = value <= high if above else value >= low
            where = f"{fig.fmt(low)} to {fig.fmt(high)}"
        elif single is not None:
            wrong = value < single if above else value > single
            where = fig.fmt(single)
        else:
            continue
        if wrong:
            side = "above" if above else "below"
            yield Contradiction(
                code,
                f"the comment says {_quote(clause, start, end)}",
                f"{fig.fmt(value)} is not {side} the target ({where})",
            )


def _comparator_claims(code: str, clause: str, fig: Figures) -> Iterable[Contradiction]:
    value = fig.measure()
    if value is None or _HEDGE.search(clause):
        return
    region_name = str(fig.row.get("region_name") or "").strip().lower()
    words = dict(_COMPARATOR_WORDS)
    if region_name:
        words[region_name] = "region"
    for match in _COMPARISON.finditer(clause):
        if _negated(clause, match.start()):
            continue
        above = match.group("above") is not None
        found = _comparators_after(clause[match.end() :], words)
        for comparator, phrase_end in found:
            compared = as_float(fig.row.get(f"{comparator}_value"))
            if compared is None:
                continue
            if (above and value < compared) or (not above and value > compared):
                side = "below" if above else "above"
                says = _quote(clause, match.start(), match.end() + phrase_end, 0)
                yield Contradiction(
                    code,
                    f"the comment says {says}",
                    f"{fig.fmt(value)} is {side} {_COMPARATOR_LABELS[comparator]} "
                    f"({fig.fmt(compared)})",
                )


def _comparators_after(text: str, words: Mapping[str, str]) -> list[tuple[str, int]]:
    """Comparators named straight after a comparison ("the England average and statistical
    neighbours"), with where each mention ends; stops at the first other word."""
    found: list[tuple[str, int]] = []
    position = 0
    while position < len(text):
        rest = text[position:]
        space = len(rest) - len(rest.lstrip(" ,"))
        rest = rest[space:].lower()
        position += space
        hit = next((w for w in sorted(words, key=len, reverse=True) if rest.startswith(w)), None)
        if hit and (len(rest) == len(hit) or not rest[len(hit)].isalnum()):
            position += len(hit)
            tail = re.match(r"(?:'s)?(?:\s+(?:average|averages|figure|rate))?\b", text[position:])
            position += tail.end() if tail else 0
            if words[hit] not in [c for c, _ in found]:
                found.append((words[hit], position))
            continue
        token = re.match(r"[a-z']+", rest)
        if token and token.group(0) in _FILLER:
            position += token.end()
            continue
        break
    return found


@dataclass(frozen=True)
class _Movement:
    sign: int  # +1 the figure went up, -1 down
    start: int
    end: int


def _movements(clause: str, fig: Figures) -> list[_Movement]:
    """Claimed movements of the figure in a clause, read through the polarity for
    performance words; [] where the clause is hedged, negated or about something else."""
    if _HEDGE.search(clause) or _about_other_indicator(clause, fig.code):
        return []
    out = []
    for match in _DIRECTION.finditer(clause):
        start, end = match.span()
        if _negated(clause, start) or re.search(r"\bto\s*$", clause[:start]):
            continue  # "did not drop"; "to reduce" is an aim, not a movement
        kind = match.lastgroup
        performance = kind in ("good", "bad")
        if kind in ("up", "down") and (
            re.match(r"\s+in (?:our |the )?performance\b", clause[end:])
            or re.search(r"\bperformance\s+(?:has |have )?(?:been )?$", clause[:start])
        ):
            performance, kind = True, "good" if kind == "up" else "bad"
        if performance:
            if fig.guide not in ("higher", "lower") or not _PERFORMANCE_SUBJECT.search(clause):
                continue  # "recording has improved": not a claim about the figure
            better = kind == "good"
            sign = 1 if better == (fig.guide == "higher") else -1
        else:
            sign = 1 if kind in ("up", "than_up") else -1
        out.append(_Movement(sign, start, end))
    return out


def _period_start(clause: str, fig: Figures) -> dt.date | None:
    """The month the claimed movement is measured from, or None when the clause names a period
    the check cannot pin down. No period: the same month last year (the page's direction)."""
    month = fig.month
    if _PERIOD_LAST_YEAR.search(clause) and not _UNCLEAR_PERIOD.search(clause):
        return add_months(month, -12)
    match = _PERIOD_MONTHS.search(clause)
    if match and not match.group("emph"):
        if match.group("unit") in ("year", "12 months"):
            return add_months(month, -12)
        n = match.group("n") or "one"
        count = int(n) if n.isdigit() else _NUMBERS.get(n)
        return add_months(month, -count) if count else None
    rest = clause
    if match:
        rest = clause[: match.start()] + clause[match.end() :]
    since = _PERIOD_SINCE.search(rest)
    if since and not since.group("emph"):
        start = _named_month(since.group("month"), since.group("year"), month)
        return start if start and start < month else None
    if since:
        rest = rest[: since.start()] + rest[since.end() :]
    during = _PERIOD_IN.search(rest)
    if during:
        named = _named_month(during.group("month"), during.group("year"), month)
        rest = rest[: during.start()] + rest[during.end() :]
        if named != month or _UNCLEAR_PERIOD.search(rest):
            return None
        return add_months(month, -1)  # "the dip in August": against the month before
    if _UNCLEAR_PERIOD.search(rest):
        return None
    return add_months(month, -12)


def _named_month(name: str, year: str | None, reporting: dt.date) -> dt.date | None:
    number = _MONTHS[name.lower()]
    if year:
        return dt.date(int(year), number, 1)
    candidate = dt.date(reporting.year, number, 1)
    return candidate if candidate <= reporting else dt.date(reporting.year - 1, number, 1)


def _direction_claims(code: str, sentence: list[str], fig: Figures) -> Iterable[Contradiction]:
    claims = [(clause, m) for clause in sentence for m in _movements(clause, fig)]
    if len({m.sign for _, m in claims}) != 1:
        return  # none, or a sentence pointing both ways: too ambiguous to check
    seen = set()
    for clause, movement in claims:
        start = _period_start(clause, fig)
        if start is None or start in seen:
            continue
        seen.add(start)
        use_rate = bool(re.search(r"\brate\b|per 10,000", clause)) and fig.measure_is_rate
        column, kind = ("rate_per_10k", "rate") if use_rate else ("value", fig.unit_kind)
        before_row = fig.by_month.get(start)
        now, before = as_float(fig.row.get(column)), as_float((before_row or {}).get(column))
        if now is None or before is None or now == before:
            continue
        if (now > before) == (movement.sign > 0):
            continue
        moved = "rose" if now > before else "fell"
        yield Contradiction(
            code,
            f"the comment says {_quote(clause, movement.start, movement.end)}",
            f"the figure {moved} from {fmt_by_kind(before, kind)} in {short_month(start)} "
            f"to {fmt_by_kind(now, kind)} in {short_month(fig.month)}",
        )


def _timeliness_claims(code: str, clause: str, fig: Figures) -> Iterable[Contradiction]:
    numerator, denominator = (
        as_float(fig.row.get("numerator")),
        as_float(fig.row.get("denominator")),
    )
    if fig.unit_kind != "percent" or fig.guide != "higher" or not denominator:
        return
    if numerator != denominator:
        return
    for match in _OUT_OF_TIMESCALE.finditer(clause):
        start, end = match.span()
        if _negated(clause, start, 4) or _PAST.search(_scope(clause, start, end)):
            continue
        yield Contradiction(
            code,
            f"the comment explains cases {_quote(clause, start, end, 1)}",
            f"every one was in timescale ({fmt_by_kind(fig.row.get('value'), 'percent')}, "
            f"{numerator:,.0f} of {denominator:,.0f})",
        )
        return


def check_comment(code: str, text: str, fig: Figures) -> list[Contradiction]:
    """The contradictions between one indicator's comment and its figures (each claim once)."""
    found: list[Contradiction] = []
    for sentence in sentences(plain_text(text)):
        for clause in sentence:
            found += _rating_claims(code, clause, fig)
            found += _target_claims(code, clause, fig)
            found += _comparator_claims(code, clause, fig)
            found += _timeliness_claims(code, clause, fig)
        found += _direction_claims(code, sentence, fig)
    unique: dict[str, Contradiction] = {}
    for item in found:
        unique.setdefault(item.line, item)
    return list(unique.values())


def figures_for(
    row: Mapping[str, object], series: Iterable[Mapping[str, object]] | None = None
) -> Figures:
    by_month = {_as_date(r["month"]): r for r in (series or [])}
    return Figures(str(row["indicator_code"]), row, by_month)


def check_commentary(
    sections: Mapping[str, str],
    rows: Iterable[Mapping[str, object]],
    series: Mapping[str, Iterable[Mapping[str, object]]] | None = None,
) -> list[Contradiction]:
    """Every contradiction in the month's comments, in the pack's order.

    sections: indicator code -> markdown text (Commentary.sections); rows: the month's rows of
    marts.pack_indicators (PackContext.rows); series: code -> that indicator's monthly rows
    up to the month (PackContext.series), for claims over a period ("since April")."""
    series = series or {}
    out: list[Contradiction] = []
    for row in rows:
        code = str(row["indicator_code"])
        text = sections.get(code.lower(), "")
        if text.strip():
            out += check_comment(code, text, figures_for(row, series.get(code)))
    return out
