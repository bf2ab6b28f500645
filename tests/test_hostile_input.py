"""Hostile input to every form of the intake and review flows, as the rightful user.

Random and oversized values (huge strings, any unicode, control characters and
NUL bytes, several values where one is expected, odd numbers, SQL- and HTML-ish
text) never cause a 500 and never save what should not be saved: drafts keep
what was typed only where the app keeps drafts, choices stay within their
choices, nothing lands on another client's case, and invalid answers, decisions
or messages change nothing.
"""

from __future__ import annotations

from contextlib import contextmanager

import pytest
from django.db import transaction
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from questionnaires import intake
from questionnaires.forms import LIST_KINDS, PastDateField
from questionnaires.models import (
    EventKind,
    Finding,
    Medication,
    QuestionKind,
    Response,
    Supplement,
)
from questionnaires.models.responses import AmountBasis, SupplementUnit
from tests.intake_helpers import answer_everything, shipped_version, step_url

# No shrinking: each example is a few requests, and shrinking a failure took
# minutes. The failing example is printed as found.
HOSTILE = settings(
    phases=[Phase.explicit, Phase.reuse, Phase.generate],
    max_examples=25,
    deadline=None,
    suppress_health_check=[
        HealthCheck.function_scoped_fixture,
        HealthCheck.too_slow,
        HealthCheck.data_too_large,
    ],
)

NASTY = [
    "",
    " ",
    "\x00",
    "a\x00b",
    "\r\nSet-Cookie: x=1",
    "NaN",
    "-inf",
    "inf",
    "1e309",
    "-1",
    "0",
    "-0",
    "1,5",
    "٣",
    "9" * 400,
    "-" + "9" * 60,
    "'; DROP TABLE questionnaires_answer; --",
    "1 OR 1=1",
    "<script>alert(1)</script>",
    '"><img src=x onerror=alert(1)>',
    "{{ request.user.password }}",
    "{% debug %}",
    "../../../etc/passwd",
    "\u202eevil",
    "🧪" * 50,
    "https://evil.example/",
    "//evil.example/",
]
ANY_TEXT = st.text(st.characters(exclude_categories=("Cs",)), max_size=300)
HUGE = st.builds(
    lambda char, size: char * size,
    st.sampled_from(["x", "é", "\x00", "𝔘", "9", "<"]),
    st.integers(5_000, 30_000),
)
NUMBERS = st.one_of(
    st.integers(-(10**30), 10**30).map(str),
    st.floats(allow_nan=True, allow_infinity=True).map(repr),
)
TEXT = st.one_of(st.sampled_from(NASTY), ANY_TEXT, NUMBERS, HUGE)
VALUE = st.one_of(TEXT, st.lists(TEXT, min_size=2, max_size=3))


def last(value) -> str:
    """What the app reads when one value is expected: the last one posted."""
    return value[-1] if isinstance(value, list) else value


def as_typed(value: str, limit: int) -> str:
    """What a draft keeps: the text, without NUL bytes, cut at the limit."""
    return str(value).replace("\x00", "")[:limit]


@contextmanager
def undone():
    """Roll back what one example did, so that every example starts alike."""
    with transaction.atomic():
        yield
        transaction.set_rollback(True)


def rows_of(model, response) -> list[tuple]:
    names = [f.attname for f in model._meta.concrete_fields]
    return list(
        model.objects.filter(response=response).order_by("pk").values_list(*names)
    )


def assert_no_server_error(reply) -> None:
    assert reply.status_code < 500, reply.status_code
    assert reply.status_code in (200, 302, 400, 404, 405, 409, 422), reply.status_code


# ===================================================================== intake


@pytest.fixture
def bobs_draft(bob):
    """Bob's questionnaire, with a row of each kind that Alice must never touch."""
    shipped_version()
    response = intake.send_questionnaire(client=bob, sent_by=None)
    Medication.objects.create(response=response, name="Bob's medicine")
    Supplement.objects.create(response=response, product="Bob's supplement")
    return response


@pytest.fixture
def draft(alice, bobs_draft):
    """Alice's questionnaire, with one row of each kind to aim at."""
    response = intake.send_questionnaire(client=alice, sent_by=None)
    Medication.objects.create(response=response, name="Alice's medicine")
    Supplement.objects.create(response=response, product="Alice's supplement")
    return response


@pytest.fixture
def alice_client(client, alice):
    client.force_login(alice.user)
    return client


def hostile_step_data(data, step: intake.Step, draft: Response, bobs: Response):
    """Hostile values for every field of one step, its rows and its actions."""
    post: dict[str, object] = {}
    for question in step.questions:
        if question.kind not in LIST_KINDS:
            post[f"q{question.pk}"] = data.draw(VALUE)
    for prefix, model, fields in (
        ("medication", Medication, intake.qforms.MedicationForm.draft_fields),
        ("supplement", Supplement, intake.qforms.SupplementForm.draft_fields),
    ):
        mine = [str(r.code) for r in model.objects.filter(response=draft)]
        theirs = str(model.objects.get(response=bobs).code)
        post[prefix] = [*mine, theirs, data.draw(TEXT)]
        for code in [*mine, theirs]:
            for name in fields:
                post[f"{prefix}-{code}-{name}"] = data.draw(VALUE)
    bob_med = Medication.objects.get(response=bobs).code
    bob_sup = Supplement.objects.get(response=bobs).code
    actions = st.sampled_from(
        [
            "continue",
            "later",
            "back",
            "add-medication",
            "add-supplement",
            f"remove-medication:{bob_med}",
            f"remove-supplement:{bob_sup}",
        ]
    )
    post["action"] = data.draw(st.one_of(actions, VALUE))
    post["return"] = data.draw(st.one_of(st.just("review"), VALUE))
    return post


CHOICE_KINDS = (
    QuestionKind.SINGLE_CHOICE,
    QuestionKind.YES_NO,
    QuestionKind.SYMPTOM_SCALE,
)


def assert_stored_safely(draft: Response, step: intake.Step, post: dict) -> None:
    """Answers are as typed where drafts are kept, and choices stay choices."""
    answers = {a.question_id: a.value for a in draft.answers.all()}
    for question in step.questions:
        if question.kind in LIST_KINDS:
            continue
        stored = answers.get(question.pk)
        posted = post[f"q{question.pk}"]
        choices = {
            QuestionKind.YES_NO: {"yes", "no"},
            QuestionKind.SYMPTOM_SCALE: {"0", "1", "2", "3"},
        }.get(question.kind) or {str(c[0]) for c in question.choices}
        if question.kind == QuestionKind.MULTIPLE_CHOICE:
            assert stored is None or set(stored) <= choices, (question.concept, stored)
        elif question.kind in CHOICE_KINDS:
            assert stored is None or stored in choices, (question.concept, stored)
        elif question.kind == QuestionKind.CONSENT:
            assert stored in (None, "yes")
            assert (draft.consent_at is not None) == (stored == "yes")
        else:
            expected = as_typed(last(posted), 5000) or None
            assert stored == expected, question.concept


def assert_rows_safe(draft: Response) -> None:
    for model in (Medication, Supplement):
        for row in model.objects.filter(response=draft):
            for f in model._meta.concrete_fields:
                value = getattr(row, f.attname)
                if isinstance(value, str):
                    assert "\x00" not in value, f.name
                    if f.max_length:
                        assert len(value) <= f.max_length, f.name
    for row in Supplement.objects.filter(response=draft):
        assert row.unit in SupplementUnit.values
        assert row.basis in AmountBasis.values


def step_numbers() -> list[int]:
    import tomllib

    from tests.intake_helpers import SHIPPED

    with SHIPPED.open("rb") as handle:
        return list(range(1, len(tomllib.load(handle)["section"]) + 1))


@pytest.mark.parametrize("number", step_numbers())
@pytest.mark.parametrize("via", ["step", "autosave"])
@HOSTILE
@given(data=st.data())
def test_a_step_survives_hostile_values_and_keeps_only_what_it_should(
    alice_client, draft, bobs_draft, number, via, data
):
    step = intake.steps_for(draft.version)[number - 1]
    bobs_before = (rows_of(Medication, bobs_draft), rows_of(Supplement, bobs_draft))
    with undone():
        post = hostile_step_data(data, step, draft, bobs_draft)
        url = step_url(draft, number) + ("autosave/" if via == "autosave" else "")
        reply = alice_client.post(url, post)
        assert_no_server_error(reply)
        draft.refresh_from_db()
        assert draft.is_editable
        assert (rows_of(Medication, bobs_draft), rows_of(Supplement, bobs_draft)) == (
            bobs_before
        )
        assert Medication.objects.filter(response=draft).count() <= 2
        assert Supplement.objects.filter(response=draft).count() <= 2
        if reply.status_code != 400:  # 400: the post was too big and was refused
            assert_stored_safely(draft, step, post)
        assert_rows_safe(draft)


@HOSTILE
@given(data=st.data())
def test_invalid_answers_never_submit(alice_client, draft, bobs_draft, data):
    bad_date = TEXT.filter(lambda v: not _is_a_past_date(v) and v.strip() != "")
    with undone():
        for step in intake.steps_for(draft.version):
            post = hostile_step_data(data, step, draft, bobs_draft)
            for question in step.questions:
                if question.concept == "date_of_birth":
                    post[f"q{question.pk}"] = data.draw(bad_date)
            post["action"] = "later"
            assert_no_server_error(
                alice_client.post(step_url(draft, step.number), post)
            )
        reply = alice_client.post(
            f"/q/{draft.code}/submit/", {"round": data.draw(VALUE)}
        )
        assert_no_server_error(reply)
        draft.refresh_from_db()
        assert draft.is_editable
        assert not draft.events.filter(kind=EventKind.SUBMITTED).exists()
        assert not Finding.objects.filter(response=draft).exists()


def _is_a_past_date(value: str) -> bool:
    try:
        PastDateField(required=False).clean(value)
    except Exception:  # noqa: BLE001 - any refusal means "not a date"
        return False
    return True


@pytest.fixture
def complete_draft(alice_client, draft):
    draft.medications.all().delete()
    draft.supplements.all().delete()
    answer_everything(alice_client, draft)
    return draft


@HOSTILE
@given(round_=VALUE)
def test_a_complete_questionnaire_submits_only_with_the_right_round(
    alice_client, complete_draft, round_
):
    draft = complete_draft
    with undone():
        reply = alice_client.post(f"/q/{draft.code}/submit/", {"round": round_})
        assert_no_server_error(reply)
        draft.refresh_from_db()
        try:
            right = int(last(round_)) == 0
        except ValueError:
            right = False
        assert draft.is_editable != right
        assert draft.events.filter(kind=EventKind.SUBMITTED).count() == int(right)
