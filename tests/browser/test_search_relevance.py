"""Search relevance on the sample site, through the real search page in Chromium.

`search_queries.yaml` lists queries a reader or journalist would type (project names in full
and in part, 项目编码, exact indicator names, values with symbols, department names, topics) with
the page expected first. The test reports top-1 and top-3 and fails below 90 % / 100 %, or when an
admin page (anything but the generated pages and the reader pages search may list) is in a top 3.
The figures are also written to tests/artifacts/search-relevance.json.
"""

from __future__ import annotations

import json
import re
import shutil
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import quote

import pytest
import yaml
from conftest import CHROMIUM, served_site

from builder.site.hooks import READER_PAGES

ROOT = Path(__file__).resolve().parents[2]
QUERIES = yaml.safe_load((Path(__file__).parent / "search_queries.yaml").read_text(encoding="utf-8"))
SUB_PATH = "/gk/yusuan/"
ARTIFACT = ROOT / "tests" / "artifacts" / "search-relevance.json"
DONE = "() => { const s = document.querySelector('.bp-search__status').textContent; return s && s !== '正在搜索……'; }"
READER_URLS = {name.removesuffix(".md") + "/" for name in READER_PAGES}

if not CHROMIUM.exists():
    pytest.skip("需要 Debian 的 chromium（apt-get install chromium）", allow_module_level=True)
pytest.importorskip("playwright.sync_api")


@pytest.fixture(scope="module")
def base_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The sample site (data/ only), built and served under a sub-path."""
    work = tmp_path_factory.mktemp("relevance")
    shutil.copytree(ROOT / "data", work / "data")
    with served_site(work / "data", work, SUB_PATH) as url:
        yield url


def top_results(page: object, base_url: str, query: str, count: int = 3) -> list[str]:
    """Open the search page with `?q=`, as a link or the header box does; the first results as paths from the root."""
    page.goto(f"{base_url}search/?q={quote(query)}")
    page.wait_for_function(DONE)
    links = page.eval_on_selector_all(".bp-search__title", "links => links.map(link => link.href)")
    return [link.removeprefix(base_url) for link in links[:count]]


def is_admin(path: str) -> bool:
    """A page that is neither generated content (under a year folder) nor a reader page."""
    return not re.match(r"\d{4}/", path) and path not in READER_URLS


def test_the_query_set_is_large_and_varied() -> None:
    assert len(QUERIES) >= 40
    kinds = {query["kind"] for query in QUERIES}
    assert {"name", "part", "code", "indicator", "value", "department", "topic"} <= kinds


def test_the_right_page_comes_first(browser: object, base_url: str) -> None:
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    outcomes = []
    for item in QUERIES:
        top = top_results(page, base_url, item["query"])
        outcomes.append({**item, "top": top})
    context.close()
    first = [outcome for outcome in outcomes if outcome["top"][:1] == [outcome["expected"]]]
    in_three = [outcome for outcome in outcomes if outcome["expected"] in outcome["top"]]
    admin = [(outcome["query"], path) for outcome in outcomes for path in outcome["top"] if is_admin(path)]
    report = {
        "queries": len(outcomes),
        "top1": round(len(first) / len(outcomes), 3),
        "top3": round(len(in_three) / len(outcomes), 3),
        "admin_in_top3": admin,
        "misses": [outcome for outcome in outcomes if outcome not in first],
    }
    ARTIFACT.parent.mkdir(parents=True, exist_ok=True)
    ARTIFACT.write_text(json.dumps(report, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    print(f"\n搜索相关性：{len(outcomes)} 个查询，第一名 {report['top1']:.1%}，前三名 {report['top3']:.1%}")
    summary = json.dumps(report, ensure_ascii=False, indent=1)
    assert admin == [], summary
    assert report["top1"] >= 0.9, summary
    assert report["top3"] == 1.0, summary


def test_excerpts_come_from_the_matching_row_without_navigation(browser: object, base_url: str) -> None:
    context = browser.new_context(viewport={"width": 375, "height": 800})
    page = context.new_page()
    top_results(page, base_url, "项目开工数")
    excerpt = page.inner_text(".bp-search__excerpt >> nth=0")
    assert "项目开工数" in excerpt and "≥20个" in excerpt  # the indicator with its value
    assert "返回" not in excerpt and "首页" not in excerpt
    assert page.inner_text(".bp-search__excerpt mark >> nth=0") == "项目开工数"
    top_results(page, base_url, "≥95%")
    assert "≥95%" in page.inner_text(".bp-search__excerpt >> nth=0")
    assert page.evaluate("document.documentElement.scrollWidth") <= 375
    context.close()


def test_no_results_offers_shorter_words_and_the_department_list(browser: object, base_url: str) -> None:
    context = browser.new_context()
    page = context.new_page()
    assert top_results(page, base_url, "机器人养老院扶持资金") == []
    assert "没有找到" in page.inner_text(".bp-search__status")
    tips = page.locator(".bp-search__tips")
    assert "首页的部门列表" in tips.inner_text()
    words = tips.locator("a[href^='?q=']").all_inner_texts()
    assert "机器人" in words or "机器" in words
    page.click(f".bp-search__tips a[href^='?q=']:text-is('{words[0]}')")
    page.wait_for_function(DONE)
    assert page.locator(".bp-search__result").count() > 0
    context.close()
