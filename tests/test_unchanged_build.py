"""A rebuild with nothing changed runs no step; any change to what a build reads, or to the site, makes it build.

The whole-build check (builder/pipeline/unchanged.py) hashes more than the per-file keys do:
every file of the data folder, content/ (but the generated pages), theme/, templates/,
mkdocs.yml, the code, the options and the environment the keys use, and the state the last
build left (site, generated pages, manifest). Real builds of the sample data, without PDFs.
"""

from __future__ import annotations

import dataclasses
import os
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest

from builder.config import load_site_config
from builder.pipeline import fingerprint
from builder.pipeline.build import BuildReport, build
from builder.pipeline.outputs import Manifest
from builder.pipeline.unchanged import Left, WholeBuild, hashes_file, inputs_key, remembered_hashes, save

ROOT = Path(__file__).resolve().parent.parent
EDITED = "2023/tangshan-gxq-kejiju.yaml"


def files_of(site: Path) -> dict[str, bytes]:
    return {path.relative_to(site).as_posix(): path.read_bytes() for path in sorted(site.rglob("*")) if path.is_file()}


def run(work: Path, site: str = "site") -> BuildReport:
    return build(work / "data", work / site, generated_dir=work / "generated", cache_dir=work / "cache", with_pdf=False)


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    work = tmp_path_factory.mktemp("unchanged")
    shutil.copytree(ROOT / "data", work / "data")
    run(work)
    return work


@pytest.fixture
def work(built: Path, tmp_path: Path) -> Path:
    """A copy of the built site, its cache and generated pages (the cache is keyed by the site's path: built again)."""
    shutil.copytree(built / "data", tmp_path / "data")
    assert run(tmp_path).timings  # a first build into this folder runs its steps
    return tmp_path


def test_a_rebuild_with_nothing_changed_runs_no_step(work: Path) -> None:
    before = files_of(work / "site")
    (manifest,) = (work / "cache" / "build").glob("site-*[0-9a-f].marshal")
    again = run(work)
    assert again.timings == {} and again.made == []
    assert again.reused == len(Manifest.load(manifest, work / "site").entries)  # every recorded file
    assert again.departments == 4 and again.projects == 28
    assert files_of(work / "site") == before


def _edit_data(work: Path) -> None:
    path = work / "data" / EDITED
    path.write_text(path.read_text(encoding="utf-8").replace("高新区科技局", "高新区科技局（改）", 1), "utf-8")


def _touch_page(work: Path) -> None:
    page = work / "site" / "2023" / "zunhua-jingkaiqu" / "index.html"
    page.write_bytes(page.read_bytes())  # same bytes, a new modification time


def _removed_file(work: Path) -> None:
    (work / "site" / "2023" / "zunhua-jingkaiqu" / "index.html").unlink()


def _empty_folder(work: Path) -> None:
    (work / "site" / "2023" / "空文件夹").mkdir()


def _file_as_symlink(work: Path) -> None:
    """A link where the file was, to a copy of it: same bytes, same size, another kind of entry."""
    page = work / "site" / "2023" / "zunhua-jingkaiqu" / "index.html"
    copy = work / "copy.html"
    copy.write_bytes(page.read_bytes())
    page.unlink()
    page.symlink_to(copy)


def _stray_file(work: Path) -> None:
    (work / "site" / "stray.txt").write_text("管理员放的文件", encoding="utf-8")


def _lost_generated_page(work: Path) -> None:
    next(iter(sorted((work / "generated").rglob("*.md")))).unlink()


def _lost_manifest(work: Path) -> None:
    for manifest in (work / "cache" / "build").glob("site-*[0-9a-f].marshal"):
        manifest.unlink()


CHANGES: dict[str, Callable[[Path], None]] = {
    "data edited": _edit_data,
    "a site file touched": _touch_page,
    "a stray file in the site": _stray_file,
    "a site file removed": _removed_file,
    "an empty folder in the site": _empty_folder,
    "a site file turned into a symlink": _file_as_symlink,
    "a generated page lost": _lost_generated_page,
    "the manifest lost": _lost_manifest,
}


@pytest.mark.parametrize("change", CHANGES)
def test_any_change_makes_the_rebuild_run_and_match_a_fresh_build(
    built: Path, work: Path, tmp_path: Path, change: str
) -> None:
    CHANGES[change](work)
    report = run(work)
    assert report.timings  # the steps ran
    fresh = built / "site"  # a fresh build of the same data …
    if change == "data edited":  # … or of the edited data
        shutil.copytree(work / "data", tmp_path / "fresh" / "data")
        run(tmp_path / "fresh")
        fresh = tmp_path / "fresh" / "site"
    assert files_of(work / "site") == files_of(fresh)
    assert run(work).timings == {}  # and the next rebuild has nothing to do again


def test_a_changed_environment_makes_the_rebuild_run(work: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")
    assert run(work).timings
    assert run(work).timings == {}
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000001")
    assert run(work).timings


def _project(root: Path) -> WholeBuild:
    """A small project: hand-written and generated pages, theme, templates, mkdocs.yml, a logo, data."""
    for path, text in {
        "content/about.md": "关于",
        "content/generated/2023/x/index.md": "生成的",
        "theme/main.html": "<html>",
        "templates/pages/department.md.j2": "{{ name }}",
        "mkdocs.yml": "site_name: 测试",
        "logo.png": "图",
        "data/2023/x.yaml": "year: 2023",
    }.items():
        (root / path).parent.mkdir(parents=True, exist_ok=True)
        (root / path).write_text(text, encoding="utf-8")
    return WholeBuild(root, root / "data", root / "site", root / "content" / "generated", root / "cache")


def _append(path: str) -> Callable[[Path], None]:
    def change(root: Path) -> None:
        with (root / path).open("a", encoding="utf-8") as file:
            file.write("。")

    return change


INPUTS: dict[str, Callable[[Path], None]] = {
    "a hand-written page": _append("content/about.md"),
    "a new page": lambda root: (root / "content" / "new.md").write_text("新", encoding="utf-8"),
    "the theme": _append("theme/main.html"),
    "a template": _append("templates/pages/department.md.j2"),
    "mkdocs.yml": _append("mkdocs.yml"),
    "the logo": _append("logo.png"),
    "a data file": _append("data/2023/x.yaml"),
    "a data file renamed": lambda root: (root / "data/2023/x.yaml").rename(root / "data/2023/y.yaml"),
    "a file beside the data": lambda root: (root / "data/2023/图.png").write_bytes(b"png"),
}


@pytest.mark.parametrize("change", INPUTS)
def test_every_input_is_in_the_key(tmp_path: Path, change: str) -> None:
    whole = _project(tmp_path)
    config = dataclasses.replace(load_site_config(ROOT / "mkdocs.yml"), logo="logo.png")
    before = inputs_key(whole, config, with_pdf=False)
    assert inputs_key(whole, config, with_pdf=False) == before
    INPUTS[change](tmp_path)
    assert inputs_key(whole, config, with_pdf=False) != before


def test_the_generated_pages_settings_and_options_count_as_they_should(tmp_path: Path) -> None:
    whole = _project(tmp_path)
    config = load_site_config(ROOT / "mkdocs.yml")
    before = inputs_key(whole, config, with_pdf=False)
    _append("content/generated/2023/x/index.md")(tmp_path)  # an output of the build, checked as state
    assert inputs_key(whole, config, with_pdf=False) == before
    assert inputs_key(whole, dataclasses.replace(config, site_name="另一个"), with_pdf=False) != before
    assert inputs_key(dataclasses.replace(whole, data=tmp_path / "content"), config, with_pdf=False) != before


def _same_size_same_time(root: Path) -> None:
    """A data file's bytes changed, its size and modification time put back as they were (only its ctime moves)."""
    path = root / "data/2023/x.yaml"
    status = path.stat()
    path.write_text("year: 2024", encoding="utf-8")
    os.utime(path, ns=(status.st_atime_ns, status.st_mtime_ns))


@pytest.mark.parametrize("change", [*INPUTS, "same size and time"])
def test_the_key_at_the_end_of_a_build_sees_every_change_without_reading_the_rest(
    tmp_path: Path, change: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A build hashes its inputs at its start and again at its end (edited meanwhile: nothing recorded). The second
    time, files hashed at the start are only stat'ed: still, every change is seen."""
    whole = _project(tmp_path)
    config = dataclasses.replace(load_site_config(ROOT / "mkdocs.yml"), logo="logo.png")
    monkeypatch.setattr(fingerprint, "SETTLED_NS", -(10**12))  # the files were just written: count them as settled
    before = inputs_key(whole, config, with_pdf=False)
    read: list[Path] = []
    hash_file = fingerprint.file_sha256
    monkeypatch.setattr(fingerprint, "file_sha256", lambda path: read.append(path) or hash_file(path))
    assert inputs_key(whole, config, with_pdf=False) == before
    assert read == []  # nothing read again
    (INPUTS.get(change) or _same_size_same_time)(tmp_path)
    assert inputs_key(whole, config, with_pdf=False) != before


def test_a_file_changed_just_before_it_was_hashed_is_read_again(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Racily clean, as git says: a file whose times are as recent as the hashing is never taken on its stat."""
    whole = _project(tmp_path)
    config = load_site_config(ROOT / "mkdocs.yml")
    inputs_key(whole, config, with_pdf=False)
    read: list[Path] = []
    hash_file = fingerprint.file_sha256
    monkeypatch.setattr(fingerprint, "file_sha256", lambda path: read.append(path) or hash_file(path))
    inputs_key(whole, config, with_pdf=False)
    assert tmp_path / "data/2023/x.yaml" in read


@pytest.mark.parametrize("change", [*INPUTS, "same size and time"])
def test_hashes_remembered_for_the_next_build_see_every_change_without_reading_the_rest(
    tmp_path: Path, change: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """What one build hashed is remembered in the cache for the next (`remembered_hashes`): the next build reads no
    unchanged input file, and still sees every change; a damaged record only makes it read them all."""
    whole = _project(tmp_path)
    config = dataclasses.replace(load_site_config(ROOT / "mkdocs.yml"), logo="logo.png")
    monkeypatch.setattr(fingerprint, "SETTLED_NS", -(10**12))  # the files were just written: count them as settled
    first = dataclasses.replace(whole, hashed=remembered_hashes(whole.cache, whole.site))
    before = inputs_key(first, config, with_pdf=False)
    save(first, before, BuildReport(whole.site, 1, 1, 0), before, Left({}))
    read: list[Path] = []
    hash_file = fingerprint.file_sha256
    monkeypatch.setattr(fingerprint, "file_sha256", lambda path: read.append(path) or hash_file(path))
    nxt = dataclasses.replace(whole, hashed=remembered_hashes(whole.cache, whole.site))
    assert inputs_key(nxt, config, with_pdf=False) == before
    assert read == []  # nothing read again
    (INPUTS.get(change) or _same_size_same_time)(tmp_path)
    after = dataclasses.replace(whole, hashed=remembered_hashes(whole.cache, whole.site))
    assert inputs_key(after, config, with_pdf=False) != before
    hashes_file(whole.cache, whole.site).write_bytes(b"\x00damaged")
    assert remembered_hashes(whole.cache, whole.site) == {}
