"""Load many realistic clients, to measure and profile pages at a practice's size.

    python manage.py seed_load --clients 5000 [--practitioners 4] [--seed 1]

Adds that many clients (emails ending in @load.example) spread over a few
practitioners, at every stage of a case: invited, in progress, submitted, in
review, ready for advice, summary issued (some with an older case before). Three
template cases are answered and submitted through the real intake, so their
answers, medicines, supplements and findings are the engine's; every other client
copies one of them with bulk inserts, which keeps 50,000 clients to minutes.
Issued summaries are records only: no PDF is rendered or stored for them.

For benchmarks and profiling (docs/performance.md); it refuses to run without
DEBUG unless told --i-know-this-is-not-production. Nobody can sign in as a loaded
account: their passwords are random and not kept.
"""

from __future__ import annotations

import random
import time

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError, CommandParser

from questionnaires.management.client_loader import DOMAIN, Loader, loaded_clients


class Command(BaseCommand):
    help = "Load N realistic clients for benchmarks (never in production)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--clients", type=int, required=True, help="how many")
        parser.add_argument(
            "--practitioners",
            type=int,
            default=4,
            help="how many practitioners share them (default 4)",
        )
        parser.add_argument("--seed", type=int, default=1, help="random seed")
        parser.add_argument(
            "--i-know-this-is-not-production",
            action="store_true",
            dest="not_production",
            help="run with DEBUG off (e.g. a PostgreSQL benchmark database)",
        )

    def handle(self, *args, clients: int, practitioners: int, seed: int, **options):
        if not (settings.DEBUG or options["not_production"]):
            raise CommandError(
                "seed_load adds thousands of made-up clients: it only runs with "
                "DJANGO_DEBUG on, or with --i-know-this-is-not-production."
            )
        if clients < 1 or practitioners < 1:
            raise CommandError("--clients and --practitioners must be at least 1.")
        started = time.monotonic()
        call_command("load_questionnaires", verbosity=0, stdout=self.stdout)
        loader = Loader(random.Random(seed), practitioners)  # noqa: S311 - made-up data
        added = loader.load(clients, progress=self.stdout.write)
        self.stdout.write(
            self.style.SUCCESS(
                f"Added {added} clients in {time.monotonic() - started:.0f} s; "
                f"{loaded_clients()} loaded clients (@{DOMAIN}) in all."
            )
        )
