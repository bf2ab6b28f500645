"""Personas (CONVENTIONS.md): clients Alice and Bob; practitioners Priya (Alice's) and
Omar (Bob's); admin Ada."""

import pytest

from practice.models import Role
from tests.factories import ClientFactory, PractitionerFactory, UserFactory


@pytest.fixture
def priya(db):
    return PractitionerFactory(
        user__email="priya@example.org", user__full_name="Priya Patel"
    )


@pytest.fixture
def omar(db):
    return PractitionerFactory(
        user__email="omar@example.org", user__full_name="Omar Okafor"
    )


@pytest.fixture
def alice(priya):
    return ClientFactory(
        user__email="alice@example.org",
        user__full_name="Alice Archer",
        practitioner=priya,
    )


@pytest.fixture
def bob(omar):
    return ClientFactory(
        user__email="bob@example.org", user__full_name="Bob Brown", practitioner=omar
    )


@pytest.fixture
def ada(db):
    return UserFactory(email="ada@example.org", full_name="Ada Admin", role=Role.ADMIN)


@pytest.fixture(autouse=True)
def staff_mfa_not_required(settings):
    """Most tests are not about MFA; the MFA tests turn the requirement back on."""
    settings.COFACTOR_REQUIRE_STAFF_MFA = False


def signed_in(client, user):
    client.force_login(user)
    return client
