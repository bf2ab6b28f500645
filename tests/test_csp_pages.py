"""Every page of every role renders with nothing the Content Security Policy would
block (no inline script, no inline style, no event-handler attributes)."""

from pathlib import Path

import pytest
from django.conf import settings

from practice.management.commands.seed_demo import seed_with_cases
from practice.models import Client, User
from tests.htmlcheck import csp_problems
from tests.intake_helpers import load_questionnaire


@pytest.fixture
def demo(db):
    for name in ("health.toml", "followup.toml"):
        load_questionnaire(Path(settings.BASE_DIR) / "questionnaires/data" / name)
    users, _ = seed_with_cases()
    return users


def code_of(email: str) -> str:
    return str(Client.objects.get(user__email=email).responses.first().code)


def pages_by_role() -> dict[str, list[str]]:
    alice = code_of("client@example.com")
    george = code_of("george@example.com")
    bob = Client.objects.get(user__email="client2@example.com").code
    priya = User.objects.get(email="practitioner@example.com").code
    return {
        "client@example.com": [
            "/portal/",
            "/portal/delete-my-account/",
            f"/q/{alice}/step/1/",
            f"/q/{alice}/step/3/",
            f"/q/{alice}/step/4/",
            f"/q/{alice}/step/7/",
            f"/q/{alice}/step/11/",
            f"/q/{alice}/review/",
        ],
        # George's newest is his follow-up.
        "george@example.com": [f"/q/{george}/review/", "/portal/"],
        "practitioner@example.com": [
            "/dashboard/",
            "/clients/invite/",
            f"/cases/{george}/",
            f"/cases/{george}/advice/",
            f"/cases/{george}/advice/preview/",
        ],
        "admin@example.com": [
            "/staff/",
            f"/staff/clients/{bob}/erase/",
            "/staff/people/",
            "/staff/people/invite/",
            f"/staff/people/{priya}/deactivate/",
            f"/staff/people/{priya}/reset-two-factor/",
            "/staff/audit/",
            "/accounts/email/",
        ],
    }


def test_no_page_has_anything_the_csp_would_block(client, demo):
    for anonymous in ("/privacy/", "/accounts/login/"):
        assert csp_problems(client.get(anonymous).content.decode()) == []
    for email, paths in pages_by_role().items():
        client.force_login(User.objects.get(email=email))
        for path in paths:
            response = client.get(path)
            assert response.status_code == 200, path
            assert csp_problems(response.content.decode()) == [], path
