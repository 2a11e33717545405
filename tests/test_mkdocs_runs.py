"""How the MkDocs step deals pages to its runs and moves their output into the site (steps/run_mkdocs.py).

A department's pages go to one run, so that its folder is made once and moved whole: dealt page by
page, every run made every department's folder, a cost growing as the square of the departments.
"""

from __future__ import annotations

from pathlib import Path

from builder.pipeline.steps.run_mkdocs import _chunks, _move, _Run, _runs
from builder.site.linkcheck import site_files


def department_pages(departments: int, projects: int) -> list[str]:
    pages = []
    for d in range(departments):
        folder = f"2023/dept-{d:04d}"
        pages += [f"{folder}/index.md", f"{folder}/quality.md", *(f"{folder}/P{p:03d}.md" for p in range(projects))]
    return sorted([*pages, "2023/index.md", "2023/projects/index.md", "index.md"])


def test_runs_split_the_pages_evenly_between_departments(tmp_path: Path) -> None:
    todo = department_pages(500, 15)  # 8 503 pages: two rounds of two runs on two cores
    runs = _runs(tmp_path, todo, 2, theme_reused=False)
    assert len(runs) == 4
    assert [page for run in runs for page in run.render_only] == todo
    assert [run.pages_only for run in runs] == [False, True, True, True]
    sizes = [len(run.render_only) for run in runs]
    assert max(sizes) - min(sizes) <= 2 * 17  # each cut moved to a department's end
    folders = [{"/".join(page.split("/")[:2]) for page in run.render_only if page.count("/") > 1} for run in runs]
    for index, mine in enumerate(folders):
        others = set().union(*(theirs for other, theirs in enumerate(folders) if other != index))
        assert not mine & others, "a department split over two runs"


def test_chunks_of_a_few_pages_and_of_one_large_department() -> None:
    assert _chunks(["index.html"], 1) == [("index.html",)]
    big = [f"2023/big/P{p:04d}.md" for p in range(10)]
    assert _chunks(big, 2) == [tuple(big), ()]  # one folder is not cut: the second run has nothing to render
    assert _chunks(["a.md", "b.md", "c.md", "d.md"], 2) == [("a.md", "b.md"), ("c.md", "d.md")]


def write(folder: Path, names: list[str]) -> None:
    for name in names:
        (folder / name).parent.mkdir(parents=True, exist_ok=True)
        (folder / name).write_text(name, encoding="utf-8")


def test_a_run_moves_new_department_folders_whole_and_the_rest_page_by_page(tmp_path: Path) -> None:
    run_dir, staging = tmp_path / "mkdocs-1", tmp_path / "staging"
    pages = [
        "2023/a/index.html",
        "2023/a/P1/index.html",
        "2023/b/index.html",
        "2023/c/P1/index.html",
        "2023/x/index.html",
    ]
    write(run_dir, [*pages, "2023/c/stray.txt"])  # c holds a file that is no page of the run: not moved
    write(staging, ["2023/b/P9/index.html"])  # b is in the site already (another run's page)
    markdown = ["2023/a/index.md", "2023/a/P1.md", "2023/b/index.md", "2023/c/P1.md", "2023/x.md"]
    inode = (run_dir / "2023/a").stat().st_ino
    moved = _move(_Run(run_dir, tuple(markdown), pages_only=True), staging, whole=False)
    assert sorted(moved) == sorted(pages)
    assert (staging / "2023/a").stat().st_ino == inode  # renamed, not made again
    assert sorted(site_files(staging)) == sorted([*pages, "2023/b/P9/index.html"])
    assert all((staging / page).read_text(encoding="utf-8") == page for page in pages)
    assert not run_dir.exists()


def test_project_folders_are_moved_whole_into_a_department_folder_the_site_has(tmp_path: Path) -> None:
    """The open data is written before MkDocs runs, so a department's folder is in the site already: its project
    folders are renamed, not made again beside folders removed (ext4 then makes every new file slower for 30 s)."""
    run_dir, staging = tmp_path / "mkdocs-0", tmp_path / "staging"
    pages = ["2023/a/index.html", "2023/a/P1/index.html", "2023/a/P2/index.html", "2023/a/P3/index.html"]
    write(run_dir, [*pages, "2023/a/P3/stray.txt"])  # P3 holds a file that is no page of the run
    write(staging, ["2023/a/data/a.csv", "2023/a/P2/other.html"])  # P2 is in the site already
    inode = (run_dir / "2023/a/P1").stat().st_ino
    markdown = ["2023/a/index.md", "2023/a/P1.md", "2023/a/P2.md", "2023/a/P3.md"]
    moved = _move(_Run(run_dir, tuple(markdown), pages_only=True), staging, whole=False)
    assert sorted(moved) == sorted(pages)
    assert (staging / "2023/a/P1").stat().st_ino == inode
    assert sorted(site_files(staging)) == sorted([*pages, "2023/a/data/a.csv", "2023/a/P2/other.html"])
    assert all((staging / page).read_text(encoding="utf-8") == page for page in pages)
    assert not run_dir.exists()
