"""The advice summary PDF: what it says, how it is tagged, and what it never fetches.

Checked by the PDF's extracted text and its structure, never by image hashes.
"""

import re
from dataclasses import replace
from datetime import date
from io import BytesIO

import pytest
from django.template import TemplateSyntaxError
from pypdf import PdfReader

from questionnaires.advice import pdf
from questionnaires.advice.models import Timing
from questionnaires.advice.pdf import (
    DEFAULT_DISCLAIMER,
    PdfRenderError,
    PlanRow,
    SummaryDocument,
    SummaryFetcher,
    render_pdf,
    summary_html,
    text_blocks,
)
from questionnaires.review.charts import Chart, ChartRow
from tests.htmlcheck import csp_problems
from tests.pdf_helpers import pdf_text

ALENDRONIC_SPACING = "at least 4 hours apart from alendronic acid"


def plan_row(product, amount, unit, per_day, timing, **fields):
    return PlanRow(
        product=product,
        nutrient=fields.get("nutrient", ""),
        form=fields.get("form", ""),
        amount=amount,
        unit=unit,
        per_day=per_day,
        timing=timing,
        timing_label=Timing(timing).label,
        spacing=fields.get("spacing", ""),
        duration=fields.get("duration", ""),
        notes=fields.get("notes", ""),
    )


MAGNESIUM = plan_row(
    "Magnesium glycinate",
    "150",
    "mg",
    "2",
    Timing.EVENING_MEAL,
    nutrient="magnesium",
    form="glycinate",
    spacing=ALENDRONIC_SPACING,
    duration="3 months",
)
CALCIUM = plan_row(
    "Calcium citrate",
    "500",
    "mg",
    "1",
    Timing.LUNCH,
    nutrient="calcium",
    form="citrate",
    spacing=ALENDRONIC_SPACING,
    duration="3 months",
    notes="Not on the morning you take alendronic acid",
)
VITAMIN_D = plan_row(
    "Vitamin D3",
    "1000",
    "IU",
    "1",
    Timing.BREAKFAST,
    nutrient="vitamin D",
    duration="Ongoing",
)

GP_NOTES = (
    "Margaret takes alendronic acid 70 mg once a week.\n"
    "- Calcium and magnesium are planned at least 4 hours after it.\n"
    "- Please check her vitamin D level at her next blood test."
)


def margaret(**changes) -> SummaryDocument:
    """A 74-year-old on alendronic acid with a magnesium, calcium and vitamin D plan."""
    document = SummaryDocument(
        practice_name="Greenleaf Nutrition",
        practice_address="12 Market Street\nLewes\nBN7 2NB",
        practice_email="hello@greenleaf.example",
        practice_phone="01273 555 010",
        practice_registration="Registered with the CNHC, no. 012345",
        logo_path=None,
        practitioner_name="Priya Patel",
        practitioner_registration="CNHC registered nutritional therapist 98765",
        client_name="Margaret Mills",
        client_date_of_birth=date(1951, 3, 4),
        issued_on=date(2025, 6, 12),
        version=2,
        key_points=(
            "Your plan supports your bones and your sleep.\n\n"
            "- Take magnesium with your evening meal.\n"
            "- Keep calcium and magnesium away from alendronic acid."
        ),
        diet=(
            "Eat oily fish such as sardines or salmon twice a week.\n\n"
            "- Add a handful of leafy greens to lunch and dinner.\n"
            "- Choose yoghurt or kefir for breakfast."
        ),
        lifestyle="Walk for 20 minutes every day, outdoors if you can.",
        gp_notes=GP_NOTES,
        follow_up="We will meet again in 3 months to see how you are getting on.",
        plan=(MAGNESIUM, CALCIUM, VITAMIN_D),
        chart=Chart(
            rows=(
                ChartRow("energy", 6, 12, 50, 6, 6),
                ChartRow("sleep", 7, 9, 78, 3, 3),
                ChartRow("muscle and joint", 9, 15, 60, 5, 5),
            ),
            total=22,
            maximum=36,
            answered=14,
            asked=14,
        ),
    )
    return replace(document, **changes)


def flat(text: str) -> str:
    """Extracted text with every run of whitespace made one space."""
    return re.sub(r"\s+", " ", text).strip()


@pytest.fixture(scope="module")
def margaret_pdf() -> bytes:
    return render_pdf(margaret())


@pytest.fixture(scope="module")
def margaret_text(margaret_pdf) -> str:
    return flat(pdf_text(margaret_pdf))


def test_summary_says_who_it_is_for_who_wrote_it_and_when(margaret_text):
    for expected in (
        "Your advice summary",
        "Version 2",
        "Margaret Mills",
        "4 March 1951",
        "12 June 2025",
        "Greenleaf Nutrition",
        "12 Market Street, Lewes, BN7 2NB",
        "hello@greenleaf.example",
        "Registered with the CNHC, no. 012345",
        "Priya Patel",
        "CNHC registered nutritional therapist 98765",
    ):
        assert expected in margaret_text


def test_each_plan_row_reads_with_its_dose_timing_duration_and_spacing(margaret_text):
    assert (
        "Magnesium glycinate 150 mg, 2 a day 3 months "
        "At least 4 hours apart from alendronic acid"
    ) in margaret_text
    assert (
        "Calcium citrate 500 mg, once a day 3 months At least 4 hours "
        "apart from alendronic acid Not on the morning you take alendronic acid"
    ) in margaret_text
    assert "Vitamin D3 1000 IU, once a day Ongoing" in margaret_text


def test_the_timetable_reads_through_the_day(margaret_text):
    day = margaret_text[margaret_text.index("Your daily timetable") :]
    breakfast, lunch, evening = (
        day.index(time)
        for time in ("With breakfast", "With lunch", "With the evening meal")
    )
    assert breakfast < day.index("Vitamin D3, 1000 IU") < lunch
    assert lunch < day.index("Calcium citrate, 500 mg") < evening
    # Two a day, but only one time ticked: the whole dose, never half of it.
    assert evening < day.index("Magnesium glycinate, 150 mg, 2 a day")


def test_sections_come_in_order_with_the_gp_notes_headed_for_the_gp(margaret_text):
    headings = [
        "Your daily timetable",
        "Key points",
        "Your supplement plan",
        "Dietary advice",
        "Lifestyle advice",
        "Your symptoms",
        "For your GP",
        "Follow-up",
        "About this summary",
    ]
    places = [margaret_text.index(heading) for heading in headings]
    assert places == sorted(places)
    gp = margaret_text[margaret_text.index("For your GP") :]
    assert gp.startswith("For your GP Please show this part to your GP")
    assert "Margaret takes alendronic acid 70 mg once a week." in gp
    assert "Please check her vitamin D level at her next blood test." in gp


def test_symptom_chart_comes_with_its_summary_as_text(margaret_text):
    assert "Highest: sleep 7 of 9; total 22 of 36." in margaret_text
    assert "Muscle and joint" in margaret_text  # drawn in the chart itself


def test_disclaimer_closes_the_summary(margaret_text):
    assert flat(DEFAULT_DISCLAIMER) in margaret_text


@pytest.mark.slow
def test_the_closing_note_never_stands_alone_on_the_last_page():
    """However long the advice, the disclaimer shares its page with the follow-up.

    Longer and longer diet advice walks the page break through the end of the
    summary; without care one length leaves "About this summary" alone on a sheet.
    """
    for extra_lines in range(0, 44, 4):
        diet = margaret().diet + "".join(
            f"\n- Idea {n}: a bowl of porridge with berries."
            for n in range(extra_lines)
        )
        pages = PdfReader(BytesIO(render_pdf(margaret(diet=diet)))).pages
        texts = [flat(page.extract_text()) for page in pages]
        closing = next(t for t in texts if "About this summary" in t)
        assert "We will meet again" in closing, (extra_lines, len(pages))


def test_every_page_is_numbered_page_x_of_y(margaret_pdf):
    pages = PdfReader(BytesIO(margaret_pdf)).pages
    assert len(pages) >= 2
    assert margaret_pdf.pages == len(pages)
    for number, page in enumerate(pages, start=1):
        assert f"Page {number} of {len(pages)}" in flat(page.extract_text())
    assert "Page 1 of" in pdf_text(margaret_pdf)


def test_pdf_is_a4(margaret_pdf):
    box = PdfReader(BytesIO(margaret_pdf)).pages[0].mediabox
    assert (round(float(box.width)), round(float(box.height))) == (595, 842)


def test_metadata_has_the_title_and_british_english(margaret_pdf):
    reader = PdfReader(BytesIO(margaret_pdf))
    assert reader.metadata.title == "Advice summary for Margaret Mills"
    assert reader.trailer["/Root"]["/Lang"] == "en-GB"


def test_pdf_is_tagged_pdf_ua(margaret_pdf):
    reader = PdfReader(BytesIO(margaret_pdf))
    catalog = reader.trailer["/Root"]
    assert catalog["/MarkInfo"]["/Marked"].value is True
    assert "/StructTreeRoot" in catalog
    assert catalog["/ViewerPreferences"]["/DisplayDocTitle"].value is True
    xmp = catalog["/Metadata"].get_object().get_data()
    assert b"pdfuaid:part" in xmp
    tags = set(_structure_tags(catalog["/StructTreeRoot"]))
    assert {"/H1", "/H2", "/P", "/L", "/LI", "/Table", "/TH", "/TD"} <= tags
    assert "/Figure" in tags  # the symptom chart


def test_table_headers_are_linked_to_their_cells(margaret_pdf):
    catalog = PdfReader(BytesIO(margaret_pdf)).trailer["/Root"]
    cells = [
        element
        for element in _structure_elements(catalog["/StructTreeRoot"])
        if element.get("/S") == "/TD"
    ]
    assert cells
    assert all(element["/A"].get("/Headers") for element in cells)


def test_only_the_shipped_font_is_used_and_it_is_embedded(margaret_pdf):
    fonts = _fonts(PdfReader(BytesIO(margaret_pdf)))
    assert fonts
    for name, descriptor in fonts.items():
        assert "Cofactor-Sans" in name
        assert "/FontFile2" in descriptor
    assert any(name.endswith("Cofactor-Sans-Bold") for name in fonts)


def test_plain_text_keeps_paragraphs_and_makes_lists():
    blocks = text_blocks(
        "First line\nsecond line\n\n- one\n- two\n  goes on\nAfter\n* three"
    )
    assert [(block.is_list, block.lines) for block in blocks] == [
        (False, ("First line", "second line")),
        (True, ("one", "two goes on")),
        (False, ("After",)),
        (True, ("three",)),
    ]
    assert text_blocks("  \n\n ") == ()


def test_advice_bullets_become_lists_in_the_html():
    html = summary_html(margaret(), for_preview=True)
    assert "<li>Add a handful of leafy greens to lunch and dinner.</li>" in html
    assert "<p>Eat oily fish such as sardines or salmon twice a week.</p>" in html


def test_dose_says_amount_per_dose_and_doses_a_day():
    assert MAGNESIUM.dose == "150 mg, 2 a day"
    assert VITAMIN_D.dose == "1000 IU, once a day"
    assert replace(MAGNESIUM, amount="").dose == "2 a day"
    assert replace(MAGNESIUM, per_day="").dose == "150 mg"


def test_plan_row_names_the_nutrient_only_where_the_product_does_not():
    assert MAGNESIUM.detail == ""
    blend = replace(MAGNESIUM, product="Bone Support", form="citrate")
    assert blend.detail == "magnesium, citrate"
    assert replace(MAGNESIUM, product="").name == "Magnesium glycinate"


def test_empty_sections_are_left_out():
    text = flat(
        pdf_text(
            render_pdf(
                margaret(
                    key_points="",
                    diet=" \n",
                    lifestyle="",
                    gp_notes="",
                    follow_up="",
                    plan=(),
                    chart=None,
                )
            )
        )
    )
    for heading in (
        "Your daily timetable",
        "Key points",
        "Your supplement plan",
        "Dietary advice",
        "Lifestyle advice",
        "Your symptoms",
        "For your GP",
        "Follow-up",
    ):
        assert heading not in text
    assert "Margaret Mills" in text
    assert "About this summary" in text


def test_text_is_escaped_and_nothing_in_it_is_fetched(monkeypatch):
    fetched = []
    fetch = SummaryFetcher.fetch

    def spy(self, url, headers=None):
        fetched.append(url)
        return fetch(self, url, headers)

    monkeypatch.setattr(SummaryFetcher, "fetch", spy)
    hostile = (
        '<script>alert("x")</script> <img src="https://example.org/x.png"> '
        '<img src="file:///etc/passwd"> <link rel="stylesheet" href="http://x.test/a">'
    )
    document = margaret(diet=hostile, client_name="Margaret <b>Mills</b>")

    html = summary_html(document)
    assert "<script>" not in html
    assert "&lt;script&gt;" in html
    assert "<title>Advice summary for Margaret &lt;b&gt;Mills&lt;/b&gt;</title>" in html

    text = flat(pdf_text(render_pdf(document)))
    assert '<script>alert("x")</script>' in text
    assert '<img src="https://example.org/x.png">' in text
    assert "Margaret <b>Mills</b>" in text
    assert fetched
    assert all(url.startswith("cofactor:static/pdf/") for url in fetched)


@pytest.mark.parametrize(
    "url",
    [
        "https://example.org/x.png",
        "http://example.org/summary.css",
        "file:///etc/passwd",
        "ftp://example.org/x",
        "data:text/css,body{color:red}",
        "cofactor:static/../../../../etc/passwd",
        "cofactor:static//etc/passwd",
        "cofactor:media/logo.png",
    ],
)
def test_fetcher_refuses_anything_but_our_files(url):
    with pytest.raises(PermissionError, match="Refused to fetch"):
        SummaryFetcher().fetch(url)


def test_fetcher_serves_our_static_files_as_what_they_are():
    response = SummaryFetcher().fetch("cofactor:static/pdf/summary.css")
    assert response.content_type == "text/css"
    assert b"@font-face" in response.read()
    with pytest.raises(FileNotFoundError, match="pdf/missing.css"):
        SummaryFetcher().fetch("cofactor:static/pdf/missing.css")


def test_fetcher_serves_the_logo_only_from_media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    logo = _png(settings.MEDIA_ROOT / "practice" / "logo.png")
    other = _png(settings.MEDIA_ROOT / "summaries" / "other.png")
    outside = _png(tmp_path / "elsewhere" / "logo.png")

    fetcher = SummaryFetcher(logo_path=str(logo))
    assert fetcher.fetch(logo.as_uri()).content_type == "image/png"
    for url in (other.as_uri(), outside.as_uri(), "file:///etc/passwd"):
        with pytest.raises(PermissionError):
            fetcher.fetch(url)
    with pytest.raises(PermissionError):
        SummaryFetcher(logo_path=str(outside)).fetch(outside.as_uri())


def test_practice_logo_is_shown_with_alt_text(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    logo = _png(tmp_path / "practice" / "logo.png")
    document = margaret(logo_path=str(logo))

    assert 'alt="Greenleaf Nutrition logo"' in summary_html(document)
    reader = PdfReader(BytesIO(render_pdf(document)))
    images = reader.pages[0]["/Resources"]["/XObject"].values()
    assert any(image.get_object()["/Subtype"] == "/Image" for image in images)
    figures = [
        element.get("/Alt")
        for element in _structure_elements(reader.trailer["/Root"]["/StructTreeRoot"])
        if element.get("/S") == "/Figure"
    ]
    assert "Greenleaf Nutrition logo" in figures


def test_logo_outside_media_is_left_out(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    outside = _png(tmp_path / "elsewhere.png")
    document = margaret(logo_path=str(outside))

    assert "<img" not in summary_html(document)
    assert "Margaret Mills" in pdf_text(render_pdf(document))


def test_template_failure_raises_a_clear_render_error(monkeypatch):
    def broken(*args, **kwargs):
        raise TemplateSyntaxError("Invalid block tag on line 3: 'endfor'")

    monkeypatch.setattr(pdf, "render_to_string", broken)
    with pytest.raises(PdfRenderError, match="template could not be rendered.*endfor"):
        render_pdf(margaret())


def test_missing_resource_raises_a_clear_render_error(monkeypatch):
    html = summary_html(margaret()).replace("pdf/summary.css", "pdf/missing.css")
    monkeypatch.setattr(pdf, "summary_html", lambda document: html)
    with pytest.raises(PdfRenderError, match="pdf/missing.css"):
        render_pdf(margaret())


def test_outside_resource_in_the_template_stops_the_render(monkeypatch):
    html = summary_html(margaret()).replace(
        "</body>", '<img src="https://example.org/x.png" alt=""></body>'
    )
    monkeypatch.setattr(pdf, "summary_html", lambda document: html)
    with pytest.raises(PdfRenderError, match="Refused to fetch 'https://example.org"):
        render_pdf(margaret())


def test_long_plan_and_advice_run_over_several_pages():
    plan = tuple(
        plan_row(
            f"Supplement number {number}",
            "100",
            "mg",
            "2",
            list(Timing)[number % len(Timing)],
            spacing=ALENDRONIC_SPACING,
            duration="6 weeks",
            notes="Swallow with a full glass of water.",
        )
        for number in range(1, 25)
    )
    advice = "\n\n".join(
        f"Paragraph {n} of the dietary advice, with enough words to wrap onto a "
        "second line at twelve points on an A4 page."
        for n in range(1, 30)
    )
    document = margaret(plan=plan, diet=advice)

    result = render_pdf(document)
    pages = len(PdfReader(BytesIO(result)).pages)
    text = flat(pdf_text(result))
    assert pages >= 4
    assert result.pages == pages  # as recorded on the issued summary
    assert "Page 3 of" in text
    assert f"Page {pages} of {pages}" in text
    assert "Supplement number 24" in text
    assert "Paragraph 29 of the dietary advice" in text


def test_preview_is_a_fragment_the_sites_csp_allows():
    html = summary_html(margaret(diet="<script>x()</script>"), for_preview=True)
    assert not re.search(r"<(html|head|body)[\s>]", html)
    assert "<link" not in html
    assert csp_problems(html) == []
    assert "<script>" not in html
    assert "Your advice summary" in html
    assert "Magnesium glycinate" in html
    assert "<svg" in html


def test_preview_leaves_out_the_logo_which_has_no_public_url(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    logo = _png(tmp_path / "logo.png")
    html = summary_html(margaret(logo_path=str(logo)), for_preview=True)
    assert "<img" not in html
    assert str(tmp_path) not in html


def _png(path):
    from PIL import Image

    path.parent.mkdir(parents=True, exist_ok=True)
    Image.new("RGB", (200, 80), (30, 110, 60)).save(path)
    return path


def _structure_elements(node):
    """Every structure element below `node`, depth first."""
    node = node.get_object()
    kids = node.get("/K")
    if kids is None:
        return
    if not isinstance(kids, list):
        kids = [kids]
    for kid in kids:
        kid = kid.get_object() if hasattr(kid, "get_object") else kid
        if isinstance(kid, dict) and kid.get("/Type") == "/StructElem":
            yield kid
            yield from _structure_elements(kid)


def _structure_tags(root):
    return (element["/S"] for element in _structure_elements(root))


def _fonts(reader):
    """Font name -> font descriptor, for every font any page uses."""
    fonts = {}
    for page in reader.pages:
        for font in page["/Resources"].get("/Font", {}).values():
            font = font.get_object()
            for descendant in font.get("/DescendantFonts", [font]):
                descendant = descendant.get_object()
                descriptor = descendant["/FontDescriptor"].get_object()
                fonts[str(descendant["/BaseFont"])] = descriptor
    return fonts


def test_doses_a_day_typed_with_a_comma_still_split_across_the_times_ticked():
    # The plan form reads "2,0" as 2, so the timetable must too.
    row = replace(
        plan_row("Magnesium glycinate", "150", "mg", "2,0", Timing.BREAKFAST),
        more_timings=(Timing.EVENING_MEAL,),
    )
    assert row.dose_each_time == "150 mg"
