"""Phone-first reading in Chromium, at 375×800, 768×1024 and 1280×900, on every project and department page
of the sample site and the fixture.

- every indicator row: its 三级指标 and its 指标值 are both inside the viewport, with no horizontal scrolling;
  on a phone, together on screen once the row is scrolled to; its 依据 within the screen's width;
- every department's project list shows each project's name and 预算数 inside the viewport;
- no page scrolls sideways, checked on full-page screenshots (saved in tests/artifacts/phone/ to look at);
- axe-core finds no WCAG 2.1 AA violation on a phone in the 大字 and 高对比 modes;
- desktop keeps the printed form: a real table with the merged 一级/二级 cells; phones and tablets get blocks.
"""

from __future__ import annotations

import shutil
import struct
from collections.abc import Iterator
from pathlib import Path

import pytest
from conftest import served_site
from test_accessibility_browser import axe_violations
from test_site_browser import AXE, FIXTURE, ROOT, base_url  # noqa: F401 (fixture)

from builder.config import load_site_config
from builder.data.load import load_all
from builder.pipeline.build import MKDOCS_CONFIG
from builder.site.paths import department_dir, project_dir, project_keys

ARTIFACTS = ROOT / "tests" / "artifacts" / "phone"
SIZES = [(375, 800), (768, 1024), (1280, 900)]
BLOCKS_BELOW = 960  # narrower screens get the tables as blocks (theme/assets/budget/site.css)


def sample_pages() -> tuple[list[str], list[str]]:
    """The URLs of every department page and every project page of the sample site and the fixture."""
    loaded, errors = load_all([ROOT / "data", FIXTURE])
    assert errors == []
    departments, projects = [], []
    for item in loaded:
        year, slug = item.department.year, item.source.slug
        departments.append(department_dir(year, slug))
        projects += [project_dir(year, slug, key) for key in project_keys(item.department)]
    return departments, projects


DEPARTMENTS, PROJECTS = sample_pages()


@pytest.fixture(scope="module", params=SIZES, ids=["phone", "tablet", "desktop"])
def tab(request: pytest.FixtureRequest, browser: object) -> Iterator[object]:
    width, height = request.param
    context = browser.new_context(viewport={"width": width, "height": height})
    yield context.new_page()
    context.close()


# For each row: the boxes of its 三级指标 and 指标值 after scrolling the row into view, and the viewport.
ROW_BOXES = """() => [...document.querySelectorAll('.bp-indicators tbody tr')].map((row) => {
  row.querySelector('.bp-name').scrollIntoView({block: 'start'});
  window.scrollBy(0, -60);
  const box = (cell) => { const r = cell.getBoundingClientRect(); return [r.left, r.right, r.top, r.bottom]; };
  return {name: box(row.querySelector('.bp-name')), value: box(row.querySelector('.bp-value')),
          basis: box(row.querySelector('.bp-basis')), text: row.querySelector('.bp-name').textContent};
})"""


def test_every_project_page_shows_each_indicator_with_its_value(tab: object, base_url: str) -> None:  # noqa: F811
    width, height = tab.viewport_size["width"], tab.viewport_size["height"]
    problems = []
    for url in PROJECTS:
        tab.goto(base_url + url)
        assert tab.evaluate("document.documentElement.scrollWidth") <= width, url
        rows = tab.evaluate(ROW_BOXES)
        assert rows, url
        for row in rows:
            for cell in ("name", "value"):
                left, right, top, bottom = row[cell]
                if left < 0 or right > width or top < 0 or bottom > height:
                    problems.append((url, row["text"], cell, row[cell]))
            left, right, _, _ = row["basis"]  # 指标值确定依据: on screen too (a tablet had it behind the right edge)
            if left < 0 or right > width:
                problems.append((url, row["text"], "basis", row["basis"]))
    assert problems == []


def test_desktop_keeps_the_printed_table_and_the_phone_gets_blocks(tab: object, base_url: str) -> None:  # noqa: F811
    tab.goto(base_url + PROJECTS[0])
    display = tab.evaluate("getComputedStyle(document.querySelector('.bp-indicators table')).display")
    assert tab.locator(".bp-indicators th[rowspan]").count() >= 1  # the merged 一级/二级 cells are there
    if tab.viewport_size["width"] < BLOCKS_BELOW:
        assert display == "block"
        level1 = tab.locator(".bp-indicators .bp-l1").first
        assert level1.is_visible() and level1.evaluate("cell => getComputedStyle(cell).gridColumnEnd") == "l1"
    else:
        assert display == "table"
        assert tab.locator(".bp-indicators thead").is_visible()


def test_department_lists_show_each_project_name_and_amount(tab: object, base_url: str) -> None:  # noqa: F811
    width = tab.viewport_size["width"]
    for url in DEPARTMENTS:
        tab.goto(base_url + url)
        assert tab.evaluate("document.documentElement.scrollWidth") <= width, url
        rows = tab.locator(".bp-project-list tbody tr")
        assert rows.count() > 0, url
        for index in range(rows.count()):
            row = rows.nth(index)
            for selector in (".bp-pname a", ".bp-ptotal"):
                cell = row.locator(selector)
                cell.scroll_into_view_if_needed()
                box = cell.bounding_box()
                assert cell.is_visible() and cell.inner_text().strip(), (url, index, selector)
                assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= width, (url, index, selector)


def png_size(data: bytes) -> tuple[int, int]:
    return struct.unpack(">II", data[16:24])


@pytest.mark.parametrize("url", [PROJECTS[0], "2023/tangshan-gxq-kejiju/", "2023/projects/", "", "downloads/"])
def test_screenshots_show_no_horizontal_overflow(tab: object, base_url: str, url: str) -> None:  # noqa: F811
    width = tab.viewport_size["width"]
    tab.goto(base_url + url)
    tab.wait_for_load_state("networkidle")
    shot = tab.screenshot(full_page=True)
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    name = (url.strip("/").replace("/", "_") or "home") + f"-{width}.png"
    (ARTIFACTS / name).write_bytes(shot)
    assert png_size(shot)[0] == width
    assert tab.evaluate("document.documentElement.scrollWidth") <= width


@pytest.mark.parametrize("mode", ["large", "contrast"])
@pytest.mark.parametrize("url", [PROJECTS[0], "2023/tangshan-gxq-kejiju/xa08f5fa5/", "2023/tangshan-gxq-kejiju/"])
def test_phone_pages_are_accessible_in_large_and_high_contrast_modes(
    browser: object,
    base_url: str,  # noqa: F811
    url: str,
    mode: str,
) -> None:
    if not AXE.exists():
        pytest.skip("需要 axe-core：在项目根目录运行 npm install")
    context = browser.new_context(viewport={"width": 375, "height": 800})
    tab = context.new_page()
    tab.goto(base_url + url)
    tab.click(f"[data-bp-pref={mode}]")
    tab.reload()
    tab.wait_for_load_state("networkidle")
    assert tab.evaluate("document.documentElement.scrollWidth") <= 375
    assert axe_violations(tab) == []
    context.close()


@pytest.mark.parametrize("url", [PROJECTS[0], "2023/tangshan-gxq-kejiju/xa08f5fa5/"])
def test_large_text_on_a_320_px_phone_keeps_the_header_on_screen_and_the_purpose_readable(
    browser: object,
    base_url: str,  # noqa: F811
    url: str,
) -> None:
    """大字 on the narrowest phones: the search icon stays on screen, and 资金用途 gets most of the table's width
    (its label column took half of it and the purpose wrapped every four or five characters)."""
    context = browser.new_context(viewport={"width": 320, "height": 700})
    tab = context.new_page()
    tab.goto(base_url + url)
    tab.click("[data-bp-pref=large]")
    tab.reload()
    tab.wait_for_load_state("networkidle")
    assert tab.evaluate("document.documentElement.scrollWidth") <= 320
    label, purpose = tab.evaluate(
        """() => [...document.querySelector('.bp-budget table').rows]
        .find((row) => row.cells[0].textContent === '资金用途')
        .querySelectorAll('th, td').values().map((cell) => cell.getBoundingClientRect().width).toArray()"""
    )
    assert purpose > 2 * label
    context.close()


@pytest.mark.parametrize("url", ["", "search/", "2023/projects/", "2023/"])
def test_large_text_on_a_320_px_phone_keeps_the_filter_and_search_boxes_on_screen(
    browser: object,
    base_url: str,  # noqa: F811
    url: str,
) -> None:
    """大字 at 320 px: the project filter's box and list and the search box were 12rem wide, 8 px wider than the
    screen, so the whole page scrolled sideways."""
    context = browser.new_context(viewport={"width": 320, "height": 700})
    context.add_init_script("localStorage.setItem('bp-prefs', JSON.stringify({large: true}))")
    tab = context.new_page()
    tab.goto(base_url + url)
    fields = "article input, article select"
    boxes = tab.evaluate(
        f"() => [...document.querySelectorAll('{fields}')].map((e) => e.getBoundingClientRect().right)"
    )
    assert boxes and max(boxes) <= 320
    assert tab.evaluate("document.documentElement.scrollWidth") <= 320
    context.close()


@pytest.mark.parametrize("width", [320, 375])
def test_the_budget_label_column_holds_four_characters_on_a_phone(
    browser: object,
    base_url: str,  # noqa: F811
    width: int,
) -> None:
    """“其中：财政资金” was squeezed to one character a line (38 px) beside a long 资金用途: four to a line now."""
    context = browser.new_context(viewport={"width": width, "height": 700})
    tab = context.new_page()
    for url in PROJECTS:
        tab.goto(base_url + url)
        label = tab.locator(".bp-budget th", has_text="其中：财政资金").first
        lines = label.evaluate(
            """(e) => { const c = getComputedStyle(e);
            const text = e.getBoundingClientRect().height - parseFloat(c.paddingTop) - parseFloat(c.paddingBottom);
            return Math.round(text / parseFloat(c.lineHeight)); }"""
        )
        assert lines <= 2, url
    context.close()


def test_keyboard_focus_on_a_phone_never_lands_in_the_closed_menu(browser: object, base_url: str) -> None:  # noqa: F811
    """Tab through the home page at 375 px: every stop is on screen (seven were on the closed menu's links, off to the
    left); the menu, once opened, is shown; the search page, opened without a query, puts the cursor in its box."""
    context = browser.new_context(viewport={"width": 375, "height": 740})
    tab = context.new_page()
    tab.goto(base_url)
    where = "() => { const r = document.activeElement.getBoundingClientRect(); return [r.left, r.right]; }"
    stops = []
    for _ in range(14):
        tab.keyboard.press("Tab")
        stops.append(tab.evaluate(where))
    assert [stop for stop in stops if stop[1] <= 0 or stop[0] >= 375] == []
    tab.click("label.md-header__button[for=__drawer]")
    tab.locator(".md-sidebar--primary .md-nav__link").first.wait_for(state="visible")
    tab.goto(base_url + "search/")
    tab.wait_for_function("() => document.activeElement.classList.contains('bp-search__input')")
    context.close()


def test_a_file_table_of_the_downloads_page_fits_a_phone(browser: object, base_url: str) -> None:  # noqa: F811
    """数据下载 at 320 px: each file is a block (name and size, what it is, its SHA-256), all on screen, where the
    size and checksum columns lay behind a sideways scroll and the checksum wrapped two characters a line."""
    context = browser.new_context(viewport={"width": 320, "height": 700})
    tab = context.new_page()
    tab.goto(base_url + "downloads/")
    cells = tab.evaluate(
        """() => [...document.querySelectorAll('.bp-files tbody td')].map((cell) => {
          const r = cell.getBoundingClientRect(); return [r.left, r.right, r.height]; })"""
    )
    assert cells and all(left >= 0 and right <= 320 for left, right, _ in cells)
    checksums = [height for index, (_, _, height) in enumerate(cells) if index % 4 == 3]
    assert max(checksums) < 100  # its label and two lines of small type (the row was 189 px tall)
    context.close()


@pytest.mark.parametrize("width", [320, 360])
def test_the_site_name_shows_whole_in_the_header_of_a_narrow_phone(
    browser: object,
    base_url: str,  # noqa: F811
    width: int,
) -> None:
    """The header cut the site name to “部门…” at 320 px and “部门预算…” at 360 px (the 大字/高对比 buttons take the
    room): it now takes two lines, smaller, and shows whole, the buttons and the search icon still on screen."""
    context = browser.new_context(viewport={"width": width, "height": 700})
    tab = context.new_page()
    tab.goto(base_url + DEPARTMENTS[0])
    name = tab.locator(".md-header__topic").first.locator(".md-ellipsis")
    assert name.inner_text() == load_site_config(MKDOCS_CONFIG).site_name
    shown = name.evaluate("(e) => [e.scrollWidth <= e.clientWidth, e.scrollHeight <= e.clientHeight]")
    assert shown == [True, True]
    for control in ("[data-bp-pref=large]", "[data-bp-pref=contrast]", ".bp-header-search__link"):
        box = tab.locator(control).bounding_box()
        assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= width, control
    assert tab.evaluate("document.documentElement.scrollWidth") <= width
    context.close()


def test_the_history_of_a_department_is_readable_on_a_phone(browser: object, tmp_path: Path) -> None:
    """历年比较 at 375 px: the chart was one SVG scaled to the phone's width (its labels about 7 px high) and the
    history tables were cut at the right edge (Material's 5 rem minimum per column)."""
    data = tmp_path / "data"
    shutil.copytree(ROOT / "data", data)
    (data / "2024").mkdir()
    text = (data / "2023" / "tangshan-gxq-kejiju.yaml").read_text(encoding="utf-8")
    (data / "2024" / "tangshan-gxq-kejiju.yaml").write_text(text.replace("year: 2023", "year: 2024"), "utf-8")
    context = browser.new_context(viewport={"width": 375, "height": 800})
    tab = context.new_page()
    with served_site(data, tmp_path, "/") as url:
        tab.goto(url + "2024/tangshan-gxq-kejiju/")
        chart = tab.locator("#history ~ .bp-bars")
        assert chart.get_attribute("aria-label").endswith("：2023 年 4253 万元；2024 年 4253 万元")
        sizes = chart.locator(".bp-bars__text").evaluate_all("(rows) => rows.map((r) => getComputedStyle(r).fontSize)")
        assert sizes == ["14px", "14px"]
        tables = tab.locator("#history ~ .bp-scroll").evaluate_all(
            "(boxes) => boxes.map((b) => b.scrollWidth <= b.clientWidth)"
        )
        assert tables == [True, True]
    context.close()


def test_quality_findings_are_on_the_project_page_and_reached_from_the_department(base_url: str, tab: object) -> None:  # noqa: F811
    tab.goto(base_url + "2023/tangshan-gxq-kejiju/")
    tab.click(".bp-quality-link a")
    assert tab.url.endswith("2023/tangshan-gxq-kejiju/quality/")
    assert "第 2 个项目：百川房屋租赁费" in tab.inner_text("article")
    tab.click("text=查看这个项目的绩效目标表")
    box = tab.locator(".bp-quality-box")
    assert box.is_visible()
    assert "本表表题与项目名称不一致" in box.inner_text()
    assert tab.evaluate("document.documentElement.scrollWidth") <= tab.viewport_size["width"]


def test_the_department_table_sorts_by_touch_on_a_phone(browser: object, base_url: str) -> None:  # noqa: F811
    """Its header was clipped to 1 px on phones: no sort button to see or tap, and no 万元 beside the amounts."""
    context = browser.new_context(viewport={"width": 320, "height": 640}, is_mobile=True, has_touch=True)
    tab = context.new_page()
    tab.goto(base_url + "2023/")
    total = tab.locator("#departments-2023 th:nth-child(4) button")
    assert total.is_visible() and total.inner_text() == "预算数合计（万元）"
    box = total.bounding_box()
    assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= 320
    total.tap()
    total.tap()
    assert tab.get_attribute("#departments-2023 th:nth-child(4)", "aria-sort") == "descending"
    assert tab.evaluate("document.documentElement.scrollWidth") <= 320
    context.close()


def test_the_region_list_reads_on_a_320_px_phone_in_large_text(
    browser: object, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A province's 全部项目 lists its regions: as a 4-column table at 320 px in 大字, each region's name wrapped a
    character a line and its total was cut off behind a sideways scroll."""
    from builder.site import project_lists

    monkeypatch.setattr(project_lists, "PROJECTS_PER_PAGE", 9)  # the sample's 28 projects: four region pages
    with served_site(ROOT / "data", tmp_path, "/sub/") as address:
        context = browser.new_context(viewport={"width": 320, "height": 640})
        tab = context.new_page()
        tab.goto(address + "2023/projects/")
        tab.click("[data-bp-pref=large]")
        tab.reload()
        assert tab.evaluate("document.documentElement.scrollWidth") <= 320
        rows = tab.evaluate(
            """() => [...document.querySelectorAll('.bp-regions tbody tr, .bp-regions tfoot tr')].map((row) => {
              const name = row.querySelector('th'), box = row.closest('.bp-scroll');
              const lines = name.getBoundingClientRect().height / parseFloat(getComputedStyle(name).lineHeight);
              const label = getComputedStyle(row.querySelector('td:last-child'), '::before').content;
              return [name.textContent, lines, box.scrollWidth - box.clientWidth, label.includes('（万元）')];
            })"""
        )
        context.close()
    assert len(rows) == 5  # four region pages and the 合计
    for name, lines, overflow, labelled in rows:
        assert lines < 1.6 and overflow <= 0 and labelled, name
