"""Every URL that takes an object's code answers 404 to the wrong people.

The registry below says, for each route with a `<uuid:...>` part, how to get
Alice's object for it. Bob (another client) and Omar (a practitioner who is not
hers) get 404 for GET and POST, and nothing changes in the database; her own
practitioner Priya (or Alice, for her own pages) does not get 404, which proves
the registry points at real objects. A new route with a code that is not in the
registry fails the test, so a view cannot slip through unchecked.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cached_property

import pytest
from django.urls import reverse

from practice.models import Client, Invitation, Practitioner, StaffInvitation, User
from questionnaires.intake import sending
from questionnaires.models import (
    AdviceDraft,
    AdviceSnippet,
    Answer,
    CaseNote,
    Finding,
    IssuedSummary,
    Medication,
    PlanItem,
    Response,
    ResponseEvent,
    ReviewAction,
    Supplement,
)
from tests.review_helpers import MAGNESIUM, issued_record, submitted_case
from tests.urlwalk import Route, routes

LEVOTHYROXINE = {"name": "Levothyroxine", "strength": "100 mcg"}


@dataclass
class World:
    """Alice's things, made only when a route needs them."""

    alice: Client

    @cached_property
    def case(self) -> Response:
        """A submitted case with findings, a medicine and a supplement."""
        return submitted_case(
            self.alice, medications=[LEVOTHYROXINE], supplements=[MAGNESIUM]
        )

    @cached_property
    def open_response(self) -> Response:
        """A questionnaire Alice is still filling in (after her submitted one)."""
        self.case  # noqa: B018 - the submitted case comes first
        return sending.send_questionnaire(client=self.alice, sent_by=None)

    @cached_property
    def finding(self) -> Finding:
        return self.case.findings.order_by("pk").first()

    @cached_property
    def medication(self) -> Medication:
        return self.case.medications.get()

    @cached_property
    def summary(self) -> IssuedSummary:
        return issued_record(self.case)


@dataclass(frozen=True)
class Entry:
    """How to reach Alice's object on one route, and who may see it."""

    kwargs: Callable[[World], dict]
    owner: str  # the persona for whom it must not be 404: alice, priya or ada
    data: Callable[[World], dict] = field(default=lambda world: {})


def _plan_and_text(world: World) -> dict:
    return {"action": "add-plan", "key_points": "Changed by someone else"}


def _typed_over_the_draft(world: World) -> dict:
    """An autosave typed over the advice as it stands (the editor made the draft)."""
    from questionnaires.advice import drafting
    from questionnaires.advice.views.autosave import saved_version

    draft = drafting.draft_for(response=world.case, by=world.case.client.user)
    return {"saved_version": saved_version(draft), "key_points": "Changed"}


REGISTRY: dict[str, Entry] = {
    # The practitioner's pages about a client.
    "practice:client-detail": Entry(lambda w: {"code": w.alice.code}, "priya"),
    "practice:resend-invitation": Entry(lambda w: {"code": w.alice.code}, "priya"),
    "questionnaires:send": Entry(lambda w: {"code": w.alice.code}, "priya"),
    # The admin's erasure of a client (a confirmation step, then the erasure).
    "practice:erase-client": Entry(lambda w: {"code": w.alice.code}, "ada"),
    # The admin's pages about a member of staff (Alice's practitioner, Priya).
    "practice:resend-staff-invitation": Entry(
        lambda w: {"code": w.alice.practitioner.user.code}, "ada"
    ),
    "practice:deactivate-staff": Entry(
        lambda w: {"code": w.alice.practitioner.user.code}, "ada"
    ),
    "practice:reset-staff-mfa": Entry(
        lambda w: {"code": w.alice.practitioner.user.code}, "ada"
    ),
    # The client's questionnaire.
    "questionnaires:resume": Entry(lambda w: {"code": w.open_response.code}, "alice"),
    "questionnaires:step": Entry(
        lambda w: {"code": w.open_response.code, "step": 1},
        "alice",
        lambda w: {"action": "add-medication"},
    ),
    "questionnaires:autosave": Entry(
        lambda w: {"code": w.open_response.code, "step": 1},
        "alice",
        lambda w: {
            f"q{q.pk}": "typed by someone else"
            for q in w.open_response.version.questions.all()
        },
    ),
    "questionnaires:review": Entry(lambda w: {"code": w.open_response.code}, "alice"),
    "questionnaires:submit": Entry(
        lambda w: {"code": w.open_response.code}, "alice", lambda w: {"round": "0"}
    ),
    "questionnaires:submitted": Entry(lambda w: {"code": w.case.code}, "alice"),
    # The practitioner's review of the case.
    "questionnaires:reopen": Entry(
        lambda w: {"code": w.case.code}, "priya", lambda w: {"message": "Please add"}
    ),
    "questionnaires:case": Entry(lambda w: {"code": w.case.code}, "priya"),
    # A follow-up, sent from a case with an issued summary.
    "questionnaires:send-follow-up": Entry(
        lambda w: {"code": w.summary.response.code}, "priya"
    ),
    "questionnaires:add-note": Entry(
        lambda w: {"code": w.case.code}, "priya", lambda w: {"text": "A note"}
    ),
    "questionnaires:match-entry": Entry(
        lambda w: {
            "code": w.case.code,
            "kind": "medication",
            "entry": w.medication.code,
        },
        "priya",
        lambda w: {"substance": "lisinopril"},
    ),
    "questionnaires:decide": Entry(
        lambda w: {"code": w.finding.code},
        "priya",
        lambda w: {"decision": "dismissed", "note": "Not relevant"},
    ),
    "questionnaires:undo": Entry(lambda w: {"code": w.finding.code}, "priya"),
    "questionnaires:close-case": Entry(
        lambda w: {"code": w.case.code}, "priya", lambda w: {"note": "Moved away"}
    ),
    "questionnaires:open-case": Entry(lambda w: {"code": w.case.code}, "priya"),
    # The advice summary.
    "questionnaires:advice": Entry(
        lambda w: {"code": w.case.code}, "priya", _plan_and_text
    ),
    "questionnaires:advice-autosave": Entry(
        lambda w: {"code": w.case.code}, "priya", _typed_over_the_draft
    ),
    "questionnaires:advice-preview": Entry(lambda w: {"code": w.case.code}, "priya"),
    "questionnaires:issue-summary": Entry(lambda w: {"code": w.case.code}, "priya"),
    "questionnaires:download-summary": Entry(
        lambda w: {"code": w.summary.code}, "alice"
    ),
}

# Routes whose parts are not an object's code. Each is covered elsewhere.
EXEMPT = {
    "practice:accept-invitation": "a secret token, not a code: an unknown token is "
    "a 404 and a used one a 410 (tests/test_invitations.py)",
    "practice:accept-staff-invitation": "a secret token, not a code: an unknown "
    "token is a 404 and a used one a 410 (tests/test_staff_onboarding.py)",
    "account_confirm_email": "allauth's signed e-mail confirmation key, bound to the "
    "address it was sent to",
    "account_reset_password_from_key": "allauth's password-reset key, bound to one "
    "user and checked by allauth",
    "questionnaires:suggest": "a kind of name (medicines or supplements), not a "
    "code; the same for every signed-in client (tests/test_suggestions.py)",
}
# The admin site is for the admin role only, who sees everything; anyone else is
# refused before an object is looked up (see the test at the end).
EXEMPT_NAMESPACES = ("admin:",)

# The tables a wrong request could change, and fields that change on their own.
WATCHED = (
    User,
    Client,
    Practitioner,
    Invitation,
    StaffInvitation,
    Response,
    Answer,
    Medication,
    Supplement,
    Finding,
    ReviewAction,
    ResponseEvent,
    CaseNote,
    AdviceDraft,
    PlanItem,
    AdviceSnippet,
    IssuedSummary,
)
IGNORED_FIELDS = {"last_login"}

UUID_PART = re.compile(r"<uuid:(\w+)>")
ANY_PART = re.compile(r"<(?:\w+:)?\w+>|\(\?P<\w+>")


def uuid_parts(route: Route) -> list[str]:
    return UUID_PART.findall(route.pattern)


def project_routes() -> list[Route]:
    return [r for r in routes() if not r.name.startswith(EXEMPT_NAMESPACES)]


def routes_with_codes() -> list[Route]:
    return [r for r in project_routes() if uuid_parts(r)]


def fingerprint() -> dict[str, list[tuple]]:
    """Every row of the watched tables, minus fields that change by themselves."""
    snapshot = {}
    for model in WATCHED:
        names = [
            f.attname
            for f in model._meta.concrete_fields
            if f.name not in IGNORED_FIELDS
        ]
        snapshot[model.__name__] = list(
            model.objects.order_by("pk").values_list(*names)
        )
    return snapshot


@pytest.fixture(autouse=True)
def private_media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def test_every_route_with_a_code_is_in_the_access_matrix():
    missing = [r.name for r in routes_with_codes() if r.name not in REGISTRY]
    assert not missing, (
        f"These routes take an object's code: {missing}; add it to the access "
        "matrix (REGISTRY in tests/test_access_matrix.py)."
    )


def test_every_route_with_another_kind_of_token_is_exempt_with_a_reason():
    unchecked = [
        r.name
        for r in project_routes()
        if ANY_PART.search(r.pattern) and not uuid_parts(r) and r.name not in EXEMPT
    ]
    assert not unchecked, (
        f"These routes take a parameter that is not a code: {unchecked}. Add them "
        "to the access matrix, or to EXEMPT with the test that covers them."
    )


def test_the_matrix_names_only_routes_that_exist():
    names = {r.name for r in routes()}
    stale = sorted((set(REGISTRY) | set(EXEMPT)) - names)
    assert not stale, f"Remove these from the access matrix: {stale}"


def _route_ids(route: Route) -> str:
    return route.name


@pytest.mark.parametrize("route", routes_with_codes(), ids=_route_ids)
def test_others_get_404_and_change_nothing_but_the_owner_gets_through(
    client, request, alice, bob, omar, route
):
    entry = REGISTRY.get(route.name)
    if entry is None:
        pytest.fail(f"{route.name} takes a code: add it to the access matrix.")
    world = World(alice)
    kwargs = entry.kwargs(world)
    assert set(uuid_parts(route)) <= set(kwargs), f"{route.name}: give every code"
    url = reverse(route.name, kwargs=kwargs)
    data = entry.data(world)
    unknown = reverse(
        route.name,
        kwargs={
            k: uuid.uuid4() if k in uuid_parts(route) else v for k, v in kwargs.items()
        },
    )

    for intruder in (bob.user, omar.user):
        client.force_login(intruder)
        before = fingerprint()
        got = client.get(url)
        if got.status_code == 405:
            # Refused for the method before anything was looked up: the same
            # answer as for a code that does not exist, so it tells nothing.
            assert client.get(unknown).status_code == 405, (route.name, intruder)
        else:
            assert got.status_code == 404, (route.name, "GET", intruder.email)
        posted = client.post(url, data)
        assert posted.status_code == 404, (route.name, "POST", intruder.email)
        assert b"Alice" not in got.content + posted.content, route.name
        assert fingerprint() == before, (route.name, intruder.email)

    owner = request.getfixturevalue(entry.owner)
    client.force_login(getattr(owner, "user", owner))
    for method in (client.get, client.post):
        status = method(url, data).status_code
        assert status < 400 or status == 405, (route.name, method, entry.owner, status)


@pytest.mark.parametrize("who", ["bob", "omar", "priya"])
def test_only_the_admin_opens_a_client_in_the_admin_site(client, request, alice, who):
    person = request.getfixturevalue(who)
    client.force_login(person.user)
    url = reverse("admin:practice_client_change", args=[alice.pk])
    before = fingerprint()
    reply = client.post(url, {"practitioner": "", "date_of_birth": ""}, follow=True)
    assert reply.status_code in (403, 404)
    assert b"Alice" not in reply.content
    assert fingerprint() == before
