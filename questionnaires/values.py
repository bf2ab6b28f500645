"""Read a value as a client typed it or as an answer stores it: a number, a
symptom score or a date (and the age a date of birth gives). Each reader returns
None for what is not one, so callers decide what a missing value means; none of
them raises.

Plain Python (no Django), so models, forms and the case facts can all use it.
"""

from __future__ import annotations

import datetime
from decimal import Decimal, InvalidOperation

SYMPTOM_SCORES = ("0", "1", "2", "3")


def parse_number(text: object) -> Decimal | None:
    """A number as people type it ("1,5" is 1.5); None if it is not one."""
    try:
        value = Decimal(str(text).strip().replace(",", "."))
    except (InvalidOperation, ValueError):
        return None
    return value if value.is_finite() else None


def symptom_score(value: object) -> int | None:
    """A symptom's score from 0 to 3 ("2" or 2); None if it is not one."""
    text = value.strip() if isinstance(value, str) else str(value)
    return int(text) if text in SYMPTOM_SCORES else None


def iso_date(value: object) -> datetime.date | None:
    """A date stored as "1952-03-12"; None if it is not one."""
    text = value.strip() if isinstance(value, str) else str(value)
    try:
        return datetime.date.fromisoformat(text)
    except ValueError:
        return None


def age_on(born: datetime.date, on: datetime.date) -> int:
    """Whole years from `born` to `on` (negative if `on` comes first)."""
    return on.year - born.year - ((on.month, on.day) < (born.month, born.day))


def without_nul(text: str) -> str:
    """Drop NUL characters, which PostgreSQL refuses in text."""
    return text.replace("\x00", "")
