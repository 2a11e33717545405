"""Turn a department's Chinese name into a URL slug: `高新区发改局` → `gaoxinqu-fagaiju`."""

from __future__ import annotations

import re

from pypinyin import lazy_pinyin

MAX_SLUG = 40
# Words that end a name part; a hyphen after them keeps long slugs readable.
_BREAK_AFTER = ("区", "市", "县", "省", "镇", "乡")


def slugify(name: str) -> str:
    """Pinyin of the name, a hyphen after a place word, lowercase ASCII; cut at a syllable, at most 40 characters."""
    slug = ""
    for char in name.strip():
        syllable = re.sub(r"[^a-z0-9]", "", "".join(lazy_pinyin(char, errors=lambda text: text)).lower())
        if char in _BREAK_AFTER:
            syllable += "-"
        if len((slug + syllable).rstrip("-")) > MAX_SLUG:
            break
        slug += syllable
    return re.sub(r"-+", "-", slug).strip("-") or "bumen"
