"""Measure importing a long published PDF: seconds and peak memory of `import` on a 60-page-plus document.

The PDF is made the way offices make theirs: a synthetic department (benchmarks/generate_corpus.py,
text from the real samples) written as a .docx with Word tables (tests/docx_fixtures.py), a running
header and page numbers, set in 公文 style, printed to PDF by LibreOffice. Each run imports it in a
fresh process (`python -m builder import`), so the figures include starting Python and loading
pdfplumber. The pages are read by up to two worker processes (builder/importer/pdf/bounded.py): peak memory
is given for the largest single process and for the whole process tree (sampled every 50 ms from /proc).

    .venv/bin/python benchmarks/pdf_import_speed.py              # 3 runs, 45 projects (about 65 pages)
    .venv/bin/python benchmarks/pdf_import_speed.py --runs 5 --projects 40

Target (issue 19): under 10 s and 500 MB on a 2-core machine.
"""

from __future__ import annotations

import argparse
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))
sys.path.insert(0, str(ROOT / "tests"))

import pdfplumber  # noqa: E402
from docx_fixtures import Layout, write_docx  # noqa: E402
from generate_corpus import generate  # noqa: E402
from test_import_pdf import furnish, official_style, soffice  # noqa: E402

from builder.data.load import load_department  # noqa: E402
from builder.data.model import Department  # noqa: E402


def make_pdf(folder: Path, projects: int) -> tuple[Path, Department]:
    [data] = generate(1, folder / "data", ROOT / "data", projects=projects)
    department = load_department(data).department
    docx = write_docx(department, folder / "部门预算绩效文本.docx", Layout(split_labels=True))
    official_style(furnish(docx, department, "header", "— {PAGE} —", True))
    [pdf] = soffice([docx], "pdf", folder)
    return pdf, department


def _tree_rss(pid: int) -> int:
    """Resident memory (kB) of a process and all its descendants (the import's page-reading workers)."""
    total, pending = 0, [pid]
    while pending:
        current = pending.pop()
        try:
            status = Path(f"/proc/{current}/status").read_text()
            total += int(next(line.split()[1] for line in status.splitlines() if line.startswith("VmRSS:")))
            for task in Path(f"/proc/{current}/task").iterdir():
                pending += [int(child) for child in (task / "children").read_text().split()]
        except (OSError, StopIteration, ValueError):
            continue
    return total


def import_once(pdf: Path, out: Path, region: str) -> tuple[float, float, float, float, str]:
    """Wall seconds, CPU seconds, peak memory of the largest process and of the whole process tree (MB), and the
    summary line of one import in a new process."""
    command = [sys.executable, "-m", "builder", "import", str(pdf), "--out", str(out), "--force", "--region", region]
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    process = subprocess.Popen(command, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    tree = 0
    while process.poll() is None:
        tree = max(tree, _tree_rss(process.pid))
        time.sleep(0.05)
    stdout, stderr = process.communicate()
    seconds = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime
    if process.returncode != 0:
        raise SystemExit(f"导入失败：\n{stderr[-2000:]}")
    summary = next((line for line in stdout.splitlines() if "个项目" in line), stdout.strip())
    return seconds, cpu, after.ru_maxrss / 1024, tree / 1024, summary


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--projects", type=int, default=45)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="pdf-import-bench-") as name:
        folder = Path(name)
        pdf, department = make_pdf(folder, args.projects)
        with pdfplumber.open(pdf) as document:
            pages = len(document.pages)
        print(f"PDF：{pages} 页，{pdf.stat().st_size / 1024 / 1024:.1f} MB，{args.projects} 个项目（LibreOffice 打印）")
        results = [import_once(pdf, folder / "out", department.region or "") for _ in range(args.runs)]
        seconds = [result[0] for result in results]
        cpu = [result[1] for result in results]
        peaks = [result[2] for result in results]
        trees = [result[3] for result in results]
        print(results[-1][4].strip())
        [written] = (folder / "out").glob("*/*.yaml")
        back = load_department(written).department
        same = back.model_copy(update={"source": None}) == department.model_copy(update={"source": None})
        print("导入结果与生成 PDF 所用的数据" + ("完全一致（source 除外）" if same else "不一致！"))
        print()
        columns = ["页数", "运行次数", "用时中位数", "最慢", "CPU 时间中位数", "每页（CPU）", "单个进程峰值内存"]
        print("| " + " | ".join([*columns, "全部进程合计峰值"]) + " |")
        print("|---|---|---|---|---|---|---|---|")
        print(
            f"| {pages} | {args.runs} | {statistics.median(seconds):.2f} 秒 | {max(seconds):.2f} 秒 | "
            f"{statistics.median(cpu):.2f} 秒 | {statistics.median(cpu) / pages * 1000:.0f} 毫秒 | "
            f"{max(peaks):.0f} MB | {max(trees):.0f} MB |"
        )


if __name__ == "__main__":
    main()
