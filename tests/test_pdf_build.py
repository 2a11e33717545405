"""How PDFs are made: same bytes every time, the content-hash cache, safety, fonts, and the print HTML."""

from __future__ import annotations

import io
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from pypdf import PdfReader

from builder.data.load import LoadedDepartment, load_all, load_department
from builder.errors import BuilderError
from builder.pdf import fonts as pdf_fonts
from builder.pdf.fetch import LocalFilesFetcher
from builder.pdf.html import PRINT_THEME, cover_lines, document_html, indicator_print_rows, project_sections, spread
from builder.pdf.render import html_to_pdf
from builder.pipeline.progress import Progress
from builder.pipeline.steps import render_pdfs as pdf
from builder.pipeline.steps.render_pdfs import render_pdf, render_pdfs
from builder.pipeline.store import Store

ROOT = Path(__file__).resolve().parent.parent
SMALLEST = ROOT / "data" / "2023" / "tangshan-gxq-kejiju.yaml"  # 3 projects, 7 pages: the quickest to render
FIXTURE = ROOT / "tests" / "browser" / "data" / "2023" / "fixture-yingji.yaml"  # strings written as HTML


@pytest.fixture
def no_epoch(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("SOURCE_DATE_EPOCH", raising=False)


@pytest.fixture(scope="module")
def smallest() -> LoadedDepartment:
    return load_department(SMALLEST)


def with_department_name(loaded: LoadedDepartment, name: str) -> LoadedDepartment:
    department = loaded.department.model_copy(update={"department": name})
    return LoadedDepartment(loaded.source, department)


# Reproducible output


def test_same_data_gives_the_same_bytes_in_process_and_in_workers(
    smallest: LoadedDepartment, tmp_path: Path, no_epoch: None
) -> None:
    first = render_pdf(smallest)
    assert render_pdf(smallest) == first
    other = load_department(ROOT / "data" / "2023" / "zunhua-jingkaiqu.yaml")
    outputs = render_pdfs([smallest, other], tmp_path, jobs=2)
    assert outputs[0].read_bytes() == first


def test_same_bytes_from_fresh_processes_with_different_hash_seeds(tmp_path: Path) -> None:
    code = (
        "import sys, hashlib; from pathlib import Path; from builder.data.load import load_department; "
        "from builder.pipeline.steps.render_pdfs import render_pdf; "
        "print(hashlib.sha256(render_pdf(load_department(Path(sys.argv[1])))).hexdigest())"
    )
    digests = set()
    for seed in ("1", "2"):
        environment = {**os.environ, "PYTHONHASHSEED": seed}
        environment.pop("SOURCE_DATE_EPOCH", None)
        result = subprocess.run(
            [sys.executable, "-c", code, str(SMALLEST)], cwd=ROOT, env=environment, capture_output=True, text=True
        )
        assert result.returncode == 0, result.stderr
        digests.add(result.stdout.strip())
    assert len(digests) == 1


def test_no_creation_date_unless_source_date_epoch_is_set(
    smallest: LoadedDepartment, monkeypatch: pytest.MonkeyPatch, no_epoch: None
) -> None:
    assert b"/CreationDate" not in render_pdf(smallest)
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")
    info = PdfReader(io.BytesIO(render_pdf(smallest))).metadata
    assert info["/CreationDate"].startswith("D:20231114221320")


# The content-hash cache


def test_an_unchanged_department_is_copied_from_the_cache(
    smallest: LoadedDepartment, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, no_epoch: None
) -> None:
    cache = tmp_path / "cache"
    [first] = render_pdfs([smallest], tmp_path / "site1", jobs=1, store=Store(cache))

    def must_not_render(html: str, data_dir: Path) -> bytes:
        raise AssertionError("rendered again although nothing changed")

    monkeypatch.setattr(pdf, "html_to_pdf", must_not_render)
    [second] = render_pdfs([smallest], tmp_path / "site2", jobs=1, store=Store(cache))
    assert second.read_bytes() == first.read_bytes()


def test_a_changed_department_is_rendered_again_into_an_entry_of_its_own(
    smallest: LoadedDepartment, tmp_path: Path, no_epoch: None
) -> None:
    cache = tmp_path / "cache"
    [before] = render_pdfs([smallest], tmp_path / "a", jobs=1, store=Store(cache))
    changed = with_department_name(smallest, "高新区科技局（修订）")
    [after] = render_pdfs([changed], tmp_path / "b", jobs=1, store=Store(cache))
    assert after.read_bytes() != before.read_bytes()
    assert "高新区科技局（修订）" in PdfReader(after).metadata.title
    assert len(list((cache / "pdf").glob("*.pdf"))) == 2  # the older one goes when the store is pruned


def test_the_cache_key_covers_the_creation_date(smallest: LoadedDepartment, monkeypatch: pytest.MonkeyPatch) -> None:
    from builder.pipeline.steps.render_pdfs import html_key

    monkeypatch.setenv("SOURCE_DATE_EPOCH", "0")
    with_zero = html_key(document_html(smallest.department))
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "86400")
    assert html_key(document_html(smallest.department)) != with_zero


# Safety: WeasyPrint reads the print theme and the data folder only


def test_fetcher_allows_theme_files_and_refuses_everything_else(tmp_path: Path) -> None:
    fetcher = LocalFilesFetcher((PRINT_THEME,))
    assert fetcher.allowed_path((PRINT_THEME / "print.css").as_uri()) == (PRINT_THEME / "print.css").resolve()
    refused = [
        "https://example.com/logo.png",
        "http://127.0.0.1:8000/",
        "ftp://example.com/x",
        "data:text/css,body{}",
        Path("/etc/passwd").as_uri(),
        (PRINT_THEME / ".." / ".." / "pyproject.toml").as_uri(),
        "file://otherhost/etc/passwd",
    ]
    for url in refused:
        assert fetcher.allowed_path(url) is None, url


@pytest.mark.parametrize("url", ["http://127.0.0.1:9/x.png", Path("/etc/hostname").as_uri()])
def test_a_template_reaching_outside_stops_the_build(url: str) -> None:
    html = f'<html lang="zh-CN"><body><p>测试</p><img src="{url}"></body></html>'
    with pytest.raises(BuilderError, match="已拒绝"):
        html_to_pdf(html)


def test_html_in_the_data_is_printed_as_text_never_fetched(tmp_path: Path, no_epoch: None) -> None:
    loaded, errors = load_all([FIXTURE])
    assert not errors
    data = render_pdf(loaded[0])  # would raise on the <img src=x> if it were markup
    text = re.sub(r"\s+", "", "".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages))
    assert '<script>alert("部门")</script>' in text
    assert "<b>帐篷</b>&棉被" in text


# Fonts


def test_missing_cjk_font_fails_with_the_install_command(
    smallest: LoadedDepartment, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(pdf_fonts, "_match_family", lambda family: None)
    pdf_fonts.cjk_font_files.cache_clear()
    try:
        with pytest.raises(BuilderError, match="apt-get install fonts-noto-cjk"):
            render_pdfs([smallest], tmp_path, jobs=1)
        assert not list(tmp_path.rglob("*.pdf"))
    finally:
        pdf_fonts.cjk_font_files.cache_clear()


def test_fontconfig_tells_a_missing_family_from_an_installed_one() -> None:
    assert pdf_fonts._match_family("No Such Font Family 字体") is None
    for family, path in pdf_fonts.cjk_font_files():
        assert path.is_file(), family


# Options, failures and progress


@pytest.mark.parametrize("jobs", [1, 2])
def test_a_failing_department_is_named_in_the_error(
    smallest: LoadedDepartment, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, jobs: int
) -> None:
    def broken(html: str, data_dir: Path) -> bytes:
        raise BuilderError("排版失败")

    monkeypatch.setattr(pdf, "html_to_pdf", broken)  # forked workers inherit the patch
    other = load_department(ROOT / "data" / "2023" / "zunhua-jingkaiqu.yaml")
    with pytest.raises(BuilderError, match=r"（2023）：排版失败"):
        render_pdfs([smallest, other], tmp_path, jobs=jobs)
    assert not list(tmp_path.rglob("*.pdf"))


def test_jobs_must_be_positive(smallest: LoadedDepartment, tmp_path: Path) -> None:
    with pytest.raises(BuilderError, match="--jobs"):
        render_pdfs([smallest], tmp_path, jobs=0)


def test_progress_counts_rendered_and_reused_pdfs(smallest: LoadedDepartment, tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    for site in ("first", "second"):
        stream = io.StringIO()
        progress = Progress.for_stream(stream, environ={"CI": "true"})
        with progress.stage("生成 PDF", total=1) as stage:
            render_pdfs([smallest], tmp_path / site, jobs=1, store=Store(cache), stage=stage)
        assert stage.done + stage.skipped == 1
    assert stage.skipped == 1  # the second build copied the PDF from the cache
    assert "生成 PDF：1 个，其中 1 个未改动沿用" in stream.getvalue()


# The print HTML: 目录 and body come from the same list of projects


def test_toc_and_body_list_exactly_the_projects_of_the_data(smallest: LoadedDepartment) -> None:
    department = smallest.department
    fewer = department.model_copy(update={"projects": department.projects[:2]})
    for model in (department, fewer):
        html = document_html(model)
        toc = re.findall(r'<li class="toc-section toc-project"><a href="#([^"]+)">', html)
        sections = re.findall(r'<section class="project" id="([^"]+)"', html)
        assert sections == [section.anchor for section in project_sections(model)]
        assert toc == [section.form_anchor for section in project_sections(model)]  # the 表题, not the 说明
        assert all(f'id="{anchor}"' in html for anchor in toc)
        assert len(toc) == len(model.projects)


def test_contents_name_projects_by_their_name_and_the_body_prints_the_title_as_published() -> None:
    """The title policy (data/titles.py): 目录 and bookmark `N.项目名称绩效目标表`; the 表题 printed verbatim."""
    kejiju = load_department(SMALLEST).department
    sections = project_sections(kejiju)
    assert [section.heading for section in sections] == [
        "1.高新技术企业扶持资金绩效目标表",
        "2.百川房屋租赁费绩效目标表",  # the printed 表题 says 机器人产业扶持资金
        "3.创投基金注资绩效目标表",
    ]
    assert [section.title_note is not None for section in sections] == [False, True, False]
    html = document_html(kejiju)
    assert re.search(
        r'<p class="table-title" id="[^"]+-form" data-bookmark="2.百川房屋租赁费绩效目标表">'
        "机器人产业扶持资金项目绩效目标表</p>",
        html,
    )
    assert "注：原文表题与项目名称不同；目录、书签和页面标题按项目名称（项目名称：百川房屋租赁费）。" in html
    assert "project-heading" not in html  # no heading of the PDF's own in the body


def test_contents_keep_the_original_numbering_around_an_entry_without_a_table() -> None:
    chengde = load_department(ROOT / "data" / "2023" / "chengde-gxq-jingkeju.yaml").department
    headings = [section.heading for section in project_sections(chengde)]
    assert headings[5:7] == ["6.清洁能源取暖工作经费绩效目标表", "8.商务工作专项绩效目标表"]
    html = document_html(chengde)
    entry = '<li class="toc-section toc-project toc-missing">7.商贸流通企业奖补绩效目标表'
    assert entry + '<span class="site-note">（原文目录列有此项，正文无绩效目标表）</span></li>' in html


def test_published_order_notes_then_title_then_unit_line_then_table() -> None:
    chengde = load_department(ROOT / "data" / "2023" / "chengde-gxq-jingkeju.yaml").department
    html = document_html(chengde)
    project = html[html.index('id="project-13081123P00003910002P"') :]
    marks = ["关于基层统计人员业务培训绩效目标指标的说明", "三.基层统计人员业务培训绩效目标表", "单位：万元"]
    marks.append("项目编码")
    positions = [project.index(mark) for mark in marks]
    assert positions == sorted(positions)
    supports = html[html.index('id="project-13081123P00004710002K"') :]
    assert "<h4>一、基本情况</h4>" in supports and "<h5>(三) 评价标准</h5>" in supports  # as printed


def test_spread_shares_the_grid_among_checkpoints() -> None:
    assert spread(4) == [3, 3, 3, 3]
    assert spread(5) == [3, 3, 2, 2, 2]
    assert sum(spread(7)) == 12
    assert spread(0) == []


def test_cover_lines_break_long_names_after_a_place_or_body() -> None:
    assert cover_lines("高新区发改局") == ["高新区发改局"]
    assert cover_lines("承德高新技术产业开发区经济与科技发展局") == ["承德高新技术产业开发区", "经济与科技发展局"]
    assert all(len(line) <= 14 for line in cover_lines("某某省某某市某某县人民政府办公室机关事务服务中心管理处"))


def test_merged_cells_stay_on_one_page_when_their_block_is_short(smallest: LoadedDepartment) -> None:
    project = smallest.department.projects[0]
    rows = indicator_print_rows(project)
    for index, ((row, keep), following) in enumerate(zip(rows, [*rows[1:], None], strict=True)):
        same_block = following is not None and following[0].level1_span == 0
        edge = following is not None and (index == 0 or index == len(rows) - 2)  # two rows start and end a table
        assert keep == (same_block or edge), row.indicator.name
    assert rows[-1][1] is False
