"""Cases whose findings an older knowledge base raised, for the re-check tests."""

from __future__ import annotations

from questionnaires.models import Response
from questionnaires.review.checking import check_response
from tests.questionnaire_factories import osteoporosis_case

OLD = "0ld0ld0ld0ld"


def checked_with_older_knowledge(client, version, **fields):
    """A case whose findings an older knowledge base raised: one finding it did
    not have yet, and one whose wording the new knowledge changed."""
    case = osteoporosis_case(client, version, **fields)
    check_response(case)
    findings = list(case.findings.order_by("pk"))
    findings[0].delete()
    changed = findings[1]
    changed.message = "The wording of the older knowledge."
    changed.knowledge_version = OLD
    changed.save()
    case.findings.update(knowledge_version=OLD)
    Response.objects.filter(pk=case.pk).update(knowledge_version=OLD)
    return case, findings[0].rule, changed
