"""The exact index: which pages hold a query's words in their title, indicators or figures, found without Pagefind.

With hundreds of shards a query that merges them all costs megabytes, and at 3 000 departments
it was also wrong: the search page re-ranks Pagefind's first 16–32 results only, and at that
scale they are pages that hold the words or digits apart (a field trial: `1280` found nothing,
a full project name only quality reports). What readers type is mostly a project's or a
department's name, an indicator, a code or a figure. On a site of EXACT_FROM_SHARDS shards or
more those are looked up here first (theme/assets/budget/search.js `exactFind`).

Each shard's bundle gets `exact.json` when it is indexed (`exact_from`, from the fragments
Pagefind wrote): for each key, the shard's pages that have it. `write_exact` gathers the shards'
pieces into BUCKETS files by a hash of the key's text, `pagefind/exact/<bucket>.<hash>.pf_exact`
(gzip'd JSON, named by content: a web server may cache them for good, as Pagefind's own files),
and shards.json lists their hashes. A query fetches the bucket of each of its keys, a few KB
each, and then the fragments of the pages it shows, from the shards' bundles.

The keys, of text folded as search.js `fold` folds it (NFKC; amounts without thousands
separators or `.00`; lower case; no white space):
- `E` + the whole title; `t` + each two characters in a row of the title;
- `K` + each whole search key of the page (project code, 原文表题, 三级指标: its `keys` meta) and
  its department; `k` + each two characters in a row of each, listed with the key's place, so
  that a word matches within one key;
- `n` + each number of the page's text, whole as search.js `within` counts it (not part of a
  longer number or of a decimal fraction), `n` + the number and its unit where 万元, 元, 亿元,
  千元 or % follows it, and these with a comparison mark before them (“≥95%”).
A word of two characters or more matches a title when the title holds each of its two-character
pieces: almost always in a row (search.js checks the pages it shows). A page is listed as
`n * 8 + kind`: n its place in the shard's page list (the end of its fragment's name, see
search_ids.py), kind its place in KINDS (the order search.js ranks kinds in).
"""

from __future__ import annotations

import functools
import gzip
import hashlib
import itertools
import json
import re
import unicodedata
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

from ..errors import BuilderError
from .search_chunks import _UNREADABLE, _unpack

EXACT = "exact.json"  # in a shard's bundle: its keys, by bucket
# Part of a shard's key (builder/pipeline/steps/index_search.py): a bundle without this exact.json is made again.
FORMAT = "exact-5"
FOLDER = "exact"  # pagefind/exact/
BUCKETS = 1024
# Below this many shards a query merges every shard cheaply, and search.js searches the full text at once.
EXACT_FROM_SHARDS = 8
KINDS = ("project", "department", "year", "quality")  # any other page: len(KINDS)
KIND_SLOTS = 8
KEYS_PER_PAGE = 64  # a `k` pair is listed as (n * KEYS_PER_PAGE + the key's place) * KIND_SLOTS + kind
UNITS = ("亿元", "万元", "千元", "元", "%")  # longest first
KEY_SEPARATOR = "｜"
FRAGMENT = re.compile(r"fragment/[A-Za-z0-9_-]+\.([0-9a-f]{8})\.([0-9a-z]+)\.pf_fragment")
# search.js `amounts`: "1,280.00" → "1280".
THOUSANDS = re.compile(r"([0-9]),(?=[0-9]{3}(?![0-9]))")
ZERO_CENTS = re.compile(r"([0-9])\.0+(?![0-9])")
WHITE = re.compile(r"\s+")
# A number whole, as search.js `within` counts it: no digit (or "digit.") right before, no digit (or ".digit") after.
NUMBER = r"(?<![0-9])(?<![0-9]\.)[0-9]+(?:\.[0-9]+)?(?![0-9])(?!\.[0-9])"
MARKS = "≥≤<>="  # a comparison mark before a number (">=" folded to "≥" first)
# NUMBER, with its unit after it (UNITS longest first: 万元 before 元), written to start with a digit: the regular
# expression engine then skips to the next digit at once, twice as fast over a page as NUMBER with a mark before it.
NUMBER_AT = re.compile(
    rf"[0-9](?<![0-9][0-9])(?<![0-9]\.[0-9])[0-9]*(?:\.[0-9]+)?(?![0-9])(?!\.[0-9])({'|'.join(UNITS)})?"
)
GZIP_LEVEL = 6

Store = Callable[[dict[str, bytes]], None]
COMPACT: dict[str, Any] = {"ensure_ascii": False, "separators": (",", ":")}
# A bucket's part as `exact_from` writes it: {"key":[n,…],…}, keys JSON strings, pages whole numbers.
_KEY = r'"(?:[^"\\\x00-\x1f]|\\["\\/bfnrt]|\\u[0-9a-fA-F]{4})*"'
_CODES = r"\[(?:0|[1-9][0-9]*)(?:,(?:0|[1-9][0-9]*))*\]"
_PART = rf"\{{(?:{_KEY}:{_CODES}(?:,{_KEY}:{_CODES})*)?\}}"
_PIECE = re.compile(rf"(?:{_PART}\n){{{BUCKETS}}}".encode())
_VERSION = re.compile(rb"[0-9a-f]{8}")


def fold(text: str) -> str:
    """search.js `fold`: NFKC, amounts as "1280", lower case, no white space, ">=" as "≥"."""
    plain = unicodedata.normalize("NFKC", text)
    plain = ZERO_CENTS.sub(r"\1", THOUSANDS.sub(r"\1", plain)).lower()
    plain = WHITE.sub("", plain)
    return plain.replace(">=", "≥").replace("≧", "≥").replace("<=", "≤").replace("≦", "≤")


def pairs(text: str) -> set[str]:
    """Each two characters in a row of `text`, but those with a punctuation mark a query never holds (search.js)."""
    return {text[at : at + 2] for at in range(len(text) - 1) if _searchable(text[at]) and _searchable(text[at + 1])}


@functools.lru_cache(maxsize=1 << 14)
def _searchable(character: str) -> bool:
    return character in "%.-" or not unicodedata.category(character).startswith("P")


def numbers(text: str) -> set[str]:
    """The numbers of `text` whole (white space parts them, as search.js `within` reads it): alone, with the unit
    after it, and with the comparison mark before it (“≥95%”, an indicator's value as printed)."""
    plain = unicodedata.normalize("NFKC", text)
    plain = ZERO_CENTS.sub(r"\1", THOUSANDS.sub(r"\1", plain))
    plain = plain.replace(">=", "≥").replace("≧", "≥").replace("<=", "≤").replace("≦", "≤")
    found: set[str] = set()
    for match in NUMBER_AT.finditer(plain):
        start, whole, unit = match.start(), match.group(0), match.group(1) or ""
        number = whole[: len(whole) - len(unit)]
        mark = plain[start - 1] if start and plain[start - 1] in MARKS else ""
        found.update((number, whole, mark + whole))
    return found


def folded_text(fragment: dict[str, object]) -> str:
    """A page's text as search.js `complete` reads it: title, keys and content (without Pagefind's zero-width
    spaces, as its `data()` gives them), each folded, one after another."""
    meta = fragment.get("meta")
    meta = meta if isinstance(meta, dict) else {}
    fields = (meta.get("title"), meta.get("keys"), str(fragment.get("content") or "").replace("\u200b", ""))
    return "".join(fold(str(field or "")) for field in fields)


def page_keys(fragment: dict[str, object], folded: str | None = None) -> tuple[set[str], dict[str, set[int]]]:
    """The keys of one page's fragment, as Pagefind wrote it (`meta`: title, keys, department; `content`).

    The pairs of the search keys (`k`) are kept by key, with the key's place among the page's keys
    (at most KEYS_PER_PAGE): a word matches a key whose pairs are all in that one key, not pairs
    from two keys ("高新技术企业满意度" is not in "高新技术企业" and "企业满意度"). The numbers are
    read as search.js `within` reads the page both ways: with its white space, and folded (`folded_text`,
    white space gone: “2 763.95” holds 2763.95), so that a page holding a query holds each whole number
    of it here (search.js `pagesWithNumbers`).
    """
    meta = fragment.get("meta")
    meta = meta if isinstance(meta, dict) else {}
    title = fold(str(meta.get("title") or ""))
    keys = {"E" + title} if title else set()
    keys.update("t" + pair for pair in pairs(title))
    # A project's department reads "高新区科技局 · 2023年项目绩效目标表": the name is what is searched for.
    department = str(meta.get("department") or "").split(" · ")[0]
    searched = [*str(meta.get("keys") or "").split(KEY_SEPARATOR), department]
    by_key: dict[str, set[int]] = {}
    for place, (key, key_pairs) in enumerate(item for item in map(_searched_key, searched) if item[0]):
        keys.add("K" + key)
        slot = min(place, KEYS_PER_PAGE - 1)
        for pair in key_pairs:
            by_key.setdefault(pair, set()).add(slot)
    text = " ".join([str(meta.get("title") or ""), *searched, str(fragment.get("content") or "")])
    keys.update("n" + number for number in numbers(text.replace("\u200b", "")))
    keys.update("n" + number for number in numbers(folded_text(fragment) if folded is None else folded))
    return keys, by_key


@functools.lru_cache(maxsize=1 << 16)
def _searched_key(key: str) -> tuple[str, tuple[str, ...]]:
    """A search key folded, and its pairs as `k` keys: the same indicators recur on thousands of pages."""
    folded = fold(key)
    return folded, tuple("k" + pair for pair in pairs(folded))


@functools.lru_cache(maxsize=1 << 16)
def bucket(text: str) -> str:
    """The bucket of a key's text (the key without its first letter): FNV-1a of its UTF-8, as search.js `fnv`."""
    value = 0x811C9DC5
    for byte in text.encode("utf-8"):
        value = ((value ^ byte) * 0x01000193) & 0xFFFFFFFF
    return f"{value % BUCKETS:03x}"


Page = tuple[str, int, dict[str, Any]]  # the bundle's version, the page's number, its fragment


def read_fragments(files: dict[str, bytes]) -> list[Page] | None:
    """The fragments of a bundle whose pages are named by search_ids.py, all of one version; None if not so."""
    pages = []
    try:
        for path in sorted(files):
            if not path.startswith("fragment/"):
                continue
            match = FRAGMENT.fullmatch(path)
            if match is None:  # a page not named as search_ids.py names it: its keys could not name it
                return None
            fragment = json.loads(_unpack(files[path]))
            pages.append((match.group(1), int(match.group(2), 36), fragment if isinstance(fragment, dict) else {}))
    except (*_UNREADABLE, UnicodeDecodeError):
        return None
    return pages if len({version for version, _, _ in pages}) == 1 else None


def plain_content(pages: list[Page]) -> list[Page]:
    """The pages with their content as `page_keys` and `folded_text` first make it: without Pagefind's zero-width
    spaces, in NFKC (which leaves text in NFKC as it is), done once here: the content is most of a page's text,
    and its NFKC was a sixth of the Python time of indexing a shard."""
    plain = []
    for version, page, fragment in pages:
        content = fragment.get("content")
        if isinstance(content, str):
            fragment = {**fragment, "content": unicodedata.normalize("NFKC", content.replace("\u200b", ""))}
        plain.append((version, page, fragment))
    return plain


def exact_from(pages: list[Page], folded: list[str] | None = None) -> bytes:
    """A shard's `exact.json`: its first line is the bundle's version; then BUCKETS lines, the nth the JSON of
    the shard's keys in bucket n, `{key: [page * 8 + kind…]}` (`{}` if none). Each bucket's part is written out
    once here, and every piece has every bucket's line, so that `write_exact` joins the nth lines of all pieces
    as they are, in C (JSON escapes every line break inside a part).
    """
    found: dict[str, dict[str, list[int]]] = {}
    for at, (_, page, fragment) in enumerate(pages):
        meta = fragment.get("meta")
        kind = meta.get("kind") if isinstance(meta, dict) else None
        kind = KINDS.index(kind) if kind in KINDS else len(KINDS)
        keys, by_key = page_keys(fragment, None if folded is None else folded[at])
        for key in keys:
            found.setdefault(bucket(key[1:]), {}).setdefault(key, []).append(page * KIND_SLOTS + kind)
        for key, places in by_key.items():
            codes = found.setdefault(bucket(key[1:]), {}).setdefault(key, [])
            codes.extend((page * KEYS_PER_PAGE + place) * KIND_SLOTS + kind for place in places)
    lines = [pages[0][0]]
    for number in range(BUCKETS):
        keys = found.get(f"{number:03x}", {})
        lines.append(json.dumps({key: _deltas(keys[key]) for key in sorted(keys)}, **COMPACT))
    return ("\n".join(lines) + "\n").encode("utf-8")


def _deltas(codes: list[int]) -> list[int]:
    """The codes sorted, each after the first as its difference from the one before: a third fewer bytes gzip'd."""
    ordered = sorted(codes)
    return ordered[:1] + [later - earlier for earlier, later in itertools.pairwise(ordered)]


def write_exact(
    names: list[str], read: Callable[[str], bytes], store: Store, trusted: Callable[[str], bool] = lambda path: False
) -> dict[str, object] | None:
    """Gather the shards' `exact.json` into the bucket files and hand them to `store` ({path: content}, to gzip).

    A bucket file is a JSON list of `{key: [page * 8 + kind…]}` (the codes in order, each after the first
    as its difference from the one before), the nth for the nth shard of `names` (shards.json's order). Return what
    shards.json says of them: `buckets`, their hashes (8 hexadecimal digits each, in order), which
    name the files, and `versions`, each shard's version, which names its fragments. The versions
    are not in the buckets: re-indexing a shard gives it a new one, and a bucket file then changes
    only where the shard's keys did. None, and nothing stored, when a shard has no `exact.json` (a
    bundle this builder could not read): the search page then searches with Pagefind only.

    A piece that is not as `exact_from` writes it is refused, unless `trusted(path)`: checking
    every piece costs 0.5 s at 3 000 departments, so a build checks only those it did not make
    or keep from its own earlier build (a part's, say).
    """
    columns, versions = [], []
    for name in names:
        path = f"pagefind/{name}/{EXACT}"
        try:
            raw = read(path)
        except FileNotFoundError:
            return None
        version, lines = _read_piece(path, raw, checked=not trusted(path))
        versions.append(version)
        columns.append(lines)
    return {"buckets": store_buckets(columns, FOLDER, store), "versions": versions}


def store_buckets(columns: list[list[bytes]], folder: str, store: Store) -> str:
    """Join the nth lines of all shards' pieces (`columns`, one list of BUCKETS lines a shard) into bucket n's file,
    a JSON list in shard order, named `pagefind/<folder>/<n>.<hash>.pf_<folder>`; hand them to `store` and return the
    hashes, 8 hexadecimal digits each, in order (the exact and the text index, search_text.py)."""
    files, hashes = {}, []
    for number, column in enumerate(zip(*columns, strict=True)):
        content = b"[" + b",".join(column) + b"]"
        digest = hashlib.sha1(content).hexdigest()[:8]
        files[f"pagefind/{folder}/{number:03x}.{digest}.pf_{folder}"] = content
        hashes.append(digest)
    store(files)
    return "".join(hashes)


def _read_piece(path: str, raw: bytes, checked: bool) -> tuple[str, list[bytes]]:
    """One shard's `exact.json`: its version and its buckets' parts; BuilderError if not as we write it.

    Read as bytes: at 3 000 departments the pieces are 36 MB, read at every build.
    """
    version, _, rest = raw.partition(b"\n")
    lines = rest.split(b"\n")
    good = bool(_VERSION.fullmatch(version)) and len(lines) == BUCKETS + 1 and lines.pop() == b""
    if good and checked:
        good = _PIECE.fullmatch(rest) is not None
    if not good:
        raise BuilderError(f"搜索索引文件 {path} 的格式不对 — 请删除 .cache/ 后重新生成（分部构建：重新生成这一部分）")
    return version.decode("ascii"), lines


def folder_store(site_dir: Path, name: str = FOLDER) -> Store:
    """Write bucket files into `site_dir`, gzip'd, in place of those in pagefind/`name`/ (`index_site`, tests)."""

    def store(files: dict[str, bytes]) -> None:
        folder = site_dir / "pagefind" / name
        if folder.is_dir():
            for old in folder.iterdir():
                old.unlink()
        for path, content in zip(files, packed_all(list(files.values())), strict=True):
            target = site_dir / path
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(content)

    return store


def packed_all(contents: list[bytes]) -> list[bytes]:
    """Bucket files as served: gzip'd (mtime 0: the same content gives the same bytes), as Pagefind's files are.

    In two threads: zlib lets go of the GIL, and an edit that renumbers a shard's pages changes most buckets.
    """
    with ThreadPoolExecutor(max_workers=2) as pool:
        return list(pool.map(lambda content: gzip.compress(content, compresslevel=GZIP_LEVEL, mtime=0), contents))
