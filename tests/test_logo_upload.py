"""The practice logo is a real PNG, JPEG or WebP image, small in bytes and pixels.

What the file is called and what type it claims do not matter: its content does.
"""

from __future__ import annotations

import io
import os
import struct
import zlib

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from practice.admin_forms import PracticeAdminForm
from practice.validators import validate_logo


def image_bytes(kind: str = "PNG", size=(120, 60), noise: bool = False) -> bytes:
    if noise:  # random pixels do not compress: a big file from a plain image
        picture = Image.frombytes("RGB", size, os.urandom(size[0] * size[1] * 3))
    else:
        picture = Image.new("RGB", size, (20, 90, 160))
    buffer = io.BytesIO()
    picture.save(buffer, kind)
    return buffer.getvalue()


def huge_plain_png(width: int, height: int) -> bytes:
    """A real, valid one-bit PNG of that size, small because it is all black,
    written row by row so that the test never holds its pixels in memory."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    header = struct.pack(">IIBBBBB", width, height, 1, 0, 0, 0, 0)
    packer = zlib.compressobj(9)
    row = b"\x00" * (1 + (width + 7) // 8)
    pixels = b"".join(packer.compress(row) for _ in range(height)) + packer.flush()
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", pixels)
        + chunk(b"IEND", b"")
    )


NOISY = (1400, 1300)  # random pixels at this size make a PNG of about 5.2 MB
SVG = (
    b'<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10">'
    b'<script>alert(1)</script><rect width="10" height="10"/></svg>'
)


def upload(name: str, content: bytes, content_type: str = "image/png"):
    return SimpleUploadedFile(name, content, content_type=content_type)


@pytest.mark.parametrize("kind", ["PNG", "JPEG", "WEBP"])
def test_a_small_real_image_is_accepted(kind):
    validate_logo(upload(f"logo.{kind.lower()}", image_bytes(kind)))


def test_a_real_image_with_the_wrong_name_is_judged_by_its_content():
    validate_logo(upload("logo.txt", image_bytes("JPEG"), "text/plain"))


@pytest.mark.parametrize(
    ("name", "content", "code", "words"),
    [
        (
            "logo.png",
            b"Just some text pretending to be a picture.\n",
            "logo_not_an_image",
            "not a PNG, JPEG or WebP image",
        ),
        ("logo.svg", SVG, "logo_not_an_image", "not a PNG, JPEG or WebP image"),
        ("logo.png", SVG, "logo_not_an_image", "not a PNG, JPEG or WebP image"),
        (
            "logo.gif",
            image_bytes("GIF"),
            "logo_format",
            "must be a PNG, JPEG or WebP image; this file is GIF",
        ),
        (
            "logo.png",
            image_bytes("PNG")[:-40],
            "logo_not_an_image",
            "or it is damaged",
        ),
    ],
    ids=["text-named-png", "svg", "svg-named-png", "gif", "truncated-png"],
)
def test_anything_but_a_png_jpeg_or_webp_is_refused(name, content, code, words):
    with pytest.raises(ValidationError) as refused:
        validate_logo(upload(name, content))
    assert refused.value.code == code
    assert words in refused.value.messages[0]


def test_a_five_megabyte_image_is_refused_for_its_size():
    content = image_bytes("PNG", size=NOISY, noise=True)
    assert len(content) > 5 * 1024 * 1024
    with pytest.raises(ValidationError) as refused:
        validate_logo(upload("logo.png", content))
    assert refused.value.code == "logo_too_large"
    assert "1 MB or smaller; this file is 5." in refused.value.messages[0]


def test_a_20000_pixel_square_image_is_refused_without_decoding_it():
    content = huge_plain_png(20_000, 20_000)
    assert len(content) < 1024 * 1024  # small in bytes: only its pixels are huge
    with pytest.raises(ValidationError) as refused:
        validate_logo(upload("logo.png", content))
    assert refused.value.code == "logo_too_many_pixels"
    assert "at most 4000 × 4000 pixels" in refused.value.messages[0]


def test_a_wide_banner_is_refused_with_its_size_in_the_message():
    content = huge_plain_png(6000, 100)
    with pytest.raises(ValidationError) as refused:
        validate_logo(upload("logo.png", content))
    assert "this one is 6000 × 100" in refused.value.messages[0]


# ------------------------------------------------------------- the admin form


def practice_form(practice, logo=None):
    data = {"name": "Test Practice", "upper_limits": "uk"}
    files = {"logo": logo} if logo is not None else {}
    return PracticeAdminForm(data, files, instance=practice)


def test_the_admin_form_saves_a_small_png(db, practice, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    form = practice_form(practice, upload("logo.png", image_bytes("PNG")))
    assert form.is_valid(), form.errors
    form.save()
    practice.refresh_from_db()
    assert practice.logo.name.startswith("practice/logo")


@pytest.mark.parametrize(
    ("name", "content", "words"),
    [
        ("logo.png", lambda: b"Just some text.\n", "not a PNG, JPEG or WebP image"),
        ("logo.svg", lambda: SVG, "not a PNG, JPEG or WebP image"),
        ("logo.png", lambda: image_bytes("PNG", NOISY, noise=True), "1 MB or smaller"),
        ("logo.png", lambda: huge_plain_png(20_000, 20_000), "at most 4000 × 4000"),
    ],
    ids=["text-named-png", "svg", "5-mb", "20000-pixels"],
)
def test_the_admin_form_refuses_what_is_not_a_small_real_image(
    db, practice, settings, tmp_path, name, content, words
):
    settings.MEDIA_ROOT = tmp_path
    form = practice_form(practice, upload(name, content()))
    assert not form.is_valid()
    assert any(words in message for message in form.errors["logo"])
    practice.refresh_from_db()
    assert not practice.logo
    assert not any(tmp_path.rglob("*"))


def test_the_admin_form_keeps_the_stored_logo_when_none_is_uploaded(
    db, practice, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path
    first = practice_form(practice, upload("logo.png", image_bytes("PNG")))
    assert first.is_valid()
    first.save()
    again = practice_form(practice)
    assert again.is_valid(), again.errors
    again.save()
    practice.refresh_from_db()
    assert practice.logo.name.startswith("practice/logo")


def test_the_practice_admin_shows_the_form_with_the_admin_upload_widget(
    rf, ada, practice
):
    """What `form = PracticeAdminForm` on PracticeAdmin gives the admin site."""
    from django.contrib import admin
    from django.contrib.admin.widgets import AdminFileWidget

    from practice.admin import PracticeAdmin
    from practice.admin_forms import LogoField
    from practice.models import Practice

    class WithLogoForm(PracticeAdmin):
        form = PracticeAdminForm

    request = rf.get("/admin/")
    request.user = ada
    form_class = WithLogoForm(Practice, admin.site).get_form(request, practice)
    logo = form_class.base_fields["logo"]
    assert isinstance(logo, LogoField)
    assert isinstance(logo.widget, AdminFileWidget)
    bound = form_class(
        {"name": "Test Practice", "upper_limits": "uk"},
        {"logo": upload("logo.svg", SVG)},
        instance=practice,
    )
    assert not bound.is_valid()
    assert "not a PNG, JPEG or WebP image" in bound.errors["logo"][0]
