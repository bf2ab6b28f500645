"""The audit log: who opened or changed which record, when and from where.

Operations and views call `record()` explicitly (signals would miss
`bulk_create`/`bulk_update`, which intake uses). An event carries ids, codes,
field names, counts and versions: never answers, medicine names, notes, advice
or any other health data. Events are written once and never changed.
"""

from __future__ import annotations

import hashlib
import hmac
import ipaddress
import uuid

from django.conf import settings
from django.db import models
from django.http import HttpRequest

from practice.models import AuditAction, AuditEvent, Client, User

USER_AGENT_LENGTH = 200
EMAIL_LENGTH = 120


def record(
    *,
    action: AuditAction,
    request: HttpRequest | None = None,
    actor: User | None = None,
    obj: models.Model | None = None,
    object_type: str = "",
    object_id: str = "",
    client: Client | uuid.UUID | str | None = None,
    detail: dict | None = None,
) -> AuditEvent:
    """Write one audit event.

    `obj` gives the object's type (its model name) and id (its public code, else
    its pk), and the client it concerns when that is obvious; explicit arguments
    win. The actor defaults to the signed-in user of `request`.
    """
    if actor is None and request is not None:
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            actor = user
    if obj is not None:
        object_type = object_type or obj._meta.model_name
        object_id = object_id or str(getattr(obj, "code", None) or obj.pk)
        if client is None:
            client = _client_of(obj)
    meta = request.META if request is not None else {}
    return AuditEvent.objects.create(
        actor=actor,
        actor_role=actor.role if actor is not None else "",
        action=action,
        object_type=object_type,
        object_id=str(object_id),
        client_code=client.code if isinstance(client, Client) else client,
        ip=client_ip(request) if request is not None else None,
        user_agent=str(meta.get("HTTP_USER_AGENT", ""))[:USER_AGENT_LENGTH],
        detail=_clean(detail or {}),
    )


def _client_of(obj: models.Model) -> Client | None:
    """The client a record belongs to, where that is plain from the record."""
    if isinstance(obj, Client):
        return obj
    if hasattr(obj, "client_id"):
        return obj.client
    if hasattr(obj, "response_id"):
        return obj.response.client
    return None


def client_ip(request: HttpRequest) -> str | None:
    """The address the request came from.

    Behind our TLS proxy the connection comes from the proxy, so the client's
    address is in X-Forwarded-For, ALLAUTH_TRUSTED_PROXY_COUNT entries from the
    right (the same one allauth's rate limits use). Entries further left come
    from the client and can be forged.
    """
    meta = request.META
    count = getattr(settings, "ALLAUTH_TRUSTED_PROXY_COUNT", 0)
    entries = str(meta.get("HTTP_X_FORWARDED_FOR", "")).split(",")
    if count and len(entries) >= count:
        forwarded = entries[-count].strip()
        if _valid_ip(forwarded):
            return forwarded
    remote = str(meta.get("REMOTE_ADDR", "")).strip()
    return remote if _valid_ip(remote) else None


def _valid_ip(value: str) -> bool:
    try:
        ipaddress.ip_address(value)
    except ValueError:
        return False
    return True


def _clean(value: object) -> object:
    """Detail as the database can store it: no NUL characters (PostgreSQL refuses
    them) and no long strings, whatever a request put in."""
    if isinstance(value, dict):
        return {str(k)[:60]: _clean(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_clean(v) for v in value]
    if isinstance(value, str):
        return value.replace("\x00", "")[:200]
    return value


# ------------------------------------------------------ sign-in signal receivers


def on_login(sender, request: HttpRequest | None, user: User, **kwargs) -> None:
    record(
        action=AuditAction.LOGIN,
        request=request,
        actor=user,
        obj=user,
        client=user.client_profile_or_none(),
    )


def on_login_failed(
    sender, credentials: dict, request: HttpRequest | None = None, **kwargs
) -> None:
    """Record the attempt against the account tried, by its code if it exists.

    The typed address itself is kept only as a keyed fingerprint: repeated
    attempts on one address can be linked (and searched for in the admin), but an
    erased client's address is not left readable in a log that is never changed.
    """
    email = str(credentials.get("email") or credentials.get("username") or "")
    login_refused(request=request, email=email, reason="wrong_password")


def login_refused(*, request: HttpRequest | None, email: str, reason: str) -> None:
    """A sign-in that did not succeed: a wrong password, or refused by the
    rate limit before the password was even checked."""
    email = email.strip().lower()[:EMAIL_LENGTH]
    account = User.objects.filter(email__iexact=email).first() if email else None
    detail = {"reason": reason}
    if email:
        detail["email_fingerprint"] = email_fingerprint(email)
    record(
        action=AuditAction.LOGIN_FAILED,
        request=request,
        actor=None,
        object_type="user" if account else "",
        object_id=str(account.code) if account else "",
        client=account.client_profile_or_none() if account else None,
        detail=detail,
    )


def on_mfa_failed(sender, request: HttpRequest | None, user: User, **kwargs) -> None:
    """A wrong two-factor code (connected to allauth's MFA signal)."""
    record(
        action=AuditAction.LOGIN_FAILED,
        request=request,
        actor=None,
        obj=user,
        client=user.client_profile_or_none(),
        detail={"reason": "wrong_mfa_code"},
    )


def email_fingerprint(email: str) -> str:
    """A keyed hash of an address, the same for the same address on this site."""
    normalised = email.strip().lower()[:EMAIL_LENGTH].encode()
    key = settings.SECRET_KEY.encode()
    return hmac.new(key, normalised, hashlib.sha256).hexdigest()[:32]


def on_logout(sender, request: HttpRequest | None, user: User | None, **kwargs):
    if user is None:
        return
    record(
        action=AuditAction.LOGOUT,
        request=request,
        actor=user,
        obj=user,
        client=user.client_profile_or_none(),
    )
