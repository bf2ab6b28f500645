"""Questionnaire models, one module per resource; import them from here."""

from questionnaires.models.advice import (  # noqa: F401
    AdviceDraft,
    AdviceSnippet,
    CurrentAction,
    CurrentSupplement,
    IssuedSummary,
    PlanItem,
    SnippetSection,
    Timing,
)
from questionnaires.models.definitions import (  # noqa: F401
    LIST_KINDS,
    FrozenGuardMixin,
    FrozenGuardQuerySet,
    FrozenVersionError,
    Question,
    QuestionKind,
    Questionnaire,
    QuestionnaireVersion,
    Section,
    Step,
    VersionStatus,
)
from questionnaires.models.findings import (  # noqa: F401
    MUST_DECIDE,
    SEVERITY_ORDER,
    ActionKind,
    CaseNote,
    Decision,
    Finding,
    FindingQuerySet,
    ReviewAction,
    Severity,
)
from questionnaires.models.followups import (  # noqa: F401
    Adherence,
    PlanAdherence,
)
from questionnaires.models.rechecks import (  # noqa: F401
    CaseUpkeep,
    EvidenceChange,
    KnowledgeRecheck,
    NewEvidence,
)
from questionnaires.models.responses import (  # noqa: F401
    EDITABLE_STATUSES,
    AmountBasis,
    Answer,
    EntryBase,
    EventKind,
    InvalidTransition,
    Medication,
    Response,
    ResponseEvent,
    ResponseQuerySet,
    ResponseStatus,
    SinceLast,
    Supplement,
    SupplementUnit,
)
