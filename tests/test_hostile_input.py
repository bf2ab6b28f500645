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
from urllib.parse import quote

import pytest
from django.db import transaction
from hypothesis import HealthCheck, Phase, example, given, settings
from hypothesis import strategies as st

from questionnaires.advice.forms import PLAN_FIELDS
from questionnaires.intake import sending
from questionnaires.intake.entry_forms import MedicationForm, SupplementForm
from questionnaires.intake.fields import PastDateField
from questionnaires.intake.forms import LIST_KINDS, parts_field
from questionnaires.intake.rows import (
    AmountBasis,
    SupplementUnit,
)
from questionnaires.models import (
    ActionKind,
    AdviceDraft,
    AdviceSnippet,
    Answer,
    CaseNote,
    Decision,
    EventKind,
    Finding,
    IssuedSummary,
    Medication,
    PlanItem,
    QuestionKind,
    Response,
    ResponseStatus,
    ReviewAction,
    SnippetSection,
    Step,
    Supplement,
    Timing,
)
from tests.fuzzing import examples
from tests.intake_helpers import answer_everything, shipped_version, step_url
from tests.review_helpers import MAGNESIUM, submitted_case

# No shrinking: each example is a few requests, and shrinking a failure took
# minutes. The failing example is printed as found.
HOSTILE = settings(
    phases=[Phase.explicit, Phase.reuse, Phase.generate],
    max_examples=examples(25),
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
    response = sending.send_questionnaire(client=bob, sent_by=None)
    Medication.objects.create(response=response, name="Bob's medicine")
    Supplement.objects.create(response=response, product="Bob's supplement")
    return response


@pytest.fixture
def draft(alice, bobs_draft):
    """Alice's questionnaire, with one row of each kind to aim at."""
    response = sending.send_questionnaire(client=alice, sent_by=None)
    Medication.objects.create(response=response, name="Alice's medicine")
    Supplement.objects.create(response=response, product="Alice's supplement")
    return response


@pytest.fixture
def alice_client(client, alice):
    client.force_login(alice.user)
    return client


def hostile_step_data(data, step: Step, draft: Response, bobs: Response):
    """Hostile values for every field of one step, its rows and its actions."""
    post: dict[str, object] = {}
    for question in step.questions:
        field = parts_field(question)
        if field is not None:  # several boxes: day, month, year; cm or ft and in
            for part in field.parts:
                post[f"q{question.pk}_{part.suffix}"] = data.draw(VALUE)
        elif question.kind not in LIST_KINDS:
            post[f"q{question.pk}"] = data.draw(VALUE)
    for prefix, model, fields in (
        ("medication", Medication, MedicationForm.draft_fields),
        ("supplement", Supplement, SupplementForm.draft_fields),
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


def assert_stored_safely(draft: Response, step: Step, post: dict) -> None:
    """Answers are as typed where drafts are kept, and choices stay choices."""
    answers = {a.question_id: a.value for a in draft.answers.all()}
    for question in step.questions:
        if question.kind in LIST_KINDS:
            continue
        stored = answers.get(question.pk)
        field = parts_field(question)
        if field is not None:
            boxes = [last(post[f"q{question.pk}_{p.suffix}"]) for p in field.parts]
            assert stored == field.compose(boxes), question.concept
            continue
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
    step = draft.version.steps()[number - 1]
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


@settings(HOSTILE, max_examples=examples(10))  # each example fills in all eleven steps
@given(data=st.data())
def test_invalid_answers_never_submit(alice_client, draft, bobs_draft, data):
    bad_date = TEXT.filter(lambda v: not _is_a_past_date(v) and v.strip() != "")
    with undone():
        for step in draft.version.steps():
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
        field = PastDateField(required=False)
        field.clean(list(field.split(value)))  # as stored from one box, then checked
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
@example(round_="0.0")  # Django's IntegerField reads it as 0; the round is not
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


# ===================================================================== review

LEVOTHYROXINE = {"name": "Levothyroxine", "strength": "100 mcg"}
DECISIONS = st.one_of(
    st.sampled_from(["acknowledged", "dismissed", "undecided"]), VALUE
)


@pytest.fixture
def case(alice):
    """Alice's submitted case, with findings about levothyroxine and magnesium."""
    return submitted_case(alice, medications=[LEVOTHYROXINE], supplements=[MAGNESIUM])


@pytest.fixture
def bobs_case(bob):
    """Bob's case, with advice, a plan row and a note that must never change."""
    response = submitted_case(bob, medications=[LEVOTHYROXINE])
    draft = AdviceDraft.objects.create(response=response, key_points="Bob's advice")
    PlanItem.objects.create(advice=draft, product="Bob's plan")
    CaseNote.objects.create(response=response, author=bob.practitioner.user, text="x")
    return response


@pytest.fixture
def priya_client(client, priya, case, bobs_case):
    client.force_login(priya.user)
    assert client.get(f"/cases/{case.code}/").status_code == 200
    return client


def everything_of(response: Response) -> list:
    """Every row that hangs off a case, to prove that it did not change."""
    return [
        rows_of(model, response)
        for model in (Answer, Medication, Supplement, Finding, ReviewAction, CaseNote)
    ] + [
        list(AdviceDraft.objects.filter(response=response).values_list()),
        list(PlanItem.objects.filter(advice__response=response).values_list()),
        list(Response.objects.filter(pk=response.pk).values_list()),
    ]


def assert_safe_redirect(reply) -> None:
    if reply.status_code == 302:
        location = reply["Location"]
        assert location.startswith("/") and not location.startswith("//"), location


@HOSTILE
@given(
    decision=DECISIONS,
    note=VALUE,
    return_to=VALUE,
    htmx=st.booleans(),
)
def test_a_decision_is_recorded_only_when_it_is_one_of_the_two(
    priya_client, case, bobs_case, decision, note, return_to, htmx
):
    finding = case.findings.order_by("pk").first()
    bobs = everything_of(bobs_case)
    headers = {"HX-Request": "true"} if htmx else {}
    with undone():
        reply = priya_client.post(
            f"/findings/{finding.code}/decide/",
            {"decision": decision, "note": note, "return_to": return_to},
            headers=headers,
        )
        assert_no_server_error(reply)
        assert_safe_redirect(reply)
        finding.refresh_from_db()
        typed = as_typed(last(note), 10**6).strip()
        chosen = last(decision)
        accepted = chosen == "acknowledged" or (chosen == "dismissed" and typed)
        if accepted:
            assert (finding.decision, finding.decision_note) == (chosen, typed)
        else:
            assert finding.decision == Decision.UNDECIDED
            assert not ReviewAction.objects.filter(finding=finding).exists()
        assert everything_of(bobs_case) == bobs


@HOSTILE
@given(data=VALUE, htmx=st.booleans())
def test_undo_takes_back_a_decision_whatever_else_is_posted(
    priya_client, case, data, htmx
):
    finding = case.findings.order_by("pk").first()
    headers = {"HX-Request": "true"} if htmx else {}
    with undone():
        priya_client.post(
            f"/findings/{finding.code}/decide/", {"decision": "acknowledged"}
        )
        reply = priya_client.post(
            f"/findings/{finding.code}/undo/",
            {"return_to": data, "decision": data, "note": data},
            headers=headers,
        )
        assert_no_server_error(reply)
        assert_safe_redirect(reply)
        finding.refresh_from_db()
        assert finding.decision == Decision.UNDECIDED
        assert (
            ReviewAction.objects.filter(finding=finding, kind=ActionKind.UNDONE).count()
            == 1
        )


@HOSTILE
@given(
    kind=st.one_of(st.sampled_from(["medication", "supplement"]), TEXT),
    substance=st.one_of(st.sampled_from(["lisinopril", "magnesium", ""]), VALUE),
)
def test_a_hand_match_names_a_known_substance_or_changes_nothing(
    priya_client, case, bobs_case, kind, substance
):
    from questionnaires.interactions import knowledge as knowledge_base

    known = knowledge_base.load()
    row = case.medications.get()
    bobs = everything_of(bobs_case)
    path_kind = quote(kind, safe="") or "medication"
    with undone():
        reply = priya_client.post(
            f"/cases/{case.code}/{path_kind}/{row.code}/match/",
            {"substance": substance},
        )
        assert_no_server_error(reply)
        row.refresh_from_db()
        chosen = last(substance)
        valid = chosen == "" or chosen in known.drugs or chosen in known.nutrients
        if path_kind == "medication" and valid:
            assert row.matched_as == chosen
        else:
            assert row.matched_as == ""
        assert row.matched_as in ("", *known.drugs, *known.nutrients)
        assert case.supplements.get().matched_as == ""
        assert everything_of(bobs_case) == bobs


@HOSTILE
@given(text=VALUE)
def test_a_note_keeps_what_was_written_and_refuses_nothing_but_empty(
    priya_client, case, bobs_case, text
):
    bobs = everything_of(bobs_case)
    with undone():
        reply = priya_client.post(f"/cases/{case.code}/notes/", {"text": text})
        assert_no_server_error(reply)
        written = as_typed(last(text), 10**6).strip()
        notes = list(case.notes.values_list("text", flat=True))
        assert notes == ([written] if written else [])
        assert everything_of(bobs_case) == bobs


@HOSTILE
@given(message=VALUE)
def test_reopening_needs_a_short_plain_message(priya_client, case, message):
    with undone():
        reply = priya_client.post(
            f"/responses/{case.code}/reopen/", {"message": message}
        )
        assert_no_server_error(reply)
        case.refresh_from_db()
        typed = str(last(message)).strip()
        valid = 0 < len(typed) <= 2000 and "\x00" not in typed
        assert (case.status == ResponseStatus.REOPENED) == valid
        assert case.reopen_message == (typed if valid else "")


@HOSTILE
@given(match=VALUE, q=VALUE)
def test_the_case_page_survives_any_search(priya_client, case, match, q):
    with undone():
        reply = priya_client.get(f"/cases/{case.code}/", {"match": match, "q": q})
        assert reply.status_code == 200


# ===================================================================== advice

ADVICE_TEXT = ("key_points", "diet", "lifestyle", "gp_notes", "follow_up")


@pytest.fixture
def advice_draft(priya_client, case, priya):
    """Alice's advice draft with one plan row, and a snippet of Priya's."""
    priya_client.post(f"/cases/{case.code}/advice/", {"action": "add-plan"})
    AdviceSnippet.objects.create(
        owner=priya, section=SnippetSection.DIET, title="Fish", text="Oily fish."
    )
    return case.advice


def hostile_advice_data(data, draft, bobs_case):
    plan = list(draft.plan.all())
    bobs_row = PlanItem.objects.get(advice__response=bobs_case)
    post: dict[str, object] = {name: data.draw(VALUE) for name in ADVICE_TEXT}
    post["plan"] = [*(str(r.code) for r in plan), str(bobs_row.code), data.draw(TEXT)]
    for code in [*(r.code for r in plan), bobs_row.code]:
        for name in PLAN_FIELDS:
            post[f"plan-{code}-{name}"] = data.draw(VALUE)
    section = data.draw(st.one_of(st.sampled_from(SnippetSection.values), TEXT))
    actions = st.sampled_from(
        [
            "save",
            "add-plan",
            f"remove-plan:{plan[0].code}",
            f"remove-plan:{bobs_row.code}",
            f"insert:{section}",
            f"snippet:{section}",
        ]
    )
    post["action"] = data.draw(st.one_of(actions, VALUE))
    snippet = AdviceSnippet.objects.first()
    post[f"snippet-{section}"] = data.draw(st.one_of(st.just(str(snippet.pk)), VALUE))
    post[f"snippet-title-{section}"] = data.draw(VALUE)
    return post


@HOSTILE
@given(data=st.data())
def test_the_advice_editor_keeps_drafts_as_typed_and_plan_choices_in_range(
    priya_client, case, bobs_case, advice_draft, priya, data
):
    bobs = everything_of(bobs_case)
    mine = everything_of(case)
    snippets = AdviceSnippet.objects.count()
    with undone():
        post = hostile_advice_data(data, advice_draft, bobs_case)
        reply = priya_client.post(f"/cases/{case.code}/advice/", post)
        assert_no_server_error(reply)
        if reply.status_code == 400:  # refused as too big to read: nothing saved
            assert everything_of(case) == mine
            return
        advice_draft.refresh_from_db()
        action = str(last(post["action"]))
        kind, _, target = action.partition(":")
        for name in ADVICE_TEXT:
            if kind == "insert" and target == name:
                continue  # a snippet may have been added to what was typed
            assert getattr(advice_draft, name) == as_typed(last(post[name]), 20000)
        rows = list(advice_draft.plan.all())
        assert len(rows) <= 2
        for row in rows:
            assert row.unit in SupplementUnit.values
            assert row.timing in Timing.values
            for f in PlanItem._meta.concrete_fields:
                value = getattr(row, f.attname)
                if isinstance(value, str):
                    assert "\x00" not in value and len(value) <= f.max_length
        assert AdviceSnippet.objects.count() <= snippets + 1
        for snippet in AdviceSnippet.objects.all():
            assert snippet.owner == priya
            assert "\x00" not in snippet.title + snippet.text
            assert 0 < len(snippet.title) <= 120
        assert everything_of(bobs_case) == bobs


@settings(HOSTILE, max_examples=examples(10))
@given(data=VALUE)
def test_nothing_is_issued_without_advice_whatever_is_posted(
    priya_client, case, advice_draft, data
):
    """Only an empty plan row and blank sections: there is nothing to issue."""
    advice_draft.key_points = " \n "
    advice_draft.save()
    with undone():
        reply = priya_client.post(
            f"/cases/{case.code}/advice/issue/", {"action": data, "version": data}
        )
        assert_no_server_error(reply)
        assert not IssuedSummary.objects.exists()


@pytest.mark.parametrize("chosen", ["abc", "9" * 30, "-1", "1.5", "١", "1 OR 1=1"])
def test_a_snippet_choice_that_is_not_a_number_inserts_nothing(
    priya_client, case, advice_draft, chosen
):
    reply = priya_client.post(
        f"/cases/{case.code}/advice/",
        {"diet": "Typed", "snippet-diet": chosen, "action": "insert:diet"},
        follow=True,
    )
    assert reply.status_code == 200
    assert "Choose a saved snippet to insert." in reply.content.decode()
    advice_draft.refresh_from_db()
    assert advice_draft.diet == "Typed"
