"""Peak memory of a build's whole process tree, step by step.

The build runs with its progress shown as plain lines (`CI=1`, stderr a pipe): each step's
start line (`读取数据：共 500 个`) and summary line (`读取数据：500 个，…用时 3.1 秒`) tell
which step runs while the tree's resident memory (the build and every worker, Pagefind and
other process it started, summed) is sampled every 0.1 s. For each step it prints the
largest tree total, the largest the build process reached alone, and how many processes
ran at once. `启动` is everything before the first step (imports, plan), `收尾` what follows
the last (the swap into `site/`, the cache's pruning); the moments between two steps are
counted in the step before.

    .venv/bin/python benchmarks/memory_profile.py /tmp/corpus --site /tmp/s        # full build, no PDFs
    .venv/bin/python benchmarks/memory_profile.py /tmp/corpus --site /tmp/s --edit  # again after editing one file

The build runs in a copy of the project beside the site (`.s-project/`: its own generated pages), so
that nothing in this checkout changes; the cache is `BUILDER_CACHE_DIR`, or that copy's `.cache/`.

Sums of resident memory count pages shared by forked workers once per process, as the
issue's "peak memory of the whole process tree" does (and as a container's limit does not).
A process being started by `subprocess` shows its parent's whole resident memory until it
runs its program (Python starts it with vfork: the two share one address space): a build
process of 1 GB starting Pagefind may be sampled at 2 GB for that moment. Steps should start
other programs from small processes, or few times.
"""

from __future__ import annotations

import argparse
import os
import re
import resource
import shutil
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "benchmarks"))
START = "启动"
END = "收尾"
_STARTED = re.compile(r"^(?P<name>[^：]+)：(共 \d+ 个|开始)$")
_SUMMARY = re.compile(r"^(?P<name>[^：]+)：(\d+ 个，)?(其中 \d+ 个未改动沿用，)?用时 ")


@dataclass
class Peak:
    """The largest figures seen while one step ran (bytes, processes)."""

    tree: int = 0
    parent: int = 0
    processes: int = 0
    seconds: float = 0.0


@dataclass
class StepMemory:
    """Tree memory of process `pid`, sampled every 0.1 s, each sample put to the step running then."""

    pid: int
    peaks: dict[str, Peak] = field(default_factory=dict)
    step: str = START
    running: bool = True

    def __post_init__(self) -> None:
        self.started = time.perf_counter()
        self.last = self.started
        self.thread = threading.Thread(target=self._sample, daemon=True)
        self.thread.start()

    def line(self, text: str) -> None:
        """A line of the build's progress: a step starts or ends."""
        started = _STARTED.match(text)
        if started:
            self._switch(started["name"])
        elif _SUMMARY.match(text) and self.step == _SUMMARY.match(text)["name"]:
            self._switch(END)

    def _switch(self, step: str) -> None:
        now = time.perf_counter()
        self.peaks.setdefault(self.step, Peak()).seconds += now - self.last
        self.step, self.last = step, now

    def _sample(self) -> None:
        while self.running:
            pids = tree(self.pid)
            sizes = [rss(pid) for pid in pids]
            peak = self.peaks.setdefault(self.step, Peak())
            peak.tree = max(peak.tree, sum(sizes))
            peak.parent = max(peak.parent, sizes[0] if sizes else 0)
            peak.processes = max(peak.processes, sum(1 for size in sizes if size))
            time.sleep(0.1)

    def stop(self) -> dict[str, Peak]:
        self.running = False
        self.thread.join()
        self._switch(END)
        if END in self.peaks:  # END is the last step: move it to the end of the listing
            self.peaks[END] = self.peaks.pop(END)
        return self.peaks

    @property
    def peak_mb(self) -> float:
        return max((peak.tree for peak in self.peaks.values()), default=0) / 1024 / 1024


def tree(pid: int) -> list[int]:
    """`pid` first, then every process descended from it."""
    found, queue = [], [pid]
    while queue:
        current = queue.pop(0)
        found.append(current)
        try:
            tasks = list(Path(f"/proc/{current}/task").glob("*/children"))
        except OSError:  # the process ended while its tree was walked
            continue
        for task in tasks:
            try:
                queue += [int(child) for child in task.read_text().split()]
            except OSError:
                continue
    return found


def rss(pid: int) -> int:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) * 1024
    except OSError:
        pass
    return 0


def run_profiled(command: list[str], cwd: Path) -> tuple[float, float, float, StepMemory]:
    """Run a build `command` (without `--quiet`); its wall seconds, CPU seconds, of them the system's, and memory by
    step. The system's share is what varies most between runs of one build here: making files on ext4 without a
    journal costs several times more while the kernel skips recently freed inodes (see build_speed.py `settle`)."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    environ = {**os.environ, "CI": "1"}  # plain progress lines, whatever the terminal
    process = subprocess.Popen(
        command, cwd=cwd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=environ, encoding="utf-8"
    )
    memory = StepMemory(process.pid)
    errors: list[str] = []
    output = threading.Thread(target=lambda: process.stdout.read() if process.stdout else "", daemon=True)
    output.start()
    assert process.stderr is not None
    for text in process.stderr:
        memory.line(text.rstrip("\n"))
        errors.append(text)
    process.wait()
    output.join()
    seconds = time.perf_counter() - started
    memory.stop()
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    system = after.ru_stime - before.ru_stime
    cpu = after.ru_utime - before.ru_utime + system
    if process.returncode != 0:
        raise SystemExit("构建失败：" + "".join(errors[-20:]))
    return seconds, cpu, system, memory


def table(peaks: dict[str, Peak]) -> list[str]:
    """The steps as a Markdown table: seconds, tree peak, the build process alone, processes."""
    lines = ["| 步骤 | 用时 | 进程树内存峰值 | 其中构建进程 | 进程数 |", "|---|---:|---:|---:|---:|"]
    mb = 1024 * 1024
    for step, peak in peaks.items():
        figures = (
            f"{peak.tree / mb:.0f} MB | {peak.parent / mb:.0f} MB | {peak.processes}" if peak.tree else "– | – | –"
        )
        lines.append(f"| {step} | {peak.seconds:.1f} 秒 | {figures} |")
    return lines


def edit_one(data: Path) -> Path:
    """Add words to the first department's 总体绩效目标, as an admin fixing a typo would."""
    path = sorted(data.rglob("*.yaml"))[0]
    text = path.read_text(encoding="utf-8")
    marker = "  overall_goal:\n  - "
    if marker not in text:
        raise SystemExit(f"{path} 中没有 overall_goal 列表，无法模拟修改")
    path.write_text(text.replace(marker, f"{marker}（修订 {time.time():.0f}）", 1), encoding="utf-8")
    return path


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("data", type=Path, help="数据文件夹（--edit 会修改其中一个文件：请用副本）")
    parser.add_argument("--site", type=Path, required=True, help="输出文件夹")
    parser.add_argument("--edit", action="store_true", help="先修改第一个部门的文件，再构建")
    parser.add_argument("--pdf", action="store_true", help="生成 PDF（默认不生成）")
    args = parser.parse_args()
    if args.edit:
        print(f"已修改 {edit_one(args.data)}")
    command = [sys.executable, "-m", "builder", "build", "--data", str(args.data.resolve())]
    command += ["--site", str(args.site.resolve())] + ([] if args.pdf else ["--no-pdf"])
    project = args.site.resolve().parent / f".{args.site.name}-project"  # generated pages of its own, kept for --edit
    if not project.exists():
        from build_speed import project_copy  # here: build_speed imports this module

        project_copy(project.parent / "scratch").rename(project)
        shutil.rmtree(project.parent / "scratch")
    seconds, cpu, _, memory = run_profiled(command, project)
    print(f"用时 {seconds:.1f} 秒，CPU {cpu:.1f} 秒，进程树内存峰值 {memory.peak_mb:.0f} MB\n")
    print("\n".join(table(memory.peaks)))


if __name__ == "__main__":
    main()
