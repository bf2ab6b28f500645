"""Benchmark the clinical core; prints figures and never fails on a slow machine.

python -m bench.bench_interactions
"""

from __future__ import annotations

import statistics
import time
from collections import Counter
from collections.abc import Callable

from questionnaires.interactions import engine, knowledge, matching
from questionnaires.interactions.facts import CaseFacts

MEDICATIONS = [
    "Lisinopril 10mg once daily",
    "Amlodipine 5mg",
    "Alendronic acid 70mg weekly",
    "Levothyroxine 100 micrograms",
    "Aspirin 75mg dispersible",
    "Omeprazole 20mg",
    "Metformin 500mg twice daily",
    "Bendroflumethiazide 2.5mg",
    "Atorvastatn 40mg",  # a typo, so fuzzy matching is part of the figure
    "Letrozole 2.5mg",
]
SUPPLEMENTS = [
    {"name": "Magnesium citrate", "amount": 150, "per_day": 2},
    {"name": "Magnesium glycinate", "amount": 1000, "basis": "compound"},
    {"name": "Calcium carbonate", "amount": 1250, "basis": "compound"},
    {"name": "Vitamin D3", "amount": 1000, "unit": "IU"},
    {"name": "Omega-3 fish oil", "amount": 1000, "per_day": 2},
    {"name": "Zinc picolinate", "amount": 15},
    {"name": "Vitamin B6", "amount": 50},
    {"name": "Turmeric", "amount": 500},
    {"name": "CoQ10", "amount": 100},
    {"name": "Ashwagandha"},
]
CASE = {
    "age": 74,
    "conditions": ["osteoporosis", "kidney disease"],
    "medications": [{"name": name} for name in MEDICATIONS],
    "supplements": SUPPLEMENTS,
    "alcohol_units_per_week": 16,
    "symptoms": {"muscle_cramps": 2, "fatigue": 1},
}


def median_ms(
    run: Callable[[], object],
    repeat: int,
    clock: Callable[[], float] = time.perf_counter,
) -> float:
    times = []
    for _ in range(repeat):
        start = clock()
        run()
        times.append((clock() - start) * 1000)
    return statistics.median(times)


def cpu_ms(run: Callable[[], object], repeat: int) -> float:
    """Median CPU time: on a shared machine a wall-clock run that is preempted
    waits several milliseconds for its turn, which says nothing about the engine."""
    return median_ms(run, repeat, time.process_time)


def knowledge_size(kb: knowledge.Knowledge) -> list[str]:
    """How big the knowledge base is: what a reviewer needs to judge coverage."""
    brands = sum(len(d.brands) for d in kb.drugs.values())
    by_kind = Counter(r.kind for r in kb.rules.values())
    by_evidence = Counter(r.evidence for r in kb.rules.values())
    return [
        f"knowledge base {kb.version}: {len(kb.drugs)} medicines, {brands} brand "
        f"names, {len(kb.nutrients)} supplements and nutrients, "
        f"{len(kb.products)} named products, {len(kb.conditions)} conditions, "
        f"{len(kb.sources)} sources",
        f"rules by kind ({len(kb.rules)}): "
        + ", ".join(f"{k} {n}" for k, n in sorted(by_kind.items())),
        "rules by evidence level: "
        + ", ".join(f"{k} {n}" for k, n in sorted(by_evidence.items())),
    ]


def main() -> None:
    load_ms = median_ms(lambda: knowledge.load_uncached(knowledge.KNOWLEDGE_DIR), 10)
    kb = knowledge.load()
    build_ms = median_ms(lambda: matching.Matcher(kb), 10)
    facts = CaseFacts.from_dict(CASE)
    matcher = matching.matcher_for(kb)
    findings = engine.run(facts, kb)

    warm_ms = median_ms(lambda: engine.run(facts, kb), 500)
    warm_cpu = cpu_ms(lambda: engine.run(facts, kb), 500)

    def cold() -> None:
        matcher.clear_cache()
        engine.run(facts, kb)

    cold_ms = median_ms(cold, 200)
    cold_cpu = cpu_ms(cold, 200)

    def match_all() -> None:
        matcher.clear_cache()
        for name in MEDICATIONS:
            matcher.drug(name)
        for product in SUPPLEMENTS:
            matcher.nutrient(product["name"])

    entries = len(MEDICATIONS) + len(SUPPLEMENTS)
    per_entry_ms = median_ms(match_all, 200) / entries

    def fuzzy_one() -> None:
        matcher.clear_cache()
        matcher.drug("Atorvastatn 40mg")

    fuzzy_ms = median_ms(fuzzy_one, 200)

    for line in knowledge_size(kb):
        print(line)
    print(f"knowledge load (parse + validate + index), median: {load_ms:.1f} ms")
    print(f"matcher build (once per knowledge version), median: {build_ms:.1f} ms")
    print(
        f"engine, 10 medications + 10 supplements, {len(findings)} findings, "
        f"median: {warm_ms:.3f} ms wall, {warm_cpu:.3f} ms CPU "
        "(target under 2 ms; matches cached)"
    )
    print(
        f"engine, same case with match caches cleared, median: {cold_ms:.3f} ms "
        f"wall, {cold_cpu:.3f} ms CPU (target under 2 ms)"
    )
    print(f"matching per entry, uncached, median: {per_entry_ms * 1000:.0f} µs")
    print(f"matching one misspelt entry (fuzzy path), median: {fuzzy_ms * 1000:.0f} µs")


if __name__ == "__main__":
    main()
