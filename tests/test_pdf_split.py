"""A large department's PDF printed in pieces and merged (builder/pdf/split.py) reads as one document.

The piece size is set small (BUILDER_PDF_PART_PROJECTS) so a department of 45 synthetic projects takes the
split path in seconds, as a department of 2 000 does with the default size: a two-page 目录, 第一部分 and six
runs of projects. Read back with poppler's pdftotext and pypdf, as a reader's tools would: each 目录 entry,
bookmark and 目录 link points at the page where the project's 表题 is printed, every page prints its own PDF page
number, and the text is the text of the same department printed in one render.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pikepdf
import pytest
from pypdf import PdfReader

from builder.data.load import LoadedDepartment, load_department
from builder.pdf.html import ProjectSection, document_html, project_sections
from builder.pdf.merge import merge_pieces
from builder.pdf.render import html_to_pdf
from builder.pdf.split import PART_PROJECTS, PART_PROJECTS_VARIABLE, is_split, part_projects
from builder.pipeline.steps.render_pdfs import render_pdfs

ROOT = Path(__file__).resolve().parent.parent
PROJECTS = 45
PIECE = 8


@pytest.fixture(scope="module")
def large(tmp_path_factory: pytest.TempPathFactory) -> LoadedDepartment:
    folder = tmp_path_factory.mktemp("large")
    generator = [sys.executable, str(ROOT / "benchmarks" / "generate_corpus.py"), "1", str(folder)]
    subprocess.run([*generator, "--projects", str(PROJECTS)], check=True, capture_output=True)
    return load_department(next(folder.glob("*/*.yaml")))


@pytest.fixture(scope="module")
def split_pdf(large: LoadedDepartment, tmp_path_factory: pytest.TempPathFactory) -> Path:
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv(PART_PROJECTS_VARIABLE, str(PIECE))
        patch.setenv("SOURCE_DATE_EPOCH", "1700000000")
        assert is_split(large.department)
        [path] = render_pdfs([large], tmp_path_factory.mktemp("site"), jobs=1)
    return path


def page_texts(pdf: Path) -> list[str]:
    """Each page's text, from poppler's pdftotext (pages end with a form feed)."""
    text = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    return text.split("\f")[:-1]


def contents_numbers(pages: list[str], count: int) -> dict[str, int]:
    """The 目录's page number for each numbered project line ("12.…绩效目标表 …… 23"), by its number."""
    contents = "\n".join(page for page in pages[1:5] if "......" in page)  # the 目录's pages have leader dots
    entries = re.findall(r"^\s*(\d+)\.\S.*?\.{2,}\s*(\d+)\s*$", contents, re.M | re.S)  # a long title wraps
    found = {number: int(page) for number, page in entries}
    assert sorted(found, key=int) == [str(number) for number in range(1, count + 1)]
    return found


def start_pages(pages: list[str], sections: list[ProjectSection], after: int) -> list[int]:
    """The page (from 1) where each project starts, found in order from page `after` on: where its 表题 is printed
    (or, without one, its 项目编码, the form's first row): where its 目录 entry points, after its 说明 if any."""
    flat = [re.sub(r"\s+", "", page) for page in pages]
    found, start = [], after
    for section in sections:
        project = section.project
        marker = re.sub(r"\s+", "", project.title or project.code or "")
        start = next(index for index in range(start, len(flat)) if marker in flat[index])
        found.append(start + 1)
    return found


def test_the_contents_bookmarks_and_links_point_at_each_project(split_pdf: Path, large: LoadedDepartment) -> None:
    sections = project_sections(large.department)
    pages = page_texts(split_pdf)
    numbers = contents_numbers(pages, len(sections))
    tables = start_pages(pages, sections, after=3)
    contents = [numbers[str(section.number)] for section in sections]
    assert sum(section.project.notes is None for section in sections) > 20
    for section, listed, table in zip(sections, contents, tables, strict=True):
        assert listed == table, section.heading  # the 表题's page, after the 说明 if there is one
    assert contents == sorted(contents) and len(set(contents)) == len(contents)
    printed = contents

    reader = PdfReader(split_pdf)
    part_one, part_one_children, part_two, projects = reader.outline
    assert part_one.title.startswith("第一部分") and part_two.title.startswith("第二部分")
    assert [mark.title for mark in part_one_children] == ["一、总体绩效目标", "二、分项绩效目标", "三、工作保障措施"]
    assert [mark.title for mark in projects] == [section.heading for section in sections]
    assert [reader.get_destination_page_number(mark) + 1 for mark in projects] == printed
    assert reader.get_destination_page_number(part_two) + 1 == printed[0]

    destinations = reader.named_destinations
    links = [annotation.get_object() for annotation in reader.pages[1]["/Annots"] + reader.pages[2]["/Annots"]]
    targets = {str(link["/Dest"]) for link in links}
    linked = {name: reader.get_destination_page_number(destinations[name]) + 1 for name in targets}
    assert [linked[section.form_anchor] for section in sections] == printed


def test_every_page_prints_its_own_page_number(split_pdf: Path) -> None:
    pages = page_texts(split_pdf)
    assert len(pages) == len(PdfReader(split_pdf).pages) > 60
    for number, page in enumerate(pages[1:], start=2):
        assert re.search(rf"—\s*{number}\s*—\s*$", page), (number, page[-200:])


def test_it_reads_as_the_same_document_printed_in_one_render(
    split_pdf: Path, large: LoadedDepartment, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")
    whole = tmp_path / "whole.pdf"
    whole.write_bytes(html_to_pdf(document_html(large.department), large.source.path.parent))
    assert page_texts(split_pdf) == page_texts(whole)
    merged, single = PdfReader(split_pdf), PdfReader(whole)
    assert merged.metadata == single.metadata
    assert merged.metadata.title == f"{large.department.department}2023年部门预算绩效文本"
    assert merged.metadata.creation_date.year == 2023
    for key in ("/Lang", "/PageMode", "/ViewerPreferences", "/MarkInfo"):
        assert merged.trailer["/Root"][key] == single.trailer["/Root"][key]
    assert structure(split_pdf) == structure(whole)


def structure(path: Path) -> tuple[list[str], bool]:
    """The tagged structure's sections under its one Document element, and whether every page's marked content
    is found through the parent tree under a key of its own."""
    with pikepdf.open(path) as pdf:
        [document] = pdf.Root.StructTreeRoot.K
        numbers = pdf.Root.StructTreeRoot.ParentTree.Nums
        keys = {int(numbers[index]) for index in range(0, len(numbers), 2)}
        pages = [int(page.obj.StructParents) for page in pdf.pages]
        assert all(kid.P.objgen == document.objgen for kid in document.K)
        return [str(kid.S) for kid in document.K], len(set(pages)) == len(pages) and set(pages) <= keys


def test_merging_the_same_pieces_gives_the_same_bytes(split_pdf: Path, tmp_path: Path) -> None:
    reader = PdfReader(split_pdf)
    halves = [tmp_path / "a.pdf", tmp_path / "b.pdf"]
    for path, pages in zip(halves, (range(0, 3), range(3, len(reader.pages))), strict=True):
        from pypdf import PdfWriter

        writer = PdfWriter()
        for index in pages:
            writer.add_page(reader.pages[index])
        writer.write(path)
    first = merge_pieces(halves, [False, False], set())
    assert merge_pieces(halves, [False, False], set()) == first
    assert b"CreationDate" not in first  # no date of its own; the file identifier is derived from the content


def test_the_piece_size_setting(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(PART_PROJECTS_VARIABLE, raising=False)
    assert part_projects() == PART_PROJECTS
    monkeypatch.setenv(PART_PROJECTS_VARIABLE, "0")
    with pytest.raises(Exception, match=PART_PROJECTS_VARIABLE):
        part_projects()


def test_same_bytes_from_fresh_processes_with_different_hash_seeds() -> None:
    """The split path is reproducible too: the sample department printed in pieces of two projects, twice."""
    sample = ROOT / "data" / "2023" / "zunhua-jingkaiqu.yaml"  # 4 projects: cover and 目录, 第一部分, two runs
    code = (
        "import sys, hashlib; from pathlib import Path; from builder.data.load import load_department; "
        "from builder.pipeline.steps.render_pdfs import render_pdf; "
        "print(hashlib.sha256(render_pdf(load_department(Path(sys.argv[1])))).hexdigest())"
    )
    digests = set()
    for seed in ("1", "2"):
        environment = {**os.environ, "PYTHONHASHSEED": seed, PART_PROJECTS_VARIABLE: "2", "SOURCE_DATE_EPOCH": "1"}
        done = subprocess.run(
            [sys.executable, "-c", code, str(sample)], cwd=ROOT, env=environment, capture_output=True, text=True
        )
        assert done.returncode == 0, done.stderr
        digests.add(done.stdout.strip())
    assert len(digests) == 1
