"""The live preview: serves the site, rebuilds after an edit, and shows a YAML error in the browser without dying."""

from __future__ import annotations

import os
import re
import shutil
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from builder.site.preview import Preview

ROOT = Path(__file__).resolve().parent.parent
SMALL = "2023/zunhua-jingkaiqu.yaml"
DEADLINE_SECONDS = 60


def fetch(url: str) -> tuple[int, str]:
    try:
        with urllib.request.urlopen(url, timeout=10) as response:
            return response.status, response.read().decode("utf-8")
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode("utf-8")


def wait_for(condition: Callable[[], bool]) -> None:
    deadline = time.monotonic() + DEADLINE_SECONDS
    while not condition():
        assert time.monotonic() < deadline, "预览没有在限定时间内重新生成"
        time.sleep(0.1)


@pytest.fixture
def preview(tmp_path: Path) -> Iterator[Preview]:
    data = tmp_path / "data"
    (data / "2023").mkdir(parents=True)
    shutil.copy(ROOT / "data" / SMALL, data / SMALL)
    messages: list[str] = []
    server = Preview(data, port=0, interval=0.1, log=messages.append)
    server.messages = messages  # type: ignore[attr-defined]
    server.start()
    yield server
    server.stop()
    assert not server.scratch.exists()  # the preview cleans up after itself


def test_serves_the_site_and_rebuilds_after_an_edit(preview: Preview) -> None:
    status, home = fetch(preview.url)
    assert status == 200 and "遵化" in home
    source = preview.data_dir / SMALL
    text = source.read_text(encoding="utf-8")
    builds = preview.builds
    source.write_text(text.replace("department: ", "department: 改名后的", 1), encoding="utf-8")
    wait_for(lambda: preview.builds > builds)
    status, home = fetch(preview.url)
    assert status == 200 and "改名后的" in home


def test_a_yaml_error_is_shown_in_the_browser_and_the_terminal_until_fixed(preview: Preview) -> None:
    source = preview.data_dir / SMALL
    good = source.read_text(encoding="utf-8")
    builds = preview.builds
    source.write_text(good + "projects: [unclosed\n", encoding="utf-8")
    wait_for(lambda: preview.builds > builds)
    status, page = fetch(preview.url + "2023/zunhua-jingkaiqu/")
    assert status == 500
    assert "网站生成失败" in page and "livereload(" in page  # reloads itself when the next build is done
    assert f"{source}:" in page  # the file and its line
    assert any(str(source) in message for message in preview.messages)  # type: ignore[attr-defined]
    builds = preview.builds
    source.write_text(good, encoding="utf-8")
    wait_for(lambda: preview.builds > builds)
    assert fetch(preview.url)[0] == 200


def test_the_open_page_learns_of_each_finished_rebuild(preview: Preview) -> None:
    """What the reload script in every page asks: a newer build than the page's answers the long poll."""
    status, home = fetch(preview.url)
    epoch = int(re.search(r"livereload\((\d+), \d+\)", home)[1])  # type: ignore[index]
    source = preview.data_dir / SMALL
    builds = preview.builds
    source.write_text(source.read_text(encoding="utf-8").replace("department: ", "department: 新", 1), "utf-8")
    wait_for(lambda: preview.builds > builds)
    status, newer = fetch(f"{preview.url}livereload/{epoch}/1")
    assert status == 200 and int(newer) > epoch


def test_scratch_folders_of_killed_previews_are_removed(tmp_path: Path) -> None:
    from builder.site.preview import SCRATCH_PREFIX, remove_stale_scratch

    dead = tmp_path / f"{SCRATCH_PREFIX}999999999-abc"
    alive = tmp_path / f"{SCRATCH_PREFIX}{os.getpid()}-abc"
    unknown = tmp_path / f"{SCRATCH_PREFIX}abc"  # another tool's, or an older preview's: left alone
    for folder in (dead, alive, unknown):
        (folder / "site").mkdir(parents=True)
    assert remove_stale_scratch(tmp_path) == [dead]
    assert alive.exists() and unknown.exists() and not dead.exists()
