"""Benchmark Cofactor's pages against bare Django doing the same work; prints the
ratios of issue 15 with their goals, and never fails on a slow machine.

python -m bench.bench_pages
DATABASE_URL=postgres://... python -m bench.bench_pages      # the dashboard too
DATABASE_URL=postgres://... BENCH_CLIENTS=50000 python -m bench.bench_pages

Figures are CPU time per request (this process plus, on PostgreSQL, the database
backend serving it), median of several; see bench/measure.py and
docs/performance.md. A ratio is bare Django's cost over Cofactor's, so 1.0x is as
fast as bare Django and 0.5x twice its cost. BENCH_ISSUES (default 100) sets how
many summaries are issued for the memory figure (BENCH_TRACEMALLOC=1 also logs
what grew between the 10th and the last); BENCH_EXPLAIN=1 prints the
dashboard's query plans.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys

from bench.pages import is_postgres

BASE_CLIENTS = 5000


def run_part(*args: str) -> dict | None:
    """Run one part in its own process; its last line of output is the JSON."""
    done = subprocess.run(  # noqa: S603 - our own module, our own arguments
        [sys.executable, "-m", "bench.pages", *args],
        stdout=subprocess.PIPE,
        text=True,
        check=False,
    )
    if done.returncode != 0:
        print(f"  {' '.join(args)}: failed (exit {done.returncode}); see above")
        return None
    return json.loads(done.stdout.strip().splitlines()[-1])


def row(page: str, cofactor: float, bare: float, goal: str) -> None:
    ratio = bare / cofactor if cofactor else float("nan")
    print(f"{page:<44} {cofactor:9.1f} ms {bare:9.1f} ms {ratio:7.2f}x   {goal}")


def main() -> None:
    site = os.environ.get("DATABASE_URL", "")
    database = "PostgreSQL" if is_postgres(site) else "SQLite"
    asked = int(os.environ.get("BENCH_CLIENTS", BASE_CLIENTS))
    dashboards = []
    if is_postgres(site):
        for clients in sorted({BASE_CLIENTS, asked}):
            dashboards.append(run_part("dashboard", "--clients", str(clients)))
    intake = run_part("intake")
    engine = run_part("engine")

    print(
        f"Cofactor against bare Django on {database}: CPU time per request "
        "(worker + database), median"
    )
    print(f"{'page':<44} {'Cofactor':>12} {'bare':>12} {'ratio':>8}   goal")
    if not is_postgres(site):
        print(
            "practitioner dashboard: skipped. Its cost is SQL, and SQLite's would "
            "say nothing about production: set DATABASE_URL=postgres://..."
        )
    for result in filter(None, dashboards):
        row(
            f"dashboard, {result['clients']:,} clients ({result['seen']:,} hers)",
            result["cofactor_ms"],
            result["bare_ms"],
            ">= 0.5x",
        )
        print(f"  of which the database: {result['cofactor_database_ms']:.1f} ms")
    measured = [d for d in dashboards if d]
    if len(measured) == 2:
        small, large = measured
        slower = large["cofactor_ms"] / small["cofactor_ms"]
        print(
            f"{'dashboard, 50,000 against 5,000 clients':<44} {slower:.1f}x slower"
            f"{'':<24}goal <= 1.5x slower"
        )
    elif is_postgres(site):
        print("dashboard at 50,000 clients: set BENCH_CLIENTS=50000 (loads once)")
    if dashboards and not all(d and d["database_cpu"] for d in dashboards):
        print("  (the database server is not on this machine: its CPU is not counted)")
    if intake:
        row(
            f"questionnaire step, {intake['questions']} questions, GET",
            intake["step_ms"],
            intake["bare_step_ms"],
            ">= 0.7x",
        )
        row(
            "autosave of one changed field",
            intake["autosave_ms"],
            intake["bare_autosave_ms"],
            ">= 0.5x",
        )
        print(
            f"  (a request that does nothing, /healthz, costs "
            f"{intake['floor_ms']:.1f} ms here: the floor under both sides)"
        )
        case = f"case page, 10 + 10 ({intake['case_findings']} findings)"
        print(
            f"{case:<44} {intake['case_ms']:9.1f} ms, of which the worker "
            f"{intake['case_worker_ms']:.1f} ms      goal: worker < 60 ms"
        )
        weasy = intake.get("weasyprint_ms")
        if weasy:
            page = f"issue a {intake['pages']}-page PDF, WeasyPrint alone"
            print(
                f"{page:<44}"
                f" {intake['issue_ms']:9.1f} ms {weasy:9.1f} ms "
                f"{intake['issue_ms'] / weasy:6.2f}x slower   <= 1.2x slower"
            )
        rss = intake["rss_mib"]
        first, last = min(rss, key=int), max(rss, key=int)
        print(
            f"{'worker memory while issuing (RSS)':<44} {rss[first]:.0f} MiB after "
            f"{first}, {rss[last]:.0f} MiB after {last}   goal: flat over 500"
        )
    if engine:
        print(
            f"{'engine, 10 medicines + 10 supplements':<44} "
            f"{engine['warm_ms']:6.2f} ms warm, {engine['cold_ms']:.2f} ms cold"
            f"{'':<8}< 2 ms both ({engine['rules']} rules)"
        )
    if not (intake and engine and all(dashboards)):
        sys.exit(1)


if __name__ == "__main__":
    main()
