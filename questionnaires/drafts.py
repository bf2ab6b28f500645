"""Saving a draft as it is typed (static/js/saver.js), shared by the intake and the
advice editor: what a save posted, and a list of rows stored field by field.

The saver marks its posts (`_saver=1`), lists each changed input name in
`_changed`, and gives the value each started from under `_base:<name>`. A field
not listed is left alone; a listed field whose stored value is no longer the one
the page started from was changed elsewhere meanwhile: it is reported as a
conflict, never overwritten. A plain form post (no JavaScript) writes what it posts.
"""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass

from django.utils.datastructures import MultiValueDict

SAVER_MARK = "_saver"
CHANGED = "_changed"
BASE_PREFIX = "_base:"


@dataclass
class Conflict:
    """A field changed elsewhere since this page loaded: both values are kept."""

    names: list[str]
    label: str
    theirs: str
    yours: str
    theirs_data: dict[str, list[str]]

    def as_dict(self) -> dict:
        return {
            "names": self.names,
            "label": self.label,
            "theirs": self.theirs,
            "yours": self.yours,
            "theirs_data": self.theirs_data,
        }


class PostedChanges:
    """What a save posted: everything (a plain form post), or only what changed.

    `partial` is read from the saver's mark unless the caller knows better (a
    form the saver submits whole after saving what was pending).
    """

    def __init__(self, data, *, partial: bool | None = None) -> None:
        self.data = data
        self.partial = data.get(SAVER_MARK) == "1" if partial is None else partial
        self.names = set(data.getlist(CHANGED)) if self.partial else set()
        base = MultiValueDict()
        if self.partial:
            for key in data:
                if key.startswith(BASE_PREFIX):
                    base.setlist(key.removeprefix(BASE_PREFIX), data.getlist(key))
        self.base = base

    @property
    def only(self) -> set[str] | None:
        """The input names this save may write, or None for all that it posts."""
        return self.names if self.partial else None

    def writes(self, name: str) -> bool:
        """Whether this save stores the input `name`."""
        return name in self.names if self.partial else name in self.data

    def names_under(self, name: str) -> list[str]:
        """The changed input names of one field and its parts (q12, q12_0, ...)."""
        return sorted(n for n in self.names if n == name or n.startswith(f"{name}_"))


def save_rows(rows, form_class, prefix: str, changes: PostedChanges, conflicts) -> int:
    """Store the rows' fields as typed; with the saver, only the changed ones.

    `rows` is the related manager of one list (a response's medications, an
    advice's plan); each row's inputs are named `<prefix>-<code>-<field>` and
    read by `form_class.draft_values()`. Returns how many rows changed; a field
    changed elsewhere meanwhile is added to `conflicts` instead.
    """
    data = changes.data
    if changes.partial:
        pattern = re.compile(rf"^{prefix}-([0-9a-f-]{{36}})-(\w+)$")
        matches = [pattern.match(n) for n in changes.names]
        codes = {m[1] for m in matches if m}
    else:
        codes = set(data.getlist(prefix))
    changed = []
    for row in rows.filter(code__in=valid_uuids(codes)):
        form_prefix = f"{prefix}-{row.code}"
        values = form_class(data, prefix=form_prefix, instance=row).draft_values()
        base = form_class(changes.base, prefix=form_prefix, instance=row).draft_values()
        row_changed = False
        for name, value in values.items():
            key = f"{form_prefix}-{name}"
            stored = getattr(row, name)
            if (changes.partial and key not in changes.names) or stored == value:
                continue
            if changes.partial and stored != base.get(name, stored):
                conflicts.append(
                    _row_conflict(row, form_class, name, key, stored, value)
                )
                continue
            setattr(row, name, value)
            row_changed = True
        if row_changed:
            changed.append(row)
    if changed:
        rows.model.objects.bulk_update(changed, form_class.draft_fields)
    return len(changed)


def _row_title(row) -> str:
    """Name the card as the page does ("Medicine 2"); a query, so only for conflicts."""
    from questionnaires.models import Medication, PlanItem, Supplement

    noun = {Medication: "Medicine", Supplement: "Supplement", PlanItem: "Plan item"}
    owner = {PlanItem: "advice_id"}.get(type(row), "response_id")
    codes = list(
        type(row)
        .objects.filter(**{owner: getattr(row, owner)})
        .values_list("code", flat=True)
    )
    label = noun.get(type(row), "Item")
    return f"{label} {codes.index(row.code) + 1}" if row.code in codes else label


def _row_conflict(row, form_class, name, key, stored, value) -> Conflict:
    label = form_class.base_fields[name].label or name
    if isinstance(stored, bool):
        theirs_data = {key: ["on"] if stored else []}
        shown = {True: "Ticked", False: "Not ticked"}
    else:
        theirs_data = {key: [str(stored)]}
        shown = {}
    return Conflict(
        names=[key],
        label=f"{_row_title(row)}: {label}",
        theirs=shown.get(stored, str(stored)),
        yours=shown.get(value, str(value)),
        theirs_data=theirs_data,
    )


def valid_uuids(values) -> list[str]:
    valid = []
    for value in values:
        try:
            valid.append(str(uuid.UUID(str(value))))
        except ValueError:
            continue
    return valid
