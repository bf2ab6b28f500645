"""The knowledge base itself: coverage, citations, validation and versioning."""

import re
import shutil
from pathlib import Path

import pytest

from questionnaires.checks import check_knowledge
from questionnaires.interactions import knowledge
from questionnaires.interactions.knowledge import KnowledgeError

KB = knowledge.load()

# Every medicine named in shared/reference/interaction-facts.md.
REFERENCE_DRUGS = [
    "alendronic_acid",
    "risedronic_acid",
    "ibandronic_acid",
    "tiludronic_acid",
    "doxycycline",
    "tetracycline",
    "minocycline",
    "demeclocycline",
    "ciprofloxacin",
    "levofloxacin",
    "moxifloxacin",
    "ofloxacin",
    "levothyroxine",
    "furosemide",
    "bumetanide",
    "bendroflumethiazide",
    "hydrochlorothiazide",
    "indapamide",
    "chlortalidone",
    "amiloride",
    "spironolactone",
    "triamterene",
    "eplerenone",
    "omeprazole",
    "esomeprazole",
    "lansoprazole",
    "pantoprazole",
    "rabeprazole",
    "captopril",
    "enalapril",
    "fosinopril",
    "lisinopril",
    "ramipril",
    "perindopril",
    "losartan",
    "candesartan",
    "nifedipine",
    "amlodipine",
    "diltiazem",
    "verapamil",
    "felodipine",
    "gentamicin",
    "tobramycin",
    "streptomycin",
    "neomycin",
    "amikacin",
    "gabapentin",
    "digoxin",
    "nitrofurantoin",
    "penicillamine",
    "chloroquine",
    "hydroxychloroquine",
    "quinidine",
    "eltrombopag",
    "azithromycin",
    "cefaclor",
    "cefpodoxime",
    "cefdinir",
    "isoniazid",
    "cycloserine",
    "itraconazole",
    "ketoconazole",
    "rifampicin",
    "atazanavir",
    "tipranavir",
    "indinavir",
    "fexofenadine",
    "deflazacort",
    "dipyridamole",
    "phenytoin",
    "phenobarbital",
    "primidone",
    "carbamazepine",
    "mycophenolate_mofetil",
    "rosuvastatin",
    "atorvastatin",
    "simvastatin",
    "lovastatin",
    "pravastatin",
    "sulpiride",
    "erlotinib",
    "cetuximab",
    "panitumumab",
    "bevacizumab",
    "nivolumab",
    "ciclosporin",
    "tacrolimus",
    "cisplatin",
    "amphotericin_b",
    "sodium_polystyrene_sulfonate",
    "glipizide",
    "glibenclamide",
    "atenolol",
    "prednisolone",
    "colestyramine",
    "orlistat",
    "calcipotriol",
    "warfarin",
    "acenocoumarol",
    "apixaban",
    "rivaroxaban",
    "dabigatran",
    "edoxaban",
    "clopidogrel",
    "ticagrelor",
    "aspirin",
    "sertraline",
    "citalopram",
    "escitalopram",
    "fluoxetine",
    "sumatriptan",
    "irinotecan",
    "theophylline",
    "methadone",
    "finasteride",
    "co_careldopa",
    "entacapone",
    "methyldopa",
    "altretamine",
    "hydralazine",
    "methotrexate",
    "metformin",
    "trimethoprim",
    "letrozole",
    "anastrozole",
    "exemestane",
    "tamoxifen",
    "levonorgestrel_with_ethinylestradiol",
    "drospirenone",
    "sildenafil",
    "midazolam",
    "alprazolam",
    "amiodarone",
    "tubocurarine",
    "omega_3_acid_ethyl_esters",
    "colecalciferol",
    "folic_acid",
    "magnesium_aspartate",
]

# Every magnesium drug class in section 1.1 of the reference notes, by rule.
MAGNESIUM_RULES = {
    "bisphosphonates": "mg-bisphosphonates",
    "tetracyclines": "mg-tetracyclines",
    "fluoroquinolones": "mg-fluoroquinolones",
    "levothyroxine": "mg-levothyroxine",
    "loop diuretics": "mg-loop-diuretics",
    "thiazides": "mg-thiazide-diuretics",
    "potassium-sparing diuretics": "mg-potassium-sparing-diuretics",
    "PPIs (depletion)": "mg-ppi-depletion",
    "PPIs (lansoprazole absorption)": "mg-lansoprazole-absorption",
    "ACE inhibitors named in the SmPC": "mg-ace-inhibitor-absorption",
    "calcium-channel blockers and other antihypertensives": "mg-antihypertensives-bp",
    "aminoglycosides": "mg-aminoglycosides",
    "gabapentin": "mg-gabapentin",
    "digoxin": "mg-digoxin",
    "other SmPC absorption interactions (3-4 h)": "mg-absorption-3-4h",
    "other SmPC absorption interactions (2-3 h)": "mg-absorption-2-3h",
    "drugs that deplete magnesium": "mg-depleting-specialist-drugs",
    "neuromuscular blockers and CNS depressants": "mg-cns-depressants",
    "sodium polystyrene sulfonate": "mg-polystyrene-sulfonate",
    "sulfonylureas": "mg-hydroxide-sulfonylureas",
    "iron": "mg-iron-absorption",
    "high-dose zinc": "zinc-high-dose-mg",
    "severe kidney disease": "mg-severe-kidney-disease",
    "heart block": "mg-heart-block",
    "myasthenia gravis": "mg-myasthenia-gravis",
    "hyperphosphataemia (glycerophosphate)": "mg-glycerophosphate-hyperphosphataemia",
    "alcohol": "alcohol-mg-depletion",
}

ATOMIC_WEIGHTS = {
    "H": 1.008,
    "C": 12.011,
    "N": 14.007,
    "O": 15.999,
    "P": 30.974,
    "S": 32.06,
    "Cl": 35.45,
    "K": 39.098,
    "Mg": 24.305,
    "Ca": 40.078,
    "Fe": 55.845,
    "Cu": 63.546,
    "Zn": 65.38,
}


def test_every_rule_cites_at_least_one_source_with_a_title():
    for rule in KB.rules.values():
        assert rule.sources, rule.id
        assert all(source.title for source in rule.sources), rule.id


def test_every_rule_carries_a_verification_level():
    for rule in KB.rules.values():
        assert rule.evidence in {"V1", "V2", "C", "U"}, rule.id


def test_every_drug_has_a_who_atc_code():
    for drug in KB.drugs.values():
        assert re.fullmatch(r"[A-Z]\d{2}[A-Z]{2}(\d{2})?", drug.atc), drug.id


def test_every_drug_class_has_an_atc_code():
    for drug_class in KB.classes.values():
        assert drug_class.atc, drug_class.id


def test_at_least_150_medicines():
    assert len(KB.drugs) >= 150


@pytest.mark.parametrize("drug_id", REFERENCE_DRUGS)
def test_every_medicine_in_the_reference_notes_is_known(drug_id):
    assert drug_id in KB.drugs


@pytest.mark.parametrize("topic", MAGNESIUM_RULES)
def test_magnesium_covers_every_class_in_the_reference_notes(topic):
    assert MAGNESIUM_RULES[topic] in KB.rules


def test_lisinopril_and_ramipril_are_not_in_the_magnesium_absorption_rule():
    rule = KB.rules["mg-ace-inhibitor-absorption"]
    assert set(rule.drugs) == {"captopril", "enalapril", "fosinopril"}
    assert not rule.classes
    assert rule in KB.rules_by_drug["captopril"]
    assert rule not in KB.rules_by_drug["lisinopril"]
    assert KB.rules["mg-antihypertensives-bp"] in KB.rules_by_drug["ramipril"]


def test_red_flag_symptoms_are_exactly_the_agreed_keys():
    red_flags = {s.key for s in KB.symptoms.values() if s.red_flag}
    assert red_flags == {
        "unexplained_weight_loss",
        "blood_in_stool",
        "difficulty_swallowing",
        "chest_pain",
        "bowel_habit_change",
        "blood_in_urine",
        "persistent_heartburn",
        "new_lump",
    }
    for rule in KB.rules.values():
        if rule.kind == "red_flag":
            assert rule.severity == "refer"


def test_every_body_system_has_a_few_symptoms_including_muscle_cramps():
    systems: dict[str, list[str]] = {}
    for symptom in KB.symptoms.values():
        systems.setdefault(symptom.system, []).append(symptom.key)
    assert set(systems) == set(knowledge.BODY_SYSTEMS)
    assert all(3 <= len(keys) <= 7 for keys in systems.values()), systems
    assert "muscle_cramps" in systems["muscles and joints"]


def test_symptom_keys_are_documented():
    doc = (Path(__file__).parent.parent / "docs" / "symptom-keys.md").read_text()
    for key in KB.symptoms:
        assert f"`{key}`" in doc, key


def test_upper_limits_have_a_uk_value_or_an_eu_fallback_and_cite_each_set():
    for rule in KB.rules.values():
        if rule.kind == "upper_limit":
            assert "uk" in rule.limits or "eu" in rule.limits, rule.id
            for limits in rule.limits.values():
                assert all(limit.sources for limit in limits), rule.id


def _elemental_fraction(formula: str, element: str) -> float:
    counts: dict[str, float] = {}
    for part in formula.split("·"):
        multiplier = 1.0
        match = re.match(r"^(\d+(?:\.\d+)?)(.*)$", part)
        if match:
            multiplier, part = float(match.group(1)), match.group(2)
        for symbol, count in _count_atoms(part).items():
            counts[symbol] = counts.get(symbol, 0) + count * multiplier
    mass = sum(ATOMIC_WEIGHTS[s] * n for s, n in counts.items())
    return ATOMIC_WEIGHTS[element] * counts[element] / mass


def _count_atoms(formula: str) -> dict[str, int]:
    stack: list[dict[str, int]] = [{}]
    for token in re.findall(r"[A-Z][a-z]?\d*|\(|\)\d*", formula):
        if token == "(":
            stack.append({})
        elif token.startswith(")"):
            group = stack.pop()
            times = int(token[1:] or 1)
            for symbol, count in group.items():
                stack[-1][symbol] = stack[-1].get(symbol, 0) + count * times
        else:
            symbol, count = re.fullmatch(r"([A-Z][a-z]?)(\d*)", token).groups()
            stack[-1][symbol] = stack[-1].get(symbol, 0) + int(count or 1)
    return stack[0]


def test_elemental_fractions_match_their_formulas():
    elements = {"magnesium": "Mg", "calcium": "Ca", "iron": "Fe", "zinc": "Zn"}
    elements |= {"copper": "Cu", "potassium": "K"}
    checked = 0
    for nutrient_id, element in elements.items():
        for form in KB.nutrients[nutrient_id].forms:
            if form.fraction is None or form.ver.startswith("V"):
                continue  # no fraction (topical, MCHC), or a label figure: below
            expected = _elemental_fraction(form.formula, element)
            assert form.fraction == pytest.approx(expected, abs=0.002), form.id
            checked += 1
    assert checked >= 30


def test_ferrous_sulfate_uses_the_smpc_label_figure():
    # 200 mg dried ferrous sulfate = 65 mg iron (UK SmPC), not FeSO4.1.5H2O's 31.2 %.
    form = KB.nutrients["iron"].form("sulfate")
    assert 200 * form.fraction == pytest.approx(65)
    assert form.ver == "V1"


def test_magnesium_fractions_agree_with_the_reference_table():
    forms = {f.id: f.fraction for f in KB.nutrients["magnesium"].forms}
    assert forms["oxide"] == pytest.approx(0.603)
    assert forms["citrate"] == pytest.approx(0.162)
    assert forms["glycinate"] == pytest.approx(0.141)
    assert forms["threonate"] == pytest.approx(0.083)
    assert forms["glycerophosphate"] == pytest.approx(0.125)


# --- validation -----------------------------------------------------------------

MG_BISPHOSPHONATE_SOURCES = (
    'sources = ["smpc-magnaspartate", "alendronic-pil", "smpc-bonviva", "ods-mg"]'
)


@pytest.fixture
def broken(tmp_path):
    """A copy of the knowledge base that a test can damage."""
    copy = tmp_path / "knowledge"
    shutil.copytree(knowledge.KNOWLEDGE_DIR, copy)

    def damage(file: str, old: str, new: str) -> Path:
        path = copy / file
        text = path.read_text()
        assert old in text
        path.write_text(text.replace(old, new, 1))
        return copy

    return damage


@pytest.mark.parametrize(
    ("file", "old", "new", "entry", "problem"),
    [
        (
            "rules_magnesium.toml",
            'severity = "major"',
            'severity = "critical"',
            "rule mg-bisphosphonates",
            "`severity` must be one of refer, major, moderate, minor, info",
        ),
        (
            "rules_magnesium.toml",
            MG_BISPHOSPHONATE_SOURCES,
            "sources = []",
            "rule mg-bisphosphonates",
            "`sources` must cite at least one source",
        ),
        (
            "rules_magnesium.toml",
            'classes = ["bisphosphonates"]',
            'classes = ["bisphosphonate"]',
            "rule mg-bisphosphonates",
            "`classes` names unknown class 'bisphosphonate'",
        ),
        (
            "rules_magnesium.toml",
            MG_BISPHOSPHONATE_SOURCES,
            'sources = ["smpc-magnaspartate", "no-such-source"]',
            "rule mg-bisphosphonates",
            "unknown source 'no-such-source'",
        ),
        (
            "rules_magnesium.toml",
            'title = "Magnesium can stop {drug} being absorbed"',
            'title = "Magnesium can stop {medicine} being absorbed"',
            "rule mg-bisphosphonates",
            "`title` uses {medicine}",
        ),
        (
            "drugs.toml",
            'atc = "C09AA03"',
            'atc = "ACE"',
            "drug lisinopril",
            "`atc` 'ACE' is not a WHO ATC substance or group code",
        ),
        (
            "drugs.toml",
            'brands = ["Istin"]',
            'brands = ["Istin", "Zestril"]',
            "drug amlodipine",
            "name 'Zestril' is also a name of drug lisinopril",
        ),
        (
            "nutrients.toml",
            "fraction = 0.603",
            "fraction = 60.3",
            "nutrient magnesium",
            "`fraction` must be above 0 and at most 1",
        ),
        (
            "symptoms.toml",
            'key = "chest_pain"\nsystem = "heart and circulation"',
            'key = "chest_pain"\nsystem = "chest"',
            "symptom chest_pain",
            "`system` must be one of",
        ),
        (
            "rules_upper_limits.toml",
            "amount = 400",
            "amount = 0",
            "rule upper-limit-magnesium",
            "`amount` must be above zero",
        ),
    ],
)
def test_a_broken_file_names_the_file_the_entry_and_the_problem(
    broken, file, old, new, entry, problem
):
    directory = broken(file, old, new)
    with pytest.raises(KnowledgeError) as error:
        knowledge.load_uncached(directory)
    assert error.value.file == file
    assert error.value.entry == entry
    assert problem in error.value.problem
    assert str(error.value).startswith(f"{file}: {entry}: ")


def test_invalid_toml_names_the_file(broken):
    directory = broken("conditions.toml", "[[condition]]", "[[condition]")
    with pytest.raises(KnowledgeError, match=r"^conditions\.toml: -: not valid TOML"):
        knowledge.load_uncached(directory)


def test_system_check_reports_the_broken_entry(broken):
    directory = broken(
        "rules_red_flags.toml", 'severity = "refer"', 'severity = "urgent"'
    )
    [error] = check_knowledge(directory)
    assert error.id == "questionnaires.E001"
    assert "rules_red_flags.toml: rule red-flag-unexplained-weight-loss:" in error.msg
    assert "`severity` must be one of" in error.msg


def test_system_check_passes_on_the_shipped_knowledge():
    assert check_knowledge() == []


def test_version_is_a_short_content_hash(broken):
    assert re.fullmatch(r"[0-9a-f]{12}", KB.version)
    assert knowledge.load_uncached(knowledge.KNOWLEDGE_DIR).version == KB.version
    changed = broken("rules_magnesium.toml", "about 2 mm Hg", "about 2 mmHg")
    assert knowledge.load_uncached(changed).version != KB.version


def test_load_is_cached():
    assert knowledge.load() is knowledge.load()


def test_the_knowledge_base_is_loaded_once_however_its_folder_is_named(monkeypatch):
    def no_second_load(directory):
        raise AssertionError(f"{directory} loaded again")

    knowledge.load()
    monkeypatch.setattr(knowledge, "load_uncached", no_second_load)
    named = knowledge.KNOWLEDGE_DIR
    assert knowledge.load(named) is knowledge.load(str(named)) is knowledge.load()
    assert check_knowledge() == []  # the system check too
