import pytest
from django.core.management import CommandError, call_command

from practice.models import Client, Practice, Practitioner, Role, User
from questionnaires.followups import visits as followup
from questionnaires.models import Adherence, Finding, Response, ResponseStatus


def test_seed_demo_refuses_to_run_with_debug_off(db, settings):
    settings.DEBUG = False
    with pytest.raises(CommandError, match="only runs with DJANGO_DEBUG on"):
        call_command("seed_demo")
    assert not User.objects.exists()


def counts():
    models = (User, Client, Practitioner, Practice, Response, Finding)
    return [m.objects.count() for m in models]


@pytest.fixture
def seeded(db, settings):
    settings.DEBUG = True
    call_command("seed_demo")


def test_seed_demo_can_run_twice_without_adding_anything(seeded, capsys):
    first = counts()
    call_command("seed_demo")
    assert counts() == first
    printed = capsys.readouterr().out
    assert "client@example.com" in printed
    assert "cofactor-demo" in printed


def test_seed_demo_creates_the_personas(seeded):
    roles = dict(User.objects.values_list("email", "role"))
    assert {
        "admin@example.com": Role.ADMIN,
        "practitioner@example.com": Role.PRACTITIONER,
        "practitioner2@example.com": Role.PRACTITIONER,
        "client@example.com": Role.CLIENT,
        "client2@example.com": Role.CLIENT,
    }.items() <= roles.items()
    alice = Client.objects.get(user__email="client@example.com")
    bob = Client.objects.get(user__email="client2@example.com")
    assert alice.practitioner.user.email == "practitioner@example.com"
    assert bob.practitioner.user.email == "practitioner2@example.com"
    assert Practice.current().name == "Demo Nutrition Clinic"
    assert all(u.check_password("cofactor-demo") for u in User.objects.all())


def test_alice_has_a_questionnaire_in_progress(seeded):
    response = Response.objects.get(client__user__email="client@example.com")
    assert response.status == ResponseStatus.IN_PROGRESS
    assert response.step_reached == 3


def test_priya_has_three_submitted_cases_with_the_expected_findings(seeded):
    submitted = Response.objects.filter(
        client__practitioner__user__email="practitioner@example.com",
        status=ResponseStatus.SUBMITTED,
        follows=None,
    )
    rules = {
        r.client.user.full_name: set(r.findings.values_list("rule", flat=True))
        for r in submitted
    }
    assert len(rules) == 3
    # The situations the practice sees, with what a practitioner must look at.
    assert {"mg-bisphosphonates", "ca-bisphosphonates"} <= rules["Margaret Mills"]
    assert "mg-antihypertensives-bp" in rules["Linda Lowe"]
    assert {"mg-levothyroxine", "omega3-antiplatelets"} <= rules["George Green"]


def test_george_has_a_submitted_follow_up_checked_on_what_he_takes_now(seeded):
    george = Response.objects.get(
        client__user__email="george@example.com", follows=None
    )
    follow_up = george.follow_ups.get()
    assert follow_up.status == ResponseStatus.SUBMITTED
    rules = set(follow_up.findings.current().values_list("rule", flat=True))
    # He stopped the magnesium and his GP started omeprazole.
    assert "mg-levothyroxine" in set(george.findings.values_list("rule", flat=True))
    assert "mg-levothyroxine" not in rules
    assert "ppi-b12" in rules
    assert "omega3-antiplatelets" in rules
    found = followup.changes(follow_up)
    assert [c.now for c in found.added] == ["Omeprazole 20 mg, once a day"]
    assert [c.now for c in found.stopped] == ["Magnesium 250, 250 mg, 1 a day"]
    assert [p.answer for p in found.plan] == [Adherence.AS_ADVISED]
