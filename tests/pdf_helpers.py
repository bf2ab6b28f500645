"""Reading a PDF back, for tests that check what a summary says."""

from __future__ import annotations

from io import BytesIO

from pypdf import PdfReader


def pdf_text(pdf: bytes) -> str:
    """The text of every page, in order."""
    return "\n".join(
        page.extract_text() or "" for page in PdfReader(BytesIO(pdf)).pages
    )
