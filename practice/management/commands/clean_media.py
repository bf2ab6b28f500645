"""Bring the private files on disk back in step with the database."""

from django.core.management.base import BaseCommand

from practice import media


class Command(BaseCommand):
    help = (
        "Move into place issued PDFs whose move a crash interrupted, and delete "
        "files and empty folders in COFACTOR_MEDIA_ROOT that no record points to."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--dry-run",
            action="store_true",
            help="List what would change; change nothing.",
        )

    def handle(self, *args, dry_run: bool = False, **options):
        result = media.sweep(remove=not dry_run)
        verb = "Would" if dry_run else "Did"
        for name in result.finished:
            self.stdout.write(f"{verb} move into place: {name}")
        for name in result.orphans:
            self.stdout.write(f"{verb} delete (no record points to it): {name}")
        for name in result.folders:
            self.stdout.write(f"{verb} delete empty folder: {name}")
        self.stdout.write(
            f"{len(result.finished)} moved into place, {len(result.orphans)} orphan "
            f"files, {len(result.folders)} empty folders."
        )
