"""Check a built site: every internal link and anchor resolves, and nothing is fetched from another host.

Runs over the HTML files in a site folder with the standard library's HTML parser,
so a broken link fails the build as `mkdocs build --strict` fails on warnings.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path, PurePosixPath
from urllib.parse import unquote, urlsplit

# Attributes that load something when the page is shown (a reference to another host here leaks a request).
LOADING_ATTRIBUTES = {("script", "src"), ("img", "src"), ("link", "href"), ("iframe", "src"), ("source", "src")}
LINK_ATTRIBUTES = {"href", "src"}


@dataclass(frozen=True)
class BrokenLink:
    page: str
    target: str
    reason: str

    def render(self) -> str:
        return f"{self.page}: {self.target} — {self.reason}"


@dataclass
class _Page:
    links: list[tuple[str, str, str]]  # (tag, attribute, value)
    anchors: set[str]


class _Collector(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.page = _Page(links=[], anchors=set())

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        for name, value in attrs:
            if value is None:
                continue
            if name in ("id", "name") and (name == "id" or tag == "a"):
                self.page.anchors.add(value)
            elif name in LINK_ATTRIBUTES:
                self.page.links.append((tag, name, value))


def read_page(path: Path) -> _Page:
    collector = _Collector()
    collector.feed(path.read_text(encoding="utf-8", errors="replace"))
    return collector.page


def check_site(site: Path) -> list[BrokenLink]:
    """Every broken internal link or anchor, and every resource loaded from another host."""
    site = site.resolve()
    pages = {path: read_page(path) for path in sorted(site.rglob("*.html"))}
    broken: list[BrokenLink] = []
    for path, page in pages.items():
        relative = path.relative_to(site).as_posix()
        for tag, attribute, value in page.links:
            reasons = _problems(site, path, tag, attribute, value, pages)
            broken.extend(BrokenLink(relative, value, reason) for reason in reasons)
    return broken


def _problems(site: Path, page: Path, tag: str, attribute: str, value: str, pages: dict[Path, _Page]) -> Iterator[str]:
    parts = urlsplit(value)
    if parts.scheme in ("mailto", "tel", "data"):
        return
    if parts.scheme == "javascript":
        yield "不允许 javascript: 链接"
        return
    if parts.scheme or parts.netloc:
        if (tag, attribute) in LOADING_ATTRIBUTES:
            yield "从外部网站加载资源（本站不得向其他主机发出请求）"
        return
    if value.startswith("/"):
        yield "以 / 开头的绝对路径在子路径部署时会失效，请用相对路径"
        return
    target = _resolve(site, page, unquote(parts.path)) if parts.path else page
    if target is None:
        yield "指向的文件不存在"
        return
    if parts.fragment and target in pages and unquote(parts.fragment) not in pages[target].anchors:
        yield f"页面中没有锚点 #{parts.fragment}"


def _resolve(site: Path, page: Path, link: str) -> Path | None:
    base = PurePosixPath(page.relative_to(site).as_posix()).parent
    candidate = (site / PurePosixPath(base, link)).resolve()
    try:
        candidate.relative_to(site)
    except ValueError:
        return None
    if candidate.is_dir():
        candidate = candidate / "index.html"
    return candidate if candidate.is_file() else None
