"""Make text from data safe to print in a terminal: control characters are shown escaped, never sent.

A key or value holding ESC (`\\x1b]0;title\\x07`), a carriage return or a bidi override
would hide later output, set the terminal's title or reorder what the reader sees.
Every message that echoes data goes through `escape_controls`; the CLI also wraps its
output streams in `SafeStream`, so nothing reaches the terminal raw.
"""

from __future__ import annotations

import re
import unicodedata
from typing import Any, TextIO

# Invisible characters that are not control characters but hide or reorder text: bidi marks and overrides,
# zero-width spaces and joiners, word joiner, the byte order mark, line and paragraph separators.
_INVISIBLE = (
    "\u061c\u200b\u200c\u200d\u200e\u200f\u2028\u2029\u202a\u202b\u202c\u202d\u202e\u2060\u2066\u2067\u2068\u2069\ufeff"
)
_UNSAFE = re.compile(f"[\\x00-\\x1f\\x7f-\\x9f{_INVISIBLE}]")


def _escape(char: str) -> str:
    code = ord(char)
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def escape_controls(text: str, keep: str = "") -> str:
    """`a\\x1bb` for `a<ESC>b`: every C0/C1 control, DEL, bidi and zero-width character escaped, except `keep`."""
    if keep:
        return _UNSAFE.sub(lambda match: match[0] if match[0] in keep else _escape(match[0]), text)
    return _UNSAFE.sub(lambda match: _escape(match[0]), text)


def json_escape_controls(text: str) -> str:
    """JSON text with every unsafe character as a JSON `\\uXXXX` escape: still valid JSON, safe in a terminal."""
    return _UNSAFE.sub(lambda match: match[0] if match[0] in "\n\t" else f"\\u{ord(match[0]):04x}", text)


def is_unsafe(char: str) -> bool:
    return bool(_UNSAFE.fullmatch(char)) or unicodedata.category(char) in ("Cc", "Cf", "Zl", "Zp")


class SafeStream:
    """A text stream that escapes control characters (keeping newlines and tabs) before writing them."""

    def __init__(self, stream: TextIO) -> None:
        self.raw = stream

    def write(self, text: str) -> int:
        return self.raw.write(escape_controls(text, keep="\n\t"))

    def writelines(self, lines: Any) -> None:
        for line in lines:
            self.write(line)

    def __getattr__(self, name: str) -> Any:
        return getattr(self.raw, name)


def raw_stream(stream: Any) -> Any:
    """The stream under a SafeStream (the progress display draws with `\\r` and colours on purpose)."""
    return getattr(stream, "raw", stream) if isinstance(stream, SafeStream) else stream


def some_of(names: list[str], shown: int = 5) -> str:
    """`a、b、c` — or the first `shown` and how many there are (`a、b、c、d、e 等 12 个`) for a message."""
    return "、".join(names[:shown]) + (f" 等 {len(names)} 个" if len(names) > shown else "")
