"""Time the open-data step alone, and the memory it adds, on a corpus: a fresh build, then one department edited.

    .venv/bin/python benchmarks/generate_corpus.py 1000 /tmp/c1000
    .venv/bin/python benchmarks/opendata_step.py /tmp/c1000 /tmp/opendata-step [--jobs 1]

Runs in the current directory's `builder` (so `cd` into another checkout to measure it with
the same script). With `--jobs 1` (the default) every job of the step runs in this process, so
the peak of its resident memory (VmHWM, reset before the step) minus the memory before the
step is what the step itself holds: the departments are loaded already, as in a build. The
data are copied to WORK first; the edit adds words to one department's 总体绩效目标.
"""

from __future__ import annotations

import argparse
import inspect
import os
import shutil
import sys
import time
from pathlib import Path

sys.path.insert(0, os.getcwd())

from builder.data.load import LoadedDepartment, load_all
from builder.opendata.export import sorted_departments
from builder.pipeline.fingerprint import digest
from builder.pipeline.outputs import Outputs
from builder.pipeline.progress import Progress
from builder.pipeline.steps import export_data


def memory_mb(field: str) -> float:
    with open("/proc/self/status", encoding="ascii") as status:
        for line in status:
            if line.startswith(field + ":"):
                return int(line.split()[1]) / 1024
    raise SystemExit(f"no {field} in /proc/self/status")


def reset_peak() -> None:
    """Start VmHWM again from the current resident size (Linux: clear_refs 5)."""
    with open("/proc/self/clear_refs", "w", encoding="ascii") as file:
        file.write("5")


def load(data: Path) -> list[LoadedDepartment]:
    loaded, errors = load_all([data])
    if errors:
        raise SystemExit(f"{len(errors)} files do not load: {errors[0]}")
    return sorted_departments(loaded)


def step(loaded: list[LoadedDepartment], staging: Path, earlier: Outputs | None, jobs: int, store: Path) -> tuple:
    """Run the step into `staging`: (outputs, seconds, MB before, peak MB)."""
    keys = {item.source.path: digest(item.source.path.read_bytes()) for item in loaded}
    outputs = Outputs(staging, [earlier.manifest(earlier.staging)] if earlier else [])
    staging.mkdir()
    arguments: list[object] = [export_data.plan_scopes(loaded, True), keys, outputs, "", jobs]
    with Progress.silent().stage("开放数据", total=None) as stage:
        arguments.append(stage)
        if "store" in inspect.signature(export_data.make_open_data).parameters:
            from builder.pipeline.store import Store

            arguments.append(Store(store))
        reset_peak()
        before, started = memory_mb("VmRSS"), time.perf_counter()
        export_data.make_open_data(*arguments)
        return outputs, time.perf_counter() - started, before, memory_mb("VmHWM")


def memory(before: float, peak: float) -> str:
    return f"memory {before:.0f} MB before, peak {peak:.0f} MB (+{max(0.0, peak - before):.0f} MB)"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("data", type=Path)
    parser.add_argument("work", type=Path, help="scratch folder (emptied)")
    parser.add_argument("--jobs", type=int, default=1)
    args = parser.parse_args()
    shutil.rmtree(args.work, ignore_errors=True)
    shutil.copytree(args.data, args.work / "data")
    loaded = load(args.work / "data")
    print(f"{len(loaded)} departments, {sum(len(x.department.projects) for x in loaded)} projects")
    first, seconds, before, peak = step(loaded, args.work / "fresh", None, args.jobs, args.work / "store")
    print(f"fresh: {seconds:.2f} s; {memory(before, peak)}")
    path = sorted((args.work / "data").rglob("*.yaml"))[len(loaded) // 3]
    marker = "  overall_goal:\n  - "
    path.write_text(path.read_text(encoding="utf-8").replace(marker, marker + "（修订）", 1), encoding="utf-8")
    loaded = load(args.work / "data")
    second, seconds, before, peak = step(loaded, args.work / "edited", first, args.jobs, args.work / "store")
    print(f"edit:  {seconds:.2f} s; {memory(before, peak)}; {len(second.made_paths)} files made")


if __name__ == "__main__":
    main()
