"""Priya's dashboard in a browser: the demo cases by state, search and filter with
the keyboard-free form, and axe on a phone and a desktop."""

import re

from playwright.sync_api import expect

from tests.e2e.conftest import DESKTOP, NARROW, PHONE
from tests.e2e.helpers import assert_accessible, assert_no_sideways_scroll, sign_in


def test_the_dashboard_lists_the_demo_cases_and_passes_axe(page, demo):
    sign_in(page, "practitioner@example.com")
    for viewport in (PHONE, DESKTOP, NARROW):
        page.set_viewport_size(viewport)
        page.goto("/dashboard/")
        table = page.get_by_role("table")
        expect(table).to_contain_text("Margaret Mills")
        expect(table).to_contain_text("Alice Archer")
        assert_accessible(page)
        assert_no_sideways_scroll(page)


def test_a_count_filters_the_table_and_the_form_searches_it(page, demo):
    sign_in(page, "practitioner@example.com")
    page.set_viewport_size(PHONE)
    page.goto("/dashboard/")
    counts = page.get_by_role("navigation", name="Clients by state")
    counts.get_by_role("link", name=re.compile(r"^3\s+Submitted$")).click()
    expect(page).to_have_url(re.compile(r"\?state=submitted$"))
    rows = page.get_by_role("table").get_by_role("row")
    expect(rows).to_have_count(4)  # the header and the three demo cases
    expect(page.get_by_role("table")).not_to_contain_text("Alice Archer")

    page.get_by_label("Name or email").fill("linda")
    page.get_by_label("Sort by").select_option(label="Name")
    page.get_by_role("button", name="Show clients").click()
    expect(rows).to_have_count(2)
    link = page.get_by_role("link", name="Linda Lowe")
    expect(link).to_have_attribute("href", re.compile(r"^/cases/"))
    assert_accessible(page)
