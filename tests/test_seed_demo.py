import pytest
from django.core.management import CommandError, call_command

from practice.models import Client, Practice, Practitioner, Role, User


def test_seed_demo_refuses_to_run_with_debug_off(db, settings):
    settings.DEBUG = False
    with pytest.raises(CommandError, match="only runs with DJANGO_DEBUG on"):
        call_command("seed_demo")
    assert not User.objects.exists()


def counts():
    return [m.objects.count() for m in (User, Client, Practitioner, Practice)]


def test_seed_demo_creates_the_personas_and_can_run_twice(db, settings, capsys):
    settings.DEBUG = True
    call_command("seed_demo")
    first = counts()
    call_command("seed_demo")
    assert counts() == first == [5, 2, 2, 1]

    roles = dict(User.objects.values_list("email", "role"))
    assert roles == {
        "admin@example.com": Role.ADMIN,
        "practitioner@example.com": Role.PRACTITIONER,
        "practitioner2@example.com": Role.PRACTITIONER,
        "client@example.com": Role.CLIENT,
        "client2@example.com": Role.CLIENT,
    }
    alice = Client.objects.get(user__email="client@example.com")
    bob = Client.objects.get(user__email="client2@example.com")
    assert alice.practitioner.user.email == "practitioner@example.com"
    assert bob.practitioner.user.email == "practitioner2@example.com"
    assert Practice.current().name == "Demo Nutrition Clinic"
    assert all(u.check_password("cofactor-demo") for u in User.objects.all())

    printed = capsys.readouterr().out
    assert "client@example.com" in printed
    assert "cofactor-demo" in printed
