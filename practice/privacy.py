"""A client's rights under UK GDPR: the privacy notice they consent to and a copy
of their data."""

from __future__ import annotations

import json
import logging
import zipfile
from tempfile import SpooledTemporaryFile
from typing import IO

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db.models import Prefetch
from django.utils import timezone

from practice.models import Client, Practice, PrivacyNotice
from questionnaires.models import Answer, IssuedSummary, Response

log = logging.getLogger(__name__)

EXPORT_JSON_NAME = "cofactor-data.json"
# Exports up to this size stay in memory; larger ones spill to a temporary file.
EXPORT_MEMORY_LIMIT = 10 * 1024 * 1024


# -------------------------------------------------------------- privacy notice


def current_notice() -> PrivacyNotice | None:
    """The privacy notice in force: the newest one already published."""
    return (
        PrivacyNotice.objects.filter(published_at__lte=timezone.now())
        .order_by("-published_at", "-id")
        .first()
    )


def notice_version() -> str:
    """The version a client consents to now (the setting until one is published)."""
    notice = current_notice()
    return notice.version if notice else settings.COFACTOR_PRIVACY_NOTICE_VERSION


def notice_blocks(text: str) -> list[tuple[str, str | list[str]]]:
    """Split a notice's plain text into headings, lists and paragraphs.

    Blank lines separate blocks; a block starting with "# " is a heading and one
    whose lines all start with "- " is a list. Nothing else is markup.
    """
    blocks: list[tuple[str, str | list[str]]] = []
    for block in text.replace("\r\n", "\n").split("\n\n"):
        lines = [line.strip() for line in block.strip().splitlines() if line.strip()]
        if not lines:
            continue
        if len(lines) == 1 and lines[0].startswith("# "):
            blocks.append(("heading", lines[0][2:].strip()))
        elif all(line.startswith("- ") for line in lines):
            blocks.append(("list", [line[2:].strip() for line in lines]))
        else:
            blocks.append(("paragraph", "\n".join(lines)))
    return blocks


# ---------------------------------------------------------------- data export


def client_data(client: Client) -> dict:
    """Everything the client gave us, and the summaries they were issued."""
    responses = (
        Response.objects.filter(client=client)
        .select_related("version__questionnaire")
        .prefetch_related(
            Prefetch(
                "answers",
                queryset=Answer.objects.select_related("question").order_by(
                    "question__section__position", "question__position"
                ),
            ),
            "medications",
            "supplements",
            Prefetch("summaries", queryset=IssuedSummary.objects.order_by("version")),
        )
        .order_by("created_at", "id")
    )
    user = client.user
    return {
        "exported_at": timezone.now(),
        "practice": Practice.current().name,
        "client": {
            "code": client.code,
            "full_name": user.full_name,
            "email": user.email,
            "date_of_birth": client.date_of_birth,
            "practitioner": str(client.practitioner) if client.practitioner else None,
            "account_created_at": client.created_at,
        },
        "responses": [_response_data(r) for r in responses],
    }


def _response_data(response: Response) -> dict:
    return {
        "code": response.code,
        "questionnaire": response.version.questionnaire.title,
        "questionnaire_version": response.version.number,
        "status": response.get_status_display(),
        "sent_at": response.created_at,
        "last_saved_at": response.last_saved_at,
        "submitted_at": response.submitted_at,
        "consent_at": response.consent_at,
        "consent_notice_version": response.consent_notice_version,
        "answers": [
            {
                "question": a.question.text,
                "concept": a.question.concept,
                "value": a.value,
            }
            for a in response.answers.all()
        ],
        "medications": [
            {
                "name": m.name,
                "strength": m.strength,
                "how_often": m.frequency,
                "taking_it_since": m.since,
                "what_it_is_for": m.reason,
            }
            for m in response.medications.all()
        ],
        "supplements": [
            {
                "product": s.product,
                "nutrient": s.nutrient,
                "form": s.form,
                "amount_per_dose": s.amount,
                "unit": s.unit,
                "doses_per_day": s.per_day,
                "amount_unknown": s.amount_unknown,
                "amount_is": s.get_basis_display(),
            }
            for s in response.supplements.all()
        ],
        "issued_summaries": [
            {
                "version": s.version,
                "issued_at": s.issued_at,
                "sha256": s.sha256,
                "file": summary_path(s),
            }
            for s in response.summaries.all()
        ],
    }


def summary_path(summary: IssuedSummary) -> str:
    """Where an issued PDF sits inside the export zip."""
    return (
        f"advice-summaries/{summary.response.code}/"
        f"advice-summary-v{summary.version}.pdf"
    )


def export_zip(*, client: Client) -> IO[bytes]:
    """The client's data as a zip: `cofactor-data.json` and every issued PDF.

    Returned as an open file at its start; the caller closes it. A PDF that no
    longer matches its recorded hash is left out and said so in the JSON.
    """
    from questionnaires.advice import read_issued  # imported late: WeasyPrint

    data = client_data(client)
    summaries = IssuedSummary.objects.filter(response__client=client).select_related(
        "response"
    )
    # Returned open: the response streams it and closes it.
    buffer = SpooledTemporaryFile(max_size=EXPORT_MEMORY_LIMIT)  # noqa: SIM115
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        missing = set()
        for summary in summaries:
            try:
                archive.writestr(summary_path(summary), read_issued(summary))
            except (OSError, ValueError):
                log.error("summary %s left out of an export", summary.code)
                missing.add(summary_path(summary))
        for response in data["responses"]:
            for summary in response["issued_summaries"]:
                summary["included"] = summary["file"] not in missing
        archive.writestr(
            EXPORT_JSON_NAME, json.dumps(data, cls=DjangoJSONEncoder, indent=2)
        )
    buffer.seek(0)
    return buffer
