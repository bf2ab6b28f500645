"""The fields added for age bands, limit scope, routes and dose thresholds are
validated when the knowledge base loads, with a message naming the entry."""

import shutil
from pathlib import Path

import pytest

from questionnaires.interactions import knowledge
from questionnaires.interactions.routes import said_injected

ZINC_EU_ADULT = """amount = 25
min_age = 18
scope = "total"
food_typical = 9"""


@pytest.fixture
def damaged(tmp_path):
    """Copy the knowledge base, change one piece of text, and load it."""

    def load(file: str, old: str, new: str):
        copy = tmp_path / "knowledge"
        shutil.copytree(knowledge.KNOWLEDGE_DIR, copy)
        path: Path = copy / file
        text = path.read_text()
        assert old in text
        path.write_text(text.replace(old, new, 1))
        return knowledge.load_uncached(copy)

    return load


@pytest.mark.parametrize(
    ("file", "old", "new", "problem"),
    [
        (
            "rules_upper_limits.toml",
            "amount = 10\nmin_age = 4\nmax_age = 6",
            "amount = 10\nmin_age = 3\nmax_age = 6",
            "two limits both cover age 3",
        ),
        (
            "rules_upper_limits.toml",
            "amount = 10\nmin_age = 4\nmax_age = 6",
            "amount = 10\nmin_age = 7\nmax_age = 6",
            "`min_age` is above `max_age`",
        ),
        (
            "rules_upper_limits.toml",
            ZINC_EU_ADULT,
            'amount = 25\nmin_age = 18\nscope = "supplements"\nfood_typical = 9',
            '`food_typical` only makes sense with scope = "total"',
        ),
        (
            "rules_upper_limits.toml",
            ZINC_EU_ADULT
            + '\nfood_label = "UK household diet, national average per person"\n'
            'food_sources = ["bjn-uk-household-diet"]',
            ZINC_EU_ADULT,
            "`food_typical` needs `food_label` and `food_sources`",
        ),
        (
            "rules_upper_limits.toml",
            'scope = "total"\nlabel = "EFSA upper level for zinc, ages 1-3"',
            'scope = "everything"\nlabel = "EFSA upper level for zinc, ages 1-3"',
            "`scope` must be one of supplements, total",
        ),
        (
            "rules_upper_limits.toml",
            'includes_forms = ["methylfolate"]',
            'includes_forms = ["folinic"]',
            "`includes_forms` names 'folinic'",
        ),
        (
            "rules_minerals.toml",
            "above_daily = 25",
            "above_daily = 25\nmin_daily = 25",
            "use either `min_daily` (at least) or `above_daily`, not both",
        ),
        (
            "drugs.toml",
            'route = "injection"',
            'route = "infusion"',
            "`route` must be one of oral, injection",
        ),
        (
            "nutrients.toml",
            "topical = true",
            'topical = "yes"',
            "`topical` must be true or false",
        ),
    ],
)
def test_a_bad_new_field_names_the_entry_and_the_problem(
    damaged, file, old, new, problem
):
    with pytest.raises(knowledge.KnowledgeError) as error:
        damaged(file, old, new)
    assert error.value.file == file
    assert problem in str(error.value)


@pytest.mark.parametrize(
    ("texts", "injected"),
    [
        (("Bonviva", "3mg injection", "every 3 months"), True),
        (("Zoledronic acid infusion", "", "yearly"), True),
        (("Ibandronic acid", "3 mg IV", ""), True),
        (("B12 jab", "", "every 12 weeks"), True),
        (("Methotrexate", "15mg", "weekly subcutaneous"), True),
        (("Ibandronic acid 150mg tablet", "", "monthly"), False),
        (("Ivermectin", "3mg", "once"), False),
        (("Alendronic acid", "70mg", "weekly"), False),
    ],
)
def test_the_answer_words_that_mean_a_medicine_is_not_swallowed(texts, injected):
    assert said_injected(*texts) is injected
