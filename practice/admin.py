"""The Django admin, set up for what a practice admin does most: make staff accounts,
assign clients, deactivate people, reset MFA, edit the practice's details, and read
the audit log."""

from allauth.mfa.models import Authenticator
from django.contrib import admin, messages
from django.contrib.auth.forms import AdminUserCreationForm, UserChangeForm
from django.db.models import Count, Exists, OuterRef
from django.http import HttpRequest, HttpResponseRedirect
from django.urls import reverse
from django.utils.html import format_html

from practice import admin_email  # noqa: F401 - registers the outbox
from practice.addresses import trust_address
from practice.admin_base import ReadOnlyAdminMixin
from practice.admin_forms import PracticeAdminForm
from practice.admin_privacy import erase_selected_clients
from practice.audit import email_fingerprint, record
from practice.models import (
    STAFF_ROLES,
    AuditAction,
    AuditEvent,
    Client,
    Invitation,
    Practice,
    Practitioner,
    Role,
    User,
)
from practice.profiles import ensure_profile
from practice.staff import end_sessions, send_staff_invitation
from questionnaires.dashboard import case_summary

AUDIT_LIST = "admin:practice_auditevent_changelist"


def audit_trail_link(query: str) -> str:
    return format_html(
        '<a href="{}?{}">See audit trail</a>', reverse(AUDIT_LIST), query
    )


def changes(form, names: tuple[str, ...]) -> dict:
    """The changed fields by name, with old and new values for the few that are
    about access (role, active, assigned practitioner), never anything else."""
    detail: dict = {"fields": list(form.changed_data)}
    for name in names:
        if name in form.changed_data:
            # The initial value of a choice of object is its pk; show both as codes.
            old = form.fields[name].to_python(form.initial.get(name))
            new = form.cleaned_data.get(name)
            detail[name] = {"from": _plain(old), "to": _plain(new)}
    return detail


def _plain(value):
    if hasattr(value, "code"):
        return str(value.code)
    return value if isinstance(value, (bool, int, str, type(None))) else str(value)


class UserCreateForm(AdminUserCreationForm):
    class Meta:
        model = User
        fields = ("email", "full_name", "role")


class UserEditForm(UserChangeForm):
    class Meta:
        model = User
        fields = ("email", "full_name", "role", "is_active")


class PractitionerInline(admin.StackedInline):
    model = Practitioner
    can_delete = False
    fields = ("registration",)
    verbose_name_plural = "Practitioner details"


@admin.register(User)
class UserAdmin(admin.ModelAdmin):
    form = UserEditForm
    add_form = UserCreateForm
    list_display = ("email", "full_name", "role", "is_active", "has_mfa", "last_login")
    list_filter = ("role", "is_active")
    search_fields = ("email", "full_name")
    ordering = ("full_name",)
    readonly_fields = ("code", "last_login", "date_joined", "audit_trail")
    actions = ("deactivate", "reactivate", "reset_mfa")
    fieldsets = (
        (None, {"fields": ("email", "full_name", "role", "password")}),
        (
            "Status",
            {
                "fields": (
                    "is_active",
                    "last_login",
                    "date_joined",
                    "code",
                    "audit_trail",
                )
            },
        ),
    )
    add_fieldsets = (
        (
            None,
            {
                "fields": (
                    "email",
                    "full_name",
                    "role",
                    "usable_password",
                    "password1",
                    "password2",
                )
            },
        ),
    )

    def get_queryset(self, request: HttpRequest):
        totp = Authenticator.objects.filter(
            user=OuterRef("pk"), type=Authenticator.Type.TOTP
        )
        return super().get_queryset(request).annotate(_has_mfa=Exists(totp))

    @admin.display(boolean=True, description="Two-factor", ordering="_has_mfa")
    def has_mfa(self, user: User) -> bool:
        return user._has_mfa

    @admin.display(description="Audit log")
    def audit_trail(self, user: User) -> str:
        return audit_trail_link(f"actor__id__exact={user.pk}")

    def get_form(self, request, obj=None, **kwargs):
        if obj is None:
            kwargs["form"] = self.add_form
        return super().get_form(request, obj, **kwargs)

    def get_fieldsets(self, request, obj=None):
        return self.add_fieldsets if obj is None else self.fieldsets

    def get_inlines(self, request, obj):
        return [PractitionerInline] if obj and obj.role == Role.PRACTITIONER else []

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        ensure_profile(obj)
        if not change or "email" in form.changed_data:
            trust_address(obj)  # the practice typed it; an old address goes
        if change and not form.changed_data:
            return
        record(
            action=AuditAction.CHANGED if change else AuditAction.CREATED,
            request=request,
            obj=obj,
            client=obj.client_profile_or_none(),
            detail=changes(form, ("role", "is_active"))
            if change
            else {"role": obj.role},
        )
        if not change and obj.role in STAFF_ROLES and not obj.has_usable_password():
            # Made without a password: they choose one, as if invited in the app.
            send_staff_invitation(user=obj, sent_by=request.user, request=request)
            self.message_user(
                request,
                f"An invitation to choose a password was emailed to {obj.email}.",
                messages.SUCCESS,
            )

    def _record_each(self, request: HttpRequest, users, detail: dict) -> None:
        for user in users:
            record(
                action=AuditAction.CHANGED,
                request=request,
                obj=user,
                client=user.client_profile_or_none(),
                detail=detail,
            )

    @admin.action(
        description="Deactivate selected accounts (they can no longer sign in)"
    )
    def deactivate(self, request: HttpRequest, queryset) -> None:
        users = list(queryset.exclude(pk=request.user.pk).filter(is_active=True))
        n = queryset.exclude(pk=request.user.pk).update(is_active=False)
        self._record_each(
            request,
            users,
            {"fields": ["is_active"], "is_active": {"from": True, "to": False}},
        )
        self.message_user(request, f"Deactivated {n} account(s).", messages.SUCCESS)
        # Their clients now have nobody reading their answers.
        for practitioner in Practitioner.objects.filter(
            user__in=users, clients__isnull=False
        ).annotate(n=Count("clients")):
            self.message_user(
                request,
                f"{practitioner} still has {practitioner.n} client(s): move them "
                "to another practitioner in the list of clients.",
                messages.WARNING,
            )
        if queryset.filter(pk=request.user.pk).exists():
            self.message_user(
                request, "You cannot deactivate your own account.", messages.WARNING
            )

    @admin.action(description="Reactivate selected accounts")
    def reactivate(self, request: HttpRequest, queryset) -> None:
        users = list(queryset.filter(is_active=False))
        n = queryset.update(is_active=True)
        self._record_each(
            request,
            users,
            {"fields": ["is_active"], "is_active": {"from": False, "to": True}},
        )
        self.message_user(request, f"Reactivated {n} account(s).", messages.SUCCESS)

    @admin.action(description="Reset two-factor authentication (they set it up again)")
    def reset_mfa(self, request: HttpRequest, queryset) -> None:
        users = list(queryset)
        Authenticator.objects.filter(user__in=queryset).delete()
        for user in users:
            end_sessions(user)
        self._record_each(request, users, {"event": "mfa_reset"})
        # Count people, not authenticators: an app and its recovery codes are two.
        self.message_user(
            request,
            f"Reset two-factor authentication for {len(users)} account(s). They "
            "will be asked to set it up again when they next sign in.",
            messages.SUCCESS,
        )


@admin.register(Practitioner)
class PractitionerAdmin(admin.ModelAdmin):
    list_display = ("__str__", "email", "registration", "client_count")
    search_fields = ("user__full_name", "user__email", "registration")
    list_select_related = ("user",)
    fields = ("user", "registration")
    autocomplete_fields = ("user",)

    def get_queryset(self, request: HttpRequest):
        return super().get_queryset(request).annotate(_clients=Count("clients"))

    @admin.display(description="Email", ordering="user__email")
    def email(self, practitioner: Practitioner) -> str:
        return practitioner.user.email

    @admin.display(description="Clients", ordering="_clients")
    def client_count(self, practitioner: Practitioner) -> int:
        return practitioner._clients

    def get_readonly_fields(self, request, obj=None):
        return ("user",) if obj else ()


class InvitationInline(admin.TabularInline):
    model = Invitation
    extra = 0
    can_delete = False
    fields = ("created_at", "created_by", "expires_at", "accepted_at", "revoked_at")
    readonly_fields = fields

    def has_add_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Client)
class ClientAdmin(admin.ModelAdmin):
    list_display = ("__str__", "email", "practitioner", "has_joined", "created_at")
    list_editable = ("practitioner",)
    list_filter = ("practitioner",)
    search_fields = ("user__full_name", "user__email")
    list_select_related = ("user", "practitioner__user")
    autocomplete_fields = ("user", "practitioner")
    fields = ("user", "practitioner", "date_of_birth")
    inlines = (InvitationInline,)
    actions = (erase_selected_clients,)

    @admin.display(description="Email", ordering="user__email")
    def email(self, client: Client) -> str:
        return client.user.email

    @admin.display(boolean=True, description="Has set a password")
    def has_joined(self, client: Client) -> bool:
        return client.has_joined

    def get_readonly_fields(self, request, obj=None):
        return ("user", "audit_trail") if obj else ()

    def get_fields(self, request, obj=None):
        return (*self.fields, "audit_trail") if obj else self.fields

    @admin.display(description="Audit log")
    def audit_trail(self, client: Client) -> str:
        return audit_trail_link(f"client_code={client.code}")

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        if not change:
            # An account chosen here may have a password already: not "invited".
            case_summary.refresh(obj.pk)
        if change and not form.changed_data:
            return
        record(
            action=AuditAction.CHANGED if change else AuditAction.CREATED,
            request=request,
            obj=obj,
            detail=changes(form, ("practitioner",)) if change else {},
        )


@admin.register(Practice)
class PracticeAdmin(admin.ModelAdmin):
    form = PracticeAdminForm
    fields = (
        "name",
        "address",
        "email",
        "phone",
        "logo",
        "registration",
        "upper_limits",
    )

    def has_add_permission(self, request) -> bool:
        return not Practice.objects.exists()

    def has_delete_permission(self, request, obj=None) -> bool:
        return False

    def changelist_view(self, request, extra_context=None):
        """There is one practice: go straight to its details."""
        practice = Practice.current()
        return HttpResponseRedirect(
            reverse("admin:practice_practice_change", args=[practice.pk])
        )


@admin.register(AuditEvent)
class AuditEventAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    """The audit log, to read and filter; nobody can add, change or delete."""

    list_display = (
        "at",
        "actor",
        "actor_role",
        "action",
        "object_type",
        "object_id",
        "client_code",
        "ip",
    )
    list_filter = ("action", "actor_role")
    list_select_related = ("actor",)
    date_hierarchy = "at"
    search_fields = ("client_code", "object_id", "actor__email")
    fields = (*list_display, "user_agent", "detail")
    readonly_fields = fields

    def get_search_results(self, request, queryset, search_term):
        """An email address also finds failed sign-ins tried with it."""
        found, may_have_duplicates = super().get_search_results(
            request, queryset, search_term
        )
        if "@" in search_term:
            tried = queryset.filter(
                detail__email_fingerprint=email_fingerprint(search_term)
            )
            found = found | tried
        return found, may_have_duplicates

    # The "See audit trail" links on clients and users filter by these.
    TRAIL_LOOKUPS = frozenset({"client_code", "client_code__exact", "actor__id__exact"})

    def lookup_allowed(self, lookup, value, request=None) -> bool:
        return lookup in self.TRAIL_LOOKUPS or super().lookup_allowed(
            lookup, value, request
        )
