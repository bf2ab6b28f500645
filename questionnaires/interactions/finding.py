"""Finding, what the engine returns, and how a rule's wording becomes one.

A finding's key names the rule, its subjects and the refs of the answers behind
it, so the same finding on a re-run has the same key and a practitioner's decision
about it can be kept.
"""

from __future__ import annotations

import string
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from .entries import Knowledge, Rule, Source


@dataclass(frozen=True)
class Finding:
    """One thing the practitioner should see, with why, what to do and the source."""

    rule: str
    kind: str
    severity: str
    subjects: tuple[str, ...]
    classes: tuple[str, ...]
    title: str
    message: str
    action: str
    spacing_hours: float | None
    sources: tuple[Source, ...]
    triggers: tuple[tuple[str, str], ...]  # (ref, label) of the answers behind it
    evidence: str
    knowledge_version: str
    key: str = field(default="")

    def __post_init__(self) -> None:
        if not self.key:
            refs = sorted({ref for ref, _ in self.triggers})
            key = f"{self.rule}|{','.join(sorted(self.subjects))}|{','.join(refs)}"
            object.__setattr__(self, "key", key)

    def to_dict(self) -> dict:
        spacing = self.spacing_hours
        if spacing is not None and float(spacing).is_integer():
            spacing = int(spacing)
        return {
            "rule": self.rule,
            "kind": self.kind,
            "severity": self.severity,
            "subjects": list(self.subjects),
            "classes": list(self.classes),
            "title": self.title,
            "message": self.message,
            "action": self.action,
            "spacing_hours": spacing,
            "sources": [{"title": s.title, "url": s.url} for s in self.sources],
            "triggers": [{"ref": ref, "label": label} for ref, label in self.triggers],
            "evidence": self.evidence,
            "knowledge_version": self.knowledge_version,
            "key": self.key,
        }


class _Names(dict):
    def __missing__(self, key: str) -> str:
        return ""


def _fill(text: str, names: Mapping[str, str]) -> str:
    filled = string.Formatter().vformat(text, (), _Names(names))
    return filled[:1].upper() + filled[1:]


def make_finding(
    rule: Rule,
    knowledge: Knowledge,
    names: Mapping[str, str],
    subjects: Iterable[str],
    classes: Iterable[str],
    triggers: Iterable[tuple[str, str]],
    note: str = "",
) -> Finding:
    return Finding(
        rule=rule.id,
        kind=rule.kind,
        severity=rule.severity,
        subjects=tuple(dict.fromkeys(subjects)),
        classes=tuple(sorted(set(classes))),
        title=_fill(rule.title, names),
        message=_fill(rule.mechanism, names) + note,
        action=_fill(rule.action, names),
        spacing_hours=rule.spacing_hours,
        sources=rule.sources,
        triggers=tuple(dict.fromkeys(triggers)),
        evidence=rule.evidence_text,
        knowledge_version=knowledge.version,
    )


def amount_text(value: float) -> str:
    rounded = round(value, 1)
    return str(int(rounded)) if float(rounded).is_integer() else f"{rounded:g}"
