"""After a knowledge change, Priya sees the new evidence on her dashboard, decides
it on the case page so it leaves the list, and closes and reopens the case; axe on
the dashboard and the case page, on a phone and a desktop."""

import re

from playwright.sync_api import Page, expect

from questionnaires.models import Finding, Response
from questionnaires.rechecks import after_deploy as rechecks
from tests.e2e.conftest import DESKTOP, PHONE
from tests.e2e.helpers import assert_accessible, assert_no_sideways_scroll, sign_in


def check(page: Page) -> None:
    for viewport in (PHONE, DESKTOP):
        page.set_viewport_size(viewport)
        assert_accessible(page)
        assert_no_sideways_scroll(page)
    page.set_viewport_size(PHONE)


def reworded_by_new_knowledge() -> Finding:
    """Margaret's case as if an older knowledge base had worded a finding
    differently, then the re-check a deploy runs."""
    case = Response.objects.get(client__user__email="margaret@example.com")
    finding = case.findings.get(rule="mg-bisphosphonates")
    Finding.objects.filter(pk=finding.pk).update(message="The older wording.")
    Response.objects.filter(pk=case.pk).update(knowledge_version="0ld")
    rechecks.schedule_recheck()
    return finding


def test_new_evidence_is_listed_until_decided_and_a_case_closes(page, demo):
    finding = reworded_by_new_knowledge()
    sign_in(page, "practitioner@example.com")
    page.set_viewport_size(PHONE)
    page.goto("/dashboard/")
    evidence = page.get_by_role("region", name=re.compile("^New evidence to decide"))
    expect(evidence).to_contain_text("Changed: why")
    expect(evidence).to_contain_text("mg-bisphosphonates")
    check(page)

    evidence.get_by_role("link", name=f"Margaret Mills: {finding.title}").click()
    card = page.locator(f"#finding-{finding.code}")
    card.get_by_role("button", name=re.compile("^Acknowledge")).click()
    expect(card).to_contain_text("Acknowledged by")
    page.goto("/dashboard/")
    expect(page.get_by_text(f"Margaret Mills: {finding.title}")).to_have_count(0)

    page.get_by_role("link", name="Margaret Mills").click()
    closing = page.get_by_role("region", name="Close the case")
    closing.get_by_label("Why (optional)").press_sequentially("Moved away")
    closing.get_by_role("button", name="Close the case").click()
    expect(page.get_by_text("This case was closed on")).to_be_visible()
    check(page)
    page.get_by_role("button", name="Open the case again").click()
    expect(page.get_by_text("The case is open again.")).to_be_visible()
