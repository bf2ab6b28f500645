"""The privacy notice: a public page with versions the admin publishes, the version
a client consents to, and the consent shown to the practitioner."""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone

from practice import privacy
from practice.models import PrivacyNotice
from questionnaires.intake import sending
from questionnaires.models import QuestionKind
from tests.intake_helpers import shipped_version, step_url, valid_answers
from tests.review_helpers import submitted_case


@pytest.fixture
def ada_client(client, ada):
    client.force_login(ada)
    return client


def publish(version: str, text: str = "# New\n\nChanged.", **fields) -> PrivacyNotice:
    return PrivacyNotice.objects.create(version=version, text=text, **fields)


def test_the_first_notice_is_published_by_the_migration(db):
    notice = privacy.current_notice()
    assert notice.version == "1"
    for right in ("Access", "Rectification", "Erasure", "Portability"):
        assert right in notice.text
    assert "explicit consent" in notice.text
    assert "Information Commissioner's Office" in notice.text


def test_anyone_can_read_the_current_notice(client, db, practice):
    practice.email = "hello@practice.example"
    practice.save()
    reply = client.get("/privacy/")
    assert reply.status_code == 200
    page = reply.content.decode()
    notice = privacy.current_notice()
    assert "Privacy notice of Test Practice" in page
    assert f"Version 1, published {notice.published_at:%-d %B %Y}" in page
    assert "hello@practice.example" in page
    assert '<h2 class="h4 mt-4">Your rights</h2>' in page
    assert "<li>Erasure: ask us to delete your account" in page


def test_the_page_says_so_when_no_notice_is_published(client, db):
    PrivacyNotice.objects.all().delete()
    page = client.get("/privacy/").content.decode()
    assert "has not published its privacy notice here yet" in page


def test_the_newest_published_version_is_current(db):
    publish("2")
    publish("3", published_at=timezone.now() + datetime.timedelta(days=1))
    assert privacy.current_notice().version == "2"


def test_notice_text_becomes_headings_lists_and_paragraphs():
    text = "# Who we are\n\nWe are\na practice.\n\n- one\n- two\n\n"
    assert privacy.notice_blocks(text) == [
        ("heading", "Who we are"),
        ("paragraph", "We are\na practice."),
        ("list", ["one", "two"]),
    ]


# ------------------------------------------------------------------ the admin


def test_a_version_published_in_the_admin_becomes_current(ada_client, ada, client):
    form = ada_client.get("/admin/practice/privacynotice/add/").content.decode()
    assert 'value="2"' in form  # the next version is suggested
    assert "Who we are" in form  # starting from the current text

    reply = ada_client.post(
        "/admin/practice/privacynotice/add/",
        {"version": "2", "text": "# Who we are\n\nA practice that changed."},
    )
    assert reply.status_code == 302
    notice = privacy.current_notice()
    assert notice.version == "2" and notice.published_by == ada
    page = ada_client.get("/privacy/").content.decode()
    assert "Version 2" in page and "A practice that changed." in page


def test_published_versions_cannot_be_changed_or_deleted(ada_client):
    first = privacy.current_notice()
    change = f"/admin/practice/privacynotice/{first.pk}/change/"
    assert "Save" not in ada_client.get(change).content.decode().split("<h1")[1]
    reply = ada_client.post(change, {"version": "1", "text": "Rewritten"})
    assert reply.status_code == 403
    delete = f"/admin/practice/privacynotice/{first.pk}/delete/"
    assert ada_client.post(delete, {"post": "yes"}).status_code == 403
    first.refresh_from_db()
    assert first.text != "Rewritten"


def test_a_version_number_is_used_once(ada_client):
    reply = ada_client.post(
        "/admin/practice/privacynotice/add/", {"version": "1", "text": "Again"}
    )
    assert reply.status_code == 200
    assert PrivacyNotice.objects.count() == 1


# ------------------------------------------------------------------- consent


@pytest.fixture
def open_response(alice, priya):
    shipped_version()
    return sending.send_questionnaire(client=alice, sent_by=priya.user)


def consent_step(response):
    return response.version.steps()[-1]


def test_consent_records_the_current_notice_version(client, alice, open_response):
    publish("2026-12")
    step = consent_step(open_response)
    client.force_login(alice.user)
    client.post(
        step_url(open_response, step.number),
        {**valid_answers(step), "action": "continue"},
    )
    open_response.refresh_from_db()
    assert open_response.consent_at is not None
    assert open_response.consent_notice_version == "2026-12"


def test_consent_falls_back_to_the_setting_without_a_notice(db, settings):
    PrivacyNotice.objects.all().delete()
    assert privacy.notice_version() == settings.COFACTOR_PRIVACY_NOTICE_VERSION


def test_the_consent_step_links_to_the_notice_and_other_steps_do_not(
    client, alice, open_response
):
    client.force_login(alice.user)
    for step in open_response.version.steps():
        page = client.get(step_url(open_response, step.number)).content.decode()
        content = page.split("<main", 1)[1].split("</main>", 1)[0]  # not the footer
        has_consent = any(q.kind == QuestionKind.CONSENT for q in step.questions)
        assert ('href="/privacy/"' in content) is has_consent, step.number


@pytest.fixture
def consented_case(alice):
    case = submitted_case(alice)
    case.consent_at = timezone.make_aware(datetime.datetime(2026, 3, 4, 9, 30))
    case.consent_notice_version = "1"
    case.save()
    return case


def test_the_practitioner_sees_the_consent_on_the_client_page(
    client, priya, alice, consented_case
):
    client.force_login(priya.user)
    page = client.get(alice.get_absolute_url()).content.decode()
    assert "Consent given 4 Mar 2026, 09:30 under privacy notice version 1." in page


def test_the_practitioner_sees_the_consent_on_the_case_page(
    client, priya, consented_case
):
    client.force_login(priya.user)
    page = client.get(f"/cases/{consented_case.code}/").content.decode()
    assert "4 Mar 2026, 09:30, privacy notice version 1" in page
