"""The advice editor lists the latest issued versions, with a link to the older."""

import re

import pytest

from questionnaires.models import IssuedSummary
from tests.review_helpers import submitted_case


@pytest.fixture
def case(alice):
    return submitted_case(alice)


def issued(case, priya, versions: int) -> None:
    for version in range(1, versions + 1):
        IssuedSummary.objects.create(
            response=case,
            version=version,
            file_name=f"summaries/{case.code}/advice-summary-v{version}.pdf",
            sha256="0" * 64,
            size=1,
            pages=1,
            issued_by=priya.user,
        )


def listed(html: str) -> list[str]:
    """The versions the "Issued" list links to, in its order."""
    return re.findall(r'<li><a href="[^"]+">Version (\d+)</a>', html)


def test_the_editor_lists_the_latest_ten_versions_and_links_to_the_older(
    client, priya, case
):
    issued(case, priya, 12)
    client.force_login(priya.user)
    page = client.get(f"/cases/{case.code}/advice/").content.decode()
    assert listed(page) == [str(v) for v in range(12, 2, -1)]
    assert "Show the 2 older versions" in page
    assert "What has changed since version 12" in page
    assert "Issue the PDF (version 13)" in page

    page = client.get(f"/cases/{case.code}/advice/?versions=all").content.decode()
    assert listed(page) == [str(v) for v in range(12, 0, -1)]
    assert "older version" not in page


def test_a_few_versions_are_all_listed_without_a_link(client, priya, case):
    issued(case, priya, 3)
    client.force_login(priya.user)
    page = client.get(f"/cases/{case.code}/advice/").content.decode()
    assert listed(page) == ["3", "2", "1"]
    assert "older version" not in page
