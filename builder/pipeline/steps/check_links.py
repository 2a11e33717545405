"""Check every link of the finished site, re-checking after an edit only the pages whose findings can differ.

What a page links to and which anchors it has (its scan) depends only on its HTML and its path.
Pages are kept in groups, a group per folder two levels deep (a department's pages, `2023/x/…`,
are one group): each group's scans are one store entry (namespace `links`), named by the keys of
its pages, so an edit reads and writes the entries of the groups it touched only.

A page's findings depend on its own scan, on which files exist, and on the anchors of the pages
it links to; nothing else. So the store also keeps, per site folder, the state of the last check
that found nothing: its files, each group's key and the groups each group links into. The next
check re-checks the pages of the groups that changed, and the pages of every group linking into
a group where a file appeared or disappeared or a page's anchors changed; every other page had no
finding then and has none now. Without such a state (first build, a failed check, other code) every
page is checked.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path

from ...errors import BuilderError
from ...site.linkcheck import BrokenLink, PageScan, check_scans, scan_page
from ..context import Build
from ..fingerprint import code_fingerprint, digest, file_sha256
from ..outputs import Outputs
from ..progress import Stage
from ..store import Store
from ..workers import run_parallel

TITLE = "链接检查"
NAMESPACE = "links"
STATE_VERSION = 2
CHUNK = 200


def wanted(b: Build) -> bool:
    """A whole site whose files are all the published site's had its links checked when that was built."""
    return b.whole_site and bool(b.outputs.made_paths)


def total(b: Build) -> None:
    return None


def run(b: Build, stage: Stage) -> None:
    """Refuse to publish a site with a broken link or anchor."""
    cache_key = digest("link-scans", str(b.folders.site))
    broken = check_links(b.outputs, b.page_keys, b.store, cache_key, b.jobs, stage)
    if broken:
        listing = "\n".join(link.render() for link in broken[:50])
        raise BuilderError(f"链接检查发现 {len(broken)} 处问题，网站没有更新：\n{listing}")


def group_of(path: str) -> str:
    """The group of a file: its folder, cut to two levels (`2023/x/p/index.html` → `2023/x`; `index.html` → "")."""
    return "/".join(path.split("/")[:-1][:2])


def target_groups(target: str) -> tuple[str, str]:
    """The groups of the files a link target may name: the path itself, or the index.html of that folder."""
    index = f"{target}/index.html" if target else "index.html"
    return group_of(target), group_of(index)


@dataclass(frozen=True)
class _Group:
    key: str  # of its pages' paths and keys, and of the scanner's code
    links_to: frozenset[str]  # the groups its pages' links may land in


@dataclass(frozen=True)
class _State:
    """A check that found nothing: the site's files then, and its groups."""

    code: str
    files: frozenset[str]
    groups: dict[str, _Group]


def check_links(
    outputs: Outputs, page_keys: dict[str, str], store: Store, cache_key: str, jobs: int | None, stage: Stage
) -> list[BrokenLink]:
    """The broken links of the site being built; `cache_key` names the state of the last clean check of its folder.

    The site's files are those the build recorded or wrote (`outputs.paths()`), wherever they lie:
    made in the staging folder, or kept in the published site.
    """
    files = outputs.paths()
    code = code_fingerprint()  # the scanner's code is part of each scan's key
    # The 404 page (with site_url only) links with absolute paths: it is served at any address.
    by_group: dict[str, dict[str, str]] = defaultdict(dict)
    for path in files:
        if path.endswith(".html") and path != "404.html":
            by_group[group_of(path)][path] = page_keys.get(path) or file_sha256(outputs.location(path))
    keys = {group: digest("link-group", code, group, *_flat(pages)) for group, pages in by_group.items()}
    old = _load_state(store, cache_key, code)
    old_groups = old.groups if old is not None else {}
    changed = sorted(group for group, key in keys.items() if group not in old_groups or old_groups[group].key != key)
    scans = _Scans(store, outputs, by_group, keys)
    old_anchors, unknown = scans.load(
        changed, {group: old_groups[group].key for group in changed if group in old_groups}
    )
    _scan(scans, jobs, stage)
    groups = {
        group: _Group(keys[group], scans.links_to(group)) if group in changed else old_groups[group]
        for group in by_group
    }
    if old is None:
        checked = sorted(by_group)
    else:
        anchors_changed = (
            page for page, anchors in old_anchors.items() if page in scans and scans[page].anchors != anchors
        )
        touched = (
            {group_of(path) for path in files ^ old.files} | unknown | {group_of(page) for page in anchors_changed}
        )
        checked = sorted({*changed, *(group for group, g in groups.items() if g.links_to & touched)})
    broken = check_scans(scans, files, [page for group in checked for page in by_group[group]])
    store.put_pickle(NAMESPACE, cache_key, _State(code, frozenset(files), groups) if not broken else None)
    return broken


def _flat(pages: dict[str, str]) -> list[str]:
    return [part for path in sorted(pages) for part in (path, pages[path])]


def _load_state(store: Store, cache_key: str, code: str) -> _State | None:
    state = store.get_pickle(NAMESPACE, cache_key)
    if not isinstance(state, _State) or state.code != code:
        return None
    return state


class _Scans(Mapping[str, PageScan]):
    """Every page's scan; a group's entry is read from the store when one of its pages is first looked up."""

    def __init__(self, store: Store, outputs: Outputs, by_group: dict[str, dict[str, str]], keys: dict[str, str]):
        self.store, self.outputs, self.by_group, self.keys = store, outputs, by_group, keys
        self.loaded: dict[str, dict[str, tuple[str, PageScan]]] = {}
        self.todo: list[tuple[str, str]] = []  # (page, file) of the pages of loaded groups left to scan
        self.stored: set[str] = set()  # loaded groups whose entry under their key is as loaded

    def __getitem__(self, page: str) -> PageScan:
        group = group_of(page)
        if page not in self.by_group.get(group, ()):
            raise KeyError(page)
        if group not in self.loaded:  # an unchanged group: its entry is under its key (or was pruned: scan it)
            self.load([group], {group: self.keys[group]})
            todo, self.todo = self.todo, []
            if todo:
                self.add(todo, _scan_chunk(None, tuple(todo)))
                self.save([group])
        return self.loaded[group][page][1]

    def __contains__(self, page: object) -> bool:
        return isinstance(page, str) and page in self.by_group.get(group_of(page), ())

    def __iter__(self) -> Iterator[str]:
        return (page for pages in self.by_group.values() for page in pages)

    def __len__(self) -> int:
        return sum(len(pages) for pages in self.by_group.values())

    def load(self, groups: list[str], old_keys: dict[str, str]) -> tuple[dict[str, frozenset[str]], set[str]]:
        """Read the groups' entries as they were (under `old_keys`), keep the scans of unchanged pages and list the
        other pages to scan. Return the anchors each page of those entries had, and the groups of `old_keys`
        whose entry is gone (what their pages' anchors were is unknown)."""
        anchors: dict[str, frozenset[str]] = {}
        unknown = set()
        for group in groups:
            # Without an earlier state, the entry of a group as it is now may still be in the store.
            old = self.store.get_pickle(NAMESPACE, old_keys.get(group, self.keys[group]))
            if group in old_keys and not isinstance(old, dict):
                unknown.add(group)
            old = old if isinstance(old, dict) else {}
            pages = self.by_group[group]
            anchors.update((page, scan.anchors) for page, (_, scan) in old.items())
            self.loaded[group] = {page: old[page] for page in pages if page in old and old[page][0] == pages[page]}
            todo = [(page, str(self.outputs.location(page))) for page in pages if page not in self.loaded[group]]
            if not todo and len(old) == len(pages) and old_keys.get(group, self.keys[group]) == self.keys[group]:
                self.stored.add(group)  # its entry is already the one under its key
            self.todo += todo
        return anchors, unknown

    def add(self, todo: list[tuple[str, str]], results: list[PageScan]) -> None:
        """Note the scans of the pages just scanned."""
        for (page, _), scan in zip(todo, results, strict=True):
            group = group_of(page)
            self.loaded[group][page] = (self.by_group[group][page], scan)

    def save(self, groups: list[str]) -> None:
        """Write the entries of the groups, each under its key now."""
        for group in groups:
            if group not in self.stored:
                self.store.put_pickle(NAMESPACE, self.keys[group], self.loaded[group])
                self.stored.add(group)

    def links_to(self, group: str) -> frozenset[str]:
        """The groups the links of a group's pages may land in."""
        return frozenset(
            found
            for _, scan in self.loaded[group].values()
            for _, target, _, problem in scan.links
            if not problem
            for found in target_groups(target)
        )


def _scan(scans: _Scans, jobs: int | None, stage: Stage) -> None:
    """Scan the pages listed in `scans.todo`, in worker processes, and note them."""
    todo, scans.todo = scans.todo, []
    stage.skip(len(scans) - len(todo))
    chunks = [tuple(todo[start : start + CHUNK]) for start in range(0, len(todo), CHUNK)]
    done: list[tuple[str, str]] = []
    results: list[PageScan] = []
    for chunk, found in run_parallel(_scan_chunk, chunks, jobs, fresh=True):
        done += chunk
        results += found
        stage.advance(len(chunk))
    scans.add(done, results)
    scans.save(sorted(scans.loaded))


def _scan_chunk(_: None, chunk: tuple[tuple[str, str], ...]) -> list[PageScan]:
    """Each page's scan: `chunk` holds each page's path from the site root and the file it is read from."""
    return [scan_page(Path(file).read_text(encoding="utf-8", errors="replace"), path) for path, file in chunk]
