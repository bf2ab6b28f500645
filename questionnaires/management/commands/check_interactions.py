"""Check a case file against the knowledge base and print the findings.

    python manage.py check_interactions CASE.json [--format text|json]
                                                  [--limits uk|eu|us]

For practitioners checking a situation, admins reviewing rules, and tests. Bad
input exits with status 2 and one line on stderr that names the field.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from questionnaires.interactions import engine, knowledge
from questionnaires.interactions.facts import CaseError, CaseFacts, check_symptom_keys

LIMIT_NAMES = {
    "uk": (
        "UK (Expert Group on Vitamins and Minerals, NHS for vitamin D; "
        "EFSA where UK has no value for the nutrient or age)"
    ),
    "eu": "EU (EFSA)",
    "us": "US (IOM / NIH)",
}
SEVERITY_HEADINGS = {
    "refer": "REFER TO GP",
    "major": "MAJOR",
    "moderate": "MODERATE",
    "minor": "MINOR",
    "info": "FOR INFORMATION",
}


class CaseFileError(CommandError):
    """A case file that cannot be read; the message starts with the field path."""

    def __init__(self, message: str) -> None:
        super().__init__(message, returncode=2)


class Command(BaseCommand):
    help = "Check a CASE.json file for interactions, depletions, limits and red flags."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("case_file", help="path to a CASE.json file")
        parser.add_argument("--format", choices=("text", "json"), default="text")
        parser.add_argument("--limits", choices=tuple(LIMIT_NAMES), default="uk")

    def execute(self, *args: Any, **options: Any) -> str | None:
        try:
            return super().execute(*args, **options)
        except CaseFileError as error:
            if not self._called_from_command_line:
                raise
            # One plain line, without Django's "CommandError:" prefix.
            self.stderr.write(str(error))
            sys.exit(error.returncode)

    def handle(self, *args: Any, **options: Any) -> None:
        kb = knowledge.load()
        facts = _read_case(Path(options["case_file"]), kb)
        result = engine.check(facts, kb, limits=options["limits"])
        findings = result.findings
        if options["format"] == "json":
            document = {
                "knowledge_version": kb.version,
                "limits": options["limits"],
                "findings": [f.to_dict() for f in findings],
                "entries": [e.to_dict(kb) for e in result.entries],
            }
            self.stdout.write(json.dumps(document, indent=2, ensure_ascii=False))
        else:
            text = _as_text(findings, kb.version, options["limits"])
            self.stdout.write(text + _entries_text(result.entries, kb))


def _read_case(path: Path, kb: knowledge.Knowledge) -> CaseFacts:
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise CaseFileError(f"{path}: no such file") from None
    except (OSError, UnicodeDecodeError) as error:
        raise CaseFileError(f"{path}: cannot be read ({error})") from None
    try:
        data = json.loads(text)
    except json.JSONDecodeError as error:
        raise CaseFileError(
            f"case: not valid JSON ({error.msg} at line {error.lineno}, "
            f"column {error.colno})"
        ) from None
    try:
        facts = CaseFacts.from_dict(data)
        check_symptom_keys(facts, kb.symptoms)
    except CaseError as error:
        raise CaseFileError(str(error)) from None
    return facts


def _as_text(findings: list[engine.Finding], version: str, limits: str) -> str:
    lines = [
        f"Interaction check (knowledge {version}; upper limits: {LIMIT_NAMES[limits]})"
    ]
    if not findings:
        lines.append("")
        lines.append("No findings: nothing in this case matched a rule.")
        return "\n".join(lines)
    counts = ", ".join(
        f"{sum(f.severity == s for f in findings)} {s}"
        for s in SEVERITY_HEADINGS
        if any(f.severity == s for f in findings)
    )
    lines.append(f"{len(findings)} findings: {counts}")
    for severity, heading in SEVERITY_HEADINGS.items():
        group = [f for f in findings if f.severity == severity]
        if not group:
            continue
        lines += ["", f"{heading} ({len(group)})", "=" * (len(heading) + 4)]
        for finding in group:
            lines += _finding_lines(finding)
    return "\n".join(lines)


def _finding_lines(finding: engine.Finding) -> list[str]:
    lines = ["", f"* {finding.title}  [{finding.rule}]"]
    lines.append(f"  Why: {finding.message}")
    lines.append(f"  Action: {finding.action}")
    if finding.spacing_hours is not None:
        lines.append(f"  Keep apart: at least {_duration(finding.spacing_hours)}")
    triggers = "; ".join(label for _, label in finding.triggers)
    lines.append(f"  From the answers: {triggers}")
    lines.append(f"  Evidence: {finding.evidence}")
    for source in finding.sources:
        lines.append(
            f"  Source: {source.title}" + (f" <{source.url}>" if source.url else "")
        )
    return lines


def _duration(hours: float) -> str:
    if hours < 1:
        return f"{round(hours * 60)} minutes"
    shown = int(hours) if float(hours).is_integer() else hours
    return f"{shown} hour" if shown == 1 else f"{shown} hours"


def _entries_text(entries: list, kb: knowledge.Knowledge) -> str:
    """What each answer was understood as, so a wrong match is seen by a person."""
    if not entries:
        return ""
    lines = ["", "", "WHAT EACH ENTRY WAS UNDERSTOOD AS", "=" * 33]
    for item in entries:
        row = item.to_dict(kb)
        matched = ", ".join(f"{m['name']} ({m['kind']})" for m in row["matched"])
        lines.append(
            f"* {row['text']}: {matched or 'nothing'} [{row['how']}]"
            f" - {item.status_text}"
        )
        for nutrient in item.nutrient_rows(kb):
            note = f" ({nutrient['note']})" if nutrient["note"] else ""
            lines.append(f"    {nutrient['name']}: {nutrient['daily_text']}{note}")
    return "\n".join(lines)
