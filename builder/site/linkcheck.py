"""Check a built site: every internal link and anchor resolves, and nothing is fetched from another host.

In two steps, so that a build can keep the first per page and redo it only for the pages that changed:
`scan_page` reads one page's anchors and links, already resolved to paths from the site root (a `PageScan`
depends only on the page's HTML and its path), and `check_scans` looks every link up among the site's files
and the target page's anchors, with set lookups only. `scan_files` scans pages from disk, in any process;
`check_site` does both steps for a whole site. A broken link fails the build as `mkdocs build --strict` fails
on warnings.

Pages are tokenized as a browser does (HTML5): quoted and unquoted attribute values, character references,
comments, and the raw text of <script>, <style>, <title> and the like, where nothing is a tag. Where a browser
and Python's html.parser differ, the browser wins: of repeated attributes the first counts, `&copy=` in an
attribute value stays as written, and <script/> starts a script. One regular expression skips everything
that cannot matter and stops only at start tags with an id, name, href or src; pages repeat the same tags,
so each distinct tag is read once.
"""

from __future__ import annotations

import os
import posixpath
import re
import sys
from collections.abc import Iterable, Iterator, Mapping
from collections.abc import Set as AbstractSet
from dataclasses import dataclass
from functools import lru_cache
from html import unescape
from html.entities import html5 as CHARACTER_REFERENCES
from pathlib import Path
from typing import NamedTuple
from urllib.parse import unquote, urlsplit

# Attributes that load something when the page is shown (a reference to another host here leaks a request).
LOADING_ATTRIBUTES = {("script", "src"), ("img", "src"), ("link", "href"), ("iframe", "src"), ("source", "src")}
LINK_ATTRIBUTES = {"href", "src"}
NAMING_RELS = {"canonical", "alternate", "author", "help", "license", "next", "prev", "search", "sitemap"}

JAVASCRIPT_LINK = "不允许 javascript: 链接"
EXTERNAL_LOAD = "从外部网站加载资源（本站不得向其他主机发出请求）"
ABSOLUTE_PATH = "以 / 开头的绝对路径在子路径部署时会失效，请用相对路径"
MISSING_FILE = "指向的文件不存在"


@dataclass(frozen=True)
class BrokenLink:
    page: str
    target: str
    reason: str

    def render(self) -> str:
        return f"{self.page}: {self.target} — {self.reason}"


# One href or src of a page, as far as it can be judged without the rest of the site (plain tuples pickle fast):
# (value as written, references decoded: what a finding shows;
#  target: path from the site root, "" for the root, a folder standing for its index.html;
#  anchor: the decoded #fragment, to be found among the target page's anchors;
#  problem: what is wrong wherever it points — javascript:, another host, /absolute, outside the site — or "")
Link = tuple[str, str, str, str]


@dataclass(frozen=True, slots=True)
class PageScan:
    """What the link check needs from one page; depends only on the page's HTML and its path."""

    anchors: frozenset[str]
    links: tuple[Link, ...]  # in page order, without mailto:/tel:/data: and plain links to other sites


# ---- checking -------------------------------------------------------------------------------------------------


def check_site(site: Path) -> list[BrokenLink]:
    """Every broken internal link or anchor, and every resource loaded from another host."""
    site = site.resolve()
    files = set(site_files(site))
    pages = [path for path in files if path.endswith(".html")]
    return check_scans(scan_files(site, pages), files)


def check_scans(
    scans: Mapping[str, PageScan], files: AbstractSet[str], pages: Iterable[str] | None = None
) -> list[BrokenLink]:
    """The findings for the scans of every page of a site whose files (paths from its root) are `files`.

    With `pages`, the findings of those pages only; `scans` is then only read for them and the pages they link to.
    """
    broken: list[BrokenLink] = []
    for page in sorted(scans if pages is None else pages, key=_path_order):
        for value, target, anchor, problem in scans[page].links:
            reason = problem or _lookup_problem(value, target, anchor, scans, files)
            if reason:
                broken.append(BrokenLink(page, value, reason))
    return broken


def _lookup_problem(
    value: str, target: str, anchor: str, scans: Mapping[str, PageScan], files: AbstractSet[str]
) -> str:
    found = _existing_file(target, files)
    if found is None:
        return MISSING_FILE
    if anchor and found in scans and anchor not in scans[found].anchors:
        return f"页面中没有锚点 #{urlsplit(value).fragment}"
    return ""


def _existing_file(target: str, files: AbstractSet[str]) -> str | None:
    """The file a target path names: itself, or the index.html of the folder it names."""
    if target in files:
        return target
    index = f"{target}/index.html" if target else "index.html"
    return index if index in files else None


def _path_order(page: str) -> list[str]:
    return page.split("/")  # folder by folder, as paths sort


# ---- reading pages --------------------------------------------------------------------------------------------


def site_files(site: Path, prefix: str = "") -> list[str]:
    """Every file of the site, as paths from its root (each after `prefix/`, when given), in no set order.

    What `os.walk` lists as files: a link to a folder is neither listed nor followed, a folder that cannot
    be read is left out. One `os.scandir` loop costs half of `os.walk`'s generators (a province's site,
    161 000 files: 0.6 s against 1.0–1.5 s), and a fresh build lists its site four times.
    """
    found: list[str] = []
    folders = [(f"{prefix}/" if prefix else "", os.fspath(site))]
    while folders:
        above, folder = folders.pop()
        try:
            with os.scandir(folder) as listing:
                entries = list(listing)
        except OSError:
            continue
        for entry in entries:
            try:
                is_folder = entry.is_dir()
            except OSError:
                is_folder = False
            if not is_folder:
                found.append(above + entry.name)
            elif not entry.is_symlink():
                folders.append((f"{above}{entry.name}/", entry.path))
    return found


def scan_files(site: Path, pages: Iterable[str]) -> dict[str, PageScan]:
    """The scans of some pages of a site (paths from its root); a top-level function, for worker processes."""
    return {page: scan_page(read_page(site / page), page) for page in pages}


def read_page(path: Path) -> str:
    """A page's HTML; bytes that are not UTF-8 become U+FFFD, as in a browser."""
    return path.read_bytes().decode("utf-8", errors="replace")


def scan_page(html: str, page: str) -> PageScan:
    """The anchors and links of one page; `page` is its path from the site root, such as `2023/a/index.html`."""
    if "\r" in html:
        html = html.replace("\r\n", "\n").replace("\r", "\n")  # as a browser reads the page
    ancestors = _ancestors(posixpath.dirname(page))
    start_tags = [
        _start_tag(raw_text_tag or tag, attributes)
        for raw_text_tag, tag, attributes, closed in _INTERESTING_START_TAG.findall(html)
        if closed
    ]
    anchors = {anchor for start_tag in start_tags for anchor in start_tag.anchors}
    links = [
        reference.link or _link(reference, page, ancestors) for start_tag in start_tags for reference in start_tag.links
    ]
    return PageScan(frozenset(anchors), tuple(links))


# ---- links ----------------------------------------------------------------------------------------------------


class _Reference(NamedTuple):
    """What a link says whatever page it is on."""

    value: str
    link: Link | None = None  # the finding itself when it does not depend on the page (javascript:, another host)
    up: int = -1  # folders up from the page's folder (-1: the page itself),
    down: str = ""  # then this path down
    anchor: str = ""


class _StartTag(NamedTuple):
    anchors: tuple[str, ...]
    links: tuple[_Reference, ...]  # the links there is something to check


def _ancestors(folder: str) -> list[str]:
    """The paths from the site root of a folder and of each folder above it, each ending with / but the root's."""
    parts = folder.split("/") if folder else []
    return [f"{'/'.join(parts[:depth])}/" if depth else "" for depth in range(len(parts), -1, -1)]


def _link(reference: _Reference, page: str, ancestors: list[str]) -> Link:
    """The link to the target the reference names from a page in the folder whose `ancestors` these are."""
    if reference.up < 0:
        return reference.value, page, reference.anchor, ""
    if reference.up >= len(ancestors):
        return reference.value, "", "", MISSING_FILE  # above the site's root
    above = ancestors[reference.up]
    target = sys.intern(above + reference.down if reference.down else above[:-1])  # one string: a smaller pickle
    return reference.value, target, reference.anchor, ""


@lru_cache(maxsize=1 << 16)
def _start_tag(tag: str, attributes: str) -> _StartTag:
    """The anchors and links of one start tag (pages repeat the same tags: read each once)."""
    tag = tag.lower()
    anchors: list[str] = []
    links: list[_Reference] = []
    values = list(_attribute_values(attributes))
    loads = tag != "link" or not _names_only(values)
    for name, value in values:
        if name == "id" or (name == "name" and tag == "a"):
            anchors.append(value)
        elif name in LINK_ATTRIBUTES and (reference := _reference(value, loads and (tag, name) in LOADING_ATTRIBUTES)):
            links.append(reference)
    return _StartTag(tuple(anchors), tuple(links))


def _names_only(attributes: list[tuple[str, str]]) -> bool:
    """A <link> that only names an address (rel=canonical, alternate…): the browser fetches nothing."""
    rel = next((value for name, value in attributes if name == "rel"), "")
    return bool(rel) and set(rel.lower().split()) <= NAMING_RELS


def _reference(value: str, loads: bool) -> _Reference | None:
    """How a link value reads; None when there is nothing to check (mailto:, a plain link to another site)."""
    parts = urlsplit(value)
    if parts.scheme in ("mailto", "tel", "data"):
        return None
    if parts.scheme == "javascript":
        return _Reference(value, (value, "", "", JAVASCRIPT_LINK))
    if parts.scheme or parts.netloc:
        return _Reference(value, (value, "", "", EXTERNAL_LOAD)) if loads else None
    if value.startswith("/"):
        return _Reference(value, (value, "", "", ABSOLUTE_PATH))
    anchor = unquote(parts.fragment)
    if not parts.path:
        return _Reference(value, anchor=anchor)
    relative = _relative_path(unquote(parts.path))
    if relative is None:
        return _Reference(value, (value, "", "", MISSING_FILE))
    return _Reference(value, up=relative[0], down=relative[1], anchor=anchor)


def _relative_path(path: str) -> tuple[int, str] | None:
    """A relative path as (folders up, path down), as the file system reads it; None if it is absolute."""
    normal = posixpath.normpath(path)
    if normal.startswith("/"):
        return None
    up = 0
    while normal == ".." or normal.startswith("../"):
        up, normal = up + 1, normal[3:]
    return up, "" if normal in (".", "") else normal


# ---- tokenizing -----------------------------------------------------------------------------------------------
# Whitespace, attribute names and values as in the HTML5 tokenizer; an unterminated tag at the end is dropped.
# Repeats that never give back (no backtracking into them) are possessive for one character class (`[^<]*+`),
# atomic groups for anything longer (`(?>(?:…)*)`): before 3.11.5 (Debian 12 has 3.11.2) CPython matched a
# possessive repeat of a group wrongly when the group could backtrack (gh-106052, gh-100061), and the check
# found no link at all. A class repeated possessively is one fast opcode (an atomic group of it is 1.5x slower).
_CLASS = re.compile(r"\[[^\]]*\]")


def _many(atom: str) -> str:
    """`atom` repeated as often as it matches, never given back: `atom*+`."""
    return f"{atom}*+" if _CLASS.fullmatch(atom) else f"(?>{atom}*)"


def _some(atom: str) -> str:
    """`atom` at least once, as often as it matches, never given back: `atom++`."""
    return f"{atom}++" if _CLASS.fullmatch(atom) else f"(?>{atom}+)"


_SPACE = r"[\t\n\f\r ]"
_SPACES = _many(_SPACE)
_GAP = _many(r"[\t\n\f\r /]")  # before an attribute
_TAG_REST = _many(r"[^\t\n\f\r />]")  # a tag name after its first letter
_NAME_REST = _many(r"[^\t\n\f\r />=]")  # an attribute name after its first character
_NAME = r"[^\t\n\f\r />]" + _NAME_REST
_VALUE = "(?:" + "|".join(['"' + _many('[^"]') + '"', "'" + _many("[^']") + "'", _many(r"[^\t\n\f\r >]")]) + ")"
_INTERESTING = r"(?i:id|name|href|src)(?:[\t\n\f\r />=]|\Z)"
# Another attribute's name; only names starting with i, n, h or s need the look ahead (a third faster).
_OTHER_NAME = rf"(?:[^\t\n\f\r />iInNhHsS]|(?!{_INTERESTING})[iInNhHsS]){_NAME_REST}"
_RAW_TEXT = ("script", "style", "textarea", "title", "xmp", "iframe", "noembed", "noframes")  # no tags inside
_RAW_TEXT_NAME = rf"(?i:{'|'.join(_RAW_TEXT)})(?=[\t\n\f\r />]|\Z)"
_NOT_LT, _NOT_GT, _NOT_DASH = _many("[^<]"), _many("[^>]"), _many("[^-]")


def _attributes(name: str) -> str:
    return _many(rf"(?:{_GAP}{name}(?:{_SPACES}={_SPACES}{_VALUE})?)") + _GAP


def _raw_text(end_tag: str) -> str:
    """Text up to the end tag `</end_tag` (followed by a space, / or >), which it does not take."""
    return _NOT_LT + _many(rf"(?:<(?!/(?i:{end_tag})[\t\n\f\r />]){_NOT_LT})")


def _raw_text_element(tag: str) -> str:
    """A start tag without interesting attributes and the raw text up to its end tag."""
    return rf"<(?i:{tag})(?=[\t\n\f\r />]|\Z){_attributes(_OTHER_NAME)}(?:>{_raw_text(tag)}|\Z)"


_SKIPPED = "|".join(
    [
        _some("[^<]"),  # text
        rf"</{_NOT_GT}>?",  # end tag
        rf"<(?!{_RAW_TEXT_NAME})[a-zA-Z]{_TAG_REST}{_attributes(_OTHER_NAME)}(?:>|\Z)",  # other start tag
        rf"<!--(?:-?>|{_NOT_DASH}{_many(rf'(?:-(?!-!?>){_NOT_DASH})')}(?:--!?>)?)",  # comment
        rf"<[!?]{_NOT_GT}>?",  # doctype, CDATA, processing instruction: up to the next >
        *(_raw_text_element(tag) for tag in _RAW_TEXT),
        r"<(?![a-zA-Z!?/])",  # a < that starts nothing
    ]
)
# Skips to the next start tag with an id, name, href or src, and reads it (and a raw text element's text), or
# to the end: matches wherever it starts. Groups: raw text tag name, other tag name, attributes, ">" if closed.
_INTERESTING_START_TAG = re.compile(
    _many(rf"(?:{_SKIPPED})")
    + rf"(?:<(?:(?P<raw>{_RAW_TEXT_NAME})|([a-zA-Z]{_TAG_REST}))({_attributes(_NAME)})"
    + rf"(?:(>)(?(raw){_raw_text('(?P=raw)')}))?"
    + r"|\Z)"
)
_ATTRIBUTE = re.compile(rf"{_GAP}({_NAME})(?:{_SPACES}={_SPACES}({_VALUE}))?")


def _attribute_values(attributes: str) -> Iterator[tuple[str, str]]:
    """(name in lower case, decoded value) of each attribute with a value; of a repeated attribute, the first."""
    seen: set[str] = set()
    for match in _ATTRIBUTE.finditer(attributes):
        name = match.group(1).lower()
        if name in seen:
            continue
        seen.add(name)
        value = match.group(2)
        if value is not None:
            yield name, _decode(value[1:-1] if value[:1] in ("'", '"') else value)


_CHARACTER_REFERENCE = re.compile(r"&(?:#[0-9]+;?|#[xX][0-9a-fA-F]+;?|([a-zA-Z][a-zA-Z0-9]*)(;?))")


def _decode(value: str) -> str:
    """An attribute value with its character references replaced, by the HTML5 rules for attributes."""
    return _CHARACTER_REFERENCE.sub(_character, value) if "&" in value else value


def _character(match: re.Match[str]) -> str:
    name, semicolon = match.group(1, 2)
    if name is None:
        return unescape(match.group())  # numeric
    if semicolon:
        return CHARACTER_REFERENCES.get(f"{name};", match.group())
    if match.string.startswith("=", match.end()):
        return match.group()  # `?a=1&copy=2` keeps its &copy in an attribute
    return CHARACTER_REFERENCES.get(name, match.group())
