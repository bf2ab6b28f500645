"""Admin for questionnaire definitions: questionnaires, their versions, sections and
questions.

A draft version is edited here; a published or retired version is shown read-only,
because the models refuse any change to it (FrozenVersionError) and the admin must
never offer a save that would fail. Changes go through the actions "Copy to a new
draft" and "Publish this draft" on the list of versions.
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin, messages
from django.db.models import Count, IntegerField, OuterRef, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.http import HttpRequest, HttpResponseRedirect
from django.urls import reverse

from questionnaires.definitions.admin_forms import (
    QuestionForm,
    SectionForm,
    SectionQuestionForm,
    SectionQuestionFormSet,
)
from questionnaires.definitions.versions import (
    PublishError,
    copy_to_draft,
    next_version_number,
    publish,
)
from questionnaires.models import (
    Question,
    Questionnaire,
    QuestionnaireVersion,
    Response,
    Section,
    VersionStatus,
)

FROZEN_NOTE = (
    "This version is {status} and frozen: clients' answers point at these exact "
    "questions, so they cannot change. To change the questionnaire, select this "
    "version in the list of versions and choose “Copy to a new draft”."
)
DRAFT_NOTE = (
    "This draft can be edited. When it is ready, select it in the list of versions "
    "and choose “Publish this draft”; the version published now will be retired."
)


def _version_of(obj: Any) -> QuestionnaireVersion | None:
    if isinstance(obj, QuestionnaireVersion):
        return obj
    if isinstance(obj, Section | Question):
        return obj.version
    return None


def _frozen(obj: Any) -> bool:
    version = _version_of(obj)
    return version is not None and version.pk is not None and version.is_frozen


def _count(model: type, **filters: Any) -> Coalesce:
    """A subquery counting `model` rows per outer row (no join fan-out)."""
    rows = (
        model.objects.filter(**{key: OuterRef(value) for key, value in filters.items()})
        .order_by()
        .values(*filters)
        .annotate(n=Count("pk"))
        .values("n")
    )
    return Coalesce(Subquery(rows, output_field=IntegerField()), 0)


class FrozenReadOnlyMixin:
    """Offer no add, change or delete for anything in a frozen version.

    For a ModelAdmin `obj` is the row itself; for an inline it is the parent.
    """

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return not _frozen(obj) and super().has_change_permission(request, obj)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return not _frozen(obj) and super().has_delete_permission(request, obj)


class FrozenInlineMixin(FrozenReadOnlyMixin):
    """For an inline: also offer no new rows in a frozen parent."""

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return not _frozen(obj) and super().has_add_permission(request, obj)


# --- questions -----------------------------------------------------------------


class QuestionInline(FrozenInlineMixin, admin.StackedInline):
    model = Question
    form = SectionQuestionForm
    formset = SectionQuestionFormSet
    extra = 0
    ordering = ("position",)


@admin.register(Question)
class QuestionAdmin(FrozenReadOnlyMixin, admin.ModelAdmin):
    form = QuestionForm
    fields = QuestionForm.Meta.fields
    list_display = ("text", "concept", "kind", "required", "section", "version")
    list_filter = ("version__questionnaire", "version__status", "kind")
    list_select_related = ("section", "version__questionnaire")
    search_fields = ("concept", "text")
    ordering = ("version__questionnaire", "-version__number", "section__position")

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> tuple:
        # A question stays in its section: moving it would move it between versions.
        return ("section",) if obj is not None else ()

    def formfield_for_foreignkey(self, db_field, request: HttpRequest, **kwargs: Any):
        if db_field.name == "section":
            kwargs["queryset"] = Section.objects.filter(
                version__status=VersionStatus.DRAFT
            ).select_related("version__questionnaire")
        field = super().formfield_for_foreignkey(db_field, request, **kwargs)
        if db_field.name == "section":
            field.label_from_instance = lambda s: f"{s.version}: {s.title}"
        return field


# --- sections ------------------------------------------------------------------


class SectionInline(FrozenInlineMixin, admin.TabularInline):
    model = Section
    fields = ("position", "key", "title", "intro", "question_count")
    readonly_fields = ("question_count",)
    extra = 0
    ordering = ("position",)
    show_change_link = True  # the questions are edited on the section's own page

    @admin.display(description="questions")
    def question_count(self, section: Section) -> int:
        return section.questions.count() if section.pk else 0


@admin.register(Section)
class SectionAdmin(FrozenReadOnlyMixin, admin.ModelAdmin):
    form = SectionForm
    inlines = (QuestionInline,)
    fields = SectionForm.Meta.fields
    list_display = ("title", "key", "position", "version", "questions")
    list_filter = ("version__questionnaire", "version__status")
    list_select_related = ("version__questionnaire",)
    search_fields = ("key", "title")
    ordering = ("version__questionnaire", "-version__number", "position")

    def get_queryset(self, request: HttpRequest) -> QuerySet:
        return (
            super()
            .get_queryset(request)
            .annotate(_questions=_count(Question, section="pk"))
        )

    @admin.display(description="questions", ordering="_questions")
    def questions(self, section: Section) -> int:
        return section._questions

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> tuple:
        return ("version",) if obj is not None else ()

    def formfield_for_foreignkey(self, db_field, request: HttpRequest, **kwargs: Any):
        if db_field.name == "version":
            kwargs["queryset"] = QuestionnaireVersion.objects.filter(
                status=VersionStatus.DRAFT
            ).select_related("questionnaire")
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


# --- versions ------------------------------------------------------------------


@admin.register(QuestionnaireVersion)
class QuestionnaireVersionAdmin(FrozenReadOnlyMixin, admin.ModelAdmin):
    inlines = (SectionInline,)
    list_display = (
        "__str__",
        "status",
        "sections",
        "questions",
        "responses",
        "created_at",
        "published_at",
        "retired_at",
    )
    list_filter = ("questionnaire", "status")
    list_select_related = ("questionnaire",)
    actions = ("copy_to_new_draft", "publish_draft")
    fields = (
        "questionnaire",
        "number",
        "status",
        "editing",
        "notes",
        "responses",
        "created_at",
        "published_at",
        "retired_at",
        "source_hash",
    )

    def get_queryset(self, request: HttpRequest) -> QuerySet:
        return (
            super()
            .get_queryset(request)
            .annotate(
                _sections=_count(Section, version="pk"),
                _questions=_count(Question, version="pk"),
                _responses=_count(Response, version="pk"),
            )
        )

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> tuple:
        shown = (
            "number",
            "status",
            "editing",
            "responses",
            "created_at",
            "published_at",
            "retired_at",
            "source_hash",
        )
        # The questionnaire is chosen once, when a version is added.
        return shown if obj is None else ("questionnaire", *shown)

    def get_fields(self, request: HttpRequest, obj: Any = None) -> tuple:
        return ("questionnaire", "notes") if obj is None else self.fields

    def save_model(self, request: HttpRequest, obj, form, change: bool) -> None:
        if not change:
            obj.number = next_version_number(obj.questionnaire)
            obj.status = VersionStatus.DRAFT
        super().save_model(request, obj, form, change)

    @admin.display(description="sections", ordering="_sections")
    def sections(self, version: QuestionnaireVersion) -> int:
        return version._sections

    @admin.display(description="questions", ordering="_questions")
    def questions(self, version: QuestionnaireVersion) -> int:
        return version._questions

    @admin.display(description="responses", ordering="_responses")
    def responses(self, version: QuestionnaireVersion) -> int:
        count = getattr(version, "_responses", None)
        return version.responses.count() if count is None else count

    @admin.display(description="editing")
    def editing(self, version: QuestionnaireVersion) -> str:
        if version.is_frozen:
            return FROZEN_NOTE.format(status=version.get_status_display().lower())
        return DRAFT_NOTE

    @admin.action(description="Copy to a new draft", permissions=("add",))
    def copy_to_new_draft(
        self, request: HttpRequest, queryset: QuerySet
    ) -> HttpResponseRedirect | None:
        if queryset.count() != 1:
            self.message_user(request, "Select one version to copy.", messages.WARNING)
            return None
        version = queryset.select_related("questionnaire").get()
        draft = copy_to_draft(version, by=request.user)
        self.message_user(
            request,
            f"Version {version.number} of {version.questionnaire} is copied to draft "
            f"version {draft.number}. Edit it here, then publish it.",
            messages.SUCCESS,
        )
        url = reverse(
            "admin:questionnaires_questionnaireversion_change", args=[draft.pk]
        )
        return HttpResponseRedirect(url)

    @admin.action(description="Publish this draft", permissions=("change",))
    def publish_draft(self, request: HttpRequest, queryset: QuerySet) -> None:
        if queryset.count() != 1:
            self.message_user(request, "Select one draft to publish.", messages.WARNING)
            return
        version = queryset.select_related("questionnaire").get()
        try:
            publish(version)
        except PublishError as error:
            self.message_user(
                request,
                f"Version {version.number} was not published: "
                + "; ".join(error.problems),
                messages.ERROR,
            )
            return
        self.message_user(
            request,
            f"Version {version.number} of {version.questionnaire} is published. "
            "New questionnaires are sent on it; answers already given keep theirs.",
            messages.SUCCESS,
        )


class VersionInline(admin.TabularInline):
    """The versions of a questionnaire, for finding one; edited on their own page."""

    model = QuestionnaireVersion
    fields = ("number", "status", "published_at", "retired_at", "response_count")
    readonly_fields = fields
    extra = 0
    ordering = ("-number",)
    show_change_link = True
    can_delete = False

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    @admin.display(description="responses")
    def response_count(self, version: QuestionnaireVersion) -> int:
        return version.responses.count()


@admin.register(Questionnaire)
class QuestionnaireAdmin(admin.ModelAdmin):
    inlines = (VersionInline,)
    list_display = ("title", "key", "published", "versions")
    search_fields = ("title", "key")

    def get_queryset(self, request: HttpRequest) -> QuerySet:
        published = QuestionnaireVersion.objects.filter(
            questionnaire=OuterRef("pk"), status=VersionStatus.PUBLISHED
        ).values("number")[:1]
        return (
            super()
            .get_queryset(request)
            .annotate(
                _published=Subquery(published),
                _versions=_count(QuestionnaireVersion, questionnaire="pk"),
            )
        )

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> tuple:
        # The loader finds a questionnaire by its key, so it stays as created.
        return ("key",) if obj is not None else ()

    @admin.display(description="published version", ordering="_published")
    def published(self, questionnaire: Questionnaire) -> int | None:
        return questionnaire._published

    @admin.display(description="versions", ordering="_versions")
    def versions(self, questionnaire: Questionnaire) -> int:
        return questionnaire._versions
