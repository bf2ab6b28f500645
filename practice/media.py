"""Private files on disk (issued PDFs, the practice logo) and keeping them in step
with the database.

A new file is written under a pending name and moved into place only after the
transaction that records it has committed, so a crash or a rollback never leaves a
file under a name a record could point to. `clean_media` (the command) finishes a
move that a crash interrupted and removes what no record points to. Files are the
app user's alone: 0600, in 0700 folders (FILE_UPLOAD_PERMISSIONS in settings).
"""

from __future__ import annotations

import datetime
import hashlib
import logging
import os
import shutil
from dataclasses import dataclass, field
from pathlib import Path

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.utils import timezone

log = logging.getLogger(__name__)

PENDING_SUFFIX = ".pending"
# A pending file younger than this may belong to an issue still in progress.
PENDING_GRACE = datetime.timedelta(hours=1)


def save_pending(final_name: str, content: bytes) -> str:
    """Write content under a pending name next to `final_name`; returns that name."""
    return default_storage.save(final_name + PENDING_SUFFIX, ContentFile(content))


def move_into_place(pending_name: str, final_name: str) -> None:
    """Give a pending file its final name (replacing any leftover file there).

    Nothing to do if a reader has already moved it (see `finish_move`).
    """
    try:
        os.replace(default_storage.path(pending_name), default_storage.path(final_name))
    except FileNotFoundError:
        if not default_storage.exists(final_name):
            raise


def finish_move(final_name: str, sha256: str) -> bool:
    """Move a committed record's file into place if a crash left it pending.

    Only a committed record can be read by another request, so a pending file
    whose bytes match the record's hash is that record's file. True if moved.
    """
    if default_storage.exists(final_name):
        return False
    folder = Path(default_storage.path(final_name)).parent
    for path in sorted(folder.glob("*" + PENDING_SUFFIX)) if folder.is_dir() else ():
        name = Path(final_name).parent.joinpath(path.name).as_posix()
        if _completes(path, final_name, {final_name: sha256}) and (
            _final_name(name) == final_name
        ):
            move_into_place(name, final_name)
            log.warning("file %s moved into place on first read", final_name)
            return True
    return False


def remove_folder(name: str) -> None:
    """Delete a folder under MEDIA_ROOT and everything in it, if it is there."""
    root = Path(settings.MEDIA_ROOT).resolve()
    folder = Path(default_storage.path(name)).resolve()
    if root not in folder.parents:
        raise ValueError(f"{name!r} is not a folder inside MEDIA_ROOT")
    shutil.rmtree(folder, ignore_errors=True)


def referenced_names() -> set[str]:
    """Every file name a record points to."""
    from practice.models import Practice
    from questionnaires.models import IssuedSummary

    names = set(IssuedSummary.objects.values_list("file_name", flat=True))
    names.update(n for n in Practice.objects.values_list("logo", flat=True) if n)
    return names


@dataclass
class Sweep:
    finished: list[str] = field(default_factory=list)  # pending files moved into place
    orphans: list[str] = field(default_factory=list)  # files no record points to
    folders: list[str] = field(default_factory=list)  # empty folders


def sweep(*, remove: bool, now: datetime.datetime | None = None) -> Sweep:
    """Find (and with `remove`, fix) files out of step with the database.

    A pending file whose record exists but whose final file is missing, and whose
    bytes match the record's SHA-256, is moved into place (a crash came between
    the commit and the move). Any other file no record points to is an orphan;
    pending files are left alone for an hour in case their issue is still running.
    """
    from questionnaires.models import IssuedSummary

    now = now or timezone.now()
    root = Path(settings.MEDIA_ROOT)
    result = Sweep()
    if not root.is_dir():
        return result
    referenced = referenced_names()
    hashes = dict(IssuedSummary.objects.values_list("file_name", "sha256"))
    for path in sorted(p for p in root.rglob("*") if p.is_file()):
        name = path.relative_to(root).as_posix()
        if name in referenced:
            continue
        if name.endswith(PENDING_SUFFIX):
            final = _final_name(name)
            if _completes(path, final, hashes):
                result.finished.append(final)
                if remove:
                    move_into_place(name, final)
                continue
            if now - _modified(path) < PENDING_GRACE:
                continue
        result.orphans.append(name)
        if remove:
            path.unlink(missing_ok=True)
    for folder in sorted(
        (p for p in root.rglob("*") if p.is_dir()), key=lambda p: -len(p.parts)
    ):
        if not any(folder.iterdir()) and now - _modified(folder) >= PENDING_GRACE:
            result.folders.append(folder.relative_to(root).as_posix())
            if remove:
                folder.rmdir()
    if remove and (result.finished or result.orphans):
        log.info(
            "media sweep: %s moved into place, %s orphan files removed",
            len(result.finished),
            len(result.orphans),
        )
    return result


def _completes(path: Path, final: str, hashes: dict[str, str]) -> bool:
    """True if this pending file is the missing file of a committed record."""
    if final not in hashes or default_storage.exists(final):
        return False
    return hashlib.sha256(path.read_bytes()).hexdigest() == hashes[final]


def _modified(path: Path) -> datetime.datetime:
    return datetime.datetime.fromtimestamp(path.stat().st_mtime, tz=datetime.UTC)


def _final_name(pending_name: str) -> str:
    """The final name a pending file was written for.

    The storage may have added a suffix to keep the pending name unique
    (`v2.pdf_Ab3dE9x.pending`); it comes after the final name's own extension.
    """
    stem = pending_name.removesuffix(PENDING_SUFFIX)
    folder, _, base = stem.rpartition("/")
    if ".pdf_" in base:
        base = base[: base.rindex(".pdf_") + len(".pdf")]
    return f"{folder}/{base}" if folder else base
