"""The website under the Content-Security-Policy of the deployment guide: nothing blocked, search still works.

The site (sample data plus the fixture with HTML in its strings) is served under a
sub-path by a local server that sends the headers docs/deploy.md tells admins to set.
Needs Debian's `chromium`; skipped with a reason otherwise.
"""

from __future__ import annotations

import functools
import http.server
import re
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from conftest import serve

from builder.pipeline.build import build
from builder.site.csp import POLICY, blocked_in_site, deploy_headers

ROOT = Path(__file__).resolve().parents[2]
FIXTURE = Path(__file__).resolve().parent / "data"
HOSTILE = ROOT / "tests" / "hostile_data"  # HTML, Markdown and formulas in every text field
CHROMIUM = Path("/usr/bin/chromium")
SUB_PATH = "/zfxxgk/yusuan/"
PAGES = [
    "",
    "2023/",
    "2023/chengde-gxq-jingkeju/",
    "2023/fixture-yingji/13099923P00000110001Z/",
    "2023/hostile-text/",
    "2023/hostile-text/13099923P00000990001Z/",
    "downloads/",
]
DEPLOY = ROOT / "docs" / "deploy.md"
# Collects violations from the first moment of each page (Playwright's init scripts are not subject to the CSP).
LISTEN = """
window.__violations = [];
document.addEventListener("securitypolicyviolation", (event) =>
  window.__violations.push(`${event.violatedDirective} ${event.blockedURI} ${event.sourceFile}:${event.lineNumber}`));
"""

if not CHROMIUM.exists():
    pytest.skip("需要 Debian 的 chromium（apt-get install chromium）", allow_module_level=True)
sync_api = pytest.importorskip("playwright.sync_api")


class SecureHandler(http.server.SimpleHTTPRequestHandler):
    """Serves files with the security headers of the guide's Nginx configuration."""

    headers_to_send = deploy_headers(DEPLOY.read_text(encoding="utf-8"))

    def end_headers(self) -> None:
        for name, value in self.headers_to_send.items():
            self.send_header(name, value)
        super().end_headers()

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    work = tmp_path_factory.mktemp("csp")
    shutil.copytree(ROOT / "data", work / "data")
    shutil.copytree(FIXTURE, work / "data", dirs_exist_ok=True)
    shutil.copytree(HOSTILE, work / "data", dirs_exist_ok=True)
    site = work / "root" / SUB_PATH.strip("/")
    build(work / "data", site, with_pdf=False, generated_dir=work / "generated")
    return site


@pytest.fixture(scope="module")
def base_url(site: Path) -> Iterator[str]:
    with serve(functools.partial(SecureHandler, directory=str(site.parents[1]))) as port:
        yield f"http://127.0.0.1:{port}{SUB_PATH}"


@pytest.fixture
def page(browser: object) -> Iterator[object]:
    """A fresh page; afterwards nothing may have been blocked by the policy, and no script may have failed."""
    context = browser.new_context()
    context.add_init_script(LISTEN)
    tab = context.new_page()
    console: list[str] = []
    errors: list[str] = []
    dialogs: list[str] = []
    tab.on("console", lambda message: console.append(message.text))
    tab.on("pageerror", lambda error: errors.append(str(error)))
    tab.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    yield tab
    violations = tab.evaluate("window.__violations")
    context.close()
    assert violations == []
    assert [text for text in console if re.search("Content.Security.Policy|Refused to", text)] == []
    assert errors == []
    assert dialogs == []


def test_the_built_pages_have_nothing_the_policy_blocks(site: Path) -> None:
    assert [blocked.render() for blocked in blocked_in_site(site)] == []


@pytest.mark.parametrize("url", PAGES)
def test_pages_load_under_the_policy(page: object, base_url: str, url: str) -> None:
    response = page.goto(base_url + url)
    assert response.headers["content-security-policy"] == POLICY
    page.wait_for_load_state("networkidle")
    # Material's page storage, loaded from a file instead of an inline script, knows the site root.
    assert page.evaluate("__md_scope.href") == base_url


def search(page: object, base_url: str, query: str) -> list[str]:
    """Type a query on the search page; return the titles of the results."""
    page.goto(base_url + "search/")
    page.fill("#bp-search-input", query)
    page.press("#bp-search-input", "Enter")
    page.wait_for_selector(".bp-search__result")
    page.wait_for_load_state("networkidle")
    return page.eval_on_selector_all(".bp-search__title", "links => links.map(link => link.textContent)")


def test_search_works_under_the_policy(page: object, base_url: str) -> None:
    assert len(search(page, base_url, "满意度")) > 1


def test_search_results_show_html_from_the_data_as_text(page: object, base_url: str) -> None:
    titles = search(page, base_url, "恶意项目")
    assert "恶意项目<script>alert(1)</script>**粗体**" in titles
    assert page.locator(".bp-search__results script, .bp-search__results img, .bp-search__results strong").count() == 0


def test_the_fixtures_html_strings_stay_text_under_the_policy(page: object, base_url: str) -> None:
    page.goto(base_url + "2023/fixture-yingji/13099923P00000110001Z/")
    assert "救灾物资储备 <script>alert(1)</script>" in page.inner_text("h1")
