"""What Priya chooses about the PDF: a supplement's other times of day, when the
client takes each medicine, the symptom chart, and what changed since the last
version; the issued PDF's timetable and the portal's replaced versions."""

import pytest

from questionnaires.advice.timetable import duration_words
from questionnaires.interactions import knowledge as knowledge_base
from questionnaires.models import AdviceDraft, Decision, IssuedSummary
from tests.pdf_helpers import pdf_text
from tests.review_helpers import submitted_case

ALENDRONIC = {
    "name": "Alendronic acid",
    "strength": "70 mg",
    "frequency": "once a week, Monday mornings",
}


@pytest.fixture(autouse=True)
def private_media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def case(alice):
    return submitted_case(alice, medications=[ALENDRONIC], symptoms={"fatigue": "2"})


@pytest.fixture
def priya_client(client, priya):
    client.force_login(priya.user)
    return client


def editor_url(case) -> str:
    return f"/cases/{case.code}/advice/"


def add_rows(client, case, n: int) -> list:
    client.get(f"/cases/{case.code}/")
    for _ in range(n):
        client.post(editor_url(case), {"action": "add-plan"})
    return list(case.advice.plan.all())


def row_data(row, **fields) -> dict:
    prefix = f"plan-{row.code}"
    data = {"plan": str(row.code), f"{prefix}-unit": "mg", f"{prefix}-per_day": "1"}
    data.update({f"{prefix}-{k}": v for k, v in fields.items()})
    return data


def post_editor(client, case, data: dict, *rows_data: dict):
    merged = {"action": "save", "summary-options": "1", **data}
    plan = []
    for row in rows_data:
        plan.append(row.pop("plan"))
        merged.update(row)
    version = AdviceDraft.objects.get(response=case).updated_at.isoformat()
    return client.post(
        editor_url(case), {**merged, "plan": plan, "saved_version": version}
    )


def decide_everything(client, case) -> None:
    for finding in case.findings.current().filter(decision=Decision.UNDECIDED):
        client.post(f"/findings/{finding.code}/decide/", {"decision": "acknowledged"})


def margaret_plan(client, case, **options):
    calcium, magnesium = add_rows(client, case, 2)
    medicine = case.medications.get()
    reply = post_editor(
        client,
        case,
        {
            "key_points": "Bones first.",
            f"medicine-timing-{medicine.code}": "on_waking",
            **options,
        },
        row_data(
            calcium,
            product="Calcium carbonate",
            nutrient="calcium",
            amount="600",
            per_day="2",
            timing="lunch",
            more_timings="evening_meal",
        ),
        row_data(
            magnesium,
            product="Magnesium glycinate",
            nutrient="magnesium",
            amount="150",
            timing="bedtime",
        ),
    )
    decide_everything(client, case)
    return reply


def issued_text(client, case) -> str:
    expected = IssuedSummary.objects.filter(response=case).count() + 1
    reply = client.post(
        f"/cases/{case.code}/advice/issue/",
        {"expected_version": expected},
        follow=True,
    )
    assert "issued" in reply.content.decode(), reply.content.decode()[:3000]
    summary = IssuedSummary.objects.filter(response=case).first()
    return " ".join(pdf_text(client.get(summary.get_absolute_url()).content).split())


def test_the_issued_pdf_has_the_day_in_order_with_waits_from_the_spacing(
    priya_client, case
):
    assert margaret_plan(priya_client, case).status_code == 302
    row = case.advice.plan.get(nutrient="calcium")
    assert row.more_timings == "evening_meal"
    text = issued_text(priya_client, case)
    day = text[text.index("Your daily timetable") : text.index("Key points")]
    # The waits are the knowledge base's own spacings, whatever they are today.
    rules = knowledge_base.load().rules
    calcium_wait = duration_words(rules["ca-bisphosphonates"].spacing_hours)
    magnesium_wait = duration_words(rules["mg-bisphosphonates"].spacing_hours)
    expected = (
        "On waking, on an empty stomach Alendronic acid 70 mg (your medicine, as "
        "prescribed: once a week, Monday mornings) With lunch Calcium carbonate, "
        f"600 mg Wait at least {calcium_wait} after your alendronic acid. With the "
        "evening meal Calcium carbonate, 600 mg Wait at least "
        f"{calcium_wait} after your alendronic acid. At bedtime Magnesium "
        f"glycinate, 150 mg Wait at least {magnesium_wait} after your alendronic "
        "acid."
    )
    assert expected in day, day
    assert "Your symptoms" not in text  # not chosen
    assert "replaces version" not in text


def test_times_that_do_not_match_the_doses_a_day_are_refused_and_kept(
    priya_client, case
):
    (row,) = add_rows(priya_client, case, 1)
    reply = post_editor(
        priya_client,
        case,
        {},
        row_data(
            row,
            product="Calcium",
            nutrient="calcium",
            amount="500",
            per_day="1",
            timing="lunch",
            more_timings="evening_meal",
        ),
    )
    assert reply.status_code == 422
    assert "The doses a day (1) and the times ticked (2) differ" in (
        reply.content.decode()
    )
    row.refresh_from_db()
    assert row.more_timings == "evening_meal"  # kept as typed


def test_the_chart_only_when_chosen_and_a_new_version_says_what_changed(
    priya_client, case, alice, client
):
    margaret_plan(priya_client, case)
    issued_text(priya_client, case)
    editor = priya_client.get(editor_url(case)).content.decode()
    assert "Version 2 will say that it replaces version 1, but not what" in editor
    post_editor(
        priya_client,
        case,
        {
            "key_points": "Bones first.",
            "include_symptom_chart": "on",
            "changes": "Magnesium moved to bedtime.",
        },
        *[
            row_data(
                r,
                product=r.product,
                nutrient=r.nutrient,
                amount=r.amount,
                per_day=r.per_day,
                timing=r.timing,
                more_timings=r.more_timings,
            )
            for r in case.advice.plan.all()
        ],
    )
    decide_everything(priya_client, case)
    text = issued_text(priya_client, case)
    assert "Version 2. This replaces version 1 of" in text
    assert "What has changed since version 1 Magnesium moved to bedtime." in text
    assert "Your symptoms" in text

    # The portal marks version 1 as replaced, and version 2 as the one to use.
    priya_client.logout()
    client.force_login(alice.user)
    page = " ".join(client.get("/portal/").content.decode().split())
    assert "Version 1, replaced (PDF)" in page
    assert "Replaced by version 2</strong>" in page
    assert "Download your advice summary, version 2 (PDF)" in page
    assert "This is the latest version." in page


def test_unticking_the_chart_and_clearing_a_medicine_time_are_saved(priya_client, case):
    margaret_plan(priya_client, case, include_symptom_chart="on")
    draft = AdviceDraft.objects.get(response=case)
    assert draft.include_symptom_chart is True
    assert list(draft.medicine_timings.values()) == ["on_waking"]
    post_editor(priya_client, case, {"key_points": "Bones first."})
    draft.refresh_from_db()
    assert draft.include_symptom_chart is False
    assert draft.medicine_timings == {}


def test_the_editor_warns_when_the_timetable_puts_together_what_to_keep_apart(
    priya_client, case
):
    (row,) = add_rows(priya_client, case, 1)
    medicine = case.medications.get()
    post_editor(
        priya_client,
        case,
        {f"medicine-timing-{medicine.code}": "breakfast"},
        row_data(
            row, product="Calcium", nutrient="calcium", amount="500", timing="breakfast"
        ),
    )
    page = " ".join(priya_client.get(editor_url(case)).content.decode().split())
    assert "The timetable puts together what should be kept apart" in page
    assert "Calcium and Alendronic acid 70 mg are both “with breakfast”" in page


def test_unknown_times_and_other_clients_medicines_are_ignored(priya_client, case, bob):
    (row,) = add_rows(priya_client, case, 1)
    bobs = submitted_case(bob, medications=[{"name": "Warfarin"}]).medications.get()
    medicine = case.medications.get()
    post_editor(
        priya_client,
        case,
        {
            f"medicine-timing-{medicine.code}": "midnight\x00",
            f"medicine-timing-{bobs.code}": "breakfast",
            "changes": "x" * 6000,
        },
        row_data(
            row,
            product="Calcium",
            nutrient="calcium",
            amount="500",
            timing="lunch",
            more_timings="<script>",
        ),
    )
    draft = AdviceDraft.objects.get(response=case)
    row.refresh_from_db()
    assert row.more_timings == ""
    assert draft.medicine_timings == {}
    assert len(draft.changes) == 5000
