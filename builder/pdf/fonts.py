"""Find the CJK fonts the print stylesheet names, through the fontconfig WeasyPrint itself uses."""

from __future__ import annotations

from functools import cache
from pathlib import Path

from ..errors import BuilderError

# The families `templates/print/print.css` names; the PDF needs both.
CJK_FAMILIES = ("Noto Serif CJK SC", "Noto Sans CJK SC")

INSTALL_HINT = "请安装中文字体：sudo apt-get install fonts-noto-cjk（或运行 make system-deps），然后重试。"


@cache
def cjk_font_files() -> tuple[tuple[str, Path], ...]:
    """Each required family with the font file fontconfig picks for it; BuilderError when one is missing.

    Without this check a missing font would not fail: Pango would fall back to a font
    without Chinese glyphs and the PDF would print empty boxes.
    """
    found = tuple((family, _match_family(family)) for family in CJK_FAMILIES)
    missing = [family for family, path in found if path is None]
    if missing:
        raise BuilderError(f"找不到生成 PDF 所需的中文字体 {'、'.join(missing)}。{INSTALL_HINT}")
    return tuple((family, path) for family, path in found if path is not None)


def fonts_fingerprint() -> str:
    """The font files in use (path, size, mtime): a new font version must invalidate cached PDFs."""
    parts = []
    for family, path in cjk_font_files():
        stat = path.stat()
        parts.append(f"{family}={path}:{stat.st_size}:{stat.st_mtime_ns}")
    return ";".join(parts)


def _match_family(family: str) -> Path | None:
    """The file fontconfig matches for `family`, or None when its best match is another family."""
    # WeasyPrint's own cffi bindings: the same fontconfig library and configuration Pango uses.
    from weasyprint.text.ffi import ffi, fontconfig

    config = ffi.gc(fontconfig.FcInitLoadConfigAndFonts(), fontconfig.FcConfigDestroy)
    pattern = ffi.gc(fontconfig.FcPatternCreate(), fontconfig.FcPatternDestroy)
    fontconfig.FcPatternAddString(pattern, b"family", family.encode())
    fontconfig.FcConfigSubstitute(config, pattern, fontconfig.FcMatchPattern)
    fontconfig.FcDefaultSubstitute(pattern)
    result = ffi.new("FcResult *")
    match = fontconfig.FcFontMatch(config, pattern, result)
    if match == ffi.NULL:
        return None
    match = ffi.gc(match, fontconfig.FcPatternDestroy)
    if family.lower() not in (name.lower() for name in _strings(match, b"family")):
        return None
    files = _strings(match, b"file")
    return Path(files[0]) if files else None


def _strings(pattern: object, key: bytes) -> list[str]:
    from weasyprint.text.ffi import ffi, fontconfig

    values, value = [], ffi.new("FcChar8 **")
    while fontconfig.FcPatternGetString(pattern, key, len(values), value) == fontconfig.FcResultMatch:
        values.append(ffi.string(value[0]).decode("utf-8", "replace"))
    return values
