"""Benchmark WeasyPrint rendering a typical advice summary; prints figures only.

python -m bench.bench_pdf
"""

from __future__ import annotations

import os
import statistics
import time
from datetime import date
from io import BytesIO

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "practice.settings")
os.environ.setdefault("DJANGO_SECRET_KEY", "bench-only-secret-not-for-production")
os.environ.setdefault("DJANGO_DEBUG", "0")

import django  # noqa: E402

django.setup()

from pypdf import PdfReader  # noqa: E402
from weasyprint import HTML  # noqa: E402

from questionnaires.advice.models import Timing  # noqa: E402
from questionnaires.advice.pdf import (  # noqa: E402
    PDF_OPTIONS,
    PlanRow,
    SummaryDocument,
    SummaryFetcher,
    render_pdf,
    summary_html,
)
from questionnaires.review.charts import Chart, ChartRow  # noqa: E402

RUNS = 10

# product, amount, unit, doses a day, timing, keep apart from, for how long, notes
PLAN = [
    ("Vitamin D3", "1000", "IU", "1", Timing.BREAKFAST, "", "Ongoing", ""),
    ("Omega-3 fish oil", "1000", "mg", "2", Timing.BREAKFAST, "", "3 months", ""),
    (
        "Calcium citrate",
        "500",
        "mg",
        "1",
        Timing.LUNCH,
        "at least 4 hours apart from alendronic acid",
        "3 months",
        "Not on the morning you take alendronic acid",
    ),
    (
        "Magnesium glycinate",
        "150",
        "mg",
        "2",
        Timing.EVENING_MEAL,
        "at least 4 hours apart from alendronic acid",
        "3 months",
        "",
    ),
    ("Glycine powder", "3", "g", "1", Timing.BEDTIME, "", "6 weeks", "In warm water"),
    ("Probiotic", "1", "g", "1", Timing.AS_DIRECTED, "", "1 month", "See your notes"),
]

ADVICE = "\n\n".join(
    f"{topic} Aim for small changes you can keep up: one at a time, for two weeks, "
    "before adding the next. Write down what you eat for three days before we "
    "meet, including drinks and snacks.\n"
    "- Eat a palm-sized portion of protein at each meal.\n"
    "- Have two portions of vegetables with lunch and with dinner.\n"
    "- Drink six to eight glasses of water a day."
    for topic in ("Breakfast.", "Lunch.", "Dinner.")
)


def typical_summary() -> SummaryDocument:
    """A 3-4 page summary: six supplements, three topics of advice, a chart."""
    return SummaryDocument(
        practice_name="Hillside Nutrition Clinic",
        practice_address="4 Station Road\nMalton\nYO17 7AA",
        practice_email="clinic@hillside.example",
        practice_phone="01653 555 020",
        practice_registration="CNHC registered practice",
        logo_path=None,
        practitioner_name="Omar Okafor",
        practitioner_registration="CNHC 54321",
        client_name="Bob Brown",
        client_date_of_birth=date(1948, 11, 2),
        issued_on=date(2025, 6, 12),
        version=1,
        key_points="- Bones and sleep come first.\n- Keep calcium apart from your "
        "alendronic acid.",
        diet=ADVICE,
        lifestyle="Walk for 20 minutes a day.\n\nGo to bed at the same time each "
        "night, and keep screens out of the bedroom.",
        gp_notes="Bob takes alendronic acid 70 mg weekly and amlodipine 5 mg.\n"
        "- Calcium and magnesium are planned 4 hours apart from alendronic acid.",
        follow_up="We will meet again in 6 weeks.",
        plan=tuple(
            PlanRow(
                product=product,
                nutrient="",
                form="",
                amount=amount,
                unit=unit,
                per_day=per_day,
                timing=timing,
                timing_label=Timing(timing).label,
                spacing=spacing,
                duration=duration,
                notes=notes,
            )
            for product, amount, unit, per_day, timing, spacing, duration, notes in PLAN
        ),
        chart=Chart(
            rows=tuple(
                ChartRow(system, score, 12, score * 100 // 12, 4, 4)
                for system, score in (
                    ("energy", 7),
                    ("sleep", 9),
                    ("digestion", 4),
                    ("muscle and joint", 8),
                    ("mood", 3),
                )
            ),
            total=31,
            maximum=60,
            answered=20,
            asked=20,
        ),
    )


def median_ms(run, repeat: int = RUNS) -> tuple[float, object]:
    times, result = [], None
    for _ in range(repeat):
        start = time.perf_counter()
        result = run()
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times), result


def main() -> None:
    document = typical_summary()
    render_pdf(document)  # the first render loads fonts and templates

    html_ms, html = median_ms(lambda: summary_html(document))
    weasy_ms, _ = median_ms(
        lambda: HTML(string=html, url_fetcher=SummaryFetcher()).write_pdf(**PDF_OPTIONS)
    )
    total_ms, pdf = median_ms(lambda: render_pdf(document))

    pages = len(PdfReader(BytesIO(pdf)).pages)
    print(f"advice summary PDF: {pages} pages, {len(pdf) / 1024:.0f} KiB, {RUNS} runs")
    print(f"  template to HTML        median {html_ms:7.1f} ms")
    print(f"  WeasyPrint HTML to PDF  median {weasy_ms:7.1f} ms")
    print(f"  render_pdf (both)       median {total_ms:7.1f} ms")


if __name__ == "__main__":
    main()
