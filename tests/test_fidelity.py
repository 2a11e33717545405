"""照录: each seed's text is in its department's web pages and in its PDF, in order, nothing missing, nothing added.

The comparison and its allow-lists (each entry with its reason) are in tests/fidelity.py; a failure prints
the residual: every piece of text missing from the output or added to it, with its context.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import fidelity
import lxml.html
import pytest
from mkdocs.utils import meta

from builder.data.load import LoadedDepartment, load_all
from builder.pdf.html import document_html, project_sections
from builder.pdf.render import html_to_pdf
from builder.site.pages import site_pages

ROOT = Path(__file__).resolve().parent.parent
SEEDS = ROOT.parent / "shared" / "seeds"
SEED_FILES = {
    "tangshan-gxq-fagaiju": "000_e58a81ac4f6ea1ef.txt",
    "tangshan-gxq-kejiju": "001_ae7a2bed391112e9.txt",
    "chengde-gxq-jingkeju": "002_d442bda2a6074707.txt",
    "zunhua-jingkaiqu": "003_191d77da26007e67.txt",
}

needs_poppler = pytest.mark.skipif(shutil.which("pdftotext") is None, reason="poppler-utils 未安装")


def seed_text(slug: str) -> str:
    path = SEEDS / SEED_FILES[slug]
    if not path.is_file():
        pytest.skip(f"seed documents not found at {SEEDS}")
    return path.read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def sample() -> dict[str, LoadedDepartment]:
    loaded, errors = load_all([ROOT / "data"])
    assert not errors
    return {item.source.slug: item for item in loaded}


@pytest.fixture(scope="module")
def pages(sample: dict[str, LoadedDepartment]) -> dict[str, str]:
    return {page.path: page.text for page in site_pages(list(sample.values()), with_pdf=False)}


def web_bodies(pages: dict[str, str], loaded: LoadedDepartment) -> list[str]:
    """The department page, then its project pages in the document's order (HTML bodies)."""
    folder = f"{loaded.department.year}/{loaded.source.slug}/"
    department = pages[folder + "index.md"]
    projects = [text for path, text in pages.items() if path.startswith(folder) and path.count("/") == 3]
    projects = [text for text in projects if "bp-project" in text]
    assert len(projects) == len(loaded.department.projects)
    return [meta.get_data(text)[0] for text in [department, *projects]]


def assert_no_residual(residual: list[fidelity.Residual], where: str) -> None:
    assert not residual, f"{where}: {len(residual)} 处与原文不同\n" + "\n".join(map(str, residual))


def assert_cover(seed_lines: list[str], cover: str, where: str) -> None:
    missing = [line for line in seed_lines if line not in cover]
    assert not missing, f"{where}: 封面缺少原文的 {missing}（封面文字：{cover}）"


@pytest.mark.parametrize("slug", sorted(SEED_FILES))
def test_web_pages_carry_the_seed_text_verbatim_and_in_order(
    slug: str, sample: dict[str, LoadedDepartment], pages: dict[str, str]
) -> None:
    loaded, seed = sample[slug], seed_text(slug)
    web = fidelity.web_text(web_bodies(pages, loaded), loaded.department)
    expected = fidelity.seed_for_web(seed, loaded.department)
    assert_cover(fidelity.seed_cover_lines(seed, loaded.department), web.cover, f"{slug} 网页")
    assert_no_residual(fidelity.residuals(expected.body, web.body), f"{slug} 网页")


@needs_poppler
@pytest.mark.parametrize("slug", sorted(SEED_FILES))
def test_pdf_carries_the_seed_text_verbatim_and_in_order(
    slug: str, sample: dict[str, LoadedDepartment], tmp_path: Path
) -> None:
    loaded, seed = sample[slug], seed_text(slug)
    department = loaded.department
    path = tmp_path / f"{slug}.pdf"
    path.write_bytes(html_to_pdf(document_html(department), loaded.source.path.parent))
    pdf = fidelity.pdf_text(path, department)
    expected = fidelity.seed_for_pdf(seed, department)
    assert_cover(fidelity.seed_cover_lines(seed, department), pdf.cover, f"{slug} PDF")
    # Allowed additions: the note beside a 表题 that names another project (the title policy, builder/data/titles.py).
    notes = {
        fidelity.squeeze(f"注：{section.title_note}（项目名称：{section.project.name}）。")
        for section in project_sections(department)
        if section.title_note
    }
    residual = [item for item in fidelity.residuals(expected.body, pdf.body) if item.text not in notes]
    assert_no_residual(residual, f"{slug} PDF")


def test_the_comparison_fails_on_a_renumbered_or_reworded_text(
    sample: dict[str, LoadedDepartment], pages: dict[str, str]
) -> None:
    """The check can fail: the old template's （一） numbering and 项目基本情况 heading are found."""
    loaded, seed = sample["chengde-gxq-jingkeju"], seed_text("chengde-gxq-jingkeju")
    bodies = web_bodies(pages, loaded)
    bodies[0] = bodies[0].replace("<h4>1.以项目建设为支撑", "<h4>（一）以项目建设为支撑", 1)
    bodies[-3] = bodies[-3].replace("<h3>一、基本情况</h3>", "<h3>一、项目基本情况</h3>", 1)
    web = fidelity.web_text(bodies, loaded.department)
    residual = fidelity.residuals(fidelity.seed_for_web(seed, loaded.department).body, web.body)
    assert [(item.kind, item.text) for item in residual] == [
        ("missing", "1."),
        ("added", "（一）"),
        ("added", "项目"),
    ]


# ── other documents: other numbering styles, printed as they are ──────────────────────────────────────

OTHER_STYLES = """示例局

2024年部门预算绩效文本

示例局编制

第一部分：部门整体绩效目标

一、总体绩效目标

总体目标。

二、分项绩效目标

1、推进项目建设；
绩效目标:项目按期开工。
绩效指标:开工率100%。
(2) 优化营商环境
绩效目标：企业满意。

三、工作保障措施

(一)完善制度。制定制度。
（二）加强监督；强化监督。

"""


def test_other_numbering_styles_are_printed_as_they_are(tmp_path: Path) -> None:
    """Half-width brackets, `1、`, `绩效目标:` with a half-width colon, a heading with a colon: the importer keeps
    them as data and the web page and the PDF print them verbatim, adding no number of their own."""
    from test_import_word_text import TABLE

    from builder.data.load import load_department
    from builder.importer.word_text import parse_word_text
    from builder.importer.write import to_yaml

    data, _ = parse_word_text(OTHER_STYLES + TABLE)
    path = tmp_path / "2024" / "shili.yaml"
    path.parent.mkdir()
    path.write_text(to_yaml(data), encoding="utf-8")
    loaded = load_department(path)
    department = loaded.department
    part = department.part_one
    assert department.headings.part_one == "第一部分：部门整体绩效目标"
    assert [(goal.label, goal.title) for goal in part.sub_goals] == [("1、", "推进项目建设；"), ("(2)", "优化营商环境")]
    assert (part.sub_goals[0].goal_label, part.sub_goals[0].goal) == ("绩效目标:", "项目按期开工。")
    assert [(measure.label, measure.title) for measure in part.measures] == [
        ("(一)", "完善制度。"),
        ("（二）", "加强监督；强化监督。"),  # no 。: the whole paragraph is the title, printed as one
    ]
    printed = fidelity.squeeze(
        "第一部分：部门整体绩效目标 一、总体绩效目标 总体目标。二、分项绩效目标"
        " 1、推进项目建设；绩效目标:项目按期开工。绩效指标:开工率100%。(2)优化营商环境 绩效目标：企业满意。"
        "三、工作保障措施 (一)完善制度。制定制度。（二）加强监督；强化监督。"
    )
    pdf = lxml.html.document_fromstring(document_html(department))
    assert fidelity.squeeze(pdf.xpath("//section[contains(@class, 'part-one')]")[0].text_content()) == printed
    page = next(page.text for page in site_pages([loaded], with_pdf=False) if page.path == "2024/shili/index.md")
    root = lxml.html.fragment_fromstring(meta.get_data(page)[0], create_parent="div")
    part_one = root.xpath("//h2[@id='part-one']/following-sibling::*[following-sibling::h2[@id='projects']]")
    assert (
        fidelity.squeeze(
            root.xpath("//h2[@id='part-one']")[0].text_content()
            + "".join(element.text_content() for element in part_one)
        )
        == printed
    )
