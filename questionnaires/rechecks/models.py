"""Keeping open cases current with the knowledge base: a case can be closed (no
longer re-checked), each deploy's knowledge version gets one background re-check,
and the findings it raised or changed wait as "new evidence" until decided."""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone


class CaseUpkeep(models.Model):
    """What a response needs to stay current: the knowledge version its findings
    were last checked with, and whether the practice has closed the case.

    A base of Response, kept apart so the re-check's fields and transitions read
    in one place.
    """

    # The knowledge base version of the latest check of this case ("" before any).
    knowledge_version = models.CharField(max_length=40, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        abstract = True

    @property
    def is_closed(self) -> bool:
        return self.closed_at is not None

    @property
    def can_close(self) -> bool:
        """Only a submitted case: one with the client is not checked anyway."""
        return not self.is_closed and not self.is_editable

    def close(self, *, by, note: str = "") -> None:
        """The practice no longer advises on this case: stop re-checking it.
        Callers hold the row lock."""
        from questionnaires.intake.models import (
            EventKind,
        )

        if self.is_closed:
            raise ValidationError("This case is already closed.", code="closed")
        if self.is_editable:
            raise ValidationError(
                "Only a case the client has sent can be closed.", code="not_submitted"
            )
        self.closed_at = timezone.now()
        self.closed_by = by
        self.save(update_fields=["closed_at", "closed_by"])
        self.events.create(kind=EventKind.CLOSED, by=by, message=note)
        self._note_case_event()

    def open_again(self, *, by) -> None:
        """Re-check the case again when the knowledge changes. Callers hold the
        row lock."""
        from questionnaires.intake.models import (
            EventKind,
        )

        if not self.is_closed:
            raise ValidationError("This case is not closed.", code="not_closed")
        self.closed_at = None
        self.closed_by = None
        self.save(update_fields=["closed_at", "closed_by"])
        self.events.create(kind=EventKind.OPENED_AGAIN, by=by)
        self._note_case_event()

    def _note_case_event(self) -> None:
        """An event is the client's latest activity on the dashboard."""
        from questionnaires.dashboard import case_summary

        case_summary.refresh(self.client_id)


class KnowledgeRecheck(models.Model):
    """The background re-check of open cases for one knowledge base version.

    One row per version (the unique constraint makes two processes that start at
    once schedule it once); a version deployed again after another one is
    scheduled again on the same row.
    """

    version = models.CharField(max_length=40, unique=True)
    scheduled_at = models.DateTimeField(default=timezone.now)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    checked = models.PositiveIntegerField(default=0)
    changed = models.PositiveIntegerField(default=0)
    failed = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["-scheduled_at", "-id"]
        verbose_name = "knowledge re-check"

    def __str__(self) -> str:
        return f"Re-check for knowledge {self.version}"


class EvidenceChange(models.TextChoices):
    NEW = "new", "New finding"
    CHANGED = "changed", "Changed"
    BACK = "back", "Raised again"


class NewEvidenceQuerySet(models.QuerySet):
    def waiting(self) -> NewEvidenceQuerySet:
        """Still for the practitioner: not decided, still raised, case not closed."""
        return self.filter(
            settled_at=None,
            finding__withdrawn_at=None,
            finding__decision="",
            finding__response__closed_at=None,
        )

    def settle(self, finding) -> int:
        """The practitioner decided the finding: it leaves the list for good."""
        return self.filter(finding=finding, settled_at=None).update(
            settled_at=timezone.now()
        )


class NewEvidence(models.Model):
    """A finding that a knowledge re-check raised or changed, listed on the
    practitioner's dashboard until they decide it."""

    finding = models.ForeignKey(
        "questionnaires.Finding", on_delete=models.CASCADE, related_name="new_evidence"
    )
    recheck = models.ForeignKey(
        KnowledgeRecheck, on_delete=models.CASCADE, related_name="new_evidence"
    )
    change = models.CharField(max_length=10, choices=EvidenceChange.choices)
    # Names of the finding's fields that the new knowledge changed, for "Changed".
    fields = models.JSONField(default=list, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    # When the practitioner decided the finding: it leaves the list for good.
    settled_at = models.DateTimeField(null=True, blank=True)

    objects = NewEvidenceQuerySet.as_manager()

    class Meta:
        ordering = ["created_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["finding"],
                condition=models.Q(settled_at=None),
                name="one_waiting_evidence_per_finding",
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_change_display()} at {self.created_at:%Y-%m-%d %H:%M}"
