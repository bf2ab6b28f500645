"""Storing the engine's findings for a response, and keeping them in step on re-runs."""

import hashlib
import logging

import pytest

from practice.models import Practice
from questionnaires.interactions import engine, knowledge
from questionnaires.models import Finding
from questionnaires.review.checking import StoreResult, check_response, store_findings
from questionnaires.review.engine_facts import build_case_facts
from tests.questionnaire_factories import (
    MAGNESIUM_CITRATE,
    MedicationFactory,
    SupplementFactory,
    answer,
    health_version,
    submitted_response,
)
from tests.questionnaire_factories import osteoporosis_case as make_osteoporosis_case


@pytest.fixture
def version(db):
    return health_version()


@pytest.fixture
def osteoporosis_case(alice, version):
    return make_osteoporosis_case(alice, version)


def by_rule(response):
    return {f.rule: f for f in response.findings.all()}


def test_bisphosphonate_with_magnesium_is_stored_with_its_triggers_and_version(
    osteoporosis_case,
):
    result = check_response(osteoporosis_case)

    medication = osteoporosis_case.medications.get()
    magnesium = osteoporosis_case.supplements.get(nutrient="magnesium")
    finding = by_rule(osteoporosis_case)["mg-bisphosphonates"]
    assert finding.kind == "interaction"
    assert finding.severity == "major"
    assert finding.subjects == ["magnesium", "alendronic acid"]
    assert "bisphosphonates" in finding.classes
    assert {t["ref"] for t in finding.triggers} == {
        f"medication:{medication.code}",
        f"supplement:{magnesium.code}",
    }
    assert finding.sources and all("title" in s for s in finding.sources)
    assert finding.knowledge_version == knowledge.load().version
    assert finding.withdrawn_at is None
    assert not finding.is_new
    assert "ca-bisphosphonates" in by_rule(osteoporosis_case)
    assert result.created == osteoporosis_case.findings.count()


def test_stored_key_is_the_sha256_of_the_engine_key(osteoporosis_case):
    found = engine.run(build_case_facts(osteoporosis_case), knowledge.load())

    store_findings(osteoporosis_case, found)

    expected = {hashlib.sha256(f.key.encode()).hexdigest() for f in found}
    assert set(osteoporosis_case.findings.values_list("key", flat=True)) == expected


def test_rerunning_on_the_same_answers_changes_nothing(osteoporosis_case):
    check_response(osteoporosis_case)
    before = list(osteoporosis_case.findings.values())

    result = check_response(osteoporosis_case, recheck=True)

    assert result == StoreResult(unchanged=len(before))
    assert not result.changed
    assert list(osteoporosis_case.findings.values()) == before


def test_removing_magnesium_withdraws_its_finding_and_keeps_the_rest(
    osteoporosis_case,
):
    check_response(osteoporosis_case)
    osteoporosis_case.supplements.filter(nutrient="magnesium").delete()

    result = check_response(osteoporosis_case, recheck=True)

    findings = by_rule(osteoporosis_case)
    assert findings["mg-bisphosphonates"].withdrawn_at is not None
    assert findings["ca-bisphosphonates"].withdrawn_at is None
    assert result.withdrawn >= 1 and result.created == 0


@pytest.mark.parametrize("recheck", [False, True])
def test_an_added_medication_adds_a_finding_marked_new_only_on_a_recheck(
    osteoporosis_case, recheck
):
    check_response(osteoporosis_case)
    before = set(osteoporosis_case.findings.values_list("pk", flat=True))
    lisinopril = MedicationFactory(response=osteoporosis_case, name="Lisinopril 10mg")

    result = check_response(osteoporosis_case, recheck=recheck)

    findings = osteoporosis_case.findings.all()
    added = [f for f in findings if f.pk not in before]
    assert "mg-antihypertensives-bp" in {f.rule for f in added}
    assert all(
        f"medication:{lisinopril.code}" in {t["ref"] for t in f.triggers} for f in added
    )
    assert [f.is_new for f in added] == [recheck] * len(added)
    assert not any(f.is_new for f in findings if f.pk in before)
    assert result.created == len(added)


def test_a_finding_keeps_its_row_across_reruns(osteoporosis_case):
    check_response(osteoporosis_case)
    first = by_rule(osteoporosis_case)["mg-bisphosphonates"]
    found = engine.run(build_case_facts(osteoporosis_case), knowledge.load())
    without = [f for f in found if f.rule != "mg-bisphosphonates"]

    withdrawn = store_findings(osteoporosis_case, without, recheck=True)
    reinstated = store_findings(osteoporosis_case, found, recheck=True)

    again = by_rule(osteoporosis_case)["mg-bisphosphonates"]
    assert (again.pk, again.code) == (first.pk, first.code)
    assert again.withdrawn_at is None
    assert again.is_new  # back on the list after a re-check: look again
    assert withdrawn.withdrawn == 1
    assert reinstated.reinstated == 1 and reinstated.created == 0


def test_changed_wording_updates_the_row_in_place(osteoporosis_case):
    check_response(osteoporosis_case)
    first = by_rule(osteoporosis_case)["mg-bisphosphonates"]
    Finding.objects.filter(pk=first.pk).update(title="Old wording", sources=[])

    result = check_response(osteoporosis_case, recheck=True)

    again = by_rule(osteoporosis_case)["mg-bisphosphonates"]
    assert again.pk == first.pk
    assert again.title == first.title and again.sources == first.sources
    assert not again.is_new
    assert result.updated == 1


def test_a_condition_finding_keeps_its_row_when_a_condition_is_added_before_it(
    alice, version
):
    response = submitted_response(
        alice,
        version,
        answers={"conditions_other": "Kidney disease\nZorblat syndrome"},
        supplements=[MAGNESIUM_CITRATE],
    )
    check_response(response)
    first = {rule: (f.pk, f.code) for rule, f in by_rule(response).items()}
    assert {"mg-kidney-disease", "unrecognised-condition"} <= first.keys()

    answer(response, {"conditions": ["heart_block"]})  # ticked: listed first
    answer(
        response,
        {"conditions_other": "Myasthenia gravis\nZorblat syndrome\nKidney disease"},
    )
    result = check_response(response, recheck=True)

    again = by_rule(response)
    for rule in ("mg-kidney-disease", "unrecognised-condition"):
        assert (again[rule].pk, again[rule].code) == first[rule]
        assert again[rule].withdrawn_at is None and not again[rule].is_new
    assert {"mg-heart-block", "mg-myasthenia-gravis"} <= again.keys()
    assert result.withdrawn == 0


def test_an_unmatched_medication_is_stored_as_unrecognised(alice, version):
    response = submitted_response(
        alice, version, medications=[{"name": "Zorblatrex", "strength": "5 mg"}]
    )

    check_response(response)

    finding = by_rule(response)["unrecognised-medication"]
    medication = response.medications.get()
    assert finding.kind == "unrecognised"
    assert finding.triggers == [
        {"ref": f"medication:{medication.code}", "label": "Zorblatrex 5 mg"}
    ]


def test_the_practices_upper_limit_set_is_used(osteoporosis_case):
    # 2 x 150 mg magnesium: under the UK guidance level (400), over EFSA's (250).
    check_response(osteoporosis_case)
    assert "upper-limit-magnesium" not in by_rule(osteoporosis_case)

    Practice.objects.update_or_create(singleton=True, defaults={"upper_limits": "eu"})
    check_response(osteoporosis_case, recheck=True)

    finding = by_rule(osteoporosis_case)["upper-limit-magnesium"]
    assert "EFSA" in finding.message and finding.is_new


def test_spacing_hours_are_stored(alice, version):
    response = submitted_response(
        alice,
        version,
        medications=[{"name": "Levothyroxine", "strength": "100 mcg"}],
        supplements=[MAGNESIUM_CITRATE],
    )

    check_response(response)

    assert by_rule(response)["mg-levothyroxine"].spacing_hours == 4


def test_logs_carry_ids_not_answers(osteoporosis_case, caplog):
    with caplog.at_level(logging.INFO, logger="questionnaires.review.checking"):
        check_response(osteoporosis_case)

    logged = " ".join(r.getMessage() for r in caplog.records)
    assert str(osteoporosis_case.pk) in logged
    for secret in ("lendron", "agnesium", "steoporosis", "vegetarian"):
        assert secret not in logged


def big_case(client, version, count):
    return submitted_response(
        client,
        version,
        answers={"conditions": ["osteoporosis", "hypertension"]},
        medications=[
            {"name": name}
            for name in [
                "Alendronic acid",
                "Lisinopril",
                "Amlodipine",
                "Levothyroxine",
                "Omeprazole",
                "Metformin",
                "Bendroflumethiazide",
                "Furosemide",
                "Letrozole",
                "Aspirin",
            ][:count]
        ],
        supplements=[
            {"product": product, "nutrient": "", "form": "", "amount": amount}
            for product, amount in [
                ("Magnesium citrate", "150"),
                ("Magnesium bisglycinate", "200"),
                ("Calcium carbonate", "500"),
                ("Vitamin D3", "25"),
                ("Iron bisglycinate", "14"),
                ("Zinc picolinate", "25"),
                ("Fish oil", "1000"),
                ("St John's wort", "300"),
                ("Vitamin B6", "50"),
                ("Turmeric", "500"),
            ][:count]
        ],
    )


def test_storing_many_findings_takes_a_fixed_number_of_queries(
    alice, bob, version, django_assert_max_num_queries
):
    small = big_case(bob, version, 1)
    large = big_case(alice, version, 10)
    knowledge.load()
    # One of them records the knowledge version the case was checked with; two
    # store the client's case summary (lock, then one UPDATE).
    with django_assert_max_num_queries(15) as few:
        check_response(small)
    with django_assert_max_num_queries(15) as many:
        result = check_response(large)
    assert result.created >= 30
    assert len(many) == len(few)

    large.medications.order_by("position").first().delete()  # withdraws some
    SupplementFactory(response=large, product="Potassium", nutrient="", form="")
    with django_assert_max_num_queries(16):
        result = check_response(large, recheck=True)
    assert result.created and result.withdrawn and result.unchanged
    Finding.objects.filter(response=large).update(title="Old wording")
    with django_assert_max_num_queries(16):
        result = check_response(large, recheck=True)
    assert result.updated == large.findings.filter(withdrawn_at=None).count() > 25
