"""Small index chunks in Chromium: the search page shows what it shows with Pagefind's own bundle, for fewer bytes.

The sample site plus the fixture department is built once and served twice under a sub-path,
each time with every page indexed as one shard: once with the bundle as Pagefind writes it
(chunks of about 28 KB), once re-cut as the builder writes it (builder/site/search_chunks.py).
For Chinese words, several words, prefixes, a project code and a word no page has, a fresh
browser must list the same pages, in the same order, with the same titles and excerpts.
"""

from __future__ import annotations

import functools
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from conftest import CHROMIUM, QuietHandler, serve

from builder.pipeline.build import build
from builder.site import search
from builder.site.search import SearchShard, index_shards, site_pages, write_shard_list

ROOT = Path(__file__).resolve().parents[2]
FIXTURE = Path(__file__).resolve().parent / "data"  # 应急管理局（测试用）: 救灾物资
SUB_PATH = "zfxxgk/yusuan"
FIXTURE_CODE = "13099923P00000110001Z"
QUERIES = [
    "满意度",
    "高新技术企业",
    "救灾物资",
    "项目开工数",
    "高新区科技局",
    FIXTURE_CODE,
    "救灾物资 满意度",  # several words
    "高新技术 研发",
    "高新",  # prefixes of words
    "救灾",
    "科技",
    "2023",
    "13099923",  # a prefix of the code
    "绩效目标完成情况",
    "无人机巡航",  # on no page
]
DONE = (
    "document.querySelector('.bp-search__result') !== null"
    " || document.querySelector('.bp-search__status').textContent.includes('没有找到')"
)

if not CHROMIUM.exists():
    pytest.skip("需要 Debian 的 chromium（apt-get install chromium）", allow_module_level=True)
pytest.importorskip("playwright.sync_api")


@pytest.fixture(scope="module")
def sites(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, str]]:
    """The same site served with Pagefind's own bundle (`own`) and with the re-cut one (`small`)."""
    work = tmp_path_factory.mktemp("chunks")
    data = work / "data"
    shutil.copytree(ROOT / "data", data)
    shutil.copytree(FIXTURE, data, dirs_exist_ok=True)
    built = work / "built"
    build(data, built, with_pdf=False, generated_dir=work / "generated")
    shard = SearchShard("all", tuple(site_pages(built)))
    for name in ("own", "small"):
        site = work / name / SUB_PATH
        shutil.copytree(built, site, ignore=shutil.ignore_patterns("pagefind"))
        with pytest.MonkeyPatch.context() as patch:
            if name == "own":
                patch.setattr(search, "rechunk_bundle", lambda files, **_: files)
            index_shards(site, [shard], jobs=1)
        write_shard_list(site, [shard.name])
    chunks = {name: list((work / name / SUB_PATH / "pagefind/all/index").iterdir()) for name in ("own", "small")}
    assert len(chunks["own"]) >= 3 and len(chunks["small"]) >= 5 * len(chunks["own"])
    with serve(functools.partial(QuietHandler, directory=str(work))) as port:
        yield {name: f"http://127.0.0.1:{port}/{name}/{SUB_PATH}/" for name in ("own", "small")}


def first_queries(browser: object, base_url: str, queries: list[str]) -> tuple[list[list[str]], int]:
    """Type the queries one after the other in a fresh browser; the results shown for each, and the bytes fetched."""
    context = browser.new_context()
    page = context.new_page()
    page.goto(base_url + "search/", wait_until="networkidle")
    fetched: list[int] = []
    page.on("requestfinished", lambda request: fetched.append(len(request.response().body())))
    shown = []
    for query in queries:
        page.fill("#bp-search-input", query)
        page.press("#bp-search-input", "Enter")
        page.wait_for_function(DONE)
        page.wait_for_load_state("networkidle")
        links = page.eval_on_selector_all(".bp-search__title", "links => links.map(link => link.getAttribute('href'))")
        texts = page.eval_on_selector_all(".bp-search__result", "items => items.map(item => item.innerText)")
        base_path = base_url.split("/", 3)[3]
        shown.append([page.inner_text(".bp-search__status"), *(link.replace(base_path, "") for link in links), *texts])
    context.close()
    return shown, sum(fetched)


@pytest.mark.parametrize("query", QUERIES)
def test_a_fresh_browser_shows_the_same_results_for_fewer_bytes(
    browser: object, sites: dict[str, str], query: str
) -> None:
    (own,), own_bytes = first_queries(browser, sites["own"], [query])
    (small,), small_bytes = first_queries(browser, sites["small"], [query])
    assert small == own
    assert small_bytes < own_bytes


def test_queries_typed_one_after_another_show_the_same_results(browser: object, sites: dict[str, str]) -> None:
    """The browser keeps the chunks it loaded; later queries see their words too."""
    queries = ["高新", "高新区科技局", "救灾物资 满意度", "项目开工数", FIXTURE_CODE, "科技"]
    own, _ = first_queries(browser, sites["own"], queries)
    small, _ = first_queries(browser, sites["small"], queries)
    assert small == own
    assert sum(len(shown) > 1 for shown in own) >= 4  # most of them find pages
