"""Forms of the questionnaires app, one module per concern; import them from here."""

from questionnaires.forms.advice import (  # noqa: F401
    PLAN_FIELDS,
    AdviceForm,
    InsertSnippetForm,
    IssueForm,
    PlanItemForm,
    SaveSnippetForm,
)
from questionnaires.forms.entries import (  # noqa: F401
    MEDICATION_FIELDS,
    SUPPLEMENT_FIELDS,
    DoseForm,
    EntryForm,
    MedicationForm,
    PlanAdherenceForm,
    SupplementForm,
    positive_number,
)
from questionnaires.forms.questions import (  # noqa: F401
    LIST_KINDS,
    SYMPTOM_CHOICES,
    YES_NO_CHOICES,
    NumberField,
    PastDateField,
    SectionForm,
    applies,
    build_field,
    field_name,
    initial_from_answers,
    not_asked,
    parse_number,
    parts_field,
    questions_not_asked,
    raw_value,
    stored_to_data,
)
from questionnaires.forms.review import (  # noqa: F401
    CloseCaseForm,
    DecisionForm,
    MatchForm,
    NoteForm,
    OpenCaseForm,
    ReopenForm,
    ReturnToForm,
    SubmitForm,
)
