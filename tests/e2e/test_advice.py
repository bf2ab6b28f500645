"""Priya writes Linda's advice with a magnesium plan, reads what the plan check
found (Linda already takes 200 mg: over the upper limit, a moderate finding that
does not block), decides on it, and issues the PDF; Linda signs in and downloads
it."""

import io
import re

from playwright.sync_api import Page, expect
from pypdf import PdfReader

from tests.e2e.conftest import DESKTOP, PHONE, new_context
from tests.e2e.helpers import (
    acknowledge_every_finding,
    assert_accessible,
    assert_no_sideways_scroll,
    download_latest_summary,
    sign_in,
)
from tests.pdf_helpers import pdf_text


def check(page: Page) -> None:
    for viewport in (PHONE, DESKTOP):
        page.set_viewport_size(viewport)
        assert_accessible(page)
        assert_no_sideways_scroll(page)


def test_priya_issues_a_checked_plan_and_linda_downloads_it(
    browser, live_server, demo, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path / "media"
    context = new_context(browser, live_server, viewport=DESKTOP)
    page = context.new_page()
    sign_in(page, "practitioner@example.com")
    page.get_by_role("link", name="Linda Lowe").click()
    expect(page.get_by_text("State: Ready for advice")).to_be_visible()
    page.get_by_role("link", name="Write the advice").click()
    check(page)

    page.get_by_label("Key points").fill(
        "Keep taking magnesium with your evening meal.\nCheck your blood pressure."
    )
    page.get_by_label("Dietary advice").fill("Leafy greens, nuts and seeds daily.")
    page.get_by_label("Notes for the client's GP").fill(
        "Linda takes magnesium glycinate 300 mg daily for 3 months; magnesium may "
        "add a little to the effect of lisinopril, so please keep an eye on her "
        "blood pressure."
    )
    page.get_by_role("button", name="Add a supplement to the plan").click()
    item = page.get_by_role("group", name="Plan item 1")
    item.get_by_label("Product or nutrient").fill("Magnesium glycinate")
    item.get_by_label("Nutrient", exact=True).fill("magnesium")
    item.get_by_label("Amount per dose").fill("300")
    item.get_by_label("When to take it").select_option(label="With the evening meal")
    item.get_by_label("For how long").fill("3 months")
    page.get_by_role("button", name="Save and check the plan").click()

    # The plan check shows the total and what it found; only refer and major
    # findings would stop the issue.
    expect(page.get_by_text("Checked", exact=True)).to_be_visible()
    totals = page.get_by_role("table", name=re.compile("Daily totals"))
    expect(totals.get_by_role("row", name=re.compile("Magnesium"))).to_contain_text(
        "500 mg a day"
    )
    issue_button = page.get_by_role("button", name=re.compile("^Issue the PDF"))
    expect(issue_button).to_be_enabled()
    check(page)

    plan_check = page.locator("#plan-check")
    expect(plan_check.locator("article.finding").first).to_be_visible()
    acknowledge_every_finding(page, plan_check, note="Short course; BP monitored")

    page.reload()
    expect(page.locator("#issue-blockers")).to_have_count(0)
    page.get_by_role("link", name="Preview").click()
    expect(page.get_by_text("Magnesium glycinate").first).to_be_visible()
    check(page)
    page.get_by_role("link", name="Back to the advice").click()
    page.get_by_role("button", name=re.compile("^Issue the PDF")).click()
    expect(page.get_by_text("Advice summary version 1 issued")).to_be_visible()
    check(page)
    context.close()

    # Linda downloads it from her portal.
    context = new_context(browser, live_server, viewport=PHONE)
    page = context.new_page()
    sign_in(page, "linda@example.com")
    check(page)
    content = download_latest_summary(page, tmp_path)
    context.close()

    text = " ".join(pdf_text(content).split())
    for expected in (
        "Linda Lowe",
        "Demo Nutrition Clinic",
        "Magnesium glycinate",
        "With the evening meal",
        "3 months",
        "For your GP",
        "lisinopril",
    ):
        assert expected in text, expected
    reader = PdfReader(io.BytesIO(content))
    assert reader.metadata.title == "Advice summary for Linda Lowe"
    assert reader.trailer["/Root"]["/Lang"] == "en-GB"
