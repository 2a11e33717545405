"""The .docx importer reads department files made like the real ones back into exactly the sample data."""

from __future__ import annotations

import copy
import re
import zipfile
from pathlib import Path

import pytest
from docx import Document
from docx.enum.style import WD_STYLE_TYPE
from docx.oxml import parse_xml
from docx.oxml.ns import nsdecls, qn
from docx_fixtures import Layout, write_docx
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from builder.data.load import load_department
from builder.data.model import Department
from builder.errors import ImportFailed
from builder.importer.docx import parse_docx, read_docx_blocks
from builder.importer.numbering import chinese, format_number
from builder.importer.structure.blocks import Block, Report
from builder.importer.structure.project_table import Cells, read_indicators, read_spending_plan
from builder.importer.word_text import parse_word_text

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT / "data" / "2023"
# Each sample department written the way its own office writes (numbering, labels, unit line, TOC).
SAMPLES = {
    "tangshan-gxq-fagaiju": ("唐山高新区", Layout(sub_goal_numbers="（一）", split_labels=True, blank_header_row=True)),
    "tangshan-gxq-kejiju": ("唐山高新区", Layout(sub_goal_numbers="（1）")),
    "chengde-gxq-jingkeju": (
        "承德高新区",
        Layout(sub_goal_numbers="1.", name_break=13, stale_toc={7: "7.商贸流通企业奖补绩效目标表"}),
    ),
    "zunhua-jingkaiqu": ("遵化市", Layout(sub_goal_numbers="1.", unit_in_table=True)),
}


def sample(slug: str) -> Department:
    return load_department(DATA / f"{slug}.yaml").department


def imported(path: Path, region: str | None = None) -> Department:
    data, _ = parse_docx(path, region=region)
    return Department.model_validate(data)


def without_source(department: Department) -> Department:
    """`source` says which file a department was read from: the one field a .docx cannot share with the text."""
    return department.model_copy(update={"source": None})


@pytest.fixture(scope="module")
def documents(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("docx")
    return {slug: write_docx(sample(slug), folder / f"{slug}.docx", layout) for slug, (_, layout) in SAMPLES.items()}


# ── the four sample departments, round trip ───────────────────────────────────────


@pytest.mark.parametrize("slug", SAMPLES)
def test_docx_imports_back_to_the_sample_data(slug: str, documents: dict[str, Path]) -> None:
    department = imported(documents[slug], region=SAMPLES[slug][0])
    assert without_source(department) == without_source(sample(slug))
    assert department.unresolved == []


@pytest.mark.parametrize("slug", SAMPLES)
def test_source_names_the_word_file_instead_of_the_text_export(slug: str, documents: dict[str, Path]) -> None:
    """The one named difference: `source` says `Word 文档` where the sample says how its text was exported
    (and drops the sample's remarks on what the text export shows, which a Word file shows as it is)."""
    source = imported(documents[slug], region=SAMPLES[slug][0]).source
    expected = (
        sample(slug).source.replace("（PDF 文本导出）", "（Word 文档）").replace("（Word 文本导出）", "（Word 文档）")
    )
    expected = re.sub(r"；[^；]*(?:在文本导出中空白|照导出保留)[^；]*", "", expected)
    assert source == expected


def test_fixtures_use_real_merged_cells_and_a_toc_field(documents: dict[str, Path]) -> None:
    with zipfile.ZipFile(documents["chengde-gxq-jingkeju"]) as archive:
        xml = archive.read("word/document.xml").decode("utf-8")
    assert 'w:vMerge w:val="restart"' in xml and "<w:vMerge/>" in xml
    assert "w:gridSpan" in xml
    assert "TOC \\o" in xml and "PAGEREF" in xml and "错误！未定义书签。" in xml


def test_figures_a_reader_sees(documents: dict[str, Path]) -> None:
    department = imported(documents["tangshan-gxq-fagaiju"])
    assert (len(department.projects), str(department.total_budget)) == (7, "1848.51")
    assert department.projects[-1].budget.total.printed == "188.51"
    assert department.projects[0].budget.total.printed == "500万元"
    assert sum(len(project.indicators) for project in department.projects) == 42
    assert [point.label for point in department.projects[4].spending_plan] == [
        "第一季度",
        "第二季度",
        "第三季度",
        "第四季度",
    ]


def test_the_stale_toc_entry_is_reported(documents: dict[str, Path]) -> None:
    data, warnings = parse_docx(documents["chengde-gxq-jingkeju"])
    messages = [warning.render("x.docx") for warning in warnings]
    assert any("目录列出但正文没有这张表：7.商贸流通企业奖补绩效目标表" in message for message in messages)
    assert any("错误！未定义书签。" in message for message in messages)
    assert data["source"].endswith("；目录列出 15 个项目，正文只有 14 张表（第 7 项“商贸流通企业奖补”缺失）")
    assert all(message.startswith("x.docx: 第 ") for message in messages)  # a paragraph number, not a line


def test_merged_cells_print_once_and_continuations_print_empty(documents: dict[str, Path]) -> None:
    cells = [
        block for block in read_docx_blocks(documents["tangshan-gxq-fagaiju"]) if block.is_cell and block.table == 1
    ]
    first_rows = [(block.row, block.column, block.span, block.text) for block in cells if block.row in (1, 3)]
    assert first_rows == [
        (1, 0, 1, "项目编码"),
        (1, 1, 2, ""),
        (1, 3, 1, "项目名称"),
        (1, 4, 3, "2022年全区突出贡献企业表彰"),
        (3, 0, 1, ""),  # 预算规模及资金用途, merged down: "same as above"
        (3, 1, 6, "奖励企业。"),
    ]
    level1 = [block.text for block in cells if block.column == 0 and block.row >= 10]
    assert level1 == ["产出指标", "", "", "", "效果指标", "满意度指标"]


# ── real-world Word quirks, one at a time ─────────────────────────────────────────


@pytest.fixture
def small(tmp_path: Path) -> tuple[Department, Path]:
    """The 科技局 sample (three tables) as a .docx, to be altered by a test."""
    department = sample("tangshan-gxq-kejiju")
    return department, write_docx(department, tmp_path / "kejiju.docx")


def edit(path: Path, change) -> Path:
    document = Document(str(path))
    change(document)
    document.save(str(path))
    return path


def assert_same(path: Path, department: Department) -> None:
    assert without_source(imported(path, region=department.region)) == without_source(department)


def test_blank_padding_column(small: tuple[Department, Path]) -> None:
    """An extra empty column at the right of every table (a layout left-over) changes nothing."""

    def pad(document: Document) -> None:
        for table in document.tables:
            table._tbl.tblGrid.append(parse_xml(f'<w:gridCol {nsdecls("w")} w:w="500"/>'))
            for row in table._tbl.tr_lst:
                row.append(parse_xml(f"<w:tc {nsdecls('w')}><w:p/></w:tc>"))

    assert_same(edit(small[1], pad), small[0])


@pytest.mark.parametrize("between", ["", "续表", "（续）", "续表1"])
def test_table_split_at_a_page_break_is_one_table(small: tuple[Department, Path], between: str) -> None:
    """The indicator rows moved into a second table after an empty paragraph (or one that says so), header repeated."""

    def split(document: Document) -> None:
        table = document.tables[0]._tbl
        rows = table.tr_lst
        header = next(i for i, row in enumerate(rows) if "一级指标" in row.xpath("string(.)"))
        second = copy.deepcopy(table)
        for row in second.tr_lst[: header + 2]:  # keep the header and one indicator row in the first table
            if row is not second.tr_lst[header]:
                second.remove(row)
        for row in rows[header + 2 :]:
            table.remove(row)
        table.addnext(second)
        table.addnext(parse_xml(f"<w:p {nsdecls('w')}><w:r><w:t>{between}</w:t></w:r></w:p>"))

    assert_same(edit(small[1], split), small[0])


@pytest.mark.parametrize("repeated_header", [True, False])
def test_indicators_continued_in_a_table_of_other_columns(
    small: tuple[Department, Path], repeated_header: bool
) -> None:
    """The indicator rows go on in a 6-column table under the 7-column form (描述 no longer spans two columns):
    each cell stays under its own header (指标值 under 指标值, not joined to 描述)."""

    def split(document: Document) -> None:
        table = document.tables[0]._tbl
        rows = table.tr_lst
        header = next(i for i, row in enumerate(rows) if "一级指标" in row.xpath("string(.)"))
        moved = rows[header + 2 :] if not repeated_header else [rows[header], *rows[header + 2 :]]
        texts = [[cell.xpath("string(.)") for cell in row.tc_lst] for row in moved]
        assert {len(row) for row in texts} == {6}
        second = document.add_table(rows=len(texts), cols=6)
        for row, cells in zip(second.rows, texts, strict=True):
            for cell, text in zip(row.cells, cells, strict=True):
                cell.text = text
        for row in rows[header + 2 :]:
            table.remove(row)
        table.addnext(second._tbl)

    assert_same(edit(small[1], split), small[0])


def test_two_departments_in_one_file_are_refused(small: tuple[Department, Path], tmp_path: Path) -> None:
    """科技局 then 发改局 saved as one file: imported as one, 发改局's projects counted as 科技局's."""
    second = Document(str(write_docx(sample("tangshan-gxq-fagaiju"), tmp_path / "fagaiju.docx")))

    def append(document: Document) -> None:
        body = document.element.body
        for element in second.element.body.iterchildren():
            if element.tag != qn("w:sectPr"):
                body.sectPr.addprevious(copy.deepcopy(element))

    path = edit(small[1], append)
    with pytest.raises(ImportFailed, match="这个文件里像是有两份部门预算绩效文本。一个文件只能是一个部门一年的文本"):
        parse_docx(path, region="唐山高新区")


W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
FOOTNOTES = f"""<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<w:footnotes xmlns:w="{W}"><w:footnote w:type="separator" w:id="-1"><w:p><w:r><w:separator/></w:r></w:p></w:footnote>
<w:footnote w:id="1"><w:p><w:r><w:t xml:space="preserve"> 本表金额为年初预算数。</w:t></w:r></w:p></w:footnote>
</w:footnotes>"""


def with_footnote(path: Path, before: str) -> Path:
    """The .docx with a footnote whose reference follows a new paragraph `before` at the end of the body."""
    with zipfile.ZipFile(path) as archive:
        parts = {name: archive.read(name) for name in archive.namelist()}
    reference = '<w:r><w:rPr><w:vertAlign w:val="superscript"/></w:rPr><w:footnoteReference w:id="1"/></w:r>'
    paragraph = f"<w:p><w:r><w:t>{before}</w:t></w:r>{reference}</w:p>".encode()
    parts["word/document.xml"] = parts["word/document.xml"].replace(b"<w:sectPr", paragraph + b"<w:sectPr", 1)
    parts["word/footnotes.xml"] = FOOTNOTES.encode()
    relation = (
        '<Relationship Id="rIdNote" Target="footnotes.xml" '
        'Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/footnotes"/>'
    )
    rels = "word/_rels/document.xml.rels"
    parts[rels] = parts[rels].replace(b"</Relationships>", relation.encode() + b"</Relationships>")
    override = (
        '<Override PartName="/word/footnotes.xml" '
        'ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.footnotes+xml"/>'
    )
    parts["[Content_Types].xml"] = parts["[Content_Types].xml"].replace(b"</Types>", override.encode() + b"</Types>")
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in parts.items():
            archive.writestr(name, data)
    return path


@pytest.mark.parametrize(
    ("before", "read"), [("注：", "注：本表金额为年初预算数。"), ("金额单位", "金额单位（注：本表金额为年初预算数。）")]
)
def test_a_footnote_is_read_where_it_is_referenced(small: tuple[Department, Path], before: str, read: str) -> None:
    """Its text was lost: only the bare `注：` of the paragraph that referenced it was left in `unresolved`."""
    data, _ = parse_docx(with_footnote(small[1], before), region="唐山高新区")
    assert read in [item["text"] for item in data["unresolved"]]


def test_toc_made_of_styled_paragraphs_and_a_content_control(small: tuple[Department, Path]) -> None:
    """Without field codes: TOC styles, or Word's built-in TOC content control."""

    def restyle(document: Document) -> None:
        style = document.styles.add_style("toc 1", WD_STYLE_TYPE.PARAGRAPH)
        for paragraph in document.paragraphs:
            if "\t" in paragraph.text:
                for code in paragraph._p.xpath(".//w:instrText | .//w:fldChar"):
                    code.getparent().remove(code)
                paragraph.style = style
        sdt = parse_xml(
            f"<w:sdt {nsdecls('w')}><w:sdtPr><w:docPartObj><w:docPartGallery w:val='Table of Contents'/>"
            "</w:docPartObj></w:sdtPr><w:sdtContent><w:p><w:r><w:t>第一部分 部门整体绩效目标 3</w:t></w:r></w:p>"
            "</w:sdtContent></w:sdt>"
        )
        document.paragraphs[3]._p.addnext(sdt)

    path = edit(small[1], restyle)
    assert_same(path, small[0])
    assert not [block for block in read_docx_blocks(path) if "\t" in block.raw and not block.toc]


def test_cover_in_a_text_box_and_tracked_changes(small: tuple[Department, Path]) -> None:
    """A cover title in a text box (with its VML fallback), a tracked deletion, a page break inside a line."""

    def decorate(document: Document) -> None:
        name = document.paragraphs[0]
        for run in name.runs:
            run.text = ""
        box = (
            "<w:r><mc:AlternateContent><mc:Choice Requires='wps'><w:drawing><wps:txbx><w:txbxContent>"
            "<w:p><w:r><w:t>高新区科技局</w:t></w:r></w:p></w:txbxContent></wps:txbx></w:drawing></mc:Choice>"
            "<mc:Fallback><w:pict><w:txbxContent><w:p><w:r><w:t>高新区科技局</w:t></w:r></w:p></w:txbxContent>"
            "</w:pict></mc:Fallback></mc:AlternateContent></w:r>"
        )
        namespaces = (
            f"{nsdecls('w')} xmlns:mc='http://schemas.openxmlformats.org/markup-compatibility/2006'"
            " xmlns:wps='http://schemas.microsoft.com/office/word/2010/wordprocessingShape'"
        )
        name._p.append(parse_xml(f"<w:p {namespaces}>{box}</w:p>")[0])
        title = document.paragraphs[1]._p
        title.append(parse_xml(f"<w:del {nsdecls('w')}><w:r><w:delText>（征求意见稿）</w:delText></w:r></w:del>"))
        title.append(parse_xml(f"<w:r {nsdecls('w')}><w:br w:type='page'/></w:r>"))

    assert_same(edit(small[1], decorate), small[0])


def test_cover_laid_out_as_a_table(small: tuple[Department, Path]) -> None:
    """A table with no form labels (the cover's name and year in a layout table) is read as paragraphs."""

    def tabulate(document: Document) -> None:
        cover = document.add_table(rows=2, cols=1)
        cover.cell(0, 0).text = "高新区科技局"
        cover.cell(1, 0).text = "2023年部门预算绩效文本"
        for paragraph in document.paragraphs[:2]:
            paragraph._p.getparent().remove(paragraph._p)
        document.element.body.insert(0, cover._tbl)

    assert_same(edit(small[1], tabulate), small[0])


def grid_row(row: int, *cells: tuple[int, int, str]) -> list[Block]:
    return [Block(row * 10 + c, text, True, table=1, row=row, column=c, span=span) for c, span, text in cells]


def test_spending_plan_values_sit_under_their_checkpoints() -> None:
    """A blank cell between two checkpoints, and a value row whose cells are split differently from the labels."""
    labels = grid_row(1, (0, 2, "资金支出计划（%）"), (2, 1, "3月底"), (3, 1, ""), (4, 1, "6月底"), (5, 2, "12月底"))
    values = grid_row(2, (0, 2, ""), (2, 2, "10%"), (4, 1, "50%"), (5, 1, "100%"), (6, 1, ""))
    report = Report()
    plan = read_spending_plan(Cells([*labels, *values, *grid_row(3, (0, 1, "绩效目标"))]), report)
    assert plan == [
        {"label": "3月底", "value": "10%"},
        {"label": "6月底", "value": "50%"},
        {"label": "12月底", "value": "100%"},
    ]
    assert report.warnings == []


def test_indicator_cells_are_matched_to_the_header_by_column() -> None:
    """A row with a padding cell, a cell spanning differently, and a repeated header are all read right."""
    header = grid_row(1, (0, 1, "一级指标"), (1, 1, "二级指标"), (2, 1, "三级指标"), (3, 2, "绩效指标描述"),
                      (5, 1, "指标值"), (6, 1, "指标值确定依据"))  # fmt: skip
    row = grid_row(2, (0, 1, "产出指标"), (1, 1, "数量指标"), (2, 1, "企业数"), (3, 1, "获奖"), (4, 1, ""),
                   (5, 1, "≥10家"), (6, 1, "工作安排"), (7, 1, ""))  # fmt: skip
    repeated = [Block(b.line + 100, b.raw, True, table=1, row=3, column=b.column, span=b.span) for b in header]
    merged = grid_row(4, (0, 1, ""), (1, 1, ""), (2, 1, "资金"), (3, 2, ""), (5, 1, "=10万元"), (6, 1, "经验"))
    rows = read_indicators(Cells([*header, *row, *repeated, *merged]), Report())
    assert rows == [
        {"level1": "产出指标", "level2": "数量指标", "name": "企业数", "description": "获奖", "value": "≥10家",
         "basis": "工作安排"},
        {"name": "资金", "value": "=10万元", "basis": "经验"},
    ]  # fmt: skip


def test_unknown_cells_are_kept_for_a_person(small: tuple[Department, Path]) -> None:
    def annotate(document: Document) -> None:
        document.add_paragraph("附注：本表金额以财政批复为准。")

    data, warnings = parse_docx(edit(small[1], annotate))
    assert data["unresolved"] == [{"where": data["unresolved"][0]["where"], "text": "附注：本表金额以财政批复为准。"}]
    assert data["unresolved"][0]["where"].endswith("段")
    assert any("附注" in warning.render() for warning in warnings)


def test_all_projects_in_one_table(small: tuple[Department, Path]) -> None:
    """Some offices print every project in one long table, each starting with a full-width title row."""

    def stack(document: Document) -> None:
        first, *others = document.tables
        for table in others:
            title = table._tbl.getprevious()
            heading = title.xpath("string(.)")
            row = parse_xml(
                f"<w:tr {nsdecls('w')}><w:tc><w:tcPr><w:gridSpan w:val='7'/></w:tcPr>"
                f"<w:p><w:r><w:t>{heading}</w:t></w:r></w:p></w:tc></w:tr>"
            )
            first._tbl.append(row)
            for tr in table._tbl.tr_lst:
                first._tbl.append(tr)
            title.getparent().remove(title)
            table._tbl.getparent().remove(table._tbl)

    path = edit(small[1], stack)
    assert len(Document(str(path)).tables) == 1
    assert_same(path, small[0])


def test_cover_with_labelled_preparer_and_header_synonyms() -> None:
    """`编制单位：…` on the cover; 指标名称 / 目标值 / 确定依据 as column names."""
    text = (
        "示例局\n2024年度部门预算绩效文本\n编制单位：示例局办公室\n审核单位：某某财政局\n"
        "一、总体绩效目标\n甲。\n二、分项绩效目标\n1.乙。\n三、工作保障措施\n（一）丙。\n\n"
        "示例项目绩效目标表\n\t项目名称\n\t示例项目\n\t预算数（万元）\n\t10\n"
        "\t一级指标\n\t二级指标\n\t指标名称\n\t指标解释\n\t目标值\n\t确定依据\n"
        "\t产出指标\n\t数量指标\n\t企业数\n\t获奖企业数\n\t≥10家\n\t计划\n"
    )
    data, warnings = parse_word_text(text)
    assert (data["department"], data["year"], data["prepared_by"], data["reviewed_by"]) == (
        "示例局",
        2024,
        "示例局办公室",
        "某某财政局",
    )
    assert data["projects"][0]["indicators"] == [
        {"level1": "产出指标", "level2": "数量指标", "name": "企业数", "description": "获奖企业数", "value": "≥10家",
         "basis": "计划"}
    ]  # fmt: skip
    assert data["projects"][0]["budget"] == {"total": "10"}
    assert warnings == []


def abstract_list(number: int, kind: str, text: str) -> str:
    return (
        f"<w:abstractNum {nsdecls('w')} w:abstractNumId='{number}'><w:lvl w:ilvl='0'><w:start w:val='1'/>"
        f"<w:numFmt w:val='{kind}'/><w:lvlText w:val='{text}'/><w:suff w:val='nothing'/></w:lvl></w:abstractNum>"
    )


def test_automatic_list_numbers(tmp_path: Path) -> None:
    """Sections and items numbered by Word (`一、`, `（1）`, `（一）` from numbering.xml, not typed) read the same."""
    department = sample("tangshan-gxq-kejiju")
    one = department.part_one
    # The original numbers its sub-goals （1）（二）: one Word list cannot print that, so number them （1）（2）.
    goals = [one.sub_goals[0], one.sub_goals[1].model_copy(update={"label": "（2）"})]
    department = department.model_copy(update={"part_one": one.model_copy(update={"sub_goals": goals})})
    small = (department, write_docx(department, tmp_path / "kejiju.docx"))
    lists = {90: ("chineseCounting", "%1、", r"^[一二三]、"), 91: ("decimal", "（%1）", r"^（\d+）")}
    lists[92] = ("chineseCountingThousand", "（%1）", r"^（[一二三四五六七八九十]+）")

    def renumber(document: Document) -> None:
        numbering = document.part.numbering_part.element
        first_num = numbering.find(qn("w:num"))
        for number, (kind, text, _) in lists.items():
            first_num.addprevious(parse_xml(abstract_list(number, kind, text)))
            numbering.append(
                parse_xml(f"<w:num {nsdecls('w')} w:numId='{number}'><w:abstractNumId w:val='{number}'/></w:num>")
            )
        for paragraph in document.paragraphs:
            for number, (_, _, pattern) in lists.items():
                if (match := re.match(pattern, paragraph.text)) and "\t" not in paragraph.text:
                    paragraph.text = paragraph.text[match.end() :]
                    numbered = paragraph._p.get_or_add_pPr().get_or_add_numPr()
                    numbered.get_or_add_ilvl().val = 0
                    numbered.get_or_add_numId().val = number
                    break

    path = edit(small[1], renumber)
    typed = [paragraph.text for paragraph in Document(str(path)).paragraphs if "\t" not in paragraph.text]
    assert "总体绩效目标" in typed and not any(text.startswith(("一、", "（1）", "（一）")) for text in typed)
    assert_same(path, small[0])


def test_list_levels_that_are_not_numbers_are_ignored(tmp_path: Path) -> None:
    """A Word file from elsewhere whose list levels or starts read `x`, `²` or 5 000 digits imports as if those lists
    were not there."""
    department = sample("tangshan-gxq-kejiju")
    path = write_docx(department, tmp_path / "kejiju.docx")
    huge = "9" * 5000  # more digits than int() takes
    levels = ("x", "²", huge, "-1")

    def garbled(document: Document) -> None:
        numbering = document.part.numbering_part.element
        first_num = numbering.find(qn("w:num"))
        for number, level in enumerate(levels, start=95):
            bad = abstract_list(number, "decimal", "%1.").replace("w:ilvl='0'", f"w:ilvl='{level}'")
            first_num.addprevious(parse_xml(bad))
            numbering.append(
                parse_xml(
                    f"<w:num {nsdecls('w')} w:numId='{number}'><w:abstractNumId w:val='{number}'/>"
                    f"<w:lvlOverride w:ilvl='{level}'><w:startOverride w:val='{huge}'/></w:lvlOverride></w:num>"
                )
            )
        paragraphs = [paragraph for paragraph in document.paragraphs if paragraph.text.strip()]
        for paragraph, (number, level) in zip(paragraphs[5:], enumerate(levels, start=95), strict=False):
            numbered = paragraph._p.get_or_add_pPr().get_or_add_numPr()
            numbered.append(parse_xml(f"<w:ilvl {nsdecls('w')} w:val='{level}'/>"))
            numbered.get_or_add_numId().val = number

    assert_same(edit(path, garbled), department)


def test_unit_line_in_a_layout_table_of_its_own(tmp_path: Path) -> None:
    """`655001…本级 | 单位：万元` in a borderless one-row table right above each project table."""
    department = sample("zunhua-jingkaiqu")
    path = write_docx(department, tmp_path / "zunhua.docx", Layout(sub_goal_numbers="1."))

    def boxed(document: Document) -> None:
        for table in document.tables:
            amount = table._tbl.getprevious()
            unit = amount.getprevious()
            layout = document.add_table(rows=1, cols=2)
            layout.cell(0, 0).text = unit.xpath("string(.)")
            layout.cell(0, 1).text = amount.xpath("string(.)")
            table._tbl.addprevious(layout._tbl)
            for paragraph in (unit, amount):
                paragraph.getparent().remove(paragraph)

    assert_same(edit(path, boxed), department)


def test_word_list_number_formats() -> None:
    assert [chinese(number) for number in (1, 10, 12, 20, 99, 101, 110)] == [
        "一", "十", "十二", "二十", "九十九", "一百零一", "一百一十",
    ]  # fmt: skip
    assert format_number(3, "decimalEnclosedCircle") == "③"
    assert format_number(2, "chineseLegalSimplified") == "贰"
    assert format_number(12, "decimalFullWidth") == "１２"


def test_a_table_with_another_unit_line_is_kept_for_a_person(tmp_path: Path) -> None:
    department = sample("zunhua-jingkaiqu")
    path = write_docx(department, tmp_path / "zunhua.docx", Layout(unit_in_table=True))

    def other_unit(document: Document) -> None:
        document.tables[2].rows[0].cells[0].text = "655002河北遵化经济开发区某某中心"

    data, warnings = parse_docx(edit(path, other_unit))
    assert data["unit"] == {"code": "655001", "name": "河北遵化经济开发区管理委员会本级"}
    assert data["unresolved"] == [
        {"where": "第 3 张表第 1 行第 1 格", "text": "预算单位：655002河北遵化经济开发区某某中心"}
    ]
    assert "第 3 张表第 1 行第 1 格: 警告：这张表的预算单位与第一张表" in warnings[-1].render("z.docx")


def test_one_row_spending_plan_with_values_beside_their_checkpoints() -> None:
    cells = grid_row(1, (0, 1, "资金支出计划（%）"), (1, 1, "3月底"), (2, 1, "25%"), (3, 1, "年底"), (4, 1, "100%"))
    plan = read_spending_plan(Cells([*cells, *grid_row(2, (0, 1, "绩效目标"))]), Report())
    assert plan == [{"label": "3月底", "value": "25%"}, {"label": "年底", "value": "100%"}]


PIECES = [
    "项目编码",
    "项目名称",
    "预算数",
    "其中：财政资金",
    "资金支出计划（%）",
    "3月底",
    "第一季度",
    "绩效目标",
    "目标1",
    "一级指标",
    "二级指标",
    "三级指标",
    "绩效指标描述",
    "指标值",
    "指标值确定依据",
    "产出指标",
    "第一部分",
    "第二部分",
    "一、总体绩效目标",
    "二、分项绩效目标",
    "三、工作保障措施",
    "（一）完善制度建设。",
    "1.项目绩效目标表",
    "单位：万元",
    "655001某某局本级",
    "关于某某的说明",
    "≥90%",
    "500万元",
    "错误！未定义书签。",
    "",
]


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    st.lists(
        st.one_of(
            st.sampled_from(PIECES).map(lambda text: ("p", [[text]])),
            st.lists(st.lists(st.sampled_from(PIECES), min_size=1, max_size=4), min_size=1, max_size=5).map(
                lambda rows: ("t", rows)
            ),
        ),
        max_size=25,
    )
)
def test_any_word_file_is_read_or_refused_in_chinese(tmp_path: Path, parts: list[tuple[str, list[list[str]]]]) -> None:
    document = Document()
    for kind, rows in parts:
        if kind == "p":
            document.add_paragraph(rows[0][0])
            continue
        table = document.add_table(rows=len(rows), cols=max(len(row) for row in rows))
        for row, texts in zip(table.rows, rows, strict=False):
            for cell, text in zip(row.cells, texts, strict=False):
                cell.text = text
    path = tmp_path / "random.docx"
    document.save(str(path))
    try:
        data, warnings = parse_docx(path)
    except ImportFailed as refusal:
        assert any("\u4e00" <= char <= "\u9fff" for char in str(refusal))
        return
    assert isinstance(data, dict) and all(warning.message for warning in warnings)


def test_symbols_inserted_from_the_symbol_font(small: tuple[Department, Path]) -> None:
    """`≥` inserted with Insert › Symbol is a `<w:sym>`, not text; it must not vanish from a 指标值."""

    def symbolise(document: Document) -> None:
        changed = 0
        for table in document.tables:
            for cell in {id(cell): cell for row in table.rows for cell in row.cells}.values():
                if cell.text.startswith(("≥", "≤")):
                    code = "F0B3" if cell.text.startswith("≥") else "F0A3"
                    cell.paragraphs[0].text = cell.text[1:]
                    symbol = parse_xml(f"<w:r {nsdecls('w')}><w:sym w:font='Symbol' w:char='{code}'/></w:r>")
                    cell.paragraphs[0]._p.r_lst[0].addprevious(symbol)
                    changed += 1
        assert changed > 5

    assert_same(edit(small[1], symbolise), small[0])
