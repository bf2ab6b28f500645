"""The advice editor's choices about the PDF itself (the symptom chart or not, what
changed since the last version, when the client takes each medicine) and what the
PDF's daily timetable reads from the case: the plan's nutrients, the medicines
placed in the day and the knowledge base's spacings."""

from __future__ import annotations

from collections.abc import Iterable

from django.http import QueryDict

from questionnaires.advice.timetable import Dose, Spacing, clashes
from questionnaires.interactions import knowledge as knowledge_base
from questionnaires.interactions.matching import matcher_for
from questionnaires.models import (
    AdviceDraft,
    IssuedSummary,
    Medication,
    PlanItem,
    Response,
    Timing,
)
from questionnaires.review.engine_facts import build_case_facts
from questionnaires.review.matches import entry_matches
from questionnaires.values import without_nul

CHANGES_MAX = 5000
#: The draft's fields these options write (saved with the advice text).
OPTION_FIELDS = ("include_symptom_chart", "changes", "medicine_timings")
#: Posted with the options, so that an unticked box can be told from no options.
MARKER = "summary-options"


def save_options(data: QueryDict, draft: AdviceDraft) -> list[str]:
    """Copy the posted options onto the draft (not saved); return what changed."""
    if MARKER not in data:
        return []
    before = (draft.include_symptom_chart, draft.changes, dict(draft.medicine_timings))
    draft.include_symptom_chart = data.get("include_symptom_chart") == "on"
    if "changes" in data:
        draft.changes = without_nul(data["changes"])[:CHANGES_MAX]
    codes = {str(c) for c in draft.response.medications.values_list("code", flat=True)}
    draft.medicine_timings = {
        code: value
        for code in sorted(codes)
        if (value := data.get(f"medicine-timing-{code}", "")) in Timing.values
    }
    after = (draft.include_symptom_chart, draft.changes, draft.medicine_timings)
    pairs = zip(OPTION_FIELDS, before, after, strict=True)
    return [name for name, old, new in pairs if old != new]


def medicine_choices(draft: AdviceDraft) -> list[tuple[Medication, str]]:
    """The client's medicines with the time chosen for each ("" for none)."""
    return [
        (row, draft.medicine_timings.get(str(row.code), ""))
        for row in draft.response.medications.all()
        if not row.is_blank and not row.is_stopped
    ]


def plan_substances(rows: list[PlanItem]) -> dict[int, tuple[str, ...]]:
    """Each plan row's nutrients by their knowledge-base names, by row id."""
    knowledge = knowledge_base.load()
    matcher = matcher_for(knowledge)
    found = {}
    for row in rows:
        match = matcher.nutrient(row.nutrient or row.product)
        found[row.pk] = (
            tuple(knowledge.nutrients[i].name for i in match.ids)
            if match.matched
            else ()
        )
    return found


def timetable_medicines(response: Response, draft: AdviceDraft) -> tuple[Dose, ...]:
    """The client's medicines the practitioner placed in the day, as doses."""
    if not draft.medicine_timings:
        return ()
    knowledge = knowledge_base.load()
    matches = entry_matches(build_case_facts(response, knowledge=knowledge), knowledge)
    doses = []
    for row in response.medications.all():
        timing = draft.medicine_timings.get(str(row.code))
        if timing not in Timing.values or row.is_blank or row.is_stopped:
            continue
        match = matches.get(f"medication:{row.code}")
        doses.append(
            Dose(
                name=" ".join(p for p in (row.name, row.strength) if p).strip(),
                amount="",
                timings=(timing,),
                substances=tuple(d.name for d in match.drugs) if match else (),
                is_medicine=True,
                as_prescribed=row.frequency.strip(),
            )
        )
    return tuple(doses)


def case_spacings(response: Response) -> tuple[Spacing, ...]:
    """The knowledge base's spacings that apply to this case, from its current
    findings (whatever was decided: the fact stays true)."""
    spacings = {}
    found = response.findings.current().filter(spacing_hours__isnull=False)
    # Two columns, not whole findings: their evidence and sources are long JSON.
    for subjects, spacing_hours in found.values_list("subjects", "spacing_hours"):
        if len(subjects) >= 2:
            first, second = subjects[:2]
            key = frozenset((first, second))
            hours = max(spacing_hours, spacings.get(key, (0, 0, 0))[2])
            spacings[key] = (first, second, hours)
    return tuple(Spacing(*value) for value in spacings.values())


def with_replacements(summaries: Iterable[IssuedSummary]) -> list[IssuedSummary]:
    """The summaries of one client, each with `replaced_by`: the newest version
    if this one is older, else None. Versions run across the client's visits, so
    a follow-up's summary replaces the one before it."""
    summaries = list(summaries)
    latest = max(summaries, key=lambda s: s.version, default=None)
    for summary in summaries:
        summary.replaced_by = latest if latest.version > summary.version else None
    return summaries


def timetable_clashes(response: Response, draft: AdviceDraft) -> list[str]:
    """What the plan and the medicines' times put together that the knowledge
    base says to keep apart, for a warning in the editor."""
    rows = [row for row in draft.plan.all() if not row.is_blank]
    substances = plan_substances(rows)
    doses = [
        Dose(
            name=str(row), amount="", timings=row.timings, substances=substances[row.pk]
        )
        for row in rows
    ]
    medicines = timetable_medicines(response, draft)
    return clashes([*medicines, *doses], case_spacings(response))
