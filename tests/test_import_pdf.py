"""PDF, .doc and .wps import: the sample departments come back unchanged through real LibreOffice and WeasyPrint PDFs.

The fixtures are made the way published documents are: the .docx files of `docx_fixtures`
(vertically merged 一级/二级指标, label cells spanning rows) with a running header, page
numbers in the footer and, for some, the first table row repeated on every page, printed
to PDF by LibreOffice (`soffice --convert-to pdf`) — and this project's own PDFs (WeasyPrint).
"""

from __future__ import annotations

import copy
import re
import shutil
import subprocess
import sys
import time
import zlib
from pathlib import Path

import pdfplumber
import pytest
from docx import Document
from docx.enum.section import WD_ORIENT
from docx.enum.text import WD_LINE_SPACING
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm, Pt
from docx_fixtures import Layout, write_docx
from PIL import Image, ImageDraw
from test_import_docx import SAMPLES, sample, without_source

from builder.cli import main
from builder.data.load import load_department
from builder.data.model import Department
from builder.data.slugs import slugify
from builder.importer import office
from builder.importer.pdf import bounded as pdf_bounded
from builder.importer.pdf.reader import parse_pdf
from builder.importer.run import read_document
from builder.pipeline.steps.render_pdfs import render_pdf

ROOT = Path(__file__).resolve().parents[1]
# How each sample's office prints its page furniture (a running header, and a page number in one of the shapes
# offices use), and whether Word repeats the table's first row on every page.
FURNITURE = {
    "tangshan-gxq-fagaiju": ("header", "{PAGE}", False),
    "tangshan-gxq-kejiju": (None, "— {PAGE} —", True),
    "chengde-gxq-jingkeju": ("header", "第 {PAGE} 页共 {NUMPAGES} 页", True),
    "zunhua-jingkaiqu": ("header", "— {PAGE} —\n第 {PAGE} 页", False),
}
FURNITURE_TEXT = re.compile(r"—\s*\d+\s*—|第\s*\d+\s*页|部门预算绩效文本")

pytestmark = pytest.mark.skipif(office.soffice() is None, reason="LibreOffice（libreoffice-writer-nogui）未安装")


def header_text(department: Department) -> str:
    return f"{department.department}{department.year}年部门预算绩效文本"


def _field_run(paragraph, code: str) -> None:
    """A PAGE or NUMPAGES field, as Word writes it."""
    field = OxmlElement("w:fldSimple")
    field.set(qn("w:instr"), f" {code} ")
    run = OxmlElement("w:r")
    text = OxmlElement("w:t")
    text.text = "1"
    run.append(text)
    field.append(run)
    paragraph._p.append(field)


def _write_with_fields(paragraph, pattern: str) -> None:
    for piece in re.split(r"(\{PAGE\}|\{NUMPAGES\})", pattern):
        if piece in ("{PAGE}", "{NUMPAGES}"):
            _field_run(paragraph, piece.strip("{}"))
        elif piece:
            paragraph.add_run(piece)


def furnish(path: Path, department: Department, header: str | None, footer: str, repeat_first_row: bool) -> Path:
    """Add a running header, a page-number footer and repeated table header rows to a .docx."""
    document = Document(str(path))
    section = document.sections[0]
    if header:
        section.header.paragraphs[0].text = header_text(department)
    lines = footer.split("\n")
    _write_with_fields(section.footer.paragraphs[0], lines[0])
    for line in lines[1:]:
        _write_with_fields(section.footer.add_paragraph(), line)
    if repeat_first_row:
        for table in document.tables:
            properties = table.rows[0]._tr.get_or_add_trPr()
            properties.append(OxmlElement("w:tblHeader"))
    document.save(str(path))
    return path


def soffice(files: list[Path], target: str, out: Path) -> list[Path]:
    """Convert with LibreOffice headless, as an office or the held-out check does, in a throwaway profile."""
    profile = (out / "profile").as_uri()
    command = [office.soffice(), f"-env:UserInstallation={profile}", "--headless", "--convert-to", target]
    subprocess.run([*command, "--outdir", str(out), *map(str, files)], check=True, capture_output=True, timeout=300)
    return [out / f"{file.stem}.{target}" for file in files]


def official_style(path: Path) -> Path:
    """Restyle as government offices set their documents (公文): A4, 16 pt body with a two-character first-line
    indent, exactly 28 pt line spacing and no space between paragraphs (so only the indent and the line ends
    tell paragraphs apart), table cells centred vertically in 10.5 pt."""
    document = Document(str(path))
    section = document.sections[0]
    section.page_width, section.page_height = Mm(210), Mm(297)
    section.left_margin = section.right_margin = Mm(28)
    section.top_margin, section.bottom_margin = Mm(37), Mm(35)
    body = document.styles["Normal"]
    body.font.size = Pt(16)
    spacing = body.paragraph_format
    spacing.first_line_indent, spacing.line_spacing_rule, spacing.line_spacing = Pt(32), WD_LINE_SPACING.EXACTLY, Pt(28)
    spacing.space_before = spacing.space_after = Pt(0)
    for table in document.tables:
        for cell in (cell for row in table.rows for cell in row.cells):
            properties = cell._tc.get_or_add_tcPr()
            if properties.find(qn("w:vAlign")) is None:
                centre = OxmlElement("w:vAlign")
                centre.set(qn("w:val"), "center")
                properties.append(centre)
            for paragraph in cell.paragraphs:
                paragraph.paragraph_format.first_line_indent = Pt(0)
                paragraph.paragraph_format.line_spacing_rule = WD_LINE_SPACING.SINGLE
                for run in paragraph.runs:
                    run.font.size = Pt(10.5)
    document.save(str(path))
    return path


def vertical_levels(path: Path) -> Path:
    """Set the merged 一级指标 cells in vertical text (文字方向：竖排), as many offices do for a narrow column."""
    document = Document(str(path))
    for table in document.tables:
        for cell in (cell for row in table.rows for cell in row.cells):
            properties = cell._tc.get_or_add_tcPr()
            level = cell.text.strip().endswith("指标") and len(cell.text.strip()) <= 5
            if level and properties.find(qn("w:textDirection")) is None:
                direction = OxmlElement("w:textDirection")
                direction.set(qn("w:val"), "tbRl")
                properties.append(direction)
    document.save(str(path))
    return path


def landscape_part_two(path: Path) -> Path:
    """Print 第二部分 (the tables) on landscape pages: a second section, as offices do for wide tables."""
    document = Document(str(path))
    portrait = document.element.body.find(qn("w:sectPr"))
    heading = next(paragraph for paragraph in document.paragraphs if paragraph.text.strip() == "第二部分")
    heading._p.getprevious().get_or_add_pPr().append(copy.deepcopy(portrait))  # part one ends a portrait section
    section = document.sections[-1]
    section.orientation = WD_ORIENT.LANDSCAPE
    section.page_width, section.page_height = section.page_height, section.page_width
    document.save(str(path))
    return path


@pytest.fixture(scope="module")
def synthetic(tmp_path_factory: pytest.TempPathFactory) -> Department:
    """A 15-project department made from the samples' texts (benchmarks/generate_corpus.py), other codes and sums."""
    sys.path.insert(0, str(ROOT / "benchmarks"))
    from generate_corpus import generate

    [path] = generate(1, tmp_path_factory.mktemp("synthetic"), ROOT / "data", projects=15, seed=19)
    return load_department(path).department


@pytest.fixture(scope="module")
def word_files(tmp_path_factory: pytest.TempPathFactory, synthetic: Department) -> dict[str, Path]:
    """Each sample as its office's .docx; and again in 公文 style (`<slug>-official`); and a synthetic one."""
    folder = tmp_path_factory.mktemp("word")
    path = write_docx(synthetic, folder / "synthetic.docx", Layout(split_labels=True, blank_header_row=True))
    files = {"synthetic": official_style(furnish(path, synthetic, "header", "第 {PAGE} 页共 {NUMPAGES} 页", True))}
    for slug, (_, layout) in SAMPLES.items():
        department = sample(slug)
        path = write_docx(department, folder / f"{slug}.docx", layout)
        files[slug] = furnish(path, department, *FURNITURE[slug])
        official = write_docx(department, folder / f"{slug}-official.docx", layout)
        files[f"{slug}-official"] = official_style(furnish(official, department, *FURNITURE[slug]))
    for slug in ("chengde-gxq-jingkeju", "zunhua-jingkaiqu"):
        wide = write_docx(sample(slug), folder / f"{slug}-landscape.docx", SAMPLES[slug][1])
        files[f"{slug}-landscape"] = landscape_part_two(furnish(wide, sample(slug), *FURNITURE[slug]))
    kejiju = sample("tangshan-gxq-kejiju")
    vertical = write_docx(kejiju, folder / "vertical.docx", SAMPLES["tangshan-gxq-kejiju"][1])
    files["vertical"] = vertical_levels(furnish(vertical, kejiju, *FURNITURE["tangshan-gxq-kejiju"]))
    return files


@pytest.fixture(scope="module")
def libreoffice_pdfs(word_files: dict[str, Path], tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    out = tmp_path_factory.mktemp("pdf")
    return dict(zip(word_files, soffice(list(word_files.values()), "pdf", out), strict=True))


def imported(path: Path, slug: str) -> Department:
    data, _ = parse_pdf(path, region=SAMPLES[slug][0])
    return Department.model_validate(data)


# ── LibreOffice-printed Word tables ───────────────────────────────────────────────


@pytest.mark.parametrize("slug", SAMPLES)
def test_libreoffice_pdf_imports_back_to_the_sample_data(slug: str, libreoffice_pdfs: dict[str, Path]) -> None:
    department = imported(libreoffice_pdfs[slug], slug)
    assert without_source(department) == without_source(sample(slug))
    assert department.unresolved == []
    assert department.source.endswith("（PDF 文档）") or "PDF 文档" in department.source


@pytest.mark.parametrize("slug", SAMPLES)
def test_official_style_pdf_imports_back_to_the_sample_data(slug: str, libreoffice_pdfs: dict[str, Path]) -> None:
    department = imported(libreoffice_pdfs[f"{slug}-official"], slug)
    assert without_source(department) == without_source(sample(slug))
    assert department.unresolved == []


@pytest.mark.parametrize("slug", ["chengde-gxq-jingkeju", "zunhua-jingkaiqu"])
def test_landscape_pages_have_their_own_margins(slug: str, libreoffice_pdfs: dict[str, Path]) -> None:
    with pdfplumber.open(libreoffice_pdfs[f"{slug}-landscape"]) as document:
        assert {page.width > page.height for page in document.pages} == {True, False}
    department = imported(libreoffice_pdfs[f"{slug}-landscape"], slug)
    assert without_source(department) == without_source(sample(slug))


def test_vertical_text_in_merged_level_cells_is_read_top_to_bottom(libreoffice_pdfs: dict[str, Path]) -> None:
    """`满意度指标` set vertically wraps into two columns (满意度 | 指标), read right to left."""
    with pdfplumber.open(libreoffice_pdfs["vertical"]) as document:
        assert "指满" in document.pages[4].extract_text()  # read across, the columns interleave
    department = imported(libreoffice_pdfs["vertical"], "tangshan-gxq-kejiju")
    assert without_source(department) == without_source(sample("tangshan-gxq-kejiju"))


def test_a_longer_department_with_other_numbers_comes_back(
    libreoffice_pdfs: dict[str, Path], synthetic: Department
) -> None:
    data, warnings = parse_pdf(libreoffice_pdfs["synthetic"], region=synthetic.region)
    department = Department.model_validate(data)
    assert without_source(department) == without_source(synthetic)
    assert len(department.projects) == 15
    assert department.total_budget == synthetic.total_budget
    assert warnings == []


@pytest.mark.parametrize("slug", SAMPLES)
def test_no_header_footer_or_page_number_reaches_the_data(slug: str, libreoffice_pdfs: dict[str, Path]) -> None:
    """The PDF does print them (checked), and none of it is in the imported data."""
    with pdfplumber.open(libreoffice_pdfs[slug]) as document:
        printed = "\n".join(page.extract_text() for page in document.pages[1:4])
    assert FURNITURE_TEXT.search(printed)
    department = imported(libreoffice_pdfs[slug], slug)
    data = department.model_dump_json(exclude={"source"})
    assert not FURNITURE_TEXT.search(data.replace("预算绩效文本编制工作", ""))


def test_the_fixtures_have_tables_crossing_pages_with_repeated_header_rows(libreoffice_pdfs: dict[str, Path]) -> None:
    """What the round trip proves: tables go on over page breaks, their first row printed again on top."""
    with pdfplumber.open(libreoffice_pdfs["chengde-gxq-jingkeju"]) as document:
        tops = [page.find_tables()[0].extract()[0] for page in document.pages if page.find_tables()]
        continued = [row for row in tops if row[0] == "项目编码"]
    assert len(continued) > 14  # 14 tables, several printed over two pages, each page starting with 项目编码


def test_a_vertically_merged_level_applies_to_every_row_it_spans(libreoffice_pdfs: dict[str, Path]) -> None:
    department = imported(libreoffice_pdfs["tangshan-gxq-kejiju"], "tangshan-gxq-kejiju")
    rows = department.projects[0].indicators
    levels = [(row.level1, row.level2) for row in rows]
    assert levels == [(row.level1, row.level2) for row in sample("tangshan-gxq-kejiju").projects[0].indicators]
    assert len({level1 for level1, _ in levels if level1}) == 3  # 产出 / 效益 / 满意度, each merged over rows


# ── .doc and .wps through LibreOffice ─────────────────────────────────────────────


@pytest.fixture(scope="module")
def doc_files(word_files: dict[str, Path], tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    out = tmp_path_factory.mktemp("doc")
    return dict(zip(SAMPLES, soffice([word_files[slug] for slug in SAMPLES], "doc", out), strict=True))


@pytest.mark.parametrize("slug", SAMPLES)
def test_doc_imports_back_to_the_sample_data(slug: str, doc_files: dict[str, Path]) -> None:
    data, _ = read_document(doc_files[slug], region=SAMPLES[slug][0])
    department = Department.model_validate(data)
    assert without_source(department) == without_source(sample(slug))
    assert "旧版 Word 文件（.doc）" in department.source


def test_a_wps_named_file_goes_the_same_way(doc_files: dict[str, Path], tmp_path: Path) -> None:
    """LibreOffice reads a file by its content; WPS saves .wps in the Word 97 format."""
    wps = tmp_path / "科技局.wps"
    shutil.copyfile(doc_files["tangshan-gxq-kejiju"], wps)
    data, _ = read_document(wps, region="唐山高新区")
    assert without_source(Department.model_validate(data)) == without_source(sample("tangshan-gxq-kejiju"))


def test_without_libreoffice_the_message_names_the_package(
    doc_files: dict[str, Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr(office.shutil, "which", lambda name: None)
    assert main(["import", str(doc_files["tangshan-gxq-kejiju"]), "--out", str(tmp_path / "data")]) == 1
    err = capsys.readouterr().err
    assert "需要 LibreOffice 才能读取 旧版 Word 文件（.doc）" in err
    assert "sudo apt-get install libreoffice-writer-nogui" in err
    assert not (tmp_path / "data").exists()


# ── this project's own PDFs (WeasyPrint) ──────────────────────────────────────────


def _label_spaces(department: Department) -> Department:
    """One known loss: a space at which a narrow cell wrapped (`资金支出计划 (%)` over two lines) is not drawn in
    the PDF, and between a Chinese character and `(` nothing tells it was there."""
    projects = [
        project.model_copy(update={"spending_plan_label": re.sub(r"\s+", "", project.spending_plan_label)})
        if project.spending_plan_label
        else project
        for project in department.projects
    ]
    return without_source(department).model_copy(update={"projects": projects})


@pytest.mark.parametrize("slug", SAMPLES)
def test_our_own_pdf_imports_back_to_the_sample_data(slug: str, tmp_path: Path) -> None:
    loaded = load_department(ROOT / "data" / "2023" / f"{slug}.yaml")
    path = tmp_path / f"{slug}.pdf"
    path.write_bytes(render_pdf(loaded))
    department = imported(path, slug)
    assert _label_spaces(department) == _label_spaces(sample(slug))
    assert department.unresolved == []


# ── refusals and bounds ───────────────────────────────────────────────────────────


def test_a_scanned_pdf_is_refused_with_a_clear_message(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    image = Image.new("RGB", (595, 842), "white")
    ImageDraw.Draw(image).rectangle((60, 60, 535, 300), outline="black")
    scan = tmp_path / "扫描件.pdf"
    image.save(scan, "PDF", resolution=72)
    assert main(["import", str(scan), "--out", str(tmp_path / "data")]) == 1
    err = capsys.readouterr().err
    assert "此 PDF 是扫描图像，没有文字层（共 1 页）" in err
    assert "不做文字识别（OCR）" in err


def test_too_many_pages_are_refused(
    libreoffice_pdfs: dict[str, Path],
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    tmp_path: Path,
) -> None:
    monkeypatch.setattr(pdf_bounded, "MAX_PAGES", 3)
    assert main(["import", str(libreoffice_pdfs["tangshan-gxq-kejiju"]), "--out", str(tmp_path / "data")]) == 1
    assert "超过上限 3 页" in capsys.readouterr().err
    assert not (tmp_path / "data").exists()


def compressed_page_pdf(path: Path, operators: int) -> Path:
    """A small PDF whose one page is a compressed content stream of `operators` drawing operators."""
    content = zlib.compress(b"0 0 m\n" * operators, 9)
    objects = [
        b"<</Type/Catalog/Pages 2 0 R>>",
        b"<</Type/Pages/Kids[3 0 R]/Count 1>>",
        b"<</Type/Page/Parent 2 0 R/MediaBox[0 0 612 792]/Contents 4 0 R>>",
        b"<</Length %d/Filter/FlateDecode>>stream\n" % len(content) + content + b"\nendstream",
    ]
    body = b"%PDF-1.4\n" + b"".join(b"%d 0 obj%s endobj\n" % (n, obj) for n, obj in enumerate(objects, start=1))
    path.write_bytes(body + b"trailer<</Root 1 0 R>>\n%%EOF")
    return path


def test_a_pdf_bomb_is_stopped_by_the_deadline(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """0.1 MB that pdfminer would take minutes to parse: ended at the deadline, a message, nothing written."""
    bomb = compressed_page_pdf(tmp_path / "bomb.pdf", 10_000_000)
    assert bomb.stat().st_size < 200_000
    monkeypatch.setattr(pdf_bounded, "DEADLINE", (3.0, 0.5))
    started = time.monotonic()
    assert main(["import", str(bomb), "--out", str(tmp_path / "data")]) == 1
    assert time.monotonic() - started < 30
    assert "读取 PDF 超过 4 秒仍未完成，已中止" in capsys.readouterr().err
    assert not (tmp_path / "data").exists()


def test_a_pdf_that_needs_too_much_memory_is_stopped(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    bomb = compressed_page_pdf(tmp_path / "bomb.pdf", 10_000_000)
    monkeypatch.setattr(pdf_bounded, "MEMORY_LIMIT", 150 * 1024 * 1024)
    assert main(["import", str(bomb), "--out", str(tmp_path / "data")]) == 1
    assert "读取 PDF 需要的内存超过上限（150 MB），已中止" in capsys.readouterr().err


def test_a_pdf_with_an_open_password_says_so(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """pdfplumber wraps pdfminer's password error: it was reported as a damaged file."""
    from pypdf import PdfWriter

    writer = PdfWriter()
    writer.add_blank_page(595, 842)
    writer.encrypt("mima")
    locked = tmp_path / "加密.pdf"
    with open(locked, "wb") as out:
        writer.write(out)
    assert main(["import", str(locked), "--out", str(tmp_path / "data")]) == 1
    assert "PDF 有打开密码，无法读取——请向发布单位索取未加密的文件" in capsys.readouterr().err


def test_a_damaged_pdf_is_refused(libreoffice_pdfs: dict[str, Path], tmp_path: Path) -> None:
    broken = tmp_path / "broken.pdf"
    broken.write_bytes(libreoffice_pdfs["tangshan-gxq-kejiju"].read_bytes()[:2000])
    with pytest.raises(Exception, match=r"不是可读取的 PDF 文件|扫描图像"):
        read_document(broken)


# ── batches ───────────────────────────────────────────────────────────────────────


def batch_folder(libreoffice_pdfs: dict[str, Path], folder: Path) -> Path:
    folder.mkdir()
    shutil.copyfile(libreoffice_pdfs["tangshan-gxq-kejiju"], folder / "科技局.pdf")
    shutil.copyfile(libreoffice_pdfs["zunhua-jingkaiqu"], folder / "经开区.pdf")
    (folder / "空白.txt").write_text("", encoding="utf-8")
    (folder / "~$科技局.docx").write_bytes(b"lock file")  # Word's lock file: not a document
    (folder / "说明.xlsx").write_bytes(b"not imported")  # not an importable kind: not listed
    return folder


def test_a_folder_is_all_or_nothing_by_default(
    libreoffice_pdfs: dict[str, Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = batch_folder(libreoffice_pdfs, tmp_path / "原文")
    out = tmp_path / "data"
    assert main(["import", str(folder), "--out", str(out), "--region", "河北"]) == 1
    lines = capsys.readouterr().out.splitlines()
    assert [line.split("  ")[0] for line in lines[:2]] == ["未写入", "未写入"]
    assert f"{folder / '科技局.pdf'} → {out / '2023'}" in lines[1] or f"{folder / '科技局.pdf'}" in lines[0]
    assert any(line.startswith("失败    ") and "空白.txt" in line and "文件是空的" in line for line in lines)
    assert lines[-1].startswith("共 3 个文件：导入 0 个（其中有警告 0 个），失败 1 个。")
    assert "加 --each" in lines[-1]
    assert not out.exists()


def test_each_writes_every_file_that_passed(
    libreoffice_pdfs: dict[str, Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = batch_folder(libreoffice_pdfs, tmp_path / "原文")
    out = tmp_path / "data"
    assert main(["import", str(folder), "--out", str(out), "--each"]) == 1
    lines = capsys.readouterr().out.splitlines()
    imported_lines = [line for line in lines if line.startswith("已导入")]
    assert len(imported_lines) == 2
    assert any("3 个项目，" in line and "指标" in line for line in imported_lines)
    assert lines[-1] == "共 3 个文件：导入 2 个（其中有警告 0 个），失败 1 个。"
    written = sorted(path.stem for path in (out / "2023").iterdir())
    assert written == sorted(slugify(sample(slug).department) for slug in ("tangshan-gxq-kejiju", "zunhua-jingkaiqu"))


def test_a_part_heading_without_a_page_stays_out_of_the_next_toc_entry() -> None:
    """承德's 目录 prints `第二部分 预算项目绩效目标` with no page number: it was read as the first line of the next
    entry, so the first project was listed as missing and the joined title published as `contents_only`."""
    from builder.importer.pdf.reader import Assembler
    from builder.importer.structure.blocks import Block

    lines = [
        "目 录",
        "第一部分 部门整体绩效目标",
        "一、总体绩效目标 1",
        "第二部分 预算项目绩效目标",
        "1.高新区“亩均效益”综合评价专项绩效目标表 3",
        "关于提前下达 2023 年中小企业发展专项资金预算（专精特新方向）的通知（承财建",
        "[2022]105 号）绩效目标表 4",
    ]
    blocks = Assembler._mark_toc([Block(number, line, False) for number, line in enumerate(lines, 1)])
    assert [block.text for block in blocks if block.toc] == [
        "第一部分 部门整体绩效目标",
        "一、总体绩效目标 1",
        "第二部分 预算项目绩效目标",
        "1.高新区“亩均效益”综合评价专项绩效目标表 3",
        "关于提前下达 2023 年中小企业发展专项资金预算（专精特新方向）的通知（承财建[2022]105 号）绩效目标表 4",
    ]
