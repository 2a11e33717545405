"""The search index split into shards: each shard is a Pagefind bundle of its own pages, listed in shards.json."""

from __future__ import annotations

import gzip
import json
from pathlib import Path

import pytest

from builder.errors import BuilderError
from builder.site import search
from builder.site.search import (
    MAX_GLOB_BYTES,
    MAX_SHARD_PAGES,
    SearchShard,
    index_shard,
    index_shards,
    index_site,
    pages_glob,
    split_shard,
    write_shard_list,
)

PAGE = """<!doctype html>
<html lang="zh"><head><meta charset="utf-8"><title>{title}</title></head>
<body><nav>导航栏文字不收录</nav><main data-pagefind-body><h1>{title}</h1><p>{text}</p></main></body></html>
"""
PAGES = {
    "index.html": ("首页", "本站公开各部门的预算绩效目标。"),
    "about/index.html": ("关于本站", "数据来自各部门报送的绩效目标表。"),
    "2023/kejiju/index.html": ("科技局", "高新技术企业扶持资金，服务对象满意度不低于百分之九十。"),
    "2023/kejiju/p1/index.html": ("高新技术企业扶持资金", "支持高新技术企业研发投入。"),
    "2023/yingji/index.html": ("应急管理局", "救灾物资储备，受灾群众满意度。"),
}
UNMARKED = "2023/projects/index.html"  # a list page without data-pagefind-body: never indexed
SHARDS = (
    SearchShard("site", ("index.html", "about/index.html", UNMARKED)),
    SearchShard("2023-1", ("2023/kejiju/index.html", "2023/kejiju/p1/index.html", "2023/yingji/index.html")),
)
SECOND_SHARD_URLS = {"/2023/kejiju/", "/2023/kejiju/p1/", "/2023/yingji/"}


@pytest.fixture
def site(tmp_path: Path) -> Path:
    """A tiny built site: a few Chinese pages, one of them without a marked body."""
    site = tmp_path / "site"
    for path, (title, text) in PAGES.items():
        (site / path).parent.mkdir(parents=True, exist_ok=True)
        (site / path).write_text(PAGE.format(title=title, text=text), encoding="utf-8")
    (site / UNMARKED).parent.mkdir(parents=True, exist_ok=True)
    (site / UNMARKED).write_text("<html lang='zh'><body><p>全部项目列表</p></body></html>", encoding="utf-8")
    return site


def fragment_urls(bundle: Path) -> set[str]:
    """The page URLs recorded in a bundle's fragments (gzip with a `pagefind_dcd` prefix)."""
    urls = set()
    for path in (bundle / "fragment").iterdir():
        data = gzip.decompress(path.read_bytes()).removeprefix(b"pagefind_dcd")
        urls.add(json.loads(data)["url"])
    return urls


def test_two_shards_get_a_bundle_each_and_a_list(site: Path) -> None:
    index_shards(site, SHARDS, jobs=2)
    write_shard_list(site, [shard.name for shard in SHARDS])
    for name in ("site", "2023-1"):
        bundle = site / "pagefind" / name
        assert (bundle / "pagefind.js").is_file()
        assert (bundle / "pagefind-entry.json").is_file()
        assert not (bundle / "pagefind-ui.js").exists()
    assert json.loads((site / "pagefind" / "shards.json").read_text(encoding="utf-8")) == {"shards": ["site", "2023-1"]}
    assert fragment_urls(site / "pagefind" / "site") == {"/", "/about/"}
    assert fragment_urls(site / "pagefind" / "2023-1") == SECOND_SHARD_URLS
    assert not list(site.parent.glob(".search-*"))


def test_reindexing_a_shard_replaces_its_bundle(site: Path) -> None:
    index_shard(site, SHARDS[1])
    (site / "pagefind" / "2023-1" / "fragment" / "stale.pf_fragment").write_bytes(b"old")
    index_shard(site, SearchShard("2023-1", ("2023/yingji/index.html",)))
    assert fragment_urls(site / "pagefind" / "2023-1") == {"/2023/yingji/"}


def test_a_shard_with_nothing_to_index_is_left_out_of_the_list(site: Path) -> None:
    index_shards(site, [SearchShard("empty", (UNMARKED,)), SHARDS[1]], jobs=1)
    assert not (site / "pagefind" / "empty").exists()
    write_shard_list(site, ["empty", "2023-1"])
    assert json.loads((site / "pagefind" / "shards.json").read_text(encoding="utf-8")) == {"shards": ["2023-1"]}


def test_index_site_is_one_shard_of_every_page(site: Path) -> None:
    index_site(site)
    assert json.loads((site / "pagefind" / "shards.json").read_text(encoding="utf-8")) == {"shards": ["all"]}
    assert fragment_urls(site / "pagefind" / "all") == {"/", "/about/"} | SECOND_SHARD_URLS


def test_a_missing_page_fails_with_the_shard_named(site: Path) -> None:
    shards = [SHARDS[0], SearchShard("2023-2", ("2023/gone/index.html",))]
    with pytest.raises(BuilderError, match=r"分片 2023-2.*2023/gone/index.html"):
        index_shards(site, shards, jobs=2)


@pytest.mark.parametrize("name", ["", "../x", "a/b", "分片", ".hidden"])
def test_unsafe_shard_names_are_refused(site: Path, name: str) -> None:
    with pytest.raises(BuilderError, match="分片名称"):
        index_shard(site, SearchShard(name, ("index.html",)))


def test_repeated_names_are_refused(site: Path) -> None:
    with pytest.raises(BuilderError, match="重复"):
        write_shard_list(site, ["site", "site"])


def test_pages_outside_the_site_are_refused(site: Path) -> None:
    (site.parent / "secret.html").write_text(PAGE.format(title="外部", text="不应收录"), encoding="utf-8")
    with pytest.raises(BuilderError, match="不在网站文件夹内"):
        index_shard(site, SearchShard("x", ("../secret.html",)))


def test_page_paths_with_glob_characters_are_indexed_exactly(site: Path) -> None:
    """Pagefind is given a glob of the shard's pages; a path's `{`, `,`, `*`… must not widen or break it."""
    odd = "notes/{2023},[草稿]*(1)!$.html"
    (site / odd).parent.mkdir(parents=True)
    (site / odd).write_text(PAGE.format(title="说明", text="特殊文件名"), encoding="utf-8")
    (site / "notes/2023.html").write_text(PAGE.format(title="别的页面", text="不在分片中"), encoding="utf-8")
    index_shard(site, SearchShard("odd", (odd, "index.html")))
    assert fragment_urls(site / "pagefind" / "odd") == {"/", f"/{odd}"}


def test_a_small_shard_is_kept_whole() -> None:
    assert split_shard(SHARDS[1]) == [SHARDS[1]]


def test_a_department_of_thousands_of_pages_is_split_into_shards_pagefind_takes() -> None:
    """50 000 project pages in one glob made Pagefind fail after minutes; each shard now stays within its limits."""
    pages = tuple(f"2023/jiaoyuju/{530100000000 + number}/index.html" for number in range(50_001))
    shards = split_shard(SearchShard("2023-0", pages))
    assert [shard.name for shard in shards[:3]] == ["2023-0", "2023-0_2", "2023-0_3"]
    assert len(shards) == 51
    assert all(len(shard.pages) <= MAX_SHARD_PAGES for shard in shards)
    assert all(len(pages_glob(shard.pages).encode("utf-8")) <= MAX_GLOB_BYTES for shard in shards)
    assert tuple(page for shard in shards for page in shard.pages) == pages


def test_long_chinese_paths_are_split_by_glob_bytes() -> None:
    pages = tuple(f"说明/{'很长的手写页面名称' * 20}{number}.html" for number in range(1_000))
    shards = split_shard(SearchShard("site", pages))
    assert len(shards) > 1
    assert all(len(pages_glob(shard.pages).encode("utf-8")) <= MAX_GLOB_BYTES for shard in shards)
    assert tuple(page for shard in shards for page in shard.pages) == pages


def test_split_shards_are_indexed_and_listed(site: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(search, "MAX_SHARD_PAGES", 2)
    index_site(site)
    names = json.loads((site / "pagefind" / "shards.json").read_text(encoding="utf-8"))["shards"]
    assert names == ["all", "all_2", "all_3"]
    urls = [fragment_urls(site / "pagefind" / name) for name in names]
    assert set().union(*urls) == {"/", "/about/"} | SECOND_SHARD_URLS
    assert sum(len(found) for found in urls) == len(PAGES)


def test_a_shard_too_large_for_one_run_is_refused_before_pagefind(site: Path) -> None:
    pages = tuple(f"p/{number}.html" for number in range(MAX_SHARD_PAGES + 1))
    with pytest.raises(BuilderError, match=f"{MAX_SHARD_PAGES + 1} 个页面.*split_shard"):
        index_shard(site, SearchShard("big", pages))


def test_pagefind_failing_is_reported_with_its_own_words_and_the_page_count(
    site: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The glob of 5 000 pages Pagefind refuses: its message is shown (shortened), not a hint about the install."""
    monkeypatch.setattr(search, "MAX_SHARD_PAGES", 10**6)
    monkeypatch.setattr(search, "MAX_GLOB_BYTES", 10**9)
    pages = []
    for number in range(5_000):
        page = f"2023/jiaoyuju-zhongxiaoxue/{530100000000 + number}/index.html"
        (site / page).parent.mkdir(parents=True)
        (site / page).write_text(PAGE.format(title=f"项目{number}", text="教育经费"), encoding="utf-8")
        pages.append(page)
    with pytest.raises(BuilderError) as caught:
        index_shards(site, [SearchShard("2023-0", tuple(pages))], jobs=1)
    message = str(caught.value)
    assert "分片 2023-0" in message
    assert "为 5000 个页面建立搜索索引失败" in message
    assert "did not parse as a valid glob" in message
    assert "安装完整" not in message
    assert len(message) < 3_000
