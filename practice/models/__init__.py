"""The practice's people and records, one module per resource; import them from here."""

from practice.models.accounts import (  # noqa: F401
    STAFF_ROLES,
    Practice,
    Practitioner,
    Role,
    UpperLimitSet,
    User,
    UserManager,
)
from practice.models.clients import (  # noqa: F401
    CaseCounts,
    CaseOrder,
    CaseState,
    Client,
    ClientErased,
    ClientQuerySet,
)
from practice.models.invitations import (  # noqa: F401
    Invitation,
    InvitationBase,
    InvitationState,
    StaffInvitation,
)
from practice.models.records import (  # noqa: F401
    AuditAction,
    AuditEvent,
    AuditEventQuerySet,
    EmailStatus,
    ErasureRequest,
    OutgoingEmail,
    OutgoingEmailQuerySet,
    PrivacyNotice,
)
