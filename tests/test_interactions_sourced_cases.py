"""Realistic UK clients built from sources, and the fixes of the fact check.

Each client in CLIENTS is built from a source read for it (named in the comment):
NHS and patient medicine pages, NIH ODS fact sheets, UK SmPCs and regulator texts.
The expected findings are what that source says a practitioner must see. Only
findings the engine gets right are asserted here; the misses measured on these
clients are listed in docs/knowledge-base.md ("Checked after the coverage work").
"""

import pytest

from questionnaires.interactions import engine, knowledge
from questionnaires.interactions.facts import CaseFacts

KB = knowledge.load()


def rules_for(data: dict, limits: str = "uk") -> set[str]:
    return {f.rule for f in engine.run(CaseFacts.from_dict(data), KB, limits=limits)}


# Fixes made by the fact check: a realistic client for each.
FIXES = {
    # St John's wort with tramadol: EBSCO tramadol monograph; Medsafe Prescriber
    # Update March 2012 (serotonergic drugs such as tramadol)
    "tramadol with St John's wort": (
        {
            "age": 55,
            "medications": [{"name": "Tramadol 50mg", "frequency": "four times a day"}],
            "supplements": [{"name": "St John's wort", "amount": 300}],
        },
        {"sjw-serotonergic"},
        set(),
    ),
    # Cranberry with warfarin: CSM advice 2003/2004 (GPnotebook; journal report)
    "warfarin with cranberry capsules for cystitis": (
        {
            "age": 71,
            "sex": "female",
            "medications": [{"name": "Warfarin 3mg"}],
            "supplements": [{"name": "Cranberry capsules", "amount": 400}],
        },
        {"cranberry-warfarin"},
        set(),
    ),
    "apixaban with cranberry: the CSM advice is about warfarin": (
        {
            "age": 71,
            "medications": [{"name": "Apixaban 5mg", "frequency": "twice daily"}],
            "supplements": [{"name": "Cranberry extract"}],
        },
        set(),
        {"cranberry-warfarin"},
    ),
    # Red yeast rice with a statin: EFSA 2018 (monacolin K is lovastatin);
    # Regulation (EU) 2022/860 label warning
    "atorvastatin with red yeast rice": (
        {
            "age": 60,
            "medications": [{"name": "Atorvastatin 20mg"}],
            "supplements": [{"name": "Red yeast rice", "amount": 600}],
        },
        {"red-yeast-rice-statins"},
        {"unrecognised-supplement"},
    ),
}


@pytest.mark.parametrize("name", list(FIXES))
def test_fact_check_fix_gives_the_sourced_finding(name):
    data, expected, forbidden = FIXES[name]
    rules = rules_for(data)
    assert expected <= rules, f"missing {expected - rules}"
    assert not (forbidden & rules), f"unexpected {forbidden & rules}"
