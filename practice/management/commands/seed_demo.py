"""Create the demo practice and one account per persona, for trying Cofactor out.

Safe to run again: it updates the same rows rather than adding more.
"""

import datetime

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from practice.models import Client, Practice, Practitioner, Role, User
from questionnaires import demo
from questionnaires.dashboard import case_summary

DEMO_PASSWORD = "cofactor-demo"  # noqa: S105 - printed on purpose; DEBUG only

ACCOUNTS = [
    # email, full name, role
    ("admin@example.com", "Ada Admin", Role.ADMIN),
    ("practitioner@example.com", "Priya Patel", Role.PRACTITIONER),
    ("practitioner2@example.com", "Omar Okafor", Role.PRACTITIONER),
    ("client@example.com", "Alice Archer", Role.CLIENT),
    ("client2@example.com", "Bob Brown", Role.CLIENT),
]
# client email -> (practitioner email, date of birth)
ASSIGNMENTS = {
    "client@example.com": ("practitioner@example.com", datetime.date(1952, 3, 14)),
    "client2@example.com": ("practitioner2@example.com", datetime.date(1968, 9, 2)),
}
REGISTRATIONS = {
    "practitioner@example.com": "Demo registration PR-0001",
    "practitioner2@example.com": "Demo registration PR-0002",
}


class Command(BaseCommand):
    help = "Create the demo practice and accounts (development only; idempotent)."

    def handle(self, *args, **options) -> None:
        if not settings.DEBUG:
            raise CommandError(
                "seed_demo only runs with DJANGO_DEBUG on: it creates accounts with a "
                "published password."
            )
        call_command("load_questionnaires", stdout=self.stdout)
        users, cases = seed_with_cases()
        self.stdout.write(self.style.SUCCESS("Demo data ready. Sign in with:"))
        for email, name, role in ACCOUNTS:
            self.stdout.write(
                f"  {role.label:<13} {name:<14} {email:<28} {DEMO_PASSWORD}"
            )
        self.stdout.write("Priya's clients with submitted questionnaires:")
        for client in cases:
            self.stdout.write(
                f"  {'Client':<13} {client.user.full_name:<14} "
                f"{client.user.email:<28} {DEMO_PASSWORD}"
            )


def seed_with_cases() -> tuple[dict[str, User], list[Client]]:
    """The accounts, plus Alice's questionnaire and Priya's submitted cases."""
    with transaction.atomic():
        users = seed()
        cases = demo.seed(
            priya=users["practitioner@example.com"].practitioner_profile,
            alice=users["client@example.com"].client_profile,
        )
    return users, cases


def seed() -> dict[str, User]:
    """Create or update the demo rows; return the users by email."""
    Practice.objects.update_or_create(
        singleton=True,
        defaults={
            "name": "Demo Nutrition Clinic",
            "address": "1 Example Street\nLondon\nEX1 2AB",
            "email": "hello@example.com",
            "phone": "020 7946 0000",
            "registration": "A demonstration practice. Not for real clients.",
        },
    )
    users = {}
    for email, name, role in ACCOUNTS:
        user, _ = User.objects.update_or_create(
            email=email, defaults={"full_name": name, "role": role, "is_active": True}
        )
        user.set_password(DEMO_PASSWORD)
        user.save(update_fields=["password"])
        users[email] = user
    practitioners = {}
    for email, registration in REGISTRATIONS.items():
        practitioners[email], _ = Practitioner.objects.update_or_create(
            user=users[email], defaults={"registration": registration}
        )
    for email, (practitioner_email, born) in ASSIGNMENTS.items():
        Client.objects.update_or_create(
            user=users[email],
            defaults={
                "practitioner": practitioners[practitioner_email],
                "date_of_birth": born,
            },
        )
    case_summary.refresh_all(Client.objects.filter(user__email__in=ASSIGNMENTS))
    return users
