"""Rebuilds make only what changed; parts built apart merge into the same site as one build.

Real builds of the sample data (pages, MkDocs, Pagefind, open data, PDFs), each with its
own cache folder; what a build made is read from its report and checked against the files.
"""

from __future__ import annotations

import io
import marshal
import shutil
import threading
from pathlib import Path

import pytest

from builder.errors import BuilderError
from builder.pipeline.build import BuildReport, build
from builder.pipeline.outputs import Entry, Manifest
from builder.pipeline.plan import BATCH_DEPARTMENTS, Part, parse_part, plan_batches
from builder.pipeline.progress import Progress, make_display
from builder.pipeline.steps import check_links, write_pages
from builder.pipeline.store import Store
from builder.site import search
from builder.site.downloads import downloads_page
from builder.site.pages import site_pages

ROOT = Path(__file__).resolve().parent.parent
EDITED = "tangshan-gxq-kejiju"
EDITED_FILE = f"2023/{EDITED}.yaml"
NEW_WORDS = "（本句为测试增补）"
# Pages and files that list every department of a year: remade when any department changes.
YEAR_WIDE = ("2023/index.html", "2023/projects/index.html", "2023/quality/index.html", "downloads/index.html")


def files_of(site: Path) -> dict[str, bytes]:
    return {path.relative_to(site).as_posix(): path.read_bytes() for path in sorted(site.rglob("*")) if path.is_file()}


def run(data: Path, site: Path, work: Path, **options: object) -> BuildReport:
    return build(data, site, generated_dir=work / "generated", cache_dir=work / "cache", **options)  # type: ignore[arg-type]


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path, BuildReport]:
    """The sample data copied, and a first complete build with PDFs."""
    work = tmp_path_factory.mktemp("incremental")
    shutil.copytree(ROOT / "data", work / "data")
    report = run(work / "data", work / "site", work, jobs=2)
    return work, work / "site", report


def test_a_rebuild_with_no_change_makes_nothing(built: tuple[Path, Path, BuildReport]) -> None:
    work, site, first = built
    before = files_of(site)
    again = run(work / "data", site, work, jobs=2)
    assert again.made == []
    assert again.reused >= len(first.made) > 0
    assert files_of(site) == before


def test_editing_one_department_remakes_its_files_and_the_year_wide_ones(built: tuple[Path, Path, BuildReport]) -> None:
    work, site, _ = built
    run(work / "data", site, work, jobs=2)  # the state of the site no matter the order of the tests
    before = files_of(site)
    data_file = work / "data" / EDITED_FILE
    original = data_file.read_text(encoding="utf-8")
    data_file.write_text(original.replace("  overall_goal:\n  - ", f"  overall_goal:\n  - {NEW_WORDS}", 1), "utf-8")
    shown = io.StringIO()
    try:
        report = run(work / "data", site, work, jobs=2, progress=Progress(make_display("plain", shown)))
    finally:
        data_file.write_text(original, encoding="utf-8")
    # Only the edited department's pages are rendered again, not those of the departments in its group.
    assert "生成页面：4 个，其中 3 个未改动沿用" in shown.getvalue(), shown.getvalue()
    allowed = (f"2023/{EDITED}/", "2023/data/", "data/", "pagefind/2023-0/", *YEAR_WIDE)
    assert report.made and all(path.startswith(allowed) for path in report.made), report.made
    assert f"2023/{EDITED}/{EDITED}-2023.pdf" in report.made
    assert f"2023/{EDITED}/index.html" in report.made
    # Search: the edited department's shard only; the shared pages' shard (home, year pages) indexes nothing new.
    assert {path.split("/")[1] for path in report.made if path.startswith("pagefind/")} == {"2023-0"}
    # Its bundle is re-cut into small index chunks (builder/site/search_chunks.py); the other shard is left as it was.
    remade = [path for path in report.made if path.startswith("pagefind/2023-0/index/")]
    assert len(remade) >= 10 and all((site / path).stat().st_size < 8_000 for path in remade)
    assert NEW_WORDS in (site / f"2023/{EDITED}/index.html").read_text(encoding="utf-8")
    after = files_of(site)
    kept = ("2023/", "pagefind/site/")
    unchanged = [path for path in before if path.startswith(kept) and not path.startswith(allowed)]
    assert unchanged and all(after[path] == before[path] for path in unchanged)


def test_a_removed_department_leaves_no_generated_page(built: tuple[Path, Path, BuildReport], tmp_path: Path) -> None:
    work, site, _ = built
    generated = work / "generated"
    run(work / "data", site, work, jobs=2)
    kept = sorted(path.relative_to(generated).as_posix() for path in generated.rglob("*.md"))
    assert f"2023/{EDITED}/index.md" in kept
    shutil.move(work / "data" / EDITED_FILE, tmp_path / "away.yaml")
    try:
        run(work / "data", site, work, jobs=2, with_pdf=False)
    finally:
        shutil.move(tmp_path / "away.yaml", work / "data" / EDITED_FILE)
    left = sorted(path.relative_to(generated).as_posix() for path in generated.rglob("*.md"))
    assert left and not (generated / "2023" / EDITED).exists()  # its pages and their folders are gone
    assert set(left) <= set(kept) and {path for path in kept if f"/{EDITED}" not in path} <= set(left)


def test_a_build_failing_while_search_indexes_behind_waits_for_it_and_keeps_the_site(
    built: tuple[Path, Path, BuildReport], monkeypatch: pytest.MonkeyPatch
) -> None:
    """An edit's shard is indexed behind the later steps; when one of them fails, Pagefind's thread ends first."""
    work, site, _ = built
    run(work / "data", site, work, jobs=2)
    before = files_of(site)
    failed = threading.Event()
    body_only = search.body_only

    def slow_body_only(html: bytes) -> bytes:  # the indexing thread is still at work when the link check fails
        failed.wait(timeout=30)
        return body_only(html)

    def failing_check(b: object, stage: object) -> None:
        assert any(thread.name == "pagefind-index" for thread in threading.enumerate())
        failed.set()
        raise BuilderError("链接检查发现 1 处问题（测试）")

    monkeypatch.setattr(search, "body_only", slow_body_only)
    monkeypatch.setattr(check_links, "run", failing_check)
    data_file = work / "data" / EDITED_FILE
    original = data_file.read_text(encoding="utf-8")
    data_file.write_text(original.replace("  overall_goal:\n  - ", f"  overall_goal:\n  - {NEW_WORDS}", 1), "utf-8")
    try:
        with pytest.raises(BuilderError, match="测试"):
            run(work / "data", site, work, jobs=2)
    finally:
        data_file.write_text(original, encoding="utf-8")
    assert not [thread for thread in threading.enumerate() if thread.name.startswith("pagefind")]
    assert files_of(site) == before
    assert sorted(path.name for path in site.parent.iterdir()) == sorted(["cache", "data", "generated", "site"])


def test_a_changed_file_in_the_site_is_made_again(built: tuple[Path, Path, BuildReport]) -> None:
    work, site, _ = built
    run(work / "data", site, work, jobs=2)
    page = site / f"2023/{EDITED}/index.html"
    good = page.read_bytes()
    page.write_bytes(good.replace(b"</body>", "<!-- 手工改动 --></body>".encode()))
    report = run(work / "data", site, work, jobs=2)
    assert f"2023/{EDITED}/index.html" in report.made
    assert page.read_bytes() == good


def test_a_symlink_out_among_the_generated_pages_is_refused_and_the_site_kept(
    built: tuple[Path, Path, BuildReport],
) -> None:
    """The build's check of content/ leaves the generated folder to write_pages' one walk of it, which refuses the
    link before any page is written or published."""
    work, site, _ = built
    run(work / "data", site, work, jobs=2)
    before = files_of(site)
    link = work / "generated" / "2023" / EDITED / "leak.md"
    link.symlink_to("/etc/hostname")
    try:
        with pytest.raises(BuilderError, match=r"leak\.md: 指向项目以外的 /etc/hostname"):
            run(work / "data", site, work, jobs=2)
    finally:
        link.unlink()
    assert files_of(site) == before


def test_a_part_built_apart_merges_into_the_same_site(built: tuple[Path, Path, BuildReport], tmp_path: Path) -> None:
    work, site, _ = built
    run(work / "data", site, work, jobs=2)
    part = run(work / "data", tmp_path / "part", tmp_path / "part-work", part=Part(year=2023), with_pdf=True)
    assert part.departments == 4 and (tmp_path / "part" / "build-manifest.json").is_file()
    assert not (tmp_path / "part" / "2023" / "index.html").exists()  # a year page needs every part: made at the merge
    merged = run(work / "data", tmp_path / "merged", tmp_path / "merge-work", merge=[tmp_path / "part"])
    departments = {path.split("/")[1] for path in part.made if path.startswith("2023/") and path.count("/") > 2}
    assert len(departments) == 4  # every department's pages, PDF and data were made in the part …
    remade = [path for path in merged.made if path.startswith("2023/") and path.split("/")[1] in departments]
    assert remade == []  # … and reused by the merge, which made only the site-wide files
    assert files_of(tmp_path / "merged") == files_of(site)


def test_a_merge_without_a_part_manifest_is_refused(built: tuple[Path, Path, BuildReport], tmp_path: Path) -> None:
    work, _, _ = built
    (tmp_path / "not-a-part").mkdir()
    with pytest.raises(BuilderError, match=r"build-manifest\.json"):
        run(work / "data", tmp_path / "site", tmp_path, merge=[tmp_path / "not-a-part"])


def test_batches_are_stable_and_adding_a_department_changes_one() -> None:
    places = [(2023, f"dept-{number}") for number in range(480)] + [(2024, "only")]
    batches = plan_batches(places)
    assert sum(len(batch) for batch in batches) == 481
    assert len([batch for batch in batches if batch.year == 2023]) == 480 // BATCH_DEPARTMENTS + 1
    assert plan_batches(reversed(places)) == batches
    grown = plan_batches([*places, (2023, "dept-new")])
    assert len(set(grown) - set(batches)) == 1


def test_parts_share_the_departments_by_projects_without_overlap() -> None:
    projects = {(2023, f"d{number}"): 1 + number % 15 for number in range(400)} | {(2024, "big"): 60}
    shares = [Part(number=number, count=3).departments(projects) for number in (1, 2, 3)]
    assert sorted(place for share in shares for place in share) == sorted(projects)  # each once
    loads = [sum(projects[place] for place in share) for share in shares]
    assert max(loads) - min(loads) <= 15  # at most one department's projects apart
    batches = plan_batches(projects)
    assert {batch.year for batch in Part(year=2024).select(batches)} == {2024}


@pytest.mark.parametrize(("departments", "count"), [(1, 2), (20, 2), (20, 4), (3, 8), (120, 7)])
def test_any_number_of_departments_splits_into_any_number_of_parts(departments: int, count: int) -> None:
    projects = {(2023, f"d{number}"): 5 + number % 11 for number in range(departments)}
    shares = [Part(number=number, count=count).departments(projects) for number in range(1, count + 1)]
    assert sum(len(share) for share in shares) == departments
    assert sum(not share for share in shares) == max(0, count - departments)  # empty only when fewer departments


@pytest.mark.parametrize("text", ["0/3", "4/3", "a", "2023/1", ""])
def test_a_bad_part_is_explained(text: str) -> None:
    with pytest.raises(BuilderError, match="--part"):
        parse_part(text)


@pytest.mark.parametrize(
    ("text", "message"), [("1/0", "共几份应至少为 1"), ("0/0", "共几份应至少为 1"), ("3/2", "1 到 2")]
)
def test_a_part_out_of_range_says_what_range(text: str, message: str) -> None:
    with pytest.raises(BuilderError, match=message):
        parse_part(text)


def test_the_theme_key_reads_hand_written_pages_only(tmp_path: Path) -> None:
    """The generated pages (thousands) are not listed for the key of the hand-written pages."""
    from builder.pipeline.steps.run_mkdocs import _hand_written

    docs = tmp_path / "content"
    (docs / "reference").mkdir(parents=True)
    (docs / "generated" / "2023" / "x").mkdir(parents=True)
    (docs / "index.md").write_text("# 首页", encoding="utf-8")
    (docs / "reference" / "data-format.md").write_text("# 格式", encoding="utf-8")
    (docs / "generated" / "2023" / "x" / "index.md").write_text("# 生成", encoding="utf-8")
    (docs / "missing.md").symlink_to(docs / "nowhere.md")
    found = sorted(path.relative_to(docs).as_posix() for path in _hand_written(docs, docs / "generated"))
    assert found == ["index.md", "reference/data-format.md"]


@pytest.fixture(scope="module")
def without_pdf(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The sample data copied and built once without PDFs (the site-level pages' tests)."""
    work = tmp_path_factory.mktemp("site-level")
    shutil.copytree(ROOT / "data", work / "data")
    run(work / "data", work / "site", work, jobs=2, with_pdf=False)
    return work


def _edit_and_build(
    work: Path, old: str, new: str, monkeypatch: pytest.MonkeyPatch
) -> tuple[list[bool], list[bool], dict[str, bytes]]:
    """Replace `old` by `new` in the edited department's file, build, restore it; the site-level pages made."""
    made: list[bool] = []
    downloads: list[bool] = []

    def spy_pages(*args: object, **options: object) -> object:
        made.append(bool(options.get("site_level", True)))
        return site_pages(*args, **options)  # type: ignore[arg-type]

    def spy_downloads(*args: object, **options: object) -> object:
        downloads.append(True)
        return downloads_page(*args, **options)  # type: ignore[arg-type]

    monkeypatch.setattr(write_pages, "site_pages", spy_pages)  # the site-level pages are made in this process
    monkeypatch.setattr(write_pages, "downloads_page", spy_downloads)
    data_file = work / "data" / EDITED_FILE
    original = data_file.read_text(encoding="utf-8")
    assert old in original
    data_file.write_text(original.replace(old, new, 1), encoding="utf-8")
    try:
        run(work / "data", work / "site", work, jobs=2, with_pdf=False)
    finally:
        data_file.write_text(original, encoding="utf-8")
    return made, downloads, files_of(work / "site")


def test_an_edit_the_year_pages_do_not_show_leaves_them_unmade(
    without_pdf: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Goals and indicators are shown on the department's own pages only: the year pages are not made again;
    the 数据下载 page is (the sizes of the department's downloads changed)."""
    made, downloads, site = _edit_and_build(
        without_pdf, "  overall_goal:\n  - ", f"  overall_goal:\n  - {NEW_WORDS}", monkeypatch
    )
    assert made == [] and downloads == [True]
    assert NEW_WORDS.encode() in site[f"2023/{EDITED}/index.html"]
    assert NEW_WORDS.encode() not in site["2023/index.html"]


def test_an_edit_the_year_pages_show_makes_them_again(without_pdf: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A project renamed, or its 预算数 changed, is shown on the year and all-projects pages: they are made again."""
    renamed = "高新技术企业扶持资金（改名）"
    made, _, site = _edit_and_build(without_pdf, "- name: 高新技术企业扶持资金\n", f"- name: {renamed}\n", monkeypatch)
    assert made == [True]
    assert renamed.encode() in site["2023/projects/index.html"]
    made, _, site = _edit_and_build(without_pdf, "    total: 1280万元\n", "    total: 1281万元\n", monkeypatch)
    assert made == [True]
    assert b"<td>1281</td>" in site["2023/projects/index.html"], "the project's new 预算数 in the table"
    same = "  overall_goal:\n  - "
    made, _, site = _edit_and_build(without_pdf, same, same, monkeypatch)
    assert made == [True]  # the file as first built: the year pages show what they showed then
    assert b"<td>1281</td>" not in site["2023/projects/index.html"]


def test_pages_another_cache_wrote_into_the_generated_folder_are_not_taken_as_ours(tmp_path: Path) -> None:
    """Two builds of one project with different caches (`BUILDER_CACHE_DIR`) share content/generated: the first
    cache's next build must not reuse pages the second wrote there from other data."""
    generated = tmp_path / "generated"
    for version in ("ours", "theirs"):
        shutil.copytree(ROOT / "data", tmp_path / version)
    theirs = tmp_path / "theirs" / EDITED_FILE
    theirs.write_text(
        theirs.read_text(encoding="utf-8").replace("  overall_goal:\n  - ", f"  overall_goal:\n  - {NEW_WORDS}", 1)
    )

    def build_with(version: str, cache: str, site: str) -> str:
        build(tmp_path / version, tmp_path / site, generated_dir=generated, cache_dir=tmp_path / cache, with_pdf=False)
        return (tmp_path / site / f"2023/{EDITED}/index.html").read_text(encoding="utf-8")

    assert NEW_WORDS not in build_with("ours", "cache-1", "site-1")
    assert NEW_WORDS in build_with("theirs", "cache-2", "site-2")
    (tmp_path / "ours" / "2023" / "zunhua-jingkaiqu.yaml").touch()  # not a rebuild with nothing changed
    shutil.rmtree(tmp_path / "site-1")
    assert NEW_WORDS not in build_with("ours", "cache-1", "site-1")
    assert not (tmp_path / "site-1" / write_pages.WRITTEN_BY).exists()


def test_a_manifest_finds_a_folder_s_files_as_a_scan_does(tmp_path: Path) -> None:
    """`Manifest.under` answers a two-level folder (a search shard's) from an index: same paths as a scan."""
    paths = [
        "pagefind/2023-0/pagefind.js",
        "pagefind/2023-0/fragment/zh_1.pf_fragment",
        "pagefind/2023-0-1/pagefind.js",
        "pagefind/2023-0.js",
        "pagefind/shards.json",
        "2023/kejiju/index.html",
        "index.html",
    ]
    manifest = Manifest(tmp_path, {path: Entry("k", 1, 1) for path in paths})
    for prefix in ("pagefind/2023-0/", "pagefind/2023-0-1/", "pagefind/", "2023/kejiju/", "2023/", "pagefind/none/"):
        assert manifest.under(prefix) == [path for path in paths if path.startswith(prefix)], prefix


def test_the_downloads_page_is_kept_by_its_note_and_made_again_without_it(tmp_path: Path) -> None:
    """The 数据下载 page is written after the generated folder is signed (step render_downloads) and noted apart
    under the folder's token: a rebuild keeps it by that note; a build stopped before noting it leaves an
    older note (another token), and the next build makes the page again, whatever the folder holds."""
    shutil.copytree(ROOT / "data", tmp_path / "data")
    site, generated = tmp_path / "site", tmp_path / "generated"
    run(tmp_path / "data", site, tmp_path, with_pdf=False)
    html = (site / "downloads" / "index.html").read_bytes()
    record = next((tmp_path / "cache" / "build").glob("site-*.inputs.json"))
    record.unlink()  # not a rebuild with nothing changed: every step runs
    assert run(tmp_path / "data", site, tmp_path, with_pdf=False).made == []  # the page kept, by its note
    store = Store.in_cache(tmp_path / "cache")
    entry = write_pages._late_entry(write_pages._folder_entry(generated))
    note = store.get_json(write_pages.NAMESPACE, entry)
    assert isinstance(note, dict) and note["token"] == (generated / write_pages.WRITTEN_BY).read_text("ascii")
    store.put_json(write_pages.NAMESPACE, entry, {**note, "token": "0" * 32})  # an older build's note
    (generated / write_pages.DOWNLOADS_PAGE).write_text("半截的页面", encoding="utf-8")
    record.unlink()
    run(tmp_path / "data", site, tmp_path, with_pdf=False)
    assert (site / "downloads" / "index.html").read_bytes() == html
    assert "半截" not in (generated / write_pages.DOWNLOADS_PAGE).read_text(encoding="utf-8")


def test_a_site_manifest_is_read_back_as_saved_and_a_damaged_one_as_empty(tmp_path: Path) -> None:
    """The site's manifest (in the build cache, `save_site`) keeps every entry; a file that is not one the builder
    wrote, or whose columns do not fit, gives no entry (every file made again); a path out of the site is dropped."""
    entries = {
        "index.html": Entry("a" * 64, 10, 1_700_000_000_000_000_001),
        "2023/data/x.csv": Entry("b" * 64, 0, 5),
        "2023/data/x.json": Entry("b" * 64, 7, 6),
        "downloads/数据.html": Entry("c" * 64, 3, -1),
    }
    file = tmp_path / "cache" / "site.marshal"
    Manifest(tmp_path / "site", dict(entries)).save_site(file)
    loaded = Manifest.load(file, tmp_path / "site")
    assert loaded.entries == entries and not loaded.by_content
    assert loaded.entries["2023/data/x.csv"].sha256 == ""
    good = file.read_bytes()
    for damaged in (good[: len(good) // 2], b"", b"{}", marshal.dumps((2, ["a"], ["k"], [1], [1], []))):
        file.write_bytes(damaged)
        assert Manifest.load(file, tmp_path / "site").entries == {}
    for columns in (
        (1, ["a"], ["k"], [0], [1], [1]),  # another version
        (2, ["a"], ["k"], [1], [1], [1]),  # a key number out of the keys
        (2, ["a"], ["k"], [-1], [1], [1]),
        (2, ["a"], ["k"], [0], [-1], [1]),  # a negative size
        (2, ["a"], ["k"], [0], ["1"], [1]),
        (2, ["a", "a"], ["k"], [0, 0], [1, 1], [1, 1]),  # one path twice
        (2, [b"a"], ["k"], [0], [1], [1]),
    ):
        file.write_bytes(marshal.dumps(columns))
        assert Manifest.load(file, tmp_path / "site").entries == {}, columns
    file.write_bytes(marshal.dumps((2, ["../out", "ok.html"], ["k"], [0, 0], [1, 1], [1, 1])))
    assert list(Manifest.load(file, tmp_path / "site").entries) == ["ok.html"]


def test_an_edit_of_another_year_named_as_the_slug_remakes_the_history_chart(tmp_path: Path) -> None:
    """A department page's history chart shows the other years filed under its slug or, failing that, printed
    under it (`department_history`): an edit of such a year makes the page again, as a fresh build shows it."""
    data = tmp_path / "data"
    (data / "2022").mkdir(parents=True)
    (data / "2023").mkdir()
    seed = (ROOT / "data" / "2023" / EDITED_FILE.split("/")[-1]).read_text(encoding="utf-8")
    (data / "2023" / "kejiju.yaml").write_text(seed, encoding="utf-8")
    earlier = data / "2022" / "kjj-2022.yaml"
    earlier.write_text(seed.replace("department: 高新区科技局\nyear: 2023", "department: kejiju\nyear: 2022"), "utf-8")
    run(data, tmp_path / "site", tmp_path, with_pdf=False)
    earlier.write_text(earlier.read_text(encoding="utf-8").replace("total: 1280万元", "total: 5280万元", 1), "utf-8")
    run(data, tmp_path / "site", tmp_path, with_pdf=False)
    run(data, tmp_path / "fresh", tmp_path / "again", with_pdf=False)
    page = "2023/kejiju/index.html"
    assert "2022 年".encode() in files_of(tmp_path / "fresh")[page], "the chart shows the year printed under the slug"
    assert files_of(tmp_path / "site")[page] == files_of(tmp_path / "fresh")[page]


def test_a_new_version_of_the_builder_makes_every_page_again(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The guide: a change of the builder's code remakes everything. A change of the settings it gives MkDocs
    (builder/pipeline/steps/run_mkdocs.py) left every page's old HTML in place; only the hooks counted."""
    from builder.pipeline import fingerprint

    copy = tmp_path / "builder"
    shutil.copytree(ROOT / "builder", copy, ignore=shutil.ignore_patterns("__pycache__"))
    monkeypatch.setattr(fingerprint, "BUILDER", copy)
    config = ROOT / "mkdocs.yml"
    fingerprint.code_fingerprint.cache_clear()
    try:
        before = fingerprint.site_chrome_fingerprint(config)
        steps = copy / "pipeline" / "steps" / "run_mkdocs.py"
        steps.write_text(steps.read_text(encoding="utf-8") + "\n# 新版\n", encoding="utf-8")
        fingerprint.code_fingerprint.cache_clear()
        assert fingerprint.site_chrome_fingerprint(config) != before
    finally:
        fingerprint.code_fingerprint.cache_clear()
