"""The search index split into shards: each shard is a Pagefind bundle of its own pages, listed in shards.json."""

from __future__ import annotations

import gzip
import json
from pathlib import Path

import pytest

from builder.errors import BuilderError
from builder.search import SearchShard, index_shard, index_shards, index_site, write_shard_list

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
