"""Checks on uploaded files: only real images, small enough, become the logo."""

from __future__ import annotations

import warnings

from django.core.exceptions import ValidationError
from django.core.files import File
from PIL import Image, UnidentifiedImageError

#: The logo is printed small on each advice summary; 1 MB is plenty.
MAX_LOGO_BYTES = 1024 * 1024
#: Wider or taller than this is a photograph or an attack, not a logo.
MAX_LOGO_SIDE = 4000
#: Formats Pillow reports, with the name we show; WeasyPrint prints all three.
LOGO_FORMATS = {"PNG": "PNG", "JPEG": "JPEG", "WEBP": "WebP"}


def validate_logo(file: File) -> None:
    """Accept a PNG, JPEG or WebP image under the size limits, judged by content.

    The name and the declared content type are ignored: a text file called
    logo.png is not an image. The header is read before any pixels, so a huge
    image is refused without being decoded.
    """
    if file.size > MAX_LOGO_BYTES:
        raise ValidationError(
            "The logo must be 1 MB or smaller; this file is %(size)s. Save it "
            "smaller (a PNG or JPEG a few hundred pixels wide is plenty).",
            code="logo_too_large",
            params={"size": _megabytes(file.size)},
        )
    position = file.tell()
    file.seek(0)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)
            with Image.open(file) as image:
                kind, (width, height) = image.format, image.size
                _check_format_and_size(kind, width, height)
                image.verify()  # reads the whole file: truncated or corrupt fails
    except Image.DecompressionBombError as error:
        raise _too_many_pixels() from error
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError) as error:
        raise ValidationError(
            "This file is not a PNG, JPEG or WebP image (or it is damaged). "
            "Upload the logo as one of those.",
            code="logo_not_an_image",
        ) from error
    finally:
        file.seek(position)


def _check_format_and_size(kind: str | None, width: int, height: int) -> None:
    if kind not in LOGO_FORMATS:
        raise ValidationError(
            "The logo must be a PNG, JPEG or WebP image; this file is %(kind)s.",
            code="logo_format",
            params={"kind": kind or "not an image"},
        )
    if width > MAX_LOGO_SIDE or height > MAX_LOGO_SIDE:
        raise _too_many_pixels(width, height)


def _too_many_pixels(width: int | None = None, height: int | None = None):
    found = f"{width} × {height}" if width and height else "far larger"
    return ValidationError(
        "The logo can be at most %(side)s × %(side)s pixels; this one is %(found)s.",
        code="logo_too_many_pixels",
        params={"side": MAX_LOGO_SIDE, "found": found},
    )


def _megabytes(size: int) -> str:
    return f"{size / (1024 * 1024):.1f} MB"
