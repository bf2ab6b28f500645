"""Clients see their practice, not the software: its name and logo on every page and
in every email, and links that point at the address the server really runs on."""

import io
import re
import subprocess
from pathlib import Path

import pytest
from django.core import mail
from django.core.files.base import ContentFile
from PIL import Image

from practice import emails
from practice.models import Practice
from questionnaires.intake import sending
from tests.intake_helpers import shipped_version

ROOT = Path(__file__).resolve().parent.parent


def png() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (40, 20), (20, 90, 160)).save(out, "PNG")
    return out.getvalue()


@pytest.fixture
def branded(db, practice, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    practice.name = "Greenleaf Nutrition"
    practice.logo.save("greenleaf.png", ContentFile(png()), save=True)
    return practice


@pytest.mark.parametrize(
    "path", ["/portal/", "/accounts/login/", "/accounts/password/reset/", "/privacy/"]
)
def test_every_client_page_names_the_practice_and_shows_its_logo(
    client, alice, branded, path
):
    if path == "/portal/":
        client.force_login(alice.user)
    page = client.get(path).content.decode()
    header = page.split("</header>")[0]
    assert "Greenleaf Nutrition" in header
    assert '<img class="brand-logo" src="/practice/logo/?v=' in header
    assert "Cofactor</a>" not in header
    assert re.search(r"<title>[^<]*· Greenleaf Nutrition</title>", page)


def test_the_questionnaire_pages_carry_the_practice_too(client, alice, branded):
    shipped_version()
    response = sending.send_questionnaire(client=alice, sent_by=None)
    client.force_login(alice.user)
    page = client.get(f"/q/{response.code}/step/1/").content.decode()
    assert "Greenleaf Nutrition" in page.split("</header>")[0]


def test_the_logo_is_served_to_anyone_as_an_image(client, branded):
    answer = client.get("/practice/logo/")
    assert answer.status_code == 200
    assert answer["Content-Type"] == "image/png"
    assert b"".join(answer.streaming_content) == branded.logo.open("rb").read()


def test_without_a_logo_the_header_shows_the_name_only(client, db, practice):
    assert client.get("/practice/logo/").status_code == 404
    page = client.get("/accounts/login/").content.decode()
    assert "brand-logo" not in page
    assert practice.name in page.split("</header>")[0]


def test_the_invitation_names_the_practice_not_cofactor(
    client, priya, branded, django_capture_on_commit_callbacks
):
    client.force_login(priya.user)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            "/clients/invite/",
            {
                "full_name": "Carol Cole",
                "email": "carol@example.org",
                "date_of_birth": "1950-05-17",
            },
        )
    message = mail.outbox[-1]
    assert message.subject == (
        "Greenleaf Nutrition has invited you to fill in your health questionnaire"
    )
    assert "Cofactor" not in message.subject + message.body
    assert "http://testserver/invitation/" in message.body  # the address used


def test_the_password_reset_email_is_the_practices_and_plain(client, alice, branded):
    client.post("/accounts/password/reset/", {"email": alice.user.email})
    message = mail.outbox[-1]
    assert message.subject == "Reset your password for Greenleaf Nutrition"
    assert "Hello from" not in message.body
    assert "Thank you for using" not in message.body
    assert "Greenleaf Nutrition" in message.body
    assert "http://testserver/accounts/password/reset/key/" in message.body


@pytest.mark.parametrize(
    "send",
    [
        emails.send_questionnaire_ready_email,
        emails.send_reopened_email,
        emails.send_summary_ready_email,
    ],
)
def test_notices_to_the_client_name_the_practice(alice, branded, send):
    name = Practice.current().name
    send(to=alice.user.email, client_name="Alice", practice_name=name)
    for message in mail.outbox:
        assert "Greenleaf Nutrition" in message.subject + message.body
        assert "Cofactor" not in message.subject + message.body


def logo_parts(message) -> list:
    """The inline images a mail program would show inside the message."""
    return [
        part
        for part in message.message().walk()
        if part.get_content_maintype() == "image"
    ]


@pytest.mark.parametrize(
    "send",
    [
        emails.send_questionnaire_ready_email,
        emails.send_reopened_email,
        emails.send_summary_ready_email,
    ],
)
def test_every_email_to_a_client_carries_the_practices_logo_and_name(
    alice, branded, send
):
    send(to=alice.user.email, client_name="Alice", practice_name=branded.name)
    message = mail.outbox[-1]
    html, kind = message.alternatives[0]
    assert kind == "text/html"
    assert '<img src="cid:practice-logo" alt="Greenleaf Nutrition"' in html
    assert "<strong>Greenleaf Nutrition</strong>" in html
    # Inside the message, not a link that mail programs block.
    [logo] = logo_parts(message)
    assert logo["Content-ID"] == "<practice-logo>"
    assert logo.get_payload(decode=True) == branded.logo.open("rb").read()
    # The link in the text is a link in the HTML too.
    link = re.search(r"https?://\S+", message.body).group(0)
    assert f'href="{link}"' in html


def test_the_password_reset_carries_the_logo_too(client, alice, branded):
    client.post("/accounts/password/reset/", {"email": alice.user.email})
    assert len(logo_parts(mail.outbox[-1])) == 1


def test_without_a_logo_an_email_still_names_the_practice(alice, db, practice):
    practice.name = "Greenleaf Nutrition"
    practice.save()
    emails.send_questionnaire_ready_email(
        to=alice.user.email, client_name="Alice", practice_name=practice.name
    )
    message = mail.outbox[-1]
    assert "<strong>Greenleaf Nutrition</strong>" in message.alternatives[0][0]
    assert "cid:" not in message.alternatives[0][0]
    assert logo_parts(message) == []


def test_make_run_sends_links_to_the_port_it_serves_on():
    plan = subprocess.run(
        ["make", "-n", "run", "PORT=8080"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    serve = next(line for line in plan.splitlines() if "runserver" in line)
    assert "COFACTOR_SITE_URL=http://127.0.0.1:8080" in serve
    assert serve.rstrip().endswith("runserver 127.0.0.1:8080")
    seed = next(line for line in plan.splitlines() if "seed_demo" in line)
    assert "COFACTOR_SITE_URL=http://127.0.0.1:8080" in seed
