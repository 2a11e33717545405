"""Pages of two shards that Pagefind names alike; a code searched in the shards that hold it only.

Pagefind names a page by a short hash, unique within one bundle only; the search page tells
results apart by that name. The sample site plus the fixture department is built once and
indexed twice as two shards (the fixture department, everything else): once as Pagefind
names the pages, once with Pagefind's names forced alike in both shards (the n-th page of
each shard named `zh_000000n`, as two hashes of 48 000 pages can be). A fresh browser must
show the same pages, titles and excerpts on both sites, pages of both shards among them.

A third copy (`full`) has no route files (shards.json without `routes`): its search page merges
both shards for every query. On the others a query of one project code loads only the shard
that holds it; the results of that query and of the queries typed after it must be the same.
"""

from __future__ import annotations

import base64
import functools
import gzip
import json
import shutil
from collections.abc import Iterator
from pathlib import Path

import cbor2
import pytest
from conftest import CHROMIUM, QuietHandler, serve, show_every_result

from builder.pipeline.build import build
from builder.site import search
from builder.site.search import SearchShard, index_shards, site_pages, write_shard_list

ROOT = Path(__file__).resolve().parents[2]
FIXTURE = Path(__file__).resolve().parent / "data"  # 应急管理局（测试用）: 救灾物资
SUB_PATH = "zfxxgk/yusuan"
FIXTURE_DEPARTMENT = "2023/fixture-yingji/"
FIXTURE_CODE = "13099923P00000110001Z"
QUERIES = ["满意度", "项目", "救灾物资 满意度", "高新技术企业", FIXTURE_CODE]
IN_BOTH_SHARDS = {"满意度", "项目"}
DONE = (
    "document.querySelector('.bp-search__result') !== null"
    " || document.querySelector('.bp-search__status').textContent.includes('没有找到')"
)

# Two shards of two pages each, alike but for the codes: a page of one shard scores exactly as its twin in the other.
TWIN = (
    '<html lang="zh-CN"><head><title>服务对象满意度</title></head>'
    "<body><div data-pagefind-body><h1>服务对象满意度</h1><p>{text}</p></div></body></html>"
)
TWINS = {
    "t/a1/": TWIN.format(text="项目编码 13099900P00000000001A 服务对象满意度"),
    "t/a2/": TWIN.format(text="服务对象满意度"),
    "t/b1/": TWIN.format(text="项目编码 13099900P00000000002B 服务对象满意度"),
    "t/b2/": TWIN.format(text="服务对象满意度"),
}
TWINS = {f"{path}index.html": html for path, html in TWINS.items()}
SITES = ("twins", "twins-full")

if not CHROMIUM.exists():
    pytest.skip("需要 Debian 的 chromium（apt-get install chromium）", allow_module_level=True)
pytest.importorskip("playwright.sync_api")


def alike(files: dict[str, bytes]) -> dict[str, bytes]:
    """A bundle as Pagefind gives it, with its n-th page named `zh_000000n` (page list and fragment file)."""
    entry = json.loads(files["pagefind-entry.json"])
    (info,) = entry["languages"].values()
    meta_name = f"pagefind.{info['hash']}.pf_meta"
    meta = cbor2.loads(gzip.decompress(files[meta_name]).removeprefix(b"pagefind_dcd"))
    renamed = {name: data for name, data in files.items() if not name.startswith("fragment/")}
    for number, page in enumerate(meta[1]):
        renamed[f"fragment/zh_{number:07x}.pf_fragment"] = files[f"fragment/{page[0]}.pf_fragment"]
        page[0] = f"zh_{number:07x}"
    renamed[meta_name] = gzip.compress(b"pagefind_dcd" + cbor2.dumps(meta), mtime=0)
    return renamed


def forcing_alike_names(original: object) -> object:
    """`PagefindService._call` with the bundle of every `GetFiles` answer passed through `alike`."""

    def call(self: search.PagefindService, payload: dict) -> dict:
        answer = original(self, payload)
        if payload["type"] != "GetFiles":
            return answer
        files = alike({file["path"]: base64.b64decode(file["content"]) for file in answer["files"]})
        return {**answer, "files": [{"path": p, "content": base64.b64encode(c).decode()} for p, c in files.items()]}

    return call


@pytest.fixture(scope="module")
def sites(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, str]]:
    """The same two-shard site with Pagefind's names (`own`) and with names forced alike (`alike`)."""
    work = tmp_path_factory.mktemp("ids")
    data = work / "data"
    shutil.copytree(ROOT / "data", data)
    shutil.copytree(FIXTURE, data, dirs_exist_ok=True)
    built = work / "built"
    build(data, built, with_pdf=False, generated_dir=work / "generated")
    pages = site_pages(built)
    second = tuple(page for page in pages if page.startswith(FIXTURE_DEPARTMENT))
    shards = [SearchShard("site", tuple(page for page in pages if page not in second)), SearchShard("2023-1", second)]
    for name in ("own", "alike", "full"):
        site = work / name / SUB_PATH
        shutil.copytree(built, site, ignore=shutil.ignore_patterns("pagefind"))
        with pytest.MonkeyPatch.context() as patch:
            if name == "alike":
                patch.setattr(search.PagefindService, "_call", forcing_alike_names(search.PagefindService._call))
            index_shards(site, shards, jobs=1)
        write_shard_list(site, [shard.name for shard in shards])
    listing = work / "full" / SUB_PATH / "pagefind" / "shards.json"
    assert json.loads(listing.read_text(encoding="utf-8"))["routes"].startswith("routes-")
    listing.write_text(json.dumps({"shards": ["site", "2023-1"]}), encoding="utf-8")
    twins = [SearchShard(shard, tuple(page for page in TWINS if page.startswith(f"t/{shard}"))) for shard in "ab"]
    for name in ("twins", "twins-full"):
        site = work / name / SUB_PATH
        shutil.copytree(built, site, ignore=shutil.ignore_patterns("pagefind"))
        index_shards(site, twins, jobs=1, read=lambda page: TWINS[page].encode())
        write_shard_list(site, ["a", "b"])
    (work / "twins-full" / SUB_PATH / "pagefind" / "shards.json").write_text(json.dumps({"shards": ["a", "b"]}))
    with serve(functools.partial(QuietHandler, directory=str(work))) as port:
        yield {name: f"http://127.0.0.1:{port}/{name}/{SUB_PATH}/" for name in ("own", "alike", "full", *SITES)}


def everything_shown(browser: object, base_url: str, query: str) -> list[str]:
    """In a fresh browser: the status line, then each result's link and text, every page of results opened."""
    (shown,), _ = one_after_another(browser, base_url, [query])
    return shown


def one_after_another(browser: object, base_url: str, queries: list[str]) -> tuple[list[list[str]], list[str]]:
    """Type the queries one after another in a fresh browser: what each shows (see `everything_shown`), URLs fetched."""
    context = browser.new_context()
    page = context.new_page()
    page.goto(base_url + "search/", wait_until="networkidle")
    fetched: list[str] = []
    page.on("request", lambda request: fetched.append(request.url.removeprefix(base_url).split("?")[0]))
    shown = []
    for query in queries:
        page.fill("#bp-search-input", query)
        page.press("#bp-search-input", "Enter")
        page.wait_for_function(DONE)
        page.wait_for_load_state("networkidle")
        show_every_result(page)
        links = page.eval_on_selector_all(".bp-search__title", "links => links.map(link => link.getAttribute('href'))")
        texts = page.eval_on_selector_all(".bp-search__result", "items => items.map(item => item.innerText)")
        status = page.inner_text(".bp-search__status")
        base_path = base_url.split("/", 3)[3]
        shown.append(
            [status, *(f"{link.replace(base_path, '')} {text}" for link, text in zip(links, texts, strict=True))]
        )
    context.close()
    return shown, fetched


@pytest.mark.parametrize("query", QUERIES)
def test_pages_named_alike_by_pagefind_are_each_shown_with_their_own_text(
    browser: object, sites: dict[str, str], query: str
) -> None:
    own = everything_shown(browser, sites["own"], query)
    assert everything_shown(browser, sites["alike"], query) == own
    assert len(own) > 1
    if query in IN_BOTH_SHARDS:
        shards = {FIXTURE_DEPARTMENT in shown for shown in own[1:]}
        assert shards == {True, False}


def test_a_code_loads_only_the_shard_that_holds_it(browser: object, sites: dict[str, str]) -> None:
    (routed,), fetched = one_after_another(browser, sites["own"], [FIXTURE_CODE])
    (full,), everything = one_after_another(browser, sites["full"], [FIXTURE_CODE])
    assert routed == full and full[0] == "找到 2 个页面"
    assert any(url.startswith("pagefind/routes-") for url in fetched)
    assert any(url.startswith("pagefind/2023-1/") for url in fetched)
    assert not any(url.startswith("pagefind/site/") for url in fetched)
    assert any(url.startswith("pagefind/site/") for url in everything)


@pytest.mark.parametrize(
    "queries",
    [
        [FIXTURE_CODE, "满意度", "救灾物资 满意度", FIXTURE_CODE],  # the other shard merged after a routed query
        [FIXTURE_CODE, "13099923", "2023", "13081123P00003910002P"],  # codes: one shard, a prefix, everywhere
        ["满意度", FIXTURE_CODE, "项目"],
    ],
)
def test_queries_after_a_routed_one_show_what_they_show_with_every_shard(
    browser: object, sites: dict[str, str], queries: list[str]
) -> None:
    routed, _ = one_after_another(browser, sites["own"], queries)
    full, _ = one_after_another(browser, sites["full"], queries)
    assert routed == full
    assert sum(len(shown) > 1 for shown in full) >= len(queries) - 1


def test_results_of_equal_score_keep_the_order_of_the_shard_list(browser: object, sites: dict[str, str]) -> None:
    """The code routes to shard b, merged first; a later query's ties still list shard a's page first, as Pagefind."""
    queries = ["13099900P00000000002B", "满意度"]
    routed, fetched = one_after_another(browser, sites["twins"], queries)
    full, _ = one_after_another(browser, sites["twins-full"], queries)
    assert routed == full
    assert [line.split()[0] for line in full[1][1:]] == ["/t/a2/", "/t/b2/", "/t/a1/", "/t/b1/"]
    assert fetched.index("pagefind/b/pagefind-entry.json") < fetched.index("pagefind/a/pagefind-entry.json")
