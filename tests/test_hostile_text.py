"""Text written as HTML, Markdown or spreadsheet formulas goes through every output as plain text.

tests/hostile_data/ holds one department whose name, project name, 资金用途, goals,
说明 and indicator cells are `<script>`, `<img onerror>`, `[点我](javascript:…)`,
`**粗体**`, `# 标题`, `|表格|` and `=1+2`, `+1`, `-1`, `@SUM(A1)`. The site is built
with PDFs, and each output is read back the way a reader's tools would read it.
"""

from __future__ import annotations

import csv
import io
import json
import re
import shutil
import sqlite3
import subprocess
from collections.abc import Iterator
from pathlib import Path

import lxml.html
import openpyxl
import pytest

from builder.pipeline.build import build
from builder.site.csp import blocked_in_site

ROOT = Path(__file__).resolve().parent.parent
HOSTILE = ROOT / "tests" / "hostile_data"
DEPARTMENT = "2023/hostile-text/"
PROJECT = "2023/hostile-text/13099923P00000990001Z/"

DEPARTMENT_NAME = '恶意文本局<script>alert("部门")</script><img src=x onerror=alert(1)>'
PROJECT_NAME = "恶意项目<script>alert(1)</script>**粗体**"
# Each text on the page a reader sees it on, exactly as written in the YAML.
ON_DEPARTMENT_PAGE = [
    DEPARTMENT_NAME,
    '# 标题 **粗体** [点我](javascript:alert(1)) <script>alert("总体目标")</script>',
    "|表格|第二列|",
    "分项目标 **粗体**",
    "<img src=x onerror=alert(1)>",
    "[点我](javascript:alert(1))",
    "=1+2",
    PROJECT_NAME,
]
ON_PROJECT_PAGE = [
    PROJECT_NAME,
    "[点我](javascript:alert(1)) <img src=x onerror=alert(1)> # 标题",
    "=1+2",
    '**粗体** <script>alert("目标")</script>',
    '# 标题 说明<script>alert("说明")</script>',
    "|表格|第二列|",
    "**粗体**",
    "@SUM(A1)",
    "+1",
    "-1",
    "加号指标<img src=x onerror=alert(1)>",
    "满意度 **粗体**",
]
FORMULAS = ["=1+2", "+1", "-1", "@SUM(A1)"]
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    work = tmp_path_factory.mktemp("hostile")
    shutil.copytree(HOSTILE, work / "data")
    build(work / "data", work / "site", generated_dir=work / "generated")
    return work / "site"


def html_pages(site: Path) -> Iterator[tuple[Path, str]]:
    for path in sorted(site.rglob("*.html")):
        yield path, path.read_text(encoding="utf-8")


def visible_text(site: Path, url: str) -> str:
    """The page's text as a browser shows it (entities decoded), from the main content."""
    tree = lxml.html.fromstring((site / url / "index.html").read_text(encoding="utf-8"))
    return tree.xpath("//article")[0].text_content()


@pytest.mark.parametrize("text", ON_DEPARTMENT_PAGE)
def test_department_page_shows_the_text_as_written(site: Path, text: str) -> None:
    assert text in visible_text(site, DEPARTMENT)


@pytest.mark.parametrize("text", ON_PROJECT_PAGE)
def test_project_page_shows_the_text_as_written(site: Path, text: str) -> None:
    assert text in visible_text(site, PROJECT)


def test_page_titles_show_the_names_as_text(site: Path) -> None:
    tree = lxml.html.fromstring((site / PROJECT / "index.html").read_text(encoding="utf-8"))
    assert tree.findtext(".//title").startswith(f"{PROJECT_NAME} · {DEPARTMENT_NAME}")


def test_the_page_description_shows_the_names_as_text(site: Path) -> None:
    """Each department and project page has its own `<meta name="description">` (all pages had the site's); Material
    prints it unescaped, so the names in it are escaped first."""
    tree = lxml.html.fromstring((site / PROJECT / "index.html").read_text(encoding="utf-8"))
    description = tree.xpath("//meta[@name='description']/@content")[0]
    assert description.startswith(DEPARTMENT_NAME) and f"“{PROJECT_NAME}”的绩效目标：预算数 " in description


def test_no_html_from_the_data_reaches_any_page(site: Path) -> None:
    for path, html in html_pages(site):
        for raw in ("<script>alert", "<img src=x", "<strong>粗体", "<em>粗体"):
            assert raw not in html, f"{path.relative_to(site)}: {raw}"
        assert not re.search(r"<h[1-6][^>]*>\s*标题", html), path
        assert not re.search(r"<t[dh][^>]*>\s*表格\s*</t[dh]>", html), path


def test_no_script_runs_from_anywhere_but_the_sites_files(site: Path) -> None:
    assert [blocked.render() for blocked in blocked_in_site(site)] == []


def test_no_javascript_link_anywhere_in_the_site(site: Path) -> None:
    for path, html in html_pages(site):
        tree = lxml.html.fromstring(html)
        for element in tree.iter():
            for name, value in element.attrib.items():
                assert not value.strip().lower().startswith("javascript:"), f"{path.relative_to(site)}: {name}={value}"
    for path in site.rglob("*.svg"):
        assert "javascript:" not in path.read_text(encoding="utf-8"), path


@pytest.mark.skipif(shutil.which("pdftotext") is None, reason="poppler-utils 未安装")
def test_pdf_prints_the_text_literally(site: Path) -> None:
    pdf = site / DEPARTMENT / "hostile-text-2023.pdf"
    text = subprocess.run(["pdftotext", "-raw", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    squeezed = re.sub(r"\s+", "", text)
    for expected in ON_DEPARTMENT_PAGE + ON_PROJECT_PAGE:
        assert re.sub(r"\s+", "", expected) in squeezed, expected


def csv_cells(site: Path) -> list[str]:
    cells: list[str] = []
    for path in sorted(site.rglob("*.csv")):
        rows = csv.reader(io.StringIO(path.read_text(encoding="utf-8-sig"), newline=""))
        cells += [cell for row in rows for cell in row]
    return cells


def test_csv_neutralises_formulas(site: Path) -> None:
    cells = csv_cells(site)
    assert [cell for cell in cells if cell.startswith(FORMULA_STARTS)] == []
    for formula in FORMULAS:
        assert "'" + formula in cells


def test_xlsx_stores_formulas_as_text(site: Path) -> None:
    for path in sorted(site.rglob("*.xlsx")):
        workbook = openpyxl.load_workbook(path)
        cells = [cell for sheet in workbook.worksheets for row in sheet.iter_rows() for cell in row]
        assert [cell.coordinate for cell in cells if cell.data_type == "f"] == [], path
        texts = {cell.value for cell in cells if cell.data_type == "s"}
        for formula in FORMULAS:
            assert formula in texts, (path, formula)


def json_strings(value: object) -> Iterator[str]:
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for item in value.values():
            yield from json_strings(item)
    elif isinstance(value, list):
        for item in value:
            yield from json_strings(item)


def test_json_keeps_the_raw_text(site: Path) -> None:
    for path in [site / "data" / "budget-performance.json", site / DEPARTMENT / "data" / "hostile-text-2023.json"]:
        strings = set(json_strings(json.loads(path.read_text(encoding="utf-8"))))
        for text in ON_DEPARTMENT_PAGE + ON_PROJECT_PAGE:
            assert text in strings, (path.name, text)


def test_sqlite_keeps_the_raw_text(site: Path) -> None:
    database = sqlite3.connect(site / "data" / "budget-performance.db")
    try:
        tables = [name for (name,) in database.execute("select name from sqlite_master where type = 'table'")]
        strings: set[str] = set()
        for table in tables:
            for row in database.execute(f'select * from "{table}"'):
                strings.update(value for value in row if isinstance(value, str))
    finally:
        database.close()
    purpose = "[点我](javascript:alert(1)) <img src=x onerror=alert(1)> # 标题"
    for text in [DEPARTMENT_NAME, PROJECT_NAME, *FORMULAS, purpose]:
        assert text in strings, text
