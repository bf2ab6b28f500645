"""Questionnaire definitions: published versions are frozen, drafts are copied and
published, and the admin edits drafts and shows frozen versions read-only."""

import json

import pytest
from django.db import IntegrityError, transaction

from questionnaires.definitions.loader import DATA_DIR
from questionnaires.definitions.versions import (
    QUESTION_FIELDS,
    SECTION_FIELDS,
    PublishError,
    copy_to_draft,
    publish,
)
from questionnaires.models import (
    FrozenVersionError,
    Question,
    QuestionnaireVersion,
    Response,
    Section,
    VersionStatus,
)
from tests.intake_helpers import load_questionnaire

VERSIONS = "/admin/questionnaires/questionnaireversion/"


@pytest.fixture
def v1(db):
    """The shipped Health questionnaire, published as version 1."""
    return load_questionnaire(DATA_DIR / "health.toml")


@pytest.fixture
def draft(v1, ada):
    return copy_to_draft(v1, by=ada)


@pytest.fixture
def admin_client(client, ada):
    client.force_login(ada)
    return client


def contents(version: QuestionnaireVersion) -> list[tuple]:
    """What a client would see of a version, without ids."""
    sections = list(version.sections.order_by("position").values_list(*SECTION_FIELDS))
    questions = list(
        version.questions.order_by("section__position", "position").values_list(
            "section__key", *QUESTION_FIELDS
        )
    )
    return [sections, questions]


# --- frozen versions -------------------------------------------------------------


def test_saving_a_question_of_a_published_version_is_refused(v1):
    question = v1.questions.get(concept="sex")
    question.text = "Sex?"
    with pytest.raises(FrozenVersionError):
        question.save()
    assert v1.questions.get(concept="sex").text == "What is your sex?"


def test_deleting_a_question_of_a_published_version_is_refused(v1):
    with pytest.raises(FrozenVersionError):
        v1.questions.get(concept="sex").delete()
    assert v1.questions.filter(concept="sex").exists()


def test_saving_or_deleting_a_section_of_a_published_version_is_refused(v1):
    section = v1.sections.get(key="about-you")
    section.title = "You"
    with pytest.raises(FrozenVersionError):
        section.save()
    with pytest.raises(FrozenVersionError):
        section.delete()
    assert v1.sections.get(key="about-you").title == "About you"


def test_adding_a_question_to_a_published_version_is_refused(v1):
    section = v1.sections.get(key="goals")
    with pytest.raises(FrozenVersionError):
        Question.objects.create(
            version=v1,
            section=section,
            position=99,
            concept="extra",
            kind="short_text",
            text="One more thing?",
        )


def test_bulk_updates_and_deletes_of_a_published_version_are_refused(v1):
    with pytest.raises(FrozenVersionError):
        Question.objects.filter(version=v1).update(text="Changed")
    with pytest.raises(FrozenVersionError):
        Question.objects.filter(version=v1, concept="goals").delete()
    with pytest.raises(FrozenVersionError):
        Section.objects.filter(version=v1).update(title="Changed")
    with pytest.raises(FrozenVersionError):
        Section.objects.filter(version=v1).delete()
    assert not v1.questions.filter(text="Changed").exists()
    assert v1.sections.count() == 14


def test_a_retired_version_stays_frozen(v1, draft):
    publish(draft)
    v1.refresh_from_db()
    assert v1.status == VersionStatus.RETIRED
    question = v1.questions.get(concept="goals")
    question.required = False
    with pytest.raises(FrozenVersionError):
        question.save()


def test_a_draft_can_be_edited(draft):
    question = draft.questions.get(concept="goals")
    question.text = "What would you like to change?"
    question.save()
    draft.sections.get(key="goals").delete()
    assert not draft.questions.filter(concept="goals").exists()


# --- copy and publish ------------------------------------------------------------


def test_copy_to_draft_makes_an_editable_deep_copy_with_the_next_number(v1, ada):
    draft = copy_to_draft(v1, by=ada)
    assert draft.number == 2
    assert draft.status == VersionStatus.DRAFT
    assert draft.source_hash == ""
    assert draft.published_at is None
    assert contents(draft) == contents(v1)
    assert not set(draft.questions.values_list("pk", flat=True)) & set(
        v1.questions.values_list("pk", flat=True)
    )
    assert all(q.section.version_id == draft.pk for q in draft.questions.all())


def test_editing_the_copy_leaves_the_published_version_alone(v1, draft):
    before = contents(v1)
    question = draft.questions.get(concept="sex")
    question.choices.append(["intersex", "Intersex"])
    question.text = "Which sex were you registered as at birth?"
    question.save()
    assert contents(v1) == before


def test_the_copy_says_where_it_came_from_and_who_made_it(draft, ada):
    assert draft.notes == f"Copied from version 1 by {ada}."


def test_publishing_a_draft_retires_the_previous_version(v1, draft):
    publish(draft)
    v1.refresh_from_db()
    assert draft.status == VersionStatus.PUBLISHED
    assert draft.published_at is not None
    assert v1.status == VersionStatus.RETIRED
    assert v1.retired_at is not None
    assert v1.questionnaire.published_version() == draft


def test_the_database_allows_one_published_version_per_questionnaire(v1, draft):
    with pytest.raises(IntegrityError), transaction.atomic():
        QuestionnaireVersion.objects.filter(pk=draft.pk).update(
            status=VersionStatus.PUBLISHED
        )
    assert v1.questionnaire.versions.filter(status=VersionStatus.PUBLISHED).count() == 1


def test_only_a_draft_can_be_published(v1):
    with pytest.raises(PublishError, match="only a draft can be published"):
        publish(v1)


def test_a_draft_with_an_empty_section_is_not_published(draft):
    Question.objects.filter(version=draft, section__key="goals").delete()
    with pytest.raises(PublishError, match="section 'goals' has no questions"):
        publish(draft)
    draft.refresh_from_db()
    assert draft.status == VersionStatus.DRAFT


def test_a_draft_the_engine_could_not_read_is_not_published(draft):
    Question.objects.filter(version=draft, concept="sex").update(
        choices=[["woman", "Woman"], ["man", "Man"]]
    )
    with pytest.raises(PublishError, match="question 'sex': choices: not the engine"):
        publish(draft)


# --- the admin -------------------------------------------------------------------


def question_url(question: Question) -> str:
    return f"/admin/questionnaires/question/{question.pk}/change/"


def section_url(section: Section) -> str:
    return f"/admin/questionnaires/section/{section.pk}/change/"


def version_url(version: QuestionnaireVersion) -> str:
    return f"{VERSIONS}{version.pk}/change/"


def question_data(question: Question, **changes) -> dict:
    data = {
        "position": question.position,
        "concept": question.concept,
        "kind": question.kind,
        "text": question.text,
        "help_text": question.help_text,
        "choices": json.dumps(question.choices),
        "options": json.dumps(question.options),
    }
    if question.required:
        data["required"] = "on"
    return {**data, **changes}


def section_data(section: Section, *new_questions: dict, **changes) -> dict:
    """The POST of a section's change page with its question inline."""
    data = {
        "position": section.position,
        "key": section.key,
        "title": section.title,
        "intro": section.intro,
        **changes,
    }
    questions = list(section.questions.order_by("position"))
    for i, question in enumerate(questions):
        for name, value in question_data(question).items():
            data[f"questions-{i}-{name}"] = value
        data[f"questions-{i}-id"] = question.pk
        data[f"questions-{i}-section"] = section.pk
    for j, fields in enumerate(new_questions, start=len(questions)):
        for name, value in fields.items():
            data[f"questions-{j}-{name}"] = value
        data[f"questions-{j}-section"] = section.pk
    data["questions-TOTAL_FORMS"] = len(questions) + len(new_questions)
    data["questions-INITIAL_FORMS"] = len(questions)
    return data


def test_admin_pages_for_questionnaires_open(admin_client, v1, draft):
    pages = [
        "/admin/questionnaires/questionnaire/",
        f"/admin/questionnaires/questionnaire/{v1.questionnaire.pk}/change/",
        VERSIONS,
        f"{VERSIONS}add/",
        version_url(v1),
        version_url(draft),
        "/admin/questionnaires/section/",
        "/admin/questionnaires/section/add/",
        section_url(v1.sections.get(key="about-you")),
        section_url(draft.sections.get(key="symptoms-2")),
        "/admin/questionnaires/question/",
        "/admin/questionnaires/question/add/",
        question_url(v1.questions.get(concept="conditions")),
        question_url(draft.questions.get(concept="conditions")),
    ]
    for page in pages:
        assert admin_client.get(page).status_code == 200, page


def test_the_version_list_shows_status_and_responses(admin_client, v1, draft, alice):
    Response.objects.create(client=alice, version=v1)
    page = admin_client.get(VERSIONS)
    rows = {
        v.number: (v.status, v._responses, v._sections)
        for v in page.context["cl"].result_list
    }
    assert rows == {
        1: (VersionStatus.PUBLISHED, 1, 14),
        2: (VersionStatus.DRAFT, 0, 14),
    }


def test_a_frozen_question_is_shown_read_only(admin_client, v1):
    question = v1.questions.get(concept="sex")
    page = admin_client.get(question_url(question))
    html = page.content.decode()
    assert page.status_code == 200
    assert "What is your sex?" in html
    assert 'name="_save"' not in html
    assert 'name="text"' not in html


def test_posting_to_a_frozen_question_changes_nothing(admin_client, v1):
    question = v1.questions.get(concept="sex")
    response = admin_client.post(
        question_url(question), question_data(question, text="Sex?")
    )
    assert response.status_code == 403
    assert v1.questions.get(concept="sex").text == "What is your sex?"


def test_a_frozen_section_is_shown_read_only_with_its_questions(admin_client, v1):
    section = v1.sections.get(key="about-you")
    html = admin_client.get(section_url(section)).content.decode()
    assert "What is your date of birth?" in html
    assert 'name="_save"' not in html
    assert 'name="questions-0-text"' not in html


def test_posting_to_a_frozen_section_changes_nothing(admin_client, v1):
    section = v1.sections.get(key="about-you")
    before = contents(v1)
    response = admin_client.post(
        section_url(section),
        section_data(section, {"position": 9, "concept": "x", "kind": "yes_no"}),
    )
    assert response.status_code == 403
    assert contents(v1) == before


def test_a_frozen_version_is_shown_read_only(admin_client, v1):
    html = admin_client.get(version_url(v1)).content.decode()
    assert "frozen" in html
    assert 'name="_save"' not in html
    assert 'name="sections-0-title"' not in html


def test_posting_to_a_frozen_version_changes_nothing(admin_client, v1):
    response = admin_client.post(version_url(v1), {"notes": "Changed"})
    assert response.status_code == 403
    v1.refresh_from_db()
    assert v1.notes != "Changed"


def test_frozen_questions_and_sections_cannot_be_deleted_in_the_admin(admin_client, v1):
    question = v1.questions.get(concept="goals")
    section = v1.sections.get(key="goals")
    assert admin_client.get(f"{question_url(question)[:-7]}delete/").status_code == 403
    response = admin_client.post(
        "/admin/questionnaires/section/",
        {"action": "delete_selected", "_selected_action": [section.pk], "post": "yes"},
    )
    assert response.status_code == 403
    assert v1.sections.filter(pk=section.pk).exists()
    assert v1.questions.filter(pk=question.pk).exists()


def test_an_admin_edits_a_question_of_a_draft(admin_client, draft):
    question = draft.questions.get(concept="goals_priority")
    response = admin_client.post(
        question_url(question),
        question_data(question, text="What would you change first?"),
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    assert draft.questions.get(concept="goals_priority").text == (
        "What would you change first?"
    )


def test_an_admin_adds_a_question_to_a_draft_section(admin_client, draft):
    section = draft.sections.get(key="lifestyle")
    new = {
        "position": 5,
        "concept": "outdoor_hours",
        "kind": "decimal",
        "text": "How many hours a day do you spend outdoors?",
        "help_text": "",
        "choices": "[]",
        "options": json.dumps({"min": 0, "max": 24, "unit": "hours"}),
    }
    response = admin_client.post(section_url(section), section_data(section, new))
    assert response.status_code == 302, response.content.decode()[:3000]
    added = draft.questions.get(concept="outdoor_hours")
    assert added.section == section
    assert added.version == draft
    assert added.options == {"min": 0, "max": 24, "unit": "hours"}


def test_a_symptom_added_in_the_admin_gets_its_body_system(admin_client, draft):
    Question.objects.filter(version=draft, concept="symptom:dry_skin").delete()
    section = draft.sections.get(key="symptoms-2")
    new = {
        "position": 99,
        "concept": "symptom:dry_skin",
        "kind": "symptom_scale",
        "text": "Is your skin dry or flaky?",
        "choices": "[]",
        "options": "{}",
    }
    response = admin_client.post(section_url(section), section_data(section, new))
    assert response.status_code == 302, response.content.decode()[:3000]
    added = draft.questions.get(concept="symptom:dry_skin")
    assert added.options == {"body_system": "skin", "red_flag": False}


@pytest.mark.parametrize(
    ("concept", "changes", "message"),
    [
        ("sex", {"choices": '[["woman", "Woman"], ["man", "Man"]]'}, "not the engine"),
        ("goals_priority", {"concept": "goals"}, "Another question in this version"),
        ("goals_priority", {"kind": "single_choice"}, "at least two choices"),
        ("goals_priority", {"options": '{"colour": "red"}'}, "unknown settings"),
    ],
    ids=["unknown sex value", "concept asked twice", "no choices", "unknown option"],
)
def test_the_admin_refuses_a_question_the_engine_could_not_read(
    admin_client, draft, concept, changes, message
):
    question = draft.questions.get(concept=concept)
    before = contents(draft)
    response = admin_client.post(
        question_url(question), question_data(question, **changes)
    )
    assert response.status_code == 200
    assert message in response.content.decode()
    assert contents(draft) == before


def test_the_admin_refuses_the_same_concept_twice_in_one_section(admin_client, draft):
    section = draft.sections.get(key="goals")
    twice = {"position": 8, "concept": "hobbies", "kind": "short_text", "text": "?"}
    response = admin_client.post(
        section_url(section),
        section_data(section, twice, {**twice, "position": 9}),
    )
    assert response.status_code == 200
    assert "Each concept can be asked once: hobbies." in response.content.decode()
    assert not draft.questions.filter(concept="hobbies").exists()


def test_the_admin_refuses_a_section_key_used_in_the_version(admin_client, draft):
    section = draft.sections.get(key="goals")
    response = admin_client.post(
        section_url(section), section_data(section, key="diet")
    )
    assert response.status_code == 200
    assert "Another section of this version has this." in response.content.decode()


def test_the_copy_action_makes_a_draft_and_opens_it(admin_client, v1):
    response = admin_client.post(
        VERSIONS, {"action": "copy_to_new_draft", "_selected_action": [v1.pk]}
    )
    copy = v1.questionnaire.versions.get(number=2)
    assert response.status_code == 302
    assert response["Location"] == version_url(copy)
    assert copy.status == VersionStatus.DRAFT
    assert contents(copy) == contents(v1)


def test_the_publish_action_publishes_the_draft_and_retires_the_old_one(
    admin_client, v1, draft
):
    response = admin_client.post(
        VERSIONS,
        {"action": "publish_draft", "_selected_action": [draft.pk]},
        follow=True,
    )
    assert (
        "Version 2 of Health questionnaire is published." in response.content.decode()
    )
    v1.refresh_from_db()
    draft.refresh_from_db()
    assert (v1.status, draft.status) == (VersionStatus.RETIRED, VersionStatus.PUBLISHED)


def test_the_publish_action_says_why_a_version_was_not_published(admin_client, v1):
    response = admin_client.post(
        VERSIONS, {"action": "publish_draft", "_selected_action": [v1.pk]}, follow=True
    )
    assert response.status_code == 200
    assert "only a draft can be published" in response.content.decode()
    v1.refresh_from_db()
    assert v1.status == VersionStatus.PUBLISHED


def test_an_admin_adds_an_empty_draft_with_the_next_number(admin_client, v1):
    response = admin_client.post(
        f"{VERSIONS}add/",
        {
            "questionnaire": v1.questionnaire.pk,
            "notes": "Starting again.",
            "sections-TOTAL_FORMS": 0,
            "sections-INITIAL_FORMS": 0,
        },
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    added = v1.questionnaire.versions.get(number=2)
    assert (added.status, added.notes) == (VersionStatus.DRAFT, "Starting again.")


def test_a_draft_offers_its_sections_and_questions_for_editing(admin_client, draft):
    version_page = admin_client.get(version_url(draft)).content.decode()
    section = draft.sections.get(key="about-you")
    section_page = admin_client.get(section_url(section)).content.decode()
    assert 'name="sections-0-title"' in version_page
    assert 'name="notes"' in version_page
    assert 'name="questions-0-text"' in section_page
    assert 'name="_save"' in section_page
