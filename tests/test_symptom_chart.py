"""The symptom chart on the case page: rows, change, escaping, what the CSP allows."""

import re
from datetime import date
from html.parser import HTMLParser

import pytest
from django.template.loader import render_to_string

from questionnaires.models import QuestionKind
from questionnaires.review import charts
from questionnaires.review.charts import ChartRow, symptom_chart
from questionnaires.review.scores import symptom_scores
from tests.htmlcheck import csp_problems
from tests.questionnaire_factories import (
    QuestionFactory,
    QuestionnaireVersionFactory,
    SectionFactory,
    health_version,
    publish,
    submitted_response,
)

# 2 energy, 2 sleep, 2 muscle and joint and 3 digestion symptoms, in that order.
from tests.test_scores import FIRST_VISIT, FOLLOW_UP


@pytest.fixture
def version(db):
    return health_version()


def chart_for(client, version, answers, earlier_answers=None, **kwargs):
    scores = symptom_scores(submitted_response(client, version, answers=answers))
    earlier = None
    if earlier_answers is not None:
        earlier = symptom_scores(
            submitted_response(client, version, answers=earlier_answers)
        )
    return symptom_chart(scores, earlier, **kwargs)


def render(chart):
    return render_to_string("questionnaires/_symptom_chart.html", {"chart": chart})


def text_of(html):
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html)).strip()


class _Tags(HTMLParser):
    def __init__(self):
        super().__init__()
        self.tags = []

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))

    handle_startendtag = handle_starttag


def tags_of(html):
    parser = _Tags()
    parser.feed(html)
    return parser.tags


class _Table(HTMLParser):
    """The table's rows as lists of cell texts, leaving out what `hidden` hides."""

    def __init__(self, hidden):
        super().__init__()
        self.hidden = hidden
        self.rows = []
        self.skipping = 0  # depth inside a hidden element
        self.cell = None

    def handle_starttag(self, tag, attrs):
        if self.skipping or self.hidden in (dict(attrs).get("class") or "").split():
            self.skipping += 1
        elif tag == "tr":
            self.rows.append([])
        elif tag in ("th", "td") and self.rows:
            self.cell = []

    def handle_endtag(self, tag):
        if self.skipping:
            self.skipping -= 1
        elif tag in ("th", "td") and self.cell is not None:
            self.rows[-1].append(" ".join("".join(self.cell).split()))
            self.cell = None

    def handle_data(self, data):
        if self.cell is not None and not self.skipping:
            self.cell.append(data)


def table_of(html, *, narrow=False):
    """What the table says on a wide screen, or below 576 px if `narrow`."""
    parser = _Table(hidden="d-none" if narrow else "d-sm-none")
    parser.feed(html[html.index("<table") :])
    return parser.rows


def test_rows_follow_the_questionnaire_with_scores_and_percentages(alice, version):
    chart = chart_for(alice, version, FIRST_VISIT)

    assert chart.rows == (
        ChartRow("energy", 5, 6, 83, answered=2, asked=2),
        ChartRow("sleep", 1, 6, 17, answered=1, asked=2),
        ChartRow("muscles and joints", 2, 6, 33, answered=2, asked=2),
        ChartRow("digestion", 3, 9, 33, answered=2, asked=3),
    )
    assert (chart.total, chart.maximum) == (11, 27)
    assert chart.rows[2].label == "Muscles and joints"
    assert not chart.has_earlier


def test_each_bar_is_its_share_of_the_track_with_the_numbers_written(alice, version):
    svg = chart_for(alice, version, FIRST_VISIT).svg

    for number in ["5 of 6", "1 of 6", "2 of 6", "3 of 9"]:
        assert f">{number}</text>" in svg
    solid = [a for tag, a in tags_of(svg) if tag == "rect" and a["fill"] == charts.BAR]
    track = next(a for tag, a in tags_of(svg) if a.get("fill") == charts.TRACK)
    widths = [float(a["width"]) / float(track["width"]) for a in solid]
    assert widths == pytest.approx([5 / 6, 1 / 6, 2 / 6, 3 / 9], abs=0.001)


def test_change_against_an_earlier_submission(alice, version):
    chart = chart_for(
        alice, version, FOLLOW_UP, FIRST_VISIT, earlier_on=date(2025, 1, 10)
    )

    assert [(r.body_system, r.earlier, r.score, r.change_text) for r in chart.rows] == [
        ("energy", 5, 2, "down 3"),
        ("sleep", 1, 3, "up 2"),
        ("muscles and joints", 2, 0, "down 2"),
        ("digestion", 3, 1, "down 2"),
    ]
    assert (chart.earlier_total, chart.total, chart.change_text) == (11, 6, "down 5")
    html = render(chart)
    assert "and the change since 10 Jan 2025</caption>" in html
    assert table_of(html) == [
        ["Body system", "Score", "Out of", "Earlier", "Change"],
        ["Energy", "2", "6", "5", "down 3"],
        ["Sleep", "3", "6", "1", "up 2"],
        ["Muscles and joints", "0", "6", "2", "down 2"],
        ["Digestion", "1", "9", "3", "down 2"],
        ["Total", "6", "27", "11", "down 5"],
    ]
    assert "2 of 6, was 5" in chart.svg
    assert "Earlier (10 Jan 2025)" in chart.svg


def test_on_a_phone_the_score_says_out_of_what_in_its_own_cell(alice, version):
    html = render(chart_for(alice, version, FOLLOW_UP, FIRST_VISIT))

    assert table_of(html, narrow=True)[:2] == [
        ["Body system", "Score", "Earlier", "Change"],
        ["Energy", "2 of 6", "5", "down 3"],
    ]


def test_unchanged_scores_say_no_change(alice, version):
    chart = chart_for(alice, version, FIRST_VISIT, FIRST_VISIT)

    assert {r.change_text for r in chart.rows} == {"no change"}
    assert ["Energy", "5", "6", "5", "no change"] in table_of(render(chart))


def test_a_system_the_earlier_version_did_not_ask_says_so(alice, version):
    earlier = symptom_scores(submitted_response(alice, version, answers=FIRST_VISIT))
    newer = QuestionnaireVersionFactory()
    section = SectionFactory(version=newer)
    for key, system in [("fatigue", "energy"), ("dry_skin", "skin")]:
        QuestionFactory(
            section=section,
            concept=f"symptom:{key}",
            kind=QuestionKind.SYMPTOM_SCALE,
            options={"body_system": system},
        )
    publish(newer)
    later = submitted_response(
        alice, newer, answers={"symptom:fatigue": "1", "symptom:dry_skin": "2"}
    )

    chart = symptom_chart(symptom_scores(later), earlier)

    assert [(r.body_system, r.change_text) for r in chart.rows] == [
        ("energy", "down 4"),
        ("skin", "not asked before"),
    ]
    rows = table_of(render(chart))
    assert rows[1:3] == [
        ["Energy", "1", "3", "5 of 6", "down 4"],
        ["Skin", "2", "3", "not asked", "not asked before"],
    ]


def test_the_summary_names_the_highest_body_system(alice, version):
    chart = chart_for(alice, version, FIRST_VISIT)

    assert chart.summary == "Highest: energy 5 of 6; total 11 of 27."
    svg = chart.svg
    assert '<desc id="symptom-chart-desc">Highest: energy 5 of 6;' in svg
    assert 'role="img"' in svg
    assert 'aria-labelledby="symptom-chart-title symptom-chart-desc"' in svg


def test_the_highest_is_the_largest_share_and_ties_are_all_named(alice, version):
    chart = chart_for(
        alice,
        version,
        {"symptom:fatigue": "2", "symptom:bloating": "2", "symptom:joint_pain": "2"},
        {},
    )

    # digestion scores as much (2) but has the smaller share (2 of 9).
    assert chart.summary == (
        "Highest: energy 2 of 6 and muscles and joints 2 of 6; total 6 of 27,"
        " up 6 since the earlier submission."
    )


def test_labels_are_escaped_in_the_chart_and_the_table(alice, db):
    version = QuestionnaireVersionFactory()
    QuestionFactory(
        section=SectionFactory(version=version),
        concept="symptom:odd",
        kind=QuestionKind.SYMPTOM_SCALE,
        options={"body_system": '<script>alert("x")</script><b onclick=x>'},
    )
    publish(version)

    chart = chart_for(alice, version, {"symptom:odd": "3"})
    html = render(chart)

    assert "<script" not in html
    assert "<b " not in html
    assert "&lt;script&gt;" in chart.svg
    assert "&lt;script&gt;" in html
    assert csp_problems(html) == []


def test_the_svg_needs_no_styles_scripts_or_links(alice, version):
    svg = chart_for(alice, version, FOLLOW_UP, FIRST_VISIT).svg

    tags = tags_of(svg)
    assert tags[0][0] == "svg"
    assert "viewbox" in tags[0][1]
    assert {tag for tag, _ in tags} <= {"svg", "title", "desc", "rect", "text"}
    assert not [a for _, attrs in tags for a in attrs if a in {"style", "class"}]
    assert not [a for _, attrs in tags for a in attrs if a.endswith("href")]
    assert "url(" not in svg
    assert "<script" not in svg


def test_the_rendered_partial_has_nothing_the_csp_would_block(alice, version):
    html = render(chart_for(alice, version, FOLLOW_UP, FIRST_VISIT))

    assert csp_problems(html) == []
    assert "<figure" in html
    assert "<figcaption" in html
    assert ">Symptom scores by body system, and the change since" in html
    headers = [a for tag, a in tags_of(html) if tag == "th"]
    assert {a.get("scope") for a in headers} == {"col", "row"}


def test_an_empty_response_draws_zeros_and_says_nothing_was_scored(alice, version):
    chart = chart_for(alice, version, {})

    assert [(r.score, r.maximum, r.percent) for r in chart.rows] == [
        (0, 6, 0),
        (0, 6, 0),
        (0, 6, 0),
        (0, 9, 0),
    ]
    assert chart.summary == (
        "No symptoms were scored: no symptom question was answered."
    )
    assert chart.highest == ()
    html = render(chart)
    assert ">No symptoms were scored.</text>" in html
    assert ">0 of 9</text>" in html
    assert "0 of 9 symptom questions answered" in text_of(html)
    assert table_of(html)[-1] == ["Total", "0", "27"]
    assert csp_problems(html) == []


def test_answers_of_none_also_say_nothing_was_scored(alice, version):
    chart = chart_for(alice, version, {"symptom:fatigue": "0"})

    assert chart.summary == "No symptoms were scored: every answer was none."


def test_a_questionnaire_without_symptoms_says_so_instead_of_a_chart(alice, db):
    version = publish(QuestionnaireVersionFactory())

    chart = chart_for(alice, version, {})

    assert chart.rows == ()
    html = render(chart)
    assert "<svg" not in html
    assert "asked no symptom questions" in html


def test_percentages_round_halves_up(alice, db):
    assert charts._percent(1, 8) == 13  # 12.5
    assert charts._percent(0, 0) == 0


def contrast(one, other):
    def luminance(colour):
        channels = [int(colour[i : i + 2], 16) / 255 for i in (1, 3, 5)]
        r, g, b = (
            c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4
            for c in channels
        )
        return 0.2126 * r + 0.7152 * g + 0.0722 * b

    light, dark = sorted([luminance(one), luminance(other)], reverse=True)
    return (light + 0.05) / (dark + 0.05)


def test_colours_have_enough_contrast():
    white = "#ffffff"
    assert contrast(charts.TEXT, white) >= 4.5
    assert contrast(charts.BAR, white) >= 3
    assert contrast(charts.BAR, charts.TRACK) >= 3
    assert contrast(charts.EARLIER, white) >= 3
    assert contrast(charts.TRACK_EDGE, white) >= 3
