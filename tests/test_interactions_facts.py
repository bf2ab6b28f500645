"""Reading the CASE.json format: defaults, and errors that name the field."""

import pytest

from questionnaires.interactions.facts import CaseError, CaseFacts


def test_example_case_from_the_issue_is_read():
    facts = CaseFacts.from_dict(
        {
            "age": 74,
            "sex": "female",
            "pregnant": False,
            "conditions": ["osteoporosis"],
            "medications": [
                {
                    "name": "Alendronic acid 70mg",
                    "strength": "70 mg",
                    "frequency": "weekly",
                }
            ],
            "supplements": [
                {
                    "name": "Magnesium citrate",
                    "nutrient": "magnesium",
                    "form": "citrate",
                    "amount": 150,
                    "unit": "mg",
                    "per_day": 2,
                    "basis": "elemental",
                }
            ],
            "alcohol_units_per_week": 4,
            "diet_pattern": "vegetarian",
            "symptoms": {"muscle_cramps": 2, "unexplained_weight_loss": 0},
        }
    )
    assert facts.age == 74
    assert facts.medications[0].ref == "medications[0]"
    assert facts.medications[0].label == "Alendronic acid 70mg"
    assert facts.supplements[0].amount == 150
    assert facts.supplements[0].per_day == 2
    assert facts.symptoms["muscle_cramps"] == 2


def test_defaults_only_name_is_required():
    facts = CaseFacts.from_dict({"supplements": [{"name": "Zinc"}]})
    zinc = facts.supplements[0]
    assert (zinc.unit, zinc.per_day, zinc.basis, zinc.amount) == (
        "mg",
        1,
        "elemental",
        None,
    )
    assert not zinc.has_amount
    assert CaseFacts.from_dict({}) == CaseFacts()


def test_microgram_spellings_are_accepted():
    facts = CaseFacts.from_dict(
        {"supplements": [{"name": "B12", "amount": 1, "unit": "µg"}]}
    )
    assert facts.supplements[0].unit == "mcg"


def test_label_adds_strength_only_when_the_name_lacks_it():
    facts = CaseFacts.from_dict(
        {
            "medications": [
                {"name": "Lisinopril", "strength": "10 mg"},
                {"name": "Lisinopril 10mg", "strength": "10 mg"},
            ]
        }
    )
    assert [m.label for m in facts.medications] == [
        "Lisinopril 10 mg",
        "Lisinopril 10mg",
    ]


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ([], "case: must be a JSON object"),
        ({"weight": 70}, "weight: is not a known field"),
        ({"age": "74"}, "age: must be a whole number of years from 0 to 130"),
        ({"age": 200}, "age: must be a whole number of years from 0 to 130"),
        ({"pregnant": "no"}, "pregnant: must be true or false"),
        ({"sex": "unknown"}, "sex: must be one of female, male, other"),
        ({"conditions": "CKD"}, "conditions: must be a list"),
        ({"conditions": [""]}, "conditions[0]: must be non-empty text"),
        ({"medications": [{"strength": "10mg"}]}, "medications[0].name: is required"),
        (
            {"medications": ["Lisinopril"]},
            "medications[0]: must be an object with at least a name",
        ),
        (
            {"medications": [{"name": "X", "dose": 1}]},
            "medications[0].dose: is not a known field",
        ),
        (
            {"supplements": [{"name": "Mg", "amount": -5}]},
            "supplements[0].amount: must be a positive number",
        ),
        (
            {"supplements": [{"name": "Mg", "amount": 0}]},
            "supplements[0].amount: must be a positive number",
        ),
        (
            {"supplements": [{"name": "Mg", "amount": "150"}]},
            "supplements[0].amount: must be a positive number",
        ),
        (
            {"supplements": [{"name": "Mg", "unit": "tsp"}]},
            "supplements[0].unit: must be one of mg, mcg, g, IU",
        ),
        (
            {"supplements": [{"name": "Mg", "per_day": 0}]},
            "supplements[0].per_day: must be a positive number",
        ),
        (
            {"supplements": [{"name": "Mg", "basis": "salt"}]},
            "supplements[0].basis: must be one of elemental, compound",
        ),
        (
            {"supplements": [{"name": "Mg"}, {"name": 5}]},
            "supplements[1].name: must be non-empty text",
        ),
        (
            {"alcohol_units_per_week": -1},
            "alcohol_units_per_week: must be a number, zero or more",
        ),
        (
            {"symptoms": {"fatigue": 4}},
            "symptoms.fatigue: must be a whole number from 0 to 3",
        ),
        (
            {"symptoms": {"fatigue": True}},
            "symptoms.fatigue: must be a whole number from 0 to 3",
        ),
        (
            {"symptoms": ["fatigue"]},
            "symptoms: must be an object mapping symptom keys to 0-3",
        ),
    ],
)
def test_bad_input_names_the_field(data, message):
    with pytest.raises(CaseError) as error:
        CaseFacts.from_dict(data)
    assert str(error.value) == message


def test_facts_cannot_be_changed_after_they_are_built():
    facts = CaseFacts.from_dict({"symptoms": {"fatigue": 1}})
    with pytest.raises(AttributeError):
        facts.age = 80
    with pytest.raises(TypeError):
        facts.symptoms["fatigue"] = 3
