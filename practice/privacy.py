"""A client's rights under UK GDPR: the privacy notice they consent to."""

from __future__ import annotations

from django.conf import settings
from django.utils import timezone

from practice.models import PrivacyNotice

# -------------------------------------------------------------- privacy notice


def current_notice() -> PrivacyNotice | None:
    """The privacy notice in force: the newest one already published."""
    return (
        PrivacyNotice.objects.filter(published_at__lte=timezone.now())
        .order_by("-published_at", "-id")
        .first()
    )


def notice_version() -> str:
    """The version a client consents to now (the setting until one is published)."""
    notice = current_notice()
    return notice.version if notice else settings.COFACTOR_PRIVACY_NOTICE_VERSION


def notice_blocks(text: str) -> list[tuple[str, str | list[str]]]:
    """Split a notice's plain text into headings, lists and paragraphs.

    Blank lines separate blocks; a block starting with "# " is a heading and one
    whose lines all start with "- " is a list. Nothing else is markup.
    """
    blocks: list[tuple[str, str | list[str]]] = []
    for block in text.replace("\r\n", "\n").split("\n\n"):
        lines = [line.strip() for line in block.strip().splitlines() if line.strip()]
        if not lines:
            continue
        if len(lines) == 1 and lines[0].startswith("# "):
            blocks.append(("heading", lines[0][2:].strip()))
        elif all(line.startswith("- ") for line in lines):
            blocks.append(("list", [line[2:].strip() for line in lines]))
        else:
            blocks.append(("paragraph", "\n".join(lines)))
    return blocks
