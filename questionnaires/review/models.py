"""Findings stored for a response, the practitioner's decisions on them, the
record of review actions, and private notes."""

from __future__ import annotations

import logging
import uuid

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.http import HttpRequest
from django.utils import timezone

from practice.audit import record
from practice.models import AuditAction
from questionnaires.intake.models import (
    Response,
)
from questionnaires.rechecks.models import NewEvidence

log = logging.getLogger(__name__)


class Severity(models.TextChoices):
    REFER = "refer", "Refer"
    MAJOR = "major", "Major"
    MODERATE = "moderate", "Moderate"
    MINOR = "minor", "Minor"
    INFO = "info", "Info"


SEVERITY_ORDER = {s.value: i for i, s in enumerate(Severity)}


class Decision(models.TextChoices):
    UNDECIDED = "", "Not decided"
    ACKNOWLEDGED = "acknowledged", "Acknowledged"
    DISMISSED = "dismissed", "Dismissed"


MUST_DECIDE = (Severity.REFER, Severity.MAJOR)


class FindingQuerySet(models.QuerySet):
    def current(self) -> FindingQuerySet:
        """Findings the engine still raises (not withdrawn by a re-check)."""
        return self.filter(withdrawn_at=None)

    def undecided(self) -> FindingQuerySet:
        return self.current().filter(decision=Decision.UNDECIDED)

    def blocking(self) -> FindingQuerySet:
        """Refer and major findings still waiting for a decision."""
        return self.undecided().filter(severity__in=MUST_DECIDE)


class Finding(models.Model):
    """One engine finding stored for a response.

    `key` identifies "the same finding" across re-runs of the engine: the SHA-256
    of the engine's `Finding.key` (rule, subjects and triggering entries), so a
    practitioner's decision survives a re-check. A finding the engine no longer
    raises is marked `withdrawn_at`, never deleted.
    """

    code = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    response = models.ForeignKey(
        Response, on_delete=models.CASCADE, related_name="findings"
    )
    key = models.CharField(max_length=64)
    rule = models.CharField(max_length=100)
    kind = models.CharField(max_length=30)
    severity = models.CharField(max_length=10, choices=Severity.choices)
    subjects = models.JSONField(default=list)
    classes = models.JSONField(default=list)
    title = models.CharField(max_length=300)
    message = models.TextField()
    action = models.TextField(blank=True)
    spacing_hours = models.DecimalField(
        max_digits=5, decimal_places=1, null=True, blank=True
    )
    sources = models.JSONField(default=list)  # [{"title": ..., "url": ...}]
    triggers = models.JSONField(default=list)  # [{"ref": ..., "label": ...}]
    evidence = models.TextField(blank=True)
    knowledge_version = models.CharField(max_length=40)
    created_at = models.DateTimeField(default=timezone.now)
    # Set by recheck_findings when a re-run raised this finding for the first time.
    is_new = models.BooleanField(default=False)
    withdrawn_at = models.DateTimeField(null=True, blank=True)
    # The practitioner's current decision; every change is also kept in
    # ReviewAction, which is the record.
    decision = models.CharField(
        max_length=20, choices=Decision.choices, default=Decision.UNDECIDED, blank=True
    )
    decision_note = models.TextField(blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    # The decision taken before the finding changed (a new total, another product
    # of the same nutrient with a different message): shown beside it so the
    # practitioner can decide again with the earlier note in view.
    earlier_decision = models.CharField(
        max_length=20, choices=Decision.choices, default=Decision.UNDECIDED, blank=True
    )
    earlier_note = models.TextField(blank=True)
    earlier_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    earlier_at = models.DateTimeField(null=True, blank=True)

    objects = FindingQuerySet.as_manager()

    class Meta:
        ordering = ["response", "created_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["response", "key"], name="one_finding_per_key"
            )
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def must_be_decided(self) -> bool:
        return self.severity in MUST_DECIDE

    @property
    def is_decided(self) -> bool:
        return self.decision != Decision.UNDECIDED

    @property
    def has_earlier_decision(self) -> bool:
        return self.earlier_decision != Decision.UNDECIDED

    @property
    def topic(self) -> tuple[str, tuple[str, ...]]:
        """What the finding is about, whichever entries raised it."""
        return topic(self.rule, self.subjects)

    @property
    def refs(self) -> set[str]:
        return {t["ref"] for t in self.triggers}

    #: What a decision sets, read again under the row lock before it changes.
    DECISION_FIELDS = ("decision", "decision_note", "decided_by", "decided_at")

    def decide(
        self,
        *,
        by,
        decision: str,
        note: str,
        request: HttpRequest | None = None,
    ) -> None:
        """Acknowledge (note optional) or dismiss (reason required) the finding."""
        note = (note or "").strip()
        client = self.response.client
        if decision not in (Decision.ACKNOWLEDGED, Decision.DISMISSED):
            raise ValidationError("Choose Acknowledge or Dismiss.", code="bad_decision")
        if decision == Decision.DISMISSED and not note:
            raise ValidationError(
                "Please give a reason for dismissing this finding.",
                code="reason_required",
            )
        with transaction.atomic():
            response = self._lock_with_case()
            if self.withdrawn_at:
                raise ValidationError(
                    "This finding no longer applies.", code="withdrawn"
                )
            self.decision = decision
            self.decision_note = note
            self.decided_by = by
            self.decided_at = timezone.now()
            self.is_new = False
            self.save(update_fields=[*self.DECISION_FIELDS, "is_new"])
            NewEvidence.objects.settle(self)
            kind = (
                ActionKind.ACKNOWLEDGED
                if decision == Decision.ACKNOWLEDGED
                else ActionKind.DISMISSED
            )
            self._record(
                response, kind, by=by, client=client, request=request, note=note
            )
            response.ensure_in_review(by=by)
            response.follow_decisions(by=by)
        log.info("finding %s %s by user %s", self.code, decision, by.code)

    def undo(self, *, by, request: HttpRequest | None = None) -> None:
        """Take the decision back; the record of it stays."""
        client = self.response.client
        with transaction.atomic():
            response = self._lock_with_case()
            if not self.is_decided:
                return
            self.decision = Decision.UNDECIDED
            self.decision_note = ""
            self.decided_by = None
            self.decided_at = None
            self.save(update_fields=list(self.DECISION_FIELDS))
            self._record(
                response, ActionKind.UNDONE, by=by, client=client, request=request
            )
            response.follow_decisions(by=by)
        log.info("finding %s decision undone by user %s", self.code, by.code)

    def _lock_with_case(self) -> Response:
        """Lock the case, then this finding (the order every move of a case takes),
        refuse if the case is not open for review, and read the finding again."""
        response = Response.objects.select_for_update().get(pk=self.response_id)
        response.check_reviewable()
        self.refresh_from_db(
            fields=[*self.DECISION_FIELDS, "is_new", "withdrawn_at"],
            from_queryset=Finding.objects.select_for_update(),
        )
        return response

    def _record(
        self, response: Response, kind: str, *, by, client, request, note: str = ""
    ) -> None:
        """Keep the review action, and log the change (never the note)."""
        ReviewAction.objects.create(
            response=response, kind=kind, finding=self, note=note, by=by
        )
        record(
            action=AuditAction.CHANGED,
            request=request,
            actor=by,
            obj=self,
            client=client,
            detail={"event": kind, "response": str(response.code)},
        )


def topic(rule: str, subjects) -> tuple[str, tuple[str, ...]]:
    return rule, tuple(sorted(subjects))


class ActionKind(models.TextChoices):
    ACKNOWLEDGED = "acknowledged", "Acknowledged a finding"
    DISMISSED = "dismissed", "Dismissed a finding"
    UNDONE = "undone", "Undid a decision"
    REMATCHED = "rematched", "Matched an entry by hand"
    UNMATCHED = "unmatched", "Removed a hand match"
    # By the check: a plan row joined a decided finding that says the same, or
    # a decided finding now says something else (a new total, a new severity).
    CARRIED = "carried", "Kept a decision on a finding"
    CHANGED = "changed", "Set aside a decision on a changed finding"


class ReviewAction(models.Model):
    """One thing a practitioner did in a review, kept for the record (never edited)."""

    response = models.ForeignKey(
        Response, on_delete=models.CASCADE, related_name="review_actions"
    )
    kind = models.CharField(max_length=20, choices=ActionKind.choices)
    finding = models.ForeignKey(
        Finding,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="actions",
    )
    entry_ref = models.CharField(
        max_length=100, blank=True, help_text="e.g. medication:<code>"
    )
    matched_as = models.CharField(max_length=100, blank=True)
    note = models.TextField(blank=True)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
    )
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} at {self.at:%Y-%m-%d %H:%M}"


class CaseNote(models.Model):
    """A practitioner's private note on a case; never shown to the client."""

    response = models.ForeignKey(
        Response, on_delete=models.CASCADE, related_name="notes"
    )
    text = models.TextField()
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"Note of {self.created_at:%Y-%m-%d %H:%M}"
