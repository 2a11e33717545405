"""Turn a built site into the list of things its Content-Security-Policy would block (none, when the build is right).

The policy (`POLICY`) allows scripts only from the site's own files, plus WebAssembly
for Pagefind's search; no inline script, no event-handler attribute, no inline style.
The theme loads Material's two small inline scripts from files instead
(theme/partials/javascripts/), so the policy needs no hashes and does not change from
build to build. docs/deploy.md (五、安全设置) prints this policy for nginx and Apache.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path

POLICY = (
    "default-src 'self'; "
    "script-src 'self' 'wasm-unsafe-eval'; "
    "style-src 'self'; "
    "img-src 'self' data:; "
    "font-src 'self'; "
    "connect-src 'self'; "
    "base-uri 'self'; "
    "form-action 'self'; "
    "frame-ancestors 'self'"
)

# <script type="…"> values the browser does not run, so the policy does not apply to them.
DATA_SCRIPT_TYPES = ("application/json", "application/ld+json", "text/template")


@dataclass(frozen=True)
class Blocked:
    """One thing in a page the policy would block: the page (from the site root) and what it is."""

    page: str
    what: str

    def render(self) -> str:
        return f"{self.page}: {self.what}"


class _Collector(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.found: list[str] = []
        self._inline_script = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        names = dict(attrs)
        for name, _ in attrs:
            if name.startswith("on"):
                self.found.append(f"<{tag} {name}=…> 事件属性（内联脚本）")
            elif name == "style":
                self.found.append(f"<{tag} style=…> 内联样式")
        if tag == "style":
            self.found.append("<style> 内联样式")
        script_type = (names.get("type") or "").strip().lower()
        self._inline_script = tag == "script" and not names.get("src") and script_type not in DATA_SCRIPT_TYPES

    def handle_data(self, data: str) -> None:
        if self._inline_script and data.strip():
            self.found.append(f"内联 <script>：{data.strip()[:60]}")

    def handle_endtag(self, tag: str) -> None:
        self._inline_script = False


def blocked_in_page(html: str) -> list[str]:
    """What in one HTML page the policy would block."""
    collector = _Collector()
    collector.feed(html)
    collector.close()
    return collector.found


def blocked_in_site(site: Path) -> list[Blocked]:
    """Every inline script, event-handler attribute and inline style in the site's HTML pages."""
    return [
        Blocked(path.relative_to(site).as_posix(), what)
        for path in sorted(site.rglob("*.html"))
        for what in blocked_in_page(path.read_text(encoding="utf-8"))
    ]


def deploy_headers(guide: str) -> dict[str, str]:
    """The security headers (all but Cache-Control) the deployment guide's Nginx configuration sends."""
    nginx = re.findall(r'^\s*add_header ([\w-]+) "([^"]*)" always;', guide, re.MULTILINE)
    return {name: value for name, value in nginx if name != "Cache-Control"}


def apache_headers(guide: str) -> dict[str, str]:
    """The security headers the deployment guide's Apache configuration sends."""
    return dict(re.findall(r'^\s*Header always set ([\w-]+) "([^"]*)"', guide, re.MULTILINE))
