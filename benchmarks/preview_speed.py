"""Time the live preview (builder/site/preview.py, on MkDocs' LiveReloadServer): edit to reload, and idle cost.

Copies the sample data (or `--data DIR`) to a scratch folder, starts the preview on a free port
in this process, and prints: the first build; the median, over `--runs` edits, of the time from
saving a YAML file to the end of the rebuild (when the open page reloads: the watcher's poll
interval, MkDocs' 0.1 s wait for more changes and the build); and the CPU the watcher and the
server use while nothing changes (watchdog's PollingObserver stats every watched file each
`interval`).

    .venv/bin/python benchmarks/preview_speed.py --runs 3
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from builder.site.preview import Preview  # noqa: E402


def wait_for_build(preview: Preview, builds: int, timeout: float = 300) -> None:
    deadline = time.monotonic() + timeout
    while preview.builds <= builds:
        if time.monotonic() > deadline:
            raise SystemExit("the preview did not rebuild in time")
        time.sleep(0.01)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=ROOT / "data")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--idle", type=float, default=10.0, help="seconds of idle time to measure")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as scratch:
        data = Path(scratch) / "data"
        shutil.copytree(args.data, data)
        target = sorted(data.rglob("*.yaml"))[0]
        started = time.perf_counter()
        preview = Preview(data, port=0, log=lambda message: None)
        preview.start()
        first = time.perf_counter() - started
        try:
            reloads = []
            for number in range(args.runs):
                builds = preview.builds
                text = target.read_text(encoding="utf-8")
                saved = time.perf_counter()
                target.write_text(text.replace("department: ", f"department: 第{number}次", 1), encoding="utf-8")
                wait_for_build(preview, builds)
                reloads.append(time.perf_counter() - saved)
            cpu = time.process_time()
            time.sleep(args.idle)
            idle = (time.process_time() - cpu) / args.idle
            watched = sum(1 for root in preview.watched() for path in [root, *root.rglob("*")] if path.is_file())
        finally:
            preview.stop()
    print(f"first build: {first:.1f} s")
    print(f"save to reload: {statistics.median(reloads):.1f} s (median of {args.runs})")
    print(f"idle: {idle * 100:.1f} % of a core, {watched} files watched")


if __name__ == "__main__":
    main()
