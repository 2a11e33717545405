"""Worker processes: fresh workers do not carry the build's memory, yet see its settings; models stay small."""

from __future__ import annotations

import os
import pickle
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
