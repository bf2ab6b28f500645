"""Keep each account's profile in step with its role."""

from practice.models import Client, Practitioner, Role, User


def ensure_profile(user: User) -> None:
    """Give a practitioner or client account the profile its role needs.

    A profile is never deleted when a role changes: it may hold records that must
    be kept, so an admin resolves that by hand.
    """
    if user.role == Role.PRACTITIONER:
        Practitioner.objects.get_or_create(user=user)
    elif user.role == Role.CLIENT:
        Client.objects.get_or_create(user=user)
