"""Compare a seed document's text with the text of its web pages and of its PDF (issue 17, 照录).

Both sides are whitespace-normalised (every space, tab and line break removed: the export wraps cells,
the PDF wraps lines) and compared character by character in order. Whatever differs is the residual:
text of the seed missing from the output, or text of the output the seed does not have. Residual is
allowed only where an entry of the allow-lists below explains it, each with its reason.
"""

from __future__ import annotations

import difflib
import re
import subprocess
from dataclasses import dataclass
from pathlib import Path

import lxml.html
from pypdf import PdfReader

from builder.data.model import Department
from builder.pdf.html import project_sections

# ── allow-list, seed side: text of the export that is not published text ──────────────────────────

# Word bookmarks the export writes into the text (`[bookmark: _GoBack]`).
BOOKMARK = re.compile(r"\[bookmark: [^\]]*\]")
# The original's 目录 (seed 002): its entries and page numbers (one reads 错误！未定义书签。). The PDF prints
# a 目录 regenerated from the data with real page numbers; the web has none. Both are compared elsewhere
# (tests/test_pdf.py, test_pdf_build.py): here the original's 目录 lines are set aside.
TOC_HEADING = re.compile(r"^\s*目\s*录\s*$")
TOC_LINE = re.compile(r"^\s*(?:第[一二三]部分\s+\S.*|.*(?:\.{3,}|…{2,})\s*\S*\s*)$")
# The indicator table's header row: the export repeats it at every page break of the original, the PDF at
# its own page breaks, the web once per table. Set aside on both sides; test_pdf checks every table has one.
INDICATOR_HEADER = "一级指标二级指标三级指标绩效指标描述指标值指标值确定依据"
# The spending plan's label (printed as data, `spending_plan_label`: 001 `资金支出计划（累进进度%）`). Where the
# export wraps it over two rows (`资金支出计` in the label row, `划 (%)` in the value row: seed 002,
# 基层统计人员业务培训), the two pieces are read as the one cell they are, at the label's place.
PLAN_LABEL = re.compile(r"资金支出计划[（(][^）)]{0,8}[）)]")
PLAN_LABEL_PRINTED = "资金支出计划（%）"
PLAN_HEAD = re.compile(r"资金支出计?")
PLAN_TAIL = re.compile(r"计?划\s*[（(][^）)]{0,8}[）)]")

# ── allow-list, web side: what the site prints of its own (removed from the page before comparing) ──

WEB_SITE_PARTS = {
    "//nav[@class='bp-crumbs']": "breadcrumb navigation",
    "//dl[@class='bp-facts']/div[not(dt='编制' or dt='审核')]": "facts the site adds (地区, 项目数, 合计…)",
    "//dl[@class='bp-facts']//dt": "labels of the facts list (编制, 审核)",
    "//p[contains(@class, 'bp-downloads')]": "download buttons",
    "//p[@class='bp-source']": "the project page's 出自 line: the department's document and its PDF",
    "//p[@class='bp-other-years']": "links to the department's other years",
    "//div[@class='bp-projects']": "the department's project list with totals (the site's own summary)",
    "//p[contains(concat(' ', @class, ' '), ' bp-note ')]": "site notes (title policy, 目录 entry without a table)",
    "//div[contains(@class, 'bp-project')]/h1": "the project page's title: the 项目名称, by the title policy",
    "//p[contains(@class, 'bp-subtitle') and ancestor::div[contains(@class, 'bp-project')]]": "project page subtitle",
    "//figure[contains(@class, 'bp-chart')]": "the spending chart and its caption (the plan's values again)",
    "//*[contains(@class, 'bp-site-label')]": "the site's label 原文表题：",
    "//*[contains(@class, 'bp-visually-hidden')]": "table captions for screen readers",
    "//svg": "the spending chart (draws the plan's values again)",
    "//p[@class='bp-back']": "back link",
    "//div[contains(@class, 'bp-project')]/following-sibling::h2": "the project page's section headings",
    "//h2[@id='projects' and normalize-space()='项目一览']": "the list heading where none is printed",
}
# The labels of the standard 项目绩效目标表: the web shows the same fields under its own headings and
# labels, so labels are compared nowhere on the web page (as whole cells, on both sides).
FORM_LABELS = {
    "项目编码",
    "项目名称",
    "预算规模及资金用途",
    "预算数",
    "其中：财政资金",
    "其他资金",
    "资金用途",
    "绩效目标",
    "一级指标",
    "二级指标",
    "三级指标",
    "绩效指标描述",
    "指标值",
    "指标值确定依据",
    PLAN_LABEL_PRINTED,
}

# ── allow-list, PDF side: what the PDF prints of its own ───────────────────────────────────────────
# Removed per page before comparing: the running header (department and document title; the part, or
# `N.项目名称绩效目标表（续）` where a table continues) and the page number, i.e. page-break artefacts;
# the 目录 pages (regenerated). Allowed where the diff shows them: the cover composed from the data (the
# exports print no cover, part of one, or one), and the site's notes beside a 表题 (TITLE_NOTE).
PAGE_NUMBER = re.compile(r"—\d+—$")


def squeeze(text: str) -> str:
    return re.sub(r"\s+", "", text)


def seed_cells(text: str) -> list[str]:
    """The seed as cells (a Word export's cell may hold line breaks: `项目\n\n编码`), bookmarks and the
    original's 目录 set aside."""
    lines = BOOKMARK.sub("", text).split("\n")
    kept, in_toc = [], False
    for line in lines:
        if TOC_HEADING.match(line):
            in_toc = True
            continue
        if in_toc and (not line.strip() or TOC_LINE.match(line)):
            continue
        in_toc = False
        kept.append(line)
    cells = []
    for piece in "\n".join(kept).split("\t"):
        cells += [piece] if _label(piece) else piece.split("\n")
    return _join_wrapped_plan_label(cells)


def _join_wrapped_plan_label(cells: list[str]) -> list[str]:
    joined = list(cells)
    for index, cell in enumerate(joined):
        if not PLAN_HEAD.fullmatch(squeeze(cell)):
            continue
        tail = next(
            (i for i in range(index + 1, min(index + 12, len(joined))) if PLAN_TAIL.fullmatch(squeeze(joined[i]))), None
        )
        if tail is not None:
            joined[index], joined[tail] = cell + joined[tail], ""
    return joined


def _label(cell: str) -> bool:
    return squeeze(cell) in FORM_LABELS or bool(PLAN_LABEL.fullmatch(squeeze(cell)))


@dataclass
class Text:
    """A normalised text, its cover (before 第一部分) apart: the cover is composed from the data by the
    site and the PDF (the exports print a whole cover, a line of it, or none), so it is checked by
    containment — every line the seed's cover prints is in the output's cover — and not compared in order."""

    cover: str
    body: str


def _split_cover(text: str, department: Department) -> Text:
    heading = squeeze(department.headings.part_one or department.headings.overall_goal)
    at = text.find(heading)
    return Text(text[: max(at, 0)], text[max(at, 0) :])


def seed_cover_lines(text: str, department: Department) -> list[str]:
    """The lines the seed prints before 第一部分 (its cover, or what the export kept of it)."""
    heading = squeeze(department.headings.part_one or department.headings.overall_goal)
    lines = []
    for line in (squeeze(cell) for cell in seed_cells(text)):
        if line and heading.startswith(line):
            break
        lines += [line] if line else []
    return lines


def seed_for_pdf(text: str, department: Department) -> Text:
    return _split_cover(squeeze("".join(seed_cells(text))).replace(INDICATOR_HEADER, ""), department)


def seed_for_web(text: str, department: Department) -> Text:
    cells = [squeeze(cell) for cell in seed_cells(text)]
    joined = "".join(cell for cell in cells if not _label(cell)).replace(INDICATOR_HEADER, "")
    return _split_cover(joined, department)


def web_text(bodies: list[str], department: Department) -> Text:
    """The department page and its project pages (HTML bodies, front matter stripped), site parts removed."""
    texts = []
    for body in bodies:
        root = lxml.html.fragment_fromstring(body, create_parent="div")
        for xpath in WEB_SITE_PARTS:
            for element in root.xpath(xpath):
                element.drop_tree()
        for cell in root.xpath("//th|//td"):
            if squeeze(cell.text_content()) in FORM_LABELS:
                cell.drop_tree()
        texts.append(squeeze(root.text_content()))
    return _split_cover("".join(texts).replace(INDICATOR_HEADER, ""), department)


def pdf_text(path: Path, department: Department) -> Text:
    """pdftotext -raw page by page; 目录 pages, running headers and page numbers set aside."""
    raw = subprocess.run(["pdftotext", "-raw", str(path), "-"], capture_output=True, check=True, text=True).stdout
    reader = PdfReader(path)
    pages = raw.split("\f")[: len(reader.pages)]
    part_one = reader.get_destination_page_number(reader.outline[0])  # 0-based: the 目录 ends before it
    headings = department.headings
    margins = {
        squeeze(f"{department.department}{department.year}年部门预算绩效文本"),
        squeeze(headings.part_one or "第一部分部门整体绩效目标"),
        squeeze(headings.part_two or "第二部分预算项目绩效目标"),
        *(squeeze(f"{section.heading}（续）") for section in project_sections(department)),
    }
    kept = [_without_margins(squeeze(page), margins) for page in pages[part_one:]]
    return Text(squeeze(pages[0]), "".join(kept).replace(INDICATOR_HEADER, ""))


def _without_margins(page: str, margins: set[str]) -> str:
    """Margin boxes come last in a page's text: strip the page number and header strings off its end."""
    while True:
        stripped = PAGE_NUMBER.sub("", page)
        for margin in margins:
            stripped = stripped.removesuffix(margin)
        if stripped == page:
            return page
        page = stripped


@dataclass(frozen=True)
class Residual:
    kind: str  # "missing": in the seed, not in the output; "added": in the output only
    text: str
    context: str

    def __str__(self) -> str:
        return f"{self.kind}: {self.text!r}  …{self.context}…"


# A cell the export split at a page break of the original: its rest is printed after the break (seed 002,
# line 698 `间内兑现资金`), the data joins it. The same characters then show as missing at one place and
# added at a place at most this far away: a move within the row, nothing lost or invented.
MOVE_DISTANCE = 120


def residuals(seed: str, output: str) -> list[Residual]:
    """Every difference between the seed's and the output's normalised text, with some context; a piece that
    only moved within a row (MOVE_DISTANCE) is not a difference."""
    missing, added = [], []
    matcher = difflib.SequenceMatcher(None, seed, output, autojunk=False)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag in ("delete", "replace"):
            missing.append((j1, Residual("missing", seed[i1:i2], seed[max(0, i1 - 12) : i2 + 12])))
        if tag in ("insert", "replace"):
            added.append((j1, Residual("added", output[j1:j2], output[max(0, j1 - 12) : j2 + 12])))
    moved = {
        (id(gone), id(new))
        for at, gone in missing
        for where, new in added
        if gone.text == new.text and abs(at - where) <= MOVE_DISTANCE
    }
    moved_parts = {part for pair in moved for part in pair}
    return [
        residual for _, residual in sorted(missing + added, key=lambda item: item[0]) if id(residual) not in moved_parts
    ]
