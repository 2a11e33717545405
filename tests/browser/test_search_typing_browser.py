"""What people type into the search page, on the sample site in Chromium: each query and the page expected first.

An amount as published with its unit ("1280万元" is indexed as the digits 1 2 8 0, jieba's cut),
full-width forms, thousands separators and ".00", punctuation and quotes, traditional characters
(OpenCC's table, downloaded only for them), an empty query, and the Back button after two searches.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import quote

import pytest
from conftest import CHROMIUM, served_site

ROOT = Path(__file__).resolve().parents[2]
SUB_PATH = "/gk/yusuan/"
DONE = "() => { const s = document.querySelector('.bp-search__status').textContent; return s && s !== '正在搜索……'; }"
TABLE = "assets/budget/opencc/TSCharacters.js"

# query as typed → title of the page expected first (data/2023)
FIRST = {
    "1280": "高新技术企业扶持资金",  # 预算数 "1280万元"; the department page has a bare "1280" cell
    "973": "百川房屋租赁费",  # 预算数 "973万元"
    "１２８０": "高新技术企业扶持资金",
    "1,280.00": "高新技术企业扶持资金",
    "1,280.00万元": "高新技术企业扶持资金",
    "１３０８１１２３Ｐ００００２５１０００２Ｒ": "清洁能源取暖工作经费",
    "企业上市，奖励！": "企业上市奖励资金",
    "“企业上市奖励资金”": "企业上市奖励资金",
    "企業上市獎勵資金": "企业上市奖励资金",
    "≥95%": "第五次全国经济普查、人口调查",  # symbols still compared as published
}

if not CHROMIUM.exists():
    pytest.skip("需要 Debian 的 chromium（apt-get install chromium）", allow_module_level=True)
pytest.importorskip("playwright.sync_api")


@pytest.fixture(scope="module")
def base_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The sample site (data/ only), built and served under a sub-path."""
    work = tmp_path_factory.mktemp("typing")
    shutil.copytree(ROOT / "data", work / "data")
    with served_site(work / "data", work, SUB_PATH) as url:
        yield url


@pytest.fixture(scope="module")
def requested() -> list[str]:
    """The URLs the page has requested (filled by the `page` fixture)."""
    return []


@pytest.fixture(scope="module")
def page(browser: object, base_url: str, requested: list[str]) -> Iterator[object]:
    context = browser.new_context()
    page = context.new_page()
    page.on("request", lambda request: requested.append(request.url))
    yield page
    context.close()


def open_search(page: object, base_url: str, query: str) -> list[str]:
    """The search page opened with `?q=` (as the header box does); the result titles."""
    page.goto(f"{base_url}search/?q={quote(query)}")
    page.wait_for_function(DONE)
    return page.locator(".bp-search__title").all_inner_texts()


def submit(page: object, query: str) -> None:
    """Type `query` into the box and press Enter, as a reader does; wait for the results."""
    page.fill("#bp-search-input", query)
    page.press("#bp-search-input", "Enter")
    found = "document.querySelector('.bp-search__status').textContent.startsWith('找到')"
    page.wait_for_function(f"() => {found} && location.search === '?q={quote(query)}'")


@pytest.mark.parametrize("query", list(FIRST))
def test_the_expected_page_comes_first(page: object, base_url: str, query: str) -> None:
    titles = open_search(page, base_url, query)
    assert titles[:1] == [FIRST[query]], (query, titles[:3], page.inner_text(".bp-search__status"))
    assert page.input_value("#bp-search-input") == query  # the box keeps what was typed


def test_bare_numbers_find_the_project_and_the_department_page(page: object, base_url: str) -> None:
    assert open_search(page, base_url, "1280") == ["高新技术企业扶持资金", "高新区科技局2023年部门预算绩效文本"]
    assert "1280万元" in page.inner_text(".bp-search__excerpt >> nth=0")
    assert open_search(page, base_url, "973")[:2] == ["百川房屋租赁费", "高新区科技局2023年部门预算绩效文本"]
    # a number is matched whole: "128" (128家) is not the department page's "1280"
    assert open_search(page, base_url, "128") == ["高新技术企业扶持资金"]
    # "20" stands alone on 6 pages; on 33 more it is only inside "2023年" (the digits 2 0 2 3 in the index)
    open_search(page, base_url, "20")
    assert page.inner_text(".bp-search__status") == "找到 6 个页面"


@pytest.mark.parametrize("query", ['"满意度"', "「满意度」", "满意度！", "滿意度"])
def test_quotes_punctuation_and_traditional_characters_find_what_the_plain_word_finds(
    page: object, base_url: str, query: str
) -> None:
    plain = open_search(page, base_url, "满意度")
    assert len(plain) == 10 and page.inner_text(".bp-search__status").startswith("找到 32 个页面")
    assert open_search(page, base_url, query) == plain
    assert page.inner_text(".bp-search__status").startswith("找到 32 个页面")


def test_the_character_table_is_loaded_only_when_a_query_finds_nothing_as_typed(
    page: object, base_url: str, requested: list[str]
) -> None:
    requested.clear()
    for query in ("企业上市奖励资金", "满意度", "1280", "13081123P00002510002R"):
        assert open_search(page, base_url, query)
    assert not any(url.endswith(TABLE) for url in requested)
    assert open_search(page, base_url, "企業上市獎勵資金")[0] == "企业上市奖励资金"
    assert any(url.endswith(TABLE) for url in requested)
    assert "按简体“企业上市奖励资金”搜索" in page.inner_text(".bp-search__status")


def test_an_empty_query_says_what_to_type(page: object, base_url: str) -> None:
    page.goto(base_url + "search/")
    for query in ("", "  ", "！？“”"):
        page.fill("#bp-search-input", query)
        page.press("#bp-search-input", "Enter")
        status = page.inner_text(".bp-search__status")
        assert "请输入" in status and "项目编码" in status, query
        assert page.locator(".bp-search__result").count() == 0


def test_back_returns_to_the_earlier_search_with_its_results(page: object, base_url: str) -> None:
    page.goto(base_url + "search/")
    submit(page, "型煤")
    first = page.locator(".bp-search__title").all_inner_texts()
    submit(page, "973")
    assert page.inner_text(".bp-search__title >> nth=0") == "百川房屋租赁费"
    page.go_back()
    page.wait_for_function(f"() => location.search === '?q={quote('型煤')}'")
    page.wait_for_function(DONE)
    page.wait_for_function("() => document.querySelector('.bp-search__title')?.textContent === '清洁能源取暖工作经费'")
    assert page.input_value("#bp-search-input") == "型煤"
    assert page.locator(".bp-search__title").all_inner_texts() == first
    page.go_forward()
    page.wait_for_function("() => document.querySelector('.bp-search__title')?.textContent === '百川房屋租赁费'")
    assert page.input_value("#bp-search-input") == "973"


def test_typing_a_word_leaves_one_history_entry_not_one_per_pause(page: object, base_url: str) -> None:
    page.goto(base_url + "search/")
    submit(page, "型煤")
    before = page.evaluate("history.length")
    page.fill("#bp-search-input", "")
    page.type("#bp-search-input", "满意度", delay=450)  # each pause starts a search
    page.wait_for_function("() => location.search === '?q=' + encodeURIComponent('满意度')")
    page.wait_for_function(DONE)
    assert page.evaluate("history.length") == before + 1
    page.go_back()
    page.wait_for_function("() => document.querySelector('.bp-search__title')?.textContent === '清洁能源取暖工作经费'")
    assert page.input_value("#bp-search-input") == "型煤"
