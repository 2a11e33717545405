"""Which shards hold a code-like word (a project code, a number): a query for one loads only those shards.

The search page merges every shard listed in `pagefind/shards.json` before a query: at 3 000
departments (280 shards) that is 280 entry and meta files and a word chunk of each, 2.7 MB
for a project code one shard holds. Searching fewer shards gives the same results only where
the others can give none, and Pagefind 1.4.0 makes that rare: a term that no word starts with
matches the longest word it starts with (`find_word_extensions`, `pagefind_web/src/search.rs`),
so "满意度" finds "满意" in every shard, and a code "130…" finds "13". But of a query of one
code-like word the search page keeps only the pages that hold it exactly (an exact search;
theme/assets/budget/search.js `find`), and those lie in the shards that have the word. So
for such a word the page fetches one route file (`pagefind/<routes>/<bucket>.json`, 6 KB at
3 000 departments, 2 KB gzip'd) and merges only the shards it names; any other query merges
them all. The results are the same, in the same order: search.js orders them by score, then
by the shard's place in shards.json, as Pagefind's merge of every shard does.

Each shard's code-like words are written beside its bundle (`codes.json`, by bucket) when it is
indexed, from the words its chunks were decoded into anyway (builder/site/search_chunks.py);
`write_routes` gathers them from every shard, so an edit re-indexes one shard and re-writes
only the 256 small route files (0.1–0.2 s at 3 000 departments).
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
FORMAT = "codes-2"
BUCKETS = 256
# A word in more than this share of the shards is routed to all of them ("*"): listing them saves nothing.
MOST = 0.5


def code_words(words: Iterable[str]) -> bytes:
    """The content of a bundle's `codes.json`: its code-like words, sorted, by bucket (hashed once, when indexed)."""
    codes: dict[str, list[str]] = {}
    for word in sorted(word for word in words if CODE_WORD.fullmatch(word)):
        codes.setdefault(bucket(word), []).append(word)
    return json.dumps(dict(sorted(codes.items())), ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def bucket(word: str) -> str:
    """The route file of `word`: FNV-1a (32 bits) of its UTF-8 bytes, modulo BUCKETS, in hexadecimal (as search.js)."""
    value = 0x811C9DC5
    for byte in word.encode("utf-8"):
        value = ((value ^ byte) * 0x01000193) & 0xFFFFFFFF
    return f"{value % BUCKETS:02x}"


def write_routes(site_dir: Path, names: list[str], read: Callable[[str], bytes]) -> str | None:
    """Write the route files of the shards `names` into `pagefind/routes-<version>/`; return that folder's name.

    A route file maps each word of its bucket to the places in `names` (shards.json's order) of the
    shards that hold it, or to "*" (all).

    `read(path)` reads a file of the site (a shard's `codes.json`). None, and nothing written,
    when a shard has no `codes.json` (a bundle this builder could not read): the search page
    then merges every shard for every query. The folder's name changes with its content, so a
    browser never mixes route files of two builds; shards.json, fetched afresh, names it.
    """
    shards: dict[str, dict[str, list[int]]] = {f"{number:02x}": {} for number in range(BUCKETS)}
    for place, name in enumerate(names):
        try:
            codes = json.loads(read(f"pagefind/{name}/{CODES}"))
        except FileNotFoundError:
            return None
        for key, words in codes.items():
            for word in words:
                shards[key].setdefault(word, []).append(place)
    routes: dict[str, dict[str, list[int] | str]] = {
        key: {word: "*" if len(found) > MOST * len(names) else found for word, found in sorted(words.items())}
        for key, words in shards.items()
    }
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
