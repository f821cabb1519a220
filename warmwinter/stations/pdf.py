"""The national forms as PDF: the print view's own template rendered by WeasyPrint, with
Noto Sans SC (an npm package, like the other front-end assets) embedded.

Two choices here are ours rather than WeasyPrint's defaults, and why:

- The fetcher serves the two font files and nothing else: the page carries what people typed
  (names, notes), so a stray URL in it must never make the server read a file or the network.
- The fonts are handed over without their OpenType layout tables (GSUB, GPOS …). Without the
  system library harfbuzz-subset, WeasyPrint subsets with fontTools, which decodes those tables
  of the 10 MB CJK font on every document (≈ 5 s). Horizontal Chinese text uses none of their
  features by default; the copy is made once per process and kept in memory.
"""

from __future__ import annotations

import io
from functools import lru_cache
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.http import HttpRequest
from django.template.loader import render_to_string

#: weight → file of the npm package @expo-google-fonts/noto-sans-sc.
_FONT_FILES = {
    400: "400Regular/NotoSansSC_400Regular.ttf",
    700: "700Bold/NotoSansSC_700Bold.ttf",
}
_LAYOUT_TABLES = ("GSUB", "GPOS", "BASE", "JSTF", "STAT", "vhea", "vmtx", "VORG")


class FormFontMissing(ImproperlyConfigured):
    """The Chinese font for PDF forms is not installed."""


def font_dir() -> Path:
    configured = settings.STATIONS_PDF_FONT_DIR
    if configured:
        return Path(configured)
    return Path(settings.BASE_DIR) / "node_modules" / "@expo-google-fonts" / "noto-sans-sc"


def font_files() -> dict[int, Path]:
    """The font file of each weight; a clear error when one is missing."""
    base = font_dir()
    files = {weight: base / rel for weight, rel in _FONT_FILES.items()}
    missing = [str(p) for p in files.values() if not p.is_file()]
    if missing:
        raise FormFontMissing(
            "PDF 表单需要中文字体 Noto Sans SC，未找到："
            + "、".join(missing)
            + "。请在项目目录运行 npm install（字体来自 npm 包 @expo-google-fonts/noto-sans-sc）"
            "，或用 STATIONS_PDF_FONT_DIR 指向字体目录。"
        )
    return files


def font_face_css() -> str:
    """@font-face rules pointing at the font files (file:// URLs)."""
    return "\n".join(
        f'@font-face {{ font-family: "Noto Sans SC"; font-weight: {weight}; '
        f'src: url("{path.resolve().as_uri()}") format("truetype"); }}'
        for weight, path in font_files().items()
    )


@lru_cache(maxsize=4)
def _font_without_layout(path: str, mtime_ns: int) -> bytes:
    from fontTools.ttLib import TTFont

    font = TTFont(path, lazy=True)
    for tag in _LAYOUT_TABLES:
        if tag in font:
            del font[tag]
    # Glyph names kept in the font spare the subsetter deriving 30 000 of them each time.
    post = font["post"]
    if post.formatType == 3.0:
        order = font.getGlyphOrder()
        post.formatType = 2.0
        post.extraNames = []
        post.mapping = {}
        post.glyphOrder = order
    out = io.BytesIO()
    font.save(out)
    return out.getvalue()


def _url_fetcher() -> Any:
    from weasyprint.urls import URLFetcher, URLFetcherResponse

    allowed = {path.resolve().as_uri(): path for path in font_files().values()}

    class FontsOnly(URLFetcher):  # type: ignore[misc]
        def fetch(self, url: str, headers: Any = None) -> Any:
            path = allowed.get(url.split("?")[0])
            if path is None:
                raise ValueError(f"PDF 表单不加载外部资源：{url[:80]}")
            body = _font_without_layout(str(path), path.stat().st_mtime_ns)
            return URLFetcherResponse(url, body, {"Content-Type": "font/ttf"})

    return FontsOnly(allowed_protocols={"file"})


def render_pdf(template: str, context: dict[str, Any], request: HttpRequest | None = None) -> bytes:
    """The print view's template, laid out for A4 with the fonts embedded."""
    from weasyprint import HTML

    html = render_to_string(
        template,
        {**context, "print_layout": "stations/print_pdf.html", "font_css": font_face_css()},
        request=request,
    )
    return bytes(HTML(string=html, url_fetcher=_url_fetcher()).write_pdf())
