"""The search index split into shards: each shard is a Pagefind bundle of its own pages, listed in shards.json.

Pages reach Pagefind from memory through its service mode; a bundle must be the one the Pagefind CLI writes.
"""

from __future__ import annotations

import gzip
import io
import json
import math
import random
import shutil
import subprocess
import sys
from collections import Counter
from pathlib import Path

import cbor2
import pytest

from builder.errors import BuilderError
from builder.pipeline.plan import plan_batches
from builder.pipeline.progress import Progress, make_display
from builder.pipeline.steps.index_search import SHARD_DEPARTMENTS, department_shards, index_in_workers, plan_shards
from builder.site import search, search_routes
from builder.site.search import (
    MAX_SHARD_PAGES,
    SearchShard,
    index_shard,
    index_shards,
    index_site,
    split_shard,
    write_shard_list,
)
from builder.site.search_ids import name_pages
from builder.site.search_routes import code_words, write_routes

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


def shard_list(site: Path) -> list[str]:
    """The shards in `pagefind/shards.json`; it names the route files of code-like words too (search_routes.py)."""
    listing = json.loads((site / "pagefind" / "shards.json").read_text(encoding="utf-8"))
    assert set(listing) == {"shards", "routes"} and (site / "pagefind" / listing["routes"] / "00.json").is_file()
    return listing["shards"]


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
    assert shard_list(site) == ["site", "2023-1"]
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
    assert shard_list(site) == ["2023-1"]


def test_index_site_is_one_shard_of_every_page(site: Path) -> None:
    index_site(site)
    assert shard_list(site) == ["all"]
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


def test_page_paths_with_odd_characters_are_indexed_exactly(site: Path) -> None:
    """A path's `{`, `,`, `*`… reach Pagefind as they are (no glob), and only the shard's pages are indexed."""
    odd = "notes/{2023},[草稿]*(1)!$.html"
    (site / odd).parent.mkdir(parents=True)
    (site / odd).write_text(PAGE.format(title="说明", text="特殊文件名"), encoding="utf-8")
    (site / "notes/2023.html").write_text(PAGE.format(title="别的页面", text="不在分片中"), encoding="utf-8")
    index_shard(site, SearchShard("odd", (odd, "index.html")))
    assert fragment_urls(site / "pagefind" / "odd") == {"/", f"/{odd}"}


def test_pages_can_come_from_memory(site: Path) -> None:
    """The build hands pages over wherever they lie (a reused page is not in the staging folder)."""
    pages = {"2023/x/index.html": PAGE.format(title="高新区科技局", text="在内存中").encode()}
    index_shard(site, SearchShard("mem", tuple(pages)), read=pages.__getitem__)
    assert fragment_urls(site / "pagefind" / "mem") == {"/2023/x/"}


def pagefind_cli(site: Path, pages: tuple[str, ...], output: Path) -> None:
    """Run `python -m pagefind` over a folder holding just `pages` copied from `site`."""
    alone = output.parent / f"{output.name}-pages"
    for page in pages:
        (alone / page).parent.mkdir(parents=True, exist_ok=True)
        (alone / page).write_bytes((site / page).read_bytes())
    command = [sys.executable, "-m", "pagefind", "--site", str(alone), "--output-path", str(output), "--silent"]
    subprocess.run(command, check=True)


def bundle_files(bundle: Path) -> dict[str, bytes]:
    return {path.relative_to(bundle).as_posix(): path.read_bytes() for path in bundle.rglob("*") if path.is_file()}


def test_a_bundle_is_the_one_the_pagefind_cli_writes(site: Path, tmp_path: Path) -> None:
    """Same page, same bundle, byte for byte, as `python -m pagefind` over a folder, once its page is named."""
    page = ("2023/kejiju/p1/index.html",)
    pagefind_cli(site, page, tmp_path / "cli")
    index_shard(site, SearchShard("one", page))
    ours = bundle_files(site / "pagefind" / "one")
    cli = bundle_files(tmp_path / "cli")
    assert json.loads(ours.pop("codes.json")) == {}  # the page has no code-like word (search_routes.py)
    assert ours.pop("exact.json").startswith(version(ours).encode() + b"\n")  # its exact keys (search_exact.py)
    assert ours.pop("text.json").endswith(b"\n")  # its pairs of characters (search_text.py)
    assert ours == name_pages(
        {name: data for name, data in cli.items() if name not in search.UNUSED_BUNDLE_FILES}, "one"
    )
    assert len(ours) > 5
    assert [name for name in ours if name.startswith("fragment/")] == [f"fragment/one.{version(ours)}.0.pf_fragment"]


def version(bundle: dict[str, bytes]) -> str:
    """The version part of the page names (`<shard>.<version>.<n>`) of a one-language bundle."""
    return next(name for name in bundle if name.startswith("fragment/")).split(".")[1]


def test_several_pages_make_the_cli_s_fragments(site: Path, tmp_path: Path) -> None:
    """The CLI numbers pages in the order the file system lists them, so only the page fragments are compared."""
    pages = ("2023/kejiju/index.html", "2023/kejiju/p1/index.html", "2023/yingji/index.html")
    pagefind_cli(site, pages, tmp_path / "cli")
    index_shard(site, SearchShard("2023-1", pages))
    ours = bundle_files(site / "pagefind" / "2023-1")
    theirs = bundle_files(tmp_path / "cli")
    fragments = sorted(data for name, data in ours.items() if name.startswith("fragment/"))
    assert len(fragments) == 3
    assert fragments == sorted(data for name, data in theirs.items() if name.startswith("fragment/"))


def test_many_shards_share_few_pagefind_processes(site: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    started = []
    original = search.PagefindService.__init__

    def counting(self: search.PagefindService) -> None:
        started.append(self)
        original(self)

    monkeypatch.setattr(search.PagefindService, "__init__", counting)
    shards = [SearchShard(f"s{number}", (page,)) for number, page in enumerate(PAGES)]
    index_shards(site, shards, jobs=2)
    assert len(started) == 2
    assert all(not service.alive() for service in started)
    assert (
        set().union(*(fragment_urls(site / "pagefind" / shard.name) for shard in shards))
        == {
            "/",
            "/about/",
        }
        | SECOND_SHARD_URLS
    )


def test_shards_indexed_in_worker_processes_are_those_threads_make(site: Path) -> None:
    """A fresh build's many shards are indexed in worker processes, each with its own Pagefind (steps/index_search.py):
    the bundles are the same, byte for byte, as those of index_shards."""
    shards = [SearchShard(f"s{number}", (page,)) for number, page in enumerate(PAGES)]
    index_shards(site, shards, jobs=2)
    made_by_threads = {shard.name: bundle_files(site / "pagefind" / shard.name) for shard in shards}
    shutil.rmtree(site / "pagefind")
    with Progress(make_display("plain", io.StringIO())).stage("搜索索引", len(shards)) as stage:
        index_in_workers(shards, site, lambda page: site / page, 2, stage)
    assert {shard.name: bundle_files(site / "pagefind" / shard.name) for shard in shards} == made_by_threads


def test_a_shard_failing_in_a_worker_is_named_and_the_others_are_indexed(site: Path, tmp_path: Path) -> None:
    shards = [SearchShard(f"s{number}", (page,)) for number, page in enumerate(PAGES)]
    locate = lambda page: tmp_path / "gone.html" if page == "about/index.html" else site / page  # noqa: E731
    with (
        pytest.raises(BuilderError) as failed,
        Progress(make_display("plain", io.StringIO())).stage("搜索索引") as stage,
    ):
        index_in_workers(shards, site, locate, 2, stage)
    assert str(failed.value).startswith("1 个搜索索引分片建立失败：\n分片 s1：")
    assert "gone.html" in str(failed.value)
    assert [shard.name for shard in shards if (site / "pagefind" / shard.name / "pagefind-entry.json").is_file()] == [
        "s0",
        "s2",
        "s3",
        "s4",
    ]


def test_a_warmed_up_service_is_used_and_makes_the_same_bundle(site: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The pool's service, warmed on a page of its own in the background, indexes the shard: no other starts."""
    index_shards(site, [SHARDS[1]], jobs=1)
    cold = bundle_files(site / "pagefind" / "2023-1")
    with search.ServicePool(warm=1) as pool:
        (warmed,) = pool.spare
        started = []
        monkeypatch.setattr(search.PagefindService, "__init__", lambda self: started.append(self))
        index_shards(site, [SHARDS[1]], jobs=1, services=pool)
        assert not started and not pool.spare
    assert not warmed.alive()
    warm = bundle_files(site / "pagefind" / "2023-1")
    assert warm == cold
    assert "预热".encode() not in b"".join(gzip.decompress(data) for name, data in warm.items() if "fragment/" in name)


def test_a_pool_not_used_ends_its_processes() -> None:
    with search.ServicePool(warm=2) as pool:
        services = list(pool.spare)
    assert len(services) == 2 and not any(service.alive() for service in services)


def failing_pagefind(folder: Path, monkeypatch: pytest.MonkeyPatch, message: str, status: int) -> None:
    """Pagefind replaced by a program that prints `message` and exits with `status` before answering."""
    broken = folder / "pagefind"
    broken.write_text(f"#!/bin/sh\necho '{message}' >&2\nexit {status}\n")
    broken.chmod(0o755)
    monkeypatch.setenv("PAGEFIND_BINARY_PATH", str(broken))


def test_a_warmed_pagefind_that_died_is_reported_with_the_shard(
    site: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    failing_pagefind(tmp_path, monkeypatch, "jieba: dictionary not found", 3)
    with search.ServicePool(warm=1) as pool, pytest.raises(BuilderError) as caught:
        index_shards(site, [SHARDS[1]], jobs=1, services=pool)
    assert "分片 2023-1" in str(caught.value) and "退出码 3" in str(caught.value)
    assert "dictionary not found" in str(caught.value)


@pytest.mark.parametrize("name", ["../escape.js", "fragment/../../escape", "/tmp/escape", "a//b", "./a", "a\\..\\b"])
def test_a_bundle_file_named_outside_the_bundle_is_refused(tmp_path: Path, name: str) -> None:
    with pytest.raises(BuilderError, match="包外的文件名"):
        search._write_bundle(tmp_path / "bundle", {"pagefind.js": b"ok", name: b"x"})
    assert list(tmp_path.rglob("*")) == []


def test_a_bundle_s_nested_files_are_written(tmp_path: Path) -> None:
    files = {
        "pagefind.js": b"js",
        "fragment/zh_1.pf_fragment": b"f",
        "index/zh_2.pf_index": b"i",
        "pagefind-ui.js": b"u",
    }
    search._write_bundle(tmp_path / "bundle", files)
    assert bundle_files(tmp_path / "bundle") == {name: data for name, data in files.items() if name != "pagefind-ui.js"}


def test_a_marked_body_is_found_as_the_whole_page_pattern_finds_it() -> None:
    """`marks_body` looks from the first attribute's tag only, and `body_only` counts marks without the pattern when
    the attribute is written once: on any page of tags, quotes, attribute-like text and body markers, the same answer
    as BODY_MARK over the whole page."""
    pieces = ["<div", " data-pagefind-body", "data-pagefind-body", ">", "<", " ", '"', "=", "/", "文字", "\n"]
    generator = random.Random(21)
    for _ in range(20_000):
        html = "".join(generator.choice(pieces) for _ in range(generator.randint(0, 14))).encode()
        assert search.marks_body(html) == bool(search.BODY_MARK.search(html)), html
        assert search._one_body_mark(html) == (len(search.BODY_MARK.findall(html)) == 1), html


def test_a_small_shard_is_kept_whole() -> None:
    assert split_shard(SHARDS[1]) == [SHARDS[1]]


def test_a_department_of_thousands_of_pages_is_split_into_shards() -> None:
    """50 000 project pages in one glob made Pagefind fail after minutes; each shard now stays within its limit."""
    pages = tuple(f"2023/jiaoyuju/{530100000000 + number}/index.html" for number in range(50_001))
    shards = split_shard(SearchShard("2023-0", pages))
    assert [shard.name for shard in shards[:3]] == ["2023-0", "2023-0_2", "2023-0_3"]
    assert len(shards) == 51
    assert all(len(shard.pages) <= MAX_SHARD_PAGES for shard in shards)
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


def test_pagefind_dying_is_reported_with_the_shard_and_its_own_words(
    site: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A Pagefind that ends without answering: its message and exit status, the shard named, no install hint."""
    failing_pagefind(tmp_path, monkeypatch, "thread main panicked: out of memory", 101)
    with pytest.raises(BuilderError) as caught:
        index_shards(site, SHARDS, jobs=2)
    message = str(caught.value)
    assert "2 个搜索索引分片建立失败" in message
    assert "分片 site" in message and "分片 2023-1" in message
    assert "Pagefind 意外退出（退出码 101）" in message
    assert "out of memory" in message
    assert "安装完整" not in message


def test_a_missing_pagefind_names_the_install(site: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PAGEFIND_BINARY_PATH", "/nonexistent/pagefind")
    with pytest.raises(BuilderError, match=r"无法运行 Pagefind.*安装完整"):
        index_shard(site, SHARDS[1])


THEMED = """<!doctype html>
<html lang="zh" class="no-js"><head><meta charset="utf-8"><title>{title} - 部门预算绩效文本公开</title>
<link rel="stylesheet" href="site.css"></head>
<body><header><nav>首页 搜索 数据下载 关于本站</nav></header>
<div data-pagefind-body><article class="bp-page"><h1 id="top">{title}</h1><p class="bp-lead">{text}</p>
<table><tr><th scope="row" role="rowheader" class="bp-name" data-pagefind-weight="3">数量指标</th>
<td role="cell" class="bp-value" data-label="指标值">≥95%</td></tr></table>
<p><a href="../../" aria-label="返回">返回</a> <img src="logo.png" alt="科技局标志">
<code>&lt;a href="x.html" class="y"&gt;</code> 原文写着 class="z" 与 &gt; 号</p>
<p data-pagefind-meta="kind:project">项目</p></article></div><!--/pagefind-body-->
<footer>主办单位：唐山市人民政府办公室</footer></body></html>
"""


def test_pagefind_is_handed_the_body_only_and_makes_the_same_bundle(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Pages as theme/main.html writes them: menus and footer are not sent, and the bundle does not change."""
    site = tmp_path / "site"
    titles = {f"2023/x/p{n}/index.html": f"高新技术企业扶持资金{n}" for n in range(3)}
    pages = {path: THEMED.format(title=title, text="研发投入") for path, title in titles.items()}
    for path, html in pages.items():
        (site / path).parent.mkdir(parents=True, exist_ok=True)
        (site / path).write_text(html, encoding="utf-8")
    sent = search.body_only(THEMED.format(title="科技局", text="正文").encode())
    assert b"<nav>" not in sent and "主办单位".encode() not in sent and "正文".encode() in sent
    # Attributes Pagefind does not read are left out of tags, never out of the text (a code sample, a quote).
    assert b'<article><h1 id="top">' in sent and b"<td data-label" not in sent and b"<a>" in sent
    assert b'data-pagefind-weight="3"' in sent and b'<img src="logo.png" alt=' in sent
    assert b'&lt;a href="x.html" class="y"&gt;' in sent and 'class="z" 与'.encode() in sent
    index_shard(site, SearchShard("body", tuple(pages)))
    body = bundle_files(site / "pagefind" / "body")
    monkeypatch.setattr(search, "body_only", lambda html: html)
    index_shard(site, SearchShard("body", tuple(pages)))
    assert bundle_files(site / "pagefind" / "body") == body


@pytest.mark.parametrize(
    "page",
    [
        PAGE.format(title="没有主题的包装", text="正文"),
        THEMED.replace("<footer>", "<footer data-pagefind-meta='x:y'>"),
        THEMED.replace("<header>", "<header><div data-pagefind-body>另一处正文</div>"),
    ],
)
def test_a_page_not_wrapped_as_the_theme_does_is_handed_over_whole(page: str) -> None:
    html = page.format(title="科技局", text="正文").encode()
    assert search.body_only(html) == html


def test_departments_are_dealt_into_shards_of_about_shard_departments() -> None:
    """Each batch becomes ⌈batch / SHARD_DEPARTMENTS⌉ shards; adding a department moves no other department."""
    slugs = [f"dept-{number:04d}" for number in range(80)]
    batches = plan_batches([(2023, slug) for slug in slugs])
    before = department_shards(batches)
    sizes = Counter(before.values())
    assert len(sizes) == sum(math.ceil(len(batch) / SHARD_DEPARTMENTS) for batch in batches) > len(batches)
    assert all(name.count("-") == 2 for name in sizes)
    assert all(SHARD_DEPARTMENTS / 2 <= size <= SHARD_DEPARTMENTS * 1.6 for size in sizes.values())
    after = department_shards(plan_batches([(2023, slug) for slug in [*slugs, "dept-new"]]))
    assert {place: name for place, name in after.items() if place[1] != "dept-new"} == before


def test_a_small_batch_is_one_shard_with_the_batch_s_name() -> None:
    shards = department_shards(plan_batches([(2023, "kejiju"), (2023, "yingji")]))
    assert set(shards.values()) == {"2023-0"}


def test_pages_go_to_their_department_s_shard_and_the_rest_to_site() -> None:
    batches = plan_batches([(2023, f"dept-{number:04d}") for number in range(60)])
    paths = ["index.html", "2023/index.html", "2023/dept-0001/index.html", "2023/dept-0001/p/index.html"]
    pages = dict.fromkeys(paths, "key")
    shards = plan_shards(pages, ["about/index.html"], batches, whole_site=True)
    by_name = {shard.name: shard.pages for shard in shards}
    assert by_name["site"] == ("2023/index.html", "about/index.html", "index.html")
    assert [name for name, found in by_name.items() if "2023/dept-0001/index.html" in found] == [
        department_shards(batches)[(2023, "dept-0001")]
    ]


def page_names(bundle: Path) -> list[str]:
    """The page names in a bundle's page list (its meta file), in order."""
    entry = json.loads((bundle / "pagefind-entry.json").read_text(encoding="utf-8"))
    meta = (bundle / f"pagefind.{entry['languages']['zh']['hash']}.pf_meta").read_bytes()
    return [name for name, _ in cbor2.loads(gzip.decompress(meta).removeprefix(b"pagefind_dcd"))[1]]


def test_pages_are_named_after_their_shard_and_never_alike_across_shards(site: Path) -> None:
    """Pagefind's names (short hashes) are unique within a bundle only; the search page tells results apart by name."""
    index_shards(site, SHARDS, jobs=2)
    names = {shard.name: page_names(site / "pagefind" / shard.name) for shard in SHARDS}
    assert [len(names["site"]), len(names["2023-1"])] == [2, 3]
    for shard, listed in names.items():
        (version,) = {name.split(".")[1] for name in listed}
        assert listed == [f"{shard}.{version}.{number}" for number in range(len(listed))]
        fragments = sorted(path.name for path in (site / "pagefind" / shard / "fragment").iterdir())
        assert fragments == sorted(f"{name}.pf_fragment" for name in listed)


def test_an_edit_renames_the_pages_of_its_shard_only(site: Path) -> None:
    """A changed page changes its shard's version: a fragment cached by a browser is never taken for another page."""
    index_shards(site, SHARDS, jobs=1)
    before = {shard.name: page_names(site / "pagefind" / shard.name) for shard in SHARDS}
    index_shard(site, SHARDS[1])
    assert page_names(site / "pagefind" / "2023-1") == before["2023-1"]  # the same pages: the same names
    page = site / "2023/yingji/index.html"
    page.write_text(page.read_text(encoding="utf-8").replace("救灾物资储备", "救灾物资储备库"), encoding="utf-8")
    index_shard(site, SHARDS[1])
    after = page_names(site / "pagefind" / "2023-1")
    assert len(after) == 3 and not set(after) & set(before["2023-1"])
    assert page_names(site / "pagefind" / "site") == before["site"]


def test_a_bundle_lists_its_code_like_words() -> None:
    words = ["13099923p00000110001z", "满意度", "2023年", "abc", "2023", "95", "x-1"]
    codes = json.loads(code_words(words))
    assert sorted(word for bucket in codes.values() for word in bucket) == ["13099923p00000110001z", "2023", "95"]
    assert all(search_routes.bucket(word) == bucket for bucket, listed in codes.items() for word in listed)


def test_route_files_name_the_shards_of_each_code_like_word(tmp_path: Path) -> None:
    """Each word is in the file of its bucket, with the places of its shards in the list; "*" when most have it."""
    codes = {"a": ["130abc1", "2023"], "b": ["2023", "95"], "c": ["2023", "95"], "d": ["2023"]}

    def read(path: str) -> bytes:
        return code_words(codes[path.split("/")[1]])

    folder = write_routes(tmp_path, list(codes), read)
    files = sorted((tmp_path / "pagefind" / folder).iterdir())
    assert len(files) == search_routes.BUCKETS and files[0].name == "00.json"
    routes = {path.stem: json.loads(path.read_text(encoding="utf-8")) for path in files}
    assert {word: shards for route in routes.values() for word, shards in route.items()} == {
        "130abc1": [0],
        "2023": "*",
        "95": [1, 2],
    }
    assert all(word in routes[search_routes.bucket(word)] for word in ("130abc1", "2023", "95"))
    assert write_routes(tmp_path, list(codes), read) == folder
    codes["a"].append("96")
    assert write_routes(tmp_path, list(codes), read) != folder


def test_no_routes_unless_every_shard_lists_its_codes(tmp_path: Path) -> None:
    """A bundle the builder could not read has no codes.json: the search page then merges every shard."""

    def read(path: str) -> bytes:
        if path.startswith("pagefind/b/"):
            raise FileNotFoundError(path)
        return code_words(["2023"])

    assert write_routes(tmp_path, ["a", "b"], read) is None
    assert not (tmp_path / "pagefind").exists()


def test_the_bucket_of_a_word_is_fnv_1a() -> None:
    """search.js computes the same (FNV-1a, 32 bits, of the UTF-8 bytes): these values are fixed."""
    assert search_routes.bucket("") == f"{0x811C9DC5 % 256:02x}"
    assert search_routes.bucket("a") == f"{0xE40C292C % 256:02x}"


def test_a_bundle_not_as_pagefind_1_4_writes_it_keeps_its_names(site: Path) -> None:
    """Another version, or a page without its fragment: left as it is (the search page then merges every shard)."""
    index_shards(site, [SHARDS[1]], jobs=1)
    named = bundle_files(site / "pagefind" / "2023-1")
    other = {**named, "pagefind-entry.json": named["pagefind-entry.json"].replace(b"1.4.0", b"1.5.0")}
    assert name_pages(other, "x") is other
    fragment = next(name for name in named if name.startswith("fragment/"))
    missing = {name: data for name, data in named.items() if name != fragment}
    assert name_pages(missing, "x") is missing
    renamed = name_pages(named, "x")
    assert sorted(name for name in renamed if name.startswith("fragment/x.")) == sorted(
        f"fragment/x.{version(renamed)}.{number}.pf_fragment" for number in range(3)
    )
