"""Only Alice's practitioner (and an admin) may see or decide on her case: Bob, Omar
and Alice herself get 404, and nothing they post is stored."""

import pytest

from questionnaires.models import Decision, ReviewAction
from tests.review_helpers import MAGNESIUM, submitted_case


@pytest.fixture
def case(alice):
    return submitted_case(
        alice,
        medications=[{"name": "Zorblatrex"}],
        supplements=[MAGNESIUM],
        symptoms={"chest_pain": "1"},
    )


def attempts(case):
    finding = case.findings.first()
    row = case.medications.get()
    return [
        ("get", f"/cases/{case.code}/", {}),
        ("post", f"/findings/{finding.code}/decide/", {"decision": "acknowledged"}),
        ("post", f"/findings/{finding.code}/undo/", {}),
        (
            "post",
            f"/cases/{case.code}/medication/{row.code}/match/",
            {"substance": "aspirin"},
        ),
        ("post", f"/cases/{case.code}/notes/", {"text": "hello"}),
    ]


@pytest.mark.parametrize("who", ["bob", "omar", "alice"])
def test_nobody_else_can_see_or_change_alices_case(client, request, case, who):
    person = request.getfixturevalue(who)
    client.force_login(person.user)
    for method, path, data in attempts(case):
        assert getattr(client, method)(path, data).status_code == 404, (who, path)
    assert not ReviewAction.objects.exists()
    assert not case.notes.exists()
    assert not case.findings.exclude(decision=Decision.UNDECIDED).exists()
    assert case.medications.get().matched_as == ""


def test_an_admin_can_open_the_case(client, ada, case):
    client.force_login(ada)
    assert client.get(f"/cases/{case.code}/").status_code == 200
