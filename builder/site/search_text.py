"""Which shards' text holds each two characters in a row: the full text is searched only in shards that may hold it.

A query the exact index (search_exact.py) cannot answer goes to Pagefind's full text, and every
shard merged costs its meta file and an index chunk per word: at 3 000 departments, merging all
280 shards came to 1.5–3.9 MB, even for a word on no page. So each shard's bundle gets `text.json`
when it is indexed (`text_piece`): each pair of characters in a row in its pages' text (title,
search keys and body, folded as search.js `fold` folds them), of the characters TEXT_CHARACTERS
holds, by bucket. `write_text` gathers the pieces into BUCKETS files by a hash of the pair,
`pagefind/text/<bucket>.<hash>.pf_text` (gzip'd, named by content), and shards.json lists their
hashes. search.js (`shardsHolding`) fetches the buckets of a query's pairs, keeps the shards that
hold every one, and searches them in batches of `batch` shards, the first at once, the next one
when the reader asks for more results.

No shard is left out that could hold the query: a page holds a query word when its folded text
holds it (search.js `complete`), and then it holds each of the word's pairs of TEXT_CHARACTERS.
Here every character outside TEXT_CHARACTERS is dropped before pairing, so two such characters
with others between them (white space that fold does not drop, a zero-width space) still pair.
TEXT_CHARACTERS is the same in search.js: ASCII letters and digits and the CJK ideographs
assigned before any Unicode version a browser or Python 3.11 reads (so both agree on them).
"""

from __future__ import annotations

import operator
import re
from collections.abc import Callable

from ..errors import BuilderError
from .search_exact import BUCKETS, Store, bucket, folded_text, store_buckets

TEXT = "text.json"  # in a shard's bundle: its pairs, by bucket
# Part of a shard's key (builder/pipeline/steps/index_search.py): a bundle without this text.json is made again.
FORMAT = "text-2"
FOLDER = "text"  # pagefind/text/
# Shards search.js searches at once: a first full-text query then downloads at most this many shards' meta files
# and index chunks (about 8–10 KB a shard at 3 000 departments), whatever the site's size.
BATCH = 8
TEXT_CHARACTERS = "0-9a-z\u3400-\u4dbf\u4e00-\u9fff"  # search.js TEXT_CHARACTERS
_OTHERS = re.compile(f"[^{TEXT_CHARACTERS}]+")
_PIECE = re.compile(f'(?:"(?:[{TEXT_CHARACTERS}]{{2}})*"\n){{{BUCKETS}}}')


def page_pairs(fragment: dict[str, object]) -> set[str]:
    """The pairs of one page's fragment, as search.js `complete` reads the page: title, keys and content, folded."""
    return text_pairs(folded_text(fragment))


def text_pairs(folded: str) -> set[str]:
    """The pairs of a page's folded text (search_exact.py `folded_text`), other characters dropped first."""
    text = _OTHERS.sub("", folded)
    return set(map(operator.add, text, text[1:]))


def text_piece(pairs: set[str]) -> bytes:
    """A shard's `text.json`: BUCKETS lines, the nth the JSON string of its pairs in bucket n, one after another.

    Every shard's piece has every bucket's line, empty or not: `write_text` then joins the nth lines of all
    pieces as they are, in C (at 3 000 departments, 280 pieces of 1 024 lines, at every build).
    """
    by_bucket: list[list[str]] = [[] for _ in range(BUCKETS)]
    for pair in pairs:
        by_bucket[int(bucket(pair), 16)].append(pair)
    return "".join(f'"{"".join(sorted(found))}"\n' for found in by_bucket).encode("utf-8")


def write_text(
    names: list[str], read: Callable[[str], bytes], store: Store, trusted: Callable[[str], bool] = lambda path: False
) -> str | None:
    """Gather the shards' `text.json` into the bucket files, hand them to `store`, and return their hashes.

    A bucket file is a JSON list of strings, the nth the pairs of the nth shard of `names` in that bucket.
    The hashes (8 hexadecimal digits each, in order) name the files. None, and nothing stored, when a
    shard has no `text.json` (a bundle this builder could not read): the search page then searches
    every shard. A piece not as `text_piece` writes it is refused, unless `trusted(path)` (one this build
    made or kept).
    """
    columns = []
    for name in names:
        path = f"pagefind/{name}/{TEXT}"
        try:
            raw = read(path)
        except FileNotFoundError:
            return None
        columns.append(_read_piece(path, raw, checked=not trusted(path)))
    return store_buckets(columns, FOLDER, store)


def _read_piece(path: str, raw: bytes, checked: bool) -> list[bytes]:
    lines = raw.split(b"\n")
    good = len(lines) == BUCKETS + 1 and lines.pop() == b""
    if good and checked:
        try:
            good = _PIECE.fullmatch(raw.decode("utf-8")) is not None
        except UnicodeDecodeError:
            good = False
    if not good:
        raise BuilderError(f"搜索索引文件 {path} 的格式不对 — 请删除 .cache/ 后重新生成（分部构建：重新生成这一部分）")
    return lines


def listing(buckets: str) -> dict[str, object]:
    """What shards.json says of the text index (search.js `Engine`)."""
    return {"buckets": buckets, "batch": BATCH}
