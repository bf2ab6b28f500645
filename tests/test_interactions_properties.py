"""Properties the engine must keep for any client, checked with hypothesis."""

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from questionnaires.interactions import engine, knowledge
from questionnaires.interactions.facts import (
    CaseFacts,
    MedicationEntry,
    SupplementEntry,
)
from tests.fuzzing import examples

KB = knowledge.load()

MEDICINES = [
    "Lisinopril 10mg",
    "Amlodipine 5mg",
    "Alendronic acid 70mg",
    "Levothyroxine 100mcg",
    "Aspirin 75mg",
    "Omeprazole 20mg",
    "Metformin 500mg",
    "Furosemide 40mg",
    "Bendroflumethiazide 2.5mg",
    "Spironolactone 25mg",
    "Warfarin",
    "Sertraline 50mg",
    "Doxycycline 100mg",
    "Gabapentin 300mg",
    "Digoxin 125mcg",
    "Methotrexate 10mg",
    "Letrozole 2.5mg",
    "Xylophonex",
]
PRODUCTS = [
    ("Magnesium citrate", "mg"),
    ("Magnesium glycinate", "mg"),
    ("Magnesium oxide", "mg"),
    ("Calcium carbonate", "mg"),
    ("Vitamin D3", "IU"),
    ("Vitamin D3", "mcg"),
    ("Zinc picolinate", "mg"),
    ("Ferrous fumarate", "mg"),
    ("Vitamin B6", "mg"),
    ("Folic acid", "mcg"),
    ("Fish oil", "mg"),
    ("Vitamin A", "mcg"),
    ("Potassium citrate", "mg"),
    ("St John's Wort", "mg"),
    ("Vitamin K2", "mcg"),
    ("Cod liver oil", "mg"),
]
CONDITIONS = ["CKD stage 4", "kidney disease", "pregnant", "osteoporosis", "epilepsy"]
# Entries that no rule concerns, so adding one can never take a finding away.
UNRELATED_MEDICINES = ["Paracetamol 500mg", "Salbutamol inhaler", "Latanoprost drops"]
UNRELATED_SUPPLEMENTS = ["Vitamin C", "Probiotic", "Collagen peptides"]
# Conditions that none of CONDITIONS matches, so adding one adds findings of its own.
OTHER_CONDITIONS = ["myasthenia gravis", "liver disease", "Zorblat syndrome"]

supplements = st.builds(
    lambda product, amount, per_day, basis, unknown: SupplementEntry(
        name=product[0],
        amount=amount,
        unit=product[1],
        per_day=per_day,
        basis=basis,
        amount_unknown=unknown,
    ),
    st.sampled_from(PRODUCTS),
    st.floats(min_value=0.5, max_value=5000, allow_nan=False, allow_infinity=False),
    st.integers(min_value=1, max_value=4),
    st.sampled_from(["elemental", "compound"]),
    st.booleans(),
)
cases = st.builds(
    lambda age, pregnant, conditions, meds, supps, alcohol, symptoms: CaseFacts(
        age=age,
        pregnant=pregnant,
        conditions=tuple(conditions),
        medications=tuple(
            MedicationEntry(name=n, ref=f"medications[{i}]") for i, n in enumerate(meds)
        ),
        supplements=tuple(
            SupplementEntry(**{**s.__dict__, "ref": f"supplements[{i}]"})
            for i, s in enumerate(supps)
        ),
        alcohol_units_per_week=alcohol,
        symptoms=symptoms,
    ),
    st.one_of(st.none(), st.integers(min_value=18, max_value=100)),
    st.booleans(),
    st.lists(st.sampled_from(CONDITIONS), max_size=2),
    st.lists(st.sampled_from(MEDICINES), max_size=6),
    st.lists(supplements, max_size=6),
    st.one_of(st.none(), st.floats(min_value=0, max_value=60)),
    st.dictionaries(
        st.sampled_from(sorted(KB.symptoms)),
        st.integers(min_value=0, max_value=3),
        max_size=4,
    ),
)
PROPERTY_SETTINGS = settings(
    max_examples=examples(150),
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)


@PROPERTY_SETTINGS
@given(
    cases, st.sampled_from(UNRELATED_MEDICINES), st.sampled_from(UNRELATED_SUPPLEMENTS)
)
def test_adding_an_unrelated_entry_never_removes_a_finding(facts, medicine, product):
    before = {f.key for f in engine.run(facts, KB)}
    more = CaseFacts(
        **{
            **facts.__dict__,
            "medications": (
                *facts.medications,
                MedicationEntry(
                    name=medicine, ref=f"medications[{len(facts.medications)}]"
                ),
            ),
            "supplements": (
                *facts.supplements,
                SupplementEntry(
                    name=product, ref=f"supplements[{len(facts.supplements)}]"
                ),
            ),
        }
    )
    after = {f.key for f in engine.run(more, KB)}
    assert before <= after


@PROPERTY_SETTINGS
@given(cases, st.sampled_from(OTHER_CONDITIONS), st.data())
def test_adding_or_reordering_conditions_never_changes_a_findings_key(
    facts, extra, data
):
    # A practitioner's decision is stored against the key: it must survive.
    before = {f.key for f in engine.run(facts, KB)}
    conditions = data.draw(st.permutations(facts.conditions))
    conditions.insert(data.draw(st.integers(0, len(conditions))), extra)
    changed = CaseFacts(**{**facts.__dict__, "conditions": tuple(conditions)})
    after = {f.key for f in engine.run(changed, KB)}
    assert before <= after


@PROPERTY_SETTINGS
@given(
    cases,
    st.floats(min_value=1.01, max_value=50),
    st.sampled_from(["uk", "eu", "us"]),
    st.data(),
)
def test_a_higher_dose_never_removes_an_upper_limit_finding(
    facts, factor, limits, data
):
    if not facts.supplements:
        return
    index = data.draw(st.integers(min_value=0, max_value=len(facts.supplements) - 1))
    bigger = list(facts.supplements)
    entry = bigger[index]
    if entry.amount is not None:
        bigger[index] = SupplementEntry(
            **{**entry.__dict__, "amount": entry.amount * factor}
        )
    higher = CaseFacts(**{**facts.__dict__, "supplements": tuple(bigger)})

    def over(case: CaseFacts) -> set[str]:
        return {f.rule for f in engine.run(case, KB, limits) if f.kind == "upper_limit"}

    assert over(facts) <= over(higher)


@PROPERTY_SETTINGS
@given(cases, st.sampled_from(["uk", "eu", "us"]))
def test_same_input_gives_the_same_output(facts, limits):
    first = [f.to_dict() for f in engine.run(facts, KB, limits)]
    copy = CaseFacts(**facts.__dict__)
    second = [f.to_dict() for f in engine.run(copy, KB, limits)]
    assert first == second
    assert len({f["key"] for f in first}) == len(first)
