"""Worker processes: fresh workers do not carry the build's memory, yet see its settings; models stay small."""

from __future__ import annotations

import os
import pickle
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from builder.data.load import load_department
from builder.errors import BuilderError
from builder.pipeline.workers import run_parallel

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = ROOT / "data" / "2023" / "zunhua-jingkaiqu.yaml"
BIG = 200 * 1024 * 1024


def _rss_mb() -> int:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) // 1024
    return 0


def _report(prefix: str, item: int) -> tuple[str, str | None, str, int]:
    return f"{prefix}{item}", os.environ.get("BUILDER_TEST_MARK"), os.getcwd(), _rss_mb()


def _fail(shared: None, item: int) -> int:
    if item == 3:
        raise BuilderError("第 3 项失败")
    return item


def test_fresh_workers_start_small_and_see_the_parents_environment(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    held = bytearray(BIG)  # what a build holds: 3 000 departments
    held[::4096] = b"\x01" * len(held[::4096])
    list(run_parallel(_report, [1, 2], jobs=2, shared="x", fresh=True))  # the server may start before the changes
    monkeypatch.setenv("BUILDER_TEST_MARK", "after")
    monkeypatch.chdir(tmp_path)
    results = dict(run_parallel(_report, [1, 2, 3], jobs=2, shared="item-", fresh=True))
    assert sorted(value[0] for value in results.values()) == ["item-1", "item-2", "item-3"]
    assert {value[1] for value in results.values()} == {"after"}
    assert {value[2] for value in results.values()} == {str(tmp_path)}
    assert max(value[3] for value in results.values()) < BIG // 1024 // 1024  # the 200 MB were not mapped in
    forked = dict(run_parallel(_report, [1, 2], jobs=2, shared="", fresh=False))
    assert min(value[3] for value in forked.values()) > BIG // 1024 // 1024  # a forked worker maps them all
    del held


def test_meanwhile_runs_here_while_the_workers_run() -> None:
    seen = []
    results = dict(run_parallel(_report, [1, 2], jobs=2, shared="", fresh=True, meanwhile=lambda: seen.append(1)))
    assert seen == [1] and len(results) == 2
    seen.clear()
    assert dict(run_parallel(_report, [1], jobs=1, shared="", meanwhile=lambda: seen.append(1)))
    assert seen == [1]  # one item runs here: the work is done all the same


def _pid(shared: None, item: int) -> int:
    return os.getpid()


def test_one_item_goes_to_a_worker_while_this_process_does_its_own_work() -> None:
    """An edit's one group of department pages is made beside the site-level pages, not after them."""
    seen = []
    pids = dict(run_parallel(_pid, [1], jobs=2, fresh=True, meanwhile=lambda: seen.append(os.getpid())))
    assert seen == [os.getpid()] and pids[1] != os.getpid()
    assert dict(run_parallel(_pid, [1], jobs=2)) == {1: os.getpid()}  # nothing to do meanwhile: no worker


def test_a_failure_in_a_fresh_worker_is_raised_here() -> None:
    with pytest.raises(BuilderError, match="第 3 项失败"):
        list(run_parallel(_fail, [1, 2, 3, 4], jobs=2, fresh=True))


# Starts the fresh workers' server as a build does, Python's start and the loading of the builder's modules made
# slow (1 s, 15 s), and presses Ctrl+C (SIGINT to the server alone) after the given seconds; prints how long the
# server lived on.
_CTRL_C_WHILE_LOADING = """
import os, signal, sys, time
from multiprocessing import forkserver
from builder.pipeline import workers
workers.SERVER_PRELOAD = workers.SERVER_PRELOAD[:-1] + ["slow_to_load"]
workers.start_fresh_workers(2)
server = forkserver._forkserver._forkserver_pid
time.sleep(float(sys.argv[1]))
os.kill(server, signal.SIGINT)
pressed = time.monotonic()
while open(f"/proc/{server}/stat").read().split(") ")[1][0] != "Z" and time.monotonic() - pressed < 20:
    time.sleep(0.05)
print(round(time.monotonic() - pressed, 1))
"""


@pytest.mark.parametrize("after", ["0.5", "2.5"])  # while Python starts, while it loads the builder's modules
def test_ctrl_c_while_the_workers_server_starts_prints_no_traceback(tmp_path: Path, after: str) -> None:
    """The first second of a build: Ctrl+C showed the server's KeyboardInterrupt traceback under `已中断。`."""
    (tmp_path / "slow_to_load.py").write_text("import time\ntime.sleep(15)\n", encoding="utf-8")
    (tmp_path / "sitecustomize.py").write_text("import time\ntime.sleep(1)\n", encoding="utf-8")  # Python's start
    ran = subprocess.run(
        [sys.executable, "-c", _CTRL_C_WHILE_LOADING, after],
        cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(tmp_path)},  # the server finds both there
        capture_output=True,
        text=True,
        timeout=60,
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),  # as in a terminal, not ignored
    )
    assert ran.returncode == 0, ran.stderr
    assert "Traceback" not in ran.stderr and "KeyboardInterrupt" not in ran.stderr
    assert float(ran.stdout) < 5  # it ended at once, not when its loading was over


# A fresh worker left waiting for work, as an interrupted build left one (its pool never shut down); then the build's
# exit stops the server. Prints whether the worker is still there.
_WORKER_LEFT_WAITING = """
import os
from concurrent.futures import ProcessPoolExecutor
from builder.pipeline import workers
pool = ProcessPoolExecutor(1, workers._forkserver())
assert pool.submit(pow, 2, 3).result() == 8
worker = next(iter(pool._processes))
workers._stop_server()
def running():
    try:
        return open(f"/proc/{worker}/stat").read().split(") ")[1][0] != "Z"  # a zombie has ended
    except FileNotFoundError:
        return False
print("worker left" if running() else "worker ended")
os._exit(0)  # not the pool's own exit: it would shut the worker down itself
"""


def test_the_exit_of_an_interrupted_build_does_not_wait_for_a_worker_left_waiting() -> None:
    """SIGINT to the build alone (a CI job cancelled, `kill -INT`): it printed 已中断。 and never ended, its exit
    waiting for the workers' server, which waited for a worker that waited for work."""
    ran = subprocess.run(
        [sys.executable, "-c", _WORKER_LEFT_WAITING], cwd=ROOT, capture_output=True, text=True, timeout=60
    )
    assert ran.stdout.strip() == "worker ended", ran.stderr


# A build with its workers' server and one fresh worker waiting for work; it prints their process ids, then waits.
_KILLED_WITH_WORKERS = """
import os, time
from concurrent.futures import ProcessPoolExecutor
from multiprocessing import forkserver
from builder.pipeline import workers
workers.start_fresh_workers(2)
setup = (None, dict(os.environ), os.getcwd())
pool = ProcessPoolExecutor(1, workers._forkserver(), initializer=workers._set_shared, initargs=setup)
assert pool.submit(pow, 2, 3).result() == 8
print(forkserver._forkserver._forkserver_pid, *pool._processes, flush=True)
time.sleep(60)
"""


def _running(pid: int) -> bool:
    try:
        return Path(f"/proc/{pid}/stat").read_text().split(") ")[1][0] != "Z"  # a zombie has ended
    except FileNotFoundError:
        return False


def test_a_build_killed_outright_leaves_no_server_nor_worker_behind() -> None:
    """kill -9 (an OOM kill, a CI job cancelled hard) runs no exit code: the server and a worker stayed for ever."""
    build = subprocess.Popen(
        [sys.executable, "-W", "ignore", "-c", _KILLED_WITH_WORKERS], cwd=ROOT, stdout=subprocess.PIPE, text=True
    )
    left = [int(pid) for pid in build.stdout.readline().split()] if build.stdout else []
    assert len(left) == 2
    build.kill()
    build.wait()
    try:
        for _ in range(50):
            left = [pid for pid in left if _running(pid)]
            if not left:
                break
            time.sleep(0.1)
        assert left == []  # within 5 s (each checks its parent twice a second)
    finally:
        for pid in left:
            os.kill(pid, signal.SIGKILL)


def _interrupt_myself(shared: None, item: int) -> str:
    try:
        os.kill(os.getpid(), signal.SIGINT)
        return "not interrupted"
    except KeyboardInterrupt:
        return "KeyboardInterrupt"


def test_ctrl_c_in_a_fresh_worker_is_a_keyboard_interrupt_as_before() -> None:
    results = dict(run_parallel(_interrupt_myself, [1, 2], jobs=2, fresh=True))
    assert results == {1: "KeyboardInterrupt", 2: "KeyboardInterrupt"}


def test_unpickled_models_share_their_fields_sets_and_copy_as_before() -> None:
    read = load_department(SAMPLE)
    one, two = (pickle.loads(pickle.dumps(read)) for _ in range(2))
    assert one.department == read.department and one.department.model_dump() == read.department.model_dump()
    project_one, project_two = one.department.projects[0], two.department.projects[0]
    assert project_one == project_two
    assert project_one.model_fields_set == read.department.projects[0].model_fields_set
    assert project_one.__pydantic_fields_set__ is project_two.__pydantic_fields_set__
    before = set(project_two.model_fields_set)
    copied = project_one.model_copy(update={"title": "改名", "spending_plan_label": "资金支出计划（累进进度%）"})
    assert copied.title == "改名" and "spending_plan_label" in copied.model_fields_set
    assert "spending_plan_label" not in before
    assert project_two.model_fields_set == before  # the shared set was copied, not changed
