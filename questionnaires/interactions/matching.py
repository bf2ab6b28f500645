"""Free text -> substances: "Lisinopril 10mg once daily" -> lisinopril.

Matching runs in three steps, cheapest and safest first:

1. exact: the cleaned text is a known name, brand, alias or misspelling;
2. phrase: known names appear inside the text ("Holland & Barrett magnesium
   bisglycinate" -> magnesium, form glycinate; "calcium and vitamin D" -> both);
3. fuzzy: rapidfuzz's ratio against every known name, accepted at or above
   FUZZY_THRESHOLD, or when a single typo (one letter changed, added, dropped or two
   swapped) separates the words; and only with the same first letter, the same
   numbers on both sides (B6 never matches B12), at least MIN_FUZZY_LENGTH letters,
   and a clear winner.

Anything else is "unmatched" or "ambiguous", which the engine turns into an
`unrecognised` finding: a miss is always visible, never silent.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass

from rapidfuzz import fuzz, process
from rapidfuzz.distance import DamerauLevenshtein

from .entries import Product
from .knowledge import Condition, Drug, Knowledge, Nutrient, load
from .text import digits, normalise, without_bare_numbers

# Chosen from the tests in tests/test_interactions_matching.py. fuzz.ratio scores a
# one-letter slip in a long name at 88-95, but a swapped or changed letter in an
# eight-letter name at only 87.5 ("rampiril"), which the single-typo rule accepts.
# Real look-alike medicines that are not in the knowledge base score just under
# 88 against one that is: quinine/quinidine 87.5, desloratadine/loratadine 87.0,
# saxagliptin/sitagliptin 81.8. So 88 is the lowest threshold that still keeps them
# apart; lower and a different medicine would be checked under the wrong name.
FUZZY_THRESHOLD = 88.0
# One edit (Damerau-Levenshtein) is always accepted on words this long.
SINGLE_TYPO = 1
# Below this many letters one typo is too large a share of the word to guess.
MIN_FUZZY_LENGTH = 5
# Conditions: two names sharing a stem this long may differ in an ending of up to
# this many letters ("hypothyroid" is hypothyroidism, "perimenopausal" is
# perimenopause); conditions are otherwise matched only one typo away.
MIN_STEM_LENGTH = 8
MAX_ENDING_LEFT_OFF = 3
# A fuzzy winner must beat the runner-up (another substance) by this many points.
AMBIGUITY_MARGIN = 3.0


@dataclass(frozen=True)
class Match:
    """What one answer matched: substance ids, how, and what was close."""

    status: str  # "matched", "unmatched" or "ambiguous"
    ids: tuple[str, ...] = ()
    how: str = ""  # "exact", "phrase", "fuzzy" or "manual"
    candidates: tuple[str, ...] = ()  # near names, for the practitioner

    @property
    def matched(self) -> bool:
        return self.status == "matched"


@dataclass(frozen=True)
class SearchHit:
    kind: str  # "drug", "nutrient" or "product"
    id: str
    name: str
    score: float


class _Index:
    """Names of one kind of substance, for exact, phrase and fuzzy lookup."""

    def __init__(
        self,
        names: Iterable[tuple[str, str]],
        typos_only: bool = False,
        clean: Callable[[str], str] = normalise,
    ) -> None:
        # typos_only: accept a fuzzy match only one typo away, never on score
        # alone (conditions: "hyperparathyroidism" is not "hyperthyroidism").
        self.typos_only = typos_only
        self.clean = clean  # how answers are cleaned (shared by the indexes)
        self.terms: dict[str, str] = {}
        for term, ident in names:
            key = normalise(term)
            if key:
                self.terms.setdefault(key, ident)
        self.choices = list(self.terms)
        self.longest = max((len(t.split()) for t in self.choices), default=1)
        self._cache: dict[str, Match] = {}

    def match(self, text: str, fuzzy: bool = True) -> Match:
        key = f"{int(fuzzy)}|{text}"
        if key not in self._cache:
            if len(self._cache) > 20_000:  # bounded: answers are free text
                self._cache.clear()
            self._cache[key] = self._match(text, fuzzy)
        return self._cache[key]

    def _match(self, text: str, fuzzy: bool) -> Match:
        cleaned = self.clean(text)
        if not cleaned:
            return Match("unmatched")
        for candidate in dict.fromkeys((cleaned, without_bare_numbers(cleaned))):
            if candidate in self.terms:
                return Match("matched", (self.terms[candidate],), "exact")
        words = without_bare_numbers(cleaned).split() or cleaned.split()
        found = self._phrases(words)
        if found:
            return Match("matched", found, "phrase")
        if fuzzy:
            return self._fuzzy(words)
        return Match("unmatched")

    def _phrases(self, words: list[str]) -> tuple[str, ...]:
        """Longest known names first, without overlaps, in reading order."""
        used = [False] * len(words)
        hits: list[tuple[int, str]] = []
        for size in range(min(self.longest, len(words)), 0, -1):
            for start in range(len(words) - size + 1):
                if any(used[start : start + size]):
                    continue
                ident = self.terms.get(" ".join(words[start : start + size]))
                if ident is not None:
                    hits.append((start, ident))
                    used[start : start + size] = [True] * size
        return tuple(dict.fromkeys(ident for _, ident in sorted(hits)))

    def _fuzzy(self, words: list[str]) -> Match:
        probes = {" ".join(words)}
        for size in (1, 2, 3):
            for start in range(len(words) - size + 1):
                probes.add(" ".join(words[start : start + size]))
        best: dict[str, float] = {}
        near: dict[str, float] = {}
        for probe in probes:
            if len(probe.replace(" ", "")) < MIN_FUZZY_LENGTH:
                continue
            probe_digits = digits(probe)
            for term, score, _ in process.extract(
                probe, self.choices, scorer=fuzz.ratio, limit=5, score_cutoff=70
            ):
                if digits(term) != probe_digits:
                    continue
                ident = self.terms[term]
                near[term] = max(near.get(term, 0.0), score)
                if accepted(probe, term, score, typos_only=self.typos_only):
                    best[ident] = max(best.get(ident, 0.0), score)
        candidates = tuple(sorted(near, key=lambda t: (-near[t], t))[:3])
        if not best:
            return Match("unmatched", candidates=candidates)
        ranked = sorted(best.items(), key=lambda item: (-item[1], item[0]))
        if len(ranked) > 1 and ranked[0][1] - ranked[1][1] < AMBIGUITY_MARGIN:
            return Match("ambiguous", candidates=tuple(i for i, _ in ranked[:3]))
        return Match("matched", (ranked[0][0],), "fuzzy", candidates=candidates)


def accepted(probe: str, term: str, score: float, typos_only: bool = False) -> bool:
    """Whether a fuzzy candidate is close enough to be taken as the same name."""
    if probe[:1] != term[:1] or len(term.replace(" ", "")) < MIN_FUZZY_LENGTH:
        return False
    if score >= FUZZY_THRESHOLD and not typos_only:
        return True
    if typos_only and _word_ending_left_off(probe, term):
        return True
    return DamerauLevenshtein.distance(probe, term) <= SINGLE_TYPO


def _word_ending_left_off(probe: str, term: str) -> bool:
    """ "hypothyroid" for "hypothyroidism", "perimenopausal" for "perimenopause".

    The two share a long stem and differ only in a short ending, so the letters
    that carry the meaning all agree: a different condition ("hyperparathyroidism"
    for "hyperthyroid", "osteopetrosis" for "osteoporosis") never qualifies.
    """
    stem = len(os.path.commonprefix([probe, term]))
    return (
        stem >= MIN_STEM_LENGTH
        and len(probe) - stem <= MAX_ENDING_LEFT_OFF
        and len(term) - stem <= MAX_ENDING_LEFT_OFF
    )


class Matcher:
    """All the lookups the engine needs, built once per knowledge version."""

    def __init__(self, knowledge: Knowledge) -> None:
        self.knowledge = knowledge
        # An answer is looked up in several indexes (product, then drug, then
        # nutrient); it is cleaned once.
        self._cleaned: dict[str, str] = {}
        clean = self._clean
        self.drugs = _Index(_names(knowledge.drugs.values()), clean=clean)
        self.nutrients = _Index(_names(knowledge.nutrients.values()), clean=clean)
        self.conditions = _Index(
            _names(knowledge.conditions.values()), typos_only=True, clean=clean
        )
        self.products = _Index(_names(knowledge.products.values()), clean=clean)
        self._forms = {
            n.id: _Index((name, f.id) for f in n.forms for name in (f.id, *f.names))
            for n in knowledge.nutrients.values()
        }

    def clear_cache(self) -> None:
        """Forget earlier answers (for benchmarks of the uncached path)."""
        for index in (self.drugs, self.nutrients, self.conditions, self.products):
            index._cache.clear()
        self._cleaned.clear()

    def _clean(self, text: str) -> str:
        cleaned = self._cleaned.get(text)
        if cleaned is None:
            if len(self._cleaned) > 20_000:  # bounded: answers are free text
                self._cleaned.clear()
            cleaned = self._cleaned[text] = normalise(text)
        return cleaned

    def drug(self, text: str, fuzzy: bool = True) -> Match:
        return self.drugs.match(text, fuzzy)

    def nutrient(self, text: str, fuzzy: bool = True) -> Match:
        return self.nutrients.match(text, fuzzy)

    def condition(self, text: str) -> Match:
        return self.conditions.match(text)

    def product(self, text: str, fuzzy: bool = False) -> Match:
        """A named combination product (Adcal-D3, Centrum Silver)."""
        return self.products.match(text, fuzzy)

    def form(self, nutrient_id: str, text: str) -> str | None:
        """The salt or chemical form named in `text`, for one nutrient."""
        index = self._forms.get(nutrient_id)
        if index is None or not index.choices or not text:
            return None
        found = index.match(text, fuzzy=False)
        return found.ids[0] if found.matched else None

    def search(self, query: str, limit: int = 10) -> list[SearchHit]:
        """Best drugs and nutrients for a practitioner's search box."""
        cleaned = normalise(query)
        if not cleaned or limit <= 0:
            return []
        hits: dict[tuple[str, str], float] = {}
        indexes = (
            ("drug", self.drugs),
            ("nutrient", self.nutrients),
            ("product", self.products),
        )
        for kind, index in indexes:
            for term, score, _ in process.extract(
                cleaned, index.choices, scorer=fuzz.WRatio, limit=limit * 3
            ):
                ident = index.terms[term]
                if term.startswith(cleaned):
                    # Typing the start of a name: the closer to whole, the better.
                    score = max(score, 95.0 + 5.0 * len(cleaned) / len(term))
                key = (kind, ident)
                hits[key] = max(hits.get(key, 0.0), score)
        ranked = sorted(hits.items(), key=lambda item: (-item[1], item[0]))[:limit]
        return [
            SearchHit(kind, ident, self._name(kind, ident), round(score, 1))
            for (kind, ident), score in ranked
        ]

    def _name(self, kind: str, ident: str) -> str:
        tables: Mapping[str, Mapping] = {
            "drug": self.knowledge.drugs,
            "nutrient": self.knowledge.nutrients,
            "product": self.knowledge.products,
        }
        return tables[kind][ident].name


def _names(
    entries: Iterable[Drug | Nutrient | Condition | Product],
) -> Iterable[tuple[str, str]]:
    for entry in entries:
        for name in entry.all_names:
            yield name, entry.id


_MATCHERS: dict[str, Matcher] = {}


def matcher_for(knowledge: Knowledge) -> Matcher:
    """One matcher per knowledge version (building one takes a few milliseconds)."""
    found = _MATCHERS.get(knowledge.version)
    if found is None or found.knowledge is not knowledge:
        found = Matcher(knowledge)
        _MATCHERS[knowledge.version] = found
    return found


def search(
    query: str, limit: int = 10, knowledge: Knowledge | None = None
) -> list[SearchHit]:
    """Search drugs and nutrients by name, brand or alias (for a search box)."""
    return matcher_for(knowledge or load()).search(query, limit)
