"""Submitted cases from realistic situations, for the review tests."""

from __future__ import annotations

import hashlib

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage

from questionnaires.intake import sending, submitting
from questionnaires.models import (
    Answer,
    IssuedSummary,
    Medication,
    Response,
    Supplement,
)
from tests.intake_helpers import shipped_version

MAGNESIUM = {
    "product": "Magnesium Citrate",
    "nutrient": "magnesium",
    "form": "citrate",
    "amount": "150",
    "unit": "mg",
    "per_day": "2",
}


def submitted_case(
    client,
    *,
    medications: list[dict] = (),
    supplements: list[dict] = (),
    symptoms: dict[str, str] | None = None,
    conditions: list[str] = (),
    date_of_birth: str = "1952-06-03",
) -> Response:
    """A client's questionnaire answered and submitted through the real operations."""
    version = shipped_version()
    response = sending.send_questionnaire(client=client, sent_by=None)
    questions = {q.concept: q for q in version.questions.all()}
    answers = {
        "date_of_birth": date_of_birth,
        "sex": "female",
        "goals": "Sleep better",
        "consent": "yes",
        "conditions": list(conditions) or None,
    }
    for concept in questions:
        if concept.startswith("symptom:"):
            answers[concept] = (symptoms or {}).get(concept.split(":", 1)[1], "0")
    Answer.objects.bulk_create(
        Answer(response=response, question=questions[c], value=v)
        for c, v in answers.items()
        if v is not None
    )
    for i, row in enumerate(medications):
        Medication.objects.create(response=response, position=i, **row)
    for i, row in enumerate(supplements):
        Supplement.objects.create(response=response, position=i, **row)
    assert submitting.submit(response=response, by=client.user, expected_round=0)
    response.refresh_from_db()
    return response


FAKE_PDF = b"%PDF-1.7\n% a stand-in for an issued summary\n"


def issued_record(response: Response, version: int = 1) -> IssuedSummary:
    """An issued summary whose file matches its hash, without rendering a PDF."""
    name = default_storage.save(
        f"summaries/{response.code}/advice-summary-v{version}.pdf",
        ContentFile(FAKE_PDF),
    )
    return IssuedSummary.objects.create(
        response=response,
        version=version,
        file_name=name,
        sha256=hashlib.sha256(FAKE_PDF).hexdigest(),
        size=len(FAKE_PDF),
        pages=1,
        issued_by=response.client.practitioner.user,
    )
