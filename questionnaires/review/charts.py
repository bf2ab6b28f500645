"""The symptom chart on the practitioner's case page: scores by body system.

`symptom_chart()` turns `SymptomScores` (and, optionally, an earlier submission's)
into a `Chart` of rows; `Chart.svg` (or `render_symptom_chart()`) draws it as plain
inline SVG, and `templates/questionnaires/_symptom_chart.html` shows it with the
numbers as a table. Decisions:

- Every body system's track is the full width and its bar the share of *its*
  maximum, so a system with more questions does not look worse for it; "Highest"
  means the highest share, and the numbers ("7 of 15") are always written out.
- The SVG draws with presentation attributes only: no classes, `style=`, script,
  links or web fonts, so it looks the same on the page (under the CSP) and in a
  WeasyPrint PDF. It scales with its `viewBox` to the width of its container; size
  it by sizing the container.
- The SVG is `role="img"`, named by its `<title>` and described by a `<desc>` of one
  sentence ("Highest: digestion 3 of 9"), rather than `aria-hidden`. It travels
  alone into the PDF, without the table, so it should describe itself wherever it
  goes; on the case page a screen reader hears that sentence and then the table,
  with the numbers once, since an image's texts are not read out as well.
- A body system only the earlier submission's version asked has no score to draw
  now, so it is left out; its old total still counts in the earlier total.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from fractions import Fraction

from django.utils.dateformat import format as format_date
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString
from django.utils.text import capfirst

from questionnaires.review.scores import SymptomScores, score_change

# WCAG contrast against white: TEXT 15.4:1 (AA for text); BAR 6.4:1, EARLIER 8.2:1
# and TRACK_EDGE 4.7:1 (at least 3:1 for graphics). BAR is 5.4:1 against TRACK, the
# light fill it sits on; the track's edge, not its fill, shows where it ends.
TEXT = "#212529"
BAR = "#0a58ca"
EARLIER = "#495057"
TRACK = "#e9ecef"
TRACK_EDGE = "#6c757d"
FONTS = "system-ui, -apple-system, Segoe UI, Roboto, Helvetica, Arial, sans-serif"

# Drawing units. 380 wide keeps 16-unit text above 12 px on a 320 px phone.
WIDTH = 380
FONT_SIZE = 16
CHAR_WIDTH = 9.2  # a generous average for FONT_SIZE, to keep label and value apart
BAR_HEIGHT = 14
EARLIER_HEIGHT = 6


@dataclass(frozen=True)
class ChartRow:
    """One body system: its score now and, if there is one, in the earlier
    submission (None where that version did not ask about it)."""

    body_system: str
    score: int
    maximum: int
    percent: int
    answered: int
    asked: int
    earlier: int | None = None
    earlier_maximum: int | None = None
    change: int | None = None

    @property
    def label(self) -> str:
        return capfirst(self.body_system)

    @property
    def change_text(self) -> str:
        return _change_text(self.change)


@dataclass(frozen=True)
class Chart:
    """Rows in the questionnaire's order, the totals, and the earlier totals."""

    rows: tuple[ChartRow, ...]
    total: int
    maximum: int
    answered: int
    asked: int
    has_earlier: bool = False
    earlier_total: int | None = None
    earlier_on: date | None = None

    @property
    def change(self) -> int | None:
        if self.earlier_total is None:
            return None
        return self.total - self.earlier_total

    @property
    def change_text(self) -> str:
        return _change_text(self.change)

    @property
    def earlier_label(self) -> str:
        if self.earlier_on is None:
            return "Earlier"
        return f"Earlier ({format_date(self.earlier_on, 'j M Y')})"

    @property
    def highest(self) -> tuple[ChartRow, ...]:
        """The rows with the highest share of their maximum (ties in order)."""
        scored = [r for r in self.rows if r.score and r.maximum]
        if not scored:
            return ()
        top = max(Fraction(r.score, r.maximum) for r in scored)
        return tuple(r for r in scored if Fraction(r.score, r.maximum) == top)

    @property
    def summary(self) -> str:
        """One sentence for the chart's description."""
        if not self.rows:
            return "No symptom questions were asked."
        if not self.answered:
            return "No symptoms were scored: no symptom question was answered."
        if not self.total:
            return "No symptoms were scored: every answer was none."
        highest = " and ".join(
            f"{r.body_system} {r.score} of {r.maximum}" for r in self.highest
        )
        sentence = f"Highest: {highest}; total {self.total} of {self.maximum}"
        if self.change is not None:
            sentence += f", {self.change_text} since the earlier submission"
        return sentence + "."

    @property
    def svg(self) -> SafeString:
        return render_symptom_chart(self)


def symptom_chart(
    scores: SymptomScores,
    earlier: SymptomScores | None = None,
    *,
    earlier_on: date | None = None,
) -> Chart:
    """Lay out a response's symptom scores, and their change since `earlier`."""
    change = score_change(earlier, scores) if earlier is not None else None
    rows = []
    for system in scores.systems:
        then = change.for_system(system.body_system) if change else None
        before = earlier.for_system(system.body_system) if earlier else None
        rows.append(
            ChartRow(
                body_system=system.body_system,
                score=system.total,
                maximum=system.maximum,
                percent=_percent(system.total, system.maximum),
                answered=system.answered,
                asked=system.asked,
                earlier=then.earlier if then else None,
                earlier_maximum=before.maximum if before else None,
                change=then.change if then else None,
            )
        )
    return Chart(
        rows=tuple(rows),
        total=scores.total,
        maximum=scores.maximum,
        answered=scores.answered,
        asked=scores.asked,
        has_earlier=change is not None,
        earlier_total=change.earlier_total if change else None,
        earlier_on=earlier_on if change else None,
    )


@dataclass(frozen=True)
class VisitRow:
    """One body system's total at each visit, oldest first (None: not asked)."""

    body_system: str
    scores: tuple[int | None, ...]

    @property
    def label(self) -> str:
        return capfirst(self.body_system)

    @property
    def change_text(self) -> str:
        """The change from the first visit that asked it to the latest."""
        asked = [s for s in self.scores if s is not None]
        if len(asked) < 2 or self.scores[-1] is None:
            return _change_text(None)
        return _change_text(asked[-1] - asked[0])


@dataclass(frozen=True)
class VisitTable:
    """Every visit's symptom totals by body system, for a case seen more than
    twice (the chart itself compares the latest two)."""

    dates: tuple[date, ...]
    rows: tuple[VisitRow, ...]
    totals: tuple[int, ...]


def visit_table(visits: list[tuple[date, SymptomScores]]) -> VisitTable:
    """Lay out the totals of each visit, oldest first; body systems in the latest
    questionnaire's order, then any only an earlier one asked."""
    names: list[str] = []
    for _, scores in reversed(visits):
        names += [s.body_system for s in scores.systems if s.body_system not in names]
    rows = []
    for name in names:
        found = [scores.for_system(name) for _, scores in visits]
        rows.append(VisitRow(name, tuple(s.total if s else None for s in found)))
    return VisitTable(
        dates=tuple(on for on, _ in visits),
        rows=tuple(rows),
        totals=tuple(scores.total for _, scores in visits),
    )


def render_symptom_chart(
    chart: Chart, *, id_prefix: str = "symptom-chart"
) -> SafeString:
    """Draw the chart as inline SVG; `id_prefix` keeps ids unique if shown twice."""
    y = 4
    parts: list[SafeString] = []
    if chart.has_earlier and chart.rows:
        parts.append(_legend(y, chart.earlier_label))
        y += 28
    if not chart.total:
        # Said in the drawing too, so that a chart of empty tracks is not a puzzle.
        parts.append(_text(0, y + FONT_SIZE, "No symptoms were scored."))
        y += 28
    row_height = 60 if chart.has_earlier else 50
    for row in chart.rows:
        parts.append(_row(row, y))
        y += row_height
    height = y
    return format_html(
        '<svg xmlns="http://www.w3.org/2000/svg" role="img" '
        'aria-labelledby="{id}-title {id}-desc" viewBox="0 0 {width} {height}" '
        'width="100%" font-family="{fonts}" font-size="{size}" fill="{text}">'
        '<title id="{id}-title">Symptom chart</title>'
        '<desc id="{id}-desc">{summary}</desc>{parts}</svg>',
        id=id_prefix,
        width=WIDTH,
        height=height,
        fonts=FONTS,
        size=FONT_SIZE,
        text=TEXT,
        summary=chart.summary,
        parts=_join(parts),
    )


def _row(row: ChartRow, top: int) -> SafeString:
    value = f"{row.score} of {row.maximum}"
    if row.earlier is not None:
        value += f", was {row.earlier}"
    room = int((WIDTH - 12) / CHAR_WIDTH) - len(value)
    label = row.label if len(row.label) <= room else row.label[: room - 1] + "…"
    bar_top = top + 25
    inner = WIDTH - 1
    parts = [
        _text(0, top + 17, label),
        _text(WIDTH, top + 17, value, anchor="end"),
        format_html(
            '<rect x="0.5" y="{}" width="{}" height="{}" rx="2" fill="{}" '
            'stroke="{}" stroke-width="1"/>',
            bar_top,
            inner,
            BAR_HEIGHT,
            TRACK,
            TRACK_EDGE,
        ),
    ]
    if row.score:
        parts.append(
            _bar(bar_top, inner * _share(row.score, row.maximum), BAR_HEIGHT, BAR)
        )
    if row.earlier:
        parts.append(
            _bar(
                bar_top + BAR_HEIGHT + 4,
                inner * _share(row.earlier, row.maximum),
                EARLIER_HEIGHT,
                EARLIER,
            )
        )
    return _join(parts)


def _legend(top: int, earlier_label: str) -> SafeString:
    return _join(
        [
            _bar(top + 4, 22, BAR_HEIGHT, BAR),
            _text(30, top + 17, "Now"),
            _bar(top + 8, 22, EARLIER_HEIGHT, EARLIER, x=84),
            _text(114, top + 17, earlier_label),
        ]
    )


def _bar(
    top: float, width: float, height: int, fill: str, x: float = 0.5
) -> SafeString:
    return format_html(
        '<rect x="{}" y="{}" width="{}" height="{}" fill="{}"/>',
        _number(x),
        _number(top),
        _number(width),
        height,
        fill,
    )


def _text(
    x: float, baseline: float, text: str, *, anchor: str = "start", fill: str = TEXT
) -> SafeString:
    return format_html(
        '<text x="{}" y="{}" text-anchor="{}" fill="{}">{}</text>',
        _number(x),
        _number(baseline),
        anchor,
        fill,
        text,
    )


def _join(parts: Iterable[SafeString]) -> SafeString:
    return format_html_join("", "{}", ((part,) for part in parts))


def _share(score: int, maximum: int) -> float:
    """The score's share of the track, kept inside it (an earlier version may have
    asked more questions)."""
    return min(score / maximum, 1.0) if maximum else 0.0


def _percent(score: int, maximum: int) -> int:
    """The score as a whole percentage of the maximum, halves rounded up."""
    return (200 * score + maximum) // (2 * maximum) if maximum else 0


def _number(value: float) -> str:
    return f"{value:.1f}".removesuffix(".0")


def _change_text(change: int | None) -> str:
    if change is None:
        return "not asked before"
    if change > 0:
        return f"up {change}"
    if change < 0:
        return f"down {-change}"
    return "no change"
