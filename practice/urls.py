"""Cofactor's URLs. The practice's own pages are in the `practice` namespace."""

from allauth.account.decorators import secure_admin_login
from django.contrib import admin
from django.urls import include, path

from practice.admin_base import hide_from_index
from practice.middleware import keep_alive
from practice.views import branding, people, privacy, staff

handler500 = "practice.views.errors.server_error"

# The admin signs in through allauth like everyone else, so MFA applies to it.
admin.site.login = secure_admin_login(admin.site.login)
admin.site.site_header = "Cofactor administration"
admin.site.site_title = "Cofactor admin"
admin.site.index_title = "Accounts, practice and questionnaires"
hide_from_index(
    admin.site,
    {
        "account.emailaddress",
        "mfa.authenticator",
        "auth.group",
        "questionnaires.section",
        "questionnaires.question",
    },
)

practice_patterns = [
    path("", people.home, name="home"),
    path("portal/", people.portal, name="portal"),
    path("", include("questionnaires.dashboard.urls")),
    path("clients/invite/", people.invite_client, name="invite-client"),
    path("clients/<uuid:code>/", people.client_detail, name="client-detail"),
    path(
        "clients/<uuid:code>/resend-invitation/",
        people.resend_invitation,
        name="resend-invitation",
    ),
    path("invitation/<str:token>/", people.accept_invitation, name="accept-invitation"),
    path("staff/", people.staff_home, name="staff-home"),
    path(
        "staff/clients/<uuid:code>/erase/",
        privacy.erase_client,
        name="erase-client",
    ),
    path("staff/people/", staff.staff_list, name="staff-list"),
    path("staff/people/invite/", staff.invite_staff, name="invite-staff"),
    path(
        "staff/people/<uuid:code>/resend-invitation/",
        staff.resend_staff_invitation,
        name="resend-staff-invitation",
    ),
    path(
        "staff/people/<uuid:code>/deactivate/",
        staff.deactivate_staff,
        name="deactivate-staff",
    ),
    path(
        "staff/people/<uuid:code>/reset-two-factor/",
        staff.reset_staff_mfa,
        name="reset-staff-mfa",
    ),
    path("staff/audit/", staff.audit_log, name="audit-log"),
    path(
        "staff/invitation/<str:token>/",
        staff.accept_staff_invitation,
        name="accept-staff-invitation",
    ),
    path("privacy/", privacy.privacy_notice, name="privacy"),
    path("practice/logo/", branding.logo, name="logo"),
    path("portal/my-data/", privacy.download_my_data, name="download-my-data"),
    path(
        "portal/delete-my-account/",
        privacy.request_erasure,
        name="request-erasure",
    ),
]

urlpatterns = [
    path("", include((practice_patterns, "practice"))),
    path("", include("questionnaires.urls")),
    # Before allauth's: the address is shown, never added or changed by its owner.
    path("accounts/email/", staff.email_address, name="account_email"),
    path("accounts/", include("allauth.urls")),
    path("admin/", admin.site.urls),
    path("healthz", people.healthz, name="healthz"),
    path("session/keep-alive/", keep_alive, name="keep-alive"),
]
