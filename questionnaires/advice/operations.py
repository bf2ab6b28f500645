"""Writing and issuing the advice summary: start a draft (prefilled from the
review), keep plan rows and snippets, say why it cannot be issued yet, and issue a
numbered PDF that never changes."""

from __future__ import annotations

import hashlib
import logging

from django.core.files.storage import default_storage
from django.db import transaction
from django.db.models import Max, prefetch_related_objects
from django.http import HttpRequest
from django.utils import timezone

from practice import emails, media
from practice.audit import record
from practice.models import AuditAction, Client, Practice, User
from questionnaires.advice import current_supplements, pdf, plans, summary_options
from questionnaires.advice.timetable import duration_words
from questionnaires.dashboard import case_summary
from questionnaires.followups import visits as followup
from questionnaires.interactions import knowledge as knowledge_base
from questionnaires.interactions.matching import matcher_for
from questionnaires.models import (
    AdviceDraft,
    Answer,
    Decision,
    Finding,
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

NOT_CHECKED = (
    "The plan has changed since it was last checked: press “Save and check the "
    "plan” first."
)
CHECKED_NOW = (
    "The plan had changed since it was last checked, so nothing was issued. It "
    "has been checked now: read what the check found, then issue."
)


class IssueRefused(Exception):
    def __init__(self, reasons: list[str]) -> None:
        super().__init__("; ".join(reasons))
        self.reasons = reasons


class AlreadyIssued(Exception):
    """The version this form expected to issue exists already (a repeated click)."""

    def __init__(self, summary: IssuedSummary | None) -> None:
        super().__init__("already issued")
        self.summary = summary


# ------------------------------------------------------------------- drafting


def draft_for(*, response: Response, by: User) -> AdviceDraft:
    """The case's advice draft, started with GP notes from the acknowledged
    cautions about the client's medicines."""
    draft = AdviceDraft.objects.filter(response=response).first()
    if draft is None:
        earlier = AdviceDraft.objects.filter(response=response.follows_id).first()
        with transaction.atomic():
            draft, created = AdviceDraft.objects.get_or_create(
                response=response,
                defaults={
                    **(
                        followup.revision_of(earlier, response)
                        if earlier
                        else {"gp_notes": gp_notes_prefill(response)}
                    ),
                    "updated_by": by,
                },
            )
            if created and earlier:
                followup.copy_plan(earlier, draft)
    return draft


def client_summaries(response: Response):
    """Every summary issued to the response's client: versions are numbered
    across visits, so a follow-up's first issue is the next version."""
    return IssuedSummary.objects.filter(response__client_id=response.client_id)


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
            wait = duration_words(finding.spacing_hours)
            parts.append(f"at least {wait} apart from {', '.join(others)}")
    return "; ".join(dict.fromkeys(parts))


def add_plan_row(*, draft: AdviceDraft) -> PlanItem:
    last = draft.plan.aggregate(n=Max("position"))["n"]
    return draft.plan.create(position=(last or 0) + 1)


def plan_check(*, response: Response, by: User | None = None) -> None:
    """Check the client's case again with the plan in it (under the case's lock),
    and move the case to follow what the check found."""
    with transaction.atomic():
        locked = Response.objects.select_for_update().get(pk=response.pk)
        finding_store.check_response(locked, recheck=True, locked=True)
        locked.follow_findings(by=by)
    response.refresh_from_db(fields=["status"])


def plan_findings(response: Response) -> list[Finding]:
    """Current findings that involve a row of the plan."""
    return [
        f
        for f in response.findings.current().select_related("decided_by")
        if any(t["ref"].startswith("plan:") for t in f.triggers)
    ]


def issue_blockers(
    response: Response,
    plan: plans.Plan | None = None,
    *,
    plan_problems: list[str] | None = None,
    blocking: list[Finding] | None = None,
) -> list[str]:
    """Why the summary cannot be issued yet, in words for the Issue button.

    Only refer and major findings block; the others are there to be read.
    `plan_problems` and `blocking` are the plan's problems and the blocking
    findings, when the caller has just worked them out.
    """
    plan = plan or plans.read_plan(response)
    reasons = []
    if not response.is_issuable:
        reasons.append("The case must be reviewed before advice can be issued.")
    reasons += plans.problems(plan) if plan_problems is None else plan_problems
    if not plan.is_checked:
        reasons.append(NOT_CHECKED)
    if blocking is None:
        blocking = list(response.findings.blocking())
    if blocking:
        reasons.append(
            f"{len(blocking)} refer or major finding{'s' if len(blocking) > 1 else ''}"
            " still need a decision: "
            + "; ".join(f"“{f.title}”" for f in blocking)
            + "."
        )
    draft = plan.draft
    if draft is None or not (
        any(
            text.strip()
            for text in (draft.key_points, draft.diet, draft.lifestyle, draft.gp_notes)
        )
        or any(not row.is_blank for row in plan.rows)
        or plan.current
    ):
        reasons.append("Write some advice or a supplement plan first.")
    return reasons


# -------------------------------------------------------------------- issuing


_UNREAD = object()


def summary_document(
    response: Response,
    *,
    version: int,
    plan: plans.Plan | None = None,
    practice: Practice | None = None,
    previous: IssuedSummary | None | object = _UNREAD,
) -> pdf.SummaryDocument:
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


def _plan_row(row: PlanItem, substances: tuple[str, ...] = ()) -> pdf.PlanRow:
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
