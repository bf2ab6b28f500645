"""The shipped Health questionnaire asks what the engine and the review read, in the
order the client sees, with every symptom of the knowledge base asked once."""

from pathlib import Path

import pytest

from questionnaires.definitions.loader import (
    DATA_DIR,
    QuestionSpec,
    read_questionnaire,
)
from questionnaires.definitions.versions import CONCEPT_KINDS, DIET_PATTERNS
from questionnaires.interactions import knowledge
from questionnaires.interactions.facts import SEXES
from questionnaires.models import VersionStatus
from tests.intake_helpers import load_questionnaire

HEALTH = DATA_DIR / "health.toml"
DOCS = Path(__file__).resolve().parent.parent / "docs" / "questionnaires.md"

SECTIONS = [
    "about-you",
    "medical-history",
    "medications",
    "supplements",
    "diet",
    "alcohol",
    "symptoms-1",
    "symptoms-2",
    "symptoms-3",
    "symptoms-4",
    "symptoms-5",
    "lifestyle",
    "goals",
    "consent",
]
RED_FLAGS = {
    "unexplained_weight_loss",
    "blood_in_stool",
    "difficulty_swallowing",
    "chest_pain",
    "bowel_habit_change",
    "blood_in_urine",
    "persistent_heartburn",
    "new_lump",
}
SYMPTOM_SECTIONS = {
    "symptoms-1": ["energy", "sleep"],
    "symptoms-2": ["mood and mind", "head"],
    "symptoms-3": ["muscles and joints", "digestion"],
    "symptoms-4": ["skin", "heart and circulation"],
    "symptoms-5": ["hormones and periods", "urinary"],
}
# "About 12" (issue 11): a long page of radio buttons is where people on a phone
# lose their place. Muscles and joints with digestion make 13.
MOST_QUESTIONS_ON_A_PAGE = 13


@pytest.fixture(scope="module")
def health():
    return read_questionnaire(HEALTH)


@pytest.fixture(scope="module")
def questions(health) -> dict[str, QuestionSpec]:
    return {q.concept: q for s in health.sections for q in s.questions}


def section(health, key: str):
    return next(s for s in health.sections if s.key == key)


def test_the_health_questionnaire_has_fourteen_sections_in_order(health):
    assert health.key == "health"
    assert health.title == "Health questionnaire"
    assert [s.key for s in health.sections] == SECTIONS


def test_every_symptom_of_the_knowledge_base_is_asked_once_in_its_body_system(
    health,
):
    symptoms = knowledge.load().symptoms
    asked = [
        q.concept.removeprefix("symptom:")
        for s in health.sections
        for q in s.questions
        if q.kind == "symptom_scale"
    ]
    assert sorted(asked) == sorted(symptoms)
    for s in health.sections:
        for q in s.questions:
            if q.kind == "symptom_scale":
                symptom = symptoms[q.concept.removeprefix("symptom:")]
                assert q.options["body_system"] == symptom.system, q.concept
                assert q.text == symptom.question


def test_symptoms_are_grouped_by_body_system_in_order(health):
    for key, systems in SYMPTOM_SECTIONS.items():
        in_order = [q.options["body_system"] for q in section(health, key).questions]
        groups = [s for i, s in enumerate(in_order) if i == 0 or in_order[i - 1] != s]
        assert groups == systems


def test_the_red_flag_symptoms_are_asked_and_marked(questions):
    flagged = {
        concept.removeprefix("symptom:")
        for concept, q in questions.items()
        if q.kind == "symptom_scale" and q.options["red_flag"]
    }
    assert flagged == RED_FLAGS


def test_the_symptom_pages_explain_the_scale_in_the_words_of_the_answers(health):
    for key in SYMPTOM_SECTIONS:
        intro = section(health, key).intro
        for words in (
            '"None" if you do not have it',
            '"Mild or occasional" if it is mild',
            '"Severe or constant" if it is severe',
        ):
            assert words in intro
        assert " 0 " not in intro


def test_no_page_holds_more_than_about_twelve_questions(health):
    for s in health.sections:
        assert len(s.questions) <= MOST_QUESTIONS_ON_A_PAGE, s.key


def test_pregnancy_is_asked_after_the_answers_that_decide_whether_it_applies(health):
    keys = [s.key for s in health.sections]
    where = {q.concept: s.key for s in health.sections for q in s.questions}
    assert keys.index(where["pregnant"]) > keys.index(where["date_of_birth"])
    assert keys.index(where["breastfeeding"]) > keys.index(where["sex"])


def test_the_chest_pain_page_says_to_call_999(questions, health):
    for s in health.sections:
        if any(q.concept == "symptom:chest_pain" for q in s.questions):
            assert "call 999" in s.intro


def test_the_concepts_the_engine_reads_are_asked_as_the_right_kind(questions):
    for concept in (
        "date_of_birth",
        "sex",
        "pregnant",
        "breastfeeding",
        "conditions",
        "medications",
        "supplements",
        "diet_pattern",
        "alcohol_units_per_week",
        "consent",
    ):
        assert questions[concept].kind == CONCEPT_KINDS[concept], concept


def test_condition_choices_are_condition_ids_of_the_knowledge_base(questions):
    known = knowledge.load().conditions
    values = [value for value, _ in questions["conditions"].choices]
    assert set(values) <= set(known)
    for common in (
        "hypertension",
        "type_2_diabetes",
        "hypothyroidism",
        "osteoporosis",
        "kidney_disease",
        "severe_kidney_disease",
        "cardiovascular_disease",
        "high_cholesterol",
        "gord",
        "ibs",
        "coeliac_disease",
        "depression",
        "cancer",
    ):
        assert common in values
    labels = dict(questions["conditions"].choices)
    assert labels["hypothyroidism"] == "Underactive thyroid (hypothyroidism)"


def test_sex_and_diet_values_are_the_ones_the_engine_reads(questions):
    assert [v for v, _ in questions["sex"].choices] == list(SEXES)
    assert dict(questions["sex"].choices)["other"] == "Prefer to describe another way"
    diet_values = [v for v, _ in questions["diet_pattern"].choices]
    assert sorted(diet_values) == sorted(DIET_PATTERNS)


def test_food_frequency_questions_share_one_scale(questions):
    foods = [q for concept, q in questions.items() if concept.startswith("food:")]
    assert {q.concept for q in foods} >= {
        "food:oily_fish",
        "food:red_meat",
        "food:dairy",
        "food:leafy_greens",
        "food:wholegrains",
        "food:pulses",
        "food:nuts_seeds",
        "food:fruit",
    }
    assert len({q.choices for q in foods}) == 1


def test_only_what_the_practice_cannot_work_without_is_required(questions):
    required = {concept for concept, q in questions.items() if q.required}
    assert required == {"date_of_birth", "sex", "goals", "consent"}


@pytest.mark.parametrize(
    ("concept", "low", "high", "unit"),
    [
        ("height_cm", 50, 250, "cm"),
        ("weight_kg", 20, 400, "kg"),
        ("alcohol_units_per_week", 0, 200, "units a week"),
        ("sleep_hours", 0, 24, "hours"),
        ("caffeine_drinks_per_day", 0, 40, "drinks a day"),
        ("water_glasses_per_day", 0, 40, "glasses a day"),
    ],
)
def test_numbers_have_sensible_limits(questions, concept, low, high, unit):
    options = questions[concept].options
    assert (options["min"], options["max"], options["unit"]) == (low, high, unit)


def test_the_help_texts_give_the_plain_words_a_client_needs(questions):
    assert "one per line" in questions["conditions_other"].help_text.lower()
    alcohol = questions["alcohol_units_per_week"].help_text
    assert "pint of ordinary beer or cider is about 2 units" in alcohol
    assert "medium (175 ml) glass of wine is about 2 units" in alcohol
    assert "single measure of spirits" in alcohol
    medicines = questions["medications"].help_text
    assert "prescribes" in medicines
    assert "buy from a pharmacy" in medicines
    assert "strength" in medicines
    supplements = questions["supplements"].help_text
    assert '"magnesium 150 mg"' in supplements
    assert "weight of the whole compound" in supplements


def test_the_consent_says_what_the_client_agrees_to(questions):
    consent = questions["consent"]
    assert consent.required
    assert "shared with my practitioner" in consent.text
    assert "nutritional advice" in consent.text
    assert "not a medical diagnosis" in consent.text
    assert "deleted" in consent.text
    assert consent.help_text


def test_every_named_concept_is_documented(questions):
    documented = DOCS.read_text(encoding="utf-8")
    for concept in questions:
        if not concept.startswith("symptom:"):
            assert f"`{concept}`" in documented, concept


def test_the_health_questionnaire_loads_and_publishes(db):
    version = load_questionnaire(HEALTH)
    assert version.status == VersionStatus.PUBLISHED
    assert [s.key for s in version.sections_in_order()] == SECTIONS
    assert version.questions.filter(kind="symptom_scale").count() == len(
        knowledge.load().symptoms
    )
