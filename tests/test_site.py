"""The public website built from the sample data: pages, figures, merged cells, safety, reproducibility."""

from __future__ import annotations

import hashlib
import importlib.metadata
import re
import shutil
from decimal import Decimal
from pathlib import Path

import lxml.html
import pytest

from builder.cli import main
from builder.data.load import LoadedDepartment, load_all
from builder.data.model import Project
from builder.errors import BuilderError
from builder.pipeline.build import DataErrors, build
from builder.site import paths
from builder.site.linkcheck import check_site
from builder.site.pages import site_pages

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = ROOT / "data"
FIXTURE = ROOT / "tests" / "browser" / "data"  # 应急管理局（测试用）: 救灾物资 and strings written as HTML


def build_site(tmp: Path, name: str = "site") -> Path:
    """The four sample departments plus the test fixture, built without PDFs."""
    data = tmp / "data"
    if not data.exists():
        shutil.copytree(SAMPLE, data)
        shutil.copytree(FIXTURE, data, dirs_exist_ok=True)
    site = tmp / name
    build(data, site, with_pdf=False, generated_dir=tmp / f"generated-{name}")
    return site


@pytest.fixture(scope="module")
def work(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("site")


@pytest.fixture(scope="module")
def site(work: Path) -> Path:
    return build_site(work)


@pytest.fixture(scope="module")
def sample() -> list[LoadedDepartment]:
    loaded, errors = load_all([SAMPLE])
    assert not errors
    return loaded


def page(site: Path, url: str) -> lxml.html.HtmlElement:
    return lxml.html.fromstring((site / url / "index.html").read_text(encoding="utf-8"))


def text_of(element: lxml.html.HtmlElement) -> str:
    return " ".join(element.text_content().split())


def article(site: Path, url: str) -> str:
    return text_of(page(site, url).find_class("md-content__inner")[0])


def project_url(loaded: LoadedDepartment, name: str) -> str:
    department = loaded.department
    keys = dict(zip((p.name for p in department.projects), paths.project_keys(department), strict=True))
    return paths.project_dir(department.year, loaded.source.slug, keys[name])


def by_slug(sample: list[LoadedDepartment], slug: str) -> LoadedDepartment:
    return next(item for item in sample if item.source.slug == slug)


def cell_texts(row: lxml.html.HtmlElement) -> list[str]:
    return [text_of(cell) for cell in row.xpath("./th|./td")]


# Pages


def test_every_department_and_project_has_its_page(site: Path, sample: list[LoadedDepartment]) -> None:
    for url in ("", "2023/", "2023/projects/", "search/", "guide/", "about/"):
        assert (site / url / "index.html").is_file(), url
    for guide in ("deploy", "configuration", "split-builds", "data-quality-rules", "reference"):
        assert not (site / guide).exists(), guide  # admin guides live in docs/, not on the public site
    for loaded in sample:
        department = loaded.department
        assert (site / paths.department_dir(2023, loaded.source.slug) / "index.html").is_file()
        for key in paths.project_keys(department):
            assert (site / paths.project_dir(2023, loaded.source.slug, key) / "index.html").is_file()
    assert (site / "2023/fixture-yingji/13099923P00000110001Z/index.html").is_file()


def test_permalinks_use_the_project_code_or_a_stable_fallback(sample: list[LoadedDepartment]) -> None:
    fagaiju = by_slug(sample, "tangshan-gxq-fagaiju")
    assert project_url(fagaiju, "2022年全区突出贡献企业表彰").startswith("2023/tangshan-gxq-fagaiju/x")
    chengde = by_slug(sample, "chengde-gxq-jingkeju")
    assert project_url(chengde, "清洁能源取暖工作经费") == "2023/chengde-gxq-jingkeju/13081123P00002510002R/"


def test_home_page_lists_each_department_with_project_count_and_total(site: Path) -> None:
    rows = page(site, "").xpath("//div[@class='bp-listing']//tbody/tr")
    listing = {cell_texts(row)[0]: cell_texts(row)[1:] for row in rows}
    assert listing["高新区发改局"] == ["唐山高新区", "7", "1848.51"]  # 地区 tells two 高新区发改局 apart
    assert listing["高新区科技局"] == ["唐山高新区", "3", "4253"]
    assert listing["承德高新技术产业开发区经济与科技发展局"] == ["承德高新区", "14", "3050.50"]
    assert listing["河北遵化经济开发区管理委员会"] == ["遵化市", "4", "72.55"]
    assert "5 个部门，29 个项目，预算数合计 9313.36 万元" in article(site, "")


def test_hand_written_home_text_stays(site: Path) -> None:
    assert "所有数字与原文一致" in article(site, "")


# Department page


def test_department_page_has_part_one_in_full(site: Path, sample: list[LoadedDepartment]) -> None:
    loaded = by_slug(sample, "tangshan-gxq-fagaiju")
    text = article(site, "2023/tangshan-gxq-fagaiju/")
    part_one = loaded.department.part_one
    for paragraph in part_one.overall_goal:
        assert " ".join(paragraph.split()) in text
    assert "（三）坚持产业兴区，加快构建现代产业体系。" in text
    assert "（七）加强宣传培训调研等。" in text
    assert len(part_one.measures) == 7


def test_department_page_toc_nests_the_part_one_sections(site: Path) -> None:
    """The sidebar table of contents: h3 sections under their h2, each linking to a heading of the page."""
    html = page(site, "2023/tangshan-gxq-fagaiju/")
    toc = html.find_class("md-nav--secondary")[0]
    assert toc.xpath("./ul/li/a/@href") == ["#part-one", "#projects"]
    assert toc.xpath("./ul/li[1]/nav/ul/li/a/@href") == ["#overall-goal", "#sub-goals", "#measures"]
    headings = {element.get("id"): text_of(element) for element in html.xpath("//article//h2|//article//h3")}
    assert headings["part-one"] == "2023年部门整体绩效目标" and headings["measures"] == "三、工作保障措施"  # as printed


def test_department_page_lists_projects_with_totals(site: Path, sample: list[LoadedDepartment]) -> None:
    table = page(site, "2023/tangshan-gxq-fagaiju/").xpath("//div[@class='bp-projects']//table")[0]
    header = cell_texts(table.xpath(".//thead/tr")[0])
    # name and 预算数 first, the code last (on a phone each project is one block, theme/assets/budget/site.css)
    assert header == ["项目名称", "预算数（万元）", "财政资金", "其他资金", "项目编码"]
    rows = [cell_texts(row) for row in table.xpath(".//tbody/tr")]
    assert rows[0] == ["2022年全区突出贡献企业表彰", "500", "500", "", ""]
    assert rows[1][4] == "————"
    assert cell_texts(table.xpath(".//tfoot/tr")[0]) == ["合计（7 个项目）", "1848.51", "1848.51", "", ""]
    keys = paths.project_keys(by_slug(sample, "tangshan-gxq-fagaiju").department)
    expected = ["../../" + paths.project_dir(2023, "tangshan-gxq-fagaiju", key) for key in keys]
    assert table.xpath(".//tbody/tr/th[1]/a/@href") == expected


def test_department_page_links_its_pdf_when_pdfs_are_made(sample: list[LoadedDepartment]) -> None:
    pages = {generated.path: generated.text for generated in site_pages(sample, with_pdf=True)}
    department = pages["2023/tangshan-gxq-fagaiju/index.md"]
    assert 'href="../../2023/tangshan-gxq-fagaiju/tangshan-gxq-fagaiju-2023.pdf"' in department
    assert 'download="高新区发改局2023年部门预算绩效文本.pdf"' in department
    without = {generated.path: generated.text for generated in site_pages(sample, with_pdf=False)}
    assert ".pdf" not in without["2023/tangshan-gxq-fagaiju/index.md"]


def test_a_project_page_says_which_document_it_is_from_and_links_its_pdf(sample: list[LoadedDepartment]) -> None:
    """A journalist quoting one project: the page names the department's document and its source, and offers its PDF
    opened at this project."""
    key = paths.project_keys(by_slug(sample, "tangshan-gxq-fagaiju").department)[0]
    url = paths.project_dir(2023, "tangshan-gxq-fagaiju", key) + "index.md"
    project = {generated.path: generated.text for generated in site_pages(sample, with_pdf=True)}[url]
    start = project.index('<p class="bp-source"')
    source = lxml.html.fromstring(project[start : project.index("</p>", start)]).xpath("//a")
    assert [a.text_content() for a in source] == [
        "高新区发改局2023年部门预算绩效文本",
        "在 PDF 中查看",
        "下载本部门 PDF",
    ]
    pdf = "../../../2023/tangshan-gxq-fagaiju/tangshan-gxq-fagaiju-2023.pdf"
    assert source[1].get("href") == f"{pdf}#project-{key}"  # the PDF's named destination of this project
    assert source[2].get("href") == pdf
    assert "来源：唐山高新区 2023 年部门预算绩效文本（Word 文本导出）" in project[start : project.index("</p>", start)]
    assert ".pdf" not in {generated.path: generated.text for generated in site_pages(sample, with_pdf=False)}[url]


# Project page


def indicator_table(site: Path, url: str) -> lxml.html.HtmlElement:
    return page(site, url).xpath("//div[@class='bp-indicators']//table")[0]


def expanded_grid(table: lxml.html.HtmlElement) -> list[list[str]]:
    """The table with every merged cell copied into the rows it spans, as a reader sees the printed form."""
    pending: dict[int, tuple[str, int]] = {}  # column -> (text, rows still covered)
    grid = []
    for row in table.xpath("./tbody/tr"):
        cells, column, explicit = [], 0, iter(row.xpath("./th|./td"))
        while True:
            if column in pending:
                text, left = pending[column]
                cells.append(text)
                pending = {**pending, column: (text, left - 1)} if left > 1 else _without(pending, column)
            else:
                cell = next(explicit, None)
                if cell is None:
                    break
                cells.append(text_of(cell))
                if int(cell.get("rowspan", "1")) > 1:
                    pending[column] = (text_of(cell), int(cell.get("rowspan")) - 1)
            column += 1
        grid.append(cells)
    return grid


def _without(mapping: dict[int, tuple[str, int]], key: int) -> dict[int, tuple[str, int]]:
    return {k: v for k, v in mapping.items() if k != key}


def model_grid(project: Project) -> list[list[str]]:
    return [
        [" ".join((getattr(row, field) or "").split()) for field in ("level1", "level2", "name", "description")]
        + [row.value or "", " ".join((row.basis or "").split())]
        for row in project.indicators
    ]


def test_every_project_page_shows_its_budget_and_each_indicator_value(
    site: Path, sample: list[LoadedDepartment]
) -> None:
    for loaded in sample:
        for project in loaded.department.projects:
            url = project_url(loaded, project.name)
            text = article(site, url)
            assert project.budget.total.printed in text, url
            for amount in (project.budget.fiscal, project.budget.other):
                assert amount is None or amount.printed in text, url
            values = [row[4] for row in expanded_grid(indicator_table(site, url))]
            assert values == [indicator.value or "" for indicator in project.indicators], url


def test_indicator_table_has_every_column_and_merges_cells_like_the_printed_form(
    site: Path, sample: list[LoadedDepartment]
) -> None:
    for loaded in sample:
        for project in loaded.department.projects:
            table = indicator_table(site, project_url(loaded, project.name))
            assert cell_texts(table.xpath("./thead/tr")[0]) == [
                "一级指标",
                "二级指标",
                "三级指标",
                "绩效指标描述",
                "指标值",
                "指标值确定依据",
            ]
            assert expanded_grid(table) == model_grid(project)


def test_merged_cells_of_the_first_fagaiju_table(site: Path, sample: list[LoadedDepartment]) -> None:
    """高新区发改局, 2022年全区突出贡献企业表彰: 产出指标 spans its four rows, as printed."""
    url = project_url(by_slug(sample, "tangshan-gxq-fagaiju"), "2022年全区突出贡献企业表彰")
    rows = indicator_table(site, url).xpath("./tbody/tr")
    merged = [(text_of(cell), cell.get("rowspan")) for row in rows for cell in row.xpath("./th[@rowspan]")]
    assert merged == [
        ("产出指标", "4"),
        ("数量指标", "1"),
        ("质量指标", "1"),
        ("时效指标", "1"),
        ("成本指标", "1"),
        ("效果指标", "1"),
        ("可持续性影响", "1"),
        ("满意度指标", "1"),
        ("服务对象满意度指标", "1"),
    ]
    assert cell_texts(rows[0])[-2:] == ["≥10家", "工作安排"]


def test_project_page_shows_spending_plan_as_table_and_chart(site: Path, sample: list[LoadedDepartment]) -> None:
    url = project_url(by_slug(sample, "chengde-gxq-jingkeju"), "清洁能源取暖工作经费")
    spending = page(site, url).xpath("//div[@class='bp-spending']")[0]
    table = spending.xpath(".//table")[0]
    assert cell_texts(table.xpath(".//thead/tr")[0]) == ["3 月底", "6 月底", "10 月底", "12 月底"]  # as printed
    assert cell_texts(table.xpath(".//tbody/tr")[0]) == ["25%", "50%", "75%", "100%"]
    chart = spending.xpath(".//svg")[0]
    assert [text_of(label) for label in chart.xpath(".//*[@class='bp-chart-value']")] == ["25%", "50%", "75%", "100%"]
    assert [bar.get("height") for bar in chart.xpath(".//*[@class='bp-chart-bar']")] == ["25", "50", "75", "100"]


def test_project_page_shows_notes_when_present(site: Path, sample: list[LoadedDepartment]) -> None:
    url = project_url(by_slug(sample, "chengde-gxq-jingkeju"), "清洁能源取暖工作经费")
    text = article(site, url)
    assert "一、项目基本情况" in text and "（一）项目概况" in text and "（三）评价标准" in text
    assert "2023年该项目安排一般公共预算资金共计500万元" in text


# All projects


def test_all_projects_page_lists_every_project_in_wan_yuan(site: Path) -> None:
    table = page(site, "2023/projects/").xpath("//table[@id='projects']")[0]
    rows = [cell_texts(row) for row in table.xpath("./tbody/tr")]
    assert len(rows) == 29
    assert ["2022年全区突出贡献企业表彰", "高新区发改局", "唐山高新区", "500", "500", "", ""] in rows
    assert sum(Decimal(row[3]) for row in rows) == Decimal("9313.36")
    assert table.xpath("./thead/tr/th/@data-sort") == ["text", "text", "text", "number", "number", "number", "text"]


def test_pagefind_is_the_version_that_finds_chinese_words() -> None:
    """1.5.x re-segments Chinese queries in the browser and loses pages (Pagefind #1237; benchmarks/README.md)."""
    assert importlib.metadata.version("pagefind_bin_extended") == "1.4.0"


# Safety, privacy, reproducibility

# Known URLs inside vendored JavaScript that are never fetched on this site.
INERT_VENDOR_URLS = {
    "https://unpkg.com/mermaid": "Material: only for ```mermaid diagrams, which the site has none of",
    "https://unpkg.com/resize-observer-polyfill": "Material: only for browsers without ResizeObserver (pre-2020)",
    "https://api.github.com/repos/": "Material: repository facts, only with repo_url set",
    "https://api.github.com/users/": "Material: repository facts, only with repo_url set",
    "https://clipboardjs.com/": "Material: a licence comment",
    "https://fontawesome.com": "Material's CSS: a licence comment for its icons",
    "https://json-schema.org/draft/2020-12/schema": "JSON Schema: the `$schema` identifier, a name not fetched",
    "https://example.com": "Pagefind: a dummy base for parsing relative URLs",
    "http://www.apache.org/licenses/": "OpenCC's character table: the licence text beside it (assets/budget/opencc/)",
    "http://www.w3.org/2000/svg": "SVG namespace name, not fetched",
    "http://www.w3.org/1999/xlink": "SVG namespace name, not fetched",
}
URL = re.compile(r"https?://[A-Za-z0-9.-]+(?:/[A-Za-z0-9._/-]*)?")


def external_urls(text: str) -> set[str]:
    return {url for url in URL.findall(text) if not url.startswith(("http://www.w3.org/2000/svg", "http://127."))}


def test_no_page_loads_anything_from_another_host(site: Path) -> None:
    """Only a reader's click on a hand-written link (`<a href>`) may lead to another site."""
    assert check_site(site) == []
    for path in site.rglob("*.html"):
        tree = lxml.html.fromstring(path.read_bytes())
        for element in tree.iter():
            for name, value in element.attrib.items():
                if not (element.tag == "a" and name == "href"):
                    assert not external_urls(value), (path, element.tag, name, value)
        for code in tree.xpath("//script/text()|//style/text()"):
            assert not external_urls(code), path


def test_no_asset_references_an_external_host(site: Path) -> None:
    found = {}
    for path in site.rglob("*"):
        if path.suffix in (".css", ".js", ".json", ".xml", ".txt", ".map", ".svg"):
            for url in URL.findall(path.read_text(encoding="utf-8", errors="replace")):
                if not any(url.startswith(inert) for inert in INERT_VENDOR_URLS):
                    found[url] = str(path.relative_to(site))
    assert found == {}


def test_strings_from_yaml_show_as_text_never_as_markup(site: Path) -> None:
    for path in site.rglob("*.html"):
        html = path.read_text(encoding="utf-8")
        for markup in ("<script>alert", "<img src=x", '<a href="javascript:', "<b>帐篷"):
            assert markup not in html, path
    project = page(site, "2023/fixture-yingji/13099923P00000110001Z/")
    assert text_of(project.xpath("//h1")[0]) == "救灾物资储备 <script>alert(1)</script>"
    assert text_of(project.xpath("//title")[0]).startswith("救灾物资储备 <script>alert(1)</script>")
    assert not project.xpath("//script[contains(., 'alert')]")
    department = page(site, "2023/fixture-yingji/")
    assert text_of(department.xpath("//h1")[0]).startswith('应急管理局（测试用）<script>alert("部门")</script>')


def tree_digest(folder: Path) -> dict[str, str]:
    return {
        str(path.relative_to(folder)): hashlib.sha256(path.read_bytes()).hexdigest()
        for path in sorted(folder.rglob("*"))
        if path.is_file()
    }


def test_two_builds_give_identical_bytes(site: Path, work: Path) -> None:
    again = build_site(work, "site-again")
    assert tree_digest(again) == tree_digest(site)


def test_a_build_leaves_data_and_hand_written_pages_alone(work: Path) -> None:
    content = {p: d for p, d in tree_digest(ROOT / "content").items() if not p.startswith("generated")}
    data = tree_digest(SAMPLE)
    build_site(work, "site-check")
    assert {p: d for p, d in tree_digest(ROOT / "content").items() if not p.startswith("generated")} == content
    assert tree_digest(SAMPLE) == data


def test_a_failed_build_keeps_the_previous_site(site: Path, work: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    before = tree_digest(site)

    def broken_index(*args: object, **kwargs: object) -> None:
        raise BuilderError("Pagefind 出错（测试）")

    monkeypatch.setattr("builder.pipeline.steps.index_search.index_shards", broken_index)
    with pytest.raises(BuilderError):
        build(work / "data", site, with_pdf=False, generated_dir=work / "generated-failed")
    assert tree_digest(site) == before
    assert not list(work.glob(".site-build-*"))


def test_bad_data_gives_located_messages_and_exit_code_1(
    tmp_path: Path, site: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    bad = tmp_path / "data" / "2023"
    bad.mkdir(parents=True)
    text = (SAMPLE / "2023" / "tangshan-gxq-kejiju.yaml").read_text(encoding="utf-8")
    (bad / "tangshan-gxq-kejiju.yaml").write_text(text.replace("year: 2023", "year: 2023\nyaer: 2023"), "utf-8")
    before = tree_digest(site)
    assert main(["build", "--data", str(tmp_path / "data"), "--site", str(site), "--no-pdf"]) == 1
    error = capsys.readouterr().err
    assert "tangshan-gxq-kejiju.yaml:3 yaer: 未知字段 `yaer`" in error
    assert "Traceback" not in error
    assert tree_digest(site) == before
    with pytest.raises(DataErrors):
        build(tmp_path / "data", site, with_pdf=False, generated_dir=tmp_path / "generated")


# Search index: published reader content only


def test_search_indexes_reader_content_and_no_admin_page(site: Path) -> None:
    indexed = {
        path.relative_to(site).as_posix().removesuffix("index.html")
        for path in site.rglob("index.html")
        if b"data-pagefind-body" in path.read_bytes()
    }
    assert {"2023/", "2023/quality/", "2023/tangshan-gxq-kejiju/", "2023/tangshan-gxq-kejiju/quality/"} <= indexed
    assert {"guide/", "about/", "data-dictionary/"} <= indexed
    # admin guides, the search page, the home page, the download list and the all-projects table are not
    for page in ["deploy/", "configuration/", "split-builds/", "reference/data-format/", "data-quality-rules/", ""]:
        assert page not in indexed, page
    assert not {"search/", "downloads/", "2023/projects/"} & indexed
    outside = {page for page in indexed if not page[:4].isdigit()}
    assert outside == {"guide/", "about/", "data-dictionary/"}
    # the navigation and the back link stay out of the excerpts
    project = (site / "2023/tangshan-gxq-kejiju/xa08f5fa5/index.html").read_text(encoding="utf-8")
    assert '<nav class="bp-crumbs" aria-label="当前位置" data-pagefind-ignore>' in project
    assert '<p class="bp-back" data-pagefind-ignore>' in project
    assert 'data-pagefind-meta="keys:｜机器人产业扶持资金项目绩效目标表｜' not in project  # no empty code
    assert 'data-pagefind-meta="keys:机器人产业扶持资金项目绩效目标表｜扶持机器人孵化中心的数量' in project
