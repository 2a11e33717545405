"""Name the pages of a shard's search bundle so that no two pages of the site share a name.

Pagefind names each page of a bundle by a short hash (`zh_8c4ab0d`: 7 hexadecimal digits,
one more where two pages of the bundle would share one). That name is the page's id in the
browser and the name of its fragment (`fragment/zh_8c4ab0d.pf_fragment`), and it is unique
within one bundle only. The search page merges every shard into one Pagefind (`mergeIndex`)
and tells results apart by their id (theme/assets/budget/search.js: de-duplication, the
cache of loaded pages, the word-by-word re-searches): two pages of two shards with one id
would be shown as one, or one with the other's title and excerpt. With 28 bits, 48 000 pages
(3 000 departments) hold about 48 000² / 2²⁹ ≈ 4 such pairs.

`name_pages` renames them `<shard>.<version>.<n>`: the shard's name (unique in shards.json),
the bundle's version (8 hexadecimal digits of the SHA-1 of its fragments and page list) and
the page's position in the page list, in base 36. So names are unique across shards by
construction, whatever the hashes; a shard re-indexed after an edit does not touch the others'
names; and a fragment's address changes whenever any page of its shard changes, so a browser
never takes a fragment it cached from an earlier build for another page. Repeated prefixes
and counting numbers also compress far better than hashes in the page list every query loads
(`benchmarks/README.md`). Only the page list in the meta file, the meta file's name, the entry
file that names it and the fragments' names change; fragments, words and chunks stay as they were.
"""

from __future__ import annotations

import hashlib
import json

import cbor2

from .search_chunks import _UNREADABLE, ENTRY, PAGEFIND_VERSION, _full_hash, _pack, _unpack
from .search_chunks import _is_meta as is_meta

DIGITS = "0123456789abcdefghijklmnopqrstuvwxyz"
# Part of a shard's key (builder/pipeline/steps/index_search.py): a bundle named otherwise is made again.
FORMAT = "names-3"


def name_pages(files: dict[str, bytes], shard: str) -> dict[str, bytes]:
    """The bundle `files` (path in the bundle → content) with its pages named `<shard>.<version>.<n>`.

    Its word chunks are named `<version>.<n>` too (in order of the chunk list): hashes compress
    badly in the list every query loads. Return `files` itself when the bundle is not one
    Pagefind 1.4.0 writes.
    """
    try:
        entry = json.loads(files[ENTRY])
        if entry.get("version") != PAGEFIND_VERSION or not isinstance(entry.get("languages"), dict):
            return files
        languages = sorted(entry["languages"].items())
        metas = {name: cbor2.loads(_unpack(files[f"pagefind.{info['hash']}.pf_meta"])) for name, info in languages}
        if not all(_is_meta(meta) for meta in metas.values()):
            return files
        pages = [page[0] for language, _ in languages for page in metas[language][1]]
        chunks = [chunk[2] for language, _ in languages for chunk in metas[language][2]]
        renamed = {f"fragment/{name}.pf_fragment" for name in pages} | {f"index/{name}.pf_index" for name in chunks}
        if len(renamed) != len(pages) + len(chunks) or not renamed <= files.keys():
            return files
        version = _version(files)
        # Two maps: a page and a word chunk may have the same hash name (both `zh_` and 7 hexadecimal digits), and
        # one map gave such a page its chunk's new name (3 000 departments: one page named outside its shard).
        page_names = {name: f"{shard}.{version}.{_base36(n)}" for n, name in enumerate(pages)}
        chunk_names = {name: f"{version}.{_base36(n)}" for n, name in enumerate(chunks)}
        result = {path: content for path, content in files.items() if path not in renamed}
        text = files[ENTRY].decode("utf-8")
        for language, info in languages:
            quoted = f'"hash":{json.dumps(info["hash"])}'
            if text.count(quoted) != 1:
                return files
            meta = metas[language]
            listed = [[page_names[name], count] for name, count in meta[1]]
            cut = [[start, end, chunk_names[name]] for start, end, name in meta[2]]
            body = cbor2.dumps([meta[0], listed, cut, *meta[3:]])
            meta_hash = f"{language}_{_full_hash(body)[: len(language) + 8]}"
            del result[f"pagefind.{info['hash']}.pf_meta"]
            result[f"pagefind.{meta_hash}.pf_meta"] = _pack(body, level=9)
            text = text.replace(quoted, f'"hash":{json.dumps(meta_hash)}')
        for name in pages:
            result[f"fragment/{page_names[name]}.pf_fragment"] = files[f"fragment/{name}.pf_fragment"]
        for name in chunks:
            result[f"index/{chunk_names[name]}.pf_index"] = files[f"index/{name}.pf_index"]
        result[ENTRY] = text.encode("utf-8")
        return result
    except _UNREADABLE:
        return files


def _is_meta(meta: object) -> bool:
    """`[version, [[name, word count]…], [[from, to, name]…], …]`, as Pagefind 1.4.0 writes `pagefind.*.pf_meta`."""
    if not (is_meta(meta) and isinstance(meta, list) and isinstance(meta[1], list)):
        return False
    return all(
        isinstance(page, list) and len(page) == 2 and isinstance(page[0], str) and isinstance(page[1], int)
        for page in meta[1]
    )


def _version(files: dict[str, bytes]) -> str:
    """8 hexadecimal digits of the SHA-1 of the bundle's contents: they change when any file of it does."""
    digest = hashlib.sha1()
    for content in sorted(hashlib.sha1(content).digest() for content in files.values()):
        digest.update(content)
    return digest.hexdigest()[:8]


def _base36(number: int) -> str:
    text = ""
    while True:
        number, digit = divmod(number, 36)
        text = DIGITS[digit] + text
        if not number:
            return text
