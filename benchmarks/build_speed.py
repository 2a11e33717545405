"""Measure whole builds and rebuilds at scale: N synthetic departments of 15 projects each.

For each N it prints, as Markdown tables for the README:
- the full build without PDFs (pages, MkDocs, search index, open data, link check) with its steps,
  peak memory of the whole process tree (and, below the table, step by step: memory_profile.py), the size of the site;
- the full build with PDFs (once: it takes minutes);
- rebuilds of that site after (a) no change, (b) one department's YAML edited, (c) one page template
  edited, each with what was made and what was reused;
- with `--baselines`, the naive ways the issue measured, in the same run: the PDFs of 10 departments
  rendered one after another in one process, against the builder's workers; and, for each N up to
  MATERIAL_UP_TO, what a user would pick instead of this builder: Material for MkDocs with its
  navigation grouped by year and its lunr search (Chinese), over the same departments' Markdown,
  pages and search only (`material_baseline`);
- the ratios a reader compares: our full build / Material's, edit / full build, no change / full
  build, and each N's full build against the first N's;
- with `--sizes`, what a reader downloads from the full build's site (benchmarks/site_size.py):
  the largest project page and the first search query of a fresh browser.
`--huge` adds N = 3 000 (45 000 projects), built once without PDFs: it takes tens of minutes.
Medians of `--runs` runs. Every build runs in a scratch copy of the project (its own `.cache/`),
as `python -m builder build`, so nothing in this checkout is touched.

    .venv/bin/python benchmarks/build_speed.py                  # N = 100 and 500, 3 runs (about 40 minutes on 2 cores)
    .venv/bin/python benchmarks/build_speed.py 100 --runs 5 --baselines
    .venv/bin/python benchmarks/build_speed.py 100 500 --no-pdf --baselines --sizes --huge
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

from generate_corpus import generate  # noqa: E402
from memory_profile import rss, run_profiled, tree  # noqa: E402

from builder.pipeline.workers import cpu_count  # noqa: E402

COPIED = ("builder", "theme", "templates", "content", "mkdocs.yml", "requirements.lock", "pyproject.toml")
EDITED_TEMPLATE = "templates/pages/project.html"
HUGE = 3000  # departments: a province
MATERIAL_UP_TO = 500  # the Material baseline writes the whole navigation into every page: slow beyond this
SET_ASIDE = "set-aside"  # in the work folder: earlier outputs, deleted when the run ends (`set_aside`)
SET_ASIDE_MIN_FREE = 12 * 2**30  # free bytes below which what was set aside is deleted (3 000 departments write 7 GB)


@dataclass
class Run:
    """One build: wall seconds, its steps, peak memory of the process tree, files made and reused."""

    seconds: float
    steps: dict[str, float]
    peak_mb: float
    made: int
    reused: int
    site_mb: float = 0.0
    cpu: float = 0.0  # user + system seconds of the build and every process it started
    step_mb: dict[str, float] = field(default_factory=dict)  # peak tree memory while each step ran (memory_profile)
    system: float = 0.0  # of `cpu`, the system's: what varies most between runs here (memory_profile.run_profiled)
    each: tuple[float, ...] = ()  # a median's runs, their wall seconds in the order they ran


class TreeMemory:
    """The largest total resident memory of a process and all its descendants, sampled every 0.1 s."""

    def __init__(self, pid: int) -> None:
        self.pid, self.peak = pid, 0
        self.thread = threading.Thread(target=self._sample, daemon=True)
        self.running = True
        self.thread.start()

    def _sample(self) -> None:
        while self.running:
            self.peak = max(self.peak, sum(rss(pid) for pid in tree(self.pid)))
            time.sleep(0.1)

    def stop(self) -> float:
        self.running = False
        self.thread.join()
        return self.peak / 1024 / 1024


def project_copy(folder: Path) -> Path:
    """A scratch copy of the project's code, theme and pages, with its own cache."""
    project = folder / "project"
    for name in COPIED:
        source = ROOT / name
        if source.is_dir():
            shutil.copytree(source, project / name, ignore=shutil.ignore_patterns("generated", "__pycache__"))
        else:
            shutil.copy2(source, project / name)
    return project


def settle(seconds: float) -> None:
    """Write out the page cache and wait before a measured build.

    On this kind of machine (ext4 without a journal) creating files within a minute or more of
    deleting tens of thousands costs up to several times the system time, because the kernel
    skips recently freed inodes one by one: 10 000 empty files took 0.6 s, or 4.6 s right
    after deleting 20 000. Deleting the last output is not part of the build: the benchmark
    sets earlier outputs aside instead (`set_aside`) and deletes them when the run ends.
    """
    os.sync()
    time.sleep(seconds)


def run_build(project: Path, data: Path, site: Path, pdf: bool, pause: float = 0.0) -> Run:
    """One build with its progress lines read, so that the tree's memory is known step by step."""
    report = project / "timings.json"
    command = [sys.executable, "-m", "builder", "build", "--data", str(data), "--site", str(site)]
    command += ["--timings", str(report)] + ([] if pdf else ["--no-pdf"])
    settle(pause)
    seconds, cpu, system, memory = run_profiled(command, project)
    data_out = json.loads(report.read_text(encoding="utf-8"))
    steps_mb = {step: peak.tree / 1024 / 1024 for step, peak in memory.peaks.items()}
    made, reused = data_out["made"], data_out["reused"]
    return Run(seconds, data_out["timings"], memory.peak_mb, made, reused, _size_mb(site), cpu, steps_mb, system)


def run_measured(command: list[str], cwd: Path) -> tuple[float, float, float, float]:
    """Run `command`; its wall seconds, CPU seconds (it and every process it started), of them the system's, and peak
    tree memory (MB)."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    process = subprocess.Popen(command, cwd=cwd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    memory = TreeMemory(process.pid)
    out, err = process.communicate()
    seconds, peak = time.perf_counter() - started, memory.stop()
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    system = after.ru_stime - before.ru_stime
    cpu = after.ru_utime - before.ru_utime + system
    if process.returncode != 0:
        raise SystemExit(f"构建失败：{err or out}")
    return seconds, cpu, system, peak


def _size_mb(folder: Path) -> float:
    total = sum(path.stat().st_size for path in folder.rglob("*") if path.is_file())
    return total / 1024 / 1024


def fresh(project: Path, site: Path, work: Path) -> None:
    """Forget every earlier build: no site, no cache, no generated pages (set aside, not deleted)."""
    for path in (site, project / ".cache", project / "content" / "generated"):
        set_aside(path, work)


def set_aside(path: Path, work: Path) -> None:
    """Move an earlier output out of the way, into `work`, which is emptied when the run ends.

    Deleting it would slow the next build down: ext4 skips the inodes freed within the last minute
    (six, while their inode table waits to be written) one by one whenever it makes a file
    (`recently_deleted` in fs/ext4/ialloc.c), and a build makes 30 000 files (500 departments) to
    160 000 (3 000). A rename frees none. With less than SET_ASIDE_MIN_FREE left on the disk, what
    was set aside is deleted at once (the next build may then be slower).
    """
    if not os.path.lexists(path):
        return
    folder = work / SET_ASIDE
    folder.mkdir(exist_ok=True)
    path.rename(folder / f"{sum(1 for _ in folder.iterdir())}-{path.name}")
    if shutil.disk_usage(work).free < SET_ASIDE_MIN_FREE:
        shutil.rmtree(folder, ignore_errors=True)


def edit_department(data: Path, run: int) -> str:
    """Add words to one department's 总体绩效目标 (a different department each run): its page, PDF and data change."""
    files = sorted(data.rglob("*.yaml"))
    path = files[(run * 37) % len(files)]
    text = path.read_text(encoding="utf-8")
    marker = "  overall_goal:\n  - "
    if marker not in text:
        raise SystemExit(f"{path} 中没有 overall_goal 列表，无法模拟修改")
    path.write_text(text.replace(marker, f"{marker}（第 {run} 次修订）", 1), encoding="utf-8")
    return path.stem


def edit_template(project: Path, run: int) -> None:
    template = project / EDITED_TEMPLATE
    template.write_text(template.read_text(encoding="utf-8") + f"\n<!-- 第 {run} 次修改 -->\n", encoding="utf-8")


def median_run(runs: list[Run]) -> Run:
    """The run of median wall time, with every figure the median of its own."""
    steps = {step: statistics.median(run.steps.get(step, 0.0) for run in runs) for step in runs[0].steps}
    return Run(
        statistics.median(run.seconds for run in runs),
        steps,
        statistics.median(run.peak_mb for run in runs),
        int(statistics.median(run.made for run in runs)),
        int(statistics.median(run.reused for run in runs)),
        statistics.median(run.site_mb for run in runs),
        statistics.median(run.cpu for run in runs),
        {step: statistics.median(run.step_mb.get(step, 0.0) for run in runs) for step in runs[0].step_mb},
        statistics.median(run.system for run in runs),
        tuple(run.seconds for run in runs),
    )


def memory_line(label: str, run: Run) -> str:
    """`全新构建：启动 47，读取数据 412，…`: the tree's peak (MB) while each step ran (benchmarks/memory_profile.py)."""
    figures = (f"{step} {mb:.0f}" if mb else f"{step} –" for step, mb in run.step_mb.items())  # –: too short to sample
    return f"- {label}：" + "，".join(figures)


def row(label: str, run: Run, runs: int) -> str:
    steps = "，".join(f"{name} {seconds:.1f}" for name, seconds in run.steps.items())
    each = f"（{'、'.join(f'{seconds:.1f}' for seconds in run.each)}）" if len(run.each) > 1 else ""
    return (
        f"| {label} | {runs} | {run.seconds:.1f} 秒{each} | {run.cpu:.0f} 秒（{run.system:.0f}） | {steps} | "
        f"{run.peak_mb:.0f} MB | {run.made} / {run.reused} | {run.site_mb:.0f} MB |"
    )


@dataclass
class Measured:
    """One N's figures: the table lines and the medians the ratios are made of."""

    count: int
    lines: list[str]
    full: Run
    rebuilds: dict[str, Run]
    material: Run | None = None


def measure(
    count: int,
    runs: int,
    work: Path,
    pdf: bool,
    pause: float,
    material: bool = False,
    sizes: bool = False,
    template: bool = True,
) -> Measured:
    data = work / f"data-{count}"
    if not data.exists():
        generate(count, data, ROOT / "data")
    project = project_copy(work / f"n{count}")
    site = project / "site"
    lines = [f"### N = {count}（{count * 15} 个项目）", ""]
    lines += [
        "| 构建 | 次数 | 中位用时（各次） | CPU 时间（其中系统） | 各步骤（秒） | 内存峰值 "
        "| 新生成 / 沿用文件 | 网站大小 |",
        "|---|---|---|---|---|---|---|---|",
    ]
    full = []
    for _ in range(runs):
        fresh(project, site, work)
        full.append(run_build(project, data, site, pdf=False, pause=pause))
    full_run = median_run(full)
    lines.append(row("全新构建，不含 PDF", full_run, runs))
    extra = []
    if sizes:
        extra = reader_sizes(site, data, work)
    baseline = None
    if material:
        baseline = material_baseline(project / "content" / "generated", work, pause)
        lines.append(row("对照：Material，按年度分组的导航 + lunr 中文搜索（只有页面和搜索）", baseline, 1))
    if pdf:
        fresh(project, site, work)
        lines.append(row("全新构建，含 PDF", run_build(project, data, site, pdf=True, pause=pause), 1))
    cases = {
        "(a) 无改动再构建": lambda n: None,
        "(b) 改一个部门的 YAML": lambda n: edit_department(data, n),
    }
    if template:
        cases[f"(c) 改一个页面模板（{EDITED_TEMPLATE}）"] = lambda n: edit_template(project, n)
    rebuilds = {}
    for label, edit in cases.items():
        results = []
        for number in range(runs):
            edit(number + 1)
            results.append(run_build(project, data, site, pdf=pdf, pause=pause))
        rebuilds[label] = median_run(results)
        lines.append(row(label, rebuilds[label], runs))
    lines += ["", "各步骤运行时进程树内存峰值（MB，中位数；启动 = 第一步之前，收尾 = 替换网站和清理缓存）：", ""]
    lines += [memory_line("全新构建，不含 PDF", full_run), *(memory_line(k, v) for k, v in rebuilds.items())]
    set_aside(project.parent, work)
    return Measured(count, [*lines, "", *extra], full_run, rebuilds, baseline)


def material_baseline(generated: Path, work: Path, pause: float) -> Run:
    """What a user would pick: Material for MkDocs over the same Markdown, pages and search only.

    The departments' pages are grouped by year in the navigation (`navigation.sections`; a
    project is reached from its department's page, as on our site), and Material's own search
    indexes every page with lunr in Chinese (`plugins: search: lang: zh`, jieba at build time).
    No PDFs, no open data, no link check: less than this builder does.
    """
    folder = work / "material"
    shutil.rmtree(folder, ignore_errors=True)
    docs = folder / "docs"
    shutil.copytree(generated, docs, ignore=shutil.ignore_patterns("*.html"))
    config = {
        "site_name": "部门预算绩效文本公开",
        "docs_dir": "docs",
        "site_dir": "site",
        "theme": {"name": "material", "language": "zh", "font": False, "features": ["navigation.sections"]},
        "plugins": [{"search": {"lang": "zh"}}],
        "markdown_extensions": ["attr_list", "md_in_html", "tables", "admonition", "def_list"],
        "validation": {"links": {"not_found": "info", "unrecognized_links": "info"}},
        "nav": material_nav(docs),
    }
    (folder / "mkdocs.yml").write_text(json.dumps(config, ensure_ascii=False), encoding="utf-8")  # JSON is YAML
    settle(pause)
    seconds, cpu, system, peak = run_measured([sys.executable, "-m", "mkdocs", "build", "--quiet"], folder)
    pages = sum(1 for _ in (folder / "site").rglob("index.html"))
    run = Run(seconds, {}, peak, pages, 0, _size_mb(folder / "site"), cpu, system=system)
    set_aside(folder, work)
    return run


def material_nav(docs: Path) -> list[object]:
    """The home page, then one section per year: its page and every department's page, by title."""
    nav: list[object] = []
    for year in sorted(path for path in docs.iterdir() if path.name.isdigit()):
        entries: list[object] = [{f"{year.name}年": f"{year.name}/index.md"}] if (year / "index.md").exists() else []
        for department in sorted(path for path in year.iterdir() if (path / "index.md").exists()):
            page = department / "index.md"
            entries.append({_title(page): page.relative_to(docs).as_posix()})
        nav.append({f"{year.name}年": entries})
    return nav


def _title(page: Path) -> str:
    for line in page.read_text(encoding="utf-8").splitlines()[:5]:
        if line.startswith("title:"):
            return line.removeprefix("title:").strip()
    return page.parent.name


def reader_sizes(site: Path, data: Path, work: Path) -> list[str]:
    """The largest project page and the first search query of a fresh browser, on the full build's site."""
    from site_size import SUB_PATH, first_query_bytes, page_figures, serve

    from builder.data.load import load_all
    from builder.site.paths import project_keys

    loaded, _ = load_all([data])
    figures = page_figures(site, loaded)
    code = next(key for item in loaded for key in project_keys(item.department) if not key.startswith("x"))
    root = work / "served"
    shutil.rmtree(root, ignore_errors=True)
    (root / SUB_PATH).parent.mkdir(parents=True)
    (root / SUB_PATH).symlink_to(site)
    queries = ["满意度", "高新技术企业", "救灾物资", "项目开工数", code]
    with serve(root) as base_url:
        first = first_query_bytes(base_url, queries)
    shards = json.loads((site / "pagefind" / "shards.json").read_text(encoding="utf-8"))["shards"]
    kb = 1024
    downloads = "，".join(f"{query} {result['bytes'] / kb:.0f}" for query, result in first.items())
    largest, median = figures["project_page_max"] / kb, figures["project_page_median"] / kb
    index_mb = figures["pagefind_bytes"] / kb / kb
    return [
        f"项目页 HTML 最大 {largest:.1f} KB（中位数 {median:.1f} KB），首页 {figures['home_page'] / kb:.1f} KB；"
        f"搜索索引 {len(shards)} 个分片，共 {index_mb:.1f} MB；首次搜索下载（KB）：{downloads}",
        "",
    ]


def ratios(measured: list[Measured]) -> list[str]:
    """The figures to compare within one run: ours against Material, rebuilds against the full build, N against N."""
    lines = ["### 比值（同一次运行）", "", "| N | 比较 | 比值 |", "|---|---|---|"]
    first = measured[0]
    for item in measured:
        full, n = item.full.seconds, item.count
        if item.material is not None:
            lines.append(f"| {n} | 全新构建（不含 PDF）/ Material + lunr：用时 | {full / item.material.seconds:.2f} |")
            cpu = item.full.cpu / item.material.cpu
            lines.append(f"| {n} | 全新构建（不含 PDF）/ Material + lunr：CPU | {cpu:.2f} |")
        for label, run in item.rebuilds.items():
            if not label.startswith("(c)"):
                lines.append(f"| {n} | {label} / 全新构建（不含 PDF） | {run.seconds / full:.3f} |")
        if item is not first:
            scale = f"{n} / {first.count} 个部门（部门数之比 {n / first.count:.1f}）"
            lines.append(f"| {n} | 全新构建用时：{scale} | {full / first.full.seconds:.2f} |")
    return [*lines, ""]


def baselines(work: Path) -> list[str]:
    """The naive PDF loop of the issue (10 departments, one process) against the builder's workers, in this run."""
    data = work / "data-10"
    if not data.exists():
        generate(10, data, ROOT / "data")
    from builder.data.load import load_all
    from builder.pipeline.steps.render_pdfs import render_pdf, render_pdfs

    loaded, _ = load_all([data])
    started = time.perf_counter()
    for item in loaded:
        render_pdf(item)
    naive = time.perf_counter() - started
    started = time.perf_counter()
    render_pdfs(loaded, work / "pdf-site")
    ours = time.perf_counter() - started
    return [
        "### PDF：10 个部门，与 issue 中的朴素做法同机同次对比",
        "",
        "| 做法 | 用时 | 吞吐 |",
        "|---|---|---|",
        f"| 一个进程逐个渲染（朴素） | {naive:.1f} 秒 | 1.00 倍 |",
        f"| 本工具（{cpu_count()} 个工作进程） | {ours:.1f} 秒 | {naive / ours:.2f} 倍 |",
        "",
    ]


def machine_speed() -> float:
    """Seconds of CPU for a fixed pure-Python loop, median of 5: how fast this machine is right now.

    Virtual machines change speed with their neighbours (the same build took 95 s of CPU in one
    hour and 147 s in the next here); printed at the start and the end of a run, it tells whether
    figures from different runs can be compared.
    """
    timings = []
    for _ in range(5):
        started, total = time.process_time(), 0
        for number in range(5_000_000):
            total += number * number
        timings.append(time.process_time() - started)
    return statistics.median(timings)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("counts", nargs="*", type=int, default=[100, 500], help="部门数，默认 100 500")
    parser.add_argument("--runs", type=int, default=3, help="每种构建重复几次取中位数，默认 3")
    parser.add_argument("--no-pdf", action="store_true", help="全程不生成 PDF")
    parser.add_argument("--baselines", action="store_true", help="另测朴素做法和 Material + lunr（N ≤ 500），同次对比")
    parser.add_argument("--sizes", action="store_true", help="在全新构建的网站上测项目页大小和首次搜索下载量")
    parser.add_argument("--huge", action="store_true", help=f"另测 N = {HUGE}（只测一次，不含 PDF；需数十分钟）")
    parser.add_argument("--no-template-edit", action="store_true", help="不测 (c) 改一个页面模板（省下约一次全新构建）")
    parser.add_argument("--work", type=Path, help="放合成数据和副本的文件夹，默认临时文件夹")
    parser.add_argument(
        "--settle", type=float, default=30.0, help="每次构建前先 sync 并等待的秒数，默认 30（见 settle 的说明）"
    )
    args = parser.parse_args()
    work = args.work or Path(tempfile.mkdtemp(prefix="build-speed-"))
    print(
        f"本机 {cpu_count()} 个 CPU 核（os.sched_getaffinity），Python {sys.version.split()[0]}；"
        f"每项取 {args.runs} 次的中位数；每次构建前 sync 并等待 {args.settle:.0f} 秒。"
        f"本机速度参考（固定的纯 Python 循环，越小越快）：开始时 {machine_speed():.2f} 秒。\n"
    )
    if args.baselines:
        print("\n".join(baselines(work)))
    measured = []
    for count in args.counts:
        material = args.baselines and count <= MATERIAL_UP_TO
        template = not args.no_template_edit
        item = measure(count, args.runs, work, not args.no_pdf, args.settle, material, args.sizes, template)
        measured.append(item)
        print("\n".join(item.lines), flush=True)
    if args.huge:
        item = measure(HUGE, 1, work, False, args.settle, False, args.sizes, not args.no_template_edit)
        measured.append(item)
        print("\n".join(item.lines), flush=True)
    print("\n".join(ratios(measured)))
    print(f"本机速度参考：结束时 {machine_speed():.2f} 秒。")
    shutil.rmtree(work if args.work is None else work / SET_ASIDE, ignore_errors=True)


if __name__ == "__main__":
    os.environ.setdefault("PYTHONHASHSEED", "0")
    main()
