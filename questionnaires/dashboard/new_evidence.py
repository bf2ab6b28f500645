"""The dashboard's "new evidence" list: findings that a knowledge re-check raised
or changed on this practitioner's open cases, waiting for a decision."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Case, Count, IntegerField, Value, When, Window

from practice import access
from practice.models import User
from questionnaires.models import SEVERITY_ORDER, NewEvidence

# The list shows the most urgent; the total says how many more there are.
SHOWN = 10

# What the list shows (templates/questionnaires/_dashboard_new_evidence.html): the
# other hundred columns of the five tables it joins are not read.
SHOWN_COLUMNS = (
    "change",
    "fields",
    "finding__code",
    "finding__severity",
    "finding__title",
    "finding__rule",
    "finding__sources",
    "finding__response__code",
    "finding__response__client__user__full_name",
    "recheck__version",
)

# A finding's fields as the practitioner reads them on the finding's card.
FIELD_WORDS = {
    "severity": "severity",
    "title": "title",
    "message": "why",
    "action": "what to do",
    "spacing_hours": "spacing",
    "sources": "sources",
    "evidence": "evidence",
    "triggers": "what raised it",
    "subjects": "what it is about",
    "classes": "what it is about",
    "kind": "kind",
    "rule": "rule",
}


@dataclass(frozen=True)
class NewEvidenceList:
    items: list[NewEvidence]
    total: int

    @property
    def more(self) -> int:
        return self.total - len(self.items)


def waiting_for(user: User, *, shown: int = SHOWN) -> NewEvidenceList:
    """The most urgent new evidence on this user's clients, in one query."""
    severity_rank = Case(
        *(When(finding__severity=s, then=Value(i)) for s, i in SEVERITY_ORDER.items()),
        output_field=IntegerField(),
    )
    items = list(
        NewEvidence.objects.waiting()
        .filter(finding__response__client__in=access.clients_for(user))
        .select_related("finding", "finding__response__client__user", "recheck")
        .only(*SHOWN_COLUMNS)
        .annotate(total=Window(Count("pk")))
        .order_by(severity_rank, "created_at", "pk")[:shown]
    )
    for item in items:
        item.changed_words = changed_words(item.fields)
    return NewEvidenceList(items, items[0].total if items else 0)


def changed_words(fields: list[str]) -> str:
    """ "severity, why" for the fields the knowledge changed, each said once."""
    words = dict.fromkeys(FIELD_WORDS.get(name, name) for name in fields)
    return ", ".join(words)
