"""Priya sends Alice a follow-up six weeks after her first advice. Alice, on her
phone, confirms her medicine, stops her calcium, adds the levothyroxine her GP
started, rates her symptoms and sends it. Priya sees what changed, the new
finding (magnesium with levothyroxine), a chart of both visits, and issues
version 2 of the advice."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from practice.management.commands.seed_demo import seed
from questionnaires.models import (
    AdviceDraft,
    PlanItem,
    Response,
    ResponseStatus,
)
from tests.e2e.conftest import PHONE, new_context
from tests.e2e.helpers import (
    acknowledge_every_finding,
    assert_accessible,
    assert_no_sideways_scroll,
    sign_in,
)
from tests.intake_helpers import load_questionnaire
from tests.review_helpers import MAGNESIUM, issued_record, submitted_case

CALCIUM = {
    "product": "Calcium carbonate",
    "nutrient": "calcium",
    "form": "carbonate",
    "amount": "500",
    "unit": "mg",
    "per_day": "1",
}
AMLODIPINE = {"name": "Amlodipine", "strength": "5 mg", "frequency": "once a day"}


@pytest.fixture
def alice_after_advice(transactional_db, settings, tmp_path):
    """Alice's first visit, reviewed, with version 1 of her advice issued."""
    settings.COFACTOR_REQUIRE_STAFF_MFA = False
    settings.MEDIA_ROOT = tmp_path / "media"
    data = Path(settings.BASE_DIR) / "questionnaires/data"
    load_questionnaire(data / "health.toml")
    load_questionnaire(data / "followup.toml")
    users = seed()
    alice = users["client@example.com"].client_profile
    case = submitted_case(
        alice,
        medications=[AMLODIPINE],
        supplements=[MAGNESIUM, CALCIUM],
        symptoms={"muscle_cramps": "3", "fatigue": "2"},
    )
    draft = AdviceDraft.objects.create(
        response=case, key_points="Magnesium with your evening meal."
    )
    PlanItem.objects.create(
        advice=draft, position=1, product="Vitamin D3", nutrient="vitamin D",
        amount="10", unit="mcg", timing="breakfast", duration="3 months",
    )  # fmt: skip
    issued_record(case)
    Response.objects.filter(pk=case.pk).update(status=ResponseStatus.SUMMARY_ISSUED)
    return case


def check(page: Page) -> None:
    assert_accessible(page)
    assert_no_sideways_scroll(page)


def next_step(page: Page, step: int) -> None:
    page.get_by_role("button", name=re.compile("^Save and (continue|review)")).click()
    if step:
        expect(page.get_by_text(f"Step {step} of 9", exact=True)).to_be_visible()
    check(page)


def test_priya_sends_a_follow_up_alice_answers_and_priya_issues_version_2(
    browser, live_server, alice_after_advice
):
    # Priya sends the follow-up from Alice's case.
    context = new_context(browser, live_server, viewport=PHONE)
    page = context.new_page()
    sign_in(page, "practitioner@example.com")
    page.goto(f"/cases/{alice_after_advice.code}/")
    page.get_by_role("button", name="Send a follow-up questionnaire").click()
    expect(
        page.get_by_text("can now fill in the follow-up questionnaire")
    ).to_be_visible()
    context.close()

    # Alice answers it on her phone.
    context = new_context(browser, live_server, viewport=PHONE)
    page = context.new_page()
    sign_in(page, "client@example.com")
    page.get_by_role("link", name="Start the questionnaire").click()
    expect(page.get_by_text("Step 1 of 9", exact=True)).to_be_visible()
    check(page)
    # 1 Medicines: she confirms the one she takes and adds the new one.
    amlodipine = page.get_by_role("group", name="Medicine 1: Amlodipine 5 mg")
    amlodipine.get_by_label("I still take it").check()
    page.get_by_role("button", name="Add another medicine").click()
    new = page.get_by_role("group", name="Medicine 2")
    expect(new.get_by_label("Name of the medicine")).to_be_focused()
    page.keyboard.type("Levothyroxine")
    page.keyboard.press("Escape")  # close the suggestions
    new.get_by_label("Strength").press_sequentially("100 mcg")
    new.get_by_label("How often you take it").press_sequentially("every morning")
    check(page)
    next_step(page, 2)
    # 2 Supplements: she has stopped the calcium.
    calcium = page.get_by_role("group", name="Supplement 2: Calcium carbonate")
    calcium.get_by_label("I have stopped it").check()
    next_step(page, 3)
    # 3 The plan.
    plan = page.get_by_role("group", name=re.compile("^Vitamin D3 10 mcg"))
    plan.get_by_label("I take it as advised").check()
    next_step(page, 4)
    # 4-8 Symptoms, filled in from last time: her cramps are better now.
    for step in range(4, 9):
        expect(page.get_by_text(f"Step {step} of 9", exact=True)).to_be_visible()
        if step == 6:
            cramps = page.get_by_role("group", name=re.compile("muscle cramps"))
            expect(cramps.get_by_label("Severe or constant")).to_be_checked()
            cramps.get_by_label("Mild or occasional").check()
            check(page)
        page.get_by_role("button", name="Save and continue").click()
    expect(page.get_by_text("Step 9 of 9", exact=True)).to_be_visible()
    page.get_by_label(re.compile("Is there anything else")).press_sequentially(
        "My GP started levothyroxine."
    )
    check(page)
    page.get_by_role("button", name="Save and review").click()
    expect(page.get_by_text("stopped").first).to_be_visible()
    check(page)
    page.get_by_role("button", name="Send my questionnaire").click()
    expect(page.get_by_role("heading", level=1)).to_be_visible()
    check(page)
    context.close()

    # Priya sees the changes, the new finding and both visits on the chart.
    context = new_context(browser, live_server, viewport=PHONE)
    page = context.new_page()
    sign_in(page, "practitioner@example.com")
    page.get_by_role("link", name="Alice Archer").first.click()
    changes = page.locator("#changes")
    expect(changes).to_contain_text("Started")
    expect(changes).to_contain_text("Levothyroxine")
    expect(changes).to_contain_text("Stopped")
    expect(changes).to_contain_text("Calcium carbonate")
    expect(changes).to_contain_text("I take it as advised")
    findings = page.locator("#findings")
    expect(findings).to_contain_text("Magnesium reduces absorption of levothyroxine")
    expect(findings).not_to_contain_text("Calcium reduces absorption")
    chart = page.locator("#symptoms")
    expect(chart.get_by_role("columnheader", name="Earlier")).to_be_visible()
    expect(chart.get_by_role("row", name=re.compile("^Muscles"))).to_contain_text(
        "down 2"
    )
    check(page)
    acknowledge_every_finding(page, findings)

    # She revises the advice and issues version 2.
    page.get_by_role("link", name="Revise the advice").click()
    expect(page.get_by_label("Key points")).to_have_value(
        "Magnesium with your evening meal."
    )
    page.get_by_label("Key points").press_sequentially(
        " Take levothyroxine 4 hours apart from magnesium."
    )
    page.get_by_label("What has changed since version 1").press_sequentially(
        "Calcium stopped; magnesium kept apart from levothyroxine."
    )
    page.get_by_role("button", name="Save and check the plan").click()
    expect(page.get_by_text("Checked", exact=True)).to_be_visible()
    acknowledge_every_finding(page, page.locator("#plan-check"))
    page.reload()
    page.get_by_role("button", name="Issue the PDF (version 2)").click()
    expect(page.get_by_text("Advice summary version 2 issued")).to_be_visible()
    check(page)
    context.close()
