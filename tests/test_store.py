"""The build's one cache (builder/pipeline/store.py) and the shape of the pipeline around it.

The store: entries by namespace and key, atomic, a damaged entry is a miss, pruned by last
use and size. The spine: every step has the same face, no function of the pipeline takes
more than 8 parameters, one atomic-write helper and one place for hashing in the package.
"""

from __future__ import annotations

import ast
import os
import pickle
import time
from pathlib import Path

import pytest

from builder.pipeline.build import STEPS
from builder.pipeline.fingerprint import digest
from builder.pipeline.store import Store

ROOT = Path(__file__).resolve().parent.parent
BUILDER = ROOT / "builder"
KEY = digest("一个部门")


def test_bytes_json_and_pickles_come_back_by_key(tmp_path: Path) -> None:
    store = Store(tmp_path)
    store.put_bytes("pdf", KEY, b"%PDF-1.7", "pdf")
    store.put_json("pages", KEY, {"2023/x/index.md": "abc", "名称": "科技局"})
    store.put_pickle("data", KEY, (1, ["预算", 2.5]))
    assert store.get_bytes("pdf", KEY, "pdf") == b"%PDF-1.7"
    assert store.get_json("pages", KEY) == {"2023/x/index.md": "abc", "名称": "科技局"}
    assert store.get_pickle("data", KEY) == (1, ["预算", 2.5])
    assert store.get_bytes("pdf", digest("另一个部门"), "pdf") is None
    assert sorted(path.relative_to(tmp_path).as_posix() for path in tmp_path.rglob("*") if path.is_file()) == [
        f"data/{KEY}.pickle",
        f"pages/{KEY}.json",
        f"pdf/{KEY}.pdf",
    ]  # no temporary file left behind


def test_a_damaged_entry_is_a_miss_not_an_error(tmp_path: Path) -> None:
    store = Store(tmp_path)
    store.put_pickle("data", KEY, {"a": 1})
    store.put_json("pages", KEY, {"a": 1})
    (tmp_path / "data" / f"{KEY}.pickle").write_bytes(pickle.dumps({"a": 1})[:5])  # a build killed mid-write, say
    (tmp_path / "pages" / f"{KEY}.json").write_text("{", encoding="utf-8")
    assert store.get_pickle("data", KEY) is None
    assert store.get_json("pages", KEY) is None


def test_without_a_cache_folder_nothing_is_kept(tmp_path: Path) -> None:
    store = Store(None)
    store.put_bytes("pdf", KEY, b"x")
    assert store.get_bytes("pdf", KEY) is None
    assert store.prune() == 0


@pytest.mark.parametrize("namespace, key", [("../x", KEY), ("pdf", "../../etc/passwd"), ("pdf", "ABC")])
def test_names_outside_the_store_are_refused(tmp_path: Path, namespace: str, key: str) -> None:
    with pytest.raises(ValueError):
        Store(tmp_path).put_bytes(namespace, key, b"x")


def test_pruning_removes_entries_unused_for_long_then_the_least_recently_used(tmp_path: Path) -> None:
    store = Store(tmp_path)
    keys = [digest(str(number)) for number in range(4)]
    for key in keys:
        store.put_bytes("pdf", key, b"x" * 1000, "pdf")
    now = time.time()
    ages = {keys[0]: 30, keys[1]: 3, keys[2]: 2, keys[3]: 1}  # days since last use
    for key, days in ages.items():
        os.utime(tmp_path / "pdf" / f"{key}.pdf", (now - days * 86400, now - days * 86400))
    store.get_bytes("pdf", keys[1], "pdf")  # used now: the most recent
    assert store.prune(max_age_days=14, max_bytes=2000) == 2  # the 30-day-old one, then the oldest of the rest
    assert sorted(path.stem for path in (tmp_path / "pdf").iterdir()) == sorted([keys[1], keys[3]])


def test_a_build_prunes_only_when_the_last_pruning_is_an_hour_old(tmp_path: Path) -> None:
    store = Store(tmp_path)
    old = digest("一年前的条目")
    store.put_bytes("pdf", old, b"x", "pdf")
    year_ago = time.time() - 365 * 86400
    os.utime(tmp_path / "pdf" / f"{old}.pdf", (year_ago, year_ago))
    assert store.prune_if_due() == 1  # never pruned: due
    store.put_bytes("pdf", old, b"x", "pdf")
    os.utime(tmp_path / "pdf" / f"{old}.pdf", (year_ago, year_ago))
    assert store.prune_if_due() == 0  # pruned a moment ago: not due
    assert (tmp_path / "pdf" / f"{old}.pdf").exists()
    hour_ago = time.time() - 3601
    os.utime(tmp_path / ".pruned", (hour_ago, hour_ago))
    assert store.prune_if_due() == 1
    assert not (tmp_path / "pdf" / f"{old}.pdf").exists()
    assert Store(None).prune_if_due() == 0


def test_every_step_has_the_same_face() -> None:
    for step in STEPS:
        assert hasattr(step, "TITLE") and callable(step.wanted) and callable(step.total) and callable(step.run), step


def _functions(folder: Path) -> list[tuple[str, ast.FunctionDef | ast.AsyncFunctionDef]]:
    found = []
    for path in sorted(folder.rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                found.append((f"{path.relative_to(ROOT)}:{node.lineno} {node.name}", node))
    return found


def test_no_function_of_the_pipeline_takes_more_than_8_parameters() -> None:
    def count(node: ast.FunctionDef | ast.AsyncFunctionDef) -> int:
        arguments = node.args
        every = [*arguments.posonlyargs, *arguments.args, *arguments.kwonlyargs]
        return len([argument for argument in every if argument.arg not in ("self", "cls")])

    too_many = [name for name, node in _functions(BUILDER / "pipeline") if count(node) > 8]
    assert too_many == []


def _calls(needle: str) -> list[str]:
    return sorted(
        path.relative_to(ROOT).as_posix()
        for path in BUILDER.rglob("*.py")
        if needle in path.read_text(encoding="utf-8")
    )


def test_one_atomic_write_helper_and_one_place_for_hashing() -> None:
    assert _calls("mkstemp") == ["builder/atomic.py"]
    assert _calls("NamedTemporaryFile") == []
    # os.replace elsewhere moves finished folders and files (the commit, the swap, MkDocs' output), it does not write.
    assert _calls("os.replace") == [
        "builder/atomic.py",
        "builder/pipeline/commit.py",
        "builder/pipeline/steps/run_mkdocs.py",
        "builder/pipeline/swap.py",
    ]
    assert _calls("hashlib.sha256") == ["builder/pipeline/fingerprint.py"]


def test_touch_marks_an_entry_used_without_reading_it(tmp_path: Path) -> None:
    """A department's body, left unread by a build, is kept from pruning: marked at most once an hour."""
    store = Store(tmp_path)
    assert not store.touch("data", KEY, "pickle")  # not there
    store.put_pickle("data", KEY, ("部门", []))
    path = store.path("data", KEY, "pickle")
    assert path is not None
    old = time.time() - 20 * 86400
    os.utime(path, (old, old))
    assert store.touch("data", KEY, "pickle")
    recent = path.stat().st_mtime
    assert recent > time.time() - 60
    assert store.prune() == 0 and path.is_file()
    hour_ago = time.time() - 1800
    os.utime(path, (hour_ago, hour_ago))
    assert store.touch("data", KEY, "pickle") and path.stat().st_mtime == hour_ago  # used within the hour: no write
