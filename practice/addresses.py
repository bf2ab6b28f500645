"""Email addresses: the one an account was given is trusted, and nobody adds another.

Nobody signs themselves up to Cofactor. Every address was typed by the practice: an
admin made the account, a practitioner invited the client, or the first-admin
command was run by whoever installs Cofactor. So the account's own address needs no
verification email.

allauth keeps its own `EmailAddress` rows beside `User.email` and makes unverified
ones on its own (when it creates a password-reset token, or when someone opens its
email page). While any unverified row exists, allauth refuses to set up two-factor
authentication, and staff who must use it could reach no page that fixes it: anyone
could lock a new practitioner out by asking for a password reset for them. Hence
the account's own address is always stored as verified, and the email page only
shows the address: a changed address comes from the practice, never from the user.
"""

from __future__ import annotations

from allauth.account.models import EmailAddress

from practice.models import User


def trust_address(user: User) -> None:
    """Make the account's address its one verified, primary address.

    Called when the practice sets the address (an invitation, an admin's change):
    any other address goes, so neither signing in nor a password reset can use an
    address the account no longer has.
    """
    EmailAddress.objects.filter(user=user).exclude(email__iexact=user.email).delete()
    address = EmailAddress.objects.filter(user=user, email__iexact=user.email).first()
    if address is None:
        EmailAddress.objects.create(
            user=user, email=user.email, verified=True, primary=True
        )
    elif not (address.verified and address.primary):
        address.verified = address.primary = True
        address.save(update_fields=["verified", "primary"])


def verify_own_address(sender, instance: EmailAddress, **kwargs) -> None:
    """Store the account's own address as verified, whoever creates the row
    (connected to `pre_save` of allauth's EmailAddress)."""
    user = instance.user
    if user is not None and instance.email.lower() == (user.email or "").lower():
        instance.verified = True
