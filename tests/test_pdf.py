"""The department PDFs of the sample data: 目录 page numbers, outline, fonts, figures, metadata, bytes.

Every sample department is rendered once (two worker processes, like `make site`); the
checks read the PDFs back with pypdf and poppler's pdftotext, as a reader's tools would.
Pages 1, the 目录 and a table page are saved as PNG in tests/artifacts/pdf/ to look at.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import unicodedata
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

import pytest
from pypdf import PdfReader
from pypdf.generic import IndirectObject

from builder.data.load import LoadedDepartment, load_all
from builder.pdf.html import ProjectSection, contents_lines, document_html, number_runs, project_sections
from builder.pipeline.steps.render_pdfs import render_pdfs
from builder.pipeline.store import Store
from builder.site import paths

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = ROOT / "data"
ARTIFACTS = ROOT / "tests" / "artifacts" / "pdf"
PART_ONE_SECTIONS = ["一、总体绩效目标", "二、分项绩效目标", "三、工作保障措施"]

needs_poppler = pytest.mark.skipif(shutil.which("pdftotext") is None, reason="poppler-utils 未安装")


def squeeze(text: str) -> str:
    """Text without any whitespace: table cells and long headings wrap, the characters stay in order."""
    return re.sub(r"\s+", "", text)


@dataclass
class RenderedPdf:
    """One department's PDF with its model, read back as a reader's tools see it."""

    loaded: LoadedDepartment
    path: Path

    @cached_property
    def reader(self) -> PdfReader:
        return PdfReader(self.path)

    @cached_property
    def pages(self) -> list[str]:
        """Each page's text in content order (pdftotext -raw), whitespace removed; index 0 is page 1."""
        command = ["pdftotext", "-raw", str(self.path), "-"]
        text = subprocess.run(command, capture_output=True, check=True, text=True).stdout
        return [squeeze(page) for page in text.split("\f")][: len(self.reader.pages)]

    @cached_property
    def sections(self) -> list[ProjectSection]:
        return project_sections(self.loaded.department)

    @cached_property
    def part_labels(self) -> tuple[str, str]:
        """The parts as the 目录 and the outline name them: the printed heading, or the usual one if none is printed."""
        headings = self.loaded.department.headings
        return headings.part_one or "第一部分　部门整体绩效目标", headings.part_two or "第二部分　预算项目绩效目标"

    @cached_property
    def toc_pages(self) -> list[int]:
        """The 1-based numbers of the 目录 pages: from its title to the page before 第一部分 begins."""
        first = next(
            number for number, text in enumerate(self.pages, 1) if "目录" + squeeze(self.part_labels[0]) in text
        )
        part_one = self.reader.get_destination_page_number(self.reader.outline[0]) + 1
        return list(range(first, part_one))

    def project_start_page(self, section: ProjectSection) -> int:
        """The page a project begins on: its 说明's title, else its printed 表题, else the table."""
        project = section.project
        marker = (project.notes.title if project.notes else None) or project.title or "项目编码"
        previous = [self.project_start_page(other) for other in self.sections[: self.sections.index(section)]]
        return self._first_page(marker, after=max([self.toc_pages[-1], *previous]), what=section.heading)

    def table_page(self, section: ProjectSection) -> int:
        """The page a project's 表题 is printed on (its table's, when it has none): where its 目录 entry points."""
        marker = section.project.title or "项目编码"
        return self._first_page(marker, after=self.project_start_page(section) - 1, what=section.heading)

    def _first_page(self, marker: str, after: int, what: str) -> int:
        pages = [n for n, text in enumerate(self.pages, 1) if n > after and squeeze(marker) in text]
        assert pages, f"{what} 不在正文中"
        return pages[0]

    def body_page(self, label: str) -> int:
        """The page a 目录 entry points at in the body."""
        if label == self.part_labels[1]:
            return self.project_start_page(self.sections[0])
        section = next((section for section in self.sections if section.heading == label), None)
        if section is not None:
            return self.table_page(section)
        headings = self.loaded.department.headings
        return self.first_page_after_toc(headings.overall_goal if label == self.part_labels[0] else label)

    @property
    def toc_page(self) -> int:
        return self.toc_pages[0]

    def first_page_after_toc(self, heading: str) -> int:
        """The page where a heading is printed in the body (the 目录 lists it too, so look after it)."""
        needle = squeeze(heading)
        body = [number for number, text in enumerate(self.pages, 1) if number > self.toc_pages[-1] and needle in text]
        assert body, f"{heading} 不在正文中"
        return body[0]

    def toc_entries(self) -> list[tuple[str, int]]:
        """(label, printed page number) of every 目录 entry with a page, in order; an entry the original lists
        without a table must be there too, with its note and no page number."""
        toc = "".join(self.pages[number - 1] for number in self.toc_pages)
        department = self.loaded.department
        headings = department.headings
        labels = [(self.part_labels[0], True), (headings.overall_goal, True), (headings.sub_goals, True)]
        labels += [(headings.measures, True), (self.part_labels[1], True)]
        labels += [(line.heading, line.section is not None) for line in contents_lines(department, self.sections)]
        entries, position = [], 0
        for (label, paged), following in zip(labels, [*labels[1:], None], strict=True):
            # The number runs up to the next entry, which may begin with a digit itself.
            end = f"(?={re.escape(squeeze(following[0]))})" if following else r"(?!\d)"
            page = r"[.…·]*(\d+)" if paged else "（原文目录列有此项，正文无绩效目标表）()"
            match = re.compile(re.escape(squeeze(label)) + page + end).search(toc, position)
            assert match, f"目录中找不到 {label}"
            if paged:
                entries.append((label, int(match[1])))
            position = match.end()
        return entries


@pytest.fixture(scope="session")
def rendered(tmp_path_factory: pytest.TempPathFactory) -> dict[str, RenderedPdf]:
    loaded, errors = load_all([SAMPLE])
    assert not errors and loaded
    site = tmp_path_factory.mktemp("site")
    with pytest.MonkeyPatch.context() as env:
        env.delenv("SOURCE_DATE_EPOCH", raising=False)  # other tests' builds may have set it
        outputs = render_pdfs(loaded, site, jobs=2, store=Store(tmp_path_factory.mktemp("cache")))
    return {item.source.slug: RenderedPdf(item, path) for item, path in zip(loaded, outputs, strict=True)}


def sample_slugs() -> list[str]:
    return sorted(path.stem for path in SAMPLE.glob("*/*.yaml"))


def test_every_sample_department_gets_its_pdf(rendered: dict[str, RenderedPdf]) -> None:
    assert sorted(rendered) == sample_slugs()
    for pdf in rendered.values():
        department = pdf.loaded.department
        assert pdf.path.as_posix().endswith(paths.pdf_path(department.year, pdf.loaded.source.slug))
        assert pdf.path.read_bytes().startswith(b"%PDF-")


@needs_poppler
@pytest.mark.parametrize("slug", sample_slugs())
def test_toc_lists_every_project_with_the_page_its_heading_is_on(rendered: dict[str, RenderedPdf], slug: str) -> None:
    pdf = rendered[slug]
    entries = pdf.toc_entries()
    assert len(entries) == 5 + len(pdf.loaded.department.projects)
    for label, printed_page in entries:
        assert printed_page == pdf.body_page(label), label


@needs_poppler
@pytest.mark.parametrize("slug", sample_slugs())
def test_toc_links_jump_to_the_printed_page(rendered: dict[str, RenderedPdf], slug: str) -> None:
    pdf = rendered[slug]
    toc_index = pdf.toc_page - 1
    targets = [pdf.reader.get_destination_page_number(dest) + 1 for dest in _link_targets(pdf.reader, toc_index)]
    assert targets == [page for _, page in pdf.toc_entries()]


def _link_targets(reader: PdfReader, page_index: int) -> list:
    """The named destinations the page's links point to, in order (a link broken over lines counts once)."""
    names: list[str] = []
    for annotation in reader.pages[page_index].get("/Annots", []):
        annotation = annotation.get_object() if isinstance(annotation, IndirectObject) else annotation
        name = str(annotation.get("/Dest", ""))
        if annotation.get("/Subtype") == "/Link" and name and name not in names:
            names.append(name)
    return [reader.named_destinations[name] for name in names]


@needs_poppler
@pytest.mark.parametrize("slug", sample_slugs())
def test_outline_mirrors_the_toc_with_one_entry_per_project(rendered: dict[str, RenderedPdf], slug: str) -> None:
    pdf = rendered[slug]
    outline = pdf.reader.outline
    parts = [item for item in outline if not isinstance(item, list)]
    children = [item for item in outline if isinstance(item, list)]
    assert [part.title for part in parts] == list(pdf.part_labels)
    assert [item.title for item in children[0]] == PART_ONE_SECTIONS
    assert [item.title for item in children[1]] == [section.heading for section in pdf.sections]
    assert len(children[1]) == len(pdf.loaded.department.projects)
    for item, section in zip(children[1], pdf.sections, strict=True):
        assert pdf.reader.get_destination_page_number(item) + 1 == pdf.table_page(section)


@needs_poppler
@pytest.mark.parametrize("slug", sample_slugs())
def test_no_word_field_errors_anywhere(rendered: dict[str, RenderedPdf], slug: str) -> None:
    text = "".join(rendered[slug].pages)
    assert "错误" not in text
    assert "未定义书签" not in text


@needs_poppler
@pytest.mark.parametrize("slug", sample_slugs())
def test_budget_of_every_project_is_printed_on_its_table_page(rendered: dict[str, RenderedPdf], slug: str) -> None:
    pdf = rendered[slug]
    starts = [pdf.project_start_page(section) for section in pdf.sections] + [len(pdf.pages) + 1]
    for section, start, end in zip(pdf.sections, starts, starts[1:], strict=False):
        project = section.project
        table_pages = [n for n in range(start, end) if "预算数" in pdf.pages[n - 1] and "项目编码" in pdf.pages[n - 1]]
        assert table_pages, f"{section.heading}: 找不到项目绩效目标表"
        page = pdf.pages[table_pages[0] - 1]
        assert squeeze(project.budget.total.printed) in page, section.heading
        assert squeeze(project.name) in page


@needs_poppler
@pytest.mark.parametrize("slug", sample_slugs())
def test_text_copies_out_as_the_published_characters(rendered: dict[str, RenderedPdf], slug: str) -> None:
    pdf = rendered[slug]
    text = "".join(pdf.pages)
    assert "\ufffd" not in text
    assert not re.search(r"[\ue000-\uf8ff]", text), "私用区字符：字体没有正确的 ToUnicode 映射"
    department = pdf.loaded.department
    assert squeeze(department.part_one.overall_goal[0]) in text
    for project in department.projects:
        for indicator in project.indicators:
            if indicator.value:
                assert squeeze(indicator.value) in text, indicator.value


def _printed_width(text: str) -> float:
    """A text's width in characters of the table type: a Chinese character 1, a digit, letter or sign about half."""
    return sum(1 if unicodedata.east_asian_width(char) in "WF" else 0.55 for char in text)


@needs_poppler
@pytest.mark.parametrize("slug", sample_slugs())
def test_a_value_that_fits_its_cell_copies_out_on_one_line(rendered: dict[str, RenderedPdf], slug: str) -> None:
    """A journalist copying `≥20000公里` or `=188.51万元` out of the 指标值 column gets it whole, not `≥20000公` and
    `里` on two lines: values up to 7 characters wide print on one line (in the 5-character column they broke)."""
    pdf = rendered[slug]
    command = ["pdftotext", "-layout", str(pdf.path), "-"]
    lines = [
        squeeze(line)
        for line in subprocess.run(command, capture_output=True, check=True, text=True).stdout.splitlines()
    ]
    values = {i.value for p in pdf.loaded.department.projects for i in p.indicators if i.value}
    short = sorted(value for value in values if _printed_width(value) <= 7)
    assert short
    broken = [value for value in short if not any(squeeze(value) in line for line in lines)]
    assert broken == []


@pytest.mark.parametrize(
    ("value", "printed"),
    [
        ("≥20000公里", "[≥20000公里]"),
        ("=300万元/家", "[=300万元]/家"),
        ("2023年12月31日前", "[2023年][12月][31日前]"),
        ("≥90 百分比", "[≥90] 百分比"),
        ("完成 1.1 万户配送", "完成 [1.1] 万户配送"),
        ("1234567890123", "1234567890123"),  # longer than a cell is wide: free to break
        ("", ""),
        (None, ""),
    ],
)
def test_a_number_with_its_sign_and_unit_is_printed_unbroken(value: str | None, printed: str) -> None:
    assert "".join(f"[{text}]" if run else text for text, run in number_runs(value)) == printed


def test_an_unbroken_value_is_still_escaped(rendered: dict[str, RenderedPdf]) -> None:
    """Text from the data stays text in the print HTML, number runs or not."""
    department = rendered["tangshan-gxq-fagaiju"].loaded.department
    project = department.projects[0]
    row = project.indicators[0].model_copy(update={"value": "≥5个<script>&"})
    hostile = project.model_copy(update={"indicators": [row, *project.indicators[1:]]})
    html = document_html(department.model_copy(update={"projects": [hostile, *department.projects[1:]]}))
    assert '<span class="unbroken">≥5个</span>&lt;script&gt;&amp;' in html


@needs_poppler
@pytest.mark.parametrize("slug", sample_slugs())
def test_the_pdf_says_where_its_text_comes_from(rendered: dict[str, RenderedPdf], slug: str) -> None:
    """A reader holding only the PDF learns, under the 目录, that it is set again from the original and from which."""
    pdf = rendered[slug]
    toc = "".join(pdf.pages[number - 1] for number in pdf.toc_pages)
    assert "本文件按原文的结构和表格重新排版，文字和数字照录原文。" in toc
    source = pdf.loaded.department.source
    assert source and squeeze(f"来源：{source}") in toc


@needs_poppler
@pytest.mark.parametrize("slug", sample_slugs())
def test_each_project_page_link_opens_the_pdf_at_that_project(rendered: dict[str, RenderedPdf], slug: str) -> None:
    """The project page's 在 PDF 中查看 links `<pdf>#project-<key>`: that destination is the project's first page."""
    pdf = rendered[slug]
    keys = paths.project_keys(pdf.loaded.department)
    destinations = pdf.reader.named_destinations
    for project, key in zip(pdf.loaded.department.projects, keys, strict=True):
        section = next(section for section in pdf.sections if section.project is project)
        page = pdf.reader.get_destination_page_number(destinations[f"project-{key}"]) + 1
        assert page == pdf.project_start_page(section), project.name


@pytest.mark.parametrize("slug", sample_slugs())
def test_all_fonts_are_embedded_cjk_subsets(rendered: dict[str, RenderedPdf], slug: str) -> None:
    fonts = _fonts(rendered[slug].reader)
    assert fonts
    for name, embedded in fonts.items():
        assert embedded, f"{name} 未嵌入"
        assert re.match(r"/[A-Z]{6}\+Noto-(Serif|Sans)-CJK-SC", name), name  # subset tag + the named CJK font


def _fonts(reader: PdfReader) -> dict[str, bool]:
    fonts = {}
    for page in reader.pages:
        for font in page["/Resources"].get("/Font", {}).values():
            font = font.get_object()
            for descendant in font.get("/DescendantFonts", [font]):
                descriptor = descendant.get_object()["/FontDescriptor"].get_object()
                name = str(descriptor["/FontName"])
                fonts[name] = any(key in descriptor for key in ("/FontFile", "/FontFile2", "/FontFile3"))
    return fonts


@pytest.mark.skipif(shutil.which("pdffonts") is None, reason="poppler-utils 未安装")
def test_pdffonts_reports_every_font_embedded(rendered: dict[str, RenderedPdf]) -> None:
    for pdf in rendered.values():
        lines = subprocess.run(["pdffonts", str(pdf.path)], capture_output=True, check=True, text=True).stdout
        rows = lines.splitlines()[2:]
        assert rows
        for row in rows:
            assert re.search(r"\s(yes)\s+(yes)\s+(yes)\s", row), row  # emb, sub, uni


@pytest.mark.parametrize("slug", sample_slugs())
def test_metadata_title_author_language_and_tags(rendered: dict[str, RenderedPdf], slug: str) -> None:
    pdf = rendered[slug]
    department = pdf.loaded.department
    info = pdf.reader.metadata
    assert info.title == f"{department.department}{department.year}年部门预算绩效文本"
    assert info.author == department.department
    assert "/CreationDate" not in info and "/ModDate" not in info
    catalog = pdf.reader.trailer["/Root"]
    assert catalog["/Lang"] == "zh-CN"
    assert catalog["/MarkInfo"]["/Marked"]
    assert "/StructTreeRoot" in catalog
    assert catalog["/PageMode"] == "/UseOutlines"


@needs_poppler
def test_cover_has_no_running_header_or_page_number(rendered: dict[str, RenderedPdf]) -> None:
    for pdf in rendered.values():
        department = pdf.loaded.department
        cover, second = pdf.pages[0], pdf.pages[1]
        assert "部门预算绩效文本" in cover
        assert "—1—" not in cover and cover.count(squeeze(department.department)) <= 2
        assert second.endswith(squeeze(f"{department.department}{department.year}年部门预算绩效文本—2—"))


@pytest.mark.skipif(shutil.which("pdftoppm") is None, reason="poppler-utils 未安装")
def test_save_pages_as_png_for_people_to_look_at(rendered: dict[str, RenderedPdf]) -> None:
    """Not an assertion on looks: cover, 目录 and the first page with a whole form, per department, at 100 dpi."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    for slug, pdf in rendered.items():
        table_page = next(n for n, text in enumerate(pdf.pages, 1) if "项目编码" in text and "一级指标" in text)
        for label, page in (("cover", 1), ("toc", pdf.toc_page), ("table", table_page)):
            prefix = ARTIFACTS / f"{slug}-{label}"
            pages = ["-f", str(page), "-l", str(page)]
            subprocess.run(["pdftoppm", "-png", "-r", "100", "-singlefile", *pages, str(pdf.path), prefix], check=True)
            assert prefix.with_suffix(".png").stat().st_size > 10_000
