"""Alice downloads her data and finds her answers and her advice PDF in it; the
practice admin sees in the audit log that Priya opened Alice's case."""

import io
import json
import re
import zipfile

import pytest
from playwright.sync_api import expect

from practice.models import Client
from questionnaires.advice import drafting, issuing
from questionnaires.models import IssuedSummary
from questionnaires.review import actions as review
from tests.e2e.conftest import DESKTOP, new_context
from tests.e2e.helpers import assert_accessible, assert_no_sideways_scroll, sign_in
from tests.review_helpers import MAGNESIUM, submitted_case

GOAL = "Sleep better"  # what submitted_case answers for the goals question


@pytest.fixture
def alice_with_advice(demo, settings, tmp_path):
    """Alice's questionnaire submitted, reviewed, and a summary issued."""
    settings.MEDIA_ROOT = tmp_path / "media"
    alice = Client.objects.get(user__email="client@example.com")
    alice.responses.all().delete()
    case = submitted_case(
        alice,
        medications=[{"name": "Amlodipine", "strength": "5 mg"}],
        supplements=[MAGNESIUM],
    )
    priya = alice.practitioner.user
    review.start_review(response=case, by=priya)
    for finding in case.findings.all():
        finding.decide(by=priya, decision="acknowledged", note="")
    draft = drafting.draft_for(response=case, by=priya)
    draft.key_points = "Keep a food diary for two weeks."
    draft.save()
    issuing.issue_summary(response=case, by=priya)
    return case


def test_alice_downloads_her_data_and_the_admin_sees_who_opened_her_case(
    browser, live_server, alice_with_advice, tmp_path
):
    case = alice_with_advice
    summary = IssuedSummary.objects.get(response=case)

    # Priya opens Alice's case.
    context = new_context(browser, live_server, viewport=DESKTOP)
    page = context.new_page()
    sign_in(page, "practitioner@example.com")
    page.goto(f"/cases/{case.code}/")
    expect(page.get_by_role("heading", name="Alice Archer", level=1)).to_be_visible()
    context.close()

    # Alice downloads her data from her portal.
    context = new_context(browser, live_server)
    page = context.new_page()
    sign_in(page, "client@example.com")
    assert_accessible(page)
    assert_no_sideways_scroll(page)
    with page.expect_download() as download_info:
        page.get_by_role("button", name="Download my data").click()
    path = tmp_path / "my-data.zip"
    download_info.value.save_as(path)
    context.close()

    with zipfile.ZipFile(path) as archive:
        names = archive.namelist()
        data = json.loads(archive.read("cofactor-data.json"))
        pdfs = [n for n in names if n.endswith(".pdf")]
        assert len(pdfs) == 1
        assert archive.read(pdfs[0]) == issuing.read_issued(summary)
    text = json.dumps(data)
    assert GOAL in text
    assert "Amlodipine" in text
    assert "Alice Archer" in text
    assert zipfile.is_zipfile(io.BytesIO(path.read_bytes()))

    # Ada, the practice admin, reads Alice's audit trail.
    context = new_context(browser, live_server, viewport=DESKTOP)
    page = context.new_page()
    sign_in(page, "admin@example.com")
    page.goto(f"/admin/practice/client/{case.client.pk}/change/")
    page.get_by_role("link", name=re.compile("See audit trail")).click()
    rows = page.locator("#result_list tbody tr")
    viewed_by_priya = rows.filter(has_text="Priya Patel").filter(has_text="Viewed")
    expect(viewed_by_priya.filter(has_text=str(case.code))).not_to_have_count(0)
    expect(rows.filter(has_text="Exported data")).not_to_have_count(0)
    context.close()
