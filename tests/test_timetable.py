"""The PDF's daily timetable: each time of day in order, an item taken twice at both
of its times, and every wait taken from a knowledge-base spacing, its order from
the times chosen."""

from decimal import Decimal

from questionnaires.advice.models import Timing
from questionnaires.advice.timetable import (
    Dose,
    Spacing,
    build,
    clashes,
    duration_words,
)

ALENDRONIC = Dose(
    name="Alendronic acid 70 mg",
    amount="",
    timings=(Timing.ON_WAKING,),
    substances=("alendronic acid",),
    is_medicine=True,
    as_prescribed="once a week, Monday mornings",
)
CALCIUM = Dose(
    name="Calcium carbonate",
    amount="600 mg",
    timings=(Timing.LUNCH, Timing.EVENING_MEAL),
    substances=("calcium",),
)
MAGNESIUM = Dose(
    name="Magnesium glycinate",
    amount="150 mg",
    timings=(Timing.BEDTIME,),
    substances=("magnesium",),
)
CA_ALENDRONIC = Spacing("calcium", "alendronic acid", Decimal("0.5"))
MG_ALENDRONIC = Spacing("magnesium", "alendronic acid", Decimal("4"))


def day(doses, spacings=()):
    return [
        (slot.label, [(e.dose.name, e.notes) for e in slot.entries])
        for slot in build(doses, spacings)
    ]


def test_the_day_runs_in_order_and_twice_a_day_appears_at_both_times():
    assert day([MAGNESIUM, CALCIUM, ALENDRONIC], [CA_ALENDRONIC, MG_ALENDRONIC]) == [
        ("On waking, on an empty stomach", [("Alendronic acid 70 mg", [])]),
        (
            "With lunch",
            [
                (
                    "Calcium carbonate",
                    ["Wait at least 30 minutes after your alendronic acid."],
                )
            ],
        ),
        (
            "With the evening meal",
            [
                (
                    "Calcium carbonate",
                    ["Wait at least 30 minutes after your alendronic acid."],
                )
            ],
        ),
        (
            "At bedtime",
            [
                (
                    "Magnesium glycinate",
                    ["Wait at least 4 hours after your alendronic acid."],
                )
            ],
        ),
    ]


def test_the_later_one_says_to_wait_and_the_earlier_says_nothing():
    iron = Dose("Iron", "14 mg", (Timing.BREAKFAST,), ("iron",))
    calcium = Dose("Calcium", "500 mg", (Timing.EVENING_MEAL,), ("calcium",))
    spacing = Spacing("calcium", "iron", 2)
    assert day([calcium, iron], [spacing]) == [
        ("With breakfast", [("Iron", [])]),
        ("With the evening meal", [("Calcium", ["Wait at least 2 hours after Iron."])]),
    ]


def test_without_a_known_order_it_only_says_keep_apart():
    same_time = Dose("Calcium", "500 mg", (Timing.ON_WAKING,), ("calcium",))
    [slot] = build([ALENDRONIC, same_time], [CA_ALENDRONIC])
    assert [e.dose.name for e in slot.entries] == ["Alendronic acid 70 mg", "Calcium"]
    assert slot.entries[1].notes == [
        "Keep at least 30 minutes apart from your alendronic acid."
    ]
    # The medicine has no time in the day: no order can be claimed.
    notes = build([CALCIUM], [CA_ALENDRONIC])[0].entries[0].notes
    assert notes == ["Keep at least 30 minutes apart from alendronic acid."]
    directed = Dose("Calcium", "500 mg", (Timing.AS_DIRECTED,), ("calcium",))
    [_, other] = build([ALENDRONIC, directed], [CA_ALENDRONIC])
    assert other.label == "At other times (see the notes)"
    assert other.entries[0].notes == [
        "Keep at least 30 minutes apart from your alendronic acid."
    ]


def test_no_spacing_no_note_and_nothing_is_invented():
    assert day([CALCIUM, ALENDRONIC]) == [
        ("On waking, on an empty stomach", [("Alendronic acid 70 mg", [])]),
        ("With lunch", [("Calcium carbonate", [])]),
        ("With the evening meal", [("Calcium carbonate", [])]),
    ]
    assert build([], [CA_ALENDRONIC]) == []


def test_waits_read_in_minutes_or_hours():
    assert duration_words(Decimal("0.5")) == "30 minutes"
    assert duration_words(1) == "1 hour"
    assert duration_words(Decimal("4.0")) == "4 hours"
    assert duration_words(1.5) == "90 minutes"


def test_two_things_to_keep_apart_at_the_same_time_are_a_clash():
    same_time = Dose("Calcium", "500 mg", (Timing.ON_WAKING,), ("calcium",))
    assert clashes([ALENDRONIC, same_time, MAGNESIUM], [CA_ALENDRONIC]) == [
        "Calcium and Alendronic acid 70 mg are both “on waking, on an empty "
        "stomach”, but should be at least 30 minutes apart."
    ]
    assert clashes([ALENDRONIC, CALCIUM], [CA_ALENDRONIC]) == []
