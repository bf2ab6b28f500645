"""The follow-up questionnaire: sent from a case, filled in from the last visit,
checked on the client's facts as they are now, and shown as what changed."""

from __future__ import annotations

import re

import pytest
from django.core import mail
from django.utils import timezone

from questionnaires.advice import drafting
from questionnaires.followups import visits as followup
from questionnaires.intake import pages, sending, submitting
from questionnaires.models import (
    Adherence,
    AdviceDraft,
    Medication,
    PlanItem,
    Response,
    ResponseStatus,
    SinceLast,
)
from questionnaires.review.engine_facts import build_case_facts
from tests.intake_helpers import shipped_follow_up
from tests.review_helpers import MAGNESIUM, issued_record, submitted_case

ALENDRONIC = {"name": "Alendronic acid", "strength": "70 mg", "frequency": "weekly"}
CALCIUM = {
    "product": "Calcium carbonate",
    "nutrient": "calcium",
    "form": "carbonate",
    "amount": "500",
    "unit": "mg",
    "per_day": "1",
}


@pytest.fixture
def first_visit(alice):
    """Alice's intake: alendronic acid with magnesium and calcium, cramps, and
    an issued summary whose plan suggests vitamin D."""
    shipped_follow_up()
    case = submitted_case(
        alice,
        medications=[ALENDRONIC],
        supplements=[MAGNESIUM, CALCIUM],
        symptoms={"muscle_cramps": "3", "fatigue": "2"},
        conditions=["osteoporosis"],
    )
    draft = AdviceDraft.objects.create(response=case, key_points="Eat more greens")
    PlanItem.objects.create(
        advice=draft, product="Vitamin D3", nutrient="vitamin D", amount="10",
        unit="mcg", timing="breakfast", position=1,
    )  # fmt: skip
    issued_record(case)
    case.consent_at = timezone.now()  # as the intake's pages record it
    case.save(update_fields=["consent_at"])
    return case


def send(case: Response) -> Response:
    return sending.send_questionnaire(
        client=case.client, sent_by=case.client.practitioner.user, follows=case
    )


def by_concept(response: Response) -> dict:
    return {a.question.concept: a.value for a in response.answers.all()}


def test_the_follow_up_starts_with_the_last_visits_answers(first_visit):
    follow_up = send(first_visit)
    assert follow_up.version.questionnaire.key == "followup"
    medicines = list(follow_up.medications.all())
    assert [(m.name, m.since_last) for m in medicines] == [
        ("Alendronic acid", SinceLast.TAKING)
    ]
    assert medicines[0].previous == first_visit.medications.get()
    supplements = list(follow_up.supplements.all())
    assert [(s.product, s.amount, s.since_last) for s in supplements] == [
        ("Magnesium Citrate", "150", SinceLast.TAKING),
        ("Calcium carbonate", "500", SinceLast.TAKING),
    ]
    answers = by_concept(follow_up)
    assert answers["symptom:muscle_cramps"] == "3"
    assert answers["symptom:fatigue"] == "2"
    # "Anything else" is this visit's to say.
    assert "anything_else" not in answers
    assert [p.item for p in follow_up.plan_adherence.all()] == [
        "Vitamin D3 10 mcg, 1 a day, with breakfast"
    ]


def test_sending_invites_the_client_by_email_without_health_data(
    first_visit, django_capture_on_commit_callbacks
):
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        send(first_visit)
    (email,) = mail.outbox
    assert "follow-up" in email.subject
    assert "Alendronic" not in email.body and "Calcium" not in email.body


def submit(response: Response) -> Response:
    assert submitting.submit(
        response=response, by=response.client.user, expected_round=0
    ), pages.problems(response)
    response.refresh_from_db()
    return response


def test_findings_are_computed_on_the_clients_current_facts(first_visit):
    first_rules = set(first_visit.findings.values_list("rule", flat=True))
    assert {"ca-bisphosphonates", "mg-bisphosphonates"} <= first_rules
    assert "mg-levothyroxine" not in first_rules

    follow_up = send(first_visit)
    follow_up.supplements.filter(product="Calcium carbonate").update(
        since_last=SinceLast.STOPPED
    )
    Medication.objects.create(
        response=follow_up, position=9, name="Levothyroxine", strength="100 mcg"
    )
    submit(follow_up)

    rules = set(follow_up.findings.current().values_list("rule", flat=True))
    assert "ca-bisphosphonates" not in rules  # the calcium was stopped
    assert "mg-bisphosphonates" in rules  # the magnesium was not
    assert "mg-levothyroxine" in rules  # the new medicine with the magnesium
    assert follow_up.status == ResponseStatus.SUBMITTED


def test_what_the_follow_up_does_not_ask_comes_from_the_visit_before(first_visit):
    follow_up = submit(send(first_visit))
    facts = build_case_facts(follow_up)
    assert facts.sex == "female"
    assert facts.age is not None and facts.age >= 74
    assert facts.conditions == ("osteoporosis",)
    assert facts.symptoms["muscle_cramps"] == 3


def test_an_unanswered_follow_up_question_is_not_filled_from_the_last_visit(
    first_visit,
):
    follow_up = send(first_visit)
    follow_up.answers.filter(question__concept="symptom:fatigue").delete()
    answers = followup.visit_answers(follow_up)
    assert "symptom:fatigue" not in answers
    assert answers["sex"] == "female"


def test_changes_list_what_was_started_stopped_changed_and_how_the_plan_went(
    first_visit,
):
    follow_up = send(first_visit)
    follow_up.supplements.filter(product="Calcium carbonate").update(
        since_last=SinceLast.STOPPED
    )
    follow_up.supplements.filter(product="Magnesium Citrate").update(
        amount="300", since_last=SinceLast.CHANGED
    )
    Medication.objects.create(response=follow_up, position=9, name="Levothyroxine")
    follow_up.plan_adherence.update(answer=Adherence.SIDE_EFFECTS, note="Headaches")

    found = followup.changes(follow_up)
    assert [c.now for c in found.added] == ["Levothyroxine"]
    assert [c.now for c in found.stopped] == ["Calcium carbonate, 500 mg, 1 a day"]
    assert [(c.now, c.was) for c in found.changed] == [
        ("Magnesium Citrate, 300 mg, 2 a day", "Magnesium Citrate, 150 mg, 2 a day")
    ]
    assert [c.now for c in found.unchanged] == ["Alendronic acid 70 mg, weekly"]
    assert [(p.answer, p.note) for p in found.plan] == [
        (Adherence.SIDE_EFFECTS, "Headaches")
    ]


def test_the_follow_ups_advice_starts_from_the_last_and_issues_the_next_version(
    first_visit, priya
):
    follow_up = submit(send(first_visit))
    draft = drafting.draft_for(response=follow_up, by=priya.user)
    assert draft.key_points == "Eat more greens"
    assert [row.product for row in draft.plan.all()] == ["Vitamin D3"]
    assert draft.changes == "" and draft.checked_plan == ""
    assert drafting.client_summaries(follow_up).count() == 1


# --- the practitioner's pages ----------------------------------------------------


def test_priya_sends_a_follow_up_from_the_case_page(client, priya, first_visit):
    client.force_login(priya.user)
    page = client.get(f"/cases/{first_visit.code}/").content.decode()
    assert "Send a follow-up questionnaire" in page
    reply = client.post(f"/cases/{first_visit.code}/follow-up/", follow=True)
    assert "can now fill in the follow-up questionnaire" in reply.content.decode()
    follow_up = first_visit.follow_ups.get()
    assert follow_up.is_editable
    # A second post (a double click) sends nothing more.
    client.post(f"/cases/{first_visit.code}/follow-up/")
    assert Response.objects.filter(client=first_visit.client).count() == 2


def test_no_follow_up_before_an_advice_summary_is_issued(client, priya, alice):
    shipped_follow_up()
    case = submitted_case(alice, supplements=[MAGNESIUM])
    client.force_login(priya.user)
    assert "Send a follow-up" not in client.get(f"/cases/{case.code}/").content.decode()
    reply = client.post(f"/cases/{case.code}/follow-up/", follow=True)
    assert "Issue an advice summary first" in reply.content.decode()
    assert not case.follow_ups.exists()


def test_anonymous_people_are_sent_to_sign_in_and_nothing_is_sent(client, first_visit):
    reply = client.post(f"/cases/{first_visit.code}/follow-up/")
    assert reply.status_code == 302 and "/accounts/login/" in reply["Location"]
    assert not first_visit.follow_ups.exists()


@pytest.mark.parametrize("who", ["alice", "bob", "omar"])
def test_a_client_or_another_practitioner_gets_404(client, request, first_visit, who):
    person = request.getfixturevalue(who)
    client.force_login(person.user)
    assert client.post(f"/cases/{first_visit.code}/follow-up/").status_code == 404
    assert not first_visit.follow_ups.exists()


def test_the_follow_ups_case_page_shows_the_changes_and_both_visits(
    client, priya, first_visit, django_assert_max_num_queries
):
    follow_up = send(first_visit)
    follow_up.supplements.filter(product="Calcium carbonate").update(
        since_last=SinceLast.STOPPED
    )
    Medication.objects.create(response=follow_up, position=9, name="Levothyroxine")
    follow_up.answers.filter(question__concept="symptom:muscle_cramps").update(
        value="1"
    )
    follow_up.plan_adherence.update(answer=Adherence.AS_ADVISED)
    submit(follow_up)
    client.force_login(priya.user)
    client.get(f"/cases/{follow_up.code}/")  # opening it starts the review
    with django_assert_max_num_queries(50):  # 45 measured; an intake's is 31
        page = client.get(f"/cases/{follow_up.code}/").content.decode()
    assert "Since the last visit" in page
    assert "Started" in page and "Levothyroxine" in page
    assert "Stopped" in page and "Calcium carbonate, 500 mg, 1 a day" in page
    assert "I take it as advised" in page
    # Conditions and goals come from the first visit.
    assert "Osteoporosis" in page and "Sleep better" in page
    # The chart compares with the first visit: cramps went from 3 to 1.
    assert "down 2" in page
    # It asks no consent: the first visit's is shown.
    assert "(with the questionnaire of" in page
    assert "Consent: not recorded" not in page
    # The first visit's case links to the follow-up.
    first_page = client.get(f"/cases/{first_visit.code}/").content.decode()
    assert "open the follow-up" in first_page


# --- the client's pages ------------------------------------------------------------


def test_alice_sees_her_medicines_to_confirm_and_stops_one_by_posting(
    client, alice, first_visit
):
    follow_up = send(first_visit)
    client.force_login(alice.user)
    page = client.get(f"/q/{follow_up.code}/step/2/").content.decode()
    calcium = follow_up.supplements.get(product="Calcium carbonate")
    assert "Supplement 2: Calcium carbonate" in page
    assert "I have stopped it" in page
    assert f'name="supplement-{calcium.code}-since_last" value="taking"' in page
    reply = client.post(
        f"/q/{follow_up.code}/step/2/autosave/",
        {
            "_saver": "1",
            "_changed": f"supplement-{calcium.code}-since_last",
            f"_base:supplement-{calcium.code}-since_last": "taking",
            f"supplement-{calcium.code}-since_last": "stopped",
        },
        headers={"X-Saver": "1"},
    )
    assert reply.json()["conflicts"] == []
    calcium.refresh_from_db()
    assert calcium.since_last == SinceLast.STOPPED
    plan_page = client.get(f"/q/{follow_up.code}/step/3/").content.decode()
    assert "Vitamin D3 10 mcg, 1 a day, with breakfast" in plan_page
    assert "I take it, but it gives me side effects" in plan_page


def test_a_stopped_row_is_not_checked_for_mistakes(alice, first_visit):
    follow_up = send(first_visit)
    follow_up.supplements.filter(product="Calcium carbonate").update(
        amount="lots", since_last=SinceLast.STOPPED
    )
    assert pages.problems(follow_up) == []
    follow_up.supplements.filter(product="Calcium carbonate").update(
        since_last=SinceLast.CHANGED
    )
    (problem,) = pages.problems(follow_up)
    assert "amount" in " ".join(problem.messages)


def test_a_third_visit_shows_every_visits_scores(client, priya, first_visit):
    second = send(first_visit)
    second.answers.filter(question__concept="symptom:muscle_cramps").update(value="2")
    submit(second)
    third = send(second)
    assert third.medications.get().previous == second.medications.get()
    third.answers.filter(question__concept="symptom:muscle_cramps").update(value="0")
    submit(third)
    client.force_login(priya.user)
    page = client.get(f"/cases/{third.code}/").content.decode()
    table = page[page.index('id="visit-table-caption"') :]
    table = table[: table.index("</table>")]
    muscles = table[table.index("Muscles") :]
    muscles = muscles[: muscles.index("</tr>")]
    # 3, then 2, then 0: down 3 since the first visit.
    assert re.findall(r">(\d+)</td>", muscles) == ["3", "2", "0"]
    assert "down" in muscles and ">3</span>" in muscles


def test_alices_portal_offers_the_follow_up_and_marks_version_1_replaced(
    client, alice, first_visit
):
    follow_up = send(first_visit)
    client.force_login(alice.user)
    page = client.get("/portal/").content.decode()
    assert "Your follow-up questionnaire" in page
    assert "filled in with what you told us last time" in page
    submit(follow_up)
    issued_record(follow_up, version=2)
    page = client.get("/portal/").content.decode()
    assert "Version 1, replaced" in page
    assert "Replaced by version 2" in page
    assert page.index("version 2 (PDF)") < page.index("Version 1, replaced")


def test_alices_data_export_holds_her_follow_up_answers(first_visit, alice):
    from practice.privacy import client_data

    follow_up = send(first_visit)
    follow_up.supplements.filter(product="Calcium carbonate").update(
        since_last=SinceLast.STOPPED
    )
    follow_up.plan_adherence.update(answer=Adherence.STOPPED, note="Upset stomach")
    exported = client_data(alice)["responses"][-1]
    assert exported["questionnaire"] == "Follow-up questionnaire"
    assert exported["supplements"][1]["since_last_time"] == "I have stopped it"
    assert exported["supplement_plan"] == [
        {
            "item": "Vitamin D3 10 mcg, 1 a day, with breakfast",
            "how_it_is_going": "I have stopped it",
            "note": "Upset stomach",
        }
    ]


def test_a_follow_up_with_many_entries_costs_no_more_queries(client, priya, alice):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from tests.factories import ClientFactory

    shipped_follow_up()
    client.force_login(priya.user)
    counts = []
    for person, medicines in ((alice, 1), (ClientFactory(practitioner=priya), 12)):
        case = submitted_case(
            person,
            medications=[{"name": f"Medicine {n}"} for n in range(medicines)],
            supplements=[MAGNESIUM] * medicines,
        )
        issued_record(case)
        follow_up = submit(send(case))
        client.get(f"/cases/{follow_up.code}/")
        with CaptureQueriesContext(connection) as queries:
            client.get(f"/cases/{follow_up.code}/")
        counts.append(len(queries))
    assert counts[0] == counts[1]
