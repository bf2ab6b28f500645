"""The audit log in plain sentences: "Priya Patel opened Alice Archer's case".

Events store codes, never names (a name can change, and an erased client's must
go). The names are looked up when the log is read, a page at a time, with one
query per kind of record whatever the number of events.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from dataclasses import dataclass

from practice.models import AuditAction, AuditEvent, Client, Practitioner, User

# What a page view was of, by the `page` the view recorded.
_PAGES = {
    "case": "{client} case",
    "advice": "{client} advice",
    "advice_preview": "the preview of {client} advice summary",
}

# The record an event is about, by its object type.
_OBJECTS = {
    "client": "{client} record",
    "response": "{client} questionnaire",
    "issuedsummary": "{client} advice summary",
    "finding": "a finding on {client} case",
    "invitation": "an invitation for {client_name}",
    "casenote": "a note on {client} case",
    "medication": "a medicine from {client} questionnaire",
    "supplement": "a supplement from {client} questionnaire",
    "erasurerequest": "{client} request for erasure",
    "user": "{user} account",
}

# What was done, when the event names it.
_EVENTS = {
    "sent": "sent a questionnaire to {client_name}",
    "answers_saved": "saved answers in {client} questionnaire",
    "submitted": "sent {client} questionnaire to the practitioner",
    "reopened": "reopened {client} questionnaire",
    "advice_saved": "saved {client} advice",
    "acknowledged": "acknowledged a finding on {client} case",
    "dismissed": "dismissed a finding on {client} case",
    "undone": "undid a decision on a finding on {client} case",
    "rematched": "matched an entry in {client} questionnaire by hand",
    "unmatched": "removed a hand match in {client} questionnaire",
    "mfa_reset": "reset {user} two-factor authentication",
    "invited": "sent {user_name} an invitation to join",
}

_VERBS = {
    AuditAction.VIEWED: "opened",
    AuditAction.DOWNLOADED: "downloaded",
    AuditAction.CREATED: "created",
    AuditAction.CHANGED: "changed",
    AuditAction.DELETED: "removed",
}

# Actions that say the whole thing, whatever the record.
_ACTIONS = {
    AuditAction.EXPORTED: "downloaded {client} data",
    AuditAction.ERASURE_REQUESTED: "asked for {client} data to be erased",
    # The name is gone by the time anyone reads this.
    AuditAction.ERASED: "erased a client's personal data",
}

_FAILED = {
    "wrong_password": "Someone typed a wrong password for {user} account",
    "rate_limited": "A sign-in to {user} account was refused: too many attempts",
    "wrong_mfa_code": "Someone entered a wrong two-factor code for {user} account",
}


@dataclass(frozen=True)
class Line:
    event: AuditEvent
    sentence: str


def describe(events: Iterable[AuditEvent]) -> list[Line]:
    """Each event with its sentence. Load `actor` with the events
    (`select_related("actor")`) to keep the queries to three per page."""
    events = list(events)
    clients = _clients(e.client_code for e in events)
    user_codes = {e.object_id for e in events if e.object_type == "user"}
    users = {str(u.code): u for u in User.objects.filter(code__in=_uuids(user_codes))}
    practitioners = _practitioners(events)
    return [
        Line(event, _sentence(event, clients, users, practitioners)) for event in events
    ]


def _uuids(values: Iterable[str]) -> list[str]:
    found = []
    for value in values:
        try:
            found.append(str(uuid.UUID(str(value))))
        except ValueError:
            continue
    return found


def _clients(codes: Iterable) -> dict[str, Client]:
    wanted = _uuids(c for c in codes if c)
    if not wanted:
        return {}
    return {
        str(c.code): c
        for c in Client.objects.filter(code__in=wanted).select_related("user")
    }


def _practitioners(events: list[AuditEvent]) -> dict[str, Practitioner]:
    codes = set()
    for event in events:
        change = event.detail.get("practitioner") if event.detail else None
        if isinstance(change, dict):
            codes.update(str(v) for v in change.values() if v)
    if not codes:
        return {}
    found = Practitioner.objects.filter(code__in=_uuids(codes)).select_related("user")
    return {str(p.code): p for p in found}


def _possessive(name: str) -> str:
    return f"{name}'" if name.endswith("s") else f"{name}'s"


def _sentence(event: AuditEvent, clients, users, practitioners) -> str:
    actor = event.actor.full_name if event.actor else ""
    client = clients.get(str(event.client_code)) if event.client_code else None
    client_name = client.user.full_name if client else "a client"
    own = client is not None and event.actor_id == client.user_id
    user = users.get(event.object_id) if event.object_type == "user" else None
    user_name = user.full_name if user else "an account"
    own_account = user is not None and event.actor_id == user.pk
    names = {
        "client": "their" if own else _possessive(client_name),
        "client_name": client_name,
        "user": "their" if own_account else _possessive(user_name),
        "user_name": user_name,
    }
    detail = event.detail or {}
    action = event.action

    if action == AuditAction.LOGIN_FAILED:
        if user is None and event.object_type != "user":
            return "Someone tried to sign in with an address that has no account"
        names["user"] = _possessive(user_name)
        reason = detail.get("reason", "wrong_password")
        return _FAILED.get(reason, _FAILED["wrong_password"]).format(**names)
    who = actor or "Someone"
    if action == AuditAction.LOGIN:
        return f"{who} signed in"
    if action == AuditAction.LOGOUT:
        return f"{who} signed out"
    if action == AuditAction.DELETED and detail.get("event") == "audit_retention":
        return (
            f"Cofactor deleted {detail.get('count', 0)} audit events older than "
            f"{detail.get('days', '?')} days"
        )
    if action in _ACTIONS:
        return f"{who} {_ACTIONS[action].format(**names)}"
    event_name = detail.get("event")
    if event_name in _EVENTS:
        return f"{who} {_EVENTS[event_name].format(**names)}"
    if action == AuditAction.CHANGED:
        special = _change(detail, names, practitioners)
        if special:
            return f"{who} {special}"
    if action == AuditAction.CREATED and event.object_type == "user":
        role = detail.get("role", "")
        return f"{who} created {_possessive(user_name)} {role} account".replace(
            "  ", " "
        )
    page = detail.get("page")
    if action == AuditAction.VIEWED and page in _PAGES:
        return f"{who} opened {_PAGES[page].format(**names)}"
    thing = _OBJECTS.get(event.object_type, "a record").format(**names)
    return f"{who} {_VERBS.get(action, 'changed')} {thing}"


def _change(detail: dict, names: dict, practitioners) -> str:
    """A change of access (active, practitioner) told as what it means."""
    active = detail.get("is_active")
    if isinstance(active, dict):
        verb = "reactivated" if active.get("to") else "deactivated"
        return f"{verb} {names['user']} account"
    moved = detail.get("practitioner")
    if isinstance(moved, dict):
        to = practitioners.get(str(moved.get("to")))
        if to is None:
            return f"left {names['client_name']} without a practitioner"
        return f"assigned {names['client_name']} to {to.user.full_name}"
    role = detail.get("role")
    if isinstance(role, dict):
        return f"made {names['user_name']} {role.get('to')}"
    return ""
