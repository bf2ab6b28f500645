"""The practice's people: accounts with a role, practitioner and client profiles,
the practice itself, and client invitations."""

from __future__ import annotations

import datetime
import uuid
from typing import TYPE_CHECKING

from django.conf import settings
from django.contrib.auth.base_user import AbstractBaseUser, BaseUserManager
from django.db import models
from django.db.models import Count, F, Q
from django.db.models.functions import Lower
from django.urls import reverse
from django.utils import timezone

if TYPE_CHECKING:
    from questionnaires.models import Severity


class Role(models.TextChoices):
    CLIENT = "client", "Client"
    PRACTITIONER = "practitioner", "Practitioner"
    ADMIN = "admin", "Admin"


STAFF_ROLES = frozenset({Role.PRACTITIONER, Role.ADMIN})


class UserManager(BaseUserManager):
    use_in_migrations = True

    @staticmethod
    def normalize_email(email: str | None) -> str:
        """Lower-case the whole address: people type their email in any case."""
        return (email or "").strip().lower()

    def create_user(
        self, email: str, password: str | None = None, **fields: object
    ) -> User:
        if not email:
            raise ValueError("An email address is required.")
        user = self.model(email=self.normalize_email(email), **fields)
        if password:
            user.set_password(password)
        else:
            user.set_unusable_password()
        user.save(using=self._db)
        return user

    def create_superuser(
        self, email: str, password: str | None = None, **fields: object
    ) -> User:
        fields["role"] = Role.ADMIN
        return self.create_user(email, password, **fields)

    def get_by_natural_key(self, username: str) -> User:
        return self.get(email__iexact=username)


class User(AbstractBaseUser):
    """A person who signs in. The role decides what they may do; there is no separate
    staff or superuser flag to drift out of step with it."""

    code = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    email = models.EmailField("email address", unique=True)
    full_name = models.CharField("full name", max_length=150)
    role = models.CharField(max_length=20, choices=Role.choices, default=Role.CLIENT)
    is_active = models.BooleanField(
        "active",
        default=True,
        help_text="Untick to stop this person signing in, without deleting anything.",
    )
    date_joined = models.DateTimeField(default=timezone.now)

    objects = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS = ["full_name"]

    class Meta:
        ordering = ["full_name", "email"]
        # For the dashboard's sort by name; search by name or email uses trigram
        # indexes made on PostgreSQL only (practice/migrations/0008).
        indexes = [models.Index(fields=["full_name"], name="user_full_name")]
        constraints = [
            models.UniqueConstraint(Lower("email"), name="user_email_case_insensitive"),
            models.CheckConstraint(
                condition=models.Q(role__in=Role.values), name="user_role_valid"
            ),
        ]

    def __str__(self) -> str:
        return self.full_name or self.email

    @property
    def is_client(self) -> bool:
        return self.role == Role.CLIENT

    @property
    def is_practitioner(self) -> bool:
        return self.role == Role.PRACTITIONER

    @property
    def is_admin(self) -> bool:
        return self.role == Role.ADMIN

    # The Django admin asks these; only the admin role may use it.
    @property
    def is_staff(self) -> bool:
        return self.is_active and self.role == Role.ADMIN

    @property
    def is_superuser(self) -> bool:
        return self.is_staff

    def client_profile_or_none(self) -> Client | None:
        """This client's profile (one query); None for staff or a client without one."""
        if self.role != Role.CLIENT:
            return None
        return Client.objects.filter(user=self).first()

    def has_perm(self, perm: str, obj: object = None) -> bool:
        return self.is_staff

    def has_perms(self, perm_list, obj: object = None) -> bool:
        return self.is_staff

    def has_module_perms(self, app_label: str) -> bool:
        return self.is_staff

    def clean(self) -> None:
        super().clean()
        self.email = User.objects.normalize_email(self.email)

    def get_full_name(self) -> str:
        return self.full_name

    def get_short_name(self) -> str:
        return self.full_name.split(" ")[0] if self.full_name else self.email


class UpperLimitSet(models.TextChoices):
    UK = "uk", "UK: Expert Group on Vitamins and Minerals (EU value where UK has none)"
    EU = "eu", "EU: European Food Safety Authority"
    US = "us", "US: Institute of Medicine / NIH"


class Practice(models.Model):
    """The one practice this installation serves; its details brand the PDFs."""

    singleton = models.BooleanField(default=True, unique=True, editable=False)
    name = models.CharField(max_length=200)
    address = models.TextField(blank=True)
    email = models.EmailField("contact email", blank=True)
    phone = models.CharField(max_length=40, blank=True)
    logo = models.ImageField(upload_to="practice/", blank=True)
    registration = models.TextField(
        "registration text",
        blank=True,
        help_text="Printed on advice summaries, e.g. professional body memberships.",
    )
    upper_limits = models.CharField(
        "upper limits used",
        max_length=2,
        choices=UpperLimitSet.choices,
        default=UpperLimitSet.UK,
        help_text="Which official upper limits the interaction check compares a "
        "client's total daily intake of a nutrient with.",
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=models.Q(singleton=True), name="practice_is_singleton"
            )
        ]

    def __str__(self) -> str:
        return self.name

    @classmethod
    def current(cls) -> Practice:
        practice, _ = cls.objects.get_or_create(
            singleton=True, defaults={"name": "Your practice"}
        )
        return practice


class Practitioner(models.Model):
    code = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="practitioner_profile",
    )
    registration = models.CharField(
        "professional registration",
        max_length=200,
        blank=True,
        help_text="e.g. BANT 12345, CNHC 67890. Printed on advice summaries.",
    )

    class Meta:
        ordering = ["user__full_name"]

    def __str__(self) -> str:
        return str(self.user)


class ClientErased(Exception):
    """An erased client can be sent nothing: no invitation, questionnaire or email."""


class CaseState(models.TextChoices):
    """Where a client is on the way from invitation to advice summary: their latest
    questionnaire's status, or where they are before they have one."""

    INVITED = "invited", "Invited"
    NO_QUESTIONNAIRE = "no_questionnaire", "No questionnaire sent"
    IN_PROGRESS = "in_progress", "In progress"
    REOPENED = "reopened", "Reopened for the client"
    SUBMITTED = "submitted", "Submitted"
    IN_REVIEW = "in_review", "In review"
    READY_FOR_ADVICE = "ready_for_advice", "Ready for advice"
    SUMMARY_ISSUED = "summary_issued", "Summary issued"


class CaseOrder(models.TextChoices):
    """How the dashboard sorts a practitioner's clients."""

    URGENCY = "urgency", "Most urgent first"
    LAST_ACTIVITY = "activity", "Last activity, newest first"
    SUBMITTED = "submitted", "Submitted, newest first"
    SUBMITTED_OLDEST = "submitted-oldest", "Submitted, oldest first"
    NAME = "name", "Name"


class CaseCounts(dict[str, int]):
    """How many clients are in each state the dashboard counts, zeros included."""

    def rows(self, state: str = "") -> int:
        """How many rows `case_rows` gives for this state filter without a search,
        from the counts already made: the page need not count its rows again."""
        if state in Client.COUNTED_STATES:
            return self[state]
        return sum(self.values())


class ClientQuerySet(models.QuerySet):
    """Clients, and the practitioner's dashboard of their cases.

    A case's state, submission, last activity and open red flags are stored on
    the client (questionnaires/case_summary.py keeps them true), so that a page,
    its counts and its search read a practitioner's index entries, however many
    clients the practice has.
    """

    SEARCH_MAX_LENGTH = 100

    def for_practitioner(self, practitioner: Practitioner) -> ClientQuerySet:
        return self.filter(practitioner=practitioner)

    def case_rows(
        self, *, search: str = "", state: str = "", sort: str = ""
    ) -> ClientQuerySet:
        """The dashboard's rows: these clients with state, findings and activity.

        `state` is a key of Client.COUNTED_STATES: "in_progress" includes reopened
        questionnaires, as its count does. Unknown `state` and `sort` values are
        ignored.
        """
        rows = (
            self.select_related(None)
            .select_related("user")
            .annotate(
                state=F("case_state"),
                latest_code=F("case_response__code"),
                latest_step=F("case_response__step_reached"),
                submitted_at=F("case_submitted_at"),
                last_activity=F("case_activity_at"),
            )
        )
        if search := search.strip()[: self.SEARCH_MAX_LENGTH]:
            # A trigram index on PostgreSQL (practice/migrations/0008) serves these.
            rows = rows.filter(
                Q(user__full_name__icontains=search) | Q(user__email__icontains=search)
            )
        if state in Client.COUNTED_STATES:
            rows = rows.filter(case_state__in=Client.COUNTED_STATES[state])
        return rows.order_by(*_case_ordering(sort))

    def state_counts(self) -> CaseCounts:
        """How many of these clients are in each counted state, zeros included
        (one GROUP BY over an index)."""
        per_state = dict(
            self.order_by()
            .values_list("case_state")
            # Not COUNT(id): the index alone answers COUNT(*).
            .annotate(n=Count("*"))
        )
        return CaseCounts(
            {
                counted: sum(per_state.get(s, 0) for s in states)
                for counted, states in Client.COUNTED_STATES.items()
            }
        )


def _case_ordering(sort: str) -> list:
    """Each order but the name's reads an index of Client (after the
    practitioner); ties go to the client added first, not by name, so that a page
    is found without reading users (docs/decisions.md)."""
    if sort == CaseOrder.NAME:
        return ["user__full_name", "pk"]
    if sort == CaseOrder.SUBMITTED:
        return [F("case_submitted_at").desc(nulls_last=True), "pk"]
    if sort == CaseOrder.SUBMITTED_OLDEST:
        return [F("case_submitted_at").asc(nulls_last=True), "pk"]
    if sort == CaseOrder.LAST_ACTIVITY:
        return [F("case_activity_at").desc(), "pk"]
    # Most urgent: undecided red flags, then undecided major findings, then the
    # cases waiting for the practitioner, longest-waiting first; everyone else by
    # latest activity.
    return [
        F("case_open_refer").desc(),
        F("case_open_major").desc(),
        F("case_waiting_since").asc(nulls_last=True),
        F("case_activity_at").desc(),
        "pk",
    ]


class Client(models.Model):
    code = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="client_profile",
    )
    practitioner = models.ForeignKey(
        Practitioner,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="clients",
        help_text="The practitioner who sees this client's records.",
    )
    date_of_birth = models.DateField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    # Set when the client's personal data is erased; they can be sent nothing after.
    erased_at = models.DateTimeField(null=True, blank=True)
    # Where the client's case stands, stored so that the dashboard can filter, sort
    # and count by index however many clients there are. Derived data: only
    # questionnaires/case_summary.py writes it (docs/decisions.md, "The dashboard
    # reads a stored case summary").
    case_state = models.CharField(
        max_length=20, choices=CaseState.choices, default=CaseState.INVITED
    )
    case_response = models.ForeignKey(
        "questionnaires.Response",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        help_text="The client's latest questionnaire.",
    )
    case_submitted_at = models.DateTimeField(null=True, blank=True)
    # The submission time while the case waits for the practitioner, else null.
    case_waiting_since = models.DateTimeField(null=True, blank=True)
    case_activity_at = models.DateTimeField(default=timezone.now)
    # Findings of the latest questionnaire still to decide, by severity (the
    # first two sort the most urgent first; all five are the row's badges).
    case_open_refer = models.PositiveIntegerField(default=0)
    case_open_major = models.PositiveIntegerField(default=0)
    case_open_moderate = models.PositiveIntegerField(default=0)
    case_open_minor = models.PositiveIntegerField(default=0)
    case_open_info = models.PositiveIntegerField(default=0)

    objects = ClientQuerySet.as_manager()

    class Meta:
        ordering = ["user__full_name"]
        # The dashboard's sorts and filters, always within one practitioner's
        # clients, so that a page reads 25 index entries rather than every client.
        indexes = [
            models.Index(
                fields=["practitioner", "case_state", "-case_activity_at"],
                name="client_case_state",
            ),
            models.Index(
                fields=["practitioner", "-case_activity_at"],
                name="client_case_activity",
            ),
            models.Index(
                fields=[
                    "practitioner",
                    "-case_open_refer",
                    "-case_open_major",
                    "case_waiting_since",
                    "-case_activity_at",
                ],
                name="client_case_urgency",
            ),
            # Submitted oldest first; newest first (unsubmitted last too, so DESC
            # NULLS LAST, which SQLite cannot index) is made on PostgreSQL only
            # by practice/migrations/0008.
            models.Index(
                fields=["practitioner", "case_submitted_at"],
                name="client_case_submitted",
            ),
        ]

    def __str__(self) -> str:
        return str(self.user)

    def get_absolute_url(self) -> str:
        return reverse("practice:client-detail", args=[self.code])

    #: What the dashboard counts and filters by, in the order a case moves. A
    #: reopened questionnaire is with the client again, so it counts as in progress.
    COUNTED_STATES: dict[str, tuple[CaseState, ...]] = {
        CaseState.INVITED: (CaseState.INVITED,),
        CaseState.NO_QUESTIONNAIRE: (CaseState.NO_QUESTIONNAIRE,),
        CaseState.IN_PROGRESS: (CaseState.IN_PROGRESS, CaseState.REOPENED),
        CaseState.SUBMITTED: (CaseState.SUBMITTED,),
        CaseState.IN_REVIEW: (CaseState.IN_REVIEW,),
        CaseState.READY_FOR_ADVICE: (CaseState.READY_FOR_ADVICE,),
        CaseState.SUMMARY_ISSUED: (CaseState.SUMMARY_ISSUED,),
    }
    #: The latest questionnaire has been submitted: the case page shows it.
    SUBMITTED_STATES = frozenset(
        {
            CaseState.SUBMITTED,
            CaseState.IN_REVIEW,
            CaseState.READY_FOR_ADVICE,
            CaseState.SUMMARY_ISSUED,
        }
    )
    #: The practitioner's move: the client has sent it and no summary is issued yet.
    WAITING_STATES = (
        CaseState.SUBMITTED,
        CaseState.IN_REVIEW,
        CaseState.READY_FOR_ADVICE,
    )

    @property
    def is_erased(self) -> bool:
        return self.erased_at is not None

    @property
    def has_joined(self) -> bool:
        """True once the client has set a password through their invitation."""
        return self.user.has_usable_password()

    @property
    def has_case_page(self) -> bool:
        """Whether the client's latest questionnaire has been submitted, so that
        their name on the dashboard opens its case page."""
        return (
            self.case_state in self.SUBMITTED_STATES
            and self.case_response_id is not None
        )

    def open_findings(self) -> list[tuple[Severity, int]]:
        """How many findings of the latest questionnaire wait for a decision, by
        severity, highest first; severities with none are left out."""
        # Imported here: the findings' models are built on this one.
        from questionnaires.models import Severity

        counts = ((s, getattr(self, f"case_open_{s.value}")) for s in Severity)
        return [(severity, n) for severity, n in counts if n]


class InvitationState(models.TextChoices):
    PENDING = "pending", "Waiting for the client"
    ACCEPTED = "accepted", "Accepted"
    EXPIRED = "expired", "Expired"
    REVOKED = "revoked", "Replaced by a newer invitation"


class InvitationBase(models.Model):
    """A single-use link that lets someone set their password.

    Only a hash of the token is stored, so a copy of the database cannot be used to
    take over an account that has not been claimed yet.
    """

    code = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    token_hash = models.CharField(max_length=64, unique=True, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
    )
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    accepted_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        abstract = True
        ordering = ["-created_at"]
        get_latest_by = "created_at"

    @property
    def state(self) -> InvitationState:
        if self.accepted_at:
            return InvitationState.ACCEPTED
        if self.revoked_at:
            return InvitationState.REVOKED
        if self.expires_at <= timezone.now():
            return InvitationState.EXPIRED
        return InvitationState.PENDING

    def get_state_display(self) -> str:
        return self.state.label


class Invitation(InvitationBase):
    """A client's invitation."""

    client = models.ForeignKey(
        Client, on_delete=models.CASCADE, related_name="invitations"
    )

    class Meta(InvitationBase.Meta):
        pass

    def __str__(self) -> str:
        return f"Invitation for {self.client} ({self.get_state_display()})"


class StaffInvitation(InvitationBase):
    """A practitioner's or admin's invitation: the link lets them choose a password
    and goes straight on to setting up two-factor authentication."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="staff_invitations",
    )

    class Meta(InvitationBase.Meta):
        pass

    def __str__(self) -> str:
        return f"Invitation for {self.user} ({self.get_state_display()})"


# ------------------------------------------------------------ audit and privacy


class AuditAction(models.TextChoices):
    VIEWED = "viewed", "Viewed"
    DOWNLOADED = "downloaded", "Downloaded"
    CREATED = "created", "Created"
    CHANGED = "changed", "Changed"
    DELETED = "deleted", "Deleted"
    LOGIN = "login", "Signed in"
    LOGIN_FAILED = "login_failed", "Failed sign-in"
    LOGOUT = "logout", "Signed out"
    EXPORTED = "exported", "Exported data"
    ERASURE_REQUESTED = "erasure_requested", "Asked for erasure"
    ERASED = "erased", "Erased"


class AuditEventQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise PermissionError("Audit events are never changed.")

    def delete(self):
        raise PermissionError("Audit events are never deleted.")

    def forget_network_details(self) -> int:
        """Blank the address and browser of these events: the one change allowed,
        made when the person they describe is erased (both are personal data)."""
        return models.QuerySet.update(self, ip=None, user_agent="")

    def remove_older_than(self, cutoff: datetime.datetime) -> int:
        """Delete the events from before `cutoff`: the retention period is the one
        way events leave the log (`manage.py apply_retention`)."""
        deleted, _ = models.QuerySet.delete(self.filter(at__lt=cutoff))
        return deleted


class AuditEvent(models.Model):
    """Who did what to which record, when and from where. Written once, never
    changed or deleted. Carries ids and field names, never answers or other
    health data."""

    at = models.DateTimeField(default=timezone.now, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    actor_role = models.CharField(max_length=20, blank=True)
    action = models.CharField(max_length=30, choices=AuditAction.choices)
    object_type = models.CharField(max_length=50, blank=True)  # e.g. "response"
    object_id = models.CharField(max_length=64, blank=True)  # the public code
    client_code = models.UUIDField(
        null=True, blank=True, db_index=True, help_text="The client it concerns."
    )
    ip = models.GenericIPAddressField(null=True, blank=True)
    user_agent = models.CharField(max_length=200, blank=True)
    detail = models.JSONField(default=dict, blank=True)

    objects = AuditEventQuerySet.as_manager()

    class Meta:
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["actor", "at"], name="audit_actor_at")]

    def __str__(self) -> str:
        return f"{self.get_action_display()} {self.object_type} {self.object_id}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise PermissionError("Audit events are never changed.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise PermissionError("Audit events are never deleted.")


class PrivacyNotice(models.Model):
    """One version of the practice's privacy notice; a change is a new version."""

    version = models.CharField(max_length=40, unique=True)
    text = models.TextField(help_text="Plain text; blank lines separate paragraphs.")
    published_at = models.DateTimeField(default=timezone.now)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        ordering = ["-published_at", "-id"]
        get_latest_by = "published_at"

    def __str__(self) -> str:
        return f"Privacy notice {self.version}"


class ErasureRequest(models.Model):
    """A client asked for their account and data to be deleted."""

    client = models.ForeignKey(
        Client, on_delete=models.SET_NULL, null=True, related_name="erasure_requests"
    )
    client_code = models.UUIDField()  # kept after the client is erased
    requested_at = models.DateTimeField(default=timezone.now)
    handled_at = models.DateTimeField(null=True, blank=True)
    handled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        ordering = ["-requested_at"]

    def __str__(self) -> str:
        return f"Erasure request of {self.requested_at:%Y-%m-%d}"


# ------------------------------------------------------------------ outgoing email


class EmailStatus(models.TextChoices):
    QUEUED = "queued", "Waiting to be sent"
    SENT = "sent", "Sent"
    FAILED = "failed", "Could not be sent"


class OutgoingEmailQuerySet(models.QuerySet):
    def needing_attention(self) -> OutgoingEmailQuerySet:
        """Mail staff should know about: given up on, or still unsent after an hour
        (the mail server is down, or no worker is running)."""
        an_hour_ago = timezone.now() - datetime.timedelta(hours=1)
        return self.filter(
            models.Q(status=EmailStatus.FAILED)
            | models.Q(status=EmailStatus.QUEUED, created_at__lt=an_hour_ago)
        )


class OutgoingEmail(models.Model):
    """One email, stored in the same transaction as the change it reports and sent
    by the background worker, which retries while the mail server is away.

    The body is blanked once the email is sent: it may carry a one-time link (an
    invitation, a password reset) that must not outlive its delivery in the database.
    """

    code = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    kind = models.CharField(max_length=60)  # the template, e.g. "invitation"
    to = models.EmailField(max_length=254)
    subject = models.CharField(max_length=255)
    body = models.TextField(blank=True)
    client = models.ForeignKey(
        Client,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        help_text="The client it is to or about; erasing them deletes it.",
    )
    status = models.CharField(
        max_length=10, choices=EmailStatus.choices, default=EmailStatus.QUEUED
    )
    attempts = models.PositiveSmallIntegerField(default=0)
    created_at = models.DateTimeField(default=timezone.now)
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    # Set while a worker is talking to the mail server, so that no other sends it too.
    sending_since = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    last_error = models.CharField(max_length=300, blank=True)

    objects = OutgoingEmailQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["status", "created_at"], name="email_status")]

    def __str__(self) -> str:
        return f"{self.subject} ({self.get_status_display()})"
