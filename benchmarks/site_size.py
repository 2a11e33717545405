"""Build the site for N departments and print what a reader downloads: page bytes and first-query bytes.

For N = 4 it builds the sample in `data/`; for larger N it first writes a synthetic
corpus with `generate_corpus.py` (15 projects per department). Each site is served by a
local HTTP server under a sub-path and searched in Chromium with an empty cache; the
bytes of every response after the query is typed are added up (Pagefind's JS, its
WebAssembly, the index chunks and the result fragments).

    python benchmarks/site_size.py                 # N = 4, 100, 500 (500 takes several minutes)
    python benchmarks/site_size.py 4 100 --lunr    # also build with Material's lunr search, for comparison
    python benchmarks/site_size.py --built /tmp/c3k/site 1280 满意度   # first queries on a site built already
"""

from __future__ import annotations

import argparse
import functools
import http.server
import json
import statistics
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.generate_corpus import generate
from builder.data.load import LoadedDepartment, load_all
from builder.pipeline.build import MKDOCS_CONFIG, build
from builder.site.paths import department_dir, project_dir, project_keys

ROOT = Path(__file__).resolve().parent.parent
SUB_PATH = "zfxxgk/yusuan"
QUERIES = ("满意度", "高新技术企业", "救灾物资")
CHROMIUM = "/usr/bin/chromium"


def corpus(count: int, work: Path) -> Path:
    if count == 4:
        return ROOT / "data"
    folder = work / f"corpus-{count}"
    generate(count, folder, ROOT / "data")
    return folder


def project_pages(site: Path, loaded: list[LoadedDepartment]) -> list[Path]:
    """`<year>/<department>/<project>/index.html` of every project."""
    return [
        site / project_dir(item.department.year, item.source.slug, key) / "index.html"
        for item in loaded
        for key in project_keys(item.department)
    ]


def page_figures(site: Path, loaded: list[LoadedDepartment]) -> dict[str, int]:
    sizes = [path.stat().st_size for path in project_pages(site, loaded)]
    departments = [
        (site / department_dir(item.department.year, item.source.slug) / "index.html").stat().st_size for item in loaded
    ]
    files = [path for path in site.rglob("*") if path.is_file()]
    return {
        "project_pages": len(sizes),
        "project_page_max": max(sizes),
        "project_page_median": int(statistics.median(sizes)),
        "department_page_max": max(departments),
        "home_page": (site / "index.html").stat().st_size,
        "all_projects_page_max": max(  # one page, or (a year of over 3 000 projects) the largest region's page
            path.stat().st_size
            for pattern in ("index.html", "*/index.html")
            for path in site.glob(f"[0-9]*/projects/{pattern}")
        ),
        "site_bytes": sum(path.stat().st_size for path in files),
        "site_files": len(files),
        "pagefind_bytes": sum(path.stat().st_size for path in (site / "pagefind").rglob("*") if path.is_file()),
    }


@contextmanager
def serve(folder: Path) -> Iterator[str]:
    class Quiet(http.server.SimpleHTTPRequestHandler):
        def log_message(self, *args: object) -> None:
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(Quiet, directory=str(folder)))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{server.server_port}/{SUB_PATH}/"
    finally:
        server.shutdown()


SEARCH_DONE = (
    "document.querySelector('.bp-search__result') !== null"
    " || document.querySelector('.bp-search__status').textContent.includes('没有找到')"
)


def response_bytes(request: object) -> int:
    """Body bytes as sent by the server (the local server does not compress), from its Content-Length.

    Reading the body itself (`response.body()`) in the event handler fails now and then while the
    page fetches hundreds of files at once, and a failure there is silently dropped: a query's count
    then varied by hundreds of KB from one run to the next at 3 000 departments.
    """
    response = request.response()  # type: ignore[attr-defined]
    return int(response.headers.get("content-length", 0)) if response is not None else 0


def first_query_bytes(base_url: str, queries: list[str]) -> dict[str, dict[str, int | str]]:
    """For each query, in a fresh browser profile: bytes fetched after typing it, and results found."""
    from playwright.sync_api import sync_playwright

    figures = {}
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM, args=["--no-sandbox", "--disable-background-networking"]
        )
        for query in queries:
            context = browser.new_context()
            page = context.new_page()
            page.goto(base_url + "search/", wait_until="networkidle")
            fetched: list[int] = []
            page.on("requestfinished", lambda request, fetched=fetched: fetched.append(response_bytes(request)))
            page.fill("#bp-search-input", query)
            page.press("#bp-search-input", "Enter")
            page.wait_for_function(SEARCH_DONE)
            page.wait_for_load_state("networkidle")
            results = page.locator(".bp-search__result").count()
            status = page.inner_text(".bp-search__status")
            figures[query] = {"bytes": sum(fetched), "requests": len(fetched), "results_shown": results}
            figures[query]["status"] = status
            context.close()
        browser.close()
    return figures


def lunr_index_bytes(work: Path, generated: Path) -> int:
    """Build the same pages with Material's built-in search and return the size of its index."""
    from mkdocs.commands.build import build as mkdocs_build
    from mkdocs.config import load_config

    site = work / "lunr-site"
    config = load_config(str(MKDOCS_CONFIG), site_dir=str(site), plugins={"search": {"lang": "zh"}})
    config.extra["generated_dir"] = str(generated)
    mkdocs_build(config)
    return (site / "search" / "search_index.json").stat().st_size


def measure(count: int, work: Path, with_lunr: bool) -> dict[str, object]:
    data = corpus(count, work)
    loaded, _ = load_all([data])
    code = next(key for item in loaded for key in project_keys(item.department) if not key.startswith("x"))
    site = work / "root" / SUB_PATH
    generated = work / "generated"
    start = time.perf_counter()
    report = build(data, site, with_pdf=False, generated_dir=generated)
    figures: dict[str, object] = {"departments": report.departments, "projects": report.projects}
    figures["build_seconds"] = round(time.perf_counter() - start, 1)
    figures["build_steps"] = report.timings
    figures.update(page_figures(site, loaded))
    with serve(work / "root") as base_url:
        figures["first_query"] = first_query_bytes(base_url, [*QUERIES, code])
    if with_lunr:
        figures["lunr_index_bytes"] = lunr_index_bytes(work, generated)
    return figures


def print_figures(count: int, figures: dict) -> None:
    kb = 1024
    print(f"\n== N = {count}: {figures['departments']} 个部门，{figures['projects']} 个项目")
    print(f"构建 {figures['build_seconds']} 秒 {figures['build_steps']}")
    project_max, project_median = figures["project_page_max"] / kb, figures["project_page_median"] / kb
    print(
        f"项目页 HTML：最大 {project_max:.1f} KB，中位数 {project_median:.1f} KB；"
        f"部门页最大 {figures['department_page_max'] / kb:.1f} KB；首页 {figures['home_page'] / kb:.1f} KB；"
        f"全部项目页 {figures['all_projects_page_max'] / kb:.1f} KB"
    )
    print(
        f"网站共 {figures['site_bytes'] / kb / kb:.1f} MB，{figures['site_files']} 个文件；"
        f"其中 Pagefind 索引 {figures['pagefind_bytes'] / kb / kb:.1f} MB"
    )
    for query, result in figures["first_query"].items():
        print(
            f"首次搜索“{query}”：下载 {result['bytes'] / kb:.1f} KB（{result['requests']} 个请求），"
            f"显示 {result['results_shown']} 条结果"
        )
    if "lunr_index_bytes" in figures:
        print(f"对照：Material 自带 lunr 搜索的索引 search_index.json {figures['lunr_index_bytes'] / kb / kb:.1f} MB")


def measure_built(site: Path, queries: list[str]) -> None:
    """First-query bytes on a site built already (3 000 departments take minutes to build), served under SUB_PATH."""
    with tempfile.TemporaryDirectory(prefix="site-size-built-") as work:
        mount = Path(work) / SUB_PATH
        mount.parent.mkdir(parents=True)
        mount.symlink_to(site.resolve(), target_is_directory=True)
        with serve(Path(work)) as base_url:
            figures = first_query_bytes(base_url, queries)
    for query, result in figures.items():
        print(
            f"首次搜索“{query}”：下载 {result['bytes'] / 1024:.1f} KB（{result['requests']} 个请求），"
            f"显示 {result['results_shown']} 条结果；{result['status']}"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description="按部门数 N 构建网站，报告项目页大小和首次搜索的下载量。")
    parser.add_argument("sizes", nargs="*", help="部门数，默认 4 100 500（用 --built 时：查询词）")
    parser.add_argument("--lunr", action="store_true", help="同时用 Material 自带搜索构建，报告其索引大小")
    parser.add_argument("--json", type=Path, help="把结果另存为 JSON")
    parser.add_argument("--built", type=Path, help="不构建：在这个已生成的网站上测首次搜索，查询词跟在后面")
    args = parser.parse_args()
    if args.built:
        measure_built(args.built, args.sizes or [*QUERIES])
        return
    args.sizes = [int(size) for size in args.sizes] or [4, 100, 500]
    results = {}
    for count in args.sizes:
        with tempfile.TemporaryDirectory(prefix=f"site-size-{count}-") as work:
            results[count] = measure(count, Path(work), args.lunr)
        print_figures(count, results[count])
    if args.json:
        args.json.write_text(json.dumps(results, ensure_ascii=False, indent=2), encoding="utf-8")


if __name__ == "__main__":
    main()
