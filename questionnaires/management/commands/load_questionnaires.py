"""Load the shipped questionnaires from questionnaires/data/*.toml.

    python manage.py load_questionnaires [FILE ...] [--check]

Safe to run on every deploy: a questionnaire whose file has not changed is left
alone, and a changed one is published as a new version (the previous one is
retired; responses keep the version they were answered on). Every file is read
and checked before anything is loaded, so one broken file loads nothing.
"""

from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError, CommandParser

from questionnaires.definitions.loader import (
    DATA_DIR,
    QuestionnaireFileError,
    QuestionnaireSpec,
    load_spec,
    read_questionnaire,
)


class Command(BaseCommand):
    help = "Load questionnaires/data/*.toml, publishing a new version of any changed."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "files", nargs="*", type=Path, help="data files (default: all shipped)"
        )
        parser.add_argument(
            "--check", action="store_true", help="check the files; load nothing"
        )

    def handle(self, *args: object, files: list[Path], check: bool, **options) -> None:
        paths = files or sorted(DATA_DIR.glob("*.toml"))
        if not paths:
            raise CommandError(f"No questionnaire files in {DATA_DIR}.")
        try:
            specs = [read_questionnaire(path) for path in paths]
        except QuestionnaireFileError as error:
            raise CommandError(str(error)) from error
        for spec in specs:
            if check:
                self.stdout.write(
                    f"{spec.title}: valid ({len(spec.sections)} sections, "
                    f"{spec.question_count} questions)"
                )
            else:
                self.stdout.write(self._load(spec))

    def _load(self, spec: QuestionnaireSpec) -> str:
        version, created = load_spec(spec)
        if created:
            return f"{spec.title}: version {version.number} published"
        published = version.questionnaire.published_version()
        if published is not None and published.pk != version.pk:
            return (
                f"{spec.title}: unchanged (version {version.number}; version "
                f"{published.number}, edited in the admin, is published)"
            )
        return f"{spec.title}: unchanged (version {version.number})"
