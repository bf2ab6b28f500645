"""Add many realistic clients in bulk: the work behind `manage.py seed_load`.

Three template cases go through the real intake; every other client copies one of
them with bulk inserts (see the command's docstring).
"""

from __future__ import annotations

import dataclasses
import datetime
import hashlib
import random
import secrets

from django.contrib.auth.hashers import make_password
from django.db import transaction
from django.test.utils import override_settings
from django.utils import timezone

from practice.models import Client, Invitation, Practitioner, Role, User
from questionnaires import demo
from questionnaires.dashboard import case_summary
from questionnaires.intake import sending
from questionnaires.management.client_mix import (
    FIRST_NAMES,
    LAST_NAMES,
    RETURNING,
    SCENARIOS,
    Template,
    template_of,
)
from questionnaires.models import (
    EDITABLE_STATUSES,
    MUST_DECIDE,
    AdviceDraft,
    Answer,
    Decision,
    EventKind,
    Finding,
    IssuedSummary,
    Medication,
    PlanItem,
    Response,
    ResponseEvent,
    ResponseStatus,
    ReviewAction,
    Supplement,
    Timing,
)

DOMAIN = "load.example"
DUMMY_EMAIL = "django.core.mail.backends.dummy.EmailBackend"
BATCH = 1000


def loaded_clients() -> int:
    """How many clients seed_load has added to this database."""
    return Client.objects.filter(user__email__endswith=f"@{DOMAIN}").count()


def load_practitioners() -> list[Practitioner]:
    """The practitioners the loaded clients are shared between, first one first."""
    return list(
        Practitioner.objects.filter(
            user__email__startswith="practitioner-", user__email__endswith=f"@{DOMAIN}"
        ).order_by("user__email")
    )


class Loader:
    def __init__(self, rng: random.Random, practitioners: int) -> None:
        self.rng = rng
        self.now = timezone.now()
        self.version = sending.current_version()
        # One hash for every joined account: hashing 50,000 passwords would take
        # longer than loading everything else, and nobody knows this password.
        self.joined_password = make_password(secrets.token_urlsafe(24))
        self.practitioners = self._practitioners(practitioners)
        self.next_number = User.objects.filter(email__endswith=f"@{DOMAIN}").count()

    def load(self, count: int, progress) -> int:
        templates, added = self._templates()
        count -= added
        while count > 0:
            size = min(BATCH, count)
            with transaction.atomic():
                self._batch(size, templates)
            count -= size
            added += size
            if added % 10_000 < BATCH:
                progress(f"  {added} clients added")
        return added

    # ------------------------------------------------------------- set-up

    def _practitioners(self, count: int) -> list[Practitioner]:
        found = []
        for i in range(1, count + 1):
            user, created = User.objects.get_or_create(
                email=f"practitioner-{i}@{DOMAIN}",
                defaults={
                    "full_name": f"Load Practitioner {i}",
                    "role": Role.PRACTITIONER,
                },
            )
            if created:
                user.set_unusable_password()
                user.save(update_fields=["password"])
            practitioner, _ = Practitioner.objects.get_or_create(
                user=user, defaults={"registration": f"LOAD-{i:03d}"}
            )
            found.append(practitioner)
        return found

    def _templates(self) -> tuple[list[Template], int]:
        """Submit the demo cases once through the real intake; copy them after."""
        templates, added = [], 0
        for i, case in enumerate(demo.CASES):
            email = f"template-{i}@{DOMAIN}"
            client = Client.objects.filter(user__email=email).first()
            if client is None:
                case = dataclasses.replace(case, email=email)
                practitioner = self.practitioners[i % len(self.practitioners)]
                # The practitioner's "submitted" email has nobody to go to.
                with override_settings(EMAIL_BACKEND=DUMMY_EMAIL):
                    client = demo._seed_case(case, practitioner)
                User.objects.filter(pk=client.user_id).update(
                    password=self.joined_password
                )
                added += 1
            templates.append(template_of(client.responses.get()))
        return templates, added

    # ------------------------------------------------------------ a batch

    def _batch(self, size: int, templates: list[Template]) -> None:
        rng, now = self.rng, self.now
        names = list(SCENARIOS)
        weights = [SCENARIOS[n][0] for n in names]
        scenarios = rng.choices(names, weights=weights, k=size)
        users = []
        for scenario in scenarios:
            self.next_number += 1
            joined = scenario not in ("invited", "invited_sent")
            users.append(
                User(
                    email=f"client-{self.next_number:06d}@{DOMAIN}",
                    full_name=f"{rng.choice(FIRST_NAMES)} {rng.choice(LAST_NAMES)}",
                    role=Role.CLIENT,
                    password=self.joined_password if joined else make_password(None),
                    date_joined=now,
                )
            )
        User.objects.bulk_create(users)
        clients = [
            Client(
                user=user,
                practitioner=self._practitioner(),
                date_of_birth=datetime.date(rng.randint(1935, 2000), 1, 1)
                + datetime.timedelta(days=rng.randint(0, 364)),
            )
            for user in users
        ]
        Client.objects.bulk_create(clients)
        for client in clients:
            # Clients joined over the last six years; created_at is auto_now_add,
            # so it is set after the insert.
            client.created_at = now - datetime.timedelta(days=rng.uniform(1, 6 * 365))
        Client.objects.bulk_update(clients, ["created_at"])
        Invitation.objects.bulk_create(
            Invitation(
                client=client,
                token_hash=hashlib.sha256(secrets.token_bytes(16)).hexdigest(),
                created_by=client.practitioner.user,
                created_at=client.created_at,
                expires_at=client.created_at + datetime.timedelta(days=14),
                accepted_at=client.created_at + datetime.timedelta(hours=5)
                if scenario not in ("invited", "invited_sent")
                else None,
            )
            for client, scenario in zip(clients, scenarios, strict=True)
        )
        self._cases(clients, scenarios, templates)
        # What the dashboard reads, worked out for the whole batch in one UPDATE.
        case_summary.refresh_all(Client.objects.filter(pk__in=[c.pk for c in clients]))

    def _practitioner(self) -> Practitioner:
        # The first practitioner has the biggest list, as in most practices.
        weights = [3, *([1] * (len(self.practitioners) - 1))]
        return self.rng.choices(self.practitioners, weights=weights)[0]

    def _cases(self, clients, scenarios, templates: list[Template]) -> None:
        rng = self.rng
        plans = []  # (response, template, client)
        for client, scenario in zip(clients, scenarios, strict=True):
            status = SCENARIOS[scenario][1]
            if status is None:
                continue
            since = max(client.created_at, self.now - datetime.timedelta(days=400))
            if rng.random() < RETURNING and client.created_at < since:
                earlier = self._response(
                    client, ResponseStatus.SUMMARY_ISSUED, client.created_at
                )
                plans.append((earlier, rng.choice(templates)))
            started = since + (self.now - since) * rng.random()
            plans.append(
                (self._response(client, status, started), rng.choice(templates))
            )
        Response.objects.bulk_create([r for r, _ in plans])
        answers, medications, supplements, findings, events = [], [], [], [], []
        for response, template in plans:
            events.extend(self._events(response))
            if response.step_reached == 0:
                continue
            editable = response.status in EDITABLE_STATUSES
            share = rng.uniform(0.1, 0.9) if editable else 1.0
            for question_id, value in template.answers[
                : int(len(template.answers) * share)
            ]:
                if question_id in template.symptoms:
                    value = rng.choice("0000112223")  # symptom scores vary
                answers.append(
                    Answer(response=response, question_id=question_id, value=value)
                )
            medications.extend(
                Medication(response=response, position=i, **row)
                for i, row in enumerate(template.medications)
            )
            supplements.extend(
                Supplement(response=response, position=i, **row)
                for i, row in enumerate(template.supplements)
            )
            if not editable:
                findings.extend(self._findings(response, template))
        Answer.objects.bulk_create(answers, batch_size=5000)
        Medication.objects.bulk_create(medications)
        Supplement.objects.bulk_create(supplements)
        ResponseEvent.objects.bulk_create(events)
        Finding.objects.bulk_create(findings)
        ReviewAction.objects.bulk_create(
            ReviewAction(
                response=f.response,
                kind=f.decision,
                finding=f,
                note=f.decision_note,
                by=f.decided_by,
                at=f.decided_at,
            )
            for f in findings
            if f.decision
        )
        self._advice([r for r, _ in plans])

    def _response(self, client: Client, status: str, started) -> Response:
        rng = self.rng
        sent_by = client.practitioner.user
        if (
            status == ResponseStatus.IN_PROGRESS
            and not client.user.has_usable_password()
        ):
            step, saved = 0, None  # sent, but the client has not signed in yet
        elif status == ResponseStatus.IN_PROGRESS:
            step, saved = rng.randint(1, 10), started + _days(rng, 0, 20)
        else:
            step, saved = 11, started + _days(rng, 1, 20)
        submitted = None
        if status not in EDITABLE_STATUSES or status == ResponseStatus.REOPENED:
            submitted = saved + datetime.timedelta(minutes=rng.randint(1, 60))
        return Response(
            client=client,
            version=self.version,
            status=status,
            sent_by=sent_by,
            created_at=started,
            step_reached=step,
            last_saved_at=saved,
            submitted_at=submitted,
            reopened_at=submitted + _days(rng, 1, 5)
            if status == ResponseStatus.REOPENED
            else None,
            consent_at=saved if step == 11 else None,
            consent_notice_version="1" if step == 11 else "",
        )

    def _events(self, response: Response) -> list[ResponseEvent]:
        practitioner = response.sent_by
        events = [
            ResponseEvent(
                response=response,
                kind=EventKind.SENT,
                at=response.created_at,
                by=practitioner,
            )
        ]
        if response.submitted_at is None:
            return events
        at = response.submitted_at
        events.append(
            ResponseEvent(
                response=response,
                kind=EventKind.SUBMITTED,
                at=at,
                by=response.client.user,
            )
        )
        later = {
            ResponseStatus.REOPENED: [EventKind.REOPENED],
            ResponseStatus.IN_REVIEW: [EventKind.REVIEW_STARTED],
            ResponseStatus.READY_FOR_ADVICE: [
                EventKind.REVIEW_STARTED,
                EventKind.READY_FOR_ADVICE,
            ],
            ResponseStatus.SUMMARY_ISSUED: [
                EventKind.REVIEW_STARTED,
                EventKind.READY_FOR_ADVICE,
                EventKind.SUMMARY_ISSUED,
            ],
        }.get(response.status, [])
        for kind in later:
            at += _days(self.rng, 0, 3)
            events.append(
                ResponseEvent(response=response, kind=kind, at=at, by=practitioner)
            )
        return events

    def _findings(self, response: Response, template: Template) -> list[Finding]:
        rng, status = self.rng, response.status
        decided_share = {
            ResponseStatus.SUBMITTED: 0.0,
            ResponseStatus.IN_REVIEW: 0.4,
        }.get(status, 0.9)
        rows = []
        for values in template.findings:
            finding = Finding(response=response, created_at=response.submitted_at)
            for name, value in values.items():
                setattr(finding, name, value)
            must = finding.severity in MUST_DECIDE
            all_decided = status in (
                ResponseStatus.READY_FOR_ADVICE,
                ResponseStatus.SUMMARY_ISSUED,
            )
            if (must and all_decided) or rng.random() < decided_share:
                finding.decision = rng.choice(
                    [Decision.ACKNOWLEDGED] * 4 + [Decision.DISMISSED]
                )
                finding.decision_note = "Discussed with the client."
                finding.decided_by = response.sent_by
                finding.decided_at = response.submitted_at + _days(rng, 0, 3)
            rows.append(finding)
        return rows

    def _advice(self, responses: list[Response]) -> None:
        with_advice = [
            r
            for r in responses
            if r.status
            in (ResponseStatus.READY_FOR_ADVICE, ResponseStatus.SUMMARY_ISSUED)
        ]
        drafts = AdviceDraft.objects.bulk_create(
            AdviceDraft(
                response=r,
                key_points="- Keep calcium apart from your medicines.",
                diet="Eat leafy greens, nuts or seeds each day.",
                lifestyle="Walk for 20 minutes a day.",
                updated_by=r.sent_by,
            )
            for r in with_advice
        )
        PlanItem.objects.bulk_create(
            PlanItem(
                advice=draft,
                position=i,
                product=product,
                nutrient=nutrient,
                amount=amount,
                unit="mg",
                timing=timing,
                duration="3 months",
            )
            for draft in drafts
            for i, (product, nutrient, amount, timing) in enumerate(
                (
                    ("Magnesium glycinate", "magnesium", "100", Timing.EVENING_MEAL),
                    ("Omega-3 fish oil", "fish oil", "1000", Timing.BREAKFAST),
                )
            )
        )
        IssuedSummary.objects.bulk_create(
            IssuedSummary(
                response=r,
                version=1,
                file_name=f"summaries/{r.code}/advice-summary-v1.pdf",
                sha256=secrets.token_hex(32),
                size=self.rng.randint(40_000, 90_000),
                pages=4,
                issued_by=r.sent_by,
                issued_at=r.submitted_at + _days(self.rng, 3, 10),
            )
            for r in with_advice
            if r.status == ResponseStatus.SUMMARY_ISSUED
        )


def _days(rng: random.Random, low: float, high: float) -> datetime.timedelta:
    return datetime.timedelta(days=rng.uniform(low, high))
