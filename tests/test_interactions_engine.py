"""Realistic clients through the engine: the findings a practitioner must see, and
the ones that must not appear (a false alarm costs trust as much as a miss)."""

import dataclasses

import pytest

from questionnaires.interactions import engine, knowledge
from questionnaires.interactions.entries import KINDS
from questionnaires.interactions.facts import CaseFacts, MedicationEntry

SEVERITY_ORDER = ["refer", "major", "moderate", "minor", "info"]


def check(case: dict, limits: str = "uk") -> list[engine.Finding]:
    return engine.run(CaseFacts.from_dict(case), knowledge.load(), limits=limits)


def by_rule(findings: list[engine.Finding]) -> dict[str, engine.Finding]:
    return {f.rule: f for f in findings}


def mg(
    name: str = "Magnesium citrate", amount: float = 150, per_day: float = 1
) -> dict:
    return {"name": name, "amount": amount, "unit": "mg", "per_day": per_day}


CLIENTS = {
    "74-year-old on alendronic acid taking magnesium and calcium": (
        {
            "age": 74,
            "sex": "female",
            "conditions": ["osteoporosis"],
            "medications": [{"name": "Alendronic acid 70mg", "frequency": "weekly"}],
            "supplements": [
                mg(per_day=2),
                {"name": "Calcium carbonate", "amount": 500, "unit": "mg"},
            ],
        },
        {"mg-bisphosphonates", "ca-bisphosphonates", "calcium-mg-spacing"},
        {"upper-limit-magnesium", "upper-limit-calcium", "mg-antihypertensives-bp"},
    ),
    "lisinopril and letrozole with magnesium": (
        {
            "age": 68,
            "sex": "female",
            "medications": [
                {"name": "Lisinopril 10mg once daily"},
                {"name": "Letrozole 2.5mg"},
            ],
            "supplements": [mg("Magnesium bisglycinate", 200)],
        },
        {"mg-antihypertensives-bp"},
        {"mg-ace-inhibitor-absorption", "unrecognised-medication"},
    ),
    "77-year-old on levothyroxine, aspirin 75 mg and fish oil with magnesium": (
        {
            "age": 77,
            "medications": [
                {"name": "Levothyroxine 100 micrograms"},
                {"name": "Aspirin 75mg dispersible"},
            ],
            "supplements": [
                {"name": "Omega-3 fish oil", "amount": 1000, "unit": "mg"},
                mg("Magnesium glycinate", 200),
            ],
        },
        {"mg-levothyroxine", "omega3-antiplatelets"},
        {"omega3-warfarin", "ginkgo-antiplatelets", "upper-limit-magnesium"},
    ),
    "long-term omeprazole with iron": (
        {
            "medications": [{"name": "Omeprazole 20mg", "since": "2015"}],
            "supplements": [{"name": "Ferrous bisglycinate", "amount": 14}],
        },
        {"mg-ppi-depletion", "ppi-b12", "iron-ppi"},
        {"mg-lansoprazole-absorption", "upper-limit-iron"},
    ),
    "lansoprazole with magnesium": (
        {"medications": [{"name": "Zoton FasTab"}], "supplements": [mg()]},
        {"mg-lansoprazole-absorption", "mg-ppi-depletion"},
        set(),
    ),
    "furosemide": (
        {"medications": [{"name": "Furosemide 40mg each morning"}]},
        {"mg-loop-diuretics"},
        {"mg-thiazide-diuretics", "mg-potassium-sparing-diuretics"},
    ),
    "bendroflumethiazide with calcium and vitamin D": (
        {
            "medications": [{"name": "Bendroflumethiazide 2.5mg"}],
            "supplements": [
                {"name": "Calcium citrate", "amount": 300},
                {"name": "Vitamin D3", "amount": 2000, "unit": "IU"},
            ],
        },
        {"mg-thiazide-diuretics", "ca-thiazides", "vitd-thiazides"},
        {"mg-loop-diuretics", "upper-limit-vitamin-d"},
    ),
    "bendroflumethiazide with the usual 10 micrograms of vitamin D": (
        {
            "medications": [{"name": "Bendroflumethiazide 2.5mg"}],
            "supplements": [{"name": "Vitamin D3", "amount": 400, "unit": "IU"}],
        },
        {"mg-thiazide-diuretics"},
        {"vitd-thiazides", "upper-limit-vitamin-d"},
    ),
    "spironolactone with magnesium and potassium": (
        {
            "medications": [{"name": "Spironolactone 25mg"}],
            "supplements": [mg(), {"name": "Potassium citrate", "amount": 99}],
        },
        # Spironolactone lowers blood pressure too (review E22).
        {
            "mg-potassium-sparing-diuretics",
            "k-potassium-sparing",
            "mg-antihypertensives-bp",
        },
        {"mg-loop-diuretics", "mg-thiazide-diuretics"},
    ),
    "metformin": (
        {"medications": [{"name": "Metformin 500mg twice daily"}]},
        {"metformin-b12"},
        {"ppi-b12"},
    ),
    "alcohol over 14 units a week": (
        {"alcohol_units_per_week": 21},
        {"alcohol-mg-depletion"},
        set(),
    ),
    "alcohol within 14 units a week": (
        {"alcohol_units_per_week": 14},
        set(),
        {"alcohol-mg-depletion"},
    ),
    "vitamin A above 700 micrograms in pregnancy": (
        {
            "pregnant": True,
            "supplements": [{"name": "Vitamin A", "amount": 1500, "unit": "mcg"}],
        },
        {"vita-pregnancy"},
        set(),
    ),
    "cod liver oil in pregnancy (retinol, amount unknown)": (
        {"pregnant": True, "supplements": [{"name": "Cod liver oil", "amount": 1000}]},
        {"vita-pregnancy"},
        set(),
    ),
    "vitamin A below 700 micrograms in pregnancy": (
        {
            "pregnant": True,
            "supplements": [{"name": "Vitamin A", "amount": 600, "unit": "mcg"}],
        },
        set(),
        {"vita-pregnancy"},
    ),
    "vitamin A when not pregnant": (
        {"supplements": [{"name": "Vitamin A", "amount": 1000, "unit": "mcg"}]},
        set(),
        {"vita-pregnancy"},
    ),
    "beta-carotene and fish oil in pregnancy": (
        {
            "pregnant": True,
            "supplements": [
                {"name": "Beta carotene", "amount": 6},
                {"name": "Fish oil", "amount": 1000},
            ],
        },
        set(),
        {"vita-pregnancy"},
    ),
    "severe kidney disease with magnesium": (
        {"conditions": ["CKD stage 4"], "supplements": [mg()]},
        {"mg-severe-kidney-disease"},
        {"mg-kidney-disease"},
    ),
    "kidney disease of unknown stage with magnesium": (
        {"conditions": ["kidney disease"], "supplements": [mg()]},
        {"mg-kidney-disease"},
        {"mg-severe-kidney-disease"},
    ),
    "warfarin with vitamin K": (
        {
            "medications": [{"name": "Warfarin"}],
            "supplements": [{"name": "Vitamin K2 MK-7"}],
        },
        {"vitk-warfarin"},
        set(),
    ),
    "apixaban with vitamin K (the warfarin rule must not apply)": (
        {
            "medications": [{"name": "Eliquis 5mg"}],
            "supplements": [{"name": "Vitamin K2"}],
        },
        set(),
        {"vitk-warfarin"},
    ),
    "St John's wort with sertraline and the pill": (
        {
            "medications": [{"name": "Sertraline 50mg"}, {"name": "Microgynon 30"}],
            "supplements": [{"name": "St John's Wort"}],
        },
        {"sjw-serotonergic", "sjw-contraceptives"},
        set(),
    ),
    "methotrexate with folic acid": (
        {
            "medications": [{"name": "Methotrexate 15mg weekly"}],
            "supplements": [{"name": "Folic acid", "amount": 400, "unit": "mcg"}],
        },
        {"folic-methotrexate"},
        {"upper-limit-folic-acid"},
    ),
    "ACE inhibitor named in the SmPC (enalapril) with magnesium": (
        {"medications": [{"name": "Enalapril 10mg"}], "supplements": [mg()]},
        {"mg-ace-inhibitor-absorption", "mg-antihypertensives-bp"},
        set(),
    ),
}


@pytest.mark.parametrize("name", CLIENTS)
def test_realistic_client_gets_expected_findings_and_no_false_alarms(name):
    case, expected, forbidden = CLIENTS[name]
    found = {f.rule for f in check(case)}
    assert expected <= found, f"missing {expected - found}"
    assert not (forbidden & found), f"unexpected {forbidden & found}"


def test_lisinopril_gets_blood_pressure_caution_naming_its_classes():
    findings = by_rule(check(CLIENTS["lisinopril and letrozole with magnesium"][0]))
    caution = findings["mg-antihypertensives-bp"]
    assert caution.subjects == ("magnesium", "lisinopril")
    assert caution.classes == ("ace inhibitors", "antihypertensives")
    assert caution.severity == "minor"
    assert "monitor blood pressure" in caution.action
    assert "theoretical" in caution.evidence.lower()
    assert ("medications[0]", "Lisinopril 10mg once daily") in caution.triggers
    assert not any("letrozole" in f.subjects for f in findings.values())


def test_bisphosphonate_finding_gives_spacing_and_points_at_the_answers():
    findings = by_rule(check(CLIENTS[next(iter(CLIENTS))][0]))
    bisphosphonate = findings["mg-bisphosphonates"]
    assert bisphosphonate.severity == "major"
    assert bisphosphonate.spacing_hours == 4
    assert [ref for ref, _ in bisphosphonate.triggers] == [
        "supplements[0]",
        "medications[0]",
    ]
    assert bisphosphonate.triggers[0][1] == "Magnesium citrate (150 mg, 2 a day)"
    assert bisphosphonate.sources and all(s.title for s in bisphosphonate.sources)


def test_levothyroxine_spacing_is_four_hours():
    case = CLIENTS[
        "77-year-old on levothyroxine, aspirin 75 mg and fish oil with magnesium"
    ]
    finding = by_rule(check(case[0]))["mg-levothyroxine"]
    assert finding.spacing_hours == 4
    assert finding.subjects == ("magnesium", "levothyroxine")


@pytest.mark.parametrize(
    "key",
    [
        "unexplained_weight_loss",
        "blood_in_stool",
        "difficulty_swallowing",
        "chest_pain",
        "bowel_habit_change",
        "blood_in_urine",
        "persistent_heartburn",
        "new_lump",
    ],
)
def test_each_red_flag_symptom_refers_to_the_gp(key):
    findings = check({"symptoms": {key: 3}})
    assert [(f.severity, f.kind) for f in findings] == [("refer", "red_flag")]
    assert findings[0].triggers == ((f"symptoms.{key}", findings[0].triggers[0][1]),)
    assert "GP" in findings[0].action or "999" in findings[0].action


def test_red_flag_scored_zero_and_ordinary_symptoms_raise_nothing():
    assert (
        check({"symptoms": {"chest_pain": 0, "muscle_cramps": 3, "fatigue": 2}}) == []
    )


def test_unrecognised_entries_become_findings_never_silent_misses():
    findings = check(
        {
            "medications": [{"name": "Xylophonex 10mg"}],
            "supplements": [{"name": "Gotu kola root"}],
            "conditions": ["Ehlers-Danlos syndrome"],
        }
    )
    assert sorted(f.rule for f in findings) == [
        "unrecognised-condition",
        "unrecognised-medication",
        "unrecognised-supplement",
    ]
    medication = by_rule(findings)["unrecognised-medication"]
    assert medication.triggers == (("medications[0]", "Xylophonex 10mg"),)
    assert "Xylophonex" in medication.title


def test_ambiguous_or_near_miss_names_list_the_closest_candidates():
    finding = check({"medications": [{"name": "Dexlansoprazole"}]})[0]
    assert finding.rule == "unrecognised-medication"
    assert "lansoprazole" in finding.message


def test_practitioner_manual_match_bypasses_text_matching():
    unknown = MedicationEntry(name="Dr's heart tablet", ref="medications[0]")
    matched = MedicationEntry(
        name="Dr's heart tablet", ref="medications[0]", matched_as="digoxin"
    )
    supplement = CaseFacts.from_dict({"supplements": [mg()]}).supplements
    kb = knowledge.load()
    before = engine.run(CaseFacts(medications=(unknown,), supplements=supplement), kb)
    after = engine.run(CaseFacts(medications=(matched,), supplements=supplement), kb)
    assert "unrecognised-medication" in {f.rule for f in before}
    assert {"mg-digoxin"} <= {f.rule for f in after}
    assert "unrecognised-medication" not in {f.rule for f in after}


def test_vitamins_listed_as_medicines_are_still_checked():
    findings = by_rule(
        check({"medications": [{"name": "Adcal-D3"}, {"name": "Alendronic acid"}]})
    )
    assert "ca-bisphosphonates" in findings
    assert "unrecognised-dose" in findings  # Adcal's calcium dose is not worked out


def test_findings_are_sorted_by_severity_then_key():
    case = {
        "symptoms": {"chest_pain": 2},
        "medications": [{"name": "Alendronic acid"}, {"name": "Omeprazole"}],
        "supplements": [mg(), {"name": "Ashwagandha"}],
        "alcohol_units_per_week": 30,
    }
    findings = check(case)
    ranks = [SEVERITY_ORDER.index(f.severity) for f in findings]
    assert ranks == sorted(ranks)
    assert findings[0].severity == "refer"
    for a, b in zip(findings, findings[1:], strict=False):
        if a.severity == b.severity:
            assert a.key < b.key


def test_every_finding_records_the_knowledge_version_and_a_stable_key():
    kb = knowledge.load()
    findings = check(CLIENTS[next(iter(CLIENTS))][0])
    assert {f.knowledge_version for f in findings} == {kb.version}
    key = by_rule(findings)["mg-bisphosphonates"].key
    assert key == (
        "mg-bisphosphonates|alendronic acid,magnesium|medications[0],supplements[0]"
    )


def condition_finding_keys(conditions: list[str]) -> dict[str, str]:
    findings = check({"age": 50, "conditions": conditions, "supplements": [mg()]})
    return {f.rule: f.key for f in findings if f.kind in ("condition", "unrecognised")}


def test_a_typed_condition_is_referred_to_by_its_text_not_its_place():
    keys = condition_finding_keys(["Kidney disease", "Zorblat syndrome"])
    assert keys == {
        "mg-kidney-disease": (
            "mg-kidney-disease|kidney disease,magnesium"
            "|condition:kidney disease,supplements[0]"
        ),
        "unrecognised-condition": (
            "unrecognised-condition|zorblat syndrome|condition:zorblat syndrome"
        ),
    }


@pytest.mark.parametrize(
    "changed",
    [
        ["Zorblat syndrome", "Kidney disease"],
        ["Myasthenia gravis", "Kidney disease", "Zorblat syndrome"],
        ["Kidney disease", "Myasthenia gravis", "Zorblat syndrome"],
        ["Epilepsy", "Zorblat syndrome", "Myasthenia gravis", "Kidney disease"],
    ],
    ids=["reordered", "added first", "added between", "added and reordered"],
)
def test_adding_or_reordering_conditions_keeps_existing_condition_finding_keys(
    changed,
):
    before = condition_finding_keys(["Kidney disease", "Zorblat syndrome"])
    after = condition_finding_keys(changed)
    assert before.items() <= after.items()


def test_a_condition_written_twice_is_checked_once():
    findings = check(
        {"conditions": ["Kidney disease", "kidney disease."], "supplements": [mg()]}
    )
    finding = by_rule(findings)["mg-kidney-disease"]
    assert [f.rule for f in findings].count("mg-kidney-disease") == 1
    assert finding.triggers == (
        ("supplements[0]", "Magnesium citrate (150 mg, 1 a day)"),
        ("condition:kidney disease", "Kidney disease"),
    )


def test_unknown_limits_set_is_refused():
    with pytest.raises(ValueError, match="limits"):
        engine.run(CaseFacts(), knowledge.load(), limits="fr")


def test_every_rule_kind_has_an_evaluator():
    assert set(engine._EVALUATORS) == set(KINDS)


def test_a_rule_of_a_kind_the_engine_cannot_evaluate_stops_the_check():
    kb = knowledge.load()
    rule = dataclasses.replace(kb.rules["mg-bisphosphonates"], kind="unheard_of")
    with pytest.raises(ValueError, match="mg-bisphosphonates: no evaluator"):
        engine._evaluate(rule, None, kb, "uk")
