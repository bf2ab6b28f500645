"""Create the first admin of a new install, from options, the environment or
questions; running it again changes nothing.

    manage.py create_first_admin --email ada@example.org --name "Ada Lovelace"
    COFACTOR_ADMIN_EMAIL=… COFACTOR_ADMIN_NAME=… manage.py create_first_admin --no-input

The admin gets an invitation email with a single-use link, where they choose a
password and set up two-factor authentication, like every other member of staff.
Nobody types a password into a terminal or an environment file.
"""

from __future__ import annotations

import os
import sys

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.core.validators import validate_email
from django.db import transaction
from django.utils import timezone

from practice import staff
from practice.addresses import trust_address
from practice.models import Role, User


class Command(BaseCommand):
    help = (
        "Create the first admin and email them an invitation link. Safe to run "
        "again: an existing admin with the address is left as it is."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("--email", help="default: $COFACTOR_ADMIN_EMAIL")
        parser.add_argument("--name", help="default: $COFACTOR_ADMIN_NAME")
        parser.add_argument(
            "--no-input",
            action="store_false",
            dest="interactive",
            help="never ask; fail if the address or name is missing",
        )
        parser.add_argument(
            "--new-link",
            action="store_true",
            help="send a new invitation if the admin has not chosen a password yet "
            "(earlier links stop working)",
        )
        parser.add_argument(
            "--print-link",
            action="store_true",
            help="also print the link here (it is printed anyway on a terminal)",
        )

    def handle(self, *args, **options) -> None:
        email = self._value(options, "email", "COFACTOR_ADMIN_EMAIL", "Email address")
        email = User.objects.normalize_email(email)
        try:
            validate_email(email)
        except ValidationError as exc:
            raise CommandError(f"{email!r} is not an email address.") from exc

        existing = User.objects.filter(email__iexact=email).first()
        if existing is not None and existing.role != Role.ADMIN:
            raise CommandError(
                f"{email} already has a {existing.get_role_display().lower()} "
                "account; use another address for the admin."
            )
        others = User.objects.filter(role=Role.ADMIN).exclude(email__iexact=email)
        if existing is None and others.exists():
            raise CommandError(
                "This install already has an admin. Further admins are invited by "
                "an admin: Staff home → Invite a practitioner or admin."
            )
        if existing is None:
            name = self._value(options, "name", "COFACTOR_ADMIN_NAME", "Full name")
            with transaction.atomic():
                user, token = staff.invite_staff(
                    full_name=name,
                    email=email,
                    role=Role.ADMIN,
                    invited_by=None,
                    request=None,
                )
            self._sent(user, token, options, "Created the admin account")
            return
        trust_address(existing)  # e.g. made earlier with createsuperuser
        if existing.has_usable_password():
            self.stdout.write(f"{email} is already an admin. Nothing to do.")
            return
        waiting = existing.staff_invitations.filter(
            accepted_at=None, revoked_at=None, expires_at__gt=timezone.now()
        )
        if waiting.exists() and not options["new_link"]:
            self.stdout.write(
                f"{email} is already an admin and has an invitation waiting. "
                "Nothing to do (run with --new-link to send a new one)."
            )
            return
        token = staff.send_staff_invitation(user=existing, sent_by=None, request=None)
        self._sent(existing, token, options, "Sent a new invitation")

    def _value(self, options: dict, option: str, variable: str, question: str) -> str:
        value = (options.get(option) or os.environ.get(variable, "")).strip()
        if not value and options["interactive"] and sys.stdin.isatty():
            value = input(f"{question}: ").strip()
        if not value:
            raise CommandError(f"Give --{option} or set {variable}.")
        return value

    def _sent(self, user: User, token: str, options: dict, what: str) -> None:
        self.stdout.write(
            self.style.SUCCESS(
                f"{what} for {user.email} and emailed them an invitation link: "
                "they choose a password, then set up two-factor authentication."
            )
        )
        if options["print_link"] or self.stdout.isatty():
            self.stdout.write(f"The link: {staff.invitation_link(token, None)}")
