"""The build's progress display: exact plain lines for logs, a rewritten bar on a terminal, ETA and widths."""

from __future__ import annotations

import io
import os
import select
import struct
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from builder.pipeline.progress import (
    Progress,
    StageState,
    bar_line,
    char_width,
    choose_mode,
    clean_text,
    display_width,
    eta_seconds,
    format_clock,
    format_duration,
    truncate,
)

ROOT = Path(__file__).resolve().parent.parent


class FakeClock:
    """A clock that only moves when the test says so."""

    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


class FakeTerminal(io.StringIO):
    def isatty(self) -> bool:
        return True


class BrokenStream(io.StringIO):
    def write(self, text: str) -> int:
        raise BrokenPipeError


def plain(clock: FakeClock) -> tuple[Progress, io.StringIO]:
    stream = io.StringIO()
    return Progress.for_stream(stream, environ={}, clock=clock), stream


def bar(clock: FakeClock, columns: int = 100) -> tuple[Progress, FakeTerminal]:
    stream = FakeTerminal()
    return Progress.for_stream(stream, environ={"TERM": "xterm"}, clock=clock, columns=lambda: columns), stream


# Choosing the display


@pytest.mark.parametrize(
    ("terminal", "environ", "quiet", "mode"),
    [
        (True, {"TERM": "xterm"}, False, "bar"),
        (True, {}, False, "bar"),
        (False, {"TERM": "xterm"}, False, "plain"),
        (True, {"TERM": "xterm", "CI": "true"}, False, "plain"),
        (True, {"TERM": "xterm", "CI": "1"}, False, "plain"),
        (True, {"TERM": "xterm", "CI": "false"}, False, "bar"),
        (True, {"TERM": "dumb"}, False, "plain"),
        (True, {"TERM": "xterm"}, True, "quiet"),
        (False, {"CI": "true"}, True, "quiet"),
    ],
)
def test_display_follows_terminal_ci_and_quiet(terminal: bool, environ: dict[str, str], quiet: bool, mode: str) -> None:
    stream = FakeTerminal() if terminal else io.StringIO()
    assert choose_mode(stream, quiet=quiet, environ=environ) == mode


# Plain lines


def test_plain_lines_are_exact_and_sparse() -> None:
    clock = FakeClock()
    progress, stream = plain(clock)
    with progress.stage("生成页面", total=1000) as stage:
        for index in range(1, 1001):
            clock.now = index / 20  # 50 seconds in all: 10 % every 5 s, so a line every 10 s
            stage.advance(item=f"第 {index} 页")
    assert stream.getvalue().splitlines() == [
        "生成页面：共 1000 个",
        "生成页面：200/1000（20%），用时 10.0 秒，预计还需 40.0 秒",
        "生成页面：400/1000（40%），用时 20.0 秒，预计还需 30.0 秒",
        "生成页面：600/1000（60%），用时 30.0 秒，预计还需 20.0 秒",
        "生成页面：800/1000（80%），用时 40.0 秒，预计还需 10.0 秒",
        "生成页面：1000 个，用时 50.0 秒",
    ]


def test_plain_lines_with_reused_items() -> None:
    clock = FakeClock()
    progress, stream = plain(clock)
    with progress.stage("生成 PDF", total=500) as stage:
        stage.skip(400)
        for index in range(1, 101):
            clock.now = float(index)
            stage.advance(item="某某局（2023）")
    assert stream.getvalue().splitlines() == [
        "生成 PDF：共 500 个",
        "生成 PDF：410/500（82%），用时 10.0 秒，预计还需 1 分 30 秒",  # 90 left at the rate of 1 done a second
        "生成 PDF：460/500（92%），用时 1 分 00 秒，预计还需 40.0 秒",
        "生成 PDF：500 个，其中 400 个未改动沿用，用时 1 分 40 秒",
    ]


@pytest.mark.parametrize(("seconds_each", "most_lines"), [(0.002, 3), (0.1, 18), (1.0, 170)])
def test_plain_output_of_10000_items_stays_short(seconds_each: float, most_lines: int) -> None:
    """20 s, 17 min and 2.8 h for 10 000 items: a line per 10 % and 10 s at most, or one a minute when slow."""
    clock = FakeClock()
    progress, stream = plain(clock)
    with progress.stage("链接检查", total=10_000) as stage:
        for index in range(1, 10_001):
            clock.now = index * seconds_each
            stage.advance(item=f"page-{index}.html")
    lines = stream.getvalue().splitlines()
    assert 2 < len(lines) <= most_lines
    assert lines[-1].startswith("链接检查：10000 个，用时 ")
    assert not any("page-" in line for line in lines)


def test_plain_output_has_no_carriage_returns_or_escapes() -> None:
    clock = FakeClock()
    progress, stream = plain(clock)
    with progress.stage("读取数据", total=30) as stage:
        for index in range(30):
            clock.now += 1
            stage.advance(item=f"\x1b[31m部门{index}\r")
    progress.note("网站已生成")
    assert "\r" not in stream.getvalue()
    assert "\x1b" not in stream.getvalue()
    assert stream.getvalue().endswith("读取数据：30 个，用时 30.0 秒\n网站已生成\n")


def test_stage_without_total() -> None:
    clock = FakeClock()
    progress, stream = plain(clock)
    with progress.stage("MkDocs 排版"):
        clock.now = 2.0
    assert stream.getvalue().splitlines() == ["MkDocs 排版：开始", "MkDocs 排版：用时 2.0 秒"]


def test_total_set_later() -> None:
    clock = FakeClock()
    progress, stream = plain(clock)
    with progress.stage("搜索索引") as stage:
        stage.set_total(3)
        stage.advance(3)
    assert stream.getvalue().splitlines()[-1] == "搜索索引：3 个，用时 0.0 秒"


# ETA, skips and timings


def test_eta_comes_from_items_done_not_reused() -> None:
    state = StageState("生成 PDF", total=500, started=0.0)
    assert eta_seconds(state, 0.0) is None
    state.skipped = 480
    assert eta_seconds(state, 5.0) is None  # nothing done yet: no rate
    state.done = 10
    assert eta_seconds(state, 5.0) == pytest.approx(5.0)  # 10 left at 2 a second
    state.done = 20
    assert eta_seconds(state, 10.0) == 0.0


def test_eta_without_reuse() -> None:
    state = StageState("生成页面", total=500, started=100.0, done=100)
    assert eta_seconds(state, 110.0) == pytest.approx(40.0)
    assert eta_seconds(StageState("MkDocs 排版", total=None, started=0.0, done=3), 1.0) is None


def test_skip_counts_towards_total_and_summary() -> None:
    clock = FakeClock()
    progress, stream = plain(clock)
    with progress.stage("生成 PDF", total=500) as stage:
        stage.skip(480)
        clock.now = 12.3
        stage.advance(20)
    assert (stage.done, stage.skipped) == (20, 480)
    assert stream.getvalue().splitlines()[-1] == "生成 PDF：500 个，其中 480 个未改动沿用，用时 12.3 秒"


def test_timings_per_stage() -> None:
    clock = FakeClock()
    progress, _ = plain(clock)
    with progress.stage("读取数据", total=2) as stage:
        clock.now = 1.5
        stage.advance(2)
    with progress.stage("生成 PDF", total=1):
        clock.now = 4.5
    assert progress.timings == {"读取数据": 1.5, "生成 PDF": 3.0}


def test_unfinished_stage_says_so() -> None:
    clock = FakeClock()
    progress, stream = plain(clock)
    with progress.stage("生成 PDF", total=5) as stage:
        stage.advance(3)
        clock.now = 1.0
    assert stream.getvalue().splitlines()[-1] == "生成 PDF：3/5 个，用时 1.0 秒"


@pytest.mark.parametrize(
    ("seconds", "text"),
    [(0, "0.0 秒"), (12.34, "12.3 秒"), (59.99, "1 分 00 秒"), (125, "2 分 05 秒"), (3725, "1 小时 02 分")],
)
def test_durations(seconds: float, text: str) -> None:
    assert format_duration(seconds) == text


def test_clock_format() -> None:
    assert (format_clock(5), format_clock(65.9), format_clock(3723)) == ("00:05", "01:05", "1:02:03")


# Widths


def test_character_widths() -> None:
    assert [char_width(char) for char in "a中（）１e\u0301"] == [1, 2, 2, 2, 2, 1, 0]
    assert display_width("某某局（2023）") == 14
    assert display_width("…") == 2  # ambiguous: counted wide, so that CJK terminals never wrap


def test_truncate_counts_cjk_as_two_columns() -> None:
    assert truncate("某某局（2023）", 14) == "某某局（2023）"
    assert truncate("某某局（2023）", 13) == "某某局（202…"
    assert truncate("某某局（2023）", 8) == "某某局…"
    assert truncate("某某局（2023）", 7) == "某某…"  # a wide character never straddles the edge
    assert display_width(truncate("某" * 50, 33)) <= 33


@pytest.mark.parametrize("columns", [20, 40, 60, 80, 120])
def test_bar_line_fits_the_terminal(columns: int) -> None:
    state = StageState("生成 PDF", total=500, started=0.0, done=100, skipped=23)
    state.item = "唐山市丰南区农业农村局（2023 年部门预算项目支出绩效目标）"
    line = bar_line(state, 12.0, columns)
    assert display_width(line) <= columns - 1
    assert line.startswith("生成 PDF")


def test_bar_line_shows_counts_percent_elapsed_eta_and_item() -> None:
    state = StageState("生成 PDF", total=500, started=0.0, done=100, skipped=23, item="某某局（2023）")
    line = bar_line(state, 10.0, 120)
    assert line == "生成 PDF [#####------------------] 123/500  24% 用时 00:10 剩余 00:37  某某局（2023）"


def test_bar_line_cuts_the_item_first() -> None:
    state = StageState("生成 PDF", total=500, started=0.0, done=1, item="很长的部门名称" * 10)
    line = bar_line(state, 1.0, 80)
    assert "1/500   0% 用时 00:01 剩余 08:19" in line
    assert line.endswith("…")
    assert display_width(line) in (78, 79)


def test_item_names_lose_control_characters() -> None:
    assert clean_text("某局\r\n（2023）\x1b[31m\u202e") == "某局 （2023） [31m"


# The bar on a (fake) terminal


def test_bar_is_rewritten_at_most_ten_times_a_second() -> None:
    clock = FakeClock()
    progress, stream = bar(clock)
    with progress.stage("生成页面", total=100) as stage:
        for index in range(1, 101):
            clock.now = index / 100  # one second in all
            stage.advance(item=f"页面 {index}")
    output = stream.getvalue()
    assert 10 <= output.count("\r\x1b[K生成页面 [") <= 12
    assert output.endswith("\r\x1b[K生成页面：100 个，用时 1.0 秒\n")
    assert output.count("\n") == 1


def test_note_does_not_break_the_bar() -> None:
    clock = FakeClock()
    progress, stream = bar(clock)
    with progress.stage("生成 PDF", total=4) as stage:
        stage.advance(item="某某局")
        progress.note("警告：某某局缺少附件")
        line = stream.getvalue().rsplit("\n", 1)[-1]
        assert line.startswith("生成 PDF [")  # the bar is drawn again below the note
    progress.note("网站已生成")
    assert "\r\x1b[K警告：某某局缺少附件\n生成 PDF [" in stream.getvalue()
    assert stream.getvalue().endswith("生成 PDF：1/4 个，用时 0.0 秒\n网站已生成\n")


@pytest.mark.parametrize("make", [plain, bar])
def test_exception_ends_the_line_and_propagates(make: Callable[[FakeClock], tuple[Progress, io.StringIO]]) -> None:
    clock = FakeClock()
    progress, stream = make(clock)
    with pytest.raises(KeyError), progress.stage("生成 PDF", total=10) as stage:
        stage.advance(3, item="某某局")
        clock.now = 4.0
        raise KeyError("某某局")
    assert stream.getvalue().endswith("生成 PDF：中断于 3/10 个，用时 4.0 秒\n")
    assert progress.timings == {"生成 PDF": 4.0}
    with progress.stage("链接检查", total=1) as stage:  # the next stage starts normally
        stage.advance()


def test_quiet_shows_notes_only() -> None:
    stream = FakeTerminal()
    progress = Progress.for_stream(stream, quiet=True, environ={})
    with progress.stage("生成 PDF", total=3) as stage:
        stage.advance(3)
    progress.note("网站已生成")
    assert stream.getvalue() == "网站已生成\n"
    assert "生成 PDF" in progress.timings


def test_a_broken_stream_does_not_fail_the_build() -> None:
    progress = Progress.for_stream(BrokenStream(), environ={})
    with progress.stage("生成 PDF", total=2) as stage:
        stage.advance(2)
    progress.note("网站已生成")


def test_misuse_is_refused() -> None:
    progress, _ = plain(FakeClock())
    stage = progress.stage("生成 PDF", total=2)
    with pytest.raises(RuntimeError):
        stage.advance()
    with stage, pytest.raises(RuntimeError), progress.stage("链接检查"):
        pass
    with pytest.raises(RuntimeError):
        stage.advance()
    with pytest.raises(ValueError):
        progress.stage("生成 PDF", total=-1)


# A real pseudo-terminal

CHILD = """
import sys, time
from builder.pipeline.progress import Progress

progress = Progress.for_stream(sys.stderr)
progress.note(progress.mode)
with progress.stage("生成 PDF", total=5) as stage:
    stage.skip(1)
    for year in range(2020, 2024):
        time.sleep(0.15)
        stage.advance(item=f"某某市很长很长的部门名称人民政府办公室（{year}）")
progress.note("网站已生成")
"""


@pytest.mark.skipif(sys.platform == "win32", reason="needs a POSIX pseudo-terminal")
def test_bar_on_a_pseudo_terminal() -> None:
    import fcntl
    import pty
    import termios

    master, slave = pty.openpty()
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 24, 72, 0, 0))
    env = {key: value for key, value in os.environ.items() if key != "CI"}
    env.update(TERM="xterm", PYTHONPATH=str(ROOT), PYTHONIOENCODING="utf-8")
    child = subprocess.Popen([sys.executable, "-c", CHILD], stdin=slave, stdout=slave, stderr=slave, cwd=ROOT, env=env)
    os.close(slave)
    try:
        output = read_all(master).decode("utf-8")
    finally:
        os.close(master)
        assert child.wait(timeout=30) == 0
    assert output.startswith("bar\r\n")
    assert output.count("\r\x1b[K生成 PDF [") >= 4  # drawn at the start and after each item, on the same line
    assert "\r\x1b[K生成 PDF：5 个，其中 1 个未改动沿用，用时 0." in output
    assert output.endswith("网站已生成\r\n")
    bars = [part for part in output.split("\r\x1b[K") if part.startswith("生成 PDF [")]
    assert any(part.endswith("…") for part in bars)  # the long department name is cut to the width
    assert all(display_width(part.split("\r\n")[0]) <= 71 for part in bars)


def read_all(master: int) -> bytes:
    """Everything the child writes to the terminal, until it closes it (EIO on Linux, EOF elsewhere)."""
    chunks: list[bytes] = []
    while select.select([master], [], [], 30)[0]:
        try:
            chunk = os.read(master, 4096)
        except OSError:
            break
        if not chunk:
            break
        chunks.append(chunk)
    return b"".join(chunks)
