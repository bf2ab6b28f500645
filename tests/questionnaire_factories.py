"""Factories for questionnaires and responses, and a small health questionnaire.

A version is built as a draft (sections and questions refuse to be saved into a
published one) and published last with `publish()`.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

import factory
from django.utils import timezone

from questionnaires.models import (
    Answer,
    Medication,
    Question,
    QuestionKind,
    Questionnaire,
    QuestionnaireVersion,
    Response,
    ResponseStatus,
    Section,
    Supplement,
    VersionStatus,
)
from tests.factories import ClientFactory, refresh_case


class QuestionnaireFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Questionnaire

    key = factory.Sequence(lambda n: f"health-{n}")
    title = "Health questionnaire"


class QuestionnaireVersionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = QuestionnaireVersion

    questionnaire = factory.SubFactory(QuestionnaireFactory)
    number = factory.Sequence(lambda n: n + 1)
    status = VersionStatus.DRAFT


class SectionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Section

    version = factory.SubFactory(QuestionnaireVersionFactory)
    position = factory.Sequence(lambda n: n + 1)
    key = factory.Sequence(lambda n: f"section-{n}")
    title = factory.Sequence(lambda n: f"Section {n}")


class QuestionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Question

    section = factory.SubFactory(SectionFactory)
    version = factory.SelfAttribute("section.version")
    position = factory.Sequence(lambda n: n + 1)
    concept = factory.Sequence(lambda n: f"question_{n}")
    kind = QuestionKind.SHORT_TEXT
    text = factory.Sequence(lambda n: f"Question {n}?")


class ResponseFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Response
        skip_postgeneration_save = True

    client = factory.SubFactory(ClientFactory)
    version = factory.SubFactory(
        QuestionnaireVersionFactory, status=VersionStatus.PUBLISHED
    )
    status = ResponseStatus.IN_PROGRESS

    class Params:
        submitted = factory.Trait(
            status=ResponseStatus.SUBMITTED,
            submitted_at=factory.LazyFunction(timezone.now),
        )

    @factory.post_generation
    def case_summary(response, create, extracted, **kwargs):
        if create:
            refresh_case(response.client)


class AnswerFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Answer

    response = factory.SubFactory(ResponseFactory)
    question = factory.SubFactory(QuestionFactory)
    value = ""


class MedicationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Medication

    response = factory.SubFactory(ResponseFactory)
    position = factory.Sequence(lambda n: n)
    name = "Lisinopril"
    strength = "10 mg"
    frequency = "once a day"


class SupplementFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Supplement

    response = factory.SubFactory(ResponseFactory)
    position = factory.Sequence(lambda n: n)
    product = "Magnesium citrate"
    nutrient = "magnesium"
    form = "citrate"
    amount = "150"
    unit = "mg"
    per_day = "1"


# --- a small health questionnaire ---------------------------------------------------

CONDITION_CHOICES = [
    ["osteoporosis", "Osteoporosis (thin bones)"],
    ["hypertension", "High blood pressure"],
    ["severe_kidney_disease", "Severe kidney disease (stage 4 or 5)"],
    ["hypothyroidism", "Underactive thyroid"],
    ["breast_cancer", "Breast cancer"],
]
DIET_CHOICES = [
    ["omnivore", "I eat meat and fish"],
    ["vegetarian", "Vegetarian"],
    ["vegan", "Vegan"],
    ["pescatarian", "Pescatarian"],
    ["other", "Other"],
]
# (key, body system, red flag), in the order the questionnaire asks them.
SYMPTOMS = [
    ("fatigue", "energy", False),
    ("afternoon_slump", "energy", False),
    ("difficulty_falling_asleep", "sleep", False),
    ("waking_at_night", "sleep", False),
    ("muscle_cramps", "muscles and joints", False),
    ("joint_pain", "muscles and joints", False),
    ("bloating", "digestion", False),
    ("constipation", "digestion", False),
    ("blood_in_stool", "digestion", True),
]
SECTIONS: list[tuple[str, str, list[tuple[str, str, dict]]]] = [
    (
        "about-you",
        "About you",
        [
            ("date_of_birth", QuestionKind.DATE, {}),
            (
                "sex",
                QuestionKind.SINGLE_CHOICE,
                {
                    "choices": [
                        ["female", "Female"],
                        ["male", "Male"],
                        ["other", "Other"],
                    ]
                },
            ),
            ("pregnant", QuestionKind.YES_NO, {}),
            ("breastfeeding", QuestionKind.YES_NO, {}),
        ],
    ),
    (
        "history",
        "Medical history",
        [
            (
                "conditions",
                QuestionKind.MULTIPLE_CHOICE,
                {"choices": CONDITION_CHOICES},
            ),
            ("conditions_other", QuestionKind.LONG_TEXT, {}),
        ],
    ),
    ("medications", "Medications", [("medications", QuestionKind.MEDICATIONS, {})]),
    ("supplements", "Supplements", [("supplements", QuestionKind.SUPPLEMENTS, {})]),
    (
        "diet",
        "Diet and alcohol",
        [
            ("diet_pattern", QuestionKind.SINGLE_CHOICE, {"choices": DIET_CHOICES}),
            ("alcohol_units_per_week", QuestionKind.DECIMAL, {}),
        ],
    ),
    (
        "symptoms",
        "Symptoms",
        [
            (
                f"symptom:{key}",
                QuestionKind.SYMPTOM_SCALE,
                {"options": {"body_system": system, "red_flag": red_flag}},
            )
            for key, system, red_flag in SYMPTOMS
        ],
    ),
    ("consent", "Consent", [("consent", QuestionKind.CONSENT, {})]),
]


def publish(version: QuestionnaireVersion) -> QuestionnaireVersion:
    """Publish a draft once its sections and questions are in place."""
    version.status = VersionStatus.PUBLISHED
    version.published_at = timezone.now()
    version.save(update_fields=["status", "published_at"])
    return version


def health_version(**version_fields: Any) -> QuestionnaireVersion:
    """A published version with one question per concept the engine reads."""
    version = QuestionnaireVersionFactory(**version_fields)
    for position, (key, title, questions) in enumerate(SECTIONS, start=1):
        section = SectionFactory(
            version=version, position=position, key=key, title=title
        )
        for number, (concept, kind, extra) in enumerate(questions, start=1):
            QuestionFactory(
                section=section, position=number, concept=concept, kind=kind, **extra
            )
    return publish(version)


def answer(response: Response, answers: Mapping[str, Any]) -> Response:
    """Store answers by concept, as the questionnaire would (strings, lists)."""
    questions = {q.concept: q for q in response.version.questions.all()}
    for concept, value in answers.items():
        Answer.objects.update_or_create(
            response=response, question=questions[concept], defaults={"value": value}
        )
    return response


def submitted_response(
    client: Any,
    version: QuestionnaireVersion,
    *,
    status: str = ResponseStatus.SUBMITTED,
    submitted_at: datetime | None = None,
    answers: Mapping[str, Any] | None = None,
    medications: list[Mapping[str, Any]] | None = None,
    supplements: list[Mapping[str, Any]] | None = None,
) -> Response:
    """A submitted response (or one in `status`) with its answers and list rows."""
    response = ResponseFactory(
        client=client,
        version=version,
        status=status,
        submitted_at=submitted_at or timezone.now(),
    )
    answer(response, answers or {})
    for row in medications or []:
        MedicationFactory(response=response, **row)
    for row in supplements or []:
        SupplementFactory(response=response, **row)
    return response


# --- a realistic client ----------------------------------------------------------

MAGNESIUM_CITRATE = {
    "product": "Magnesium citrate",
    "nutrient": "magnesium",
    "form": "citrate",
    "amount": "150",
    "per_day": "2",
}
CALCIUM_CARBONATE = {
    "product": "Calcium carbonate",
    "nutrient": "calcium",
    "form": "carbonate",
    "amount": "500",
    "per_day": "1",
}


def osteoporosis_case(
    client: Any, version: QuestionnaireVersion, **fields: Any
) -> Response:
    """A 74-year-old vegetarian woman with osteoporosis on alendronic acid, taking
    magnesium citrate and calcium (as seen in practice)."""
    return submitted_response(
        client,
        version,
        answers={
            "date_of_birth": "1950-11-12",
            "sex": "female",
            "pregnant": "no",
            "breastfeeding": "no",
            "conditions": ["osteoporosis"],
            "diet_pattern": "vegetarian",
            "alcohol_units_per_week": "4",
            "symptom:muscle_cramps": "2",
            "symptom:fatigue": "0",
            "consent": "yes",
        },
        medications=[
            {"name": "Alendronic acid", "strength": "70 mg", "frequency": "weekly"}
        ],
        supplements=[MAGNESIUM_CITRATE, CALCIUM_CARBONATE],
        **fields,
    )
