"""Show a stored answer as the client chose it ("Moderate or frequent", not "2")."""

from django import template

from questionnaires.forms import SYMPTOM_CHOICES, YES_NO_CHOICES
from questionnaires.models import Answer, Question, QuestionKind

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
    text = str(labels.get(value, value))
    unit = (question.options or {}).get("unit")
    if unit and question.kind in (QuestionKind.INTEGER, QuestionKind.DECIMAL):
        text = f"{text} {unit}"
    return text
