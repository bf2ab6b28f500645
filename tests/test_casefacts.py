"""CaseFacts built from a stored response: what the engine will read about a client."""

from datetime import UTC, datetime

import pytest
from django.utils import timezone

from questionnaires.interactions import engine, knowledge
from questionnaires.interactions.facts import MedicationEntry, SupplementEntry
from questionnaires.review.engine_facts import build_case_facts
from tests.questionnaire_factories import (
    MedicationFactory,
    SupplementFactory,
    answer,
    health_version,
    submitted_response,
)
from tests.questionnaire_factories import osteoporosis_case as make_osteoporosis_case

SUBMITTED = datetime(2025, 6, 1, 10, 0, tzinfo=UTC)


@pytest.fixture
def version(db):
    return health_version()


@pytest.fixture
def osteoporosis_case(alice, version):
    return make_osteoporosis_case(alice, version, submitted_at=SUBMITTED)


def test_74_year_old_on_alendronic_acid_is_read_with_her_entries(osteoporosis_case):
    facts = build_case_facts(osteoporosis_case)

    medication = osteoporosis_case.medications.get()
    magnesium, calcium = osteoporosis_case.supplements.order_by("position")
    assert facts.age == 74
    assert facts.sex == "female"
    assert not facts.pregnant and not facts.breastfeeding
    assert facts.conditions == ("osteoporosis",)
    assert facts.diet_pattern == "vegetarian"
    assert facts.alcohol_units_per_week == 4.0
    assert dict(facts.symptoms) == {"fatigue": 0, "muscle_cramps": 2}
    assert facts.medications == (
        MedicationEntry(
            name="Alendronic acid",
            strength="70 mg",
            frequency="weekly",
            ref=f"medication:{medication.code}",
        ),
    )
    assert facts.supplements == (
        SupplementEntry(
            name="Magnesium citrate",
            nutrient="magnesium",
            form="citrate",
            amount=150.0,
            unit="mg",
            per_day=2.0,
            ref=f"supplement:{magnesium.code}",
        ),
        SupplementEntry(
            name="Calcium carbonate",
            nutrient="calcium",
            form="carbonate",
            amount=500.0,
            unit="mg",
            per_day=1.0,
            ref=f"supplement:{calcium.code}",
        ),
    )


def test_age_is_counted_on_the_day_the_questionnaire_was_submitted(alice, version):
    day_before_birthday = datetime(2025, 11, 11, 12, 0, tzinfo=UTC)
    response = submitted_response(
        alice,
        version,
        submitted_at=day_before_birthday,
        answers={"date_of_birth": "1950-11-12"},
    )

    assert build_case_facts(response).age == 74


def test_age_is_counted_today_while_the_questionnaire_is_open(alice, version):
    response = submitted_response(
        alice, version, answers={"date_of_birth": "1950-01-01"}
    )
    response.submitted_at = None

    today = timezone.localdate()
    assert build_case_facts(response).age == today.year - 1950


def test_ticked_conditions_are_recognised_by_the_engine(alice, version):
    response = submitted_response(
        alice,
        version,
        answers={"conditions": ["severe_kidney_disease", "hypertension"]},
        supplements=[{"product": "Magnesium glycinate", "form": "glycinate"}],
    )

    facts = build_case_facts(response)
    found = engine.run(facts, knowledge.load())

    rules = {f.rule for f in found}
    assert "unrecognised-condition" not in rules
    assert any(
        f.kind == "condition" and "severe kidney disease" in f.subjects for f in found
    )


def test_conditions_typed_one_per_line_or_with_commas_are_each_checked(alice, version):
    response = submitted_response(
        alice,
        version,
        answers={
            "conditions": ["osteoporosis"],
            "conditions_other": "CKD stage 4\nheart block, Osteoporosis;\n\nbad knees",
        },
    )

    facts = build_case_facts(response)
    found = engine.run(facts, knowledge.load())

    assert facts.conditions == (
        "osteoporosis",
        "CKD stage 4",
        "heart block",
        "bad knees",
    )
    unrecognised = [f for f in found if f.rule == "unrecognised-condition"]
    assert [f.triggers[0][1] for f in unrecognised] == ["bad knees"]


def test_values_that_do_not_parse_are_left_out_not_guessed(alice, version):
    response = submitted_response(
        alice,
        version,
        answers={
            "date_of_birth": "12/11/1950",
            "sex": "woman",
            "alcohol_units_per_week": "a few",
            "symptom:fatigue": "5",
            "symptom:bloating": "quite bad",
            "symptom:constipation": " 1 ",
            "diet_pattern": "Vegan",
        },
        supplements=[
            {"product": "Vitamin D3", "nutrient": "", "form": "", "amount": "lots"},
            {"product": "Zinc", "nutrient": "zinc", "form": "", "per_day": "x"},
            {"product": "Iron", "nutrient": "iron", "form": "", "amount_unknown": True},
            {"product": "", "nutrient": "iodine", "form": "", "amount": "-1"},
        ],
    )

    facts = build_case_facts(response)

    assert facts.age is None
    assert facts.sex == ""
    assert facts.alcohol_units_per_week is None
    assert dict(facts.symptoms) == {"constipation": 1}
    assert facts.diet_pattern == "vegan"
    vitamin_d, zinc, iron, iodine = facts.supplements
    assert vitamin_d.amount is None
    assert (zinc.amount, zinc.per_day) == (150.0, 1)
    assert iron.amount is None and iron.amount_unknown
    assert (iodine.name, iodine.amount) == ("iodine", None)


def test_decimal_and_comma_numbers_are_read(alice, version):
    response = submitted_response(
        alice,
        version,
        answers={"alcohol_units_per_week": "2,5"},
        supplements=[
            {"product": "Vitamin B12", "nutrient": "", "amount": "2.5", "unit": "mcg"}
        ],
    )

    facts = build_case_facts(response)

    assert facts.alcohol_units_per_week == 2.5
    assert facts.supplements[0].amount == 2.5
    assert facts.supplements[0].unit == "mcg"


def test_blank_list_rows_are_skipped(alice, version):
    response = submitted_response(alice, version)
    MedicationFactory(response=response, name="", strength="", frequency="")
    SupplementFactory(response=response, product="", nutrient="", form="", amount="")
    MedicationFactory(response=response, name="Metformin", strength="500 mg")

    facts = build_case_facts(response)

    assert [m.name for m in facts.medications] == ["Metformin"]
    assert facts.supplements == ()


def test_practitioner_matches_and_compound_basis_are_passed_on(alice, version):
    response = submitted_response(alice, version)
    medication = MedicationFactory(
        response=response, name="The little white one", matched_as="levothyroxine"
    )
    SupplementFactory(response=response, basis="compound", matched_as="magnesium")

    facts = build_case_facts(response)

    assert facts.medications[0].matched_as == "levothyroxine"
    assert facts.medications[0].ref == f"medication:{medication.code}"
    assert facts.supplements[0].basis == "compound"
    assert facts.supplements[0].matched_as == "magnesium"


def test_plan_supplements_are_checked_with_the_clients_own(osteoporosis_case):
    plan = SupplementEntry(
        name="Vitamin D3", nutrient="vitamin d", amount=25, unit="mcg", ref="plan:d3"
    )

    facts = build_case_facts(osteoporosis_case, extra_supplements=[plan])

    assert facts.supplements[-1] == plan
    assert len(facts.supplements) == 3


def test_pregnancy_answer_reaches_the_engine(alice, version):
    response = submitted_response(
        alice,
        version,
        answers={"pregnant": "yes", "breastfeeding": "no"},
    )
    answer(response, {"sex": "female"})

    facts = build_case_facts(response)

    assert facts.pregnant and not facts.breastfeeding
    assert facts.sex == "female"


def test_reading_a_response_takes_three_queries(
    osteoporosis_case, django_assert_num_queries
):
    knowledge.load()
    with django_assert_num_queries(3):
        build_case_facts(osteoporosis_case)
