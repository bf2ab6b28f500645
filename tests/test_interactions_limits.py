"""Upper limits: totals across products, elemental conversion, IU, limit sets."""

import shutil

import pytest

from questionnaires.interactions import engine, knowledge
from questionnaires.interactions.facts import CaseFacts

SEVERAL_MAGNESIUM_FORMS = {
    "age": 70,
    "supplements": [
        {"name": "Magnesium citrate", "amount": 200, "unit": "mg"},
        {
            "name": "Magnesium glycinate",
            "amount": 1000,
            "unit": "mg",
            "basis": "compound",
        },
        {"name": "Magnesium oxide", "amount": 400, "unit": "mg", "basis": "compound"},
    ],
}


def limit_findings(case: dict, limits: str = "uk") -> dict[str, engine.Finding]:
    findings = engine.run(CaseFacts.from_dict(case), knowledge.load(), limits=limits)
    return {f.rule: f for f in findings if f.kind == "upper_limit"}


def test_several_magnesium_forms_are_totalled_product_by_product():
    finding = limit_findings(SEVERAL_MAGNESIUM_FORMS)["upper-limit-magnesium"]
    # 200 + 1000 x 14.1 % + 400 x 60.3 % = 200 + 141 + 241.2
    assert "Total magnesium: 582.2 mg a day" in finding.message
    assert "Magnesium citrate (200 mg, 1 a day): 200 mg" in finding.message
    assert (
        "Magnesium glycinate (1000 mg as the compound, 1 a day): 141 mg"
        in finding.message
    )
    assert (
        "Magnesium oxide (400 mg as the compound, 1 a day): 241.2 mg" in finding.message
    )
    assert (
        "UK EVM guidance level for supplemental magnesium (adults), 400 mg a day"
        in finding.message
    )
    assert [ref for ref, _ in finding.triggers] == [
        "supplements[0]",
        "supplements[1]",
        "supplements[2]",
    ]
    assert [s.title for s in finding.sources][0].startswith("UK Expert Group")
    assert finding.evidence.startswith("V2")


@pytest.mark.parametrize(
    ("limits", "label", "source_start"),
    [
        ("eu", "EFSA upper level", "EFSA"),
        ("us", "US IOM upper level", "Institute of Medicine"),
    ],
)
def test_the_practice_can_choose_another_limit_set(limits, label, source_start):
    finding = limit_findings(SEVERAL_MAGNESIUM_FORMS, limits)["upper-limit-magnesium"]
    assert label in finding.message
    assert finding.sources[0].title.startswith(source_start)


def test_a_total_at_the_limit_is_not_over_it():
    case = {"supplements": [{"name": "Magnesium", "amount": 200, "per_day": 2}]}
    assert "upper-limit-magnesium" not in limit_findings(case)
    case["supplements"][0]["amount"] = 201
    assert "upper-limit-magnesium" in limit_findings(case)


def test_uk_falls_back_to_eu_where_the_uk_has_no_value(tmp_path):
    # Every nutrient shipped today has a UK value, so drop zinc's from a copy.
    copy = tmp_path / "knowledge"
    shutil.copytree(knowledge.KNOWLEDGE_DIR, copy)
    limits = copy / "rules_upper_limits.toml"
    text = limits.read_text()
    uk_zinc = text.index("[[rule.limits.uk]]", text.index('id = "upper-limit-zinc"'))
    end = text.index("[[rule.limits.eu]]", uk_zinc)
    limits.write_text(text[:uk_zinc] + text[end:])
    kb = knowledge.load_uncached(copy)
    facts = CaseFacts.from_dict({"supplements": [{"name": "Zinc", "amount": 30}]})
    [finding] = [f for f in engine.run(facts, kb) if f.rule == "upper-limit-zinc"]
    assert "the UK set has no value for this nutrient, so the EU limit is used" in (
        finding.message
    )
    assert "EFSA upper level for zinc, adults, 25 mg a day" in finding.message


def test_international_units_are_converted_for_vitamin_d():
    # 2000 IU = 50 micrograms: over the NHS limit for a child of 1-10 (50 is not
    # over it, 2400 IU = 60 is), under the adult limit of 100 in every set.
    case = {
        "age": 8,
        "supplements": [{"name": "Vitamin D3", "amount": 2400, "unit": "IU"}],
    }
    finding = limit_findings(case)["upper-limit-vitamin-d"]
    assert "Total vitamin d: 60 mcg a day" in finding.message
    adult = {**case, "age": 40}
    assert "upper-limit-vitamin-d" not in limit_findings(adult, "uk")
    assert "upper-limit-vitamin-d" not in limit_findings(adult, "eu")


def test_grams_and_micrograms_are_converted():
    case = {"supplements": [{"name": "Calcium", "amount": 1.6, "unit": "g"}]}
    assert (
        "Total calcium: 1600 mg a day"
        in limit_findings(case)["upper-limit-calcium"].message
    )
    case = {"supplements": [{"name": "Vitamin B6", "amount": 20000, "unit": "mcg"}]}
    assert "upper-limit-vitamin-b6" in limit_findings(case)


def test_calcium_us_limit_depends_on_age():
    case = {"age": 45, "supplements": [{"name": "Calcium", "amount": 2200}]}
    assert "upper-limit-calcium" not in limit_findings(case, "us")
    case["age"] = 60
    finding = limit_findings(case, "us")["upper-limit-calcium"]
    assert "age 51 and over, 2000 mg a day" in finding.message


def test_unknown_age_uses_the_lowest_applicable_limit():
    case = {"supplements": [{"name": "Calcium", "amount": 2200}]}
    assert "2000 mg a day" in limit_findings(case, "us")["upper-limit-calcium"].message


def test_compound_weight_of_an_unknown_form_is_reported_not_guessed():
    case = {"supplements": [{"name": "Magnesium", "amount": 2000, "basis": "compound"}]}
    findings = engine.run(CaseFacts.from_dict(case), knowledge.load())
    rules = {f.rule: f for f in findings}
    assert "upper-limit-magnesium" not in rules
    assert "salt form is not known" in rules["unrecognised-dose"].message


def test_iu_without_a_sourced_conversion_is_reported():
    case = {"supplements": [{"name": "Vitamin E", "amount": 400, "unit": "IU"}]}
    rules = {f.rule: f for f in engine.run(CaseFacts.from_dict(case), knowledge.load())}
    assert "IU cannot be converted for vitamin e" in rules["unrecognised-dose"].message


def test_amount_unknown_is_said_and_the_known_total_still_checked():
    case = {
        "supplements": [
            {"name": "Magnesium citrate", "amount": 450},
            {"name": "Magnesium spray", "amount_unknown": True},
        ]
    }
    findings = engine.run(CaseFacts.from_dict(case), knowledge.load())
    rules = {f.rule: f for f in findings}
    assert "Not counted (dose not known): Magnesium spray" in (
        rules["upper-limit-magnesium"].message
    )
    assert rules["unrecognised-dose"].triggers == (
        ("supplements[1]", "Magnesium spray"),
    )


def test_combination_products_are_not_silently_counted():
    case = {"supplements": [{"name": "Calcium, magnesium and zinc", "amount": 1000}]}
    findings = engine.run(CaseFacts.from_dict(case), knowledge.load())
    unknown = [f for f in findings if f.rule == "unrecognised-dose"]
    # One finding for the one product, naming every nutrient it could not count.
    assert len(unknown) == 1
    assert sorted(unknown[0].subjects) == ["calcium", "magnesium", "zinc"]
    assert "calcium, magnesium and zinc" in unknown[0].message
    assert not [f for f in findings if f.kind == "upper_limit"]


def test_methylfolate_is_not_added_to_the_folic_acid_total():
    case = {
        "supplements": [
            {
                "name": "Methylfolate",
                "nutrient": "folate",
                "amount": 1500,
                "unit": "mcg",
            }
        ]
    }
    assert "upper-limit-folic-acid" not in limit_findings(case)
    case["supplements"][0]["name"] = "Folic acid"
    assert "upper-limit-folic-acid" in limit_findings(case)
