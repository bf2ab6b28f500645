"""Show a stored answer as the client chose it ("Moderate or frequent", not "2")."""

from django import template
from django.utils.dateformat import format as format_date

from questionnaires.intake.forms import SYMPTOM_CHOICES, YES_NO_CHOICES, parts_field
from questionnaires.intake.measure_field import MeasureField
from questionnaires.models import Answer, Question, QuestionKind
from questionnaires.values import iso_date

register = template.Library()

_LABELS = {
    QuestionKind.SYMPTOM_SCALE: dict(SYMPTOM_CHOICES),
    QuestionKind.YES_NO: dict(YES_NO_CHOICES),
}


@register.simple_tag
def answer_text(question: Question, answer: Answer | None) -> str:
    value = answer.value if answer else None
    if value in (None, "", []):
        return ""
    if question.kind == QuestionKind.CONSENT:
        return "Agreed" if value == "yes" else ""
    labels = _LABELS.get(question.kind) or dict(tuple(c) for c in question.choices)
    if isinstance(value, list):
        return ", ".join(str(labels.get(v, v)) for v in value)
    if question.kind == QuestionKind.DATE:
        return long_date(value)
    text = str(labels.get(value, value))
    unit = (question.options or {}).get("unit")
    if unit and question.kind in (QuestionKind.INTEGER, QuestionKind.DECIMAL):
        field = parts_field(question)
        if isinstance(field, MeasureField) and not text.replace(".", "").isdigit():
            metric = field.in_metric(text)  # "5 ft 3 in (160 cm)"
            return f"{text} ({metric:.0f} {unit})" if metric is not None else text
        text = f"{text} {unit}"
    return text


@register.filter
def long_date(value: object) -> str:
    """ "1952-03-12" -> "12 March 1952"; anything else as it is."""
    date = iso_date(value)
    return format_date(date, "j F Y") if date else str(value)


# Where in the questionnaire an engine trigger's ref comes from.
_REF_SECTIONS = {
    "medication": "Medications",
    "supplement": "Supplements",
    "plan": "Supplement plan",
    "condition": "Health",
    "pregnant": "About you",
    "breastfeeding": "About you",
    "symptoms": "Symptoms",
    "alcohol_units_per_week": "Alcohol",
    "smoking": "Lifestyle",
}


@register.filter
def ref_section(ref: str) -> str:
    """ "medication:<code>" -> "Medications", for "Lisinopril 10 mg — Medications"."""
    head = str(ref).split(":", 1)[0].split(".", 1)[0].split("[", 1)[0]
    head = {"medications": "medication", "supplements": "supplement"}.get(head, head)
    return _REF_SECTIONS.get(head, "Answers")


@register.filter
def words(value: object) -> str:
    """An identifier as words: "fish_oil" -> "fish oil"."""
    return str(value).replace("_", " ")
