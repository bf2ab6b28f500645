"""Copy a questionnaire version to a new draft, publish a draft, and the rules a
version must keep before it can be published.

A published version is frozen (the models refuse any change to it) because every
Response pins the version it was answered on: the questions a client saw must stay
as they were. Changes go into a copy, which is published in one step that retires
the previous edition. The question rules are shared by the data-file loader and
the admin, so a question that would confuse the engine is refused either way.
"""

from __future__ import annotations

import copy
import logging
import re
from collections.abc import Iterable, Mapping
from typing import Any

from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from questionnaires.interactions import knowledge
from questionnaires.interactions.facts import SEXES
from questionnaires.models import (
    Question,
    QuestionKind,
    Questionnaire,
    QuestionnaireVersion,
    Section,
    VersionStatus,
)

logger = logging.getLogger(__name__)

DIET_PATTERNS = ("omnivore", "vegetarian", "vegan", "pescatarian", "other")

# Concepts the engine or the review reads, and the kind each must be so that the
# stored answer has the format they expect (docs/questionnaires.md).
CONCEPT_KINDS: Mapping[str, str] = {
    "date_of_birth": QuestionKind.DATE,
    "sex": QuestionKind.SINGLE_CHOICE,
    "pregnant": QuestionKind.YES_NO,
    "breastfeeding": QuestionKind.YES_NO,
    "conditions": QuestionKind.MULTIPLE_CHOICE,
    "conditions_other": QuestionKind.LONG_TEXT,
    "medications": QuestionKind.MEDICATIONS,
    "supplements": QuestionKind.SUPPLEMENTS,
    "plan": QuestionKind.PLAN,
    "alcohol_units_per_week": QuestionKind.DECIMAL,
    "diet_pattern": QuestionKind.SINGLE_CHOICE,
    "smoking": QuestionKind.SINGLE_CHOICE,
    "consent": QuestionKind.CONSENT,
}
# Kinds that may appear once in a version, always under the same concept.
KIND_CONCEPTS: Mapping[str, str] = {
    QuestionKind.MEDICATIONS: "medications",
    QuestionKind.SUPPLEMENTS: "supplements",
    QuestionKind.PLAN: "plan",
    QuestionKind.CONSENT: "consent",
}
# `prefix:name` concepts and the kind each prefix needs.
PREFIX_KINDS: Mapping[str, str] = {
    "symptom": QuestionKind.SYMPTOM_SCALE,
    "food": QuestionKind.SINGLE_CHOICE,
}
CHOICE_KINDS = (QuestionKind.SINGLE_CHOICE, QuestionKind.MULTIPLE_CHOICE)
# The settings each kind understands; anything else is a typo.
OPTION_KEYS: Mapping[str, frozenset[str]] = {
    QuestionKind.INTEGER: frozenset({"min", "max", "unit"}),
    QuestionKind.DECIMAL: frozenset({"min", "max", "unit"}),
    QuestionKind.SYMPTOM_SCALE: frozenset({"body_system", "red_flag"}),
}

# What defines a section and a question (besides where it belongs): what a copy
# copies and what a data file may say.
SECTION_FIELDS = ("position", "key", "title", "intro")
QUESTION_FIELDS = (
    "position",
    "concept",
    "kind",
    "text",
    "help_text",
    "required",
    "choices",
    "options",
)

_CONCEPT = re.compile(r"^[a-z][a-z0-9_]*(:[a-z][a-z0-9_]*)?$")
_CHOICE_VALUE = re.compile(r"^[a-z0-9][a-z0-9_-]*$")


class PublishError(ValueError):
    """A version that cannot be published; `problems` says why, one line each."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("; ".join(problems))
        self.problems = problems


# --- rules -------------------------------------------------------------------


def symptom_options(key: str) -> dict[str, Any] | None:
    """The options a symptom question must carry, from the knowledge base."""
    symptom = knowledge.load().symptoms.get(key)
    if symptom is None:
        return None
    return {"body_system": symptom.system, "red_flag": symptom.red_flag}


def question_problems(
    *, concept: str, kind: str, choices: Any, options: Any
) -> list[tuple[str, str]]:
    """Return (field, problem) pairs for a question the engine could not read."""
    if not isinstance(concept, str) or not _CONCEPT.match(concept):
        return [
            (
                "concept",
                "use lower-case letters, digits and _, with one optional "
                "prefix such as symptom:fatigue",
            )
        ]
    if kind not in QuestionKind.values:
        return [("kind", f"must be one of {', '.join(QuestionKind.values)}")]
    problems = _concept_problems(concept, kind)
    problems += _choice_problems(concept, kind, choices)
    problems += _option_problems(concept, kind, options)
    return problems


def _concept_problems(concept: str, kind: str) -> list[tuple[str, str]]:
    label = QuestionKind(kind).label.lower()
    expected = CONCEPT_KINDS.get(concept)
    if expected and kind != expected:
        wanted = QuestionKind(expected).label.lower()
        return [("kind", f"the concept {concept} must be asked as {wanted}")]
    if kind in KIND_CONCEPTS and concept != KIND_CONCEPTS[kind]:
        return [("concept", f"a {label} question must use the concept {kind}")]
    prefix, _, name = concept.partition(":")
    if name and prefix not in PREFIX_KINDS:
        known = ", ".join(f"{p}:" for p in PREFIX_KINDS)
        return [("concept", f"unknown prefix {prefix}: (known: {known})")]
    if name and kind != PREFIX_KINDS[prefix]:
        wanted = QuestionKind(PREFIX_KINDS[prefix]).label.lower()
        return [("kind", f"a {prefix}: concept must be asked as {wanted}")]
    if kind == QuestionKind.SYMPTOM_SCALE and prefix != "symptom":
        return [("concept", "a symptom scale must use a symptom:<key> concept")]
    if prefix == "symptom" and name not in knowledge.load().symptoms:
        return [
            (
                "concept",
                f"{name} is not a symptom key in the knowledge base "
                "(questionnaires/interactions/knowledge/symptoms.toml)",
            )
        ]
    return []


def _allowed_values(concept: str) -> tuple[tuple[str, ...], str] | None:
    """The choice values the engine understands for a concept, and where from."""
    if concept == "sex":
        return SEXES, "the engine's sexes"
    if concept == "diet_pattern":
        return DIET_PATTERNS, "the diet patterns"
    if concept == "conditions":
        return tuple(knowledge.load().conditions), "condition ids in conditions.toml"
    return None


def _choice_problems(concept: str, kind: str, choices: Any) -> list[tuple[str, str]]:
    if kind not in CHOICE_KINDS:
        if choices:
            return [("choices", "only single and multiple choice questions have them")]
        return []
    pairs_ok = isinstance(choices, list | tuple) and all(
        isinstance(pair, list | tuple)
        and len(pair) == 2
        and all(isinstance(part, str) and part.strip() for part in pair)
        for pair in choices
    )
    if not pairs_ok:
        return [("choices", 'must be a list of ["value", "label"] pairs of text')]
    if len(choices) < 2:
        return [("choices", "a choice question needs at least two choices")]
    values = [value for value, _ in choices]
    for value in values:
        if not _CHOICE_VALUE.match(value):
            return [("choices", f"{value!r}: use lower-case letters, digits, _ and -")]
    duplicates = sorted({v for v in values if values.count(v) > 1})
    if duplicates:
        return [("choices", f"values used twice: {', '.join(duplicates)}")]
    allowed = _allowed_values(concept)
    if allowed:
        unknown = [v for v in values if v not in allowed[0]]
        if unknown:
            return [("choices", f"not {allowed[1]}: {', '.join(unknown)}")]
    return []


def _option_problems(concept: str, kind: str, options: Any) -> list[tuple[str, str]]:
    if not isinstance(options, dict):
        return [("options", "must be a table of settings")]
    allowed = OPTION_KEYS.get(kind, frozenset())
    unknown = sorted(set(options) - allowed)
    if unknown:
        known = ", ".join(sorted(allowed)) or "none"
        return [("options", f"unknown settings {', '.join(unknown)} (known: {known})")]
    bounds = [options.get(name) for name in ("min", "max")]
    for name, value in zip(("min", "max"), bounds, strict=True):
        if value is not None and (
            isinstance(value, bool) or not isinstance(value, int | float)
        ):
            return [("options", f"{name} must be a number")]
    if None not in bounds and bounds[0] > bounds[1]:
        return [("options", "min must not be more than max")]
    if "unit" in options and not isinstance(options["unit"], str):
        return [("options", "unit must be text, e.g. kg")]
    if kind == QuestionKind.SYMPTOM_SCALE:
        expected = symptom_options(concept.partition(":")[2])
        if expected is not None and options != expected:
            return [("options", f"must be {expected} for this symptom")]
    return []


def version_problems(version: QuestionnaireVersion) -> list[str]:
    """Return what stops a version being published, one readable line each."""
    sections = list(version.sections.order_by("position").prefetch_related("questions"))
    if not sections:
        return ["it has no sections"]
    problems = []
    for section in sections:
        questions = sorted(section.questions.all(), key=lambda q: q.position)
        if not questions:
            problems.append(f"section {section.key!r} has no questions")
        for question in questions:
            where = f"section {section.key!r}, question {question.concept!r}"
            if question.version_id != version.pk:
                problems.append(f"{where}: belongs to another version")
            for field, problem in question_problems(
                concept=question.concept,
                kind=question.kind,
                choices=question.choices,
                options=question.options,
            ):
                problems.append(f"{where}: {field}: {problem}")
    return problems


# --- operations ----------------------------------------------------------------


def next_version_number(questionnaire: Questionnaire) -> int:
    """The number the next version of `questionnaire` gets."""
    highest = questionnaire.versions.aggregate(Max("number"))["number__max"]
    return (highest or 0) + 1


def create_parts(
    version: QuestionnaireVersion,
    parts: Iterable[tuple[dict[str, Any], list[dict[str, Any]]]],
) -> None:
    """Create sections with their questions in `version`, in two queries.

    `parts` pairs the fields of each section with the fields of its questions.
    """
    parts = list(parts)
    sections = Section.objects.bulk_create(
        Section(version=version, **fields) for fields, _ in parts
    )
    Question.objects.bulk_create(
        Question(version=version, section=section, **fields)
        for section, (_, questions) in zip(sections, parts, strict=True)
        for fields in questions
    )


@transaction.atomic
def copy_to_draft(
    version: QuestionnaireVersion, *, by: Any = None
) -> QuestionnaireVersion:
    """Copy `version` with its sections and questions into a new draft to edit."""
    questionnaire = Questionnaire.objects.select_for_update().get(
        pk=version.questionnaire_id
    )
    who = f" by {by}" if by is not None else ""
    draft = QuestionnaireVersion.objects.create(
        questionnaire=questionnaire,
        number=next_version_number(questionnaire),
        status=VersionStatus.DRAFT,
        notes=f"Copied from version {version.number}{who}.",
    )
    sections = version.sections.order_by("position").prefetch_related("questions")
    create_parts(
        draft,
        (
            (
                {name: getattr(section, name) for name in SECTION_FIELDS},
                [
                    {name: copy.deepcopy(getattr(q, name)) for name in QUESTION_FIELDS}
                    for q in section.questions.all()
                ],
            )
            for section in sections
        ),
    )
    logger.info(
        "questionnaire version %s copied to draft %s by user %s",
        version.pk,
        draft.pk,
        getattr(by, "pk", None),
    )
    return draft


@transaction.atomic
def publish(version: QuestionnaireVersion) -> None:
    """Publish a draft and retire the version that was published before it.

    Raises PublishError if `version` is not a draft or could not be answered or
    read by the engine (no sections, an empty section, an invalid question).
    """
    # Lock the questionnaire so two publishes cannot race past the retire step.
    Questionnaire.objects.select_for_update().get(pk=version.questionnaire_id)
    version.refresh_from_db(fields=["status"])
    if version.status != VersionStatus.DRAFT:
        raise PublishError(
            [
                f"version {version.number} is {version.get_status_display().lower()}; "
                "only a draft can be published"
            ]
        )
    problems = version_problems(version)
    if problems:
        raise PublishError(problems)
    now = timezone.now()
    retired = list(
        QuestionnaireVersion.objects.filter(
            questionnaire_id=version.questionnaire_id, status=VersionStatus.PUBLISHED
        ).values_list("pk", flat=True)
    )
    QuestionnaireVersion.objects.filter(pk__in=retired).update(
        status=VersionStatus.RETIRED, retired_at=now
    )
    version.status = VersionStatus.PUBLISHED
    version.published_at = now
    version.save(update_fields=["status", "published_at"])
    logger.info("questionnaire version %s published, retired %s", version.pk, retired)
