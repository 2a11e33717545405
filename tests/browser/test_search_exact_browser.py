"""A large site's search: titles, indicators and figures are looked up in the exact index, without Pagefind.

The sample site plus the fixture department, indexed as three shards with the exact index (the
threshold lowered from a province's hundreds of shards to three), served under a sub-path.
"""

from __future__ import annotations

import functools
import json
import re
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from conftest import CHROMIUM, QuietHandler, local_page, serve, show_every_result

from builder.pipeline.build import build
from builder.site import search_exact, search_text
from builder.site.search import SearchShard, index_shards, site_pages, write_shard_list

ROOT = Path(__file__).resolve().parents[2]
FIXTURE = Path(__file__).resolve().parent / "data"  # 应急管理局（测试用）: 救灾物资储备, 88.80 万元
SUB_PATH = "/zfxxgk/yusuan/"
FIXTURE_PROJECT = "2023/fixture-yingji/13099923P00000110001Z/"
SAMPLE_PROJECT = "2023/chengde-gxq-jingkeju/13081123P00002510002R/"  # 清洁能源取暖工作经费, 500 万元
EXACT_NOTE = "（标题、项目编码、三级指标或数字中含有"
PAGEFIND_FILES = ("pagefind.js", ".pf_meta", ".pagefind", ".pf_index")

if not CHROMIUM.exists():
    pytest.skip("需要 Debian 的 chromium（apt-get install chromium）", allow_module_level=True)
pytest.importorskip("playwright.sync_api")


def three_shards(site: Path) -> list[SearchShard]:
    pages = site_pages(site)
    chengde = tuple(page for page in pages if page.startswith("2023/chengde"))
    fixture = tuple(page for page in pages if page.startswith("2023/fixture"))
    rest = tuple(page for page in pages if page not in chengde + fixture)
    return [SearchShard("site", rest), SearchShard("2023-0", chengde), SearchShard("2023-1", fixture)]


def list_shards(site: Path, names: list[str], batch: int = search_text.BATCH) -> None:
    """List the shards as a large site's are (exact and text indexes), the full text searched `batch` at a time."""
    original = search_exact.EXACT_FROM_SHARDS, search_text.BATCH
    search_exact.EXACT_FROM_SHARDS, search_text.BATCH = 3, batch
    try:
        write_shard_list(site, names)
    finally:
        search_exact.EXACT_FROM_SHARDS, search_text.BATCH = original


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    work = tmp_path_factory.mktemp("exact")
    data = work / "data"
    shutil.copytree(ROOT / "data", data)
    shutil.copytree(FIXTURE, data, dirs_exist_ok=True)
    site = work / "root" / SUB_PATH.strip("/")
    build(data, site, with_pdf=False, generated_dir=work / "generated")
    shutil.rmtree(site / "pagefind")
    shards = three_shards(site)
    index_shards(site, shards, jobs=2)
    list_shards(site, [shard.name for shard in shards])
    listing = json.loads((site / "pagefind" / "shards.json").read_text(encoding="utf-8"))
    assert "exact" in listing and "text" in listing
    return site


@pytest.fixture(scope="module")
def base_url(site: Path) -> Iterator[str]:
    with serve(functools.partial(QuietHandler, directory=str(site.parents[1]))) as port:
        yield f"http://127.0.0.1:{port}{SUB_PATH}"


@pytest.fixture
def requests(browser: object, base_url: str) -> Iterator[tuple[object, list[str]]]:
    """A fresh page and the URLs it requests; afterwards, none may have left the local server."""
    with local_page(browser, base_url) as found:
        yield found


def search(page: object, base_url: str, query: str) -> tuple[str, list[str]]:
    """Search from the search page; the status line and the result links."""
    page.goto(base_url + "search/")
    page.fill("#bp-search-input", query)
    page.press("#bp-search-input", "Enter")
    page.wait_for_selector(".bp-search__result")
    links = page.eval_on_selector_all(".bp-search__title", "links => links.map(link => link.href)")
    return page.inner_text(".bp-search__status"), links


def pagefind_loaded(urls: list[str]) -> bool:
    return any(url.split("?")[0].endswith(PAGEFIND_FILES) for url in urls)


def test_a_budget_figure_is_found_without_loading_pagefind(requests: tuple[object, list[str]], base_url: str) -> None:
    page, urls = requests
    status, links = search(page, base_url, "88.80万元")
    assert status == f"找到 {len(links)} 个页面{EXACT_NOTE}“88.80万元”）"
    # the department page first (it writes “88.80万元”), then the project (预算数 88.80 in a table in 万元)
    assert links[:2] == [base_url + "2023/fixture-yingji/", base_url + FIXTURE_PROJECT]
    assert all("88.80" in page.context.request.get(link).text() for link in links)
    assert not pagefind_loaded(urls)
    assert "88.80" in page.inner_text(".bp-search__excerpt >> nth=0")


def test_a_number_is_found_whole_only(requests: tuple[object, list[str]], base_url: str) -> None:
    """500 is in 清洁能源取暖工作经费 (预算数 500.00); not in 5000 or 0.500."""
    page, _ = requests
    status, links = search(page, base_url, "500")
    show_every_result(page)
    links = page.eval_on_selector_all(".bp-search__title", "links => links.map(link => link.href)")
    assert base_url + SAMPLE_PROJECT in links
    assert status == f"找到 {len(links)} 个页面{EXACT_NOTE}“500”）"
    for link in links[:5]:
        text = page.context.request.get(link).text()
        assert "500" in text


def test_a_project_s_name_puts_the_project_first(requests: tuple[object, list[str]], base_url: str) -> None:
    page, urls = requests
    status, links = search(page, base_url, "清洁能源取暖工作经费")
    assert links[0] == base_url + SAMPLE_PROJECT
    assert status.startswith("找到 ") and EXACT_NOTE in status
    assert not pagefind_loaded(urls)


def test_an_indicator_finds_the_projects_that_set_it(requests: tuple[object, list[str]], base_url: str) -> None:
    page, _ = requests
    _, links = search(page, base_url, "受灾群众满意度")
    assert links == [base_url + FIXTURE_PROJECT]


def test_full_text_is_one_tap_away(requests: tuple[object, list[str]], base_url: str) -> None:
    """满意度 is an indicator of most projects; the department pages have it only in their text."""
    page, urls = requests
    status, _ = search(page, base_url, "满意度")
    exact = int(status.split(" ")[1])
    page.click(".bp-search__full")
    page.wait_for_function("() => !document.querySelector('.bp-search__status').textContent.includes('（标题')")
    page.wait_for_selector(".bp-search__result")
    first = page.inner_text(".bp-search__status")
    partial = r"已找到 10 个含有“满意度”的页面，还没有找完（已查过全站的( \d+%|不到 1%)）；点“显示更多结果”接着找"
    assert re.fullmatch(partial, first), first
    page.click(".bp-search__more")  # a tap lists up to 50 more (a trial: 10 at a time, 749 pages took 52 taps)
    page.wait_for_function("() => document.querySelectorAll('.bp-search__result').length > 10")
    page.wait_for_function("() => !document.querySelector('.bp-search__more').disabled")
    after_one_tap = page.locator(".bp-search__result").count()
    show_every_result(page)  # each tap checks more candidates
    full = page.inner_text(".bp-search__status")
    assert re.fullmatch(r"找到 \d+ 个含有“满意度”的页面", full), full
    assert int(full.split(" ")[1]) > exact
    assert page.locator(".bp-search__result").count() == int(full.split(" ")[1])
    assert after_one_tap == min(int(full.split(" ")[1]), 60) > 20
    assert pagefind_loaded(urls)


def test_full_text_shows_only_pages_that_hold_the_query(requests: tuple[object, list[str]], base_url: str) -> None:
    """At scale Pagefind's candidates hold other words (a shard without the word matches a shorter one): each
    page shown is checked, and the status says how many candidates were."""
    page, _ = requests
    status, links = search(page, base_url, "棉被")  # only in the fixture's 资金用途 and an indicator's 描述
    assert re.fullmatch(r"找到 1 个含有“棉被”的页面", status), status
    assert links == [base_url + FIXTURE_PROJECT]


def test_a_word_in_no_title_or_indicator_is_searched_in_the_full_text(
    requests: tuple[object, list[str]], base_url: str
) -> None:
    """帐篷 is only in a project's 资金用途 and an indicator's 描述."""
    page, urls = requests
    status, links = search(page, base_url, "帐篷")
    assert EXACT_NOTE not in status
    assert base_url + FIXTURE_PROJECT in links
    assert pagefind_loaded(urls)


def test_a_project_code_keeps_its_route(requests: tuple[object, list[str]], base_url: str) -> None:
    page, _ = requests
    status, links = search(page, base_url, "13099923P00000110001Z")
    assert status == "找到 2 个含有“13099923P00000110001Z”的页面"
    assert base_url + FIXTURE_PROJECT in links


def test_traditional_characters_are_looked_up_in_simplified(requests: tuple[object, list[str]], base_url: str) -> None:
    page, _ = requests
    status, links = search(page, base_url, "救災物資儲備")
    assert links[0] == base_url + FIXTURE_PROJECT
    assert status.endswith("（按简体“救灾物资储备”搜索）")


def test_a_page_open_across_a_rebuild_reads_the_new_buckets(
    requests: tuple[object, list[str]], base_url: str, site: Path
) -> None:
    """After an update the old bucket files are gone: the page reads shards.json again instead of failing."""
    page, _ = requests
    search(page, base_url, "清洁能源取暖工作经费")
    list_shards(site, ["2023-1", "site", "2023-0"])  # other places: every bucket file is new
    try:
        page.fill("#bp-search-input", "救灾物资储备")
        page.press("#bp-search-input", "Enter")
        page.wait_for_function("() => document.querySelector('.bp-search__status').textContent.includes('（标题')")
        links = page.eval_on_selector_all(".bp-search__title", "links => links.map(link => link.href)")
        assert links[0] == base_url + FIXTURE_PROJECT
    finally:
        list_shards(site, ["site", "2023-0", "2023-1"])


def test_an_indicator_s_value_and_name_as_printed(requests: tuple[object, list[str]], base_url: str) -> None:
    """“≥90%” and “清洁能源工作完成率（%）” are copied from a project's table: the exact index answers both."""
    page, urls = requests
    status, links = search(page, base_url, "≥90%")
    show_every_result(page)
    links = page.eval_on_selector_all(".bp-search__title", "links => links.map(link => link.href)")
    assert status == f"找到 {len(links)} 个页面{EXACT_NOTE}“≥90%”）"
    assert base_url + FIXTURE_PROJECT in links
    assert all("≥90%" in page.context.request.get(link).text() for link in links)
    status, links = search(page, base_url, "清洁能源工作完成率（%）")
    assert EXACT_NOTE in status
    assert links[0] == base_url + "2023/chengde-gxq-jingkeju/13081123P00004410002J/"
    assert not pagefind_loaded(urls)


def test_typing_on_a_large_site_never_starts_the_full_text(requests: tuple[object, list[str]], base_url: str) -> None:
    """Each pause while typing searches; the full text (megabytes on a province's site) waits for Enter."""
    page, urls = requests
    page.goto(base_url + "search/")
    for character in "帐篷":
        page.type("#bp-search-input", character)
        page.wait_for_timeout(700)
    assert page.inner_text(".bp-search__status") == "标题、项目编码、三级指标和数字中没有“帐篷”。"
    assert page.is_visible(".bp-search__full")
    assert not pagefind_loaded(urls)
    page.press("#bp-search-input", "Enter")
    page.wait_for_selector(".bp-search__result")
    assert page.inner_text(".bp-search__status") == "找到 1 个含有“帐篷”的页面"
    assert pagefind_loaded(urls)


def test_a_failed_index_download_is_tried_again_or_said(requests: tuple[object, list[str]], base_url: str) -> None:
    """At 3 000 departments the full text fires 2 500 requests and Chromium refused hundreds of them
    (ERR_INSUFFICIENT_RESOURCES): Pagefind dropped those shards without a word, a third of the pages."""
    page, _ = requests
    refused: set[str] = set()

    def once(route: object) -> None:
        url = route.request.url  # type: ignore[attr-defined]
        if url in refused:
            route.continue_()  # type: ignore[attr-defined]
        else:
            refused.add(url)
            route.abort("failed")  # type: ignore[attr-defined]

    page.route("**/pagefind/2023-1/index/*.pf_index", once)
    status, links = search(page, base_url, "帐篷")
    assert refused
    assert (status, links) == ("找到 1 个含有“帐篷”的页面", [base_url + FIXTURE_PROJECT])
    page.unroute("**/pagefind/2023-1/index/*.pf_index")
    page.route("**/pagefind/2023-1/index/*.pf_index", lambda route: route.abort("failed"))
    page.goto(base_url + "search/")
    page.fill("#bp-search-input", "帐篷")
    page.press("#bp-search-input", "Enter")
    page.wait_for_function("() => document.querySelector('.bp-search__status').textContent.includes('没能下载')")
    assert "结果可能不全" in page.inner_text(".bp-search__status")


def shards_loaded(urls: list[str]) -> set[str]:
    """The shards whose Pagefind index (meta file, chunks) the page downloaded."""
    return {url.split("/pagefind/")[1].split("/")[0] for url in urls if url.endswith((".pf_meta", ".pf_index"))}


def wait_for_status(page: object, pattern: str) -> str:
    """The status line once it matches `pattern` (a regular expression): the search is done or at a stop."""
    script = "pattern => new RegExp(pattern).test(document.querySelector('.bp-search__status').innerText)"
    page.wait_for_function(script, arg=pattern)
    return page.inner_text(".bp-search__status")


def test_a_word_on_no_page_downloads_no_full_text_index(requests: tuple[object, list[str]], base_url: str) -> None:
    """The text index says no shard holds 鲸鱼 and 迁徙 (two characters in a row each): Pagefind is not loaded."""
    page, urls = requests
    page.goto(base_url + "search/?q=" + "鲸鱼迁徙")
    assert wait_for_status(page, "没有找到") == "没有找到含有“鲸鱼迁徙”的页面"
    assert any(url.endswith(".pf_text") for url in urls)
    assert not pagefind_loaded(urls)
    assert page.is_visible(".bp-search__tips")


def test_the_full_text_searches_only_the_shards_that_may_hold_it(
    requests: tuple[object, list[str]], base_url: str
) -> None:
    """帐篷 is in the fixture department only (shard 2023-1)."""
    page, urls = requests
    status, links = search(page, base_url, "帐篷")
    assert (status, links) == ("找到 1 个含有“帐篷”的页面", [base_url + FIXTURE_PROJECT])
    assert shards_loaded(urls) == {"2023-1"}


def test_the_full_text_is_searched_a_batch_of_shards_at_a_time(
    requests: tuple[object, list[str]], base_url: str, site: Path
) -> None:
    """One shard at a time: the first query downloads one shard's index; each tap the next, and in the end the
    pages found are those found when every shard is searched at once."""
    page, urls = requests
    whole = full_text(page, base_url, "资金")
    list_shards(site, ["site", "2023-0", "2023-1"], batch=1)
    try:
        urls.clear()
        page.goto(base_url + "search/?q=资金")
        page.click(".bp-search__full")
        status = wait_for_status(page, "还没有找完")
        assert re.fullmatch(
            r"已找到 \d+ 个含有“资金”的页面，还没有找完（已查过全站的( \d+%|不到 1%)）；点“显示更多结果”接着找", status
        )
        assert len(shards_loaded(urls)) == 1
        show_every_result(page)
        assert full_text_links(page) == whole
        assert shards_loaded(urls) == {"2023-0", "2023-1"} | ({"site"} & shards_loaded(urls))
    finally:
        list_shards(site, ["site", "2023-0", "2023-1"])


def full_text(page: object, base_url: str, query: str) -> list[str]:
    """Every page the full text finds for `query` (the exact index's pages first shown, then 在全文中搜索)."""
    page.goto(base_url + "search/?q=" + query)
    page.click(".bp-search__full")
    wait_for_status(page, r"找到 \d+ 个含有")
    show_every_result(page)
    return full_text_links(page)


def full_text_links(page: object) -> list[str]:
    assert re.fullmatch(r"找到 \d+ 个含有“.+”的页面", page.inner_text(".bp-search__status"))
    return sorted(page.eval_on_selector_all(".bp-search__title", "links => links.map(link => link.href)"))


def test_a_phrase_with_a_number_is_checked_on_the_pages_holding_the_number(
    requests: tuple[object, list[str]], base_url: str
) -> None:
    """群众24小时 is in the fixture's goals only: the exact index lists the pages holding 24 whole, and only those
    are checked (a field trial: 预算数2763.95 took 13 taps through Pagefind's thousands of loose candidates)."""
    page, urls = requests
    status, links = search(page, base_url, "群众24小时")
    assert (status, links) == ("找到 1 个含有“群众24小时”的页面", [base_url + FIXTURE_PROJECT])
    assert not pagefind_loaded(urls)
