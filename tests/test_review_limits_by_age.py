"""What Priya sees on a child's case: children's limits, never the adult one, and
a visible note where the practice's limit set has no value for the child's age."""

import pytest

from tests.review_helpers import submitted_case


@pytest.fixture
def priya_client(client, priya):
    client.force_login(priya.user)
    return client


@pytest.fixture
def child_case(alice):
    """Alice's answers as a parent fills them for an 8-year-old."""
    return submitted_case(
        alice,
        date_of_birth="2018-03-01",
        supplements=[
            {"product": "Vitamin D3 drops", "amount": "2400", "unit": "IU"},
            {"product": "Calcium chewables", "nutrient": "calcium", "amount": "400"},
            {"product": "Epsom salts", "amount": "500", "unit": "g"},
        ],
    )


def test_a_child_is_checked_against_childrens_limits_and_told_what_was_not(
    priya_client, child_case
):
    page = priya_client.get(f"/cases/{child_case.code}/").content.decode()
    rules = set(child_case.findings.values_list("rule", flat=True))
    # 2400 IU = 60 micrograms: under the adult 100, over the NHS 50 for ages 1-10.
    assert "upper-limit-vitamin-d" in rules
    assert "NHS: children aged 1 to 10, no more than 50 mcg" in page
    # Calcium: the UK guidance level is for adults and EFSA set none for children.
    assert "upper-limit-calcium" not in rules
    assert "Upper limit for calcium not checked: not checked for age 8" in page
    # The bath salts are reported, not added to a magnesium total.
    assert "Not counted as magnesium taken by mouth: Epsom salts" in page
    assert "upper-limit-magnesium" not in rules


def test_an_adult_with_the_same_vitamin_d_has_no_limit_finding(alice):
    adult = submitted_case(
        alice,
        supplements=[{"product": "Vitamin D3 drops", "amount": "2400", "unit": "IU"}],
    )
    rules = set(adult.findings.values_list("rule", flat=True))
    assert "upper-limit-vitamin-d" not in rules
    assert "limit-not-checked" not in rules
