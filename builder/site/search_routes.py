"""Which shards hold a code-like word (a project code, a number): a query for one loads only those shards.

The search page merges every shard listed in `pagefind/shards.json` before a query: at 3 000
departments (280 shards) that is 280 entry and meta files and one word chunk in each, 2.7 MB
for a project code that one shard holds. Searching fewer shards gives the same results only
where the others can give none, and Pagefind 1.4.0 makes that rare: a term with no word that
starts with it matches the longest word it starts with (`find_word_extensions` in
`pagefind_web/src/search.rs`), so "满意度" finds "满意" in every shard, and a code "130…" finds
"13". But the search page keeps, of a query of one code-like word, only the pages that hold it
exactly (a quoted, exact search; theme/assets/budget/search.js `find`), and those lie in the
shards that have the word. So for such a word the page fetches one small route file
(`pagefind/<routes>/<bucket>.json`, about 3 KB) and merges only the shards it names; any other
query merges them all. The results are the same, in the same order (search.js orders them by
score, then by the shard's place in shards.json, as Pagefind's merge does) — see `write_routes`.

A shard's code-like words are written beside its bundle (`codes.json`) when it is indexed, from
the words its chunks were decoded into anyway (builder/site/search_chunks.py); `write_routes`
gathers them from every shard, so an edit re-indexes one shard and re-writes only the small routes.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Callable, Iterable
from pathlib import Path

# Pagefind's words are lowercased; search.js routes a query word that is this once lowercased (CODE_WORD there).
CODE_WORD = re.compile(r"[0-9a-z]*[0-9][0-9a-z]*")
CODES = "codes.json"  # in a shard's bundle: its code-like words
# Part of a shard's key (builder/pipeline/steps/index_search.py): a bundle without codes.json is made again.
FORMAT = "codes-1"
BUCKETS = 1024
# A word in more than this share of the shards is routed to all of them ("*"): listing them saves nothing.
MOST = 0.5


def code_words(words: Iterable[str]) -> bytes:
    """The content of a bundle's `codes.json`: its code-like words, sorted."""
    codes = sorted(word for word in words if CODE_WORD.fullmatch(word))
    return json.dumps(codes, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def bucket(word: str) -> str:
    """The route file of `word`: FNV-1a (32 bits) of its UTF-8 bytes, modulo BUCKETS, in hexadecimal (as search.js)."""
    value = 0x811C9DC5
    for byte in word.encode("utf-8"):
        value = ((value ^ byte) * 0x01000193) & 0xFFFFFFFF
    return f"{value % BUCKETS:03x}"


def write_routes(site_dir: Path, names: list[str], read: Callable[[str], bytes]) -> str | None:
    """Write the route files of the shards `names` into `pagefind/routes-<version>/`; return that folder's name.

    A route file maps each word of its bucket to the places in `names` (shards.json's order) of the
    shards that hold it, or to "*" (all).

    `read(path)` reads a file of the site (a shard's `codes.json`). None, and nothing written,
    when a shard has no `codes.json` (a bundle this builder could not read): the search page
    then merges every shard for every query. The folder's name changes with its content, so a
    browser never mixes route files of two builds; shards.json, fetched afresh, names it.
    """
    shards: dict[str, list[int]] = {}
    for place, name in enumerate(names):
        try:
            codes = json.loads(read(f"pagefind/{name}/{CODES}"))
        except FileNotFoundError:
            return None
        for word in codes:
            shards.setdefault(word, []).append(place)
    routes: dict[str, dict[str, list[int] | str]] = {f"{number:03x}": {} for number in range(BUCKETS)}
    for word, found in sorted(shards.items()):
        routes[bucket(word)][word] = "*" if len(found) > MOST * len(names) else found
    contents = {
        key: json.dumps(value, ensure_ascii=False, separators=(",", ":")).encode() for key, value in routes.items()
    }
    version = hashlib.sha1(b"".join(contents[key] + b"\n" for key in sorted(contents))).hexdigest()[:8]
    folder = f"routes-{version}"
    target = site_dir / "pagefind" / folder
    target.mkdir(parents=True, exist_ok=True)
    for key, content in contents.items():
        (target / f"{key}.json").write_bytes(content)
    return folder
