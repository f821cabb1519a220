"""Photos people upload (a lead's, an encounter's, a family inquiry's): checked to be a real
image within the size limit and re-encoded, which drops their metadata (EXIF GPS, camera
serials) before anything is stored."""

from __future__ import annotations

import io
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from PIL import Image, UnidentifiedImageError


def max_photo_bytes() -> int:
    return int(settings.PHOTO_MAX_BYTES)


@dataclass(frozen=True)
class CleanPhoto:
    content: bytes
    content_type: str
    extension: str
    width: int
    height: int


def clean_photo(upload: Any) -> CleanPhoto:
    """Check that an upload is a real image within the size limit and re-encode it, which drops
    its metadata. Raises ValidationError otherwise."""
    limit = max_photo_bytes()
    if upload.size > limit:
        raise ValidationError(
            _("照片太大（最大 %(mb)d MB）") % {"mb": limit // (1024 * 1024)}, code="too_large"
        )
    try:
        upload.seek(0)
        with Image.open(upload) as probe:
            probe.verify()
        upload.seek(0)
        with Image.open(upload) as image:
            if image.format not in ("JPEG", "PNG", "WEBP", "GIF"):
                raise ValidationError(_("只接受 JPEG、PNG、WebP 或 GIF 图片"), code="format")
            if image.width * image.height > 40_000_000:
                raise ValidationError(_("图片尺寸过大"), code="too_large")
            image.load()
            is_png = image.format == "PNG"
            rgb = image.convert("RGBA" if is_png else "RGB")
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, Image.DecompressionBombError):
        raise ValidationError(_("上传的文件不是有效的图片"), code="invalid") from None
    out = io.BytesIO()
    # A fresh image has no info dict: saving it writes pixels only.
    clean = Image.new(rgb.mode, rgb.size)
    clean.paste(rgb)
    if is_png:
        clean.save(out, format="PNG", optimize=True)
        return CleanPhoto(out.getvalue(), "image/png", "png", clean.width, clean.height)
    clean.save(out, format="JPEG", quality=85)
    return CleanPhoto(out.getvalue(), "image/jpeg", "jpg", clean.width, clean.height)
