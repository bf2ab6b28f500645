"""The advice editor saves as Priya types, and never silently overwrites a newer
save from another tab or a colleague."""

import re

import pytest

from questionnaires.models import AdviceDraft
from tests.review_helpers import submitted_case


@pytest.fixture
def case(alice):
    return submitted_case(alice, medications=[{"name": "Levothyroxine"}])


@pytest.fixture
def priya_client(client, priya):
    client.force_login(priya.user)
    return client


def autosave_url(case) -> str:
    return f"/cases/{case.code}/advice/autosave/"


def open_editor(client, case) -> str:
    """Open the editor; return the version its form was typed over."""
    page = client.get(f"/cases/{case.code}/advice/").content.decode()
    return re.search(r'name="saved_version" value="([^"]*)"', page).group(1)


def test_typing_is_saved_and_the_reply_gives_the_new_version(priya_client, case):
    version = open_editor(priya_client, case)
    reply = priya_client.post(
        autosave_url(case),
        {"saved_version": version, "key_points": "Eat oily fish twice a week."},
    )
    assert reply.status_code == 200
    body = reply.json()
    assert body["version"] != version and re.fullmatch(r"\d\d:\d\d", body["saved_at"])
    assert case.advice.key_points == "Eat oily fish twice a week."
    # The next save, typed over the version just returned, is accepted too.
    again = priya_client.post(
        autosave_url(case),
        {"saved_version": body["version"], "key_points": "Eat oily fish."},
    )
    assert again.status_code == 200
    case.advice.refresh_from_db()
    assert case.advice.key_points == "Eat oily fish."


def test_a_save_from_an_older_page_is_refused_and_says_who_saved(priya_client, case):
    first_tab = open_editor(priya_client, case)
    second_tab = open_editor(priya_client, case)
    assert (
        priya_client.post(
            autosave_url(case),
            {"saved_version": first_tab, "diet": "Written in the first tab."},
        ).status_code
        == 200
    )
    stale = priya_client.post(
        autosave_url(case),
        {"saved_version": second_tab, "diet": "Written in the second tab."},
    )
    assert stale.status_code == 409
    assert "Priya Patel" in stale.json()["message"]
    assert AdviceDraft.objects.get(response=case).diet == "Written in the first tab."


def test_a_full_save_from_an_older_page_keeps_the_text_and_asks_again(
    priya_client, case
):
    first_tab = open_editor(priya_client, case)
    second_tab = open_editor(priya_client, case)
    priya_client.post(
        autosave_url(case), {"saved_version": first_tab, "lifestyle": "First tab."}
    )
    reply = priya_client.post(
        f"/cases/{case.code}/advice/",
        {"saved_version": second_tab, "lifestyle": "Second tab.", "action": "save"},
    )
    page = reply.content.decode()
    assert reply.status_code == 409
    assert "Second tab." in page  # what was typed is still in the form
    assert "Save again to replace that version" in page
    assert AdviceDraft.objects.get(response=case).lifestyle == "First tab."
    # Pressing Save again, on the page as returned, replaces it on purpose.
    newest = re.search(r'name="saved_version" value="([^"]*)"', page).group(1)
    again = priya_client.post(
        f"/cases/{case.code}/advice/",
        {"saved_version": newest, "lifestyle": "Second tab.", "action": "save"},
    )
    assert again.status_code == 302
    assert AdviceDraft.objects.get(response=case).lifestyle == "Second tab."


def test_anonymous_autosave_goes_to_sign_in_and_saves_nothing(client, case):
    reply = client.post(autosave_url(case), {"key_points": "Nope"})
    assert reply.status_code == 302 and "/accounts/login/" in reply["Location"]
    assert not AdviceDraft.objects.filter(response=case, key_points="Nope").exists()


@pytest.mark.parametrize("who", ["bob", "omar", "alice"])
def test_others_get_404_and_save_nothing(client, request, priya, case, who):
    client.force_login(priya.user)
    version = open_editor(client, case)
    person = request.getfixturevalue(who)
    client.force_login(person.user)
    reply = client.post(
        autosave_url(case), {"saved_version": version, "key_points": "Nope"}
    )
    assert reply.status_code == 404
    assert AdviceDraft.objects.get(response=case).key_points == ""


def test_a_get_is_not_allowed(priya_client, case):
    open_editor(priya_client, case)
    assert priya_client.get(autosave_url(case)).status_code == 405


@pytest.mark.django_db(transaction=True)
def test_parallel_saves_over_one_version_keep_exactly_one(priya, alice, monkeypatch):
    """Six tabs typed over the same version save at once: one wins, five are told."""
    import time
    from concurrent.futures import ThreadPoolExecutor

    from django.db import connection, connections
    from django.test import Client

    from questionnaires.advice.views import editor as editor_views

    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL: SQLite runs one writer at a time")
    save_as_typed = editor_views._save_as_typed

    def slow_save(*args, **kwargs):
        time.sleep(0.3)  # a slow disk: every request is between check and save
        return save_as_typed(*args, **kwargs)

    monkeypatch.setattr(editor_views, "_save_as_typed", slow_save)
    case = submitted_case(alice, medications=[{"name": "Levothyroxine"}])
    opener = Client()
    opener.force_login(priya.user)
    version = open_editor(opener, case)

    def save(n: int) -> int:
        tab = Client()
        tab.force_login(priya.user)
        try:
            return tab.post(
                autosave_url(case),
                {"saved_version": version, "key_points": f"Tab {n}"},
            ).status_code
        finally:
            connections.close_all()

    with ThreadPoolExecutor(max_workers=6) as pool:
        codes = sorted(pool.map(save, range(6)))
    assert codes == [200, 409, 409, 409, 409, 409]
    saved = AdviceDraft.objects.get(response=case).key_points
    assert re.fullmatch(r"Tab \d", saved)
