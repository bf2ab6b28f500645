"""Render an advice summary as a tagged, self-contained A4 PDF with WeasyPrint.

The caller fills in a `SummaryDocument` (plain values, no ORM) and gets bytes back
from `render_pdf()`; `summary_html(..., for_preview=True)` gives the same content as
an HTML fragment for the preview on the site. Decisions:

- PDF/UA-1 (`pdf_variant="pdf/ua-1"`): WeasyPrint tags the structure (headings,
  lists, tables with their headers, the chart as a figure named by its title),
  marks the PDF as tagged, asks viewers to show the title rather than the file
  name, and states PDF/UA conformance in the XMP metadata. Title and language come
  from `<title>` and `<html lang>`.
- Nothing is fetched from outside: `SummaryFetcher` serves our own static files
  (`cofactor:static/...`, found by the staticfiles finders) and the practice logo
  (only the path in the document, and only inside MEDIA_ROOT), and refuses anything
  else. Any refused or failed fetch stops the render with `PdfRenderError`: the
  template references nothing else, so a fetch that fails is a bug, not a detail.
- The font (DejaVu Sans) ships in `static/pdf/fonts/` and is embedded, so a PDF
  looks the same whichever machine renders it.
- Text fields are plain text: blank lines separate paragraphs, "- " lines make a
  list, and everything is escaped by the template.
"""

from __future__ import annotations

import datetime
import logging
import mimetypes
import os
import re
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import urlsplit
from urllib.request import url2pathname

from django.conf import settings
from django.contrib.staticfiles import finders
from django.core.exceptions import SuspiciousFileOperation
from django.template.loader import render_to_string
from django.utils.safestring import SafeString, mark_safe
from django.utils.text import capfirst
from weasyprint import HTML
from weasyprint.text.fonts import FontConfiguration
from weasyprint.urls import FatalURLFetchingError, URLFetcher, URLFetcherResponse

from questionnaires.advice import timetable
from questionnaires.advice.models import Timing
from questionnaires.values import parse_number

if TYPE_CHECKING:
    from questionnaires.review.charts import Chart

logger = logging.getLogger(__name__)

DEFAULT_DISCLAIMER = (
    "This summary is nutritional and lifestyle advice from your nutritional "
    "therapist. It is not a medical diagnosis and does not replace the advice of "
    "your GP or other doctors. Do not stop or change any prescribed medicine "
    "without speaking to your GP or pharmacist first. If your symptoms get worse, "
    "or you feel unwell after starting a supplement, stop taking it and contact "
    "your GP or call NHS 111. In an emergency, call 999."
)

# Our own static files, addressed as "cofactor:static/<path>" in the PDF templates.
STATIC_PREFIX = "cofactor:static/"
# The chart's font stack names system fonts; in the PDF it uses the shipped font.
PDF_FONT_FAMILY = "Cofactor Sans"
# PDF/UA-1 implies tags (pdf_tags) and PDF 1.7, and adds the PDF/UA id to the XMP.
PDF_OPTIONS = {"pdf_variant": "pdf/ua-1"}
# Stops a stray PNG/SVG from making the render slow or huge.
MAX_RESOURCE_BYTES = 5 * 1024 * 1024

_BULLET = re.compile(r"^\s*[-*\u2022]\s+")


class PdfRenderError(Exception):
    """The summary could not be rendered as a PDF; the message says why."""


@dataclass(frozen=True)
class PlanRow:
    """One supplement in the plan, as the practitioner typed it."""

    product: str
    nutrient: str
    form: str
    amount: str
    unit: str
    per_day: str
    timing: str
    timing_label: str
    spacing: str
    duration: str
    notes: str
    more_timings: tuple[str, ...] = ()
    substances: tuple[str, ...] = ()  # knowledge-base names, for the spacing

    @property
    def timings(self) -> tuple[str, ...]:
        """Every time of day it is taken, in the day's order."""
        chosen = {self.timing, *self.more_timings}
        return tuple(t for t in Timing.values if t in chosen)

    @property
    def dose_each_time(self) -> str:
        """How much at each time in the timetable: one dose when the doses a day
        match the times chosen, else the whole dose ("150 mg, 3 a day")."""
        per_day = parse_number(self.per_day.strip() or "1")
        return self.amount_text if per_day == len(self.timings) else self.dose

    @property
    def name(self) -> str:
        """What to take: the product, or else the nutrient and form."""
        if self.product.strip():
            return self.product.strip()
        return capfirst(" ".join(p for p in (self.nutrient, self.form) if p.strip()))

    @property
    def detail(self) -> str:
        """The nutrient and form, where the product's name does not say them."""
        if not self.product.strip():
            return ""
        named = self.product.lower()
        parts = [
            p.strip()
            for p in (self.nutrient, self.form)
            if p.strip().lower() not in named
        ]
        return ", ".join(parts)

    @property
    def amount_text(self) -> str:
        """One dose: "150 mg"."""
        amount = self.amount.strip()
        return f"{amount} {self.unit.strip()}".strip() if amount else ""

    @property
    def frequency(self) -> str:
        """Doses a day: "once a day", "2 a day"."""
        per_day = self.per_day.strip()
        if per_day in ("", "0"):
            return ""
        return "once a day" if per_day == "1" else f"{per_day} a day"

    @property
    def dose(self) -> str:
        """How much: "150 mg, 2 a day" (amount per dose, doses a day)."""
        return ", ".join(p for p in (self.amount_text, self.frequency) if p)

    @property
    def care(self) -> str:
        """What to keep it apart from, as a sentence start."""
        return capfirst(self.spacing.strip())


@dataclass(frozen=True)
class SummaryDocument:
    """Everything an issued advice summary says, filled in by the caller."""

    practice_name: str
    practice_address: str
    practice_email: str
    practice_phone: str
    practice_registration: str
    logo_path: str | None
    practitioner_name: str
    practitioner_registration: str
    client_name: str
    client_date_of_birth: datetime.date | None
    issued_on: datetime.date
    version: int
    key_points: str
    diet: str
    lifestyle: str
    gp_notes: str
    follow_up: str
    plan: tuple[PlanRow, ...]
    chart: Chart | None
    disclaimer: str = DEFAULT_DISCLAIMER
    # The client's medicines placed in the timetable, and the knowledge base's
    # spacings that apply to this case (see questionnaires/timetable.py).
    medicines: tuple[timetable.Dose, ...] = ()
    spacings: tuple[timetable.Spacing, ...] = ()
    # The version this one replaces, when it was issued, and what changed.
    replaces_version: int | None = None
    replaces_issued_on: datetime.date | None = None
    changes: str = ""
    # The client's own supplements: what to stop, what to keep taking.
    stop_taking: tuple[str, ...] = ()
    keep_taking: tuple[str, ...] = ()

    @property
    def title(self) -> str:
        return f"Advice summary for {self.client_name}"


@dataclass(frozen=True)
class TextBlock:
    """A paragraph (its lines) or a bulleted list (its items)."""

    is_list: bool
    lines: tuple[str, ...]


def text_blocks(text: str) -> tuple[TextBlock, ...]:
    """Split plain text into paragraphs and "- " lists, keeping line breaks.

    An indented line under a bullet goes on with that item; any other line after
    a list starts a paragraph.
    """
    blocks: list[TextBlock] = []
    lines: list[str] = []
    is_list = False

    def close() -> None:
        if lines:
            blocks.append(TextBlock(is_list, tuple(lines)))
            lines.clear()

    for raw in text.replace("\r\n", "\n").replace("\r", "\n").split("\n"):
        line = raw.strip()
        if not line:
            close()
            continue
        bullet = _BULLET.match(line)
        if is_list and not bullet and raw[0].isspace():
            lines[-1] += " " + line  # an indented line goes on with its item
            continue
        if bool(bullet) != is_list:
            close()
            is_list = bool(bullet)
        lines.append(line[bullet.end() :] if bullet else line)
    close()
    return tuple(blocks)


def day_timetable(document: SummaryDocument) -> list[timetable.Slot]:
    """The client's day: the plan at each of its times, with the medicines."""
    doses = [
        timetable.Dose(
            name=row.name,
            amount=row.dose_each_time,
            timings=row.timings,
            substances=row.substances,
        )
        for row in document.plan
    ]
    return timetable.build([*document.medicines, *doses], document.spacings)


def summary_html(document: SummaryDocument, *, for_preview: bool = False) -> str:
    """The summary as HTML: a whole page for the PDF, or a fragment for the preview.

    The fragment has no `style=` or `<script>` (the site's CSP forbids them) and no
    logo, which has no public URL.
    """
    context = _context(document, for_preview=for_preview)
    template = "pdf/_summary.html" if for_preview else "pdf/summary.html"
    return render_to_string(template, context)


class RenderedPdf(bytes):
    """A PDF's bytes, with how many pages it has."""

    pages: int

    def __new__(cls, content: bytes, *, pages: int) -> RenderedPdf:
        rendered = super().__new__(cls, content)
        rendered.pages = pages
        return rendered


def render_pdf(document: SummaryDocument) -> RenderedPdf:
    """Render the summary as a tagged PDF/UA-1 A4 document."""
    try:
        html = summary_html(document)
    except Exception as error:
        raise PdfRenderError(
            f"The summary template could not be rendered: {_describe(error)}"
        ) from error
    fetcher = SummaryFetcher(logo_path=document.logo_path)
    laid_out = []  # WeasyPrint's pages, so the PDF need not be read back to count
    try:
        content = HTML(string=html, url_fetcher=fetcher).write_pdf(
            font_config=_font_config(),
            finisher=lambda done, _pdf: laid_out.append(len(done.pages)),
            **PDF_OPTIONS,
        )
    except FatalURLFetchingError as error:
        # WeasyPrint says which URL; its cause says why it was not served.
        raise PdfRenderError(
            f"The summary PDF could not be made: {error}: {_describe(error.__cause__)}"
        ) from error
    except Exception as error:
        raise PdfRenderError(
            f"The summary PDF could not be made: {_describe(error)}"
        ) from error
    return RenderedPdf(content, pages=laid_out[0])


def _font_config() -> FontConfiguration:
    """One font configuration per thread, reused for every render.

    A new configuration per document loads our fonts again each time and the
    memory is never given back: about 0.25 MiB a render, measured by
    bench/bench_advice.py (WeasyPrint issue #2130). Per thread, because nothing
    says a configuration may be shared between threads.
    """
    config = getattr(_fonts, "config", None)
    if config is None:
        config = _fonts.config = FontConfiguration()
    return config


_fonts = threading.local()


class SummaryFetcher(URLFetcher):
    """Serve our static files and the practice logo; refuse every other URL."""

    def __init__(self, *, logo_path: str | None = None) -> None:
        # Fail on errors: our template references nothing else, so a refused or
        # missing resource is a bug that should stop the render, not a blank space.
        super().__init__(fail_on_errors=True)
        self._logo = _usable_logo(logo_path)

    def fetch(self, url: str, headers: dict | None = None) -> URLFetcherResponse:
        path = self._path(url)
        if path.stat().st_size > MAX_RESOURCE_BYTES:
            raise PermissionError(f"Refused to fetch {url[:200]!r}: too large")
        # WeasyPrint ignores a stylesheet not served as text/css.
        content_type = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
        return URLFetcherResponse(
            url, path.read_bytes(), headers={"Content-Type": content_type}
        )

    def _path(self, url: str) -> Path:
        if url.startswith(STATIC_PREFIX):
            name = url.removeprefix(STATIC_PREFIX).split("?")[0].split("#")[0]
            try:
                found = finders.find(name)
            except SuspiciousFileOperation:
                found = None  # "../" and absolute paths: outside the static folders
            else:
                if not found:
                    raise FileNotFoundError(f"No static file {name!r}")
            if isinstance(found, str):
                return Path(found)
        elif self._logo is not None and url.startswith("file:"):
            parts = urlsplit(url)
            if parts.netloc in ("", "localhost"):
                path = os.path.realpath(url2pathname(parts.path))
                if path == self._logo:
                    return Path(path)
        raise PermissionError(
            f"Refused to fetch {url[:200]!r}: only our static files and the "
            "practice logo are used"
        )


def _describe(error: BaseException | None) -> str:
    if error is None:
        return "unknown error"
    return f"{type(error).__name__}: {error}"


def _usable_logo(logo_path: str | None) -> str | None:
    """The logo's real path if it is a file inside MEDIA_ROOT, else None."""
    if not logo_path:
        return None
    path = os.path.realpath(logo_path)
    media_root = os.path.realpath(settings.MEDIA_ROOT)
    if os.path.commonpath([path, media_root]) != media_root or not os.path.isfile(path):
        return None
    return path


def _context(document: SummaryDocument, *, for_preview: bool) -> dict:
    logo = None if for_preview else _usable_logo(document.logo_path)
    if document.logo_path and not for_preview and logo is None:
        logger.warning("Practice logo left out of the summary: not a file in media")
    return {
        "document": document,
        "logo_url": Path(logo).as_uri() if logo else None,
        "key_points": text_blocks(document.key_points),
        "diet": text_blocks(document.diet),
        "lifestyle": text_blocks(document.lifestyle),
        "gp_notes": text_blocks(document.gp_notes),
        "follow_up": text_blocks(document.follow_up),
        "disclaimer": text_blocks(document.disclaimer),
        "timetable": day_timetable(document),
        # One line, so that the letterhead leaves room for the timetable.
        "address_line": ", ".join(
            line.strip()
            for line in document.practice_address.splitlines()
            if line.strip()
        ),
        "changes": text_blocks(document.changes),
        "chart_svg": _chart_svg(document.chart, for_preview=for_preview),
    }


def _chart_svg(chart: Chart | None, *, for_preview: bool) -> SafeString | None:
    if chart is None or not chart.rows:
        return None
    from questionnaires.review import charts

    svg = charts.render_symptom_chart(chart, id_prefix="summary-chart")
    if for_preview:
        return svg
    # The chart names system fonts; in the PDF it draws with the shipped one.
    return mark_safe(  # noqa: S308 - the chart's own markup, one attribute swapped
        svg.replace(
            f'font-family="{charts.FONTS}"', f'font-family="{PDF_FONT_FAMILY}"', 1
        )
    )
