"""What an advice summary says, as plain values (no queries): the document the PDF
and its preview are rendered from."""

from __future__ import annotations

import datetime
import re
from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.utils.text import capfirst

from questionnaires.advice import timetable
from questionnaires.advice.models import Timing
from questionnaires.values import parse_number

if TYPE_CHECKING:
    from questionnaires.review.charts import Chart

DEFAULT_DISCLAIMER = (
    "This summary is nutritional and lifestyle advice from your nutritional "
    "therapist. It is not a medical diagnosis and does not replace the advice of "
    "your GP or other doctors. Do not stop or change any prescribed medicine "
    "without speaking to your GP or pharmacist first. If your symptoms get worse, "
    "or you feel unwell after starting a supplement, stop taking it and contact "
    "your GP or call NHS 111. In an emergency, call 999."
)

_BULLET = re.compile(r"^\s*[-*\u2022]\s+")


@dataclass(frozen=True)
class PlanRow:
    """One supplement in the plan, as the practitioner typed it."""

    product: str
    nutrient: str
    form: str
    amount: str
    unit: str
    per_day: str
    timing: str
    timing_label: str
    spacing: str
    duration: str
    notes: str
    more_timings: tuple[str, ...] = ()
    substances: tuple[str, ...] = ()  # knowledge-base names, for the spacing

    @property
    def timings(self) -> tuple[str, ...]:
        """Every time of day it is taken, in the day's order."""
        chosen = {self.timing, *self.more_timings}
        return tuple(t for t in Timing.values if t in chosen)

    @property
    def dose_each_time(self) -> str:
        """How much at each time in the timetable: one dose when the doses a day
        match the times chosen, else the whole dose ("150 mg, 3 a day")."""
        per_day = parse_number(self.per_day.strip() or "1")
        return self.amount_text if per_day == len(self.timings) else self.dose

    @property
    def name(self) -> str:
        """What to take: the product, or else the nutrient and form."""
        if self.product.strip():
            return self.product.strip()
        return capfirst(" ".join(p for p in (self.nutrient, self.form) if p.strip()))

    @property
    def detail(self) -> str:
        """The nutrient and form, where the product's name does not say them."""
        if not self.product.strip():
            return ""
        named = self.product.lower()
        parts = [
            p.strip()
            for p in (self.nutrient, self.form)
            if p.strip().lower() not in named
        ]
        return ", ".join(parts)

    @property
    def amount_text(self) -> str:
        """One dose: "150 mg"."""
        amount = self.amount.strip()
        return f"{amount} {self.unit.strip()}".strip() if amount else ""

    @property
    def frequency(self) -> str:
        """Doses a day: "once a day", "2 a day"."""
        per_day = self.per_day.strip()
        if per_day in ("", "0"):
            return ""
        return "once a day" if per_day == "1" else f"{per_day} a day"

    @property
    def dose(self) -> str:
        """How much: "150 mg, 2 a day" (amount per dose, doses a day)."""
        return ", ".join(p for p in (self.amount_text, self.frequency) if p)

    @property
    def care(self) -> str:
        """What to keep it apart from, as a sentence start."""
        return capfirst(self.spacing.strip())


@dataclass(frozen=True)
class SummaryDocument:
    """Everything an issued advice summary says, filled in by the caller."""

    practice_name: str
    practice_address: str
    practice_email: str
    practice_phone: str
    practice_registration: str
    logo_path: str | None
    practitioner_name: str
    practitioner_registration: str
    client_name: str
    client_date_of_birth: datetime.date | None
    issued_on: datetime.date
    version: int
    key_points: str
    diet: str
    lifestyle: str
    gp_notes: str
    follow_up: str
    plan: tuple[PlanRow, ...]
    chart: Chart | None
    disclaimer: str = DEFAULT_DISCLAIMER
    # The client's medicines placed in the timetable, and the knowledge base's
    # spacings that apply to this case (see questionnaires/timetable.py).
    medicines: tuple[timetable.Dose, ...] = ()
    spacings: tuple[timetable.Spacing, ...] = ()
    # The version this one replaces, when it was issued, and what changed.
    replaces_version: int | None = None
    replaces_issued_on: datetime.date | None = None
    changes: str = ""
    # The client's own supplements: what to stop, what to keep taking.
    stop_taking: tuple[str, ...] = ()
    keep_taking: tuple[str, ...] = ()

    @property
    def title(self) -> str:
        return f"Advice summary for {self.client_name}"


@dataclass(frozen=True)
class TextBlock:
    """A paragraph (its lines) or a bulleted list (its items)."""

    is_list: bool
    lines: tuple[str, ...]


def text_blocks(text: str) -> tuple[TextBlock, ...]:
    """Split plain text into paragraphs and "- " lists, keeping line breaks.

    An indented line under a bullet goes on with that item; any other line after
    a list starts a paragraph.
    """
    blocks: list[TextBlock] = []
    lines: list[str] = []
    is_list = False

    def close() -> None:
        if lines:
            blocks.append(TextBlock(is_list, tuple(lines)))
            lines.clear()

    for raw in text.replace("\r\n", "\n").replace("\r", "\n").split("\n"):
        line = raw.strip()
        if not line:
            close()
            continue
        bullet = _BULLET.match(line)
        if is_list and not bullet and raw[0].isspace():
            lines[-1] += " " + line  # an indented line goes on with its item
            continue
        if bool(bullet) != is_list:
            close()
            is_list = bool(bullet)
        lines.append(line[bullet.end() :] if bullet else line)
    close()
    return tuple(blocks)


def day_timetable(document: SummaryDocument) -> list[timetable.Slot]:
    """The client's day: the plan at each of its times, with the medicines."""
    doses = [
        timetable.Dose(
            name=row.name,
            amount=row.dose_each_time,
            timings=row.timings,
            substances=row.substances,
        )
        for row in document.plan
    ]
    return timetable.build([*document.medicines, *doses], document.spacings)
