"""Measure PDF rendering: seconds per department PDF, pages per second, one process against workers, cache hits.

Renders the sample departments and synthetic 15-project departments (benchmarks/generate_corpus.py)
and prints a Markdown table for the README. Medians of several runs; the machine's other load shows
in wall-clock time, so CPU time is printed beside it.

    .venv/bin/python benchmarks/pdf_speed.py                 # 3 runs, 6 synthetic departments
    .venv/bin/python benchmarks/pdf_speed.py --runs 5 --departments 10 --jobs 4
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

from generate_corpus import generate  # noqa: E402

from builder.data.load import LoadedDepartment, load_all  # noqa: E402
from builder.pdf.render import warm_up  # noqa: E402
from builder.pipeline.steps.render_pdfs import render_pdf, render_pdfs  # noqa: E402
from builder.pipeline.store import Store  # noqa: E402


def measure(action: Callable[[], object], runs: int) -> tuple[float, float]:
    """Median wall-clock and CPU seconds (this process only) of `runs` calls."""
    wall, cpu = [], []
    for _ in range(runs):
        started, started_cpu = time.perf_counter(), time.process_time()
        action()
        wall.append(time.perf_counter() - started)
        cpu.append(time.process_time() - started_cpu)
    return statistics.median(wall), statistics.median(cpu)


def page_count(pdf: bytes) -> int:
    from io import BytesIO

    from pypdf import PdfReader

    return len(PdfReader(BytesIO(pdf)).pages)


def per_department(departments: list[LoadedDepartment], runs: int) -> list[str]:
    rows = ["| 部门 | 项目 | 页数 | 秒/份（墙钟） | 秒/份（CPU） | 页/秒 |", "|---|---:|---:|---:|---:|---:|"]
    for loaded in departments:
        pages = page_count(render_pdf(loaded))  # also warms this process up
        wall, cpu = measure(lambda loaded=loaded: render_pdf(loaded), runs)
        name = loaded.department.department
        rows.append(
            f"| {name} | {len(loaded.department.projects)} | {pages} | {wall:.2f} | {cpu:.2f} | {pages / wall:.1f} |"
        )
    return rows


def whole_set(departments: list[LoadedDepartment], jobs_options: list[int], runs: int) -> list[str]:
    pages = sum(page_count(render_pdf(loaded)) for loaded in departments)
    rows = [
        f"{len(departments)} 个 15 项目部门，共 {pages} 页，`render_pdfs` 整体（含进程启动）：",
        "",
        "| 方式 | 总秒数 | 秒/份 | 页/秒 |",
        "|---|---:|---:|---:|",
    ]
    with tempfile.TemporaryDirectory() as scratch:
        site = Path(scratch)
        for jobs in jobs_options:
            wall, _ = measure(lambda jobs=jobs: render_pdfs(departments, site, jobs=jobs), runs)
            label = "1 个进程" if jobs == 1 else f"jobs={jobs}"
            rows.append(f"| {label} | {wall:.1f} | {wall / len(departments):.2f} | {pages / wall:.1f} |")
        cache = Path(scratch) / "cache"
        render_pdfs(departments, site, jobs=max(jobs_options), store=Store(cache))
        wall, _ = measure(lambda: render_pdfs(departments, site, store=Store(cache)), runs)
        rows.append(f"| 缓存命中（数据未改） | {wall:.2f} | {wall / len(departments):.3f} | — |")
    return rows


def cold_start() -> float:
    """Seconds for a fresh Python to import WeasyPrint, find the fonts and parse the print stylesheet."""
    code = "from builder.pdf.render import warm_up; warm_up()"
    times = []
    for _ in range(3):
        started = time.perf_counter()
        subprocess.run([sys.executable, "-c", code], cwd=ROOT, check=True)
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3, help="每项测量的次数（取中位数），默认 3")
    parser.add_argument("--departments", type=int, default=6, help="合成的 15 项目部门数，默认 6")
    parser.add_argument("--jobs", type=int, default=len(os.sched_getaffinity(0)), help="并行进程数，默认全部核心")
    args = parser.parse_args()

    os.environ.pop("SOURCE_DATE_EPOCH", None)
    warm_up()
    samples, errors = load_all([ROOT / "data"])
    assert not errors, errors
    with tempfile.TemporaryDirectory() as corpus_dir:
        generate(args.departments, Path(corpus_dir), ROOT / "data", projects=15)
        synthetic, errors = load_all([Path(corpus_dir)])
        assert not errors, errors
        print(f"WeasyPrint {__import__('weasyprint').__version__}, {os.cpu_count()} 核，每项 {args.runs} 次取中位数\n")
        print("\n".join(per_department(samples + synthetic[:2], args.runs)))
        print()
        print("\n".join(whole_set(synthetic, sorted({1, args.jobs}), args.runs)))
    print(f"\n冷启动（导入 WeasyPrint、查字体、解析样式表）：{cold_start():.2f} 秒/进程")


if __name__ == "__main__":
    main()
