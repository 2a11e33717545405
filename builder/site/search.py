"""Index a built site with Pagefind: the Chinese full-text search, fetched in small chunks.

Pagefind's extended build (pip `pagefind[extended]`) segments Chinese with jieba. Only
the pages' marked bodies (`data-pagefind-body`, see `theme/main.html`) are indexed.
Pin 1.4.0: in 1.5.x the browser re-segments a Chinese query with ICU, which disagrees
with jieba, and pages are lost (Pagefind issue #1237; measured in the README).

The index is split into shards, each a complete Pagefind bundle in `pagefind/<name>/`
built from some of the pages, so that a build re-indexes only the shards whose pages
changed, and several shards at once. `pagefind/shards.json` lists them; the search page
(theme/assets/budget/search.js) loads one and merges the others into it with Pagefind's
`mergeIndex`, so one query searches every shard and the results are ranked together. A query
of one code-like word (a project code) merges only the shards that hold it: shards.json names
route files written from each shard's `codes.json` (builder/site/search_routes.py).

Pages are handed to Pagefind from memory, through its service mode (`pagefind --service`,
the protocol of the `pagefind` Python package, spoken here directly): one long-lived
Pagefind process per worker indexes shard after shard, so a shard costs no process start
and no jieba dictionary load (about 0.3 s each with the CLI), no glob of paths (one of
5 000 paths is too long for Pagefind), and the pages need not lie in one folder. The
package's own asyncio client reads one answer per 0.1 s, too slow for thousands of pages.
Pages go to Pagefind sorted by path, so a bundle does not depend on the order a file
system lists a folder in (the CLI's walk order). Before a bundle is written its word index
is re-cut into small chunks (builder/site/search_chunks.py): a query term then fetches a
few KB of each shard instead of one of Pagefind's chunks of about 28 KB. Then its pages are
named `<shard>.<version>.<n>` and its chunks `<version>.<n>` (builder/site/search_ids.py):
Pagefind's page names are short hashes, unique within one bundle only, and the search page
tells the results of all shards apart by name.

What one shard of about 400 pages (25 departments) costs, measured on 2 cores at a load
of about 5 (benchmarks/README.md): Pagefind indexes the pages in 0.7 s and makes the bundle
(`GetFiles`: word index, gzip'd fragments) in 0.45–0.5 s, about 2.8 ms a page; this side
reads the pages, cuts them to their body and sends them in 0.2 s and writes the 437 files
in 0.1 s. A Pagefind process that has not yet segmented a Chinese page first loads jieba's
dictionary, 0.3–0.5 s (up to 1.3 s under heavy load): the build starts one early and lets
it warm up while the steps before the search run (`ServicePool`), and an edit's shard is
indexed behind the steps after it (`ServicePool.index_behind`).
"""

from __future__ import annotations

import base64
import functools
import json
import queue
import re
import shutil
import subprocess
import tempfile
import threading
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..errors import BuilderError
from . import search_exact, search_text
from .search_chunks import rechunk_bundle
from .search_exact import (
    EXACT,
    Store,
    exact_from,
    folded_text,
    folder_store,
    plain_content,
    read_fragments,
    write_exact,
)
from .search_ids import name_pages
from .search_routes import CODES, code_words, write_routes
from .search_text import TEXT, text_pairs, text_piece, write_text

BUNDLE_DIR = "pagefind"
SHARD_LIST = "shards.json"
ENTRY = "pagefind-entry.json"  # in every complete bundle
# Every file a shard's bundle holds (Pagefind 1.4's, and codes.json), by path in the bundle: a reused bundle takes
# only these from an earlier build (a part from another machine may list others under the same key).
BUNDLE_FILE = re.compile(
    r"codes\.json|exact\.json|text\.json|pagefind-entry\.json|pagefind\.js|wasm\.[\w-]+\.pagefind|pagefind\.[\w-]+\.pf_meta"
    r"|index/[\w.-]+\.pf_index|fragment/[\w.-]+\.pf_fragment|filter/[\w.-]+\.pf_filter"
)
WHOLE_SITE_SHARD = "all"
SHARD_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9_-]*")
# A page is indexed only if it marks its body; with no marked page in a run Pagefind would index whole pages.
BODY_MARK = re.compile(rb"<[^>]*\sdata-pagefind-body[\s>=/]")
BODY_ATTRIBUTE = b"data-pagefind-body"
# How theme/main.html wraps the body (`body_only`).
BODY_START, BODY_END = b"<div data-pagefind-body>", b"<!--/pagefind-body-->"
HTML_TAG = re.compile(rb"<html(?:\s[^>]*)?>", re.IGNORECASE)
TITLE = re.compile(rb"<title>[^<]*</title>", re.IGNORECASE)
PAGEFIND_ATTRIBUTE = b"data-pagefind-"
# Attributes Pagefind does not read (it reads `data-pagefind-*`, `id`, `lang`, an image's `src` and `alt`), in double
# quotes inside a tag: the lookahead finds the tag's `>` before any `<` (text holds `&gt;`, never `>`, as Jinja
# and Markdown write it). A project page's body is then a third smaller, and Pagefind parses it faster.
UNREAD_ATTRIBUTES = re.compile(
    rb'\s(?:class|aria-[a-z]+|role|scope|data-label|href|colspan|rowspan|data-bp-[a-z-]+)="[^"<>]*"(?=[^<>]*>)'
)
# A larger group of pages (a department of thousands of projects) is split over several shards (`split_shard`),
# which the browser merges: a shard is held in Pagefind's memory whole, and re-indexed whole when one page changes.
MAX_SHARD_PAGES = 1_000  # about 3 s of Pagefind (2.8 ms a page; twice that under load)
# Pagefind's messages can be long: each line is cut to this many characters, and so many lines kept.
MAX_DETAIL_LINE = 300
MAX_DETAIL_LINES = 12
INSTALL_HINT = "请检查 pagefind[extended] 是否安装完整（pip install 'pagefind[extended]==1.4.0'）"

# Pagefind writes ready-made search interfaces too; the site uses its own (theme/assets/budget/search.js).
UNUSED_BUNDLE_FILES = (
    "pagefind-ui.js",
    "pagefind-ui.css",
    "pagefind-component-ui.js",
    "pagefind-component-ui.css",
    "pagefind-modular-ui.js",
    "pagefind-modular-ui.css",
    "pagefind-highlight.js",
    "pagefind-worker.js",
)

PageReader = Callable[[str], bytes]


@dataclass(frozen=True)
class SearchShard:
    """A named group of pages indexed together; `pages` are HTML paths from the site root, e.g. `2023/x/index.html`."""

    name: str
    pages: tuple[str, ...]


def split_shard(shard: SearchShard) -> list[SearchShard]:
    """`shard` as shards of at most MAX_SHARD_PAGES pages: itself if small enough, else `name`, `name_2`, `name_3`…"""
    pages = shard.pages
    if len(pages) <= MAX_SHARD_PAGES:
        return [shard]
    chunks = [pages[start : start + MAX_SHARD_PAGES] for start in range(0, len(pages), MAX_SHARD_PAGES)]
    return [SearchShard(shard.name if i == 0 else f"{shard.name}_{i + 1}", chunk) for i, chunk in enumerate(chunks)]


def shard_dir(site_dir: Path, name: str) -> Path:
    """Where the shard's bundle goes: `site_dir/pagefind/<name>/`."""
    return site_dir / BUNDLE_DIR / name


def has_bundle(site_dir: Path, name: str) -> bool:
    """Whether the shard `name` has a complete bundle in `site_dir/pagefind/<name>/`."""
    return (shard_dir(site_dir, name) / ENTRY).is_file()


def index_site(site_dir: Path) -> None:
    """Index every page as one shard (`pagefind/all/`), in place of any earlier bundles, and list it in shards.json."""
    shutil.rmtree(site_dir / BUNDLE_DIR, ignore_errors=True)
    shards = split_shard(SearchShard(WHOLE_SITE_SHARD, tuple(site_pages(site_dir))))
    index_shards(site_dir, shards, jobs=1)
    write_shard_list(site_dir, [shard.name for shard in shards])


def site_pages(site_dir: Path) -> list[str]:
    """Every HTML page of the site outside the search bundles, as sorted paths from the site root."""
    pages = (path.relative_to(site_dir).as_posix() for path in site_dir.rglob("*.html"))
    return sorted(page for page in pages if not page.startswith(f"{BUNDLE_DIR}/"))


def folder_reader(site_dir: Path) -> PageReader:
    """Read pages from `site_dir`, refusing a path that leads outside it or to no file."""
    root = site_dir.resolve()

    def read(page: str) -> bytes:
        source = site_dir / page
        if not source.resolve().is_relative_to(root):
            raise BuilderError(f"搜索索引分片中的页面不在网站文件夹内：{page}")
        if not source.is_file():
            raise BuilderError(f"搜索索引分片中的页面不存在：{page}")
        return source.read_bytes()

    return read


def index_shard(site_dir: Path, shard: SearchShard, read: PageReader | None = None) -> None:
    """Write the bundle of `shard` into `site_dir/pagefind/<name>/`, replacing an earlier one (see `index_shards`)."""
    index_shards(site_dir, [shard], jobs=1, read=read)


def index_shards(
    site_dir: Path,
    shards: Sequence[SearchShard],
    jobs: int,
    read: PageReader | None = None,
    services: ServicePool | None = None,
) -> None:
    """Write each shard's bundle into `site_dir/pagefind/<name>/`, replacing an earlier one; `jobs` Pagefind processes.

    Pages are read with `read` (from `site_dir` if not given); Pagefind processes come from
    `services` (warmed up ahead, see ServicePool), else are started here. Only pages that mark their
    body (`data-pagefind-body`) are indexed, as Pagefind does for a whole site; a shard with
    no such page has nothing to index and gets no bundle. A shard larger than MAX_SHARD_PAGES
    is refused (`split_shard` makes shards that fit). Raise BuilderError naming every shard that failed.
    """
    for shard in shards:
        _check_name(shard.name)
        if len(shard.pages) > MAX_SHARD_PAGES:
            raise BuilderError(
                f"搜索索引分片 {shard.name} 有 {len(shard.pages)} 个页面，超过一个分片的上限"
                f" {MAX_SHARD_PAGES} 个页面 — 请先用 split_shard 拆分"
            )
    if not shards:
        return
    todo: queue.SimpleQueue[SearchShard] = queue.SimpleQueue()
    for shard in shards:
        todo.put(shard)
    failures: dict[str, Exception] = {}
    worker = _Worker(site_dir, read or folder_reader(site_dir), todo, failures, services or ServicePool())
    threads = [threading.Thread(target=worker.run) for _ in range(max(1, min(jobs, len(shards))))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    for error in failures.values():
        if not isinstance(error, (BuilderError, OSError)):
            raise error  # a bug, not a problem of the pages or of Pagefind
    if failures:
        listing = "\n".join(f"分片 {shard.name}：{failures[shard.name]}" for shard in shards if shard.name in failures)
        raise BuilderError(f"{len(failures)} 个搜索索引分片建立失败：\n{listing}")


@dataclass
class _Worker:
    """What each indexing thread shares: it takes shards from `todo` and feeds them to its own Pagefind."""

    site_dir: Path
    read: PageReader
    todo: queue.SimpleQueue[SearchShard]
    failures: dict[str, Exception]
    services: ServicePool

    def run(self) -> None:
        service: PagefindService | None = None
        try:
            while True:
                try:
                    shard = self.todo.get_nowait()
                except queue.Empty:
                    return
                try:
                    service = self._index(service, shard)
                except Exception as error:  # reported by index_shards once every thread is done
                    self.failures[shard.name] = error
                    if service is not None and not service.alive():
                        service.close()
                        service = None
        finally:
            if service is not None:
                service.close()

    def _index(self, service: PagefindService | None, shard: SearchShard) -> PagefindService | None:
        def take() -> PagefindService:  # a service only once the shard has a page to index
            nonlocal service
            service = service or self.services.take()
            return service

        index_pages(self.site_dir, shard, self.read, take)
        return service


def index_pages(site_dir: Path, shard: SearchShard, read: PageReader, service: Callable[[], PagefindService]) -> None:
    """Write the bundle of `shard` into `site_dir/pagefind/<name>/` with the Pagefind `service()` gives, if it has a
    page to index (`index_shards`; builder/pipeline/steps/index_search.py runs it in worker processes)."""
    output = shard_dir(site_dir, shard.name)
    shutil.rmtree(output, ignore_errors=True)
    pages = marked_contents(shard.pages, read)
    if pages:
        service().write_bundle(pages, output)


def marked_contents(pages: Iterable[str], read: PageReader) -> list[tuple[str, bytes]]:
    """The pages that mark their body, with their HTML, sorted by path."""
    contents = ((page, read(page)) for page in sorted(pages))
    return [(page, html) for page, html in contents if marks_body(html)]


def marks_body(html: bytes) -> bool:
    """Whether `html` has an element marked `data-pagefind-body` (BODY_MARK), looked for from the tag of the first
    such attribute: BODY_MARK over a whole page backtracks through every tag (a tenth of the page's Python time)."""
    at = html.find(BODY_ATTRIBUTE)
    return at >= 0 and BODY_MARK.search(html, max(0, html.rfind(b"<", 0, at))) is not None


def _one_body_mark(html: bytes) -> bool:
    """Whether `html` has exactly one element marked `data-pagefind-body`, the attribute's text written once."""
    count = html.count(BODY_ATTRIBUTE)
    return marks_body(html) if count == 1 else count > 1 and len(BODY_MARK.findall(html)) == 1


def body_only(html: bytes) -> bytes:
    """What Pagefind reads of a page of theme/main.html: its `<html>` tag (the language), title and marked body.

    Pagefind parses the whole page, menus and all, though it indexes only the body: handing it
    just the body takes about 12 % less of its time and gives the same bundle, byte for byte;
    leaving out the attributes it does not read (UNREAD_ATTRIBUTES) takes another 15–25 % off
    adding a page, again for the same bundle.
    The page is handed over whole unless it has exactly one body, wrapped as theme/main.html
    does (`<div data-pagefind-body>` … `<!--/pagefind-body-->`), and no other Pagefind attribute.
    """
    start, end = html.find(BODY_START), html.rfind(BODY_END)
    tag, title = HTML_TAG.search(html), TITLE.search(html)
    if start < 0 or end < start or tag is None or not _one_body_mark(html):
        return html
    if html.find(PAGEFIND_ATTRIBUTE, 0, start) >= 0 or html.find(PAGEFIND_ATTRIBUTE, end) >= 0:
        return html
    head = b"<head>" + (title.group(0) if title else b"") + b"</head>"
    return tag.group(0) + head + b"<body>" + UNREAD_ATTRIBUTES.sub(b"", html[start:end]) + b"</body></html>"


def marked_pages(site_dir: Path, pages: Iterable[str], read: PageReader | None = None) -> list[str]:
    """The pages that mark their body (read from `site_dir`, checked to be files inside it, if `read` is not given)."""
    return [page for page, _ in marked_contents(pages, read or folder_reader(site_dir))]


def write_shard_list(
    site_dir: Path,
    names: Iterable[str],
    bundled: Callable[[str], bool] | None = None,
    read: PageReader | None = None,
    store: Store | None = None,
    trusted: Callable[[str], bool] | None = None,
) -> None:
    """Write `pagefind/shards.json`, the shards the search page loads; the first one is loaded first.

    Shards without a bundle (none of their pages is indexed) are left out; `bundled(name)` says
    whether a shard has one (default: a bundle in `site_dir`). The route files of code-like words
    are written too (search_routes.py) and named in the list; `read(path)` reads a shard's files
    (default: from `site_dir`). With `EXACT_FROM_SHARDS` shards or more, so are the exact index's
    bucket files (search_exact.py), each given to `store(path, content)` (default: written, gzip'd,
    into `site_dir`); `trusted(path)` says which shards' pieces of it need no checking (default: none).
    """
    names = list(names)
    for name in names:
        _check_name(name)
    repeated = sorted({name for name in names if names.count(name) > 1})
    if repeated:
        raise BuilderError(f"搜索索引分片名称重复：{'、'.join(repeated)}")
    names = [name for name in names if (bundled or functools.partial(has_bundle, site_dir))(name)]
    if not names:
        raise BuilderError("搜索索引没有任何分片 — 网站中没有可供检索的页面（带 data-pagefind-body 的页面）")
    read = read or (lambda path: (site_dir / path).read_bytes())
    routes = write_routes(site_dir, names, read)
    listing: dict[str, object] = {"shards": names, **({"routes": routes} if routes else {})}
    if len(names) >= search_exact.EXACT_FROM_SHARDS:
        trusted = trusted or (lambda path: False)
        exact = write_exact(names, read, store or folder_store(site_dir), trusted)
        text = write_text(names, read, store or folder_store(site_dir, search_text.FOLDER), trusted)
        listing.update({"exact": exact} if exact else {}, **({"text": search_text.listing(text)} if text else {}))
    path = site_dir / BUNDLE_DIR / SHARD_LIST
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(listing, ensure_ascii=False) + "\n", encoding="utf-8")


def _check_name(name: str) -> None:
    if not SHARD_NAME.fullmatch(name):
        raise BuilderError(f"搜索索引分片名称不合适：{name!r} — 只能用字母、数字、连字符和下划线")


def pagefind_binary() -> Path:
    """The Pagefind executable of the installed `pagefind[extended]` (or `PAGEFIND_BINARY_PATH`)."""
    try:
        from pagefind.service import get_executable
    except ImportError:
        raise BuilderError(f"找不到 Python 包 pagefind — {INSTALL_HINT}") from None
    binary = get_executable()
    if binary is None:
        raise BuilderError(f"找不到 Pagefind 程序 — {INSTALL_HINT}")
    return Path(binary)


class ServicePool:
    """Pagefind services started ahead of need, warming up while the build does its other steps.

    The first Chinese page a Pagefind process indexes loads jieba's dictionary: 0.3–0.5 s of
    one core at a load of 5 (0.9–1.3 s at 9), a quarter of re-indexing one shard after an
    edit. A service taken from the pool has paid it in the background (in its own process,
    on the other core); `take` starts a cold one when none is left. A warmed process holds
    about 57 MB.
    """

    def __init__(self, warm: int = 0) -> None:
        self.spare = [PagefindService.warmed() for _ in range(warm)]
        self.running: list[threading.Thread] = []

    def take(self) -> PagefindService:
        try:
            return self.spare.pop()  # atomic: the indexing threads share the pool
        except IndexError:
            return PagefindService()

    def index_behind(
        self, site_dir: Path, shards: Sequence[SearchShard], jobs: int, read: PageReader | None = None
    ) -> Callable[[], None]:
        """Start `index_shards` in a thread, for the caller to do other work meanwhile.

        Return the call that waits for it and raises what it raised; `close` waits for it too
        (a build that fails elsewhere must not leave it writing into a folder being removed).
        """
        failed: list[BaseException] = []

        def work() -> None:
            try:
                index_shards(site_dir, shards, jobs, read, self)
            except BaseException as error:  # raised by `wait`, in the caller's thread
                failed.append(error)

        thread = threading.Thread(target=work, name="pagefind-index")
        self.running.append(thread)
        thread.start()

        def wait() -> None:
            thread.join()
            if failed:
                raise failed[0]

        return wait

    def close(self) -> None:
        for thread in self.running:
            thread.join()
        while self.spare:
            self.spare.pop().close()

    def __enter__(self) -> ServicePool:
        return self

    def __exit__(self, *_: object) -> None:
        self.close()


# What a warming service indexes (and forgets): a Chinese word, so that jieba loads its dictionary.
WARM_UP_PAGE = (
    '<html lang="zh-CN"><head><title>预热</title></head>'
    "<body><div data-pagefind-body><p>部门预算绩效目标</p></div></body></html>"
)


class PagefindService:
    """One `pagefind --service` process: indexes shard after shard from pages given in memory.

    Messages are base64 of JSON, each followed by a comma, both ways; Pagefind answers
    them in order. All the pages of a shard are sent before the answers are read: Pagefind
    queues its answers in memory, so neither side waits on a full pipe.
    """

    @classmethod
    def warmed(cls) -> PagefindService:
        """A service that indexes WARM_UP_PAGE in a background thread; its first real call waits for that."""
        service = cls()
        service.warming = threading.Thread(target=service._warm_up, name="pagefind-warm-up", daemon=True)
        service.warming.start()
        return service

    def __init__(self) -> None:
        self.warming: threading.Thread | None = None
        binary = pagefind_binary()
        self.errors = tempfile.TemporaryFile()  # noqa: SIM115 — closed in close(); a file, not a pipe, never fills
        try:
            self.process = subprocess.Popen(
                [str(binary), "--service"], stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=self.errors
            )
        except OSError as error:
            raise BuilderError(f"无法运行 Pagefind（{binary}）：{error} — {INSTALL_HINT}") from None
        self.sent = 0
        self.buffer = b""

    def alive(self) -> bool:
        return self.process.poll() is None

    def _warm_up(self) -> None:
        try:
            index = self._call({"type": "NewIndex", "config": None})["index_id"]
            path = "pagefind-warm-up/index.html"
            self._call(
                {"type": "AddFile", "index_id": index, "file_path": path, "url": None, "file_contents": WARM_UP_PAGE}
            )
            self._call({"type": "DeleteIndex", "index_id": index})
        except BuilderError:
            pass  # a Pagefind that fails here fails the first shard too, which names the shard and says why

    def _ready(self) -> None:
        """Wait for the warm-up, if any: the answers it reads are its own."""
        if self.warming is not None:
            self.warming.join()
            self.warming = None

    def write_bundle(self, pages: list[tuple[str, bytes]], output: Path) -> None:
        """Index `pages` (path from the site root, HTML) as a new index and write its bundle into `output`."""
        self._ready()
        index = self._call({"type": "NewIndex", "config": None})["index_id"]
        try:
            for path, html in pages:
                # The URL is made from the path as the CLI does: `2023/x/index.html` → `/2023/x/`.
                add = {"type": "AddFile", "index_id": index, "file_path": path, "url": None}
                self._send({**add, "file_contents": body_only(html).decode("utf-8", errors="replace")})
            problems = []
            for path, _ in pages:
                answer = self._receive()
                if answer.get("type") != "IndexedFile":
                    problems.append(f"{path}：{answer.get('message', answer)}")
            if problems:
                raise BuilderError(f"Pagefind 无法处理 {len(problems)} 个页面：\n{_shorten(chr(10).join(problems))}")
            # The bundle comes back in the answer and is written here: Pagefind's own writes (WriteFiles) go
            # through tokio's buffered files and can be lost when the service exits just after answering.
            files = self._call({"type": "GetFiles", "index_id": index})["files"]
            bundle = {file["path"]: base64.b64decode(file["content"]) for file in files}
            bundle = {name: content for name, content in bundle.items() if name not in UNUSED_BUNDLE_FILES}
            words: set[str] = set()
            bundle = name_pages(rechunk_bundle(bundle, words=words), output.name)
            if words:  # read: its code-like words route a query for one of them (search_routes.py)
                bundle[CODES] = code_words(words)
            pages = read_fragments(bundle)
            if pages is not None:
                pages = plain_content(pages)
                folded = [folded_text(fragment) for _, _, fragment in pages]  # read by both, folded once
                bundle[EXACT] = exact_from(pages, folded)  # its titles, indicators and figures (search_exact.py)
                bundle[TEXT] = text_piece(set().union(*map(text_pairs, folded)))  # its pairs (search_text.py)
            _write_bundle(output, bundle)
        finally:
            if self.alive():
                self._call({"type": "DeleteIndex", "index_id": index})

    def close(self) -> None:
        self._ready()
        if self.process.stdin:
            self.process.stdin.close()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        if self.process.stdout:
            self.process.stdout.close()
        self.errors.close()

    def _call(self, payload: dict[str, Any]) -> dict[str, Any]:
        self._send(payload)
        answer = self._receive()
        if answer.get("type") == "Error":
            raise BuilderError(f"Pagefind 报错：{_shorten(str(answer.get('message')))}")
        return answer

    def _send(self, payload: dict[str, Any]) -> None:
        self.sent += 1
        message = json.dumps({"message_id": self.sent, "payload": payload}, ensure_ascii=False).encode("utf-8")
        try:
            assert self.process.stdin is not None
            self.process.stdin.write(base64.b64encode(message) + b",")
            self.process.stdin.flush()
        except (BrokenPipeError, OSError):
            raise self._died() from None

    def _receive(self) -> dict[str, Any]:
        """The next answer's payload."""
        assert self.process.stdout is not None
        chunks = [self.buffer]
        while b"," not in chunks[-1]:  # base64 has no comma: only the end of a message has one
            data = self.process.stdout.read1(1 << 20)
            if not data:
                raise self._died()
            chunks.append(data)
        message, _, self.buffer = b"".join(chunks).partition(b",")
        return json.loads(base64.b64decode(message))["payload"]

    def _died(self) -> BuilderError:
        """Pagefind ended before answering: what it said on the way out, and its exit status."""
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        self.errors.seek(0)
        said = self.errors.read().decode("utf-8", errors="replace").strip()
        details = _shorten(said or "（Pagefind 没有输出任何信息）")
        return BuilderError(f"Pagefind 意外退出（退出码 {self.process.returncode}）：\n{details}")


def _write_bundle(output: Path, files: dict[str, bytes]) -> None:
    """Write a bundle's files (paths relative to the bundle, as Pagefind gives them) into `output`.

    `output` was just emptied and is filled only here, so no link lies inside it: a name is
    checked as written (relative, no `..`), not by resolving each file's path (0.1 s a shard).
    """
    wanted = {name: content for name, content in files.items() if name not in UNUSED_BUNDLE_FILES}
    for name in wanted:
        parts = name.split("/")
        if name.startswith("/") or "\\" in name or any(part in ("", ".", "..") for part in parts):
            raise BuilderError(f"Pagefind 给出了包外的文件名：{name!r}")
    for folder in sorted({(output / name).parent for name in wanted}):
        folder.mkdir(parents=True, exist_ok=True)
    for name, content in wanted.items():
        with open(output / name, "wb") as file:
            file.write(content)


def _shorten(text: str) -> str:
    """Each line once, a long one as its start and end (MAX_DETAIL_LINE characters); MAX_DETAIL_LINES lines."""
    lines: list[str] = []
    for line in text.splitlines():
        if len(line) > MAX_DETAIL_LINE:
            half = MAX_DETAIL_LINE // 2
            line = f"{line[:half]}……（省略 {len(line) - 2 * half} 个字符）……{line[-half:]}"
        if line.strip() and line not in lines:
            lines.append(line)
    if len(lines) > MAX_DETAIL_LINES:
        lines = [*lines[:MAX_DETAIL_LINES], f"……（另有 {len(lines) - MAX_DETAIL_LINES} 行）"]
    return "\n".join(f"  {line}" for line in lines)
