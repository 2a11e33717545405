"""Tell which encoding a text file that is not UTF-8 was saved in, so a message can name it correctly.

Windows editors save as UTF-16 ("Unicode") or GBK ("ANSI"); an `iconv -f GBK` hint for
a UTF-16 file does not work. UTF-16 is recognised by its byte order mark, or without
one by the zero bytes that every ASCII character (keys, spaces, newlines) carries.
"""

from __future__ import annotations

import codecs

_BOMS = (
    (codecs.BOM_UTF32_LE, "UTF-32LE"),
    (codecs.BOM_UTF32_BE, "UTF-32BE"),
    (codecs.BOM_UTF16_LE, "UTF-16LE"),
    (codecs.BOM_UTF16_BE, "UTF-16BE"),
)


def utf16_without_bom(raw: bytes) -> str | None:
    """`UTF-16LE` or `UTF-16BE` for UTF-16 text without a BOM, else None.

    ASCII in UTF-16 puts a zero byte in every other place; text that is nearly all Chinese has
    few of them, so it is also taken for UTF-16 when it is no UTF-8 and reads as plausible
    Chinese in one byte order (GBK read as UTF-16 gives Hangul, private-use and broken surrogates).
    """
    sample = raw[:4096]
    if len(sample) < 4:
        return None
    even, odd = sample[0::2].count(0), sample[1::2].count(0)
    if odd > 3 * even and odd >= len(sample) // 8:
        return "UTF-16LE"
    if even > 3 * odd and even >= len(sample) // 8:
        return "UTF-16BE"
    if len(raw) % 2 or _is_utf8(raw):
        return None
    for name in ("UTF-16LE", "UTF-16BE"):
        try:
            text = sample[: len(sample) // 2 * 2].decode(name.lower(), errors="strict")
        except UnicodeDecodeError:
            continue
        if sum(_plausible(char) for char in text) >= 0.9 * len(text):
            return name
    return None


def _is_utf8(raw: bytes) -> bool:
    try:
        raw.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


def _plausible(char: str) -> bool:
    """Characters of a Chinese document: ASCII text, CJK ideographs and punctuation, full-width forms."""
    code = ord(char)
    return (
        0x20 <= code < 0x7F
        or char in "\n\r\t"
        or 0x4E00 <= code <= 0x9FFF
        or 0x3000 <= code <= 0x303F
        or 0xFF00 <= code <= 0xFFEF
        or code in (0x2014, 0x2026, 0x201C, 0x201D, 0x2018, 0x2019, 0x00B7)
    )


def unicode_encoding(raw: bytes) -> str | None:
    """The UTF-16/32 encoding of `raw` (by BOM, or UTF-16 without one), or None."""
    for bom, name in _BOMS:
        if raw.startswith(bom):
            return name
    return utf16_without_bom(raw)


def decode_unicode(raw: bytes, encoding: str) -> str | None:
    """`raw` decoded as `encoding` (its BOM dropped), or None when it is not valid in it."""
    try:
        text = raw.decode(encoding)
    except UnicodeDecodeError:
        return None
    return text.removeprefix("\ufeff")


def guess_encoding(raw: bytes) -> str:
    """A name for `iconv -f`: UTF-16LE/BE, UTF-32, GB18030 (GBK's superset) or, failing all, an unknown one."""
    found = unicode_encoding(raw)
    if found is not None:
        return found
    try:
        text = raw.decode("gb18030")
    except UnicodeDecodeError:
        return "未知编码"
    if any("\u4e00" <= char <= "\u9fff" for char in text):
        return "GBK"
    return "未知编码"


def iconv_hint(encoding: str, name: str) -> str:
    """How to convert a file to UTF-8, in an editor or with iconv (when the encoding is known)."""
    if not encoding.isascii():
        return "请在编辑器中确认文件的编码，并“另存为 UTF-8”"
    command = f"iconv -f {encoding} -t UTF-8 {name} > {name}.new && mv {name}.new {name}"
    return f"请在编辑器中“另存为 UTF-8”，或运行 {command}"


def looks_like(encoding: str) -> str:
    """`看起来是 GBK`, or that it is none of the encodings recognised."""
    return f"看起来是 {encoding}" if encoding.isascii() else "也不是 GBK 或 UTF-16"
