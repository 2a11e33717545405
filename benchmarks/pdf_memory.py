"""Measure a large department's PDF: peak memory of the whole process tree against its size, whole or in pieces.

For each project count, one synthetic department (benchmarks/generate_corpus.py --projects N) is printed
in a child process, once as one WeasyPrint render (what departments up to `BUILDER_PDF_PART_PROJECTS` get)
and once in pieces (builder/pdf/split.py). The peak is the sum of the resident memory (RSS) of the child
and all its descendants, sampled every 50 ms from /proc: what the machine must have free. With --build N,
a whole `python -m builder build` (pages, search, open data, PDF) of one N-project department is measured
the same way. Prints a Markdown table for benchmarks/README.md.

    .venv/bin/python benchmarks/pdf_memory.py                           # 50, 200, 400 projects
    .venv/bin/python benchmarks/pdf_memory.py --projects 800 --whole-up-to 800
    .venv/bin/python benchmarks/pdf_memory.py --projects 0 --build 2000   # takes about 10 minutes on 2 cores
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
GENERATOR = ROOT / "benchmarks" / "generate_corpus.py"

RENDER = """
import sys
from pathlib import Path
from builder.data.load import load_department
from builder.pdf.html import document_html
from builder.pdf.render import html_to_pdf
from builder.pdf.split import render_split
path, output, how = Path(sys.argv[1]), Path(sys.argv[2]), sys.argv[3]
department = load_department(path).department
if how == "whole":
    pdf = html_to_pdf(document_html(department), path.parent)
else:
    pdf = render_split(department, None, path.parent)
output.write_bytes(pdf)
"""


def tree_rss(pid: int) -> int:
    """Bytes of resident memory of `pid` and every process below it (0 once it is gone)."""
    total, pending = 0, [pid]
    while pending:
        current = pending.pop()
        try:
            status = Path(f"/proc/{current}/status").read_text()
            total += next(int(line.split()[1]) * 1024 for line in status.splitlines() if line.startswith("VmRSS:"))
            for task in Path(f"/proc/{current}/task").iterdir():
                pending += [int(child) for child in (task / "children").read_text().split()]
        except (FileNotFoundError, ProcessLookupError, StopIteration):
            continue
    return total


def run_measured(argv: list[str], env: dict[str, str]) -> tuple[float, float, int]:
    """Wall seconds, CPU seconds of the whole tree, and peak tree RSS in bytes of one command (which must succeed)."""
    started = time.perf_counter()
    before = os.times()
    process = subprocess.Popen(argv, env=env, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    peak = 0
    while process.poll() is None:
        peak = max(peak, tree_rss(process.pid))
        time.sleep(0.05)
    wall = time.perf_counter() - started
    after = os.times()
    if process.returncode != 0:
        error = process.stderr.read().decode()[-3000:] if process.stderr else ""
        raise SystemExit(f"{' '.join(argv)} failed:\n{error}")
    cpu = (after.children_user - before.children_user) + (after.children_system - before.children_system)
    return wall, cpu, peak


def department(folder: Path, projects: int) -> Path:
    argv = [sys.executable, str(GENERATOR), "1", str(folder), "--projects", str(projects)]
    subprocess.run(argv, check=True, capture_output=True, cwd=ROOT)
    return next(folder.glob("*/*.yaml"))


def page_count(pdf: Path) -> int:
    from pypdf import PdfReader

    return len(PdfReader(pdf).pages)


def environment(part_projects: int) -> dict[str, str]:
    return {
        **os.environ,
        "PYTHONPATH": str(ROOT),
        "SOURCE_DATE_EPOCH": "1700000000",
        "BUILDER_PDF_PART_PROJECTS": str(part_projects),
    }


def render_rows(counts: list[int], whole_up_to: int, part_projects: int, work: Path) -> list[str]:
    rows = [
        "| 项目数 | 方式 | 页数 | PDF 大小 | 用时（秒） | CPU（秒） | 进程树内存峰值 |",
        "|---:|---|---:|---:|---:|---:|---:|",
    ]
    env = environment(part_projects)
    for count in counts:
        path = department(work / f"corpus-{count}", count)
        for how in ("whole", "pieces"):
            if how == "whole" and count > whole_up_to:
                continue
            output = work / f"{count}-{how}.pdf"
            wall, cpu, peak = run_measured([sys.executable, "-c", RENDER, str(path), str(output), how], env)
            label = "一次排版" if how == "whole" else f"分份（每份 {part_projects} 个项目）"
            size = output.stat().st_size / 1024 / 1024
            rows.append(
                f"| {count} | {label} | {page_count(output)} | {size:.1f} MB | {wall:.0f} | {cpu:.0f} | "
                f"{peak / 1024**3:.2f} GB |"
            )
            print(rows[-1], file=sys.stderr, flush=True)
    return rows


def build_rows(count: int, part_projects: int, work: Path) -> list[str]:
    path = department(work / f"build-{count}", count)
    site = work / f"site-{count}"
    env = {**environment(part_projects), "BUILDER_CACHE_DIR": str(work / "cache"), "CI": "1"}
    argv = [sys.executable, "-m", "builder", "build", "--quiet", "--data", str(path.parent.parent), "--site", str(site)]
    wall, cpu, peak = run_measured(argv, env)
    pdf = next(site.rglob("*.pdf"))
    pages = sum(1 for _ in site.rglob("index.html"))
    return [
        "| 项目数 | 网页 | PDF 页数 | 用时（秒） | CPU（秒） | 进程树内存峰值 |",
        "|---:|---:|---:|---:|---:|---:|",
        f"| {count} | {pages} | {page_count(pdf)} | {wall:.0f} | {cpu:.0f} | {peak / 1024**3:.2f} GB |",
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--projects", default="50,200,400", help="逗号分隔的项目数；0 表示不测排版")
    parser.add_argument("--whole-up-to", type=int, default=400, help="一次排版只测到这么多个项目（内存随页数增长）")
    parser.add_argument("--part-projects", type=int, default=100, help="分份时每份的项目数")
    parser.add_argument("--build", type=int, default=0, help="另测一次含 PDF 的完整构建：一个有这么多项目的部门")
    args = parser.parse_args()
    counts = [int(value) for value in args.projects.split(",") if int(value) > 0]
    with tempfile.TemporaryDirectory(prefix="pdf-memory-") as folder:
        work = Path(folder)
        if counts:
            print("\n".join(render_rows(counts, args.whole_up_to, args.part_projects, work)))
        if args.build:
            print("\n".join(build_rows(args.build, args.part_projects, work)))


if __name__ == "__main__":
    main()
