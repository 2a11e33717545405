"""A build by a user who cannot write the cache (another user built first) changes nothing and says why."""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from builder.pipeline.build import build

ROOT = Path(__file__).resolve().parent.parent
NOBODY = 65534
SCRIPT = """
import sys
from pathlib import Path
from builder.errors import BuilderError
from builder.pipeline.build import build
base = Path(sys.argv[1])
try:
    build(base / "data", base / "site", generated_dir=base / "generated", cache_dir=base / "cache", with_pdf=False)
except BuilderError as error:
    print(error, file=sys.stderr)
    sys.exit(1)
"""


def snapshot(folder: Path) -> dict[str, str]:
    return {
        str(path.relative_to(folder)): hashlib.sha256(path.read_bytes()).hexdigest()
        for path in sorted(folder.rglob("*"))
        if path.is_file()
    }


@pytest.fixture
def base() -> Iterator[Path]:
    """A folder another user can reach (pytest's own are private to this user)."""
    folder = Path(tempfile.mkdtemp(prefix="cache-owner-"))
    folder.chmod(0o755)
    yield folder
    shutil.rmtree(folder, ignore_errors=True)


def as_other_user(base: Path) -> list[str]:
    """The command that builds `base` as another user: `nobody` when this is root, else this user (then the cache
    is made read-only for it instead)."""
    command = [sys.executable, "-c", SCRIPT, str(base)]
    if os.geteuid() != 0:
        return command
    if shutil.which("setpriv") is None:
        pytest.skip("setpriv（util-linux）不可用")
    return ["setpriv", f"--reuid={NOBODY}", f"--regid={NOBODY}", "--clear-groups", *command]


def test_a_cache_left_by_another_user_is_refused_before_the_site_changes(base: Path) -> None:
    shutil.copytree(ROOT / "data", base / "data")
    build(base / "data", base / "site", generated_dir=base / "generated", cache_dir=base / "cache", with_pdf=False)
    if os.geteuid() == 0:  # the admin owns the site, the pages and the locks; the rest of the cache stays root's
        for folder in ("site", "generated", "cache/locks"):
            for path in [base / folder, *(base / folder).rglob("*")]:
                os.lchown(path, NOBODY, NOBODY)
        os.lchown(base, NOBODY, NOBODY)
    else:
        (base / "cache" / "build").chmod(0o555)
    edited = base / "data" / "2023" / "zunhua-jingkaiqu.yaml"
    edited.write_text(edited.read_text(encoding="utf-8").replace("招商经费", "招商引资经费", 1), encoding="utf-8")
    before = snapshot(base / "site")
    done = subprocess.run(as_other_user(base), cwd=ROOT, capture_output=True, text=True, timeout=300, check=False)
    assert done.returncode == 1, done.stderr
    assert "缓存文件夹" in done.stderr and "不能写入" in done.stderr and "网站没有改动" in done.stderr
    assert snapshot(base / "site") == before
    (base / "cache" / "build").chmod(0o755)
