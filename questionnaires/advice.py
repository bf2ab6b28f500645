"""Writing and issuing the advice summary: start a draft (prefilled from the
review), keep plan rows and snippets, say why it cannot be issued yet, and issue a
numbered PDF that never changes."""

from __future__ import annotations

import datetime
import hashlib
import io
import logging

from django.core.files.storage import default_storage
from django.db import transaction
from django.db.models import Max
from django.http import HttpRequest
from django.utils import timezone
from pypdf import PdfReader

from practice import emails, media
from practice.audit import record
from practice.models import AuditAction, Practice, User
from questionnaires import findings as finding_store
from questionnaires import pdf
from questionnaires.charts import symptom_chart
from questionnaires.interactions import knowledge as knowledge_base
from questionnaires.interactions.matching import matcher_for
from questionnaires.models import (
    AdviceDraft,
    Answer,
    Decision,
    EventKind,
    Finding,
    IssuedSummary,
    PlanItem,
    Response,
    ResponseEvent,
    ResponseStatus,
    Timing,
)
from questionnaires.scores import symptom_scores

log = logging.getLogger(__name__)

ISSUABLE = (
    ResponseStatus.IN_REVIEW,
    ResponseStatus.READY_FOR_ADVICE,
    ResponseStatus.SUMMARY_ISSUED,
)


class IssueRefused(Exception):
    def __init__(self, reasons: list[str]) -> None:
        super().__init__("; ".join(reasons))
        self.reasons = reasons


# ------------------------------------------------------------------- drafting


def draft_for(*, response: Response, by: User) -> AdviceDraft:
    """The case's advice draft, started with GP notes from the acknowledged
    cautions about the client's medicines."""
    draft = AdviceDraft.objects.filter(response=response).first()
    if draft is None:
        draft, _ = AdviceDraft.objects.get_or_create(
            response=response,
            defaults={"gp_notes": gp_notes_prefill(response), "updated_by": by},
        )
    return draft


def gp_notes_prefill(response: Response) -> str:
    """A line per acknowledged caution that involves the client's medicines."""
    lines = []
    for finding in response.findings.current().filter(
        decision=Decision.ACKNOWLEDGED, kind__in=("interaction", "depletion")
    ):
        if not any(t["ref"].startswith("medication:") for t in finding.triggers):
            continue
        lines.append(f"- {finding.title}. {finding.action}".strip())
    if not lines:
        return ""
    return "I have taken these points about your medicines into account:\n" + (
        "\n".join(lines)
    )


def spacing_prefill(response: Response, row: PlanItem) -> str:
    """ "at least 4 hours apart from levothyroxine", from acknowledged findings
    with a spacing that name this row's nutrient."""
    knowledge = knowledge_base.load()
    found = matcher_for(knowledge).nutrient(row.nutrient or row.product)
    if not found.matched:
        return ""
    names = {knowledge.nutrients[i].name for i in found.ids}
    parts = []
    spaced = response.findings.current().filter(
        decision=Decision.ACKNOWLEDGED, spacing_hours__isnull=False
    )
    for finding in spaced:
        if not names & set(finding.subjects):
            continue
        others = [s for s in finding.subjects if s not in names]
        if others:
            hours = f"{finding.spacing_hours.normalize():f}"
            parts.append(f"at least {hours} hours apart from {', '.join(others)}")
    return "; ".join(dict.fromkeys(parts))


def add_plan_row(*, draft: AdviceDraft) -> PlanItem:
    last = draft.plan.aggregate(n=Max("position"))["n"]
    return draft.plan.create(position=(last or 0) + 1)


def plan_check(*, response: Response) -> None:
    """Check the client's case again with the plan in it."""
    finding_store.check_response(response, recheck=True)


def plan_findings(response: Response) -> list[Finding]:
    """Current findings that involve a row of the plan."""
    return [
        f
        for f in response.findings.current().select_related("decided_by")
        if any(t["ref"].startswith("plan:") for t in f.triggers)
    ]


def issue_blockers(response: Response) -> list[str]:
    """Why the summary cannot be issued yet, in words for the Issue button."""
    reasons = []
    if response.status not in ISSUABLE:
        reasons.append("The case must be reviewed before advice can be issued.")
    blocking = response.findings.blocking().count()
    if blocking:
        reasons.append(
            f"{blocking} refer or major finding{'s' if blocking > 1 else ''} still "
            "need a decision on the case page."
        )
    undecided_plan = [f for f in plan_findings(response) if not f.is_decided]
    for finding in undecided_plan:
        reasons.append(f"The plan check found: “{finding.title}”. Decide on it below.")
    draft = AdviceDraft.objects.filter(response=response).first()
    if draft is None or not (
        any(
            text.strip()
            for text in (draft.key_points, draft.diet, draft.lifestyle, draft.gp_notes)
        )
        or any(not row.is_blank for row in draft.plan.all())
    ):
        reasons.append("Write some advice or a supplement plan first.")
    return reasons


# -------------------------------------------------------------------- issuing


def summary_document(response: Response, *, version: int) -> pdf.SummaryDocument:
    """Everything the PDF shows, read from the case and its advice."""
    practice = Practice.current()
    draft = response.advice
    client = response.client
    practitioner = client.practitioner
    dob = Answer.objects.filter(
        response=response, question__concept="date_of_birth"
    ).values_list("value", flat=True)
    logo = practice.logo.path if practice.logo else None
    return pdf.SummaryDocument(
        practice_name=practice.name,
        practice_address=practice.address,
        practice_email=practice.email,
        practice_phone=practice.phone,
        practice_registration=practice.registration,
        logo_path=logo,
        practitioner_name=str(practitioner) if practitioner else "",
        practitioner_registration=practitioner.registration if practitioner else "",
        client_name=client.user.full_name,
        client_date_of_birth=client.date_of_birth or _date(dob.first()),
        issued_on=timezone.localdate(),
        version=version,
        key_points=draft.key_points,
        diet=draft.diet,
        lifestyle=draft.lifestyle,
        gp_notes=draft.gp_notes,
        follow_up=draft.follow_up,
        plan=tuple(_plan_row(row) for row in draft.plan.all() if not row.is_blank),
        chart=symptom_chart(symptom_scores(response)),
    )


def _plan_row(row: PlanItem) -> pdf.PlanRow:
    return pdf.PlanRow(
        product=row.product,
        nutrient=row.nutrient,
        form=row.form,
        amount=row.amount,
        unit=row.unit,
        per_day=row.per_day or "1",
        timing=row.timing,
        timing_label=Timing(row.timing).label,
        spacing=row.spacing,
        duration=row.duration,
        notes=row.notes,
    )


def issue_summary(
    *, response: Response, by: User, request: HttpRequest | None = None
) -> IssuedSummary:
    """Render the summary as a PDF and keep it as the next version, for good.

    Everything happens in one transaction; the file is written under a pending
    name and moved into place after the commit, so a failure never leaves a
    half-issued summary or a file that looks issued.
    """
    pending_name = ""
    try:
        with transaction.atomic():
            locked = Response.objects.select_for_update().get(pk=response.pk)
            reasons = issue_blockers(locked)
            if reasons:
                raise IssueRefused(reasons)
            last = locked.summaries.aggregate(n=Max("version"))["n"] or 0
            version = last + 1
            document = summary_document(locked, version=version)
            content = pdf.render_pdf(document)
            digest = hashlib.sha256(content).hexdigest()
            final_name = f"summaries/{locked.code}/advice-summary-v{version}.pdf"
            pending_name = media.save_pending(final_name, content)
            summary = IssuedSummary.objects.create(
                response=locked,
                version=version,
                file_name=final_name,
                sha256=digest,
                size=len(content),
                pages=_page_count(content),
                issued_by=by,
            )
            locked.status = ResponseStatus.SUMMARY_ISSUED
            locked.save(update_fields=["status"])
            ResponseEvent.objects.create(
                response=locked,
                kind=EventKind.SUMMARY_ISSUED,
                by=by,
                message=f"Version {version}",
            )
            client = locked.client
            record(
                action=AuditAction.CREATED,
                request=request,
                actor=by,
                obj=summary,
                client=client,
                detail={
                    "response": str(locked.code),
                    "version": version,
                    "sha256": digest[:16],
                    "pages": summary.pages,
                },
            )
            emails.send_summary_ready_email(
                to=client.user.email,
                client_name=client.user.full_name,
                practice_name=Practice.current().name,
                client=client,
            )
            # The PDF gets its name only once the record of it is committed; a
            # crash before the move leaves a pending file that clean_media finishes.
            transaction.on_commit(
                lambda: media.move_into_place(pending_name, final_name), robust=True
            )
    except BaseException:
        if pending_name:
            default_storage.delete(pending_name)
        raise
    log.info("summary %s v%s issued by user %s", summary.code, version, by.code)
    response.refresh_from_db(fields=["status"])
    return summary


def read_issued(summary: IssuedSummary) -> bytes:
    """The issued PDF's bytes, checked against the hash recorded when issued."""
    media.finish_move(summary.file_name, summary.sha256)
    with default_storage.open(summary.file_name, "rb") as handle:
        content = handle.read()
    if hashlib.sha256(content).hexdigest() != summary.sha256:
        log.error("summary %s does not match its recorded hash", summary.code)
        raise ValueError("The stored summary does not match what was issued.")
    return content


def _page_count(content: bytes) -> int:
    return len(PdfReader(io.BytesIO(content)).pages)


def _date(value: object) -> datetime.date | None:
    try:
        return datetime.date.fromisoformat(str(value))
    except ValueError:
        return None
