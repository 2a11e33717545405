"""The search index in shards, merged in Chromium: a term found only in the second shard is found, under a sub-path.

The sample site plus the fixture department is built, then re-indexed as two shards: the
fixture department (the only indexed pages that mention 救灾物资) in the second, everything else in the first.
"""

from __future__ import annotations

import functools
import json
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from conftest import CHROMIUM, QuietHandler, local_page, serve, show_every_result

from builder.pipeline.build import build
from builder.site.search import BODY_MARK, SearchShard, index_shards, site_pages, write_shard_list

ROOT = Path(__file__).resolve().parents[2]
FIXTURE = Path(__file__).resolve().parent / "data"  # 应急管理局（测试用）: 救灾物资
SUB_PATH = "/zfxxgk/yusuan/"
FIXTURE_DEPARTMENT = "2023/fixture-yingji/"
FIXTURE_CODE = "13099923P00000110001Z"
FIXTURE_PROJECT = f"2023/fixture-yingji/{FIXTURE_CODE}/"
SECOND_SHARD_ONLY = "救灾物资"

if not CHROMIUM.exists():
    pytest.skip("需要 Debian 的 chromium（apt-get install chromium）", allow_module_level=True)
pytest.importorskip("playwright.sync_api")


def two_shards(site: Path) -> list[SearchShard]:
    pages = site_pages(site)
    second = tuple(page for page in pages if page.startswith(FIXTURE_DEPARTMENT))
    first = tuple(page for page in pages if not page.startswith(FIXTURE_DEPARTMENT))
    return [SearchShard("site", first), SearchShard("2023-1", second)]


@pytest.fixture(scope="module")
def base_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The sample site plus the fixture, indexed as two shards, served at http://127.0.0.1:<port>/zfxxgk/yusuan/."""
    work = tmp_path_factory.mktemp("shards")
    data = work / "data"
    shutil.copytree(ROOT / "data", data)
    shutil.copytree(FIXTURE, data, dirs_exist_ok=True)
    site = work / "root" / SUB_PATH.strip("/")
    build(data, site, with_pdf=False, generated_dir=work / "generated")
    shutil.rmtree(site / "pagefind")
    shards = two_shards(site)
    indexed = [(site / page).read_bytes() for page in shards[0].pages]
    assert all(SECOND_SHARD_ONLY.encode() not in html for html in indexed if BODY_MARK.search(html))
    index_shards(site, shards, jobs=2)
    write_shard_list(site, [shard.name for shard in shards])
    assert json.loads((site / "pagefind" / "shards.json").read_text(encoding="utf-8"))["shards"] == ["site", "2023-1"]
    with serve(functools.partial(QuietHandler, directory=str(work / "root"))) as port:
        yield f"http://127.0.0.1:{port}{SUB_PATH}"


@pytest.fixture
def requests(browser: object, base_url: str) -> Iterator[tuple[object, list[str]]]:
    """A fresh page and the URLs it requests; afterwards, none may have left the local server."""
    with local_page(browser, base_url) as found:
        yield found


def search(page: object, base_url: str, query: str) -> list[str]:
    """Type a query on the search page; return the result links."""
    page.goto(base_url + "search/")
    page.fill("#bp-search-input", query)
    page.press("#bp-search-input", "Enter")
    page.wait_for_selector(".bp-search__result")
    return page.eval_on_selector_all(".bp-search__title", "links => links.map(link => link.href)")


def test_a_term_only_in_the_second_shard_is_found(requests: tuple[object, list[str]], base_url: str) -> None:
    page, urls = requests
    links = search(page, base_url, SECOND_SHARD_ONLY)
    assert links[0] == base_url + FIXTURE_PROJECT
    assert all(link.startswith(base_url + FIXTURE_DEPARTMENT) for link in links)
    page.click(".bp-search__title >> nth=0")
    page.wait_for_url(base_url + FIXTURE_PROJECT)
    for shard in ("site", "2023-1"):
        assert base_url + f"pagefind/{shard}/pagefind-entry.json" in {url.split("?")[0] for url in urls}


def test_results_from_both_shards_come_back_together(requests: tuple[object, list[str]], base_url: str) -> None:
    page, _ = requests
    search(page, base_url, "满意度")
    status = page.inner_text(".bp-search__status")
    show_every_result(page)
    links = page.eval_on_selector_all(".bp-search__title", "links => links.map(link => link.href)")
    assert status == f"找到 {len(links)} 个页面"
    assert len(set(links)) == len(links)
    assert any(link.startswith(base_url + FIXTURE_DEPARTMENT) for link in links)
    assert any(link.startswith(base_url + "2023/") and FIXTURE_DEPARTMENT not in link for link in links)


def test_a_project_code_finds_only_the_pages_that_contain_it(requests: tuple[object, list[str]], base_url: str) -> None:
    """The first shard lacks the code; Pagefind would match pieces of it there (“1”) unless search.js filters."""
    page, _ = requests
    links = search(page, base_url, FIXTURE_CODE)
    assert sorted(links) == [base_url + FIXTURE_DEPARTMENT, base_url + FIXTURE_PROJECT]
    assert page.inner_text(".bp-search__status") == "找到 2 个页面"


def test_every_word_must_be_on_the_page_even_if_a_shard_lacks_one(
    requests: tuple[object, list[str]], base_url: str
) -> None:
    """The first shard has 满意度 but not 救灾物资; Pagefind alone would return its 满意度 pages."""
    page, _ = requests
    links = search(page, base_url, f"{SECOND_SHARD_ONLY} 满意度")
    assert links
    assert all(link.startswith(base_url + FIXTURE_DEPARTMENT) for link in links)
