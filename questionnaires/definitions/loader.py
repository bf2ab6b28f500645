"""Read a questionnaire data file (questionnaires/data/*.toml) and load it as a
published version.

A data file is reviewed like code, as the knowledge base is, so a mistake in it
must stop with a message a person can act on: every error names the file, the
section and question, and the problem. Loading is idempotent by a hash of the
content read (including the symptom wording taken from the knowledge base), so
running `load_questionnaires` on every deploy makes a new version only when
something a client would see has changed. docs/questionnaires.md describes the
format.
"""

from __future__ import annotations

import hashlib
import json
import re
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType
from typing import Any

from django.db import transaction

from questionnaires.definitions.versions import (
    QUESTION_FIELDS,
    create_parts,
    next_version_number,
    publish,
    question_problems,
    symptom_options,
)
from questionnaires.interactions import fields, knowledge
from questionnaires.interactions.fields import Problem
from questionnaires.models import QuestionKind, Questionnaire, QuestionnaireVersion

DATA_DIR = Path(__file__).parent.parent / "data"

_SLUG = re.compile(r"^[a-z0-9]+(-[a-z0-9]+)*$")
_FILE_KEYS = {"key", "title", "notes", "section"}
_SECTION_KEYS = {"key", "title", "intro", "question"}
# A question's position is its place in the file.
_QUESTION_KEYS = set(QUESTION_FIELDS) - {"position"}
# Lengths of the model fields, checked here so a long text fails with a message
# rather than a database error half way through a load.
_MAX_TITLE = 200
_MAX_TEXT = 300


class QuestionnaireFileError(ValueError):
    """A data file that cannot be loaded; names the file, the place and the problem."""

    def __init__(self, file: str, where: str, problem: str) -> None:
        super().__init__(
            f"{file}: {where}: {problem}" if where else f"{file}: {problem}"
        )
        self.file = file
        self.where = where
        self.problem = problem


@dataclass(frozen=True)
class QuestionSpec:
    concept: str
    kind: str
    text: str
    help_text: str = ""
    required: bool = False
    choices: tuple[tuple[str, str], ...] = ()
    options: Mapping[str, Any] = field(default_factory=lambda: MappingProxyType({}))

    def fields(self) -> dict[str, Any]:
        """The Question fields it fills, as plain data (position is its place)."""
        return {
            "concept": self.concept,
            "kind": self.kind,
            "text": self.text,
            "help_text": self.help_text,
            "required": self.required,
            "choices": [list(pair) for pair in self.choices],
            "options": dict(self.options),
        }


@dataclass(frozen=True)
class SectionSpec:
    key: str
    title: str
    intro: str
    questions: tuple[QuestionSpec, ...]

    def fields(self) -> dict[str, Any]:
        """The Section fields it fills (position is its place)."""
        return {"key": self.key, "title": self.title, "intro": self.intro}


@dataclass(frozen=True)
class QuestionnaireSpec:
    """A questionnaire as read from its file, checked and ready to load."""

    file: str
    key: str
    title: str
    notes: str
    sections: tuple[SectionSpec, ...]

    def content(self) -> dict[str, Any]:
        """Everything stored from the file, as plain data (what the hash covers)."""
        return {
            "key": self.key,
            "title": self.title,
            "notes": self.notes,
            "sections": [
                {**s.fields(), "questions": [q.fields() for q in s.questions]}
                for s in self.sections
            ],
        }

    @property
    def content_hash(self) -> str:
        text = json.dumps(self.content(), sort_keys=True, ensure_ascii=False)
        return hashlib.sha256(text.encode()).hexdigest()

    @property
    def question_count(self) -> int:
        return sum(len(s.questions) for s in self.sections)


# --- reading -------------------------------------------------------------------


def read_questionnaire(path: Path | str) -> QuestionnaireSpec:
    """Read and check a data file; raise QuestionnaireFileError at the first problem."""
    path = Path(path)
    file = str(path)
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except OSError as error:
        raise QuestionnaireFileError(file, "", f"cannot be read ({error})") from error
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as error:
        raise QuestionnaireFileError(file, "", f"is not valid TOML: {error}") from error
    try:
        fields.check_fields(data, _FILE_KEYS)
        key = fields.text(data, "key")
        if not _SLUG.match(key):
            raise Problem.in_field(
                "key", "use lower-case letters, digits and -, e.g. health"
            )
        title = fields.text(data, "title", max_length=_MAX_TITLE)
        notes = fields.text(data, "notes", required=False)
        raw_sections = fields.tables(data, "section")
    except Problem as problem:
        raise QuestionnaireFileError(file, "", _said(problem)) from None
    sections = []
    seen_sections: set[str] = set()
    seen_concepts: dict[str, str] = {}
    for number, raw in enumerate(raw_sections, start=1):
        sections.append(
            _section(file, number, raw, seen_sections, seen_concepts),
        )
    return QuestionnaireSpec(
        file=file, key=key, title=title, notes=notes, sections=tuple(sections)
    )


def _section(
    file: str,
    number: int,
    raw: dict,
    seen_sections: set[str],
    seen_concepts: dict[str, str],
) -> SectionSpec:
    key = raw.get("key")
    where = f"section {key!r}" if isinstance(key, str) and key else f"section {number}"
    try:
        fields.check_fields(raw, _SECTION_KEYS)
        key = fields.text(raw, "key")
        if not _SLUG.match(key):
            raise Problem.in_field(
                "key", "use lower-case letters, digits and -, e.g. about-you"
            )
        if key in seen_sections:
            raise Problem.in_field("key", "another section already uses it")
        seen_sections.add(key)
        title = fields.text(raw, "title", max_length=_MAX_TITLE)
        intro = fields.text(raw, "intro", required=False)
        raw_questions = fields.tables(raw, "question")
    except Problem as problem:
        raise QuestionnaireFileError(file, where, _said(problem)) from None
    questions = []
    for index, raw_question in enumerate(raw_questions, start=1):
        concept = raw_question.get("concept")
        label = concept if isinstance(concept, str) and concept else str(index)
        question_where = f"{where}, question {label!r}"
        try:
            question = _question(raw_question)
            if question.concept in seen_concepts:
                raise Problem.in_field(
                    "concept", f"already asked in {seen_concepts[question.concept]}"
                )
        except Problem as problem:
            raise QuestionnaireFileError(file, question_where, _said(problem)) from None
        seen_concepts[question.concept] = where
        questions.append(question)
    return SectionSpec(key=key, title=title, intro=intro, questions=tuple(questions))


def _question(raw: dict) -> QuestionSpec:
    fields.check_fields(raw, _QUESTION_KEYS)
    concept = fields.text(raw, "concept")
    kind = fields.text(raw, "kind")
    options = raw.get("options", {})
    symptom = knowledge.load().symptoms.get(concept.removeprefix("symptom:"))
    default_text = ""
    if kind == QuestionKind.SYMPTOM_SCALE and symptom and isinstance(options, dict):
        # The wording and body system live in the knowledge base, so the engine and
        # the questionnaire cannot disagree about what a symptom key means.
        default_text = symptom.question
        options = {**(symptom_options(symptom.key) or {}), **options}
    choices = raw.get("choices", [])
    problems = question_problems(
        concept=concept, kind=kind, choices=choices, options=options
    )
    if problems:
        field_name, problem = problems[0]
        raise Problem.in_field(field_name, problem)
    text = fields.text(raw, "text", required=not default_text, max_length=_MAX_TEXT)
    help_text = fields.text(raw, "help_text", required=False)
    required = fields.flag(raw, "required")
    return QuestionSpec(
        concept=concept,
        kind=kind,
        text=text or default_text,
        help_text=help_text,
        required=required,
        choices=tuple((value.strip(), label.strip()) for value, label in choices),
        options=MappingProxyType(dict(options)),
    )


def _said(problem: Problem) -> str:
    """A problem as this file's errors say it: `field: problem`."""
    return f"{problem.field}: {problem.problem}" if problem.field else str(problem)


# --- loading -------------------------------------------------------------------


@transaction.atomic
def load_spec(spec: QuestionnaireSpec) -> tuple[QuestionnaireVersion, bool]:
    """Publish `spec` as a new version unless it is already loaded.

    Returns the version and whether it was created. "Already loaded" means the
    latest version that came from a file has the same content hash. Versions made
    in the admin have no hash, so they are not undone by reloading an unchanged
    file; a changed file does publish over them.
    """
    questionnaire, _ = Questionnaire.objects.select_for_update().get_or_create(
        key=spec.key, defaults={"title": spec.title}
    )
    if questionnaire.title != spec.title:
        questionnaire.title = spec.title
        questionnaire.save(update_fields=["title"])
    content_hash = spec.content_hash
    loaded = questionnaire.versions.exclude(source_hash="").order_by("-number").first()
    if loaded is not None and loaded.source_hash == content_hash:
        return loaded, False
    version = QuestionnaireVersion.objects.create(
        questionnaire=questionnaire,
        number=next_version_number(questionnaire),
        notes=spec.notes,
        source_hash=content_hash,
    )
    create_parts(
        version,
        (
            (
                {"position": position, **section.fields()},
                [
                    {"position": number, **question.fields()}
                    for number, question in enumerate(section.questions, start=1)
                ],
            )
            for position, section in enumerate(spec.sections, start=1)
        ),
    )
    publish(version)
    return version, True
