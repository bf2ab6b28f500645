"""Questionnaire models live with their area (intake, review, advice, ...); Django
finds them here, and the rest of the code imports them from here."""

from questionnaires.advice.models import (  # noqa: F401
    AdviceDraft,
    AdviceSnippet,
    CurrentAction,
    CurrentSupplement,
    IssuedSummary,
    PlanItem,
    SnippetSection,
    Timing,
)
from questionnaires.definitions.models import (  # noqa: F401
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
from questionnaires.followups.models import (  # noqa: F401
    Adherence,
    PlanAdherence,
)
from questionnaires.intake.models import (  # noqa: F401
    EDITABLE_STATUSES,
    Answer,
    EventKind,
    InvalidTransition,
    Response,
    ResponseEvent,
    ResponseQuerySet,
    ResponseStatus,
)
from questionnaires.intake.rows import (  # noqa: F401
    AmountBasis,
    EntryBase,
    Medication,
    SinceLast,
    Supplement,
    SupplementUnit,
)
from questionnaires.rechecks.models import (  # noqa: F401
    CaseUpkeep,
    EvidenceChange,
    KnowledgeRecheck,
    NewEvidence,
)
from questionnaires.review.models import (  # noqa: F401
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
