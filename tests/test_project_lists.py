"""A year of many projects lists them by region: an index of regions, a sortable page of each, whole departments."""

from __future__ import annotations

import hashlib
import re
import shutil
from decimal import Decimal
from pathlib import Path

import lxml.html
import pytest

from builder.data.load import load_all
from builder.pipeline.build import build
from builder.site import project_lists
from builder.site.pages import site_pages

DATA = Path(__file__).resolve().parent.parent / "data"


@pytest.fixture
def data(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The sample with 遵化's region left out, and pages of at most 9 projects (the sample has 28 in 4 departments:
    承德高新区 14, 唐山高新区 7 + 3, 遵化 4)."""
    shutil.copytree(DATA, tmp_path / "data")
    zunhua = tmp_path / "data" / "2023" / "zunhua-jingkaiqu.yaml"
    text = zunhua.read_text(encoding="utf-8")
    zunhua.write_text(text.replace("region: 遵化市\n", "", 1), encoding="utf-8")
    monkeypatch.setattr(project_lists, "PROJECTS_PER_PAGE", 9)
    return tmp_path / "data"


def key(region: str) -> str:
    return "r-" + hashlib.sha256(region.encode("utf-8")).hexdigest()[:10]


def test_the_index_lists_each_region_with_its_counts_and_totals(data: Path) -> None:
    loaded, errors = load_all([data])
    assert errors == []
    pages = {page.path: page.text for page in site_pages(loaded, with_pdf=False)}
    index = lxml.html.fromstring(pages["2023/projects/index.md"].split("---", 2)[2])
    rows = [[cell.text_content() for cell in row] for row in index.xpath("//tbody/tr")]
    assert rows == [
        ["唐山高新区（1/2）", "1", "7", "1848.51"],
        ["唐山高新区（2/2）", "1", "3", "4253"],
        ["承德高新区", "1", "14", "3050.50"],
        ["未注明地区", "1", "4", "72.55"],
    ]
    assert sum(Decimal(row[3]) for row in rows) == Decimal("9224.56")
    assert [cell.text_content() for cell in index.xpath("//tfoot/tr/*")] == ["合计", "4", "28", "9224.56"]
    links = index.xpath("//tbody//a/@href")
    assert links == [f"../../2023/projects/{key('唐山高新区')}-1/", f"../../2023/projects/{key('唐山高新区')}-2/",
                     f"../../2023/projects/{key('承德高新区')}/", f"../../2023/projects/{key('')}/"]  # fmt: skip
    for link in links:
        assert f"2023/projects/{link.split('/projects/')[1]}index.md" in pages


def test_a_region_page_holds_its_departments_projects_only(data: Path) -> None:
    loaded, _ = load_all([data])
    pages = {page.path: page.text for page in site_pages(loaded, with_pdf=False)}
    page = pages[f"2023/projects/{key('承德高新区')}/index.md"]
    assert "<h1>2023年全部项目：承德高新区</h1>" in page
    table = lxml.html.fromstring(page.split("---", 2)[2]).xpath("//table[@id='projects']")[0]
    rows = table.xpath("./tbody/tr")
    assert len(rows) == 14 and {row[2].text_content() for row in rows} == {"承德高新区"}
    assert sum(Decimal(row[3].text_content()) for row in rows) == Decimal("3050.50")
    assert 'name="region"' not in page  # one region: nothing to choose
    assert re.search(r'<a href="\.\./\.\./\.\./2023/projects/">全部项目</a>', page)


def test_a_small_year_keeps_one_page() -> None:
    loaded, _ = load_all([DATA])
    pages = {page.path: page.text for page in site_pages(loaded, with_pdf=False)}
    assert [path for path in pages if path.startswith("2023/projects/")] == ["2023/projects/index.md"]
    assert pages["2023/projects/index.md"].count("<tr><td><a href=") == 28


def test_a_build_publishes_the_region_pages_with_working_links(data: Path, tmp_path: Path) -> None:
    """The build's link check reads every page: a wrong link or a missing region page fails the build."""
    work = tmp_path / "work"
    build(data, work / "site", generated_dir=work / "generated", cache_dir=work / "cache", with_pdf=False)
    site = work / "site" / "2023" / "projects"
    assert sorted(path.parent.name for path in site.glob("*/index.html")) == sorted(
        [f"{key('唐山高新区')}-1", f"{key('唐山高新区')}-2", key("承德高新区"), key("")]
    )
    page = (site / f"{key('唐山高新区')}-2" / "index.html").read_text(encoding="utf-8")
    assert "2023年全部项目：唐山高新区（2/2）" in page and page.count('<tr><td><a href="../../../2023/') == 3
