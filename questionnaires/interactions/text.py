"""Normalise free text (answers and knowledge-base names) the same way on both sides."""

from __future__ import annotations

import re
import unicodedata

# A strength or amount: "10mg", "2.5 mg", "1,000iu", "400 micrograms", "5ml".
_STRENGTH = re.compile(
    r"\b\d+(?:[.,]\d+)*\s*"
    r"(?:mg|mcg|ug|µg|μg|g|iu|i\.u\.|ml|mmol|units?|micrograms?|milligrams?|grams?|%)"
    r"(?![a-z])"
)
_PER = re.compile(r"\b\d+\s*(?:x|times)\b|\bx\s*\d+\b")
_NON_WORD = re.compile(r"[^a-z0-9]+")
_BARE_NUMBER = re.compile(r"^\d+(?:\.\d+)?$")

# Words about how a medicine is taken or packaged, never part of its name. Both the
# answer and the knowledge-base names lose them, so they cannot cause a mismatch.
DOSING_WORDS = frozenset(
    """
    an the of my me per each every one two three four half
    once twice thrice daily day days a.m am pm morning mornings evening evenings night
    nights nightly bedtime at in on with without before after food meals meal
    breakfast lunch dinner supper od bd bid tds tid qds qid om on nocte mane prn
    as needed required when necessary weekly week weeks monthly month take takes
    taking taken tablet tablets tab tabs capsule capsules cap caps softgel softgels
    sachet sachets drop drops spray sprays puff puffs injection injections inhaler
    patch patches cream gel liquid solution oral suspension dispersible chewable
    effervescent modified release mr sr xl la er prolonged gastro resistant ec
    enteric coated film x times dose doses strength extra maximum max supplement
    supplements food-state approx about roughly usually sometimes regularly
    """.split()  # noqa: SIM905 - a word list reads better as prose
)


def normalise(text: str) -> str:
    """Lower-case, strip accents, strengths, punctuation and dosing words."""
    text = unicodedata.normalize("NFKD", text.lower())
    text = "".join(ch for ch in text if not unicodedata.combining(ch))
    text = text.replace("'", "").replace("\u2019", "").replace("&", " and ")
    text = _STRENGTH.sub(" ", text)
    text = _PER.sub(" ", text)
    words = _NON_WORD.sub(" ", text).split()
    return " ".join(w for w in words if w not in DOSING_WORDS)


def without_bare_numbers(normalised: str) -> str:
    """Drop stand-alone numbers ("lisinopril 10" -> "lisinopril"), keep "b12", "d3"."""
    return " ".join(w for w in normalised.split() if not _BARE_NUMBER.match(w))


def digits(text: str) -> tuple[str, ...]:
    """The numbers in a name; two names only match when these agree (B6 vs B12)."""
    return tuple(sorted(re.findall(r"\d+", text)))
