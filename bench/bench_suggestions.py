"""Benchmark the medicine and supplement suggestions; prints figures only.

python -m bench.bench_suggestions

The knowledge base is padded to 500 medicines (made-up names, each with two brands
and a misspelling, like the real entries), then a client "types" names letter by
letter, as the browser asks after each key. The figure is the suggestion view's
time per request, from the request to the JSON bytes, without the network.
"""

from __future__ import annotations

import dataclasses
import os
import random
import statistics
import time
from types import MappingProxyType

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "practice.settings")
os.environ.setdefault("DJANGO_SECRET_KEY", "bench-only-secret-not-for-production")
os.environ.setdefault("DJANGO_DEBUG", "0")

import django  # noqa: E402

django.setup()

from django.test import RequestFactory  # noqa: E402

from practice.models import Role, User  # noqa: E402
from questionnaires.intake import suggestions  # noqa: E402
from questionnaires.intake.views.suggest import suggest  # noqa: E402
from questionnaires.interactions.knowledge import Drug, load  # noqa: E402

MEDICINES = 500
TYPED = ["alendronic acid", "amlodipine", "omeprazole", "fosamax", "amlodapine"]
TYPED_SUPPLEMENTS = ["magnesium citrate", "cod liver oil", "adcal-d3", "tumeric"]


def _name(rng: random.Random) -> str:
    syllables = ["lo", "sar", "tan", "pra", "zol", "mi", "dine", "ce", "tri", "xa"]
    return "".join(rng.choice(syllables) for _ in range(rng.randint(3, 5)))


def padded_knowledge(count: int):
    """The real knowledge base with made-up medicines added up to `count`."""
    knowledge = load()
    rng = random.Random(11)  # noqa: S311 - made-up names, not secrets
    drugs = dict(knowledge.drugs)
    while len(drugs) < count:
        name = _name(rng)
        drugs[name] = Drug(
            id=name,
            name=name,
            atc="Z00ZZ00",
            atc_ver="U",
            classes=(),
            brands=(_name(rng).capitalize(), _name(rng).capitalize()),
            misspellings=(name[:-1] + name[-1] * 2,),
        )
    return dataclasses.replace(
        knowledge, version=f"bench-{count}", drugs=MappingProxyType(drugs)
    )


def main() -> None:
    knowledge = padded_knowledge(MEDICINES)
    suggestions.load = lambda: knowledge  # the view reads the padded knowledge
    factory = RequestFactory()
    user = User(email="bench@example.org", role=Role.CLIENT)

    def ask(kind: str, text: str) -> float:
        request = factory.get(f"/q/suggest/{kind}/", {"q": text})
        request.user = user
        start = time.perf_counter()
        response = suggest(request, kind=kind)
        elapsed = (time.perf_counter() - start) * 1000
        if response.status_code != 200:
            raise SystemExit(f"suggest answered {response.status_code}")
        return elapsed

    cold = ask("medicines", "am")
    cold_supplements = ask("supplements", "ma")
    times = []
    for _ in range(3):
        for word in TYPED:
            times.extend(ask("medicines", word[:n]) for n in range(1, len(word) + 1))
        for word in TYPED_SUPPLEMENTS:
            times.extend(ask("supplements", word[:n]) for n in range(1, len(word) + 1))
    times.sort()
    index = suggestions.index_for("medicines", knowledge)
    print(
        f"suggestions: {len(knowledge.drugs)} medicines ({len(index)} names), "
        f"{len(times)} requests typed letter by letter"
    )
    print(
        f"  first request (builds the index): medicines {cold:.1f} ms, "
        f"supplements {cold_supplements:.1f} ms"
    )
    print(
        f"  per request: median {statistics.median(times):.2f} ms, "
        f"95th percentile {times[int(len(times) * 0.95)]:.2f} ms, "
        f"slowest {times[-1]:.2f} ms (target: under 50 ms)"
    )


if __name__ == "__main__":
    main()
