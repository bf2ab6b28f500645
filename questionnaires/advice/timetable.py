"""The client's day as a timetable for the PDF: each time of day, in order, with
what to take then and what to wait for.

Plain Python (no ORM). It states no timing fact of its own: the times come from the
plan's timing fields (and the times the practitioner chose for the client's
medicines), and every "wait" comes from a spacing in the knowledge base that a
finding on this case carries. Which comes first is read from the order of the
times of day; where that order is unknown (the same time, "as described in the
notes", or a medicine without a time) it says only "keep apart".
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal

from questionnaires.advice.models import Timing

# The times of day in the order a person lives them; AS_DIRECTED has no place.
DAY = (
    Timing.ON_WAKING,
    Timing.BREAKFAST,
    Timing.LUNCH,
    Timing.EVENING_MEAL,
    Timing.BEDTIME,
)
SLOT_LABELS = {
    Timing.ON_WAKING: "On waking, on an empty stomach",
    Timing.BREAKFAST: "With breakfast",
    Timing.LUNCH: "With lunch",
    Timing.EVENING_MEAL: "With the evening meal",
    Timing.BEDTIME: "At bedtime",
    Timing.AS_DIRECTED: "At other times (see the notes)",
}


@dataclass(frozen=True)
class Spacing:
    """Two substances (knowledge-base names) to keep apart, from a finding."""

    first: str
    second: str
    hours: Decimal | float

    def other(self, names: Iterable[str]) -> str | None:
        names = set(names)
        if self.first in names and self.second not in names:
            return self.second
        if self.second in names and self.first not in names:
            return self.first
        return None


@dataclass(frozen=True)
class Dose:
    """Something to take: a plan row or one of the client's medicines."""

    name: str
    amount: str  # at each time: "600 mg"; or "" for a medicine
    timings: tuple[str, ...]
    substances: tuple[str, ...]  # knowledge-base names, for the spacing
    is_medicine: bool = False
    as_prescribed: str = ""  # the client's own words: "once a week, Monday mornings"


@dataclass
class Entry:
    dose: Dose
    notes: list[str] = field(default_factory=list)


@dataclass
class Slot:
    timing: str
    label: str
    entries: list[Entry]


def duration_words(hours: Decimal | float) -> str:
    """0.5 -> "30 minutes", 4 -> "4 hours", 1 -> "1 hour"."""
    minutes = round(float(hours) * 60)
    if minutes < 60 or minutes % 60:
        return f"{minutes} minutes"
    whole = minutes // 60
    return f"{whole} hour{'s' if whole != 1 else ''}"


def build(doses: Sequence[Dose], spacings: Sequence[Spacing]) -> list[Slot]:
    """The day, time by time; medicines first within a time, then the plan."""
    slots = []
    for timing in (*DAY, Timing.AS_DIRECTED):
        here = [d for d in doses if timing in d.timings]
        here.sort(key=lambda d: not d.is_medicine)  # stable otherwise
        if here:
            entries = [Entry(d, _notes(d, timing, doses, spacings)) for d in here]
            slots.append(Slot(timing, SLOT_LABELS[timing], entries))
    return slots


def _notes(
    dose: Dose, timing: str, doses: Sequence[Dose], spacings: Sequence[Spacing]
) -> list[str]:
    """What to wait for, or keep apart from, when taking `dose` at `timing`."""
    notes: dict[str, None] = {}
    for spacing in spacings:
        other = spacing.other(dose.substances)
        if other is None:
            continue
        wait = duration_words(spacing.hours)
        others = [d for d in doses if other in d.substances and d is not dose]
        times = {t for d in others for t in d.timings}
        name = _name_of(other, others)
        if not others:
            notes[f"Keep at least {wait} apart from {name}."] = None
            continue
        earlier = [t for t in times if _before(t, timing)]
        unordered = [t for t in times if t not in DAY]
        if timing in times or unordered or timing not in DAY:
            notes[f"Keep at least {wait} apart from {name}."] = None
        elif earlier:
            notes[f"Wait at least {wait} after {name}."] = None
    return list(notes)


def _before(a: str, b: str) -> bool:
    """Whether time of day `a` comes before `b` (False if either has no place)."""
    if a not in DAY or b not in DAY:
        return False
    return DAY.index(a) < DAY.index(b)


def _name_of(substance: str, doses: Sequence[Dose]) -> str:
    """How the timetable names it: "your alendronic acid" for a medicine, the
    plan's name for a supplement, else the knowledge base's name."""
    if any(dose.is_medicine for dose in doses):
        return f"your {substance}"
    return doses[0].name if doses else substance


def clashes(doses: Sequence[Dose], spacings: Sequence[Spacing]) -> list[str]:
    """Pairs placed at the same time of day that the knowledge base says to keep
    apart, in words for the practitioner."""
    found: dict[str, None] = {}
    for spacing in spacings:
        for one in doses:
            if spacing.first not in one.substances:
                continue
            for other in doses:
                if other is one or spacing.second not in other.substances:
                    continue
                for timing in set(one.timings) & set(other.timings):
                    found[
                        f"{one.name} and {other.name} are both "
                        f"“{SLOT_LABELS[timing].lower()}”, but should be at least "
                        f"{duration_words(spacing.hours)} apart."
                    ] = None
    return list(found)
