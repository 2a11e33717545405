"""What every browser test shares: Debian's Chromium driven by Playwright, and a local static server."""

from __future__ import annotations

import functools
import http.server
import threading
import urllib.parse
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from builder.pipeline.build import build

CHROMIUM = Path("/usr/bin/chromium")


class QuietHandler(http.server.SimpleHTTPRequestHandler):
    """A static file handler that does not log each request."""

    def log_message(self, *args: object) -> None:
        pass


@contextmanager
def serve(handler: Callable[..., http.server.BaseHTTPRequestHandler]) -> Iterator[int]:
    """Serve with `handler` on a free loopback port for the duration of the block; yields the port."""
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield server.server_port
    finally:
        server.shutdown()


@contextmanager
def local_page(browser: object, base_url: str) -> Iterator[tuple[object, list[str]]]:
    """A fresh page and the URLs it requests; afterwards, none may have left the server of `base_url`."""
    context = browser.new_context()  # type: ignore[attr-defined]
    urls: list[str] = []
    context.on("request", lambda request: urls.append(request.url))
    yield context.new_page(), urls
    context.close()
    parts = urllib.parse.urlsplit(base_url)
    origin = f"{parts.scheme}://{parts.netloc}/"
    assert [url for url in urls if not url.startswith((origin, "data:", "blob:"))] == []


@contextmanager
def served_site(data: Path, work: Path, sub_path: str) -> Iterator[str]:
    """`data` built without PDFs into `work/root` under `sub_path`, served for the block; yields the site's address."""
    build(data, work / "root" / sub_path.strip("/"), with_pdf=False, generated_dir=work / "generated")
    with serve(functools.partial(QuietHandler, directory=str(work / "root"))) as port:
        yield f"http://127.0.0.1:{port}{sub_path}"


def show_every_result(page: object) -> None:
    """Press 显示更多 on the search page until every result is listed."""
    while page.is_visible(".bp-search__more"):
        count = page.locator(".bp-search__result").count()
        status = page.inner_text(".bp-search__status")
        page.click(".bp-search__more")
        # more results, or (a large site's full text, each page checked) more candidates checked and none held the query
        page.wait_for_function(
            "([count, status]) => document.querySelectorAll('.bp-search__result').length > count"
            " || document.querySelector('.bp-search__status').innerText !== status",
            arg=[count, status],
        )


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    """Debian's Chromium (never a downloaded browser), kept off the network it must not use."""
    sync_api = pytest.importorskip("playwright.sync_api")
    with sync_api.sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path=str(CHROMIUM), args=["--no-sandbox", "--disable-background-networking"]
        )
        yield chromium
        chromium.close()
