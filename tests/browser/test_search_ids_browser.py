"""Two shards whose pages Pagefind names alike: each page is shown once, with its own title and excerpt.

Pagefind names a page by a short hash, unique within one bundle only; the search page tells
results apart by that name. The sample site plus the fixture department is built once and
indexed twice as two shards (the fixture department, everything else): once as Pagefind
names the pages, once with Pagefind's names forced alike in both shards (the n-th page of
each shard named `zh_000000n`, as two hashes of 48 000 pages can be). A fresh browser must
show the same pages, titles and excerpts on both sites, pages of both shards among them.
"""

from __future__ import annotations

import base64
import functools
import gzip
import json
import shutil
from collections.abc import Iterator
from pathlib import Path

import cbor2
import pytest
from conftest import CHROMIUM, QuietHandler, serve

from builder.pipeline.build import build
from builder.site import search
from builder.site.search import SearchShard, index_shards, site_pages, write_shard_list

ROOT = Path(__file__).resolve().parents[2]
FIXTURE = Path(__file__).resolve().parent / "data"  # 应急管理局（测试用）: 救灾物资
SUB_PATH = "zfxxgk/yusuan"
FIXTURE_DEPARTMENT = "2023/fixture-yingji/"
QUERIES = ["满意度", "项目", "救灾物资 满意度", "高新技术企业", "13099923P00000110001Z"]
IN_BOTH_SHARDS = {"满意度", "项目"}
DONE = (
    "document.querySelector('.bp-search__result') !== null"
    " || document.querySelector('.bp-search__status').textContent.includes('没有找到')"
)

if not CHROMIUM.exists():
    pytest.skip("需要 Debian 的 chromium（apt-get install chromium）", allow_module_level=True)
pytest.importorskip("playwright.sync_api")


def alike(files: dict[str, bytes]) -> dict[str, bytes]:
    """A bundle as Pagefind gives it, with its n-th page named `zh_000000n` (page list and fragment file)."""
    entry = json.loads(files["pagefind-entry.json"])
    (info,) = entry["languages"].values()
    meta_name = f"pagefind.{info['hash']}.pf_meta"
    meta = cbor2.loads(gzip.decompress(files[meta_name]).removeprefix(b"pagefind_dcd"))
    renamed = {name: data for name, data in files.items() if not name.startswith("fragment/")}
    for number, page in enumerate(meta[1]):
        renamed[f"fragment/zh_{number:07x}.pf_fragment"] = files[f"fragment/{page[0]}.pf_fragment"]
        page[0] = f"zh_{number:07x}"
    renamed[meta_name] = gzip.compress(b"pagefind_dcd" + cbor2.dumps(meta), mtime=0)
    return renamed


def forcing_alike_names(original: object) -> object:
    """`PagefindService._call` with the bundle of every `GetFiles` answer passed through `alike`."""

    def call(self: search.PagefindService, payload: dict) -> dict:
        answer = original(self, payload)
        if payload["type"] != "GetFiles":
            return answer
        files = alike({file["path"]: base64.b64decode(file["content"]) for file in answer["files"]})
        return {**answer, "files": [{"path": p, "content": base64.b64encode(c).decode()} for p, c in files.items()]}

    return call


@pytest.fixture(scope="module")
def sites(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, str]]:
    """The same two-shard site with Pagefind's names (`own`) and with names forced alike (`alike`)."""
    work = tmp_path_factory.mktemp("ids")
    data = work / "data"
    shutil.copytree(ROOT / "data", data)
    shutil.copytree(FIXTURE, data, dirs_exist_ok=True)
    built = work / "built"
    build(data, built, with_pdf=False, generated_dir=work / "generated")
    pages = site_pages(built)
    second = tuple(page for page in pages if page.startswith(FIXTURE_DEPARTMENT))
    shards = [SearchShard("site", tuple(page for page in pages if page not in second)), SearchShard("2023-1", second)]
    for name in ("own", "alike"):
        site = work / name / SUB_PATH
        shutil.copytree(built, site, ignore=shutil.ignore_patterns("pagefind"))
        with pytest.MonkeyPatch.context() as patch:
            if name == "alike":
                patch.setattr(search.PagefindService, "_call", forcing_alike_names(search.PagefindService._call))
            index_shards(site, shards, jobs=1)
        write_shard_list(site, [shard.name for shard in shards])
    with serve(functools.partial(QuietHandler, directory=str(work))) as port:
        yield {name: f"http://127.0.0.1:{port}/{name}/{SUB_PATH}/" for name in ("own", "alike")}


def everything_shown(browser: object, base_url: str, query: str) -> list[str]:
    """In a fresh browser: the status line, then each result's link and text, every page of results opened."""
    context = browser.new_context()
    page = context.new_page()
    page.goto(base_url + "search/", wait_until="networkidle")
    page.fill("#bp-search-input", query)
    page.press("#bp-search-input", "Enter")
    page.wait_for_function(DONE)
    while page.is_visible(".bp-search__more"):
        count = page.locator(".bp-search__result").count()
        page.click(".bp-search__more")
        page.wait_for_function(f"document.querySelectorAll('.bp-search__result').length > {count}")
    links = page.eval_on_selector_all(".bp-search__title", "links => links.map(link => link.getAttribute('href'))")
    texts = page.eval_on_selector_all(".bp-search__result", "items => items.map(item => item.innerText)")
    status = page.inner_text(".bp-search__status")
    context.close()
    base_path = base_url.split("/", 3)[3]
    return [status, *(f"{link.replace(base_path, '')} {text}" for link, text in zip(links, texts, strict=True))]


@pytest.mark.parametrize("query", QUERIES)
def test_pages_named_alike_by_pagefind_are_each_shown_with_their_own_text(
    browser: object, sites: dict[str, str], query: str
) -> None:
    own = everything_shown(browser, sites["own"], query)
    assert everything_shown(browser, sites["alike"], query) == own
    assert len(own) > 1
    if query in IN_BOTH_SHARDS:
        shards = {FIXTURE_DEPARTMENT in shown for shown in own[1:]}
        assert shards == {True, False}
