"""A search bundle's word index re-cut into small chunks: every term matches the words it matched in Pagefind's chunks.

The bundle is Pagefind's own (real Pagefind 1.4.0, service mode), made from the text of the
sample documents (data/2023/*.yaml) cut into pages. What the browser does with a query is
replayed here, as Pagefind 1.4.0's WebAssembly does it (`pagefind_web/src/lib.rs`
`request_indexes`, `search.rs` `find_word_extensions`): which chunks a query loads, then which
loaded words each term matches, with their pages and positions. For every word of the index,
every prefix of one, every word extended, and the chunk bounds and their neighbours, the
re-cut bundle must give what Pagefind's bundle gives. The browser test
tests/browser/test_search_chunks_browser.py compares the results a reader sees.
"""

from __future__ import annotations

import gzip
import itertools
import json
from pathlib import Path

import cbor2
import pytest

from builder.site import search, search_chunks
from builder.site.search import SearchShard, index_shard
from builder.site.search_chunks import rechunk_bundle
from builder.site.search_ids import name_pages

ROOT = Path(__file__).resolve().parents[1]
PAGE = (
    '<html lang="zh"><head><meta charset="utf-8"><title>{title}</title></head>'
    "<body><main data-pagefind-body><h1>{title}</h1><p>{text}</p></main></body></html>"
)
LINES_A_PAGE = 40


def sample_pages() -> dict[str, bytes]:
    """The sample documents' lines as pages of LINES_A_PAGE lines, twice (windows shifted by half): several chunks."""
    pages = {}
    for path in sorted((ROOT / "data" / "2023").glob("*.yaml")):
        lines = [line.strip() for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
        for shift in (0, LINES_A_PAGE // 2):
            for start in range(shift, len(lines), LINES_A_PAGE):
                text = "<br>".join(lines[start : start + LINES_A_PAGE])
                title = f"{path.stem} {start}"
                pages[f"2023/{path.stem}/p{start}/index.html"] = PAGE.format(title=title, text=text).encode()
    return pages


def bundle_files(bundle: Path) -> dict[str, bytes]:
    """The files of a bundle as Pagefind writes them: without the list of code-like words (search_routes.py)."""
    files = (path for path in bundle.rglob("*") if path.is_file() and path.name != "codes.json")
    return {path.relative_to(bundle).as_posix(): path.read_bytes() for path in files}


@pytest.fixture(scope="module")
def bundles(tmp_path_factory: pytest.TempPathFactory) -> tuple[dict[str, bytes], dict[str, bytes]]:
    """Pagefind's own bundle of the sample pages, and that bundle re-cut (its pages and chunks not renamed)."""
    own, small = tmp_path_factory.mktemp("own"), tmp_path_factory.mktemp("small")
    pages = sample_pages()
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(search, "name_pages", lambda files, shard: files)
        index_shard(small, SearchShard("all", tuple(pages)), read=pages.__getitem__)
        patch.setattr(search, "rechunk_bundle", lambda files, **_: files)
        index_shard(own, SearchShard("all", tuple(pages)), read=pages.__getitem__)
    return bundle_files(own / "pagefind" / "all"), bundle_files(small / "pagefind" / "all")


# ---- Pagefind 1.4.0's lookup, replayed ----


def unpack(data: bytes) -> object:
    raw = gzip.decompress(data)
    assert raw.startswith(b"pagefind_dcd")
    return cbor2.loads(raw[12:])


def meta_of(files: dict[str, bytes]) -> list:
    entry = json.loads(files["pagefind-entry.json"])
    return unpack(files[f"pagefind.{entry['languages']['zh']['hash']}.pf_meta"])


def chunks_of(files: dict[str, bytes]) -> dict[str, dict[str, list]]:
    """Each chunk's words: name → {word: pages and positions}."""
    return {name: dict(unpack(files[f"index/{name}.pf_index"])[0]) for _, _, name in meta_of(files)[2]}


def cut(text: bytes, length: int) -> bytes | None:
    """Rust's `str::get(0..length)` on UTF-8: None inside a character."""
    if length < len(text) and 0x80 <= text[length] < 0xC0:
        return None
    return text[:length]


def loosely_in(term: str, start: str, end: str) -> bool:
    raw, low, high = term.encode(), start.encode(), end.encode()
    parts = [
        cut(raw, min(len(raw), len(low))),
        cut(low, len(raw)),
        cut(raw, min(len(raw), len(high))),
        cut(high, len(raw)),
    ]
    return None not in parts and parts[0] >= parts[1] and parts[2] <= parts[3]


def request_indexes(meta: list, query: str) -> list[str]:
    """The chunks the browser loads for `query`: per term the first whose range holds it; failing all, loosely."""

    def names(loose: bool) -> list[str]:
        found = []
        for term in query.split(" "):
            for start, end, name in meta[2]:
                if loosely_in(term, start, end) if loose else start <= term <= end:
                    found.append(name)
                    break
        return sorted(set(found))

    return names(False) or names(True)


def matched(files: dict[str, bytes], chunks: dict[str, dict[str, list]], query: str) -> dict[str, dict[str, list]]:
    """Per term: the loaded words it matches (those it starts, else the longest it starts with) and their entries."""
    loaded: dict[str, list] = {}
    for name in request_indexes(meta_of(files), query):
        loaded.update(chunks[name])
    found = {}
    for term in query.split(" "):
        words = {word: pages for word, pages in loaded.items() if word.startswith(term)}
        prefixes = [word for word in loaded if term.startswith(word)]
        if not words and prefixes:
            longest = max(prefixes, key=len)
            words = {longest: loaded[longest]}
        found[term] = words
    return found


def probe_terms(files: dict[str, bytes], chunks: dict[str, dict[str, list]]) -> list[str]:
    """Every word, its prefixes and extensions, and the chunk bounds with theirs: where a re-cut could differ."""
    terms: set[str] = set()
    bounds = [text for start, end, _ in meta_of(files)[2] for text in (start, end)]
    for text in [*(word for words in chunks.values() for word in words), *bounds]:
        terms.update(text[:length] for length in range(1, len(text) + 1))
        terms.update(text + extra for extra in ("z", "0", "中", "é", "\U00020000"))
    return sorted(terms)


# ---- tests ----


def test_the_bundle_is_cut_into_many_small_chunks(bundles: tuple[dict[str, bytes], dict[str, bytes]]) -> None:
    own, small = bundles
    own_chunks = [name for name in own if name.startswith("index/")]
    small_chunks = [name for name in small if name.startswith("index/")]
    assert len(own_chunks) >= 3  # Pagefind's chunks of about 20 000 word positions: the test needs a few
    assert len(small_chunks) >= 5 * len(own_chunks)
    assert max(len(small[name]) for name in small_chunks) < min(len(own[name]) for name in own_chunks[:-1])
    # Pages, fragments and the page list (word counts for the ranking) are Pagefind's, byte for byte.
    assert {name: data for name, data in own.items() if name.startswith("fragment/")} == {
        name: data for name, data in small.items() if name.startswith("fragment/")
    }
    assert meta_of(own)[:2] == meta_of(small)[:2] and meta_of(own)[3:] == meta_of(small)[3:]
    assert small["pagefind.js"] == own["pagefind.js"]


def test_every_term_matches_what_it_matches_in_pagefind_s_chunks(
    bundles: tuple[dict[str, bytes], dict[str, bytes]],
) -> None:
    own, small = bundles
    own_chunks, small_chunks = chunks_of(own), chunks_of(small)
    terms = probe_terms(own, own_chunks) + probe_terms(small, small_chunks)
    assert len(terms) > 5_000
    differ = [term for term in terms if matched(own, own_chunks, term) != matched(small, small_chunks, term)]
    assert differ == []
    # Each small chunk is loaded for some term; a term loads far fewer bytes than from Pagefind's chunks.
    for term, words in (("满意度", 1), ("高新技术企业", 1), ("13081123p000038100022", 1)):
        assert len(matched(small, small_chunks, term)[term]) >= words
        (own_name,) = request_indexes(meta_of(own), term)
        (small_name,) = request_indexes(meta_of(small), term)
        assert len(small[f"index/{small_name}.pf_index"]) * 3 < len(own[f"index/{own_name}.pf_index"])


def test_queries_of_several_words_match_the_same_words(bundles: tuple[dict[str, bytes], dict[str, bytes]]) -> None:
    """Real words of the index, two and three at once (the known exception, a term in no range, left out)."""
    own, small = bundles
    own_chunks, small_chunks = chunks_of(own), chunks_of(small)
    ranges = [(start, end) for start, end, _ in meta_of(own)[2]]
    words = sorted(word for words in own_chunks.values() for word in words)
    in_a_range = [word for word in words if any(start <= word <= end for start, end in ranges)]
    queries = [" ".join(in_a_range[i::97][:3]) for i in range(97)]
    queries += [" ".join(pair) for pair in itertools.pairwise(words)]
    queries += ["高新技术企业 满意度", "救灾 物资", "项目 开工", "高新区 科技局"]
    differ = [query for query in queries if matched(own, own_chunks, query) != matched(small, small_chunks, query)]
    assert len(differ) <= len(queries) // 200, differ


def test_the_same_bundle_gives_the_same_bytes(bundles: tuple[dict[str, bytes], dict[str, bytes]]) -> None:
    own, small = bundles
    assert rechunk_bundle(own) == small
    assert rechunk_bundle(dict(own)) == rechunk_bundle(dict(own))


def test_a_bundle_re_cut_already_is_left_as_it_is(bundles: tuple[dict[str, bytes], dict[str, bytes]]) -> None:
    """Its ranges touch (`[F, x1], [x1, x2] … [F, T]`), which Pagefind's never do."""
    _, small = bundles
    assert rechunk_bundle(small, target=search_chunks.TARGET_BYTES // 4) is small


GZIP_HEAD = b"\x1f\x8b\x08\x00\x00\x00\x00\x00\x02\xff"


def swap_meta(files: dict[str, bytes], change: object) -> dict[str, bytes]:
    """`files` with the meta file's content replaced (same name)."""
    entry = json.loads(files["pagefind-entry.json"])
    name = f"pagefind.{entry['languages']['zh']['hash']}.pf_meta"
    meta = meta_of(files)
    changed = change(meta)
    body = changed if isinstance(changed, bytes) else cbor2.dumps(changed)
    return {**files, name: gzip.compress(b"pagefind_dcd" + body)}


@pytest.mark.parametrize(
    "spoil",
    [
        pytest.param(
            lambda files: {**files, "pagefind-entry.json": files["pagefind-entry.json"].replace(b"1.4.0", b"1.5.0")},
            id="other-version",
        ),
        pytest.param(lambda files: {k: v for k, v in files.items() if not k.startswith("index/")}, id="chunk-missing"),
        pytest.param(lambda files: swap_meta(files, lambda meta: [*meta, []]), id="meta-with-more-fields"),
        pytest.param(lambda files: swap_meta(files, lambda meta: b"\xa1\x61a\x01"), id="meta-a-map"),
        pytest.param(
            lambda files: {k: (b"not gzip" if k.startswith("index/") else v) for k, v in files.items()},
            id="chunk-not-gzip",
        ),
        pytest.param(
            lambda files: {k: (GZIP_HEAD + b"garbage" if k.startswith("index/") else v) for k, v in files.items()},
            id="chunk-bad-deflate",
        ),
        pytest.param(
            lambda files: {
                k: (
                    gzip.compress(b"pagefind_dcd" + cbor2.dumps([[["b", []], ["a", []]]]))
                    if k.startswith("index/")
                    else v
                )
                for k, v in files.items()
            },
            id="words-out-of-order",
        ),
    ],
)
def test_a_bundle_not_as_pagefind_1_4_writes_it_is_left_alone(
    bundles: tuple[dict[str, bytes], dict[str, bytes]], spoil: object
) -> None:
    own, _ = bundles
    spoiled = spoil(own)
    assert rechunk_bundle(spoiled) is spoiled


def test_a_small_bundle_is_left_as_pagefind_wrote_it(bundles: tuple[dict[str, bytes], dict[str, bytes]]) -> None:
    own, _ = bundles
    assert rechunk_bundle(own, target=10**9) == own


def test_the_builder_writes_a_bundle_it_cannot_read_as_pagefind_wrote_it(
    bundles: tuple[dict[str, bytes], dict[str, bytes]], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Another Pagefind version (here: this module expecting another one): the search still works, with large chunks."""
    own, _ = bundles
    monkeypatch.setattr(search_chunks, "PAGEFIND_VERSION", "1.5.0")
    pages = sample_pages()
    index_shard(tmp_path, SearchShard("all", tuple(pages)), read=pages.__getitem__)
    assert bundle_files(tmp_path / "pagefind" / "all") == name_pages(own, "all")


def test_the_builder_writes_the_bundle_re_cut_then_named(
    bundles: tuple[dict[str, bytes], dict[str, bytes]], tmp_path: Path
) -> None:
    _, small = bundles
    pages = sample_pages()
    index_shard(tmp_path, SearchShard("all", tuple(pages)), read=pages.__getitem__)
    written = bundle_files(tmp_path / "pagefind" / "all")
    assert written.pop("exact.json")  # the exact index's piece (search_exact.py)
    assert written.pop("text.json")  # the text index's piece (search_text.py)
    assert written == name_pages(small, "all")


def test_a_page_and_a_chunk_of_one_hash_name_are_named_apart(
    bundles: tuple[dict[str, bytes], dict[str, bytes]],
) -> None:
    """Pagefind names pages and word chunks alike (`zh_` and 7 hexadecimal digits). A page whose name a chunk
    also had was given the chunk's new name, outside its shard's (3 000 departments had one such page)."""
    _, small = bundles
    info = next(iter(json.loads(small["pagefind-entry.json"])["languages"].values()))
    meta_file = f"pagefind.{info['hash']}.pf_meta"
    meta = unpack(small[meta_file])
    page, chunk = meta[1][3][0], meta[2][0][2]
    meta[2][0][2] = page  # the first chunk now has the fourth page's name
    clashing = dict(small)
    clashing[f"index/{page}.pf_index"] = clashing.pop(f"index/{chunk}.pf_index")
    clashing[meta_file] = gzip.compress(search_chunks.SIGNATURE + cbor2.dumps(meta), mtime=0)
    named = name_pages(clashing, "all")
    fragments = sorted(name for name in named if name.startswith("fragment/"))
    assert len(fragments) == len(meta[1])
    assert all(name.startswith("fragment/all.") for name in fragments)
    info = next(iter(json.loads(named["pagefind-entry.json"])["languages"].values()))
    listed = unpack(named[f"pagefind.{info['hash']}.pf_meta"])
    assert listed[1][3][0].startswith("all.") and not listed[2][0][2].startswith("all.")
    assert named[f"fragment/{listed[1][3][0]}.pf_fragment"] == small[f"fragment/{page}.pf_fragment"]
    assert named[f"index/{listed[2][0][2]}.pf_index"] == small[f"index/{chunk}.pf_index"]
