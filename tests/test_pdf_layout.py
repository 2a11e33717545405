"""Page breaks of the PDF (issue 17): 说明 → 表题 → unit line → table, the 表题 on the page where its table starts,
no page holding a lone indicator row of a table; measured on every sample department and on synthetic ones
whose 说明 grow long enough to push titles and tables to every position on a page."""

from __future__ import annotations

import shutil
import subprocess
from collections import Counter
from pathlib import Path

import pytest

from builder.data.load import load_department
from builder.data.model import Department
from builder.pdf.html import document_html, project_sections
from builder.pdf.layout_check import measure
from builder.pdf.render import html_to_pdf

ROOT = Path(__file__).resolve().parent.parent
SAMPLES = sorted((ROOT / "data" / "2023").glob("*.yaml"))
SENTENCE = "为深入贯彻落实市委、市政府决策部署，加快建立以质量和效益为导向的综合评价机制，提高资源要素配置效率。"

# The rules off: what the measurement finds when the template does not keep things together.
RULES_OFF = (
    "<style>.table-title, .title-note, .form-caption { break-after: auto !important }"
    " .indicators tr.keep-with-next { break-after: auto !important }"
    " .indicators, .form { break-before: auto !important; break-inside: auto !important }</style></head>"
)


def synthetic(base: Department, step: int, extra_rows: int) -> Department:
    """`base` with 说明 of growing length (1–23 sentences, by `step`) and up to `extra_rows` more indicator rows."""
    projects = []
    for index, project in enumerate(base.projects):
        notes = project.notes.model_copy(
            update={"overview": [SENTENCE * ((index * step) % 23 + 1)], "funding": [SENTENCE * (index % 5 + 1)]}
        )
        rows = list(project.indicators)
        if extra_rows:
            more = [row.model_copy() for row in rows[1 : 1 + index % extra_rows]]
            for row in more:  # merged into the block above, as an omitted 一级/二级指标 is
                row._merged_level1 = row._merged_level2 = True
            rows = rows[:1] + more + rows[1:]
        projects.append(project.model_copy(update={"notes": notes, "indicators": rows}))
    return base.model_copy(update={"projects": projects})


@pytest.fixture(scope="module")
def chengde() -> Department:
    return load_department(ROOT / "data" / "2023" / "chengde-gxq-jingkeju.yaml").department


@pytest.mark.parametrize("path", SAMPLES, ids=[path.stem for path in SAMPLES])
def test_sample_pdfs_keep_titles_with_tables_and_no_lone_rows(path: Path) -> None:
    department = load_department(path).department
    placements, _ = measure(document_html(department), path.parent)
    assert len(placements) == len(department.projects)
    assert [problem for placement in placements for problem in placement.problems()] == []


@pytest.mark.parametrize(("step", "extra_rows"), [(1, 0), (5, 0), (7, 6), (3, 9)])
def test_long_notes_push_titles_and_tables_anywhere_and_the_rules_hold(
    chengde: Department, step: int, extra_rows: int
) -> None:
    department = synthetic(chengde, step, extra_rows)
    placements, pages = measure(document_html(department))
    assert pages > 34  # longer than the sample: tables start and continue at many page positions
    assert [problem for placement in placements for problem in placement.problems()] == []


def test_the_measurement_finds_what_the_rules_prevent(chengde: Department) -> None:
    """The same synthetic departments with the keep rules switched off break them: the test can fail. (Which
    variant leaves a lone row depends on the column widths: two of them, so that each problem shows.)"""
    problems = []
    for step, extra_rows in [(1, 0), (7, 6)]:
        html = document_html(synthetic(chengde, step, extra_rows)).replace("</head>", RULES_OFF, 1)
        placements, _ = measure(html)
        problems += [problem for placement in placements for problem in placement.problems()]
    assert any("表题在第" in problem for problem in problems)
    assert any("只有 1 行指标" in problem for problem in problems)


@pytest.mark.skipif(shutil.which("pdftotext") is None, reason="poppler-utils 未安装")
def test_a_continued_table_repeats_its_header_and_names_its_project(chengde: Department, tmp_path: Path) -> None:
    """Read back as a reader's tool does: every page where a table continues has the header row and the caption."""
    department = synthetic(chengde, 7, 6)
    path = tmp_path / "long.pdf"
    path.write_bytes(html_to_pdf(document_html(department)))
    text = subprocess.run(["pdftotext", "-raw", str(path), "-"], capture_output=True, check=True, text=True)
    pages = ["".join(page.split()) for page in text.stdout.split("\f")]
    placements, _ = measure(document_html(department))
    sections = {section.anchor: section for section in project_sections(department)}
    continued = 0
    for placement in placements:
        for page in sorted(Counter(placement.row_pages))[1:]:  # the pages after the table's first
            caption = "".join(f"{sections[placement.anchor].heading}（续）".split())
            assert caption in pages[page - 1], (placement.anchor, page)
            assert "一级指标二级指标三级指标" in pages[page - 1]
            continued += 1
        first = placement.table_page
        assert "（续）" not in pages[first - 1], (placement.anchor, first)  # not where the table starts
    assert continued >= 2
