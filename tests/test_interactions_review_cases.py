"""Realistic clients for each error the 2026 clinical review found (E1-E22).

Each row is a client as they would write their answers, the limit set the
practice uses, the findings that must appear and those that must not. A second
table checks what the practitioner reads in the finding.
"""

import pytest

from questionnaires.interactions import engine, knowledge
from questionnaires.interactions.facts import CaseFacts

KB = knowledge.load()


def mg(amount: float = 300) -> dict:
    return {"name": "Magnesium glycinate", "amount": amount}


CASES = {
    # E1: iron with quinolones, spaced like the other minerals
    "ciprofloxacin with ferrous fumarate": (
        {
            "age": 67,
            "medications": [{"name": "Ciprofloxacin 500mg twice a day"}],
            "supplements": [{"name": "Ferrous fumarate", "amount": 14}],
        },
        "uk",
        {"iron-tetracyclines-quinolones"},
        set(),
    ),
    # E4: a yearly infusion is never spaced from calcium, magnesium or iron
    "zoledronic acid infusion with calcium, magnesium and iron": (
        {
            "age": 72,
            "medications": [{"name": "Aclasta infusion", "frequency": "once a year"}],
            "supplements": [
                {"name": "Calcium carbonate", "amount": 500},
                mg(),
                {"name": "Iron bisglycinate", "amount": 14},
            ],
        },
        "uk",
        set(),
        {"ca-bisphosphonates", "mg-bisphosphonates", "iron-chelated-drugs"},
    ),
    "ibandronic acid injection every 3 months with calcium": (
        {
            "age": 70,
            "medications": [
                {
                    "name": "Bonviva",
                    "strength": "3mg injection",
                    "frequency": "3 monthly",
                }
            ],
            "supplements": [{"name": "Calcium citrate", "amount": 500}],
        },
        "uk",
        set(),
        {"ca-bisphosphonates"},
    ),
    # E5: the monthly tablet is still spaced
    "ibandronic acid tablet once a month with calcium": (
        {
            "age": 70,
            "medications": [{"name": "Ibandronic acid 150mg", "frequency": "monthly"}],
            "supplements": [{"name": "Calcium citrate", "amount": 500}],
        },
        "uk",
        {"ca-bisphosphonates"},
        set(),
    ),
    # E6: EFSA selenium 255 mcg since 2023
    "selenium 280 mcg under EFSA": (
        {
            "age": 45,
            "supplements": [{"name": "Selenium", "amount": 280, "unit": "mcg"}],
        },
        "eu",
        {"upper-limit-selenium"},
        set(),
    ),
    "selenium 250 mcg under EFSA": (
        {
            "age": 45,
            "supplements": [{"name": "Selenium", "amount": 250, "unit": "mcg"}],
        },
        "eu",
        set(),
        {"upper-limit-selenium"},
    ),
    # E7: the EU folate limit counts methylfolate; the UK one does not
    "methylfolate 1000 mcg with folic acid 400 mcg under EFSA": (
        {
            "age": 34,
            "supplements": [
                {"name": "Methylfolate", "amount": 1000, "unit": "mcg"},
                {"name": "Folic acid", "amount": 400, "unit": "mcg"},
            ],
        },
        "eu",
        {"upper-limit-folic-acid"},
        set(),
    ),
    "methylfolate 1000 mcg with folic acid 400 mcg under the UK set": (
        {
            "age": 34,
            "supplements": [
                {"name": "Methylfolate", "amount": 1000, "unit": "mcg"},
                {"name": "Folic acid", "amount": 400, "unit": "mcg"},
            ],
        },
        "uk",
        set(),
        {"upper-limit-folic-acid"},
    ),
    # E8: NHS vitamin D limits by age
    "adult taking 2000 IU of vitamin D": (
        {
            "age": 58,
            "supplements": [{"name": "Vitamin D3", "amount": 2000, "unit": "IU"}],
        },
        "uk",
        set(),
        {"upper-limit-vitamin-d"},
    ),
    "adult taking 5000 IU of vitamin D": (
        {
            "age": 58,
            "supplements": [{"name": "Vitamin D3", "amount": 5000, "unit": "IU"}],
        },
        "uk",
        {"upper-limit-vitamin-d"},
        set(),
    ),
    "child of 5 taking 4000 IU of vitamin D, EU set": (
        {
            "age": 5,
            "supplements": [{"name": "Vitamin D3", "amount": 4000, "unit": "IU"}],
        },
        "eu",
        {"upper-limit-vitamin-d"},
        set(),
    ),
    "child of 5 taking 4000 IU of vitamin D, US set": (
        {
            "age": 5,
            "supplements": [{"name": "Vitamin D3", "amount": 4000, "unit": "IU"}],
        },
        "us",
        {"upper-limit-vitamin-d"},
        set(),
    ),
    "baby taking 1200 IU of vitamin D": (
        {
            "age": 0,
            "supplements": [{"name": "Vitamin D drops", "amount": 1200, "unit": "IU"}],
        },
        "uk",
        {"upper-limit-vitamin-d"},
        set(),
    ),
    # E3 / item 2: children's limits, never the adult one
    "child of 6 taking 300 mg magnesium, US set": (
        {"age": 6, "supplements": [mg(300)]},
        "us",
        {"upper-limit-magnesium"},
        {"limit-not-checked"},
    ),
    "child of 6 taking 300 mg magnesium, UK set falls back to EFSA": (
        {"age": 6, "supplements": [mg(300)]},
        "uk",
        {"upper-limit-magnesium"},
        {"limit-not-checked"},
    ),
    "child of 2 taking magnesium, EU set has no value at 1-3": (
        {"age": 2, "supplements": [mg(100)]},
        "eu",
        {"limit-not-checked"},
        {"upper-limit-magnesium"},
    ),
    "child of 10 taking calcium, EFSA set no limit for children": (
        {"age": 10, "supplements": [{"name": "Calcium carbonate", "amount": 400}]},
        "eu",
        {"limit-not-checked"},
        {"upper-limit-calcium"},
    ),
    "teenager of 16 taking 30 mg zinc, EU set": (
        {"age": 16, "supplements": [{"name": "Zinc picolinate", "amount": 30}]},
        "eu",
        {"upper-limit-zinc"},
        set(),
    ),
    # item 2: a nutrient the set has no value for is not silent
    "potassium under EFSA": (
        {"age": 50, "supplements": [{"name": "Potassium citrate", "amount": 200}]},
        "eu",
        {"limit-not-checked"},
        {"upper-limit-potassium"},
    ),
    "vitamin K under the US set": (
        {
            "age": 50,
            "supplements": [{"name": "Vitamin K2", "amount": 200, "unit": "mcg"}],
        },
        "us",
        {"limit-not-checked"},
        {"upper-limit-vitamin-k"},
    ),
    "age not given": (
        {"supplements": [mg(200)]},
        "uk",
        {"limit-age-unknown"},
        {"upper-limit-magnesium"},
    ),
    # item 3: total-intake limits add cited typical food intake
    "adult taking 20 mg zinc, EU set (with about 9 mg from food)": (
        {"age": 40, "supplements": [{"name": "Zinc", "amount": 20}]},
        "eu",
        {"upper-limit-zinc"},
        set(),
    ),
    "adult taking 20 mg zinc, UK set (a supplemental level)": (
        {"age": 40, "supplements": [{"name": "Zinc", "amount": 20}]},
        "uk",
        set(),
        {"upper-limit-zinc"},
    ),
    # E15: vitamin D with thiazides or digoxin only above 1000 IU
    "bendroflumethiazide with 10 micrograms of vitamin D": (
        {
            "age": 70,
            "medications": [{"name": "Bendroflumethiazide 2.5mg"}],
            "supplements": [{"name": "Vitamin D3", "amount": 10, "unit": "mcg"}],
        },
        "uk",
        set(),
        {"vitd-thiazides"},
    ),
    "digoxin with 1000 IU of vitamin D (at the threshold)": (
        {
            "age": 80,
            "medications": [{"name": "Digoxin 125 micrograms"}],
            "supplements": [{"name": "Vitamin D3", "amount": 1000, "unit": "IU"}],
        },
        "uk",
        set(),
        {"vitd-digoxin"},
    ),
    "digoxin with 2000 IU of vitamin D": (
        {
            "age": 80,
            "medications": [{"name": "Digoxin 125 micrograms"}],
            "supplements": [{"name": "Vitamin D3", "amount": 2000, "unit": "IU"}],
        },
        "uk",
        {"vitd-digoxin"},
        set(),
    ),
    # E19: topical magnesium is reported, not counted
    "Epsom salt baths": (
        {
            "age": 55,
            "supplements": [{"name": "Epsom salts", "amount": 500, "unit": "g"}],
        },
        "uk",
        {"topical-not-counted"},
        {"upper-limit-magnesium", "unrecognised-supplement", "unrecognised-dose"},
    ),
    "magnesium oil spray with ciprofloxacin": (
        {
            "age": 55,
            "medications": [{"name": "Ciprofloxacin 500mg"}],
            "supplements": [{"name": "BetterYou magnesium oil spray", "amount": 60}],
        },
        "uk",
        {"topical-not-counted"},
        {"mg-fluoroquinolones", "upper-limit-magnesium"},
    ),
    # E22: loop diuretics and aldosterone antagonists lower blood pressure too
    "furosemide with magnesium": (
        {
            "age": 75,
            "medications": [{"name": "Furosemide 40mg"}],
            "supplements": [mg()],
        },
        "uk",
        {"mg-antihypertensives-bp", "mg-loop-diuretics"},
        set(),
    ),
    "eplerenone with magnesium": (
        {
            "age": 75,
            "medications": [{"name": "Eplerenone 25mg"}],
            "supplements": [mg()],
        },
        "uk",
        {"mg-antihypertensives-bp"},
        set(),
    ),
    # E13: heartburn alone at "mild" is not a referral
    "mild heartburn": (
        {"age": 40, "symptoms": {"persistent_heartburn": 1}},
        "uk",
        set(),
        {"red-flag-persistent-heartburn"},
    ),
    "frequent heartburn": (
        {"age": 60, "symptoms": {"persistent_heartburn": 2}},
        "uk",
        {"red-flag-persistent-heartburn"},
        set(),
    ),
    # E14: the CKD stage for potassium
    "CKD stage 2 with potassium": (
        {
            "age": 66,
            "conditions": ["CKD stage 2"],
            "supplements": [{"name": "Potassium citrate", "amount": 99}],
        },
        "uk",
        {"k-kidney-disease"},
        {"k-severe-kidney-disease"},
    ),
    "dialysis with potassium": (
        {
            "age": 66,
            "conditions": ["On dialysis"],
            "supplements": [{"name": "Potassium citrate", "amount": 99}],
        },
        "uk",
        {"k-severe-kidney-disease"},
        {"k-kidney-disease"},
    ),
}


@pytest.mark.parametrize("name", list(CASES))
def test_review_client_gets_the_expected_findings(name):
    data, limits, expected, forbidden = CASES[name]
    rules = {f.rule for f in engine.run(CaseFacts.from_dict(data), KB, limits=limits)}
    assert expected <= rules, f"missing {expected - rules}"
    assert not (forbidden & rules), f"unexpected {forbidden & rules}"


def finding(data: dict, rule: str, limits: str = "uk") -> engine.Finding:
    findings = engine.run(CaseFacts.from_dict(data), KB, limits=limits)
    return next(f for f in findings if f.rule == rule)


def test_iron_and_ciprofloxacin_spacing_reads_like_the_other_minerals():
    f = finding(
        CASES["ciprofloxacin with ferrous fumarate"][0], "iron-tetracyclines-quinolones"
    )
    assert "at least 2 hours before, or 4 to 6 hours after, iron" in f.action
    assert "iron 2 hours before" not in f.action
    assert f.spacing_hours == 4


def test_ibandronic_acid_tablets_get_60_minutes():
    f = finding(
        CASES["ibandronic acid tablet once a month with calcium"][0],
        "ca-bisphosphonates",
    )
    assert "60 minutes with monthly ibandronic acid" in f.action


def test_a_child_without_a_limit_is_told_so_with_the_total():
    f = finding(
        CASES["child of 10 taking calcium, EFSA set no limit for children"][0],
        "limit-not-checked",
        "eu",
    )
    assert f.title == (
        "Upper limit for calcium not checked: not checked for age 10 under the "
        "EU (EFSA) set"
    )
    assert "Daily total from supplements: 400 mg" in f.message
    assert "never applied to a child" in f.message


def test_a_child_under_the_uk_set_is_checked_against_efsa_and_told_so():
    f = finding(
        CASES["child of 6 taking 300 mg magnesium, UK set falls back to EFSA"][0],
        "upper-limit-magnesium",
    )
    assert "age 4 and over" in f.message
    assert "the UK set has no value for this nutrient at this age" in f.message


def test_a_total_intake_limit_adds_food_and_says_where_the_figure_comes_from():
    f = finding(
        CASES["adult taking 20 mg zinc, EU set (with about 9 mg from food)"][0],
        "upper-limit-zinc",
        "eu",
    )
    assert "Total zinc: 20 mg a day" in f.message
    assert "typical food intake of about 9 mg a day" in f.message
    assert "estimated total is 29 mg" in f.message
    assert "not from this client's diet" in f.message
    assert any("household diet" in s.title for s in f.sources)


def test_a_total_intake_limit_without_a_food_figure_says_only_supplements_counted():
    data = {
        "age": 40,
        "supplements": [{"name": "Selenium", "amount": 300, "unit": "mcg"}],
    }
    f = finding(data, "upper-limit-selenium", "eu")
    assert "only supplements were counted" in f.message


def test_methylfolate_is_named_when_a_limit_does_not_cover_it():
    data = {
        "age": 34,
        "supplements": [
            {"name": "Methylfolate", "amount": 1000, "unit": "mcg"},
            {"name": "Folic acid", "amount": 1200, "unit": "mcg"},
        ],
    }
    f = finding(data, "upper-limit-folic-acid", "uk")
    assert "Total folic acid: 1200 mcg" in f.message
    assert "Not added (a form this limit does not cover): Methylfolate" in f.message
    eu = finding(data, "upper-limit-folic-acid", "eu")
    assert "Total folic acid: 2200 mcg" in eu.message


def test_ferrous_sulfate_200_mg_counts_as_65_mg_of_iron():
    data = {
        "age": 40,
        "supplements": [
            {"name": "Ferrous sulfate", "amount": 200, "basis": "compound"},
        ],
    }
    assert "Total iron: 65 mg a day" in finding(data, "upper-limit-iron").message


def test_mchc_by_compound_weight_is_not_given_pure_hydroxyapatite_calcium():
    data = {
        "age": 70,
        "supplements": [
            {"name": "Calcium MCHC", "amount": 1000, "basis": "compound"},
        ],
    }
    f = finding(data, "unrecognised-dose")
    assert "mchc, whose calcium content is not known" in f.message


def test_an_epsom_salt_bath_says_why_it_was_not_counted():
    f = finding(CASES["Epsom salt baths"][0], "topical-not-counted")
    assert (
        f.title
        == "Not counted as magnesium taken by mouth: Epsom salts (500 g, 1 a day)"
    )
    assert "match the entry by hand" in f.action


def test_an_injection_said_only_in_the_strength_is_not_spaced():
    data = {
        "age": 70,
        "medications": [{"name": "Ibandronic acid", "strength": "3 mg IV"}],
        "supplements": [{"name": "Calcium", "amount": 500}],
    }
    rules = {f.rule for f in engine.run(CaseFacts.from_dict(data), KB)}
    assert "ca-bisphosphonates" not in rules


def test_a_tablet_and_an_injection_of_the_same_medicine_space_only_the_tablet():
    data = {
        "age": 70,
        "medications": [
            {"name": "Ibandronic acid 150mg tablet", "ref": "medication:tablet"},
            {"name": "Ibandronic acid 3mg injection", "ref": "medication:injection"},
        ],
        "supplements": [{"name": "Calcium", "amount": 500, "ref": "supplement:ca"}],
    }
    f = finding(data, "ca-bisphosphonates")
    assert [ref for ref, _ in f.triggers] == ["supplement:ca", "medication:tablet"]
