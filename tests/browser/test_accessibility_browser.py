"""适老化 and 无障碍 in Chromium: axe-core at WCAG 2.1 AA in normal and high-contrast modes, the 大字 and
高对比 switches remembered across pages, keyboard operation with a skip link, and clean browser printing."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from test_site_browser import AXE, DEPARTMENT, PROJECT, base_url  # noqa: F401 (fixture)

PAGES = ["", DEPARTMENT, PROJECT, "search/?q=满意度", "downloads/"]
AA_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]


@pytest.fixture
def page(browser: object) -> Iterator[object]:
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    yield context.new_page()
    context.close()


def axe_violations(page: object) -> list[tuple[str, list[object]]]:
    page.add_script_tag(path=str(AXE))
    options = {"runOnly": {"type": "tag", "values": AA_TAGS}, "resultTypes": ["violations"]}
    violations = page.evaluate("async (options) => (await axe.run(document, options)).violations", options)
    return [
        (violation["id"], [(node["target"], node["failureSummary"]) for node in violation["nodes"]][:2])
        for violation in violations
    ]


def preference_classes(page: object) -> list[str]:
    return page.evaluate("[...document.documentElement.classList].filter(name => name.startsWith('bp-')).sort()")


@pytest.mark.parametrize("contrast", [False, True], ids=["normal", "high-contrast"])
@pytest.mark.parametrize("url", PAGES)
def test_no_wcag_aa_violations(page: object, base_url: str, url: str, contrast: bool) -> None:  # noqa: F811
    if not AXE.exists():
        pytest.skip("需要 axe-core：在项目根目录运行 npm install")
    page.goto(base_url + url)
    if contrast:
        page.click("[data-bp-pref=contrast]")
        page.reload()  # remembered, and applied before the first paint
        assert page.evaluate("document.documentElement.classList.contains('bp-contrast')")
    page.wait_for_load_state("networkidle")
    if url.startswith("search/"):
        page.wait_for_selector(".bp-search__result")
    assert axe_violations(page) == []


def test_large_text_and_high_contrast_are_remembered_across_pages(page: object, base_url: str) -> None:  # noqa: F811
    page.goto(base_url + DEPARTMENT)
    size = page.evaluate("parseFloat(getComputedStyle(document.querySelector('.md-typeset')).fontSize)")
    page.click("[data-bp-pref=large]")
    page.click("[data-bp-pref=contrast]")
    assert page.get_attribute("[data-bp-pref=large]", "aria-pressed") == "true"
    page.goto(base_url + PROJECT)
    assert preference_classes(page) == ["bp-contrast", "bp-large"]
    assert page.get_attribute("[data-bp-pref=contrast]", "aria-pressed") == "true"
    larger = page.evaluate("parseFloat(getComputedStyle(document.querySelector('.md-typeset')).fontSize)")
    assert larger >= size * 1.25
    assert page.evaluate("getComputedStyle(document.body).color") == "rgb(0, 0, 0)"
    page.click("[data-bp-pref=large]")
    page.goto(base_url)
    assert preference_classes(page) == ["bp-contrast"]


def test_first_tab_reaches_the_skip_link_and_it_moves_focus_to_the_content(page: object, base_url: str) -> None:  # noqa: F811
    page.goto(base_url + PROJECT)
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.textContent.trim()") == "跳到正文"
    outline = page.evaluate("getComputedStyle(document.activeElement).outlineStyle")
    assert outline != "none"
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "bp-content"
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.closest('.md-content') !== null")


def test_switches_work_from_the_keyboard(page: object, base_url: str) -> None:  # noqa: F811
    page.goto(base_url)
    page.focus("[data-bp-pref=large]")
    page.keyboard.press("Enter")
    assert page.evaluate("document.documentElement.classList.contains('bp-large')")
    page.keyboard.press("Space")
    assert not page.evaluate("document.documentElement.classList.contains('bp-large')")


def test_indicator_table_announces_indicator_and_value_headers(page: object, base_url: str) -> None:  # noqa: F811
    page.goto(base_url + PROJECT)
    table = page.locator(".bp-indicators table")
    assert "指标值" in table.locator("thead th[scope=col]").all_inner_texts()
    assert table.locator("tbody th[scope=row]").count() >= 3


@pytest.mark.parametrize("url", [PROJECT, DEPARTMENT])
def test_printing_from_the_browser_shows_only_the_content(page: object, base_url: str, url: str) -> None:  # noqa: F811
    page.goto(base_url + url)
    page.emulate_media(media="print")
    for chrome in [".md-header", ".md-sidebar--primary", ".md-footer", ".bp-prefs", ".bp-crumbs"]:
        if page.locator(chrome).count():
            assert not page.locator(chrome).first.is_visible(), chrome
    table = page.locator(".md-content table").first
    assert table.is_visible()
    assert table.evaluate("t => t.scrollWidth <= t.closest('.md-content').scrollWidth + 1")
    pdf = page.pdf(format="A4")
    assert pdf.startswith(b"%PDF")


@pytest.mark.parametrize("url", ["", PROJECT])
def test_large_text_on_a_phone_has_no_horizontal_page_overflow(page: object, base_url: str, url: str) -> None:  # noqa: F811
    page.set_viewport_size({"width": 375, "height": 800})
    page.goto(base_url + url)
    page.click("[data-bp-pref=large]")
    page.reload()
    assert page.evaluate("document.documentElement.scrollWidth") <= 375
    assert page.locator("[data-bp-pref=contrast]").is_visible()
