"""The text index: which shards' text holds each two characters in a row, so the full text skips the others.

No shard that holds a query may be skipped: the pairs of any piece of a page's text, folded as
search.js folds a query, are among the pairs recorded for the page, for real seed text and for
text with the white space, zero-width spaces, full-width letters and punctuation pages carry.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from builder.errors import BuilderError
from builder.site.search_exact import BUCKETS, bucket, fold
from builder.site.search_text import TEXT_CHARACTERS, page_pairs, text_piece, write_text

ROOT = Path(__file__).resolve().parents[1]
SEED_TEXT = "".join(path.read_text(encoding="utf-8") for path in sorted((ROOT / "data").glob("*/*.yaml")))
FOLDED_SEED = fold(SEED_TEXT)
QUERY_PAIR = re.compile(f"[{TEXT_CHARACTERS}]{{2}}")  # search.js TEXT_PAIR


def query_pairs(folded: str) -> set[str]:
    """The pairs search.js asks the text index for: two characters in a row of the folded word, both indexed.

    A page holds a query word when its folded text holds the folded word (search.js `complete`).
    """
    return {folded[at : at + 2] for at in range(len(folded) - 1) if QUERY_PAIR.fullmatch(folded[at : at + 2])}


@given(st.integers(0, len(FOLDED_SEED) - 1), st.integers(2, 40))
def test_every_piece_of_a_page_s_text_has_its_pairs_recorded(start: int, length: int) -> None:
    page = {"meta": {"title": "项目", "keys": ""}, "content": SEED_TEXT}
    assert query_pairs(FOLDED_SEED[start : start + length]) <= page_pairs(page)


@given(
    st.lists(
        st.sampled_from(
            ["预算", "Ａ", "b", "1,280.00", " ", "\u200b", "\n", "（%）", "≥", ">=", "　", "資金", "ǅ", "\ufeff"]
        )
    )
)
def test_pairs_hold_across_what_folding_drops_or_keeps(pieces: list[str]) -> None:
    text = "".join(pieces)
    page = {"meta": {"title": "", "keys": ""}, "content": text}
    folded = fold(text).replace("\ufeff", "")  # search.js `fold` drops U+FEFF as white space, Python's \s does not
    assert query_pairs(folded) <= page_pairs(page)


def test_title_keys_and_content_are_read_as_one_text() -> None:
    """search.js `complete` joins the three: a query may run from the title into the keys."""
    page = {"meta": {"title": "救灾物资", "keys": "储备｜受灾群众满意度"}, "content": "帐篷 100 顶"}
    assert {"资储", "备受", "度帐", "篷1"} <= page_pairs(page)
    assert "度帐" in page_pairs(page) and "棉被" not in page_pairs(page)


def test_a_piece_has_a_line_for_each_bucket_listing_its_pairs() -> None:
    lines = text_piece({"救灾", "物资", "ab", "12"}).decode("utf-8").split("\n")
    assert len(lines) == BUCKETS + 1 and lines.pop() == ""
    listed = [json.loads(line) for line in lines]
    assert sorted(text[at : at + 2] for text in listed for at in range(0, len(text), 2)) == ["12", "ab", "救灾", "物资"]
    assert listed[int(bucket("救灾"), 16)].count("救灾") == 1


def test_bucket_files_list_each_shard_s_pairs_by_place() -> None:
    pieces = {"pagefind/a/text.json": text_piece({"救灾"}), "pagefind/b/text.json": text_piece({"救灾", "物资"})}
    stored: dict[str, bytes] = {}
    hashes = write_text(["a", "b"], pieces.__getitem__, stored.update)
    assert hashes is not None and len(hashes) == 8 * BUCKETS

    def listed(pair: str) -> list[str]:
        number = int(bucket(pair), 16)
        return json.loads(stored[f"pagefind/text/{number:03x}.{hashes[number * 8 : number * 8 + 8]}.pf_text"])

    assert listed("救灾") == ["救灾", "救灾"] and listed("物资") == ["", "物资"]
    assert sum(content != b'["",""]' for content in stored.values()) == 2


def test_no_text_index_unless_every_shard_has_its_piece() -> None:
    pieces = {"pagefind/a/text.json": text_piece({"救灾"})}

    def read(path: str) -> bytes:
        if path not in pieces:
            raise FileNotFoundError(path)
        return pieces[path]

    assert write_text(["a", "b"], read, lambda files: pytest.fail("nothing is stored")) is None


@pytest.mark.parametrize(
    "piece", [b'000\t"]\n', b"000\t\xe6\x95\x91\n", b"00g\tab\n", b"000\tab", "000\t救灾\x00a\n".encode()]
)
def test_a_piece_not_as_the_builder_writes_it_is_refused_by_name(piece: bytes) -> None:
    with pytest.raises(BuilderError, match=r"pagefind/x/text\.json 的格式不对"):
        write_text(["x"], lambda path: piece, lambda files: None)
