"""What the clients seed_load adds look like: their names, how they are spread over
the stages of a case, and the submitted cases they copy."""

from __future__ import annotations

from dataclasses import dataclass

from questionnaires.models import Response, ResponseStatus

FIRST_NAMES = [
    "Margaret",
    "Linda",
    "George",
    "Susan",
    "Peter",
    "Janet",
    "David",
    "Patricia",
    "John",
    "Helen",
    "Michael",
    "Barbara",
    "Robert",
    "Carol",
    "Alan",
    "Christine",
    "Brian",
    "Elaine",
    "Keith",
    "Maureen",
    "Colin",
    "Sandra",
    "Graham",
    "Pauline",
    "Trevor",
    "Jean",
    "Derek",
    "Ann",
    "Roger",
    "Valerie",
    "Nigel",
    "Sheila",
    "Mohammed",
    "Aisha",
    "Priya",
    "Raj",
    "Siobhan",
    "Declan",
    "Olu",
    "Grace",
    "Wei",
    "Mei",
    "Tomasz",
    "Agnieszka",
]
LAST_NAMES = [
    "Smith",
    "Jones",
    "Taylor",
    "Brown",
    "Williams",
    "Wilson",
    "Johnson",
    "Davies",
    "Robinson",
    "Wright",
    "Thompson",
    "Evans",
    "Walker",
    "White",
    "Roberts",
    "Green",
    "Hall",
    "Wood",
    "Jackson",
    "Clarke",
    "Patel",
    "Khan",
    "Lewis",
    "James",
    "Phillips",
    "Mason",
    "Mitchell",
    "Rose",
    "Davis",
    "Rodriguez",
    "Cox",
    "Alexander",
    "O'Brien",
    "Murphy",
    "Kelly",
    "Nowak",
    "Chen",
    "Okafor",
    "Mensah",
    "Campbell",
    "Stewart",
    "MacDonald",
]

# How a practice's clients are spread over the stages of a case (weights), and
# the status of the latest response there; None means no questionnaire yet.
SCENARIOS = {
    "invited": (8, None),
    "invited_sent": (6, ResponseStatus.IN_PROGRESS),
    "no_questionnaire": (4, None),
    "in_progress": (14, ResponseStatus.IN_PROGRESS),
    "reopened": (2, ResponseStatus.REOPENED),
    "submitted": (10, ResponseStatus.SUBMITTED),
    "in_review": (10, ResponseStatus.IN_REVIEW),
    "ready_for_advice": (8, ResponseStatus.READY_FOR_ADVICE),
    "summary_issued": (38, ResponseStatus.SUMMARY_ISSUED),
}
# Share of clients with a case before the current one (issued a year or more ago).
RETURNING = 0.3


@dataclass
class Template:
    """A submitted case to copy: what was answered and what the engine found."""

    answers: list[tuple[int, object]]
    symptoms: frozenset[int]  # the questions whose answers are symptom scores
    medications: list[dict]
    supplements: list[dict]
    findings: list[dict]


def template_of(response: Response) -> Template:
    """Read a submitted case as a template to copy."""
    copied = ("rule", "kind", "severity", "subjects", "classes", "title", "message")
    copied += ("action", "spacing_hours", "sources", "triggers", "evidence")
    answers = response.answers.order_by(
        "question__section__position", "question__position"
    )
    return Template(
        answers=list(answers.values_list("question_id", "value")),
        symptoms=frozenset(
            answers.filter(question__concept__startswith="symptom:").values_list(
                "question_id", flat=True
            )
        ),
        medications=list(
            response.medications.values("name", "strength", "frequency", "since")
        ),
        supplements=list(
            response.supplements.values(
                "product", "nutrient", "form", "amount", "unit", "per_day"
            )
        ),
        findings=list(
            response.findings.current().values("key", "knowledge_version", *copied)
        ),
    )
