"""The dashboard's "new evidence" list: findings that a knowledge re-check raised
or changed on this practitioner's open cases, waiting for a decision."""

from __future__ import annotations

import threading
from dataclasses import dataclass

from django.core.exceptions import ImproperlyConfigured
from django.db import connections, router
from django.db.models import (
    Case,
    Count,
    IntegerField,
    QuerySet,
    Value,
    When,
    Window,
)
from django.db.models.query import get_related_populators

from practice import access
from practice.models import Role, User
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
    if user.is_authenticated and user.is_active and user.role == Role.PRACTITIONER:
        items = _compiled(shown).run(user)
    else:
        items = list(_waiting(user, shown))
    for item in items:
        item.changed_words = changed_words(item.fields)
    return NewEvidenceList(items, items[0].total if items else 0)


def _waiting(user: User, shown: int) -> QuerySet[NewEvidence]:
    severity_rank = Case(
        *(When(finding__severity=s, then=Value(i)) for s, i in SEVERITY_ORDER.items()),
        output_field=IntegerField(),
    )
    return (
        NewEvidence.objects.waiting()
        .filter(finding__response__client__in=access.clients_for(user))
        .select_related("finding", "finding__response__client__user", "recheck")
        .only(*SHOWN_COLUMNS)
        .annotate(total=Window(Count("pk")))
        .order_by(severity_rank, "created_at", "pk")[:shown]
    )


# Stands for the practitioner's user id in the query compiled once (below).
_ANY_PRACTITIONER = -2_000_000_001


class _CompiledList:
    """A practitioner's list, its SQL compiled once: only her id changes.

    Building and compiling this five-table query with its severity order took
    about 5 ms of the dashboard's worker CPU on every request, even when nothing
    is waiting; running it takes half a millisecond. The rows become model
    instances as Django's own ModelIterable makes them from the same compiler.
    """

    def __init__(self, shown: int, using: str) -> None:
        anyone = User(pk=_ANY_PRACTITIONER, role=Role.PRACTITIONER, is_active=True)
        compiler = _waiting(anyone, shown).query.get_compiler(using)
        self.sql, self.params = compiler.as_sql()
        if self.params.count(_ANY_PRACTITIONER) != 1:
            raise ImproperlyConfigured("The new evidence query lost its user id")
        self.compiler = compiler
        self.using = using
        select, klass = compiler.select, compiler.klass_info
        fields = klass["select_fields"]
        self.own = slice(fields[0], fields[-1] + 1)
        self.names = [f[0].target.attname for f in select[self.own]]
        self.related = get_related_populators(klass, select, using)
        self.annotations = compiler.annotation_col_map

    def run(self, user: User) -> list[NewEvidence]:
        params = [user.pk if p == _ANY_PRACTITIONER else p for p in self.params]
        with connections[self.using].cursor() as cursor:
            cursor.execute(self.sql, params)
            rows = cursor.fetchall()
        items = []
        for row in self.compiler.results_iter([rows]):
            item = NewEvidence.from_db(self.using, self.names, row[self.own])
            for populator in self.related:
                populator.populate(row, item)
            for name, position in self.annotations.items():
                setattr(item, name, row[position])
            items.append(item)
        return items


_lists = threading.local()  # a compiler holds its thread's connection


def _compiled(shown: int) -> _CompiledList:
    using = router.db_for_read(NewEvidence)
    kept = _lists.__dict__.setdefault("kept", {})
    key = (using, shown, id(connections[using]))
    if key not in kept:
        kept[key] = _CompiledList(shown, using)
    return kept[key]


def changed_words(fields: list[str]) -> str:
    """ "severity, why" for the fields the knowledge changed, each said once."""
    words = dict.fromkeys(FIELD_WORDS.get(name, name) for name in fields)
    return ", ".join(words)
