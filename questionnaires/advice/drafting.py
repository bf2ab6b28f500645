"""Writing the advice: start a draft prefilled from the review, add plan rows,
check the plan, and say why it cannot be issued yet."""

from __future__ import annotations

from django.db import transaction
from django.db.models import Max

from practice.models import User
from questionnaires.advice import (
    plans,
)
from questionnaires.advice.timetable import duration_words
from questionnaires.followups import visits as followup
from questionnaires.interactions import knowledge as knowledge_base
from questionnaires.interactions.matching import matcher_for
from questionnaires.models import (
    AdviceDraft,
    Decision,
    Finding,
    IssuedSummary,
    PlanItem,
    Response,
)
from questionnaires.review import checking as finding_store

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
