"""Turn a department's Chinese name (and its region) into a short, readable URL slug.

`唐山高新区` + `发改局` → `tangshan-gxq-fagaiju`, as admins name the files by hand: the
place in pinyin, a development zone by its usual initials (`高新区` → `gxq`), then the
department. A part that would make the slug longer than 40 characters is shortened to
its syllables' initials as a whole (`经济与科技发展局` → `jjykjfzj`), never cut inside a
syllable.
"""

from __future__ import annotations

import re

from pypinyin import Style, lazy_pinyin

MAX_SLUG = 40
MAX_PART = 18  # a department part longer than this goes by its initials
# Kinds of place, longest first: a zone by its usual initials, an administrative level dropped.
ZONES = {
    "高新技术产业开发区": "gxq",
    "经济技术开发区": "jkq",
    "经济开发区": "jkq",
    "高新区": "gxq",
    "经开区": "jkq",
    "开发区": "kfq",
    "新区": "xq",
}
LEVELS = ("自治州", "自治县", "省", "市", "县", "区", "镇", "乡")
_PLACE = re.compile("(" + "|".join([*ZONES, *LEVELS]) + ")")


def _syllables(text: str, style: Style = Style.NORMAL) -> list[str]:
    words = lazy_pinyin(text, style=style, errors=lambda chars: list(chars))
    return [syllable for word in words if (syllable := re.sub(r"[^a-z0-9]", "", word.lower()))]


def _pinyin(text: str) -> str:
    return "".join(_syllables(text))


def _initials(text: str) -> str:
    return "".join(syllable[0] for syllable in _syllables(text))


def _place_parts(region: str) -> list[str]:
    """`唐山高新区` → [`tangshan`, `gxq`]; `唐山市路南区` → [`tangshan`, `lunan`]; `遵化市` → [`zunhua`]."""
    parts: list[str] = []
    for piece, kind in re.findall(rf"(.*?){_PLACE.pattern}", region) or []:
        parts += [_short(piece)] if piece else []
        parts += [ZONES[kind]] if kind in ZONES else []
    rest = _PLACE.sub("", region) if not parts else ""
    return [part for part in parts if part] or ([_short(rest)] if rest else [])


def _short(text: str) -> str:
    """The pinyin of `text`, or its syllables' initials when that is longer than MAX_PART."""
    full = _pinyin(text)
    return full if len(full) <= MAX_PART else _initials(text)


def _split_place(name: str) -> tuple[str, str]:
    """A name that starts with its place, as `河北遵化经济开发区管理委员会`: (`河北遵化经济开发区`, `管理委员会`)."""
    last = None
    for match in _PLACE.finditer(name):
        if match.end() < len(name) - 1:  # leave at least two characters for the department
            last = match
    return (name[: last.end()], name[last.end() :]) if last else ("", name)


def slugify(name: str, region: str = "") -> str:
    """`slugify("发改局", "唐山高新区")` → `tangshan-gxq-fagaiju`; at most 40 characters, lowercase ASCII."""
    name, region = name.strip(), region.strip()
    if region and name.startswith(region):
        name = name[len(region) :]
    place, department = _split_place(name)
    parts = _place_parts(region or place)
    if region and place:
        parts += [part for part in _place_parts(place) if part not in parts]
    own = _short(department)[:MAX_SLUG]  # initials are one letter a syllable: a cut falls between syllables
    while parts and len("-".join([*parts, own])) > MAX_SLUG:  # too long: drop the broadest place first
        parts.pop(0)
    return "-".join(part for part in [*parts, own] if part) or "bumen"
