"""The whole document: blocks in reading order into one data-format dict, with the report of what was inferred."""

from __future__ import annotations

from typing import Any

from ...errors import ImportFailed
from .. import printed
from .blocks import Block, ImportWarning, Report, is_part_heading
from .front import is_part_one_heading, parse_cover, parse_part_one, split_cover, split_front
from .labels import COVER_TITLE, YEAR_IN_CODE, YEAR_IN_TEXT
from .preamble import Preamble, read_preamble_paragraphs
from .project_table import Table, parse_table
from .table_groups import demote_layout_tables, join_continued_tables, split_into_tables, split_stacked_tables
from .toc import check_toc, take_toc

# ── the whole document ────────────────────────────────────────────────────────────


def parse_blocks(
    blocks: list[Block],
    *,
    family: str,
    region: str | None = None,
    department: str | None = None,
    source: str | None = None,
) -> tuple[dict[str, Any], list[ImportWarning]]:
    """Read a document's blocks; return the department as a plain dict (model key order) and the warnings.

    `family` names the kind of file in the default `source` (`Word 文本导出`, `Word 文档`).
    """
    report = Report()
    toc, blocks = take_toc(blocks)
    groups = join_continued_tables(split_stacked_tables(split_into_tables(demote_layout_tables(blocks))), report)
    front, first_preamble = split_front(groups[0][0], report)
    cover, part_one_blocks = split_cover(front)
    found = parse_cover(cover, report)
    part_one, heading_year = parse_part_one(part_one_blocks, report)
    tables = _parse_tables(groups, first_preamble, report)
    if not tables and not any(part_one[key] for key in ("overall_goal", "sub_goals", "measures")):
        raise ImportFailed("找不到“第一部分”的各节，也找不到项目绩效目标表：这不像一份部门预算绩效文本")
    projects = [table.project for table in tables]
    listed, missing, contents = check_toc(toc, projects, report)
    unit = _common_value(tables, "unit", "预算单位", report)
    amount_unit = _common_value(tables, "amount_unit", "金额单位", report)  # None: no `单位：` line printed
    year = found.get("year") or heading_year or _year_from_codes(projects) or _year_from_blocks(blocks, report)
    name = found.get("department") or department or _fallback_department(found, unit, report)
    data: dict[str, Any] = {"department": name, "year": year, "region": region, "unit": unit}
    data.update({key: found.get(key) for key in ("prepared_by", "reviewed_by")})
    source = source or _source(region, year, family) + _missing_tables(listed, missing, len(projects))
    data.update(amount_unit=amount_unit, source=source)
    data.update(headings=printed.headings(report.headings) or None, contents_only=contents or None)
    data["part_one"] = part_one
    data.update(projects=projects, unresolved=report.unresolved)
    return {key: value for key, value in data.items() if value not in (None, [])}, report.warnings


def _parse_tables(groups: list[tuple[list[Block], list[Block]]], first: Preamble, report: Report) -> list[Table]:
    tables = [parse_table(groups[0][1], first, report)] if groups[0][1] else []
    if not groups[0][1] and first.title:
        report.note(1, "表题之后没有表格", first.title)
    for paragraphs, cells in groups[1:]:
        _refuse_second_document(paragraphs)
        rest, preamble = read_preamble_paragraphs(paragraphs, report) if cells else (paragraphs, Preamble())
        for block in rest:
            if not is_part_heading(block.text):
                report.unplaced(block)
        if cells:
            tables.append(parse_table(cells, preamble, report))
    return tables


def _refuse_second_document(paragraphs: list[Block]) -> None:
    """A cover title or a 第一部分 heading after the first project table: a second document (two departments, or two
    years, saved as one file). Imported as one, the second's projects counted as the first's and its part one was lost
    in `unresolved`; it is refused instead."""
    for block in paragraphs:
        if COVER_TITLE.match(block.text) or is_part_one_heading(block.text):
            raise ImportFailed(
                f"{block.where}又出现了封面或“第一部分”（“{block.text}”）：这个文件里像是有两份部门预算绩效文本。"
                "一个文件只能是一个部门一年的文本，请把每个部门另存为单独的文件再导入"
            )


def _common_value(tables: list[Table], key: str, what: str, report: Report) -> Any:
    """The value the tables agree on (the first stated); a table that says otherwise is kept for a person."""
    present = [(table, getattr(table, key)) for table in tables if getattr(table, key)]
    for table, value in present[1:]:
        if value != present[0][1]:
            text = f"{what}：{value if isinstance(value, str) else value['code'] + value['name']}"
            report.unresolved.append({"where": table.where, "text": text})
            report.note(table.where, f"这张表的{what}与第一张表（{present[0][0].where}）不同，已记入 unresolved", text)
    return present[0][1] if present else None


def _year_from_codes(projects: list[dict[str, Any]]) -> int | None:
    """Positions 7–8 of a 项目编码 (`130281 23 P…`) are the budget year."""
    for project in projects:
        if match := YEAR_IN_CODE.match(project.get("code", "")):
            return 2000 + int(match["year"])
    return None


def _year_from_blocks(blocks: list[Block], report: Report) -> int | None:
    match = next((found for block in blocks if (found := YEAR_IN_TEXT.search(block.text))), None)
    report.note(1, "封面和项目编码中都没有年度，取正文中第一个年份", match[0] if match else "（无）")
    return int(match["year"]) if match else None


def _fallback_department(found: dict[str, Any], unit: dict[str, str] | None, report: Report) -> str | None:
    """No name on the cover: the preparing unit, else the budget unit without `本级`."""
    name = found.get("prepared_by") or (unit["name"].removesuffix("本级") if unit else None)
    report.note(1, "封面未印部门名称，由编制单位或预算单位推定", name or "（无）")
    return name


def _source(region: str | None, year: int | None, family: str) -> str:
    place = f"{region} " if region else ""
    return f"{place}{year} 年部门预算绩效文本（{family}）"


def _missing_tables(listed: int, missing: list[str], tables: int) -> str:
    if not missing:
        return ""
    return f"；目录列出 {listed} 个项目，正文只有 {tables} 张表（{'、'.join(missing)}缺失）"
