"""The exact index: the pages whose title, search keys or figures hold a query word, in small bucket files;
and the text index beside it: the shards whose text may hold a word, the only ones its full text is searched in.

Built from the sample site's real pages; a query is looked up here as search.js looks it up (`pages_with`,
`shards_holding`).
"""

from __future__ import annotations

import gzip
import hashlib
import itertools
import json
import random
import re
import shutil
from pathlib import Path

import pytest

from builder.errors import BuilderError
from builder.pipeline.build import build
from builder.site import search_exact
from builder.site.search import SearchShard, index_shards, site_pages, write_shard_list
from builder.site.search_exact import (
    BUCKETS,
    EXACT,
    KEYS_PER_PAGE,
    KIND_SLOTS,
    KINDS,
    bucket,
    fold,
    numbers,
    page_keys,
    pairs,
    write_exact,
)
from builder.site.search_ids import _base36 as base36
from builder.site.search_text import TEXT_CHARACTERS

ROOT = Path(__file__).resolve().parents[1]
PROJECT = "2023/chengde-gxq-jingkeju/13081123P00002510002R/"  # 清洁能源取暖工作经费, 预算数 500.00


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The sample site, indexed as three shards (one per department, the rest in `site`), with the exact index."""
    work = tmp_path_factory.mktemp("exact")
    site = work / "site"
    build(ROOT / "data", site, with_pdf=False, generated_dir=work / "generated")
    shutil.rmtree(site / "pagefind")
    pages = site_pages(site)
    chengde = tuple(page for page in pages if page.startswith("2023/chengde"))
    tangshan = tuple(page for page in pages if page.startswith("2023/tangshan"))
    rest = tuple(page for page in pages if page not in chengde + tangshan)
    shards = [SearchShard("site", rest), SearchShard("2023-0", chengde), SearchShard("2023-1", tangshan)]
    index_shards(site, shards, jobs=2)
    original = search_exact.EXACT_FROM_SHARDS
    search_exact.EXACT_FROM_SHARDS = 3
    try:
        write_shard_list(site, [shard.name for shard in shards])
    finally:
        search_exact.EXACT_FROM_SHARDS = original
    return site


def listing(site: Path) -> dict[str, object]:
    return json.loads((site / "pagefind" / "shards.json").read_text(encoding="utf-8"))


def pages_with(site: Path, key: str) -> dict[str, str]:
    """The pages (URL → kind) the bucket files list under `key`, as search.js reads them."""
    shards, exact = listing(site)["shards"], listing(site)["exact"]
    hashes, versions = exact["buckets"], exact["versions"]
    number = int(bucket(key[1:]), 16)
    name = f"{number:03x}.{hashes[number * 8 : number * 8 + 8]}.pf_exact"
    sections = json.loads(gzip.decompress((site / "pagefind" / "exact" / name).read_bytes()))
    found = {}
    for place, keys in enumerate(sections):
        version = versions[place]
        for code in itertools.accumulate(keys.get(key, [])):  # differences from the code before
            n, kind = divmod(code, KIND_SLOTS)
            n = n // KEYS_PER_PAGE if key.startswith("k") else n  # a pair of a search key: (page, key's place)
            name = f"{shards[place]}.{version}.{base36(n)}.pf_fragment"
            fragment = site / "pagefind" / shards[place] / "fragment" / name
            url = json.loads(gzip.decompress(fragment.read_bytes())[len(b"pagefind_dcd") :])["url"]
            found[url] = KINDS[kind] if kind < len(KINDS) else "other"
    return found


def test_text_is_folded_as_search_js_folds_a_query() -> None:
    assert fold("１，２８０.００万元") == "1280万元"
    assert fold("ABC 项目\u3000编码") == "abc项目编码"
    assert fold(">=95%") == "≥95%"


def test_numbers_are_whole_as_a_reader_means_them() -> None:
    text = "预算数 1,280.00 万元；合计1280万元。完成率>=95%，系数0.95，2010年，100万元"
    assert numbers(text) == {"1280", "1280万元", "95", "95%", "≥95%", "0.95", "2010", "100", "100万元"}
    assert "10" not in numbers(text)  # not in 100 or 2010
    assert numbers("日期 2023.12.31") == set()  # no whole number in a date: search.js `within` agrees


def test_numbers_follow_the_rule_search_js_shares_on_any_text() -> None:
    """`numbers` reads each match of NUMBER (search.js counts a number whole by the same rule), with the comparison
    mark before it and the unit after it, on text of digits, points, marks and units in any order."""
    rule = re.compile(rf"([{search_exact.MARKS}]?)({search_exact.NUMBER})({'|'.join(search_exact.UNITS)})?")
    generator = random.Random(21)
    for _ in range(20_000):
        text = "".join(generator.choice("0123456789..≥≤<>=万元亿千% a") for _ in range(generator.randint(0, 16)))
        plain = search_exact.ZERO_CENTS.sub(r"\1", text).replace(">=", "≥").replace("<=", "≤")  # as `numbers` reads it
        by_rule = {found for mark, n, unit in rule.findall(plain) for found in (n, n + unit, mark + n + unit)}
        assert numbers(text) == by_rule, text


def test_pairs_leave_out_punctuation_a_query_never_holds() -> None:
    assert pairs("企业上市，奖励") == {"企业", "业上", "上市", "奖励"}
    assert pairs("≥95%") == {"≥9", "95", "5%"}


def test_a_project_is_found_by_its_title_code_indicator_and_budget(site: Path) -> None:
    url = "/" + PROJECT
    assert pages_with(site, "E" + fold("清洁能源取暖工作经费")) == {url: "project"}
    assert pages_with(site, "K13081123p00002510002r") == {url: "project"}
    assert pages_with(site, "K" + fold("确保型煤质量"))[url] == "project"
    assert url in pages_with(site, "n500")
    assert url in pages_with(site, "n500万元")
    assert url in pages_with(site, "t取暖")


def test_a_department_page_is_found_by_its_name_and_its_projects_by_their_department(site: Path) -> None:
    found = pages_with(site, "t科技")
    assert found["/2023/tangshan-gxq-kejiju/"] == "department"
    in_keys = pages_with(site, "k科技")  # 高新区科技局 · 2023年项目绩效目标表, the projects' department
    assert {url for url, kind in in_keys.items() if kind == "project" and url.startswith("/2023/tangshan-gxq-kejiju/")}


def test_each_shard_s_bundle_has_its_piece(site: Path) -> None:
    for shard in ("site", "2023-0", "2023-1"):
        version, *lines = (site / "pagefind" / shard / EXACT).read_text(encoding="utf-8").splitlines()
        assert len(version) == 8
        parts = [json.loads(line) for line in lines]
        assert len(parts) == BUCKETS and all(isinstance(part, dict) for part in parts) and any(parts)
    assert len(listing(site)["exact"]["buckets"]) == 8 * BUCKETS
    pieces = [(site / "pagefind" / shard / EXACT).read_text(encoding="utf-8") for shard in ("site", "2023-0", "2023-1")]
    assert listing(site)["exact"]["versions"] == [piece.split("\n")[0] for piece in pieces]
    assert len(list((site / "pagefind" / "exact").iterdir())) == BUCKETS


def test_a_small_site_has_no_exact_index(tmp_path: Path, site: Path) -> None:
    """Below EXACT_FROM_SHARDS shards search.js merges every shard at once, as before: nothing is written."""
    copy = tmp_path / "site"
    shutil.copytree(site / "pagefind", copy / "pagefind")
    shutil.rmtree(copy / "pagefind" / "exact")
    write_shard_list(copy, ["site", "2023-0", "2023-1"])
    assert "exact" not in listing(copy)
    assert not (copy / "pagefind" / "exact").exists()


def test_bucket_files_are_named_by_their_content(site: Path) -> None:
    hashes = listing(site)["exact"]["buckets"]
    written: dict[str, bytes] = {}
    again = write_exact(["site", "2023-0", "2023-1"], lambda path: (site / path).read_bytes(), written.update)
    assert again == listing(site)["exact"]
    reordered = write_exact(["2023-0", "site", "2023-1"], lambda path: (site / path).read_bytes(), lambda files: None)
    assert reordered["buckets"] != hashes  # a shard's place is in the file
    for path, content in written.items():
        assert path.rsplit(".", 2)[1] == hashlib.sha1(content).hexdigest()[:8]


def test_no_exact_index_unless_every_shard_has_its_piece(site: Path, tmp_path: Path) -> None:
    def read(path: str) -> bytes:
        if path == f"pagefind/2023-1/{EXACT}":
            raise FileNotFoundError(path)
        return (site / path).read_bytes()

    assert write_exact(["site", "2023-0", "2023-1"], read, lambda files: pytest.fail("nothing is stored")) is None


@pytest.mark.parametrize(
    "piece",
    [
        b"not a piece",
        b"../../x\n",
        b"0123abcd",  # no line break at its end: cut short
        b"0123abcd\n" + b"{}\n" * (BUCKETS - 1),  # a bucket short
        b"0123abcd\n../x\t{}\n" + b"{}\n" * (BUCKETS - 1),
        b"0123abcd\n{}\t{}\n" + b"{}\n" * (BUCKETS - 1),
        b'0123abcd\n{"n1":[1]},"x":1\n' + b"{}\n" * (BUCKETS - 1),
        b'0123abcd\n{"n1":["<img>"]}\n' + b"{}\n" * (BUCKETS - 1),
        b'0123abcd\n{"n1":[-1]}\n' + b"{}\n" * (BUCKETS - 1),
        b"\xff\xfe\n",
    ],
)
def test_a_piece_not_as_the_builder_writes_it_is_refused_by_name(piece: bytes) -> None:
    with pytest.raises(BuilderError, match=r"pagefind/2023-9/exact\.json 的格式不对"):
        write_exact(["2023-9"], lambda path: piece, lambda files: None)


def test_a_piece_the_build_made_itself_is_not_checked_again() -> None:
    """Checking every piece costs 0.5 s at 3 000 departments: a build trusts those it made or kept."""
    odd = b'0123abcd\n{"n1":[-1]}\n' + b"{}\n" * (BUCKETS - 1)
    assert write_exact(["2023-9"], lambda path: odd, lambda files: None, trusted=lambda path: True) is not None


def test_a_build_writes_the_exact_index_and_an_edit_remakes_only_the_buckets_it_changed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The real pipeline, with the threshold lowered to the sample's two shards; an edit adds one number."""
    monkeypatch.setattr(search_exact, "EXACT_FROM_SHARDS", 2)
    shutil.copytree(ROOT / "data", tmp_path / "data")
    site = tmp_path / "site"

    def run(folder: str = "exact") -> list[str]:
        report = build(tmp_path / "data", site, with_pdf=False, generated_dir=tmp_path / "g", cache_dir=tmp_path / "c")
        return [path for path in report.made if path.startswith(f"pagefind/{folder}/")]

    assert len(run()) == BUCKETS
    assert "/2023/tangshan-gxq-kejiju/" not in pages_with(site, "n4417")
    assert shards_holding(site, "鲸鱼迁徙") == set()
    edited = tmp_path / "data" / "2023" / "tangshan-gxq-kejiju.yaml"
    text = edited.read_text(encoding="utf-8")
    edited.write_text(text.replace("  overall_goal:\n  - ", "  overall_goal:\n  - 新增 4417 户。", 1), encoding="utf-8")
    remade = run()
    assert 0 < len(remade) < BUCKETS / 2
    assert len(list((site / "pagefind" / "exact").iterdir())) == BUCKETS
    assert pages_with(site, "n4417") == {"/2023/tangshan-gxq-kejiju/": "department"}
    assert run() == []
    edited.write_text(text.replace("  overall_goal:\n  - ", "  overall_goal:\n  - 鲸鱼迁徙。", 1), encoding="utf-8")
    remade = run("text")
    assert 3 <= len(remade) <= 16  # 鲸鱼, 鱼迁, 迁徙, and those of 新增 4417 户 gone, where no other page has them
    assert len(list((site / "pagefind" / "text").iterdir())) == BUCKETS
    holding = shards_holding(site, "鲸鱼迁徙")
    assert len(holding) == 1 and holding == {shard for shard, text in shard_texts(site).items() if "鲸鱼迁徙" in text}


def test_a_key_s_pairs_are_kept_by_key() -> None:
    """高新技术企业满意度 is in neither key: its pairs are, but in two keys (a field trial found 347 such pages)."""
    fragment = {"meta": {"title": "某项目", "keys": "高新技术企业｜企业满意度", "kind": "project"}, "content": ""}
    _, by_key = page_keys(fragment)
    word = fold("高新技术企业满意度")
    places = [by_key.get("k" + word[at : at + 2], set()) for at in range(len(word) - 1)]
    assert set.intersection(*places) == set()
    assert set.intersection(*[by_key["k" + pair] for pair in pairs("企业满意度")]) == {1}


def shards_holding(site: Path, word: str) -> set[str]:
    """The shards the text index says may hold `word`, read as search.js `shardsHolding` reads it."""
    shards, hashes = listing(site)["shards"], listing(site)["text"]["buckets"]
    folded = fold(word)
    pairs = {folded[at : at + 2] for at in range(len(folded) - 1)}
    holding = set(range(len(shards)))
    for pair in filter(re.compile(f"[{TEXT_CHARACTERS}]{{2}}").fullmatch, pairs):
        number = int(bucket(pair), 16)
        name = f"{number:03x}.{hashes[number * 8 : number * 8 + 8]}.pf_text"
        sections = json.loads(gzip.decompress((site / "pagefind" / "text" / name).read_bytes()))
        holding &= {
            place for place, text in enumerate(sections) if pair in [text[at : at + 2] for at in range(0, len(text), 2)]
        }
    return {shards[place] for place in holding}


def shard_texts(site: Path) -> dict[str, str]:
    """Each shard's pages' text as search.js `complete` reads it (title, keys and content, folded)."""
    texts = {}
    for shard in listing(site)["shards"]:
        fragments = (site / "pagefind" / shard / "fragment").iterdir()
        pages = [json.loads(gzip.decompress(path.read_bytes())[len(b"pagefind_dcd") :]) for path in fragments]
        # Pagefind's data() drops the zero-width spaces it puts between words, as exactResult does
        content = [page.get("content", "").replace("\u200b", "") for page in pages]
        fields = [
            (page["meta"].get("title"), page["meta"].get("keys"), text)
            for page, text in zip(pages, content, strict=True)
        ]
        texts[shard] = "\n".join("".join(fold(field or "") for field in three) for three in fields)
    return texts


def test_the_text_index_lists_every_shard_whose_text_holds_a_word(site: Path) -> None:
    """Every word of two to six characters of the sample's pages: its shards are listed; a word on no page, none."""
    texts = shard_texts(site)
    words = {text[at : at + size] for text in texts.values() for at in range(0, len(text), 97) for size in (2, 4, 6)}
    words = {word for word in words if "\n" not in word}
    assert len(words) > 500
    for word in words:
        assert shards_holding(site, word) >= {shard for shard, text in texts.items() if word in text}, word
    assert shards_holding(site, "鲸鱼迁徙") == set()
    only_tangshan = [
        word for word in words if len(word) == 6 and word in texts["2023-1"] and word not in texts["2023-0"]
    ]
    assert any("2023-0" not in shards_holding(site, word) for word in only_tangshan[:20])  # not every shard


def test_a_number_parted_by_white_space_is_listed_whole_as_search_js_reads_it() -> None:
    """search.js `within` also reads the page with its white space gone: “2 763.95” holds 2763.95 there."""
    fragment = {"meta": {"title": "某项目", "keys": ""}, "content": "预算数 2 763.95 万元"}
    keys, _ = page_keys(fragment)
    assert {"n2763.95", "n2763.95万元", "n2", "n763.95"} <= keys
