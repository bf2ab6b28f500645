"""The admin's forms for questions and sections: the data-file loader's rules,
checked before a draft version is saved."""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.forms.models import BaseInlineFormSet

from questionnaires.definitions.versions import (
    QUESTION_FIELDS,
    SECTION_FIELDS,
    question_problems,
    symptom_options,
)
from questionnaires.models import Question, QuestionKind, Section


class QuestionForm(forms.ModelForm):
    """Check a question with the same rules as the data-file loader.

    `version` is not on the form (it follows the section), so the model's
    version-wide unique concept is checked here rather than left to the database.
    """

    # In the section's inline the other questions of the section are checked by
    # the formset instead, from what was submitted.
    check_same_section = True

    class Meta:
        model = Question
        fields = ("section", *QUESTION_FIELDS)
        help_texts = {
            "choices": 'For choice questions: [["value", "Label"], ...]. The value '
            "is stored; the label is shown.",
            "options": 'E.g. {"min": 0, "max": 200, "unit": "kg"}. Filled in for a '
            "symptom from the knowledge base.",
        }

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        data["choices"] = data.get("choices") or []
        data["options"] = data.get("options") or {}
        concept, kind = data.get("concept"), data.get("kind")
        if concept is None or kind is None:
            return data
        if kind == QuestionKind.SYMPTOM_SCALE:
            expected = symptom_options(concept.removeprefix("symptom:"))
            if expected:
                data["options"] = {**data["options"], **expected}
        for field, problem in question_problems(
            concept=concept,
            kind=kind,
            choices=data["choices"],
            options=data["options"],
        ):
            self.add_error(field, problem)
        section = data.get("section") or getattr(self.instance, "section", None)
        if section is not None:
            self.instance.version_id = section.version_id
            self._check_concept_is_new(section, concept)
        return data

    def _check_concept_is_new(self, section: Section, concept: str) -> None:
        others = Question.objects.filter(version_id=section.version_id, concept=concept)
        if self.instance.pk:
            others = others.exclude(pk=self.instance.pk)
        if not self.check_same_section and section.pk:
            others = others.exclude(section_id=section.pk)
        if others.exists():
            self.add_error("concept", "Another question in this version asks this.")


class SectionQuestionForm(QuestionForm):
    check_same_section = False


class SectionQuestionFormSet(BaseInlineFormSet):
    def clean(self) -> None:
        super().clean()
        concepts = [
            form.cleaned_data.get("concept")
            for form in self.forms
            if getattr(form, "cleaned_data", None)
            and not self._should_delete_form(form)
        ]
        twice = sorted({c for c in concepts if c and concepts.count(c) > 1})
        if twice:
            raise ValidationError(
                f"Each concept can be asked once: {', '.join(twice)}.",
                code="duplicate_concept",
            )


class SectionForm(forms.ModelForm):
    """Check the key and position are free when the version is not on the form."""

    class Meta:
        model = Section
        fields = ("version", *SECTION_FIELDS)

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if "version" in self.fields or self.instance.version_id is None:
            return data  # the model's own unique checks apply
        siblings = Section.objects.filter(version_id=self.instance.version_id).exclude(
            pk=self.instance.pk
        )
        for field in ("key", "position"):
            value = data.get(field)
            if value is not None and siblings.filter(**{field: value}).exists():
                self.add_error(field, "Another section of this version has this.")
        return data
