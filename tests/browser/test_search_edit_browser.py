"""Many small search shards after an edit, in Chromium: the edited department is found by its name and its new words.

Forty synthetic departments plus the sample are indexed in shards of a few departments each
(SHARD_DEPARTMENTS lowered, so that a small corpus has as many shards as a province). Then
高新区科技局's overall goal is edited and the site rebuilt: only that department's shard is
re-indexed, and the browser, merging every shard, finds the department both by its name and
by the words just added — and for the name, the very pages of those a single index of the whole site
finds that hold it (Pagefind matches a Chinese query against the words of the index chunks it loads,
which differ from shard to shard; with this many shards the search page lists only pages it checked).
"""

from __future__ import annotations

import functools
import json
import shutil
import sys
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest
from conftest import CHROMIUM, QuietHandler, serve, show_every_result

from builder.pipeline.build import build
from builder.pipeline.steps import index_search
from builder.site.search import index_site

ROOT = Path(__file__).resolve().parents[2]
SUB_PATH = "/zfxxgk/yusuan/"
EDITED = "tangshan-gxq-kejiju"
NEW_WORDS = "量子通信示范"
MARKER = "  overall_goal:\n  - "

if not CHROMIUM.exists():
    pytest.skip("需要 Debian 的 chromium（apt-get install chromium）", allow_module_level=True)
pytest.importorskip("playwright.sync_api")


@pytest.fixture(scope="module")
def edited(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, list[str], list[str], str]]:
    """The site built, 高新区科技局 edited and rebuilt: its URL, the shards, the shards the rebuild made,
    and the URL of a copy indexed as one shard."""
    sys.path.insert(0, str(ROOT / "benchmarks"))
    from generate_corpus import generate

    work = tmp_path_factory.mktemp("edit-shards")
    data = work / "data"
    generate(40, data, ROOT / "data", projects=3)
    shutil.copytree(ROOT / "data", data, dirs_exist_ok=True)
    site = work / "root" / SUB_PATH.strip("/")
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(index_search, "SHARD_DEPARTMENTS", 4)
        options = {"with_pdf": False, "generated_dir": work / "generated", "cache_dir": work / "cache"}
        build(data, site, **options)  # type: ignore[arg-type]
        source = data / "2023" / f"{EDITED}.yaml"
        text = source.read_text(encoding="utf-8")
        source.write_text(text.replace(MARKER, f"{MARKER}{NEW_WORDS}。", 1), encoding="utf-8")
        report = build(data, site, **options)  # type: ignore[arg-type]
    shards = json.loads((site / "pagefind" / "shards.json").read_text(encoding="utf-8"))["shards"]
    remade = sorted({path.split("/")[1] for path in report.made if path.startswith("pagefind/")})
    whole = work / "one" / SUB_PATH.strip("/")
    shutil.copytree(site, whole)
    index_site(whole)
    many, one = (functools.partial(QuietHandler, directory=str(work / name)) for name in ("root", "one"))
    with serve(many) as port, serve(one) as one_port:
        yield f"http://127.0.0.1:{port}{SUB_PATH}", shards, remade, f"http://127.0.0.1:{one_port}{SUB_PATH}"


def search(browser: object, url: str, query: str) -> list[str]:
    """Every result of `query` (“more” clicked until all are shown), as paths from the site root."""
    context = browser.new_context()
    page = context.new_page()
    page.goto(url + "search/")
    page.fill("#bp-search-input", query)
    page.press("#bp-search-input", "Enter")
    page.wait_for_selector(".bp-search__result")
    if page.locator(".bp-search__full").count():  # the exact index answered first (search_exact.py): the full text
        page.click(".bp-search__full")
        page.wait_for_function("() => !document.querySelector('.bp-search__status').textContent.includes('（标题')")
        page.wait_for_selector(".bp-search__result")
    show_every_result(page)
    links = page.eval_on_selector_all(".bp-search__title", "links => links.map(link => link.href)")
    context.close()
    return [link.removeprefix(url) for link in links]


def test_the_edit_re_indexes_one_of_many_shards(edited: tuple[str, list[str], list[str], str]) -> None:
    _, shards, remade, _ = edited
    assert len(shards) >= 10
    shards_remade = [name for name in remade if name not in ("exact", "text")]  # and the two indexes' buckets
    assert len(shards_remade) == 1 and shards_remade[0] in shards and shards_remade[0] != "site"


def test_the_edited_department_is_found_by_its_name_as_in_one_index(
    browser: object, edited: tuple[str, list[str], list[str], str]
) -> None:
    url, _, _, one_index = edited
    found = search(browser, url, "高新区科技局")
    assert f"2023/{EDITED}/" in found
    # Many shards carry the exact index, whose full text shows only the pages checked to hold the query: those of
    # the single index's results (which lists every candidate) that do.
    one = search(browser, one_index, "高新区科技局")
    assert sorted(found) == sorted(page for page in one if "高新区科技局" in indexed_text(url + page))


def indexed_text(url: str) -> str:
    """What Pagefind indexes of a page: its marked body (theme/main.html)."""
    with urllib.request.urlopen(url) as response:
        html = response.read().decode("utf-8")
    return html[html.index("data-pagefind-body") : html.index("<!--/pagefind-body-->")]


def test_the_edited_department_is_found_by_its_new_words(
    browser: object, edited: tuple[str, list[str], list[str], str]
) -> None:
    url, _, _, _ = edited
    assert search(browser, url, NEW_WORDS)[0] == f"2023/{EDITED}/"
