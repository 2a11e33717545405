"""Time the open-data step alone: a full write, then the rewrite after one department is edited.

The step runs in this process (one worker: `--jobs 1`, so the CPU time is all here) on N
synthetic departments (`generate_corpus.py`); the edit changes one department's 总体绩效目标,
as `build_speed.py` does, and the second run reuses what the first made (builder/pipeline/outputs.py).
Prints the median of `--runs` runs of each, wall and CPU seconds, the files made, and the
peak memory of this process.

    .venv/bin/python benchmarks/opendata_speed.py 100
    .venv/bin/python benchmarks/opendata_speed.py 100 500 --runs 3
"""

from __future__ import annotations

import argparse
import resource
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

from generate_corpus import generate  # noqa: E402

from builder.data.load import load_all  # noqa: E402
from builder.opendata.export import sorted_departments  # noqa: E402
from builder.pipeline.fingerprint import digest  # noqa: E402
from builder.pipeline.outputs import Outputs  # noqa: E402
from builder.pipeline.progress import Progress  # noqa: E402
from builder.pipeline.steps.export_data import make_open_data, plan_scopes  # noqa: E402
from builder.pipeline.store import Store  # noqa: E402

SITE_URL = "https://example.org/zfxxgk/yusuan/"


def run(data: Path, staging: Path, earlier: Outputs | None, jobs: int) -> tuple[float, float, Outputs]:
    """The step into `staging`, its pieces kept in a store beside it (shared by the runs of one corpus)."""
    loaded, errors = load_all([data])
    assert not errors, errors
    loaded = sorted_departments(loaded)
    keys = {item.source.path: digest(item.source.path.read_text(encoding="utf-8")) for item in loaded}
    outputs = Outputs(staging, [earlier.manifest(earlier.staging)] if earlier is not None else [])
    staging.mkdir(parents=True)
    wall, cpu = time.perf_counter(), time.process_time()
    with Progress.silent().stage("开放数据", total=None) as stage:
        store = Store(staging.parent / "store")
        make_open_data(plan_scopes(loaded, whole_site=True), keys, outputs, SITE_URL, jobs, stage, store)
    return time.perf_counter() - wall, time.process_time() - cpu, outputs


def edit(data: Path, number: int) -> None:
    """As build_speed.py: words added to one department's 总体绩效目标, another department each run."""
    files = sorted(data.rglob("*.yaml"))
    path = files[(number * 37) % len(files)]
    marker = "  overall_goal:\n  - "
    text = path.read_text(encoding="utf-8")
    assert marker in text, path
    path.write_text(text.replace(marker, f"{marker}（第 {number} 次修订）", 1), encoding="utf-8")


def measure(count: int, runs: int, jobs: int, work: Path) -> str:
    data = work / f"data-{count}"
    generate(count, data, ROOT / "data")
    full, rewrite = [], []
    made = 0
    for number in range(runs):
        for folder in ("a", "b", "store"):
            shutil.rmtree(work / folder, ignore_errors=True)
        wall, cpu, first = run(data, work / "a", None, jobs)
        full.append((wall, cpu))
        edit(data, number)
        wall, cpu, second = run(data, work / "b", first, jobs)
        rewrite.append((wall, cpu))
        made = second.made
    full_wall, full_cpu = (statistics.median(values) for values in zip(*full, strict=True))
    edit_wall, edit_cpu = (statistics.median(values) for values in zip(*rewrite, strict=True))
    return (
        f"| {count} | {full_wall:.2f} 秒（CPU {full_cpu:.2f}） | {edit_wall:.2f} 秒（CPU {edit_cpu:.2f}） "
        f"| {made} | {edit_wall / full_wall:.0%} |"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("counts", nargs="*", type=int, default=[100], help="部门数，默认 100")
    parser.add_argument("--runs", type=int, default=3, help="重复几次取中位数，默认 3")
    parser.add_argument("--jobs", type=int, default=1, help="工作进程数，默认 1（CPU 时间全在本进程）")
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="opendata-speed-"))
    try:
        print("| 部门数 | 全部写出（中位） | 改一个部门后重写（中位） | 改后新生成文件 | 重写 / 全部 |")
        print("|---|---|---|---|---|")
        for count in args.counts:
            print(measure(count, args.runs, args.jobs, work), flush=True)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"本进程内存峰值 {peak:.0f} MB")


if __name__ == "__main__":
    main()
