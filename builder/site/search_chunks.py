"""Re-cut a Pagefind bundle's word index into small chunks, so that a query downloads little of each shard.

Pagefind 1.4.0 cuts a bundle's word index (`index/*.pf_index`) into chunks of about 20 000
word positions (about 28 KB gzip'd), a size it does not let one set. For each word of a
query the browser fetches the one chunk whose range (`from`…`to`, listed in the bundle's
`pagefind.<hash>.pf_meta`) holds the word, in every shard the search page merges: with a
few dozen shards, most of a first query's bytes are chunks of which it reads one word.
`rechunk_bundle` cuts each of Pagefind's chunks C again into small ones (about TARGET_BYTES
of CBOR, about half that gzip'd) and rewrites the chunk list in the meta file, the meta
file's name and the entry file (`pagefind-entry.json`) that names it. Pages, fragments, word
counts (which BM25 reads) and each word's entry (pages and positions) stay as Pagefind wrote
them, byte for byte; the same bundle always gives the same bytes.

What the browser does with a query term t (Pagefind 1.4.0, `pagefind_web/src/lib.rs`
`request_indexes`, `search.rs` `find_word_extensions`): it loads the first chunk whose range
holds t (`from <= t <= to`); only if no term of the query is in any range, the first chunk
whose range holds t once both are cut to the shorter length in bytes (the second lookup).
Then t matches the loaded words that start with t, or, if none does, the longest loaded word
t starts with. So a term's results depend on which words its chunk holds. A small chunk
holds the words of its range and every other word of C that a term sent to it can match
(`_needed`): the words with a prefix in its range (the extensions of its terms), the words
that are prefixes of its start (prefixes of its terms), and for the terms the second lookup
sends to it their extensions and prefixes. Words may thus be in two small chunks; the
browser keeps one copy. C's small chunks cover C's range end to end, `[F, x1] … [x(k-1), xk]`
and, last, `[F, T]` itself (a term above xk goes there, the first range that holds it; for
the second lookup it is C), and a cut x is never a prefix of T, so every term goes to a small
chunk of the chunk Pagefind sends it to. The second lookup can fail on a cut inside a
character: each cut is checked by replaying it for the prefixes of the starts
(`_fallback_terms`), and C is left whole where it could differ. Cuts go where they copy the
fewest bytes (`_cuts`).

One difference remains: a term sees the words of every chunk loaded for the other terms of
a query (or for earlier queries on the page). A term in no range at all (between two of
Pagefind's chunks, "指明" after a chunk ending at "指") finds words in Pagefind's bundle only
when another term loaded that chunk, and here only when it loaded the right small chunk;
likewise extensions of a term that straddle two of Pagefind's chunks. Measured on a 500-
department site: no single-term query differs; about 0.2 % of random two-word queries do.

A bundle this module does not recognise (another Pagefind version, another layout, CBOR not
encoded as Pagefind encodes it, ranges that touch as in a bundle re-cut already) is left as it is.
"""

from __future__ import annotations

import bisect
import gzip
import hashlib
import io
import itertools
import json
import zlib
from dataclasses import dataclass

import cbor2

PAGEFIND_VERSION = "1.4.0"
SIGNATURE = b"pagefind_dcd"
ENTRY = "pagefind-entry.json"
# Bytes of CBOR a small chunk aims at (before gzip; about half after): fewer, larger chunks make a longer
# download per term; more, smaller ones a longer chunk list in the meta file that every query loads.
TARGET_BYTES = 4_000
# Part of a shard's key (builder/pipeline/steps/index_search.py): a bundle cut otherwise is made again.
FORMAT = f"small-chunks-{TARGET_BYTES}"
# What reading a bundle not as Pagefind 1.4.0 writes it can raise: the bundle is then left as it is.
_UNREADABLE = (KeyError, TypeError, ValueError, AttributeError, IndexError, OSError, EOFError, zlib.error)
_UNREADABLE += (cbor2.CBORDecodeError,)
# gzip level of the small chunks: 9 (Pagefind's) costs twice the CPU of 6 for a few bytes less.
GZIP_LEVEL = 6


@dataclass(frozen=True)
class _Range:
    start: str  # `from`
    end: str  # `to`


@dataclass(frozen=True)
class _Chunk:
    """One of Pagefind's chunks: its range, its words in order and each word's entry as Pagefind encoded it."""

    bounds: _Range
    keys: list[str]
    entries: list[bytes]


def rechunk_bundle(
    files: dict[str, bytes], target: int = TARGET_BYTES, words: set[str] | None = None
) -> dict[str, bytes]:
    """The bundle `files` (path in the bundle → content) with its word index in small chunks.

    Return `files` itself when the bundle is not one this module knows how to read. Every word
    of the index is added to `words`, if given, when the bundle is read (its chunks are decoded anyway).
    """
    found: set[str] = set()
    try:
        entry = json.loads(files[ENTRY])
        if entry.get("version") != PAGEFIND_VERSION or not isinstance(entry.get("languages"), dict):
            return files
        result = dict(files)
        text = files[ENTRY].decode("utf-8")
        for language, info in sorted(entry["languages"].items()):
            old = info["hash"]
            quoted = f'"hash":{json.dumps(old)}'
            if text.count(quoted) != 1:
                return files
            new = _rechunk_language(result, language, old, target, found)
            if new is None:
                return files
            text = text.replace(quoted, f'"hash":{json.dumps(new)}')
        result[ENTRY] = text.encode("utf-8")
        if words is not None:
            words.update(found)
        return result
    except _UNREADABLE:
        return files


def _rechunk_language(
    files: dict[str, bytes], language: str, meta_hash: str, target: int, words: set[str]
) -> str | None:
    """Re-cut one language's index in `files` (in place), adding its words to `words`; the new meta hash or None."""
    meta_name = f"pagefind.{meta_hash}.pf_meta"
    body = _unpack(files[meta_name])
    meta = cbor2.loads(body)
    if not _is_meta(meta) or cbor2.dumps(meta) != body:  # re-encoded below: must come out as Pagefind wrote it
        return None
    ranges = [_Range(start, end) for start, end, _ in meta[2]]
    if any(earlier.end >= later.start for earlier, later in itertools.pairwise(ranges)):
        return None  # not Pagefind's ranges, which never touch (a bundle re-cut already, for one)
    chunks = []
    for bounds, (_, _, name) in zip(ranges, meta[2], strict=True):
        chunk = _read_chunk(bounds, _unpack(files[f"index/{name}.pf_index"]))
        if chunk is None:
            return None
        chunks.append(chunk)
        words.update(chunk.keys)
    listed: list[list[str]] = []
    written: dict[str, bytes] = {}  # name → gzip'd chunk
    for chunk, (_, _, old_name) in zip(chunks, meta[2], strict=True):
        pieces = _cut(chunk, target, ranges)
        if len(pieces) == 1:  # kept whole: as Pagefind wrote it
            if old_name in written:
                return None  # a small chunk's short hash is this chunk's name: too rare to be worth a rename
            written[old_name] = files[f"index/{old_name}.pf_index"]
            listed.append([chunk.bounds.start, chunk.bounds.end, old_name])
            continue
        for piece, entries in pieces:
            body = b"\x81" + _array_head(len(entries)) + b"".join(entries)
            name = _short_hash(language, body, written)
            written[name] = _pack(body)
            listed.append([piece.start, piece.end, name])
    if listed == meta[2]:
        return meta_hash  # nothing re-cut: the bundle stays as Pagefind wrote it
    new_meta = cbor2.dumps([meta[0], meta[1], listed, meta[3], meta[4]])
    new_hash = f"{language}_{_full_hash(new_meta)[: len(language) + 8]}"
    for _, _, name in meta[2]:
        del files[f"index/{name}.pf_index"]
    del files[meta_name]
    for name, packed in written.items():
        files[f"index/{name}.pf_index"] = packed
    files[f"pagefind.{new_hash}.pf_meta"] = _pack(new_meta, level=9)
    return new_hash


def _read_chunk(bounds: _Range, body: bytes) -> _Chunk | None:
    """A chunk `[[[word, [[page, [positions…]]…]]…]]` as Pagefind 1.4.0 writes it, cut into its words' entries.

    Each entry is kept as the bytes Pagefind wrote (found with the decoder's position), so a
    small chunk is the same encoding; None if the chunk is not of that shape, its words not in order.
    """
    if body[:1] != b"\x81":
        return None
    stream = io.BytesIO(body)
    stream.seek(1)
    decoder = cbor2.CBORDecoder(stream)
    count, position = _read_array_head(body, 1)
    stream.seek(position)
    keys, entries = [], []
    for _ in range(count):
        word = decoder.decode()
        if not (isinstance(word, list) and len(word) == 2 and isinstance(word[0], str) and isinstance(word[1], list)):
            return None
        if keys and not keys[-1] < word[0]:
            return None
        end = stream.tell()
        keys.append(word[0])
        entries.append(body[position:end])
        position = end
    if position != len(body):
        return None
    return _Chunk(bounds, keys, entries)


def _cut(chunk: _Chunk, target: int, ranges: list[_Range]) -> list[tuple[_Range, list[bytes]]]:
    """Pagefind's chunk as small chunks: the range each is listed with and its entries.

    `ranges` are all Pagefind's chunks' ranges. The small chunks are listed as `[F, x1], [x1, x2]
    … [x(k-1), xk]` and, last, `[F, T]` (C's own range): a term above xk goes to that one, as a
    term goes to the first range that holds it, and Pagefind's second lookup treats it exactly as
    it treats C (listed as `[xk, T]`, terms longer than T could go elsewhere).
    """
    bounds, keys, entries = chunk.bounds, chunk.keys, chunk.entries
    if sum(map(len, entries)) <= target:
        return [(bounds, entries)]
    cuts = _cuts(chunk, target)
    if not cuts:
        return [(bounds, entries)]
    edges = [bounds.start, *cuts]
    listed = [*(_Range(edges[i], edges[i + 1]) for i in range(len(cuts))), bounds]
    served = [*listed[:-1], _Range(cuts[-1], bounds.end)]  # the terms the first lookup sends to each
    fallback = _fallback_terms(bounds, listed, ranges)
    if fallback is None:
        return [(bounds, entries)]
    where = {key: index for index, key in enumerate(keys)}
    pieces = []
    for position, piece in enumerate(served):
        end = bounds.end if position == len(served) - 1 else None
        wanted = _needed(keys, where, piece, fallback[position], end)
        pieces.append((listed[position], [entries[index] for index in sorted(wanted)]))
    return pieces


def _cuts(chunk: _Chunk, target: int) -> list[str]:
    """Where to cut C: after words (the cuts) about `target` bytes apart, each where it copies the fewest bytes.

    A small chunk holds the words of C that its terms can match outside its range, copies of
    words another small chunk holds: after a cut x, the words that are prefixes of x; before it,
    the words after x that start with the shortest prefix of x in the range. So a cut between
    "项目验收" and "项目预算" copies "项目" (in every page) and all the words from "项目预算"
    on that start with "项目"; a cut between two words of different first characters, little.
    Among the words where the chunk so far holds between half and one and a half `target`, the
    cut is the one that copies the fewest bytes, then the one nearest `target`.
    """
    bounds, keys, entries = chunk.bounds, chunk.keys, chunk.entries
    where = {key: index for index, key in enumerate(keys)}
    sizes = [len(entry) for entry in entries]
    total = [0]
    for size in sizes:
        total.append(total[-1] + size)
    cuts: list[str] = []
    begin, start = 0, bounds.start
    while True:
        # A cut after keys[index] leaves total[index + 1] - total[begin] bytes in the small chunk.
        low = bisect.bisect_left(total, total[begin] + target // 2) - 1
        high = bisect.bisect_right(total, total[begin] + target + target // 2) - 1
        allowed = [
            index
            for index in range(max(low, begin), len(keys) - 1)
            if start < keys[index] < bounds.end and not bounds.end.startswith(keys[index])
        ]
        if not allowed:
            return cuts
        window = [index for index in allowed if index < high] or allowed[:1]
        reached = total[begin] + target
        best = min(window, key=lambda i: (_copied(keys, sizes, where, i, start), abs(total[i + 1] - reached)))
        cuts.append(keys[best])
        begin, start = best + 1, keys[best]


def _copied(keys: list[str], sizes: list[int], where: dict[str, int], index: int, start: str) -> int:
    """Bytes a cut after `keys[index]` copies into a second small chunk (see `_cuts`)."""
    key = keys[index]
    prefixes = _prefixes(key)
    copied = sum(sizes[where[prefix]] for prefix in prefixes if prefix in where)
    shortest = next((prefix for prefix in prefixes if prefix >= start), None)
    if shortest is not None:
        copied += sum(sizes[later] for later in _starting_with(keys, shortest, index + 1))
    return copied


def _needed(keys: list[str], where: dict[str, int], served: _Range, fallback: set[str], end: str | None) -> set[int]:
    """The words (indexes in `keys`) a small chunk must hold: all that a term sent to it can match in C.

    A term t matches the loaded words that start with t, else the longest loaded word t starts
    with. `served`: the terms the first lookup sends here; `fallback`: those the second lookup
    sends here; `end`: C's `to` for C's last small chunk (the second lookup sends it the terms
    that extend T: their prefixes are T's or start with T, their extensions start with T).
    """
    first = bisect.bisect_left(keys, served.start)
    last = bisect.bisect_right(keys, served.end)
    wanted = set(range(first, last))
    # Extensions of the served terms beyond `served.end`: they start with a prefix of it that is >= the start.
    shortest = next((p for p in _prefixes(served.end) if p >= served.start), None)
    if shortest is not None:
        wanted.update(_starting_with(keys, shortest, last))
    # Prefixes of the served terms below the start are prefixes of the start. Every served term starts with what
    # the start and end have in common: the longest word that is a prefix of it is always there, a shorter one
    # is never the longest ("1" is not needed where every term starts with "130" and "130" is a word).
    common = _common_prefix(served.start, served.end)
    floor = max((len(prefix) for prefix in _prefixes(common) if prefix in where), default=0)
    wanted.update(where[prefix] for prefix in _prefixes(served.start)[max(floor - 1, 0) :] if prefix in where)
    for term in [*fallback, *([end] if end is not None else [])]:
        wanted.update(where[prefix] for prefix in _prefixes(term) if prefix in where)
    for term in fallback:
        wanted.update(_starting_with(keys, term, bisect.bisect_left(keys, term)))
    return wanted


def _common_prefix(first: str, second: str) -> str:
    length = 0
    while length < min(len(first), len(second)) and first[length] == second[length]:
        length += 1
    return first[:length]


def _starting_with(keys: list[str], prefix: str, start: int) -> range:
    """The indexes from `start` on of the run of keys that start with `prefix` (`keys` sorted)."""
    stop = start
    while stop < len(keys) and keys[stop].startswith(prefix):
        stop += 1
    return range(start, stop)


def _prefixes(text: str) -> list[str]:
    """The non-empty prefixes of `text`, shortest first, itself included."""
    return [text[:length] for length in range(1, len(text) + 1)]


def _fallback_terms(bounds: _Range, listed: list[_Range], ranges: list[_Range]) -> list[set[str]] | None:
    """For each small chunk, the terms Pagefind's second lookup sends to it; None if it could differ from C's.

    The second lookup (for a query none of whose terms is in any range) compares a term with the
    bounds cut to the shorter length in bytes: a range `[s, e]` then also takes the proper prefixes
    of `s` and the terms `e` is a proper prefix of (and a cut inside a character fails). C's last
    small chunk has C's own range; a cut is never a prefix of T, so no term beyond T extends one;
    what is left are the prefixes of F and of the cuts, replayed here: each must reach a small
    chunk of C exactly when it reaches C.
    """
    fallback: list[set[str]] = [set() for _ in listed]
    terms = sorted({prefix for piece in listed for prefix in _prefixes(piece.start)})
    for term in terms:
        if any(other.start <= term <= other.end for other in ranges):
            continue  # the first lookup finds it: the second never runs for it
        routes = [position for position, piece in enumerate(listed) if _loosely_in(term, piece)]
        if bool(routes) != _loosely_in(term, bounds):
            return None
        if routes:
            fallback[routes[0]].add(term)
    return fallback


def _loosely_in(term: str, bounds: _Range) -> bool:
    """Pagefind's second lookup (`try_request_indexes` with `load_all_possible`), on UTF-8 bytes as in Rust."""
    raw, start, end = term.encode(), bounds.start.encode(), bounds.end.encode()
    start_length, end_length = min(len(raw), len(start)), min(len(raw), len(end))
    pieces = [_slice(raw, start_length), _slice(start, start_length), _slice(raw, end_length), _slice(end, end_length)]
    if any(piece is None for piece in pieces):
        return False
    term_start, chunk_start, term_end, chunk_end = pieces
    return term_start >= chunk_start and term_end <= chunk_end


def _slice(data: bytes, length: int) -> bytes | None:
    """`data[:length]`, or None where Rust's `str::get(0..length)` gives None (inside a character)."""
    if length < len(data) and 0x80 <= data[length] < 0xC0:
        return None
    return data[:length]


def _is_meta(meta: object) -> bool:
    """`[version, pages, [[from, to, hash]…], filters, sorts]`, as Pagefind 1.4.0 writes `pagefind.*.pf_meta`."""
    if not (isinstance(meta, list) and len(meta) == 5 and meta[0] == PAGEFIND_VERSION):
        return False
    chunks = meta[2]
    return isinstance(chunks, list) and all(
        isinstance(chunk, list) and len(chunk) == 3 and all(isinstance(part, str) for part in chunk) for chunk in chunks
    )


def _array_head(count: int) -> bytes:
    """The CBOR head of an array of `count` items (shortest form, as minicbor writes it)."""
    if count < 24:
        return bytes([0x80 + count])
    for marker, width in ((0x98, 1), (0x99, 2), (0x9A, 4), (0x9B, 8)):
        if count < 1 << (8 * width):
            return bytes([marker]) + count.to_bytes(width, "big")
    raise ValueError("array too long")


def _read_array_head(body: bytes, position: int) -> tuple[int, int]:
    """The length of the CBOR array whose head is at `position`, and where its first item starts."""
    head = body[position]
    if 0x80 <= head < 0x98:
        return head - 0x80, position + 1
    widths = {0x98: 1, 0x99: 2, 0x9A: 4, 0x9B: 8}
    if head not in widths:
        raise ValueError("not a definite-length array")
    width = widths[head]
    return int.from_bytes(body[position + 1 : position + 1 + width], "big"), position + 1 + width


def _unpack(compressed: bytes) -> bytes:
    data = gzip.decompress(compressed)
    if not data.startswith(SIGNATURE):
        raise ValueError("no Pagefind signature")
    return data[len(SIGNATURE) :]


def _pack(body: bytes, level: int = GZIP_LEVEL) -> bytes:
    return gzip.compress(SIGNATURE + body, compresslevel=level, mtime=0)


def _full_hash(data: bytes) -> str:
    """Pagefind's `full_hash`: SHA-1, each byte in hexadecimal without a leading zero."""
    return "".join(f"{byte:x}" for byte in hashlib.sha1(data).digest())


def _short_hash(language: str, body: bytes, taken: dict[str, bytes]) -> str:
    """`<language>_` and 7 digits of the hash, one more while that names another chunk (as Pagefind does)."""
    full = f"{language}_{_full_hash(body)}"
    length = len(language) + 8
    name = full[:length]
    while name in taken and length < len(full):
        length += 1
        name = full[:length]
    return name
