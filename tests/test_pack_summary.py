"""The summary page's working (pipelines/pack/summary.py) on hand-made indicators: counts, what
changed since last month, exceptions and key messages, each worked out by hand."""

from __future__ import annotations

from pipelines.pack import summary
from pipelines.pack.summary import Status

COMMON = "Common cause"
CONCERNING = "Special cause concerning"
IMPROVING = "Special cause improving"


def status(code: str, rag: str, before: str | None = None, **fields) -> Status:
    values = {
        "name": code.replace("_", " ").title(),
        "anchor": f"ind-{code}",
        "figure": "50.0%",
        "target": "60.0%",
        "previous_rag": before,
        "variation": COMMON,
        "previous_variation": COMMON if before else None,
        "assurance": "Hit and miss",
    } | fields
    return Status(code=code, rag=rag, **values)


BOARD = [
    status("visits", "Red", "Red", figure="71.9%", target="85.0%"),
    status(
        "reviews",
        "Red",
        "Green",
        figure="82.9%",
        target="95.0%",
        variation=CONCERNING,
        signals="below the lower limit",
    ),  # fmt: skip
    status(
        "plans",
        "Green",
        "Amber",
        figure="54.9 per 10,000",
        target="55.4 per 10,000",
        variation=IMPROVING,
        previous_variation=IMPROVING,
    ),  # fmt: skip
    status(
        "repeat",
        "Amber",
        "Amber",
        figure="16.0%",
        target="15.0%",
        assurance="Target consistently missed",
    ),  # fmt: skip
    status(
        "contacts",
        "N/A",
        "N/A",
        figure="567",
        target="N/A",
        variation="Not enough data",
        assurance="No target",
    ),  # fmt: skip
]


def test_counts():
    assert summary.rag_counts(BOARD) == {"Red": 2, "Amber": 1, "Green": 1, "N/A": 1}
    assert summary.variation_counts(BOARD) == {
        "Special cause concerning": 1,
        "Special cause improving": 1,
        "Special cause neither": 0,
        "Common cause": 2,
        "Not enough data": 1,
    }


def test_what_changed_since_last_month():
    change = summary.changes(BOARD)
    assert change.compared
    assert [s.code for s in change.new_reds] == ["reviews"]  # visits was red already
    assert [(m.status.code, m.before, m.after) for m in change.moved] == [
        ("reviews", "Green", "Red"),
        ("plans", "Amber", "Green"),
    ]
    # plans was special cause last month too: not a signal that appeared
    assert [s.code for s in change.new_signals] == ["reviews"]


def test_no_previous_month_means_nothing_to_compare():
    first_month = [status("visits", "Red"), status("reviews", "Green")]
    change = summary.changes(first_month)
    assert not change.compared and change.moved == [] and change.new_reds == []


def test_exceptions_reds_first_with_their_reasons():
    found = summary.exceptions(BOARD)
    assert [(e.status.code, e.reasons) for e in found] == [
        (
            "reviews",
            [
                "rated red (82.9% against a target of 95.0%)",
                "special cause concerning: below the lower limit",
            ],
        ),
        ("visits", ["rated red (71.9% against a target of 85.0%)"]),
        ("repeat", ["target consistently missed at the current level of performance"]),
    ]


def test_key_messages_name_the_indicators_and_figures_they_state():
    messages = summary.key_messages(BOARD)
    assert [m.text for m in messages] == [
        "2 of the 4 indicators with a target are rated red, 1 amber and 1 green; 1 has no target.",
        "New red this month: Reviews (82.9%), against a target of 95.0%.",
        "1 indicator shows special cause concerning variation, a change beyond the usual "
        "month-to-month variation: Reviews (82.9%).",
        "Rating improved since last month: Plans (54.9 per 10,000), now green.",
        "1 indicator shows special cause improving variation: Plans (54.9 per 10,000).",
    ]  # at most five: the consistently missed target is on the scorecard and exceptions
    assert [[s.code for s in m.sources] for m in messages] == [
        ["visits", "reviews"],
        ["reviews"],
        ["reviews"],
        ["plans"],
        ["plans"],
    ]
    # every indicator a message rests on is named in it with the figure it states
    for message in messages[1:]:
        for source in message.sources:
            assert f"{source.name} ({source.figure})" in message.text


def test_a_quiet_month_still_has_three_true_messages():
    quiet = [status("visits", "Green", "Green"), status("reviews", "Green", "Green")]
    assert [m.text for m in summary.key_messages(quiet)] == [
        "0 of the 2 indicators with a target are rated red, 0 amber and 2 green.",
        "No indicator's rating changed since last month.",
        "No indicator shows special cause concerning variation this month.",
    ]


def test_long_lists_name_three_and_count_the_rest():
    reds = [status(f"ind_{n}", "Red", "Green", figure=f"{n}.0%") for n in range(5)]
    new_reds = summary.key_messages(reds)[1].text
    assert new_reds == "New red this month: Ind 0 (0.0%), Ind 1 (1.0%), Ind 2 (2.0%) and 2 more."


def test_spc_sentences_state_the_figure_the_spc_reads():
    # referrals: rated on its rolling 12-month rate, read by the SPC on its monthly count
    referrals = status("referrals", "Red", "Red", figure="1,060.7 per 10,000",
                       spc_figure="489 in the month", variation=CONCERNING)  # fmt: skip
    (_, concerning, *_) = summary.key_messages([referrals])
    assert concerning.text == (
        "1 indicator shows special cause concerning variation, a change beyond the usual "
        "month-to-month variation: Referrals (489 in the month)."
    )
    assert summary.exceptions([referrals])[0].reasons[0] == (
        "rated red (1,060.7 per 10,000 against a target of 60.0%)"
    )
