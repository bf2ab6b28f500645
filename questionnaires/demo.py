"""Demo questionnaires: Alice part-way through, three submitted cases from the
situations the practice sees, and George's follow-up six weeks later, so the
review screens have real work to show.

Used by `seed_demo` only (development). Every case is answered through the same
validation and submission as a real client's, so its findings are the engine's.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

from django.db import transaction

from practice.models import Client, Practitioner, Role, User
from questionnaires.followups import visits as followup
from questionnaires.intake import sending, submitting
from questionnaires.models import (
    Adherence,
    AdviceDraft,
    Answer,
    Medication,
    PlanItem,
    Response,
    SinceLast,
    Supplement,
)

GEORGE = "george@example.com"


@dataclass
class DemoCase:
    email: str
    name: str
    born: datetime.date
    answers: dict[str, object]
    medications: list[dict[str, str]] = field(default_factory=list)
    supplements: list[dict[str, str]] = field(default_factory=list)
    symptoms: dict[str, str] = field(default_factory=dict)


def _common(**overrides: object) -> dict[str, object]:
    answers: dict[str, object] = {
        "pregnant": "no",
        "breastfeeding": "no",
        "smoking": "never",
        "stress_level": "a_little",
        "sleep_hours": "7",
        "caffeine_drinks_per_day": "2",
        "water_glasses_per_day": "5",
        "consent": "yes",
    }
    answers.update(overrides)
    return answers


CASES = [
    DemoCase(
        email="margaret@example.com",
        name="Margaret Mills",
        born=datetime.date(1952, 6, 3),  # 74
        answers=_common(
            sex="female",
            height_cm="158",
            weight_kg="54",
            conditions=["osteoporosis", "osteoarthritis"],
            diet_pattern="vegetarian",
            typical_day="Porridge with milk; a cheese sandwich; vegetable curry.",
            alcohol_units_per_week="4",
            goals="Keep my bones strong and sleep better; I get cramp in my legs.",
        ),
        medications=[
            {
                "name": "Alendronic acid",
                "strength": "70 mg",
                "frequency": "once a week, Monday mornings",
                "since": "2021",
                "reason": "osteoporosis",
            },
        ],
        supplements=[
            {
                "product": "Magnesium Citrate",
                "nutrient": "magnesium",
                "form": "citrate",
                "amount": "150",
                "unit": "mg",
                "per_day": "2",
            },
            {
                "product": "Calcium 600 mg",
                "nutrient": "calcium",
                "form": "carbonate",
                "amount": "600",
                "unit": "mg",
                "per_day": "1",
            },
        ],
        symptoms={
            "muscle_cramps": "2",
            "joint_pain": "2",
            "waking_at_night": "2",
            "fatigue": "1",
            "constipation": "1",
        },
    ),
    DemoCase(
        email="linda@example.com",
        name="Linda Lowe",
        born=datetime.date(1958, 10, 21),
        answers=_common(
            sex="female",
            height_cm="165",
            weight_kg="70",
            conditions=["hypertension", "breast_cancer", "menopause"],
            diet_pattern="omnivore",
            alcohol_units_per_week="6",
            goals="More energy, and to help my joints while I am on letrozole.",
        ),
        medications=[
            {
                "name": "Lisinopril",
                "strength": "10 mg",
                "frequency": "once a day",
                "since": "2019",
                "reason": "blood pressure",
            },
            {
                "name": "Letrozole",
                "strength": "2.5 mg",
                "frequency": "once a day",
                "since": "2024",
                "reason": "breast cancer",
            },
        ],
        supplements=[
            {
                "product": "Magnesium Bisglycinate",
                "nutrient": "magnesium",
                "form": "glycinate",
                "amount": "200",
                "unit": "mg",
                "per_day": "1",
            },
        ],
        symptoms={
            "joint_pain": "3",
            "morning_stiffness": "2",
            "fatigue": "2",
            "hot_flushes": "2",
            "dizziness": "1",
        },
    ),
    DemoCase(
        email=GEORGE,
        name="George Green",
        born=datetime.date(1949, 2, 11),  # 77
        answers=_common(
            sex="male",
            height_cm="175",
            weight_kg="78",
            conditions=["hypothyroidism", "cardiovascular_disease"],
            diet_pattern="pescatarian",
            alcohol_units_per_week="10",
            goals="Keep my heart healthy and find out if my supplements are right.",
        ),
        medications=[
            {
                "name": "Levothyroxine",
                "strength": "100 micrograms",
                "frequency": "every morning",
                "since": "2010",
                "reason": "underactive thyroid",
            },
            {
                "name": "Aspirin",
                "strength": "75 mg",
                "frequency": "once a day",
                "since": "2018",
                "reason": "heart",
            },
        ],
        supplements=[
            {
                "product": "Omega-3 Fish Oil 1000 mg",
                "nutrient": "fish oil",
                "form": "",
                "amount": "1000",
                "unit": "mg",
                "per_day": "2",
            },
            {
                "product": "Magnesium 250",
                "nutrient": "magnesium",
                "form": "oxide",
                "amount": "250",
                "unit": "mg",
                "per_day": "1",
            },
        ],
        symptoms={
            "fatigue": "2",
            "feeling_cold": "2",
            "easy_bruising": "1",
            "persistent_heartburn": "1",
            "poor_memory": "1",
        },
    ),
]


def seed(*, priya: Practitioner, alice: Client) -> list[Client]:
    """Give Alice a questionnaire in progress, Priya three submitted cases, and
    George a submitted follow-up."""
    sending.current_version()  # fail early if nothing is published
    sending.current_version(followup.FOLLOW_UP_KEY)
    clients = []
    with transaction.atomic():
        for case in CASES:
            clients.append(_seed_case(case, priya))
        _alice_in_progress(alice, priya)
        george = next(c for c in clients if c.user.email == GEORGE)
        _george_follows_up(george, priya)
    return clients


def _seed_case(case: DemoCase, practitioner: Practitioner) -> Client:
    user, _ = User.objects.update_or_create(
        email=case.email, defaults={"full_name": case.name, "role": Role.CLIENT}
    )
    user.set_password("cofactor-demo")
    user.save(update_fields=["password"])
    client, _ = Client.objects.update_or_create(
        user=user, defaults={"practitioner": practitioner, "date_of_birth": case.born}
    )
    if client.responses.exists():
        return client  # already seeded: leave its answers and decisions alone
    response = sending.send_questionnaire(client=client, sent_by=practitioner.user)
    answers = {
        **case.answers,
        "date_of_birth": case.born.isoformat(),
        **{f"symptom:{k}": v for k, v in case.symptoms.items()},
    }
    _fill(response, answers)
    for symptom in response.version.questions.filter(concept__startswith="symptom:"):
        Answer.objects.get_or_create(
            response=response, question=symptom, defaults={"value": "0"}
        )
    for i, row in enumerate(case.medications):
        Medication.objects.create(response=response, position=i, **row)
    for i, row in enumerate(case.supplements):
        Supplement.objects.create(response=response, position=i, **row)
    submitting.submit(response=response, by=user, expected_round=0)
    return client


def _fill(response: Response, answers: dict[str, object]) -> None:
    questions = {q.concept: q for q in response.version.questions.all()}
    Answer.objects.bulk_create(
        Answer(response=response, question=questions[concept], value=value)
        for concept, value in answers.items()
    )
    response.step_reached = response.version.sections.count()
    response.save(update_fields=["step_reached"])


def _alice_in_progress(alice: Client, practitioner: Practitioner) -> None:
    if alice.responses.exists():
        return
    response = sending.send_questionnaire(client=alice, sent_by=practitioner.user)
    _fill(
        response,
        {
            "date_of_birth": "1952-03-14",
            "sex": "female",
            "pregnant": "no",
            "breastfeeding": "no",
            "conditions": ["hypertension"],
        },
    )
    response.step_reached = 3
    response.save(update_fields=["step_reached"])
    Medication.objects.create(
        response=response,
        position=0,
        name="Amlodipine",
        strength="5 mg",
        frequency="once a day",
    )


def _george_follows_up(george: Client, practitioner: Practitioner) -> None:
    """Six weeks on: George's GP has started omeprazole for his heartburn, he has
    stopped the magnesium oxide, and he takes the vitamin D of his plan.

    The demo does not issue his first summary (that would write a PDF each time
    the demo is seeded); his first visit has the advice written, which is what the
    follow-up asks about.
    """
    first = george.responses.filter(follows__isnull=True).first()
    if first is None or first.follow_ups.exists():
        return  # already seeded
    draft, _ = AdviceDraft.objects.get_or_create(
        response=first,
        defaults={"key_points": "Keep the fish oil; we will look at it again."},
    )
    if not draft.plan.exists():
        PlanItem.objects.create(
            advice=draft, position=1, product="Vitamin D3", nutrient="vitamin D",
            amount="10", unit="mcg", timing="breakfast", duration="3 months",
        )  # fmt: skip
    response = sending.send_questionnaire(
        client=george, sent_by=practitioner.user, follows=first
    )
    response.supplements.filter(product="Magnesium 250").update(
        since_last=SinceLast.STOPPED
    )
    Medication.objects.create(
        response=response,
        position=10,
        name="Omeprazole",
        strength="20 mg",
        frequency="once a day",
        since="last month",
        reason="heartburn",
    )
    response.plan_adherence.update(answer=Adherence.AS_ADVISED)
    for concept, value in {
        "symptom:persistent_heartburn": "0",
        "symptom:fatigue": "1",
    }.items():
        response.answers.filter(question__concept=concept).update(value=value)
    _fill(response, {"anything_else": "My GP started omeprazole for my heartburn."})
    submitting.submit(response=response, by=george.user, expected_round=0)
