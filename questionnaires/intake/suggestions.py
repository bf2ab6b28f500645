"""Names to suggest while a client types a medicine or a supplement.

Built from whatever knowledge base is loaded, so a medicine added to drugs.toml is
suggested without a code change. Generic names, UK brands and aliases are offered
as typed ("Fosamax", with "alendronic acid" as a hint); a known misspelling leads to
the right name ("amlodap" suggests amlodipine). The client may still type anything:
a suggestion only saves key presses, the engine matches the text as before.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass

from rapidfuzz import fuzz, process

from questionnaires.interactions.knowledge import Knowledge, load

KINDS = ("medicines", "supplements")
LIMIT = 8
MIN_LETTERS = 2
# Typing errors: after this many letters a fuzzy guess is offered if no name starts
# with what was typed. Only a suggestion, so a loose score is fine.
FUZZY_FROM = 4
FUZZY_CUTOFF = 75.0


@dataclass(frozen=True)
class Suggestion:
    label: str  # what goes into the box
    hint: str = ""  # the generic or nutrient name, when the label is another name

    def as_json(self) -> dict[str, str]:
        return {"label": self.label, "hint": self.hint}


@dataclass(frozen=True)
class _Entry:
    key: str  # folded, for matching
    words: tuple[str, ...]
    suggestion: Suggestion


def fold(text: str) -> str:
    """Lower-case without accents or punctuation, for matching as people type."""
    text = unicodedata.normalize("NFKD", text.lower())
    text = "".join(ch for ch in text if not unicodedata.combining(ch))
    return " ".join("".join(c if c.isalnum() else " " for c in text).split())


def _display(name: str) -> str:
    """Knowledge-base names are lower case; brands keep their own capitals."""
    return name[:1].upper() + name[1:] if name.islower() else name


class SuggestionIndex:
    """Every name of one kind, ready for prefix and fuzzy lookup."""

    def __init__(self, pairs: list[tuple[str, Suggestion]]) -> None:
        seen: dict[str, _Entry] = {}
        for term, suggestion in pairs:
            key = fold(term)
            if key and key not in seen:
                seen[key] = _Entry(key, tuple(key.split()), suggestion)
        self.entries = sorted(seen.values(), key=lambda e: (len(e.key), e.key))
        self.keys = [e.key for e in self.entries]

    def __len__(self) -> int:
        return len(self.entries)

    def suggest(self, query: str, limit: int = LIMIT) -> list[Suggestion]:
        q = fold(query)
        if len(q) < MIN_LETTERS:
            return []
        starts, inside = [], []
        for entry in self.entries:
            if entry.key.startswith(q):
                starts.append(entry)
            elif " " not in q and any(w.startswith(q) for w in entry.words[1:]):
                inside.append(entry)
        # A generic or nutrient name before the brands and other names it has.
        starts.sort(key=lambda e: bool(e.suggestion.hint))
        ranked = starts + inside
        if not ranked and len(q) >= FUZZY_FROM:
            ranked = [
                self.entries[i]
                for _, _, i in process.extract(
                    q,
                    self.keys,
                    scorer=fuzz.WRatio,
                    limit=limit,
                    score_cutoff=FUZZY_CUTOFF,
                )
            ]
        found: list[Suggestion] = []
        for entry in ranked:
            if entry.suggestion not in found:
                found.append(entry.suggestion)
                if len(found) == limit:
                    break
        return found


def _medicine_names(knowledge: Knowledge) -> list[tuple[str, Suggestion]]:
    pairs = []
    for drug in knowledge.drugs.values():
        generic = Suggestion(_display(drug.name))
        pairs.append((drug.name, generic))
        for other in (*drug.brands, *drug.aliases):
            pairs.append((other, Suggestion(_display(other), drug.name)))
        pairs.extend((wrong, generic) for wrong in drug.misspellings)
    return pairs


def _supplement_names(knowledge: Knowledge) -> list[tuple[str, Suggestion]]:
    pairs = []
    for nutrient in knowledge.nutrients.values():
        pairs.append((nutrient.name, Suggestion(_display(nutrient.name))))
        for alias in nutrient.aliases:
            if fold(alias) != fold(nutrient.name):
                pairs.append((alias, Suggestion(_display(alias), nutrient.name)))
        if nutrient.kind == "mineral":
            for form in nutrient.forms:
                name = form.names[0] if form.names else form.id.replace("_", " ")
                if fold(nutrient.name) not in fold(name):
                    name = f"{nutrient.name} {name}"
                pairs.append((name, Suggestion(_display(name))))
    for drug in knowledge.drugs.values():
        if drug.nutrients:  # prescribed calcium, iron...: often listed as supplements
            names = ", ".join(
                knowledge.nutrients[n].name
                for n in drug.nutrients
                if n in knowledge.nutrients
            )
            for brand in drug.brands:
                pairs.append((brand, Suggestion(brand, names)))
    return pairs


_INDEXES: dict[tuple[str, str], SuggestionIndex] = {}


def index_for(kind: str, knowledge: Knowledge | None = None) -> SuggestionIndex:
    """The index of one kind for a knowledge version, built once."""
    knowledge = knowledge or load()
    cache_key = (knowledge.version, kind)
    index = _INDEXES.get(cache_key)
    if index is None:
        names = _medicine_names if kind == "medicines" else _supplement_names
        index = SuggestionIndex(names(knowledge))
        if len(_INDEXES) > 16:  # a few knowledge versions at most
            _INDEXES.clear()
        _INDEXES[cache_key] = index
    return index


def suggest(
    kind: str, query: str, knowledge: Knowledge | None = None
) -> list[Suggestion]:
    if kind not in KINDS:
        raise ValueError(f"Nothing to suggest for {kind!r}")
    return index_for(kind, knowledge).suggest(query)
