"""The practitioner's case page, for bench/pages.py's intake part."""

from __future__ import annotations

import statistics
import time


def case_page(browser, fetch) -> dict:
    """The practitioner's case page for the largest demo case: George's, grown
    to the engine bench's 10 medicines and 10 supplements, findings re-checked."""
    from django.urls import reverse

    from bench.bench_interactions import MEDICATIONS, SUPPLEMENTS
    from bench.measure import cpu_ms
    from questionnaires.models import Response
    from questionnaires.review import checking as findings

    # His first visit: the demo seeds a follow-up beside it.
    case = Response.objects.get(
        client__user__email="george@example.com", follows__isnull=True
    )
    case.medications.all().delete()
    case.supplements.all().delete()
    for position, name in enumerate(MEDICATIONS, 1):
        case.medications.create(position=position, name=name)
    for position, entry in enumerate(SUPPLEMENTS, 1):
        case.supplements.create(
            position=position,
            product=entry["name"],
            nutrient=entry["name"],
            amount=str(entry.get("amount", "")),
            unit=entry.get("unit", "mg"),
            per_day=str(entry.get("per_day", 1)),
        )
    findings.check_response(case, recheck=True)
    url = reverse("questionnaires:case", args=[case.code])
    fetch(browser, url)
    return {
        "case_findings": case.findings.current().count(),
        "case_ms": cpu_ms(lambda: fetch(browser, url), rounds=7, batch=3),
        "case_worker_ms": worker_ms(lambda: fetch(browser, url), rounds=7, batch=3),
    }


def worker_ms(run, *, rounds: int, batch: int) -> float:
    """Median CPU ms of this process alone (the worker) for one call of `run`."""
    times = []
    for _ in range(rounds):
        before = time.process_time()
        for _ in range(batch):
            run()
        times.append((time.process_time() - before) * 1000 / batch)
    return statistics.median(times)
