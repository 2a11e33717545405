"""The build's link check after an edit: it re-checks only what can have changed, and misses nothing.

A small site is built page by page into a staging folder as the pipeline does (builder/pipeline/outputs.py),
checked, edited, and checked again with the store of the first check: each finding must be the one
a check of the whole edited site from scratch gives (builder/site/linkcheck.py `check_site`).
"""

from __future__ import annotations

import random
import shutil
from pathlib import Path

import pytest

from builder.pipeline.outputs import Outputs
from builder.pipeline.progress import Progress
from builder.pipeline.steps.check_links import NAMESPACE, check_links, group_of
from builder.pipeline.store import Store
from builder.site.linkcheck import BrokenLink, check_site

CACHE_KEY = "0" * 64


def page(body: str, anchors: tuple[str, ...] = ()) -> str:
    ids = "".join(f'<h2 id="{anchor}">{anchor}</h2>' for anchor in anchors)
    return f"<!doctype html><html><body>{ids}{body}</body></html>"


SITE = {
    "index.html": page('<a href="2023/">2023</a> <a href="assets/site.css">css</a>', ("top",)),
    "assets/site.css": "body{}",
    "2023/index.html": page('<a href="a/">A</a> <a href="b/">B</a> <a href="../#top">top</a>'),
    "2023/a/index.html": page('<a href="p1/">p1</a> <a href="../b/#goal">B goal</a>', ("goal",)),
    "2023/a/p1/index.html": page('<a href="../#goal">back</a>', ("budget",)),
    "2023/b/index.html": page('<a href="../a/p1/#budget">A p1 budget</a>', ("goal",)),
    "2023/c/index.html": page('<a href="../../index.html">home</a>'),
    "2023/data/a.csv": "x\n",
    "404.html": page('<a href="/index.html">home</a>'),
}


def check(site: dict[str, str], root: Path) -> list[BrokenLink]:
    """Write `site` as a fresh build's staging folder and check it with the store under `root`."""
    staging = root / "staging"
    shutil.rmtree(staging, ignore_errors=True)
    for path, text in site.items():
        file = staging / path
        file.parent.mkdir(parents=True, exist_ok=True)
        file.write_text(text, encoding="utf-8")
    progress = Progress.silent()
    with progress.stage("链接检查") as stage:
        broken = check_links(Outputs(staging), {}, Store(root / "store"), CACHE_KEY, 1, stage)
    full = {link for link in check_site(staging) if link.page != "404.html"}  # served anywhere: absolute links
    assert set(broken) == full, "the incremental check must find what a full check finds"
    return broken


@pytest.fixture
def root(tmp_path: Path) -> Path:
    assert check(SITE, tmp_path) == []
    return tmp_path


def test_a_page_removed_in_an_edit_breaks_the_unchanged_pages_linking_to_it(root: Path) -> None:
    broken = check({p: t for p, t in SITE.items() if p != "2023/a/p1/index.html"}, root)
    assert broken == [
        BrokenLink("2023/a/index.html", "p1/", "指向的文件不存在"),
        BrokenLink("2023/b/index.html", "../a/p1/#budget", "指向的文件不存在"),
    ]


def test_an_anchor_removed_in_an_edit_breaks_the_unchanged_pages_linking_to_it(root: Path) -> None:
    broken = check({**SITE, "2023/b/index.html": page('<a href="../a/p1/#budget">A p1 budget</a>')}, root)
    assert broken == [BrokenLink("2023/a/index.html", "../b/#goal", "页面中没有锚点 #goal")]


def test_an_anchor_removed_from_the_home_page_breaks_a_page_of_another_folder(root: Path) -> None:
    broken = check({**SITE, "index.html": page('<a href="2023/">2023</a> <a href="assets/site.css">css</a>')}, root)
    assert broken == [BrokenLink("2023/index.html", "../#top", "页面中没有锚点 #top")]


def test_a_removed_asset_breaks_the_pages_loading_it(root: Path) -> None:
    broken = check({p: t for p, t in SITE.items() if p != "assets/site.css"}, root)
    assert broken == [BrokenLink("index.html", "assets/site.css", "指向的文件不存在")]


def test_a_folder_link_breaks_when_its_index_goes_even_if_a_file_of_that_name_never_existed(root: Path) -> None:
    broken = check({p: t for p, t in SITE.items() if p != "2023/c/index.html" and p != "2023/b/index.html"}, root)
    assert broken == [
        BrokenLink("2023/a/index.html", "../b/#goal", "指向的文件不存在"),
        BrokenLink("2023/index.html", "b/", "指向的文件不存在"),
    ]


def test_a_broken_edit_is_reported_again_until_fixed_then_the_check_is_clean(root: Path) -> None:
    broken_site = {**SITE, "2023/c/index.html": page('<a href="../nowhere/">x</a>')}
    assert check(broken_site, root) == [BrokenLink("2023/c/index.html", "../nowhere/", "指向的文件不存在")]
    # The next build, with nothing else changed, still refuses (the failed check left no clean state).
    assert check(broken_site, root) == [BrokenLink("2023/c/index.html", "../nowhere/", "指向的文件不存在")]
    assert check(SITE, root) == []


def test_a_lost_cache_entry_is_read_again_from_the_page(root: Path) -> None:
    for entry in (root / "store" / NAMESPACE).iterdir():
        if entry.name != f"{CACHE_KEY}.pickle":
            entry.unlink()  # every group's scans gone, the state of the last check kept
    broken = check({**SITE, "2023/b/index.html": page("")}, root)
    assert broken == [BrokenLink("2023/a/index.html", "../b/#goal", "页面中没有锚点 #goal")]


def test_an_edit_reads_and_writes_the_scans_of_the_edited_folder_only(
    root: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    read: list[str] = []
    written: list[str] = []
    get, put = Store.get_pickle, Store.put_pickle
    monkeypatch.setattr(Store, "get_pickle", lambda self, n, key: read.append(key) or get(self, n, key))
    monkeypatch.setattr(
        Store, "put_pickle", lambda self, n, key, value: written.append(key) or put(self, n, key, value)
    )
    assert check({**SITE, "2023/c/index.html": page('<a href="../a/">A</a>')}, root) == []
    assert len(read) == 2 and read[0] == CACHE_KEY  # the last check's state, and the entry of 2023/c as it was
    assert len(written) == 2 and written[-1] == CACHE_KEY  # the entry of 2023/c now, and the new state
    read.clear()
    assert check({**SITE, "2023/c/index.html": page('<a href="../a/#gone">A</a>')}, root) != []
    assert len(read) == 3  # the state, 2023/c as it was, and 2023/a for its anchors


def test_groups_are_folders_two_levels_deep() -> None:
    assert group_of("index.html") == ""
    assert group_of("2023/index.html") == "2023"
    assert group_of("2023/x/index.html") == "2023/x"
    assert group_of("2023/x/p1/index.html") == "2023/x"
    assert group_of("assets/javascripts/lunr/min/a.js") == "assets/javascripts"


PATHS = ("index.html", "a/index.html", "a/x/index.html", "a/x/y/index.html", "b/index.html", "b/f.txt", "c.html")


def _random_site(rng: random.Random, clean: bool) -> dict[str, str]:
    """Some of PATHS, whose pages link to pages, folders, anchors and files at random (`clean`: only to those there)."""
    present = [path for path in PATHS if rng.random() < 0.8]
    anchors = {path: tuple(anchor for anchor in "pqr" if rng.random() < 0.6) for path in present}
    site: dict[str, str] = {}
    for path in present:
        if not path.endswith(".html"):
            site[path] = "file"
            continue
        links = []
        for _ in range(rng.randint(0, 4)):
            target = rng.choice(present if clean else PATHS)
            anchor = rng.choice(anchors.get(target) or ("",)) if clean else rng.choice("pqr")
            written = target.removesuffix("index.html") if rng.random() < 0.5 else target
            written = f"{'../' * path.count('/')}{written}" or "./"
            links.append(f'<a href="{written}{"#" + anchor if anchor else ""}">x</a>')
        site[path] = page(" ".join(links), anchors[path])
    return site


def _edit(rng: random.Random, site: dict[str, str]) -> dict[str, str]:
    """One or two pages or files removed, added or rewritten at random."""
    other = _random_site(rng, clean=rng.random() < 0.5)
    result = dict(site)
    for path in rng.sample(PATHS, rng.randint(1, 2)):
        if path in other:
            result[path] = other[path]
        else:
            result.pop(path, None)
    return result


@pytest.mark.parametrize("seed", range(20))
def test_any_edit_of_a_clean_site_gives_the_findings_of_a_full_check(tmp_path: Path, seed: int) -> None:
    """`check` asserts each time that the findings are those of `check_site` over the whole edited site."""
    rng = random.Random(seed)
    found = 0
    for _ in range(10):
        site = _random_site(rng, clean=True)
        assert check(site, tmp_path) == []
        for _ in range(3):  # edits one after another, while the site stays clean
            site = _edit(rng, site)
            found += bool(check(site, tmp_path))
    assert found  # some edits broke links
