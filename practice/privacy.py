"""A client's rights under UK GDPR: the privacy notice they consent to, a copy of
their data, asking for erasure, and the erasure itself."""

from __future__ import annotations

import json
import logging
import zipfile
from tempfile import SpooledTemporaryFile
from typing import IO

from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from django.conf import settings
from django.contrib.admin.models import LogEntry
from django.contrib.contenttypes.models import ContentType
from django.core.serializers.json import DjangoJSONEncoder
from django.db import transaction
from django.db.models import Count, Prefetch, Q
from django.http import HttpRequest
from django.utils import timezone

from practice import emails, media
from practice.audit import record
from practice.models import (
    AuditAction,
    AuditEvent,
    Client,
    ErasureRequest,
    OutgoingEmail,
    Practice,
    PrivacyNotice,
    Role,
    User,
)
from questionnaires.dashboard import case_summary
from questionnaires.models import Answer, IssuedSummary, Response

log = logging.getLogger(__name__)

ERASED_NAME = "Erased client"
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
            "plan_adherence",
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
                "since_last_time": m.get_since_last_display(),
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
                "since_last_time": s.get_since_last_display(),
            }
            for s in response.supplements.all()
        ],
        "supplement_plan": [
            {
                "item": p.item,
                "how_it_is_going": p.get_answer_display(),
                "note": p.note,
            }
            for p in response.plan_adherence.all()
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
    from questionnaires.advice.issuing import read_issued

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


# ------------------------------------------------------------ asking to erase


def open_erasure_request(client: Client) -> ErasureRequest | None:
    return client.erasure_requests.filter(handled_at=None).first()


def request_erasure(
    *, client: Client, request: HttpRequest | None = None
) -> tuple[ErasureRequest, bool]:
    """Ask the practice to erase this client; a repeated ask changes nothing.

    Returns the open request and whether it was made now.
    """
    with transaction.atomic():
        # The lock makes a double click wait and then find the first request.
        Client.objects.select_for_update().get(pk=client.pk)
        existing = open_erasure_request(client)
        if existing:
            return existing, False
        erasure = ErasureRequest.objects.create(client=client, client_code=client.code)
        record(
            action=AuditAction.ERASURE_REQUESTED,
            request=request,
            actor=client.user,
            obj=erasure,
            client=client,
        )
        emails.send_erasure_requested_email(to=practice_recipients())
    log.info("client %s asked for erasure (request %s)", client.code, erasure.pk)
    return erasure, True


def practice_recipients() -> list[str]:
    """Who hears about erasure requests: the practice's address, else every admin."""
    practice_email = Practice.current().email
    if practice_email:
        return [practice_email]
    admins = list(
        User.objects.filter(role=Role.ADMIN, is_active=True)
        .order_by("email")
        .values_list("email", flat=True)
    )
    if not admins:
        log.warning("nobody to tell: no practice email and no active admin")
    return admins


# ------------------------------------------------------------------- erasing


def erased_email(client: Client) -> str:
    return f"erased-{client.code}@invalid.example"


def is_erased(client: Client) -> bool:
    return client.is_erased


def has_data_left(client: Client) -> bool:
    """True if erasing (again) would remove something: nothing is left of an
    erased client unless a record was added to them after the erasure."""
    return not client.is_erased or any(erasure_counts(client).values())


def erasure_counts(client: Client) -> dict[str, int]:
    """How much of each kind of record erasing this client removes."""
    counts = Response.objects.filter(client=client).aggregate(
        questionnaires=Count("id", distinct=True),
        answers=Count("answers", distinct=True),
        medications=Count("medications", distinct=True),
        supplements=Count("supplements", distinct=True),
        case_notes=Count("notes", distinct=True),
    )
    counts["summaries"] = IssuedSummary.objects.filter(response__client=client).count()
    counts["invitations"] = client.invitations.count()
    counts["emails"] = OutgoingEmail.objects.filter(client=client).count()
    return counts


@transaction.atomic
def erase_client(
    *, client: Client, by: User, request: HttpRequest | None = None
) -> None:
    """Remove the client's personal and health data; keep an anonymous shell.

    The client and user rows stay (with their codes) so that the audit trail, which
    refers to them, still resolves; everything the client typed, everything
    written about them, the emails to or about them and their PDF folders go, and
    the audit log forgets their address and browser. The erased client is
    unassigned and flagged, so nothing can be sent to them again. The files are
    deleted last, so a failure before then leaves everything as it was; erasing
    can be run again at any time and removes whatever is left.
    """
    # Her cases first, then her: the order a move of a case takes its locks (the
    # case, then the client's stored summary), or the two would deadlock.
    cases = Response.objects.select_for_update().filter(client_id=client.pk)
    list(cases.order_by("pk").values_list("pk", flat=True))
    client = Client.objects.select_for_update().select_related("user").get(pk=client.pk)
    user = client.user
    counts = erasure_counts(client)
    responses = Response.objects.filter(client=client)
    # Whole folders: also a PDF whose issue crashed, or one not yet moved into place.
    folders = [f"summaries/{code}" for code in responses.values_list("code", flat=True)]
    # Summaries PROTECT their response; everything else on a response cascades:
    # answers, medicines, supplements, findings, review actions, notes, events,
    # the advice draft and its plan.
    IssuedSummary.objects.filter(response__client=client).delete()
    responses.delete()
    client.invitations.all().delete()
    OutgoingEmail.objects.filter(Q(client=client) | Q(to__iexact=user.email)).delete()
    client.date_of_birth = None
    client.practitioner = None
    client.erased_at = client.erased_at or timezone.now()
    client.save(update_fields=["date_of_birth", "practitioner", "erased_at"])
    # Their own actions, and sign-in attempts on their account.
    AuditEvent.objects.filter(
        Q(actor=user) | Q(actor=None, client_code=client.code)
    ).forget_network_details()

    user.full_name = ERASED_NAME
    user.email = erased_email(client)
    user.is_active = False
    user.set_unusable_password()  # also ends any session the client still has
    user.save()
    case_summary.refresh(client.pk)
    EmailAddress.objects.filter(user=user).delete()
    Authenticator.objects.filter(user=user).delete()
    # The admin's own history names objects by their str(): the client's name.
    for model, pk in ((User, user.pk), (Client, client.pk)):
        LogEntry.objects.filter(
            content_type=ContentType.objects.get_for_model(model),
            object_id=str(pk),
        ).update(object_repr=ERASED_NAME)

    ErasureRequest.objects.filter(
        Q(client=client) | Q(client_code=client.code), handled_at=None
    ).update(handled_at=timezone.now(), handled_by=by)
    record(
        action=AuditAction.ERASED,
        request=request,
        actor=by,
        obj=client,
        detail=counts,
    )
    for folder in folders:
        media.remove_folder(folder)
    log.info("client %s erased by user %s", client.code, by.code)
