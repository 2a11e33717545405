"""The website in Chromium, served under a sub-path: search, a phone-width screen, accessibility, no outside requests.

Needs Debian's `chromium` and `npm install` (for axe-core); skipped with a reason otherwise.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from conftest import served_site

from builder.data.load import load_department
from builder.site.paths import project_dir, project_keys

ROOT = Path(__file__).resolve().parents[2]
FIXTURE = Path(__file__).resolve().parent / "data"  # 应急管理局（测试用）: 救灾物资, and strings written as HTML
CHROMIUM = Path("/usr/bin/chromium")
AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"
SUB_PATH = "/zfxxgk/yusuan/"
PROJECT = "2023/chengde-gxq-jingkeju/13081123P00002510002R/"  # 清洁能源取暖工作经费
DEPARTMENT = "2023/chengde-gxq-jingkeju/"
FIXTURE_PROJECT = "2023/fixture-yingji/13099923P00000110001Z/"

if not CHROMIUM.exists():
    pytest.skip("需要 Debian 的 chromium（apt-get install chromium）", allow_module_level=True)
sync_api = pytest.importorskip("playwright.sync_api")


@pytest.fixture(scope="module")
def base_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The sample site plus the fixture, built and served at http://127.0.0.1:<port>/zfxxgk/yusuan/."""
    work = tmp_path_factory.mktemp("browser")
    data = work / "data"
    shutil.copytree(ROOT / "data", data)
    shutil.copytree(FIXTURE, data, dirs_exist_ok=True)
    with served_site(data, work, SUB_PATH) as url:
        yield url


@pytest.fixture
def page(browser: object, base_url: str) -> Iterator[object]:
    """A fresh page; afterwards, every request it made must have gone to the local server, and no dialog opened."""
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    requests: list[str] = []
    dialogs: list[str] = []
    context.on("request", lambda request: requests.append(request.url))
    tab = context.new_page()
    tab.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    yield tab
    context.close()
    origin = base_url[: -len(SUB_PATH) + 1]
    assert [url for url in requests if not url.startswith((origin, "data:", "blob:"))] == []
    assert dialogs == []


def project_url(slug: str, name: str) -> str:
    department = load_department(ROOT / "data" / "2023" / f"{slug}.yaml").department
    keys = dict(zip((project.name for project in department.projects), project_keys(department), strict=True))
    return project_dir(2023, slug, keys[name])


def search(page: object, base_url: str, query: str) -> list[str]:
    """Type a query on the search page; return the result links."""
    page.goto(base_url + "search/")
    page.fill("#bp-search-input", query)
    page.press("#bp-search-input", "Enter")
    page.wait_for_selector(".bp-search__result")
    return page.eval_on_selector_all(".bp-search__title", "links => links.map(link => link.href)")


def test_search_for_satisfaction_leads_to_a_project_page(page: object, base_url: str) -> None:
    links = search(page, base_url, "满意度")
    project_link = next(link for link in links if link.count("/") == base_url.count("/") + 3)
    page.click(f".bp-search__title[href='{project_link[len(base_url) - len(SUB_PATH) :]}']")
    page.wait_for_url(project_link)
    assert page.url.startswith(base_url)
    assert "满意度" in page.inner_text(".bp-indicators table")


def test_search_finds_high_tech_enterprises(page: object, base_url: str) -> None:
    links = search(page, base_url, "高新技术企业")
    assert links[0] == base_url + project_url("tangshan-gxq-kejiju", "高新技术企业扶持资金")
    assert page.inner_text(".bp-search__title >> nth=0") == "高新技术企业扶持资金"


def test_search_finds_a_project_by_its_code(page: object, base_url: str) -> None:
    links = search(page, base_url, "13081123P00002510002R")
    assert links[0] == base_url + PROJECT


def test_search_finds_relief_supplies(page: object, base_url: str) -> None:
    links = search(page, base_url, "救灾物资")
    assert links[0] == base_url + FIXTURE_PROJECT
    assert page.inner_text(".bp-search__title >> nth=0") == "救灾物资储备 <script>alert(1)</script>"


def test_header_search_box_opens_the_search_page_with_results(page: object, base_url: str) -> None:
    page.goto(base_url)
    page.fill(".bp-header-search__input", "满意度")
    page.press(".bp-header-search__input", "Enter")
    page.wait_for_selector(".bp-search__result")
    assert page.url.startswith(base_url + "search/?q=")


@pytest.mark.parametrize("url", ["", DEPARTMENT, PROJECT, "2023/projects/", "search/?q=满意度", "guide/"])
def test_phone_width_has_no_horizontal_page_overflow(page: object, base_url: str, url: str) -> None:
    page.set_viewport_size({"width": 375, "height": 800})
    page.goto(base_url + url)
    page.wait_for_load_state("networkidle")
    assert page.evaluate("document.documentElement.scrollWidth") <= 375


def test_indicator_table_needs_no_sideways_scrolling_on_a_phone(page: object, base_url: str) -> None:
    page.set_viewport_size({"width": 375, "height": 800})
    page.goto(base_url + PROJECT)
    box = page.locator(".bp-indicators .bp-scroll")
    assert box.evaluate("element => element.scrollWidth <= element.clientWidth")
    assert box.get_attribute("tabindex") == "0"  # wide tables elsewhere still scroll in their own box


@pytest.mark.parametrize("url", ["", DEPARTMENT, PROJECT, "2023/projects/", "search/?q=满意度"])
def test_no_serious_accessibility_violations(page: object, base_url: str, url: str) -> None:
    if not AXE.exists():
        pytest.skip("需要 axe-core：在项目根目录运行 npm install")
    page.goto(base_url + url)
    page.wait_for_load_state("networkidle")
    page.add_script_tag(path=str(AXE))
    violations = page.evaluate("async () => (await axe.run(document, {resultTypes: ['violations']})).violations")
    serious = [
        (violation["id"], violation["impact"], [node["target"] for node in violation["nodes"]][:3])
        for violation in violations
        if violation["impact"] in ("serious", "critical")
    ]
    assert serious == []


def test_all_projects_table_filters_and_sorts_without_a_server(page: object, base_url: str) -> None:
    page.goto(base_url + "2023/projects/")
    page.select_option("select[name=department]", "高新区发改局")
    assert page.inner_text(".bp-filter-status") == "显示 7 个项目，预算数合计 1848.51 万元"
    page.select_option("select[name=department]", "")
    page.fill(".bp-filter input[name=q]", "救灾物资")
    assert page.inner_text(".bp-filter-status") == "显示 1 个项目，预算数合计 88.80 万元"
    page.fill(".bp-filter input[name=q]", "")
    page.click("#projects th:nth-child(4) button")
    page.click("#projects th:nth-child(4) button")
    assert page.get_attribute("#projects th:nth-child(4)", "aria-sort") == "descending"
    budgets = page.eval_on_selector_all("#projects tbody tr td:nth-child(4)", "cells => cells.map(c => c.textContent)")
    assert budgets[0] == "2000.00"
    assert [float(value) for value in budgets] == sorted((float(value) for value in budgets), reverse=True)


def test_department_table_sorts_by_total_and_keeps_its_filter(page: object, base_url: str) -> None:
    """The year page's department table is the full list a large year's chart points to: sortable by 预算数合计."""
    page.goto(base_url + "2023/")
    page.click("#departments-2023 th:nth-child(4) button")
    page.click("#departments-2023 th:nth-child(4) button")
    assert page.get_attribute("#departments-2023 th:nth-child(4)", "aria-sort") == "descending"
    totals = page.eval_on_selector_all(
        "#departments-2023 tbody td:nth-child(4)", "cells => cells.map(c => c.textContent)"
    )
    assert totals[0] == "4253" and [float(t) for t in totals] == sorted(map(float, totals), reverse=True)
    form = page.locator("form[data-bp-filter='departments-2023']")
    form.locator("select[name=region]").select_option("唐山高新区")
    assert form.locator(".bp-filter-status").inner_text() == "显示 2 个部门，预算数合计 6101.51 万元"


def test_markup_from_yaml_is_shown_not_run(page: object, base_url: str) -> None:
    page.goto(base_url + FIXTURE_PROJECT)
    assert page.inner_text("h1") == "救灾物资储备 <script>alert(1)</script>"
    assert "<b>帐篷</b> & 棉被" in page.inner_text(".bp-indicators table")
    page.goto(base_url + "2023/fixture-yingji/")
    assert page.inner_text("h1").startswith('应急管理局（测试用）<script>alert("部门")</script>')


def test_region_column_and_filter_tell_departments_apart(page: object, base_url: str) -> None:
    page.goto(base_url)
    form = page.locator("form[data-bp-filter='departments-2023']")
    form.locator("select[name=region]").select_option("唐山高新区")
    assert form.locator(".bp-filter-status").inner_text() == "显示 2 个部门，预算数合计 6101.51 万元"
    visible = page.locator("#departments-2023 tbody tr:visible th").all_inner_texts()
    assert sorted(visible) == ["高新区发改局", "高新区科技局"]
    page.goto(base_url + "2023/projects/")
    page.select_option("form[data-bp-filter='projects'] select[name=region]", "遵化市")
    assert page.inner_text(".bp-filter-status") == "显示 4 个项目，预算数合计 72.55 万元"
    shown = "#projects tbody tr:not([hidden]) td:nth-child(3)"
    regions = page.eval_on_selector_all(shown, "cells => cells.map(cell => cell.textContent)")
    assert regions == ["遵化市"] * 4
