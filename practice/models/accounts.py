"""Accounts with a role, the practice itself, and practitioners' profiles."""

from __future__ import annotations

import uuid
from typing import TYPE_CHECKING

from django.conf import settings
from django.contrib.auth.base_user import AbstractBaseUser, BaseUserManager
from django.db import models
from django.db.models.functions import Lower
from django.utils import timezone

if TYPE_CHECKING:
    from practice.models.clients import Client


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
        from practice.models.clients import Client  # clients import accounts

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
