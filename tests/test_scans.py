"""The walks every build makes over a site's files and the generated pages' folder, each made once and cheap,
still catch what they caught: a file edited, added or replaced by a symlink in the site, a manifest path that
leads out, a symlink out of the project among the generated pages, a page or folder left behind."""

from __future__ import annotations

import os
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from builder.errors import BuilderError
from builder.pipeline import unchanged, walks
from builder.pipeline.commit import in_place_tree, scan, site_tree
from builder.pipeline.outdir import KIND_SITE, escapes, escaping_files, write_marker
from builder.pipeline.outputs import OWNER_MARKER, PART_MANIFEST, Entry, Manifest, _all_plain, path_problem
from builder.pipeline.steps import read_data
from builder.pipeline.steps.write_pages import _remove_others, checked_walk, walk

PAGES = ["2023/a/index.md", "2023/a/p1/index.md", "2023/a/p2/index.md", "2023/b/index.md", "index.md"]


def _site(root: Path, files: dict[str, bytes]) -> Manifest:
    """A published site holding `files`, and its manifest as the build that wrote it left it."""
    root.mkdir()
    write_marker(root, KIND_SITE)
    entries = {}
    for path, data in files.items():
        (root / path).parent.mkdir(parents=True, exist_ok=True)
        (root / path).write_bytes(data)
        status = os.lstat(root / path)
        entries[path] = Entry("k", status.st_size, status.st_mtime_ns)
    return Manifest(root, entries)


def _intact(manifest: Manifest) -> dict[str, bool]:
    return {path: manifest.intact(path, entry) for path, entry in manifest.entries.items()}


FILES = {"index.html": b"<p>home</p>", "2023/a/index.html": b"<p>a</p>", "2023/a/p/index.html": b"<p>p</p>"}


def test_the_site_walk_finds_each_file_as_a_stat_does(tmp_path: Path) -> None:
    manifest = _site(tmp_path / "site", FILES)
    page = tmp_path / "site" / "2023" / "a" / "index.html"
    page.write_bytes(b"<p>A</p>")  # edited by hand: same size, another time
    os.utime(page, ns=(1, 1))
    (tmp_path / "site" / "2023" / "a" / "p" / "index.html").unlink()
    (tmp_path / "copy.html").write_bytes(FILES["index.html"])
    (tmp_path / "site" / "index.html").unlink()
    (tmp_path / "site" / "index.html").symlink_to(tmp_path / "copy.html")  # same bytes, behind a link
    (tmp_path / "site" / "2023" / "stray.txt").write_text("放进来的", encoding="utf-8")
    lstat_checked = Manifest(manifest.root, dict(manifest.entries))
    pending = in_place_tree(tmp_path / "site", manifest, whole_site=True)
    assert pending is not None
    tree = pending.result()
    assert _intact(manifest) == _intact(lstat_checked) == dict.fromkeys(FILES, False)
    assert {"2023/stray.txt", "index.html", OWNER_MARKER} <= tree.files  # to be removed (or replaced) by the commit
    assert "index.html" not in tree.regular and tree.regular["2023/a/index.html"][0] == len(b"<p>A</p>")


def test_an_untouched_site_is_found_intact_without_a_stat_each(tmp_path: Path) -> None:
    manifest = _site(tmp_path / "site", FILES)
    in_place_tree(tmp_path / "site", manifest, whole_site=True)
    assert _intact(manifest) == dict.fromkeys(FILES, True)
    os.utime(tmp_path / "site" / "index.html", ns=(1, 1))  # after the walk: the walk's sizes and times count
    assert manifest.intact("index.html", manifest.entries["index.html"])


def test_files_behind_a_symlinked_folder_are_not_found(tmp_path: Path) -> None:
    manifest = _site(tmp_path / "site", FILES)
    os.rename(tmp_path / "site" / "2023", tmp_path / "elsewhere")
    (tmp_path / "site" / "2023").symlink_to(tmp_path / "elsewhere", target_is_directory=True)
    with ThreadPoolExecutor(1) as ahead:  # walked on a thread, as a build does while its first steps run
        in_place_tree(tmp_path / "site", manifest, whole_site=True, walked=ahead.submit(scan, tmp_path / "site", True))
    assert _intact(manifest) == {"index.html": True, "2023/a/index.html": False, "2023/a/p/index.html": False}


paths = st.text(alphabet="ab./\\:\x00\x01\n\x85\x9f中", max_size=6)


@settings(deadline=None)
@example(["a", ""])
@example(["a/../b"])
@example(["a//b", "c"])
@example(["a\x00b"])
@example([PART_MANIFEST])
@example([OWNER_MARKER, "a"])
@example(["x" * 1025])
@example(["/a"])
@example(["a/"])
@example(["./a", "b"])
@given(st.lists(paths, max_size=5))
def test_a_manifest_s_paths_are_all_plain_exactly_when_each_one_is(listed: list[str]) -> None:
    assert _all_plain(dict.fromkeys(listed, 0)) == all(path_problem(path) is None for path in listed)


def test_a_manifest_with_a_bad_path_keeps_the_others(tmp_path: Path) -> None:
    file = tmp_path / "m.marshal"
    files = {"index.html": Entry("k", 1, 1), "../out.html": Entry("k", 1, 1), "a/./b": Entry("k", 1, 1)}
    Manifest(tmp_path, files).save_site(file)
    assert list(Manifest.load(file, tmp_path).entries) == ["index.html"]


def _generated(root: Path, pages: list[str]) -> None:
    for page in pages:
        (root / page).parent.mkdir(parents=True, exist_ok=True)
        (root / page).write_text("页面", encoding="utf-8")


def test_the_generated_folder_is_walked_once_and_what_is_not_written_goes(tmp_path: Path) -> None:
    generated = tmp_path / "generated"
    _generated(generated, PAGES)
    (generated / "2023" / "empty" / "deeper").mkdir(parents=True)
    there, folders = walk(generated, [tmp_path])
    assert there == set(PAGES)
    _remove_others(generated, there - {"2023/a/index.md", "index.md"}, folders)
    assert sorted(path.relative_to(generated).as_posix() for path in generated.rglob("*")) == [
        "2023",
        "2023/a",
        "2023/a/index.md",
        "index.md",
    ]


def test_a_symlink_out_of_the_project_among_the_generated_pages_is_refused(tmp_path: Path) -> None:
    generated = tmp_path / "project" / "generated"
    _generated(generated, PAGES)
    (generated / "2023" / "a" / "p1" / "index.md").unlink()
    (generated / "2023" / "a" / "p1" / "index.md").symlink_to("/etc/hostname")
    (generated / "inside.md").symlink_to(generated / "index.md")  # inside: not refused
    with pytest.raises(BuilderError, match=r"p1/index.md: 指向项目以外的 /etc/hostname"):
        walk(generated, [tmp_path / "project"])


def test_the_written_pages_list_as_a_walk_of_the_folder_does(tmp_path: Path) -> None:
    generated = tmp_path / "generated"
    _generated(generated, PAGES)

    def listed() -> str:
        return unchanged.generated_listing(generated, walk(generated, [tmp_path]))

    assert unchanged.written_listing(PAGES) == listed()
    (generated / "2023" / "b" / "index.md").unlink()
    assert unchanged.written_listing(PAGES) != listed()
    (generated / "2023" / "b" / "index.md").write_text("页面", encoding="utf-8")
    (generated / "2023" / "c").mkdir()  # an empty folder
    assert unchanged.written_listing(PAGES) != listed()
    (generated / "2023" / "c").rmdir()
    (generated / "2023" / "a" / "stray.md").write_text("页面", encoding="utf-8")
    assert unchanged.written_listing(PAGES) != listed()


def test_a_scan_without_sizes_lists_the_same_entries(tmp_path: Path) -> None:
    _site(tmp_path / "site", FILES)
    plain, sized = scan(tmp_path / "site"), scan(tmp_path / "site", sizes=True)
    assert plain.files == sized.files and plain.folders == sized.folders and not plain.regular
    assert set(sized.regular) == {*FILES, OWNER_MARKER}


def test_data_files_resolved_folder_by_folder_are_refused_as_one_by_one(tmp_path: Path) -> None:
    """`escaping_files` (a build's check of its data files) finds the same links out, with the same targets, as
    `escapes` asked file by file: a file linked out, a link that stays inside, a folder reached through a link."""
    project, data, outside = tmp_path / "project", tmp_path / "project" / "data", tmp_path / "outside"
    (data / "2023").mkdir(parents=True)
    (outside / "2024").mkdir(parents=True)
    for path in (data / "2023" / "a.yaml", data / "2023" / "b.yaml", outside / "x.yaml", outside / "2024" / "c.yaml"):
        path.write_text("year: 2023", encoding="utf-8")
    (data / "2023" / "out.yaml").symlink_to(outside / "x.yaml")
    (data / "2023" / "in.yaml").symlink_to(data / "2023" / "a.yaml")
    (data / "2024").symlink_to(outside / "2024", target_is_directory=True)
    (data / "2025").symlink_to(data / "2023", target_is_directory=True)
    files = sorted(data.glob("*/*.yaml"))
    roots = [project, data]
    one_by_one = {path: target for path in files if (target := escapes(path, roots)) is not None}
    assert escaping_files(files, roots) == one_by_one
    assert set(one_by_one) == {data / "2023" / "out.yaml", data / "2024" / "c.yaml", data / "2025" / "out.yaml"}


def test_data_files_places_found_folder_by_folder_are_those_resolving_each_file_gives(tmp_path: Path) -> None:
    """A department's key holds its place in the data folder; found folder by folder for 3 000 files, it is what
    resolving each file gives (a linked file takes its target's place, a file out of the folder its name)."""
    data, outside = tmp_path / "data", tmp_path / "outside"
    (data / "2023").mkdir(parents=True)
    outside.mkdir()
    for path in (data / "2023" / "a.yaml", outside / "x.yaml"):
        path.write_text("year: 2023", encoding="utf-8")
    (data / "2023" / "b.yaml").symlink_to(data / "2023" / "a.yaml")
    (data / "2023" / "out.yaml").symlink_to(outside / "x.yaml")
    (data / "2024").symlink_to(data / "2023", target_is_directory=True)
    files = sorted(data.glob("*/*.yaml"))
    resolved = {}
    for path in files:
        try:
            resolved[path] = path.resolve().relative_to(data.resolve()).as_posix()
        except ValueError:
            resolved[path] = path.name
    assert read_data._places(files, data) == resolved
    assert resolved[data / "2024" / "a.yaml"] == "2023/a.yaml"


def _in_child(kind: str, root: Path, shape: object) -> object:
    """`kind`'s walk of `root` as a build begins it: in a child process; fails if the child gave no answer."""

    def not_here() -> object:
        raise AssertionError("the child process gave no answer")

    with ThreadPoolExecutor(1) as after:
        return walks.begin(kind, root, after, not_here, shape).result()  # type: ignore[arg-type]


def test_the_walks_in_a_child_process_answer_as_the_walks_here(tmp_path: Path) -> None:
    """The site walk and the generated folder's walk, made by the child (builder/pipeline/walks.py), give what the
    walks in the build process give: empty folders, a symlink to a file (a file), one to a folder (left out)."""
    project = tmp_path / "project"
    generated = project / "generated"
    _generated(generated, PAGES)
    (generated / "2023" / "empty" / "deeper").mkdir(parents=True)
    (generated / "inside.md").symlink_to(generated / "index.md")
    (generated / "folder-link").symlink_to(generated / "2023")
    in_child = _in_child("generated", generated, lambda listing: checked_walk(listing, [project]))
    assert in_child == walk(generated, [project])
    assert "inside.md" in in_child[0] and not any(path.startswith("folder-link") for path in in_child[0])
    assert _in_child("site", generated, site_tree) == scan(generated, sizes=True)


def test_a_symlink_out_of_the_project_is_refused_when_the_child_walks(tmp_path: Path) -> None:
    generated = tmp_path / "project" / "generated"
    _generated(generated, PAGES)
    (generated / "2023" / "b" / "index.md").unlink()
    (generated / "2023" / "b" / "index.md").symlink_to("/etc/hostname")
    with pytest.raises(BuilderError, match=r"b/index.md: 指向项目以外的 /etc/hostname"):
        _in_child("generated", generated, lambda listing: checked_walk(listing, [tmp_path / "project"]))
