"""Questionnaire data files: reading them strictly, loading them idempotently, and
responses keeping the version they were answered on."""

import re
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from questionnaires.definitions.loader import (
    QuestionnaireFileError,
    read_questionnaire,
)
from questionnaires.definitions.versions import copy_to_draft, publish
from questionnaires.models import (
    Questionnaire,
    QuestionnaireVersion,
    Response,
    VersionStatus,
)
from tests.intake_helpers import load_questionnaire

SMALL = """
# A questionnaire small enough to read in a test.
key = "small"
title = "Small questionnaire"
notes = "First version."

[[section]]
key = "about-you"
title = "About you"

[[section.question]]
concept = "sex"
kind = "single_choice"
text = "What is your sex?"
choices = [["female", "Female"], ["male", "Male"]]

[[section.question]]
concept = "goals"
kind = "long_text"
text = "What would you like help with?"

[[section]]
key = "symptoms"
title = "How you feel"
question = [{ concept = "symptom:fatigue", kind = "symptom_scale" }]
"""


def write(tmp_path: Path, text: str, name: str = "small.toml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def questions_of(version: QuestionnaireVersion) -> list[tuple]:
    return list(
        version.questions.order_by("section__position", "position").values_list(
            "section__key", "concept", "kind", "text", "choices", "options"
        )
    )


# --- loading -------------------------------------------------------------------


def test_loading_the_same_file_twice_makes_one_version(db, tmp_path):
    path = write(tmp_path, SMALL)
    first = load_questionnaire(path)
    second = load_questionnaire(path)
    assert first.pk == second.pk
    assert QuestionnaireVersion.objects.count() == 1
    assert first.status == VersionStatus.PUBLISHED
    assert first.published_at is not None
    assert len(first.source_hash) == 64


def test_the_loaded_version_holds_the_sections_and_questions_in_file_order(
    db, tmp_path
):
    version = load_questionnaire(write(tmp_path, SMALL))
    assert version.questionnaire.title == "Small questionnaire"
    assert version.notes == "First version."
    assert [s.key for s in version.sections_in_order()] == ["about-you", "symptoms"]
    assert [row[:2] for row in questions_of(version)] == [
        ("about-you", "sex"),
        ("about-you", "goals"),
        ("symptoms", "symptom:fatigue"),
    ]


def test_a_changed_file_publishes_version_2_and_retires_version_1(db, tmp_path):
    path = write(tmp_path, SMALL)
    v1 = load_questionnaire(path)
    write(tmp_path, SMALL.replace("What is your sex?", "Are you female or male?"))
    v2 = load_questionnaire(path)
    v1.refresh_from_db()
    assert v2.number == 2
    assert v2.status == VersionStatus.PUBLISHED
    assert v1.status == VersionStatus.RETIRED
    assert v1.retired_at is not None
    assert v2.questions.get(concept="sex").text == "Are you female or male?"


def test_comments_and_layout_do_not_make_a_new_version(db, tmp_path):
    path = write(tmp_path, SMALL)
    v1 = load_questionnaire(path)
    write(tmp_path, "# Reviewed by Ada.\n" + SMALL.replace(" = ", "   =   "))
    assert load_questionnaire(path).pk == v1.pk


def test_reloading_an_unchanged_file_keeps_what_an_admin_published(db, tmp_path, ada):
    path = write(tmp_path, SMALL)
    v1 = load_questionnaire(path)
    draft = copy_to_draft(v1, by=ada)
    publish(draft)
    assert load_questionnaire(path).pk == v1.pk
    draft.refresh_from_db()
    assert draft.status == VersionStatus.PUBLISHED


def test_a_changed_file_is_published_over_an_admin_version(db, tmp_path, ada):
    path = write(tmp_path, SMALL)
    v1 = load_questionnaire(path)
    v2 = copy_to_draft(v1, by=ada)
    publish(v2)
    write(tmp_path, SMALL.replace("How you feel", "How you have been feeling"))
    v3 = load_questionnaire(path)
    v2.refresh_from_db()
    assert (v3.number, v3.status) == (3, VersionStatus.PUBLISHED)
    assert v2.status == VersionStatus.RETIRED


def test_a_changed_title_renames_the_questionnaire(db, tmp_path):
    path = write(tmp_path, SMALL)
    load_questionnaire(path)
    write(tmp_path, SMALL.replace("Small questionnaire", "Short questionnaire"))
    load_questionnaire(path)
    assert Questionnaire.objects.get(key="small").title == "Short questionnaire"


def test_symptom_questions_take_wording_and_body_system_from_the_knowledge_base(
    db, tmp_path
):
    version = load_questionnaire(write(tmp_path, SMALL))
    fatigue = version.questions.get(concept="symptom:fatigue")
    assert fatigue.text == "Do you feel tired or low in energy during the day?"
    assert fatigue.options == {"body_system": "energy", "red_flag": False}
    assert fatigue.body_system == "energy"
    assert fatigue.symptom_key == "fatigue"


# --- responses pin their version -----------------------------------------------


def test_a_response_keeps_the_version_it_was_answered_on(db, tmp_path, alice):
    path = write(tmp_path, SMALL)
    v1 = load_questionnaire(path)
    before = questions_of(v1)
    response = Response.objects.create(client=alice, version=v1)
    write(tmp_path, SMALL.replace("What is your sex?", "Are you female or male?"))
    v2 = load_questionnaire(path)
    response.refresh_from_db()
    v1.refresh_from_db()
    assert v2.number == 2
    assert response.version == v1
    assert v1.status == VersionStatus.RETIRED
    assert questions_of(v1) == before


# --- broken files --------------------------------------------------------------

DUPLICATE = SMALL.replace(
    'question = [{ concept = "symptom:fatigue", kind = "symptom_scale" }]',
    """
[[section.question]]
concept = "goals"
kind = "long_text"
text = "Is this asked twice?"
""",
)


@pytest.mark.parametrize(
    ("text", "where", "problem"),
    [
        (
            SMALL.replace('kind = "single_choice"', 'kind = "dropdown"'),
            "section 'about-you', question 'sex'",
            "kind: must be one of",
        ),
        (
            DUPLICATE,
            "section 'symptoms', question 'goals'",
            "already asked in section 'about-you'",
        ),
        (
            SMALL.replace('choices = [["female", "Female"], ["male", "Male"]]', ""),
            "section 'about-you', question 'sex'",
            "choices: a choice question needs at least two choices",
        ),
        (
            SMALL.replace("symptom:fatigue", "symptom:tiredness"),
            "section 'symptoms', question 'symptom:tiredness'",
            "tiredness is not a symptom key in the knowledge base",
        ),
        (
            SMALL.replace('["male", "Male"]', '["man", "Male"]'),
            "section 'about-you', question 'sex'",
            "not the engine's sexes: man",
        ),
        (
            SMALL.replace('text = "What is your sex?"', 'txt = "What is your sex?"'),
            "section 'about-you', question 'sex'",
            "unknown field txt",
        ),
        (
            SMALL.replace(
                '{ concept = "symptom:fatigue", kind = "symptom_scale" }',
                '{ concept = "symptom:fatigue", kind = "symptom_scale", '
                'options = { body_system = "sleep" } }',
            ),
            "section 'symptoms', question 'symptom:fatigue'",
            "options: must be",
        ),
        (
            SMALL.replace('concept = "goals"', 'concept = "Goals!"'),
            "section 'about-you', question 'Goals!'",
            "concept: use lower-case letters",
        ),
    ],
    ids=[
        "unknown kind",
        "duplicate concept",
        "choice without choices",
        "unknown symptom key",
        "sex value the engine cannot read",
        "unknown field",
        "symptom in the wrong body system",
        "badly written concept",
    ],
)
def test_a_broken_file_is_refused_naming_the_file_and_the_question(
    tmp_path, text, where, problem
):
    path = write(tmp_path, text, name="broken.toml")
    with pytest.raises(QuestionnaireFileError) as caught:
        read_questionnaire(path)
    message = str(caught.value)
    assert message.startswith(str(path))
    assert where in message
    assert problem in message


def test_a_file_that_is_not_toml_is_refused_naming_the_file(tmp_path):
    path = write(tmp_path, SMALL.replace('title = "About you"', "title = About you"))
    with pytest.raises(QuestionnaireFileError, match=r"small\.toml: is not valid TOML"):
        read_questionnaire(path)


def test_a_section_without_questions_is_refused_naming_the_section(tmp_path):
    path = write(tmp_path, SMALL + '\n[[section]]\nkey = "empty"\ntitle = "Empty"\n')
    with pytest.raises(QuestionnaireFileError) as caught:
        read_questionnaire(path)
    assert "small.toml: section 'empty': question: at least one" in str(caught.value)


def test_a_broken_file_loads_nothing(db, tmp_path):
    good = write(tmp_path, SMALL, name="a.toml")
    bad = write(tmp_path, SMALL.replace("symptom:fatigue", "symptom:nope"), "b.toml")
    with pytest.raises(CommandError, match=r"b\.toml: section 'symptoms'"):
        call_command("load_questionnaires", str(good), str(bad))
    assert not QuestionnaireVersion.objects.exists()


# --- the command ---------------------------------------------------------------


def run(*args: str) -> str:
    out = StringIO()
    call_command("load_questionnaires", *args, stdout=out)
    return out.getvalue()


def test_the_command_loads_the_shipped_questionnaires_once(db):
    assert run() == (
        "Follow-up questionnaire: version 1 published\n"
        "Health questionnaire: version 1 published\n"
    )
    assert run() == (
        "Follow-up questionnaire: unchanged (version 1)\n"
        "Health questionnaire: unchanged (version 1)\n"
    )
    version = Questionnaire.objects.get(key="health").published_version()
    assert version.number == 1
    assert version.sections.count() == 14


def test_the_command_says_when_an_admin_version_is_published(db, tmp_path, ada):
    path = write(tmp_path, SMALL)
    publish(copy_to_draft(load_questionnaire(path), by=ada))
    assert run(str(path)) == (
        "Small questionnaire: unchanged (version 1; version 2, edited in the admin, "
        "is published)\n"
    )


def test_the_command_checks_files_without_loading_them(db):
    output = run("--check")
    assert re.fullmatch(
        r"Follow-up questionnaire: valid \(9 sections, \d+ questions\)\n"
        r"Health questionnaire: valid \(14 sections, \d+ questions\)\n",
        output,
    )
    assert not QuestionnaireVersion.objects.exists()
