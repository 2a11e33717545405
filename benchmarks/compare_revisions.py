"""Compare two revisions of the builder on the same synthetic corpus, builds interleaved so load hits both alike.

Issue 20 asked that restructuring the code leave the build no slower. This runs, for each
revision, a full build without PDFs and then a rebuild after one department is edited, in
turns (A, B, A, B, …), each in a scratch copy of that revision (`git archive`), with its own
cache, and prints medians of wall and CPU seconds (the build and every process it started)
and the ratio B / A. CPU seconds are the fairer figure on a shared machine.

    .venv/bin/python benchmarks/compare_revisions.py e4de9b2 HEAD --count 500 --runs 3
"""

from __future__ import annotations

import argparse
import io
import shutil
import statistics
import subprocess
import tarfile
import tempfile
from pathlib import Path

from build_speed import ROOT, Run, edit_department, fresh, run_build
from generate_corpus import generate


def checkout(revision: str, folder: Path) -> Path:
    """The revision's files (as committed) in `folder`."""
    archive = subprocess.run(["git", "archive", revision], cwd=ROOT, capture_output=True, check=True).stdout
    with tarfile.open(fileobj=io.BytesIO(archive)) as tar:
        tar.extractall(folder, filter="data")
    return folder


def one_round(project: Path, data: Path, site: Path, number: int) -> tuple[Run, Run]:
    """A full build from nothing, then a rebuild after one department's YAML changed."""
    fresh(project, site, data.parent)  # the earlier build set aside in the scratch folder
    full = run_build(project, data, site, pdf=False, pause=5)
    edit_department(data, number)
    return full, run_build(project, data, site, pdf=False, pause=2)


def median(runs: list[Run], attribute: str) -> float:
    return statistics.median(getattr(run, attribute) for run in runs)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("before", help="较早的版本，如 e4de9b2")
    parser.add_argument("after", help="较新的版本，如 HEAD")
    parser.add_argument("--count", type=int, default=500, help="部门数，默认 500")
    parser.add_argument("--runs", type=int, default=3, help="每个版本交替构建几轮，默认 3")
    arguments = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="compare-") as scratch:
        work = Path(scratch)
        data = work / "data"
        generate(arguments.count, data, ROOT / "data")
        revisions = {
            name: checkout(name, work / f"rev-{index}")
            for index, name in enumerate((arguments.before, arguments.after))
        }
        results: dict[str, tuple[list[Run], list[Run]]] = {name: ([], []) for name in revisions}
        for number in range(arguments.runs):
            for name, project in revisions.items():
                full, edit = one_round(project, data, work / f"site-{project.name}", number)
                results[name][0].append(full)
                results[name][1].append(edit)
                print(f"{name} 第 {number + 1} 轮：全新 {full.seconds:.1f} 秒，改一个部门 {edit.seconds:.1f} 秒")
        print_table(results, arguments)
        shutil.rmtree(work, ignore_errors=True)


def print_table(results: dict[str, tuple[list[Run], list[Run]]], arguments: argparse.Namespace) -> None:
    (first, (full_a, edit_a)), (second, (full_b, edit_b)) = results.items()
    print(f"\n{arguments.count} 个部门，无 PDF，{arguments.runs} 轮交替，中位数\n")
    print(f"| 构建 | {first} 墙钟 | {second} 墙钟 | {first} CPU | {second} CPU | CPU 之比 |")
    print("|---|---|---|---|---|---|")
    for label, a, b in (("全新构建", full_a, full_b), ("改一个部门后再构建", edit_a, edit_b)):
        walls = f"{median(a, 'seconds'):.1f} 秒 | {median(b, 'seconds'):.1f} 秒"
        cpu_a, cpu_b = median(a, "cpu"), median(b, "cpu")
        print(f"| {label} | {walls} | {cpu_a:.1f} 秒 | {cpu_b:.1f} 秒 | {cpu_b / cpu_a:.2f} |")


if __name__ == "__main__":
    main()
