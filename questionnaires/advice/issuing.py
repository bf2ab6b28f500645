"""Issuing the advice summary: the document from the checked plan, the PDF
rendered and stored once, and reading an issued file back."""

from __future__ import annotations

import hashlib
import logging

from django.core.files.storage import default_storage
from django.db import transaction
from django.db.models import prefetch_related_objects
from django.http import HttpRequest
from django.utils import timezone

from practice import emails, media
from practice.audit import record
from practice.models import AuditAction, Client, Practice, User
from questionnaires.advice import (
    current_supplements,
    pdf,
    plans,
    summary_options,
)
from questionnaires.advice.drafting import (
    CHECKED_NOW,
    IssueRefused,
    client_summaries,
    issue_blockers,
)
from questionnaires.advice.summary_document import PlanRow, SummaryDocument
from questionnaires.dashboard import case_summary
from questionnaires.models import (
    Answer,
    IssuedSummary,
    PlanItem,
    Response,
    Timing,
)
from questionnaires.review import checking as finding_store
from questionnaires.review.charts import symptom_chart
from questionnaires.review.scores import symptom_scores
from questionnaires.values import iso_date

log = logging.getLogger(__name__)


class AlreadyIssued(Exception):
    """The version this form expected to issue exists already (a repeated click)."""

    def __init__(self, summary: IssuedSummary | None) -> None:
        super().__init__("already issued")
        self.summary = summary


_UNREAD = object()


def summary_document(
    response: Response,
    *,
    version: int,
    plan: plans.Plan | None = None,
    practice: Practice | None = None,
    previous: IssuedSummary | None | object = _UNREAD,
) -> SummaryDocument:
    """Everything the PDF shows, read from the case and its advice; the plan is
    the one that was checked, the practice and the version this one replaces
    (None for the first), when the caller has read them."""
    practice = practice or Practice.current()
    plan = plan or plans.read_plan(response)
    draft = plan.draft or response.advice
    stop, keep = plans.stop_and_keep(plan, current_supplements.taken(response))
    client = response.client
    practitioner = client.practitioner
    dob = Answer.objects.filter(
        response=response, question__concept="date_of_birth"
    ).values_list("value", flat=True)
    logo = practice.logo.path if practice.logo else None
    rows = [row for row in plan.rows if not row.is_blank]  # the checked plan
    substances = summary_options.plan_substances(rows)
    if previous is _UNREAD:
        previous = client_summaries(response).filter(version__lt=version)
        previous = previous.order_by("-version").first()
    return SummaryDocument(
        practice_name=practice.name,
        practice_address=practice.address,
        practice_email=practice.email,
        practice_phone=practice.phone,
        practice_registration=practice.registration,
        logo_path=logo,
        practitioner_name=str(practitioner) if practitioner else "",
        practitioner_registration=practitioner.registration if practitioner else "",
        client_name=client.user.full_name,
        client_date_of_birth=client.date_of_birth or iso_date(dob.first()),
        issued_on=timezone.localdate(),
        version=version,
        key_points=draft.key_points,
        diet=draft.diet,
        lifestyle=draft.lifestyle,
        gp_notes=draft.gp_notes,
        follow_up=draft.follow_up,
        plan=tuple(_plan_row(row, substances[row.pk]) for row in rows),
        stop_taking=stop,
        keep_taking=keep,
        chart=(
            symptom_chart(symptom_scores(response))
            if draft.include_symptom_chart
            else None
        ),
        medicines=summary_options.timetable_medicines(response, draft),
        spacings=summary_options.case_spacings(response),
        replaces_version=previous.version if previous else None,
        replaces_issued_on=(
            timezone.localdate(previous.issued_at) if previous else None
        ),
        changes=draft.changes if previous else "",
    )


def _plan_row(row: PlanItem, substances: tuple[str, ...] = ()) -> PlanRow:
    return PlanRow(
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
        more_timings=tuple(t for t in row.more_timings.split(",") if t),
        substances=substances,
    )


def issue_summary(
    *,
    response: Response,
    by: User,
    expected_version: int | None = None,
    request: HttpRequest | None = None,
) -> IssuedSummary:
    """Check the plan again and issue exactly what was checked, as the next
    version of the PDF, for good.

    Under the case's lock: the plan rows are read once (and locked), validated and
    checked, and the same rows are printed. A plan changed since its last check is
    checked now and the issue refused, so the practitioner sees what the check
    found first. `expected_version` is the version the form meant to issue: a
    repeated click finds it issued already and changes nothing (AlreadyIssued).

    Everything happens in one transaction; the file is written under a pending
    name and moved into place after the commit, so a failure never leaves a
    half-issued summary or a file that looks issued.
    """
    pending_name = ""
    refused: list[str] = []
    try:
        with transaction.atomic():
            # The case, then the client, as every move of a case locks them (or
            # the two would deadlock). The client's lock serialises the version
            # numbers, which run across the client's visits. Read with both
            # accounts, in the one query, for the document, the audit row and
            # the email.
            locked = Response.objects.select_for_update().get(pk=response.pk)
            client = (
                Client.objects.select_for_update(of=("self",))
                .select_related("user", "practitioner__user")
                .get(pk=response.client_id)
            )
            locked.client = client
            issued = client_summaries(locked)
            latest = issued.order_by("-version").first()
            last = latest.version if latest else 0
            if expected_version is not None and expected_version != last + 1:
                raise AlreadyIssued(
                    issued.filter(version=expected_version).first() or latest
                )
            plan = plans.read_plan(locked, lock=True)
            refused = plans.problems(plan)
            checked, blocking = False, None
            if not refused:
                practice = Practice.current()
                was_checked = plan.is_checked
                if locked.is_issuable:
                    # Read once, for the check and for the PDF's "keep taking".
                    prefetch_related_objects([locked], "supplements")
                    finding_store.check_response(
                        locked,
                        recheck=True,
                        plan=plan,
                        locked=True,
                        limits=practice.upper_limits,
                        # Issuing refreshes it (mark_issued); a refusal, below.
                        refresh_summary=False,
                    )
                    # What the check left waiting, read once for the case's move
                    # and for the reasons to refuse.
                    blocking = list(locked.findings.blocking())
                    locked.follow_findings(by=by, blocked=bool(blocking))
                    checked = True
                refused = issue_blockers(
                    locked, plan, plan_problems=refused, blocking=blocking
                )
                if not was_checked:
                    refused.insert(0, CHECKED_NOW)
            if refused:
                # Commit what the check found, then refuse (below).
                summary = None
                if checked:
                    case_summary.refresh(locked.client_id)
            else:
                summary, pending_name = _issue(
                    locked, plan, by, last + 1, request, practice, latest
                )
    except BaseException:
        if pending_name:
            default_storage.delete(pending_name)
        raise
    # Its status as committed, without reading it again.
    response.status = locked.status
    if summary is None:
        raise IssueRefused(refused)
    log.info("summary %s v%s issued by user %s", summary.code, summary.version, by.code)
    return summary


def _issue(
    locked: Response,
    plan: plans.Plan,
    by: User,
    version: int,
    request: HttpRequest | None,
    practice: Practice,
    previous: IssuedSummary | None,
) -> tuple[IssuedSummary, str]:
    document = summary_document(
        locked, version=version, plan=plan, practice=practice, previous=previous
    )
    content = pdf.render_pdf(document)
    digest = hashlib.sha256(content).hexdigest()
    final_name = f"summaries/{locked.code}/advice-summary-v{version}.pdf"
    pending_name = media.save_pending(final_name, content)
    try:
        summary = IssuedSummary.objects.create(
            response=locked,
            version=version,
            file_name=final_name,
            sha256=digest,
            size=len(content),
            pages=content.pages,
            issued_by=by,
        )
        locked.mark_issued(by=by, version=version)
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
        # The one place the "summary ready" email is queued from.
        emails.send_summary_ready_email(
            to=client.user.email,
            client_name=client.user.full_name,
            practice_name=document.practice_name,
            client=client,
        )
        # The PDF gets its name only once the record of it is committed; a crash
        # before the move leaves a pending file that a read or clean_media finishes.
        transaction.on_commit(
            lambda: media.move_into_place(pending_name, final_name), robust=True
        )
    except BaseException:
        default_storage.delete(pending_name)
        raise
    return summary, pending_name


def read_issued(summary: IssuedSummary) -> bytes:
    """The issued PDF's bytes, checked against the hash recorded when issued."""
    media.finish_move(summary.file_name, summary.sha256)
    with default_storage.open(summary.file_name, "rb") as handle:
        content = handle.read()
    if hashlib.sha256(content).hexdigest() != summary.sha256:
        log.error("summary %s does not match its recorded hash", summary.code)
        raise ValueError("The stored summary does not match what was issued.")
    return content
