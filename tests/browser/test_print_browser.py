"""Printing a page from the browser (Chromium's print to PDF, A4), read back with pdftotext.

- a project's 原文表题 and unit line are never left at the foot of a page, away from their table;
- a department page prints its text, not its download buttons;
- every printed page ends with where it comes from: the site's name and its publisher.
"""

from __future__ import annotations

import re
import subprocess
from collections.abc import Iterator

import pytest
from test_phone_layout_browser import DEPARTMENTS, PROJECTS
from test_site_browser import base_url  # noqa: F401 (fixture)

from builder.config import load_site_config
from builder.pipeline.build import MKDOCS_CONFIG


@pytest.fixture(scope="module")
def printed(browser: object, base_url: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[object]:  # noqa: F811
    """`printed(url)`: the page's text as printed, a list of A4 pages."""
    folder = tmp_path_factory.mktemp("printed")
    context = browser.new_context()
    tab = context.new_page()

    def pages_of(url: str) -> list[list[str]]:
        tab.goto(base_url + url)
        pdf = folder / "page.pdf"
        tab.pdf(path=str(pdf), format="A4")
        text = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True, check=True)
        pages = [[line.strip() for line in page.splitlines() if line.strip()] for page in text.stdout.split("\f")]
        return [page for page in pages if page]

    yield pages_of
    context.close()


def _caption_lines(line: str) -> bool:
    return line.startswith("原文表题：") or re.search(r"(?<!发布)单位：[千万亿]?元", line) is not None


def test_no_table_caption_is_left_at_the_foot_of_a_page(printed: object) -> None:
    """清洁能源取暖工作经费 printed its 原文表题 and unit line alone at the foot of page 1, the table on page 2."""
    left = []
    for url in PROJECTS:
        for number, page in enumerate(printed(url), 1):
            captions = [index for index, line in enumerate(page) if _caption_lines(line)]
            if captions and not [line for line in page[captions[-1] + 1 :] if not _caption_lines(line)]:
                left.append(f"{url} page {number}: {page[captions[0] :]}")
    assert left == []


def test_a_printed_department_page_has_no_download_buttons_and_says_where_it_is_from(printed: object) -> None:
    name = load_site_config(MKDOCS_CONFIG).site_name
    pages = printed(DEPARTMENTS[0])
    text = "\n".join(line for page in pages for line in page)
    assert "下载 PDF" not in text and "Excel 工作簿" not in text
    assert pages[-1][-1].startswith(name) and "发布单位：" in pages[-1][-1]
