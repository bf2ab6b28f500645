"""Issue 10: combination products, coverage, the new rule families, matching that
never lands on a different substance, red-flag words in free text, and `entries`."""

import json
import shutil
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command

from questionnaires.interactions import engine, knowledge
from questionnaires.interactions.doses import doses_per_day
from questionnaires.interactions.facts import CaseFacts
from questionnaires.interactions.matching import matcher_for

KB = knowledge.load()
MATCHER = matcher_for(KB)


def check(case: dict) -> engine.Check:
    return engine.check(CaseFacts.from_dict(case), KB)


def rules(case: dict) -> set[str]:
    return {f.rule for f in check(case).findings}


def entry(case: dict, ref: str) -> dict:
    found = [e.to_dict(KB) for e in check(case).entries if e.ref == ref]
    assert len(found) == 1, ref
    return found[0]


def daily(case: dict, ref: str) -> dict[str, float | None]:
    return {n["id"]: n["daily"] for n in entry(case, ref)["nutrients"]}


# --- realistic clients for each new family: (case, expected, forbidden) -----------

CLIENTS = {
    "78-year-old on levothyroxine, ciprofloxacin, doxycycline and alendronic acid "
    "taking Centrum Silver (review E2)": (
        {
            "age": 78,
            "medications": [
                {"name": "Levothyroxine 75mcg"},
                {"name": "Ciprofloxacin 500mg twice daily"},
                {"name": "Doxycycline 100mg"},
                {"name": "Alendronic acid 70mg", "frequency": "weekly"},
            ],
            "supplements": [{"name": "Centrum Silver 50+"}],
        },
        {
            "ca-levothyroxine",
            "iron-levothyroxine",
            "mg-levothyroxine",
            "ca-tetracyclines-quinolones",
            "iron-tetracyclines-quinolones",
            "zinc-tetracyclines-quinolones",
            "mg-fluoroquinolones",
            "mg-tetracyclines",
            "ca-bisphosphonates",
            "mg-bisphosphonates",
            "unrecognised-dose",
        },
        {"unrecognised-supplement", "ca-iron", "zinc-iron", "mg-iron-absorption"},
    ),
    "ramipril and Entresto, cooking with LoSalt (review E20)": (
        {
            "medications": [{"name": "Ramipril 5mg"}, {"name": "Entresto"}],
            "supplements": [{"name": "LoSalt"}],
        },
        {"k-acei-arbs"},
        {"unrecognised-supplement"},
    ),
    "spironolactone with a salt substitute written under medicines": (
        {"medications": [{"name": "Spironolactone 25mg"}, {"name": "Lo Salt"}]},
        {"k-potassium-sparing"},
        {"unrecognised-medication"},
    ),
    "apixaban for atrial fibrillation with St John's wort (review E23)": (
        {
            "conditions": ["atrial fibrillation"],
            "medications": [{"name": "Eliquis 5mg twice daily"}],
            "supplements": [{"name": "St John's wort 300mg"}],
        },
        {"sjw-doacs"},
        set(),
    ),
    "rivaroxaban with Kira St John's wort": (
        {
            "medications": [{"name": "Rivaroxaban 20mg"}],
            "supplements": [{"name": "Kira"}],
        },
        {"sjw-doacs"},
        set(),
    ),
    "warfarin with glucosamine and chondroitin for knees": (
        {
            "medications": [{"name": "Warfarin 3mg"}],
            "supplements": [{"name": "Glucosamine & chondroitin", "amount": 1500}],
        },
        {"glucosamine-warfarin"},
        {"unrecognised-supplement"},
    ),
    "warfarin with vitamin E 400 IU, garlic and red clover": (
        {
            "medications": [{"name": "Warfarin"}],
            "supplements": [
                {"name": "Vitamin E", "amount": 400, "unit": "IU"},
                {"name": "Odourless garlic"},
                {"name": "Red clover isoflavones"},
            ],
        },
        {"vitamin-e-warfarin", "garlic-anticoagulants", "red-clover-warfarin"},
        set(),
    ),
    "clopidogrel with garlic": (
        {
            "medications": [{"name": "Clopidogrel 75mg"}],
            "supplements": [{"name": "Garlic oil capsules"}],
        },
        {"garlic-anticoagulants"},
        set(),
    ),
    "sertraline and sumatriptan with 5-HTP for sleep": (
        {
            "medications": [{"name": "Sertraline 50mg"}, {"name": "Sumatriptan 50mg"}],
            "supplements": [{"name": "5-HTP 100mg"}],
        },
        {"5htp-serotonergic"},
        set(),
    ),
    "tramadol with 5-HTP": (
        {
            "medications": [{"name": "Tramadol 50mg"}],
            "supplements": [{"name": "Griffonia 5-HTP"}],
        },
        {"5htp-serotonergic"},
        set(),
    ),
    "Graves' disease on carbimazole taking kelp": (
        {
            "conditions": ["Graves' disease"],
            "medications": [{"name": "Carbimazole 20mg"}],
            "supplements": [{"name": "Sea kelp tablets"}],
        },
        {"iodine-antithyroid", "iodine-thyroid-conditions"},
        set(),
    ),
    "amiodarone and lithium with potassium iodide drops": (
        {
            "medications": [
                {"name": "Amiodarone 200mg"},
                {"name": "Lithium carbonate"},
            ],
            "supplements": [{"name": "Potassium iodide"}],
        },
        {"iodine-amiodarone", "iodine-lithium"},
        {"k-other-raising-drugs", "unrecognised-supplement"},
    ),
    "isotretinoin with cod liver oil": (
        {
            "medications": [{"name": "Isotretinoin 20mg"}],
            "supplements": [{"name": "Cod liver oil"}],
        },
        {"vitamin-a-retinoids"},
        set(),
    ),
    "acitretin for psoriasis with a vitamin A supplement": (
        {
            "medications": [{"name": "Neotigason 25mg"}],
            "supplements": [{"name": "Vitamin A", "amount": 1500, "unit": "mcg"}],
        },
        {"vitamin-a-retinoids"},
        set(),
    ),
    "furosemide for heart failure": (
        {"medications": [{"name": "Furosemide 40mg"}]},
        {"loop-diuretics-potassium", "mg-loop-diuretics"},
        set(),
    ),
    "yearly zoledronic acid infusion with calcium and vitamin D": (
        {
            "medications": [
                {"name": "Zoledronic acid infusion", "frequency": "yearly"}
            ],
            "supplements": [{"name": "Calcium citrate", "amount": 500}],
        },
        {"zoledronic-acid-calcium-vitamin-d"},
        set(),
    ),
    "alfacalcidol with a vitamin D3 supplement": (
        {
            "medications": [{"name": "Alfacalcidol 0.5 micrograms"}],
            "supplements": [{"name": "Vitamin D3", "amount": 25, "unit": "mcg"}],
        },
        {"active-vitamin-d-supplements"},
        set(),
    ),
    "famotidine taken for years": (
        {"medications": [{"name": "Famotidine 20mg"}]},
        {"h2-blockers-b12"},
        set(),
    ),
    "30 units of alcohol a week": (
        {"alcohol_units_per_week": 30},
        {"alcohol-thiamine"},
        set(),
    ),
    "a smoker taking beta-carotene": (
        {"smoker": True, "supplements": [{"name": "Beta carotene 15mg"}]},
        {"beta-carotene-smokers"},
        set(),
    ),
    "levothyroxine with a hair, skin and nails biotin product": (
        {
            "medications": [{"name": "Levothyroxine 100mcg"}],
            "supplements": [{"name": "Biotin", "amount": 10000, "unit": "mcg"}],
        },
        {"biotin-thyroid-tests"},
        set(),
    ),
    "primary hyperparathyroidism and kidney stones taking calcium and D3": (
        {
            "conditions": ["primary hyperparathyroidism", "kidney stones"],
            "supplements": [
                {"name": "Calcium citrate", "amount": 500},
                {"name": "Vitamin D3", "amount": 1000, "unit": "IU"},
            ],
        },
        {"calcium-vitamin-d-high-calcium"},
        {"unrecognised-condition"},
    ),
    "haemochromatosis with iron and vitamin C": (
        {
            "conditions": ["haemochromatosis"],
            "supplements": [
                {"name": "Ferrous bisglycinate", "amount": 14},
                {"name": "Vitamin C 1000mg"},
            ],
        },
        {"iron-haemochromatosis", "vitamin-c-haemochromatosis"},
        {"unrecognised-condition"},
    ),
    "sarcoidosis with Adcal-D3 on prescription": (
        {
            "conditions": ["sarcoidosis"],
            "medications": [
                {"name": "Adcal-D3", "frequency": "one tablet twice daily"}
            ],
        },
        {"calcium-vitamin-d-sarcoidosis"},
        {"unrecognised-condition", "unrecognised-medication"},
    ),
    "warfarin with milk thistle and ginseng": (
        {
            "medications": [{"name": "Warfarin 5mg"}],
            "supplements": [
                {"name": "Milk thistle"},
                {"name": "Korean ginseng"},
                {"name": "Chamomile"},
            ],
        },
        {"herbs-anticoagulant-bleeding", "ginseng-warfarin"},
        set(),
    ),
    "heart failure with a high-dose biotin hair product": (
        {
            "conditions": ["heart failure"],
            "supplements": [{"name": "Biotin", "amount": 10, "unit": "mg"}],
        },
        {"biotin-lab-tests-heart"},
        set(),
    ),
    "an adult taking 150 mcg iodine drops four times a day": (
        {
            "age": 45,
            "supplements": [
                {"name": "Iodine drops", "amount": 150, "unit": "mcg", "per_day": 4}
            ],
        },
        {"upper-limit-iodine"},
        set(),
    ),
    # The outside review's own cases (section 8), re-run.
    "review cal.json: alfacalcidol, bendroflumethiazide, D3, calcium, cod liver oil; "
    "sarcoidosis, haemochromatosis": (
        {
            "age": 72,
            "conditions": ["sarcoidosis", "haemochromatosis"],
            "medications": [
                {"name": "Alfacalcidol 1 microgram"},
                {"name": "Bendroflumethiazide 2.5mg"},
            ],
            "supplements": [
                {"name": "Vitamin D3", "amount": 1000, "unit": "IU"},
                {"name": "Calcium", "amount": 500},
                {"name": "Cod liver oil"},
            ],
        },
        {
            "active-vitamin-d-supplements",
            "calcium-vitamin-d-sarcoidosis",
            "ca-thiazides",
        },
        {"unrecognised-condition"},
    ),
    "review warf.json: warfarin with vitamin E, turmeric, cranberry, K2, glucosamine": (
        {
            "medications": [{"name": "Warfarin"}],
            "supplements": [
                {"name": "Vitamin E", "amount": 400, "unit": "mg"},
                {"name": "Turmeric"},
                {"name": "Cranberry"},
                {"name": "Vitamin K2", "amount": 100, "unit": "mcg"},
                {"name": "Glucosamine"},
            ],
        },
        {
            "vitk-warfarin",
            "turmeric-anticoagulants",
            "vitamin-e-warfarin",
            "glucosamine-warfarin",
            "cranberry-warfarin",
        },
        {"unrecognised-supplement"},
    ),
    "simvastatin with red yeast rice (EFSA 2018; Regulation (EU) 2022/860)": (
        {
            "age": 63,
            "medications": [{"name": "Simvastatin 40mg"}],
            "supplements": [{"name": "Red yeast rice extract"}],
        },
        {"red-yeast-rice-statins"},
        {"unrecognised-supplement"},
    ),
    "liquorice root with hypertension (J Hum Hypertens 2017)": (
        {
            "age": 58,
            "conditions": ["hypertension"],
            "supplements": [{"name": "Licorice root"}],
        },
        {"liquorice-hypertension"},
        {"unrecognised-supplement"},
    ),
    "green tea extract with cirrhosis (EFSA 2018)": (
        {
            "age": 58,
            "conditions": ["cirrhosis"],
            "supplements": [{"name": "Green tea extract", "amount": 500}],
        },
        {"green-tea-extract-liver"},
        {"unrecognised-supplement"},
    ),
}


def test_every_new_rule_fires_for_some_realistic_client():
    new = {r.id for r in KB.rules.values() if r.file == "rules_coverage.toml"}
    covered = set().union(*(expected for _, expected, _ in CLIENTS.values()))
    assert new <= covered, f"no client for {new - covered}"


@pytest.mark.parametrize(("amount", "fires"), [(500, False), (501, True)])
def test_iodine_limit_is_above_not_at_the_uk_guidance_level(amount, fires):
    case = {
        "age": 45,
        "supplements": [{"name": "Iodine", "amount": amount, "unit": "mcg"}],
    }
    assert ("upper-limit-iodine" in rules(case)) is fires


def test_iodine_adult_limit_is_never_applied_to_a_child():
    case = {
        "age": 10,
        "supplements": [{"name": "Iodine", "amount": 900, "unit": "mcg"}],
    }
    assert "upper-limit-iodine" not in rules(case)


@pytest.mark.parametrize("name", CLIENTS)
def test_realistic_client_gets_the_new_findings(name):
    case, expected, forbidden = CLIENTS[name]
    found = rules(case)
    assert expected <= found, f"missing {expected - found}"
    assert not (forbidden & found), f"unexpected {forbidden & found}"


@pytest.mark.parametrize(
    "case",
    [
        # Each family stays quiet without its trigger.
        {"medications": [{"name": "Apixaban"}], "supplements": [{"name": "Turmeric"}]},
        {
            "medications": [{"name": "Sertraline"}],
            "supplements": [{"name": "Magnesium"}],
        },
        {"conditions": ["hypothyroidism"], "supplements": [{"name": "Selenium"}]},
        {"smoker": False, "supplements": [{"name": "Beta carotene 15mg"}]},
        {"alcohol_units_per_week": 10},
        {"medications": [{"name": "Alfacalcidol 0.5 micrograms"}]},
    ],
)
def test_new_families_need_their_trigger(case):
    new = {r.id for r in KB.rules.values() if r.file == "rules_coverage.toml"}
    assert not (rules(case) & new)


def test_st_johns_wort_with_a_doac_names_the_source_and_is_major():
    found = {
        f.rule: f
        for f in check(
            CLIENTS[next(iter(k for k in CLIENTS if "Kira" in k))][0]
        ).findings
    }
    finding = found["sjw-doacs"]
    assert finding.severity == "major"
    assert "rivaroxaban" in finding.title
    assert any("PMC4715848" in s.url for s in finding.sources)


# --- combination products ---------------------------------------------------------


def test_a_known_product_counts_its_label_amounts_toward_totals():
    case = {
        "age": 70,
        "medications": [{"name": "Adcal-D3", "frequency": "one tablet twice daily"}],
        "supplements": [{"name": "Calcium carbonate", "amount": 500}],
    }
    assert daily(case, "medications[0]") == {"calcium": 1200.0, "vitamin_d": 20.0}
    limit = next(f for f in check(case).findings if f.rule == "upper-limit-calcium")
    assert "Adcal-D3: 1200 mg" in limit.message


def test_a_product_under_supplements_uses_doses_a_day():
    case = {"supplements": [{"name": "Calcichew D3 Forte", "per_day": 2}]}
    assert daily(case, "supplements[0]") == {"calcium": 1000.0, "vitamin_d": 20.0}
    assert entry(case, "supplements[0]")["matched"] == [
        {"id": "calcichew_d3_forte", "name": "calcichew-d3 forte", "kind": "product"}
    ]


@pytest.mark.parametrize(
    ("text", "calcium", "vitamin_d"),
    [
        ("TheiCal-D3", 1000.0, 22.0),
        ("Accrete D3", 600.0, 10.0),
        ("Accrete D3 One a Day", 1000.0, 22.0),
        ("Evacal D3", 600.6, 10.0),
        ("Calcichew-D3", 500.0, 5.0),
        ("Adcal-D3 caplets", 300.3, 5.0),
    ],
)
def test_calcium_and_vitamin_d_products_carry_their_smpc_amounts(
    text, calcium, vitamin_d
):
    found = daily({"supplements": [{"name": text}]}, "supplements[0]")
    assert found["calcium"] == pytest.approx(calcium, abs=1)
    assert found["vitamin_d"] == pytest.approx(vitamin_d, abs=0.01)


def test_a_product_taken_an_unknown_number_of_times_still_says_so():
    case = {"medications": [{"name": "Accrete D3", "frequency": "as directed"}]}
    nutrients = entry(case, "medications[0]")["nutrients"]
    assert {n["id"] for n in nutrients} == {"calcium", "vitamin_d"}
    assert all(n["daily"] is None and "how many a day" in n["note"] for n in nutrients)
    dose = next(f for f in check(case).findings if f.rule == "unrecognised-dose")
    assert "calcium and vitamin d" in dose.message


def test_every_nutrient_in_every_product_is_present_in_the_entry():
    for product in KB.products.values():
        case = {"supplements": [{"name": product.name}]}
        listed = {n["id"] for n in entry(case, "supplements[0]")["nutrients"]}
        assert {c.nutrient for c in product.contents} <= listed, product.id


def test_cod_liver_oil_supplies_vitamin_d_and_vitamin_a():
    case = {"supplements": [{"name": "Seven Seas cod liver oil"}]}
    listed = {n["id"] for n in entry(case, "supplements[0]")["nutrients"]}
    assert {"omega_3", "vitamin_a", "vitamin_d"} <= listed


def test_a_multivitamin_is_one_dose_question_not_twelve():
    findings = check({"supplements": [{"name": "Sanatogen A-Z complete"}]}).findings
    doses = [f for f in findings if f.rule == "unrecognised-dose"]
    assert len(doses) == 1
    assert {"calcium", "iron", "zinc", "magnesium"} <= set(doses[0].subjects)


@pytest.mark.parametrize(
    ("text", "per_day"),
    [
        ("one tablet twice daily", 2),
        ("Two tablets once a day", 2),
        ("2 a day", 2),
        ("bd", 2),
        ("TDS", 3),
        ("1 caplet morning and evening", 2),
        ("daily", 1),
        ("once weekly", None),
        ("when needed", None),
        ("as directed", None),
        ("", None),
    ],
)
def test_how_often_a_medicine_is_taken(text, per_day):
    assert doses_per_day(text) == per_day


# --- matching never lands on a different substance -----------------------------


@pytest.mark.parametrize(
    ("text", "nutrient"),
    [
        ("Potassium iodide", "iodine"),
        ("Potassium iodate drops", "iodine"),
        ("Calcium pantothenate 500mg", "pantothenic_acid"),
        ("Calcium ascorbate", "vitamin_c"),
        ("Sodium selenite", "selenium"),
        ("Chromium picolinate", "chromium"),
        ("Kelp", "kelp"),
    ],
)
def test_a_salt_maps_to_what_it_is_sold_for(text, nutrient):
    assert MATCHER.nutrient(text).ids == (nutrient,)


@pytest.mark.parametrize(
    ("text", "condition"),
    [
        ("Hyperparathyroidism", "hyperparathyroidism"),
        ("hyperparathyroidsm", "hyperparathyroidism"),  # one typo: still itself
        ("hypothyroidsm", "hypothyroidism"),
        ("Haemochromatosis", "haemochromatosis"),
        ("Hypothyroid", "hypothyroidism"),  # only the ending left off
        ("hyperthyroid", "hyperthyroidism"),
        ("hyperparathyroid", "hyperparathyroidism"),
        ("perimenopausal", "menopause"),
        ("osteoporotic", "osteoporosis"),
    ],
)
def test_conditions_match_themselves(text, condition):
    assert MATCHER.condition(text).ids == (condition,)


@pytest.mark.parametrize(
    "text",
    [
        "hyperprolactinaemia",  # not a kind of hyperthyroidism
        "hypoparathyroidism",  # not hypothyroidism, not hyperparathyroidism
        "hypertriglyceridaemia",
        "osteopetrosis",  # not osteoporosis
        "hypoparathyroid",  # a stem of nothing known: not hyperparathyroidism
    ],
)
def test_a_different_condition_is_left_for_a_person_not_guessed(text):
    found = MATCHER.condition(text)
    assert not found.matched
    assert "unrecognised-condition" in rules({"conditions": [text]})


# --- red-flag words typed as free text ---------------------------------------------


@pytest.mark.parametrize(
    ("where", "text", "rule"),
    [
        ("conditions", "blood in the stool", "red-flag-blood-in-stool"),
        ("conditions", "Black stools since last week", "red-flag-blood-in-stool"),
        (
            "notes",
            "I have been losing weight without trying",
            "red-flag-unexplained-weight-loss",
        ),
        ("notes", "some difficulty swallowing bread", "red-flag-difficulty-swallowing"),
        ("notes", "chest pain when walking uphill", "red-flag-chest-pain"),
        ("notes", "Vomiting blood twice", "red-flag-blood-in-stool"),
        ("reason", "for chest pain", "red-flag-chest-pain"),
    ],
)
def test_red_flag_words_in_free_text_raise_the_red_flag(where, text, rule):
    if where == "conditions":
        case = {"conditions": [text]}
    elif where == "notes":
        case = {"notes": {"anything_else": text}}
    else:
        case = {"medications": [{"name": "GTN spray", "reason": text}]}
    found = {f.rule: f for f in check(case).findings}
    assert found[rule].severity == "refer"
    assert any(text in label for _, label in found[rule].triggers)


def test_a_scored_symptom_and_the_same_words_make_one_finding():
    case = {"symptoms": {"chest_pain": 2}, "notes": {"anything_else": "chest pain"}}
    flags = [f for f in check(case).findings if f.rule == "red-flag-chest-pain"]
    assert len(flags) == 1
    assert {ref for ref, _ in flags[0].triggers} == {
        "symptoms.chest_pain",
        "notes.anything_else",
    }


def test_ordinary_free_text_raises_no_red_flag():
    case = {"notes": {"anything_else": "I would like more energy and better sleep"}}
    assert not [f for f in check(case).findings if f.kind == "red_flag"]


# --- entries: what each answer was understood as ---------------------------------


def test_entries_say_how_each_answer_was_matched():
    case = {
        "medications": [
            {"name": "Lisinopril 10mg", "ref": "medication:a"},
            {"name": "Atorvastatn 40mg", "ref": "medication:b"},
            {"name": "Heart tablet", "ref": "medication:c", "matched_as": "digoxin"},
            {"name": "Xylophonex", "ref": "medication:d"},
        ],
        "supplements": [
            {
                "name": "Holland & Barrett magnesium citrate",
                "amount": 150,
                "per_day": 2,
                "ref": "supplement:e",
            },
            {"name": "Ashwagandha", "ref": "supplement:f"},
        ],
        "conditions": ["Osteoporosis", "Ehlers-Danlos syndrome"],
    }
    got = {e.ref: e.to_dict(KB) for e in check(case).entries}
    assert got["medication:a"]["how"] == "exact"
    assert got["medication:a"]["matched"] == [
        {"id": "lisinopril", "name": "lisinopril", "kind": "drug"}
    ]
    assert got["medication:b"]["how"] == "fuzzy"
    assert got["medication:c"]["how"] == "by hand"
    assert got["medication:d"]["how"] == "unmatched"
    assert got["medication:d"]["status"] == "unrecognised"
    assert got["supplement:e"]["how"] == "phrase"
    assert got["supplement:e"]["nutrients"] == [
        {
            "id": "magnesium",
            "name": "magnesium",
            "form": "citrate",
            "daily": 300.0,
            "unit": "mg",
            "counted": True,
            "note": "",
        }
    ]
    assert got["supplement:f"]["status"] == "no_rules"
    assert got["condition:osteoporosis"]["matched"][0]["kind"] == "condition"
    assert got["condition:ehlers danlos syndrome"]["how"] == "unmatched"
    assert len(got) == 8  # every medication, supplement and condition entry


def test_an_entry_lists_the_closest_names_when_unmatched():
    case = {"medications": [{"name": "Dexlansoprazole"}]}
    assert "lansoprazole" in entry(case, "medications[0]")["candidates"]


def test_recognised_with_no_rule_is_not_the_same_as_not_recognised():
    case = {"supplements": [{"name": "Ashwagandha"}, {"name": "Gotu kola"}]}
    got = {e.ref: e.status_text for e in check(case).entries}
    assert got["supplements[0]"] == "recognised; no interaction in our knowledge base"
    assert got["supplements[1]"] == "not recognised: a person must match it"
    assert rules(case) == {"unrecognised-supplement"}


# --- the case-file command: `entries` is part of the fixed JSON interface ---------


def _command(tmp_path, case: dict, *args: str) -> str:
    path = tmp_path / "case.json"
    path.write_text(json.dumps(case))
    out = StringIO()
    call_command("check_interactions", str(path), *args, stdout=out)
    return out.getvalue()


def test_command_json_lists_every_entry_with_the_documented_fields(tmp_path):
    case = {
        "medications": [{"name": "Adcal-D3", "frequency": "twice daily"}],
        "supplements": [{"name": "Magnesium citrate", "amount": 150}],
        "conditions": ["sarcoidosis", "Ehlers-Danlos syndrome"],
    }
    document = json.loads(_command(tmp_path, case, "--format", "json"))
    entries = document["entries"]
    assert [e["ref"] for e in entries] == [
        "medications[0]",
        "supplements[0]",
        "condition:sarcoidosis",
        "condition:ehlers danlos syndrome",
    ]
    for item in entries:
        assert set(item) == {
            "list",
            "ref",
            "text",
            "how",
            "matched",
            "candidates",
            "status",
            "nutrients",
        }
    adcal = entries[0]
    assert adcal["list"] == "medications"
    assert adcal["matched"] == [
        {"id": "adcal_d3_chewable", "name": "adcal-d3", "kind": "product"}
    ]
    assert [(n["id"], n["daily"], n["unit"]) for n in adcal["nutrients"]] == [
        ("calcium", 1200.0, "mg"),
        ("vitamin_d", 20.0, "mcg"),
    ]
    assert entries[3]["how"] == "unmatched"
    assert entries[3]["matched"] == []


def test_command_text_shows_what_each_entry_was_understood_as(tmp_path):
    case = {"supplements": [{"name": "Ashwagandha"}, {"name": "Gotu kola"}]}
    text = _command(tmp_path, case)
    assert "WHAT EACH ENTRY WAS UNDERSTOOD AS" in text
    assert (
        "Ashwagandha: ashwagandha (nutrient) [exact] - recognised; no interaction"
        in text
    )
    assert "Gotu kola: nothing [unmatched] - not recognised" in text


# --- validation of the new tables --------------------------------------------------

ACCRETE = (
    'contents = [\n  { nutrient = "calcium", amount = 600, unit = "mg", '
    'form = "carbonate" },'
)


@pytest.mark.parametrize(
    ("file", "old", "new", "problem"),
    [
        (
            "products_combination.toml",
            ACCRETE,
            ACCRETE.replace('"calcium"', '"calcuim"'),
            "product accrete_d3: `contents` names unknown nutrient 'calcuim'",
        ),
        (
            "products_combination.toml",
            ACCRETE,
            ACCRETE.replace('unit = "mg"', 'unit = "IU"'),
            "product accrete_d3: calcium: IU cannot be converted",
        ),
        (
            "products_combination.toml",
            ACCRETE,
            ACCRETE.replace('form = "carbonate"', 'form = "carbonite"'),
            "product accrete_d3: calcium: unknown form 'carbonite'",
        ),
        (
            "products_combination.toml",
            'sources = ["smpc-accrete-d3"]',
            "sources = []",
            "product accrete_d3: `sources` must list at least one item",
        ),
        (
            "products_combination.toml",
            'aliases = ["accrete-d3", "accrete d3 film coated"',
            'aliases = ["theical", "accrete d3 film coated"',
            "name 'theical' is also a name of product accrete_d3",
        ),
        (
            "red_flag_text.toml",
            'symptom = "chest_pain"',
            'symptom = "fatigue"',
            "red_flag_text fatigue: symptom fatigue is not a red flag",
        ),
    ],
)
def test_a_broken_product_or_phrase_names_the_file_the_entry_and_the_problem(
    tmp_path, file, old, new, problem
):
    copy = tmp_path / "knowledge"
    shutil.copytree(knowledge.KNOWLEDGE_DIR, copy)
    path = copy / file
    text = path.read_text()
    assert old in text
    path.write_text(text.replace(old, new, 1))
    with pytest.raises(knowledge.KnowledgeError) as error:
        knowledge.load_uncached(copy)
    assert str(error.value).startswith(f"{file}: ")
    assert problem in str(error.value)


def test_forceval_counts_its_label_and_its_beta_carotene_is_not_vitamin_a():
    case = {"supplements": [{"name": "Forceval capsules", "per_day": 1}]}
    got = daily(case, "supplements[0]")
    assert got["iron"] == 12 and got["zinc"] == 15 and got["calcium"] == 108
    assert got["vitamin_d"] == pytest.approx(10)  # 400 IU
    assert "vitamin_a" not in got and got["beta_carotene"] is None
    assert not {"biotin-thyroid-tests", "biotin-lab-tests-heart"} & rules(
        {**case, "medications": [{"name": "Levothyroxine"}]}
    )  # 100 mcg of biotin is a multivitamin amount


@pytest.mark.parametrize(("mcg", "fires"), [(999, False), (1000, True)])
def test_biotin_blood_test_caution_starts_at_1_mg(mcg, fires):
    case = {
        "medications": [{"name": "Levothyroxine"}],
        "supplements": [{"name": "Biotin", "amount": mcg, "unit": "mcg"}],
    }
    assert ("biotin-thyroid-tests" in rules(case)) is fires


def test_the_combination_products_example_case(tmp_path):
    path = Path(__file__).with_name("cases") / "combination_products.json"
    document = json.loads(
        _command(tmp_path, json.loads(path.read_text()), "--format", "json")
    )
    found = {f["rule"] for f in document["findings"]}
    assert {
        "red-flag-blood-in-stool",
        "sjw-doacs",
        "ca-levothyroxine",
        "iron-levothyroxine",
        "calcium-vitamin-d-sarcoidosis",
        "beta-carotene-smokers",
    } <= found
    entries = {e["ref"]: e for e in document["entries"]}
    assert entries["medication:adcal"]["nutrients"][0]["daily"] == 1200.0
    assert {"vitamin_d", "vitamin_a"} <= {
        n["id"] for n in entries["supplement:clo"]["nutrients"]
    }


@pytest.mark.parametrize(
    ("name", "strength", "counted"),
    [
        ("Calcichew D3 500mg/400IU", "", False),  # the 200 IU product's name
        ("Calcichew D3", "500 mg / 400 IU", False),
        ("Calcichew D3 Forte 500mg/400IU", "", True),
        ("Calcichew D3", "500mg/200IU", True),
        ("Accrete D3", "600mg/10 micrograms", True),
        ("Adcal-D3 1.5g/400IU", "", True),  # 1.5 g of the salt; 400 IU = 10 mcg
    ],
)
def test_a_written_strength_that_contradicts_the_label_is_not_counted(
    name, strength, counted
):
    case = {"medications": [{"name": name, "strength": strength, "frequency": "bd"}]}
    nutrients = entry(case, "medications[0]")["nutrients"]
    assert all((n["daily"] is not None) is counted for n in nutrients)
    if not counted:
        assert all("check which product it is" in n["note"] for n in nutrients)


def test_a_supplement_dose_field_holding_the_tablet_weight_is_no_contradiction():
    case = {
        "supplements": [{"name": "Calcichew D3 Forte", "amount": 1250, "per_day": 2}]
    }
    assert daily(case, "supplements[0]") == {"calcium": 1000.0, "vitamin_d": 20.0}
