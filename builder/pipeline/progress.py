"""Progress of a long build: a rich progress bar per stage on a terminal, sparse plain lines in logs.

    progress = Progress.for_stream(sys.stderr)
    with progress.stage("生成 PDF", total=len(jobs)) as stage:
        stage.skip(len(reused))                 # counted, but not in the rate behind the ETA
        for job in finished_jobs():
            stage.advance(item=job.name)
    progress.note("网站已生成 …")               # a line that does not break the bar
    progress.timings                            # {"生成 PDF": 12.3, …}

The display (`choose_mode`): `quiet=True` shows only notes; a stream that is not a terminal, a set `CI`
variable or `TERM=dumb` gives plain lines (no carriage returns, no escape codes): one when the stage
starts, at most one per 10 % of the total and per 10 seconds in between (and one a minute while a slow
stage moves on), and a summary. Otherwise the stage is a `rich.progress` bar on one line, redrawn ten
times a second by rich's own thread (so the clock moves while one slow PDF renders): name, bar, counts,
percent, elapsed time, ETA and the item just finished; the item is cut first when the terminal is
narrow (rich counts CJK characters as two columns), and the line is replaced by the summary when the
stage ends. Notes, summaries and item names go through `escape_controls`, and reach rich as `Text`
(never markup: a department named `[bold]` stays as it is).

Why rich, measured: the terminal half of this module — character widths, cutting to the terminal
width, the bar, `\r`-and-erase redraws, terminal size, redraw throttling (150 of its 524 lines, and
70 of the 400 lines of tests/test_progress.py) — is now rich's (MIT, pure Python, pinned in
requirements.lock with its two small dependencies); what rich does not do is ours and stays: the plain
lines for CI logs and pipes (rich writes nothing until the end when the stream is not a terminal), ETAs
that leave out reused items (rich's speed counts everything advanced), and the Chinese wording of
counts, durations and summaries. Importing rich.progress costs 50–80 ms once per build. Box-drawing
bar characters are East Asian *ambiguous* width: a terminal set to draw those wide (an option in some
CJK setups, off by default in common terminals) shows the bar longer than rich counts it.

Updates are expected from one thread (the one collecting a process pool's results); a lock keeps
notes from other threads from tearing a line.
"""

from __future__ import annotations

import io
import math
import os
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from types import TracebackType
from typing import Literal, Protocol, TextIO

from rich.cells import cell_len
from rich.console import Console
from rich.progress import BarColumn, ProgressColumn, Task, TextColumn
from rich.progress import Progress as RichProgress
from rich.table import Column
from rich.text import Text

from ..printable import escape_controls

Clock = Callable[[], float]
Mode = Literal["bar", "plain", "quiet"]

REFRESHES_PER_SECOND = 10  # bar
BAR_MAX = 24
BAR_MIN = 6
PLAIN_STEP = 0.1  # plain: a line per 10 % of the total…
PLAIN_MIN_SECONDS = 10.0  # …and not more often than every 10 seconds…
PLAIN_HEARTBEAT_SECONDS = 60.0  # …but one a minute while a slow stage moves on, so that logs look alive
NO_ETA = "--:--"


@dataclass
class StageState:
    """Counts of one stage; `done` items set the rate for the ETA, `skipped` (reused) ones do not."""

    name: str
    total: int | None
    started: float
    done: int = 0
    skipped: int = 0
    item: str = ""

    @property
    def finished(self) -> int:
        return self.done + self.skipped

    def elapsed(self, now: float) -> float:
        return max(0.0, now - self.started)


# Text


def format_clock(seconds: float) -> str:
    """`01:05`, or `1:02:03` past an hour: for the bar."""
    hours, rest = divmod(int(seconds), 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes:02d}:{secs:02d}"


def format_duration(seconds: float) -> str:
    """`12.3 秒`, `2 分 05 秒`, `1 小时 02 分`: for plain lines and summaries."""
    if seconds < 59.95:
        return f"{seconds:.1f} 秒"
    hours, rest = divmod(round(seconds), 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours} 小时 {minutes:02d} 分" if hours else f"{minutes} 分 {secs:02d} 秒"


# What is shown


def eta_seconds(state: StageState, now: float) -> float | None:
    """Seconds left at the rate of the items done so far (reused ones excluded); None while unknown."""
    if state.total is None:
        return None
    remaining = max(0, state.total - state.finished)
    if remaining == 0:
        return 0.0
    elapsed = state.elapsed(now)
    if state.done <= 0 or elapsed <= 0:
        return None
    return remaining * elapsed / state.done


def percent(state: StageState) -> int | None:
    """Whole percent finished, rounded down (99.9 % is not 100 %); None without a total."""
    if not state.total:
        return None
    return min(100, state.finished * 100 // state.total)


def count_text(state: StageState) -> str:
    return str(state.finished) if state.total is None else f"{state.finished}/{state.total}"


def start_line(state: StageState) -> str:
    return f"{state.name}：开始" if state.total is None else f"{state.name}：共 {state.total} 个"


def plain_progress_line(state: StageState, now: float) -> str:
    """`生成 PDF：250/500（50%），用时 25.0 秒，预计还需 25.0 秒`."""
    share = percent(state)
    head = f"{state.name}：{count_text(state)}" + ("" if share is None else f"（{share}%）")
    parts = [head, f"用时 {format_duration(state.elapsed(now))}"]
    eta = eta_seconds(state, now)
    if eta is not None:
        parts.append(f"预计还需 {format_duration(eta)}")
    return "，".join(parts)


def summary_line(state: StageState, now: float) -> str:
    """`生成 PDF：500 个，其中 480 个未改动沿用，用时 12.3 秒`."""
    parts: list[str] = []
    if state.total is not None or state.finished:
        complete = state.total is None or state.finished == state.total
        parts.append(f"{state.finished if complete else count_text(state)} 个")
    if state.skipped:
        parts.append(f"其中 {state.skipped} 个未改动沿用")
    parts.append(f"用时 {format_duration(state.elapsed(now))}")
    return f"{state.name}：" + "，".join(parts)


def aborted_line(state: StageState, now: float) -> str:
    """`生成 PDF：中断于 123/500 个，用时 4.0 秒`, when the stage ends with an exception."""
    where = f"中断于 {count_text(state)} 个" if state.total is not None or state.finished else "中断"
    return f"{state.name}：{where}，用时 {format_duration(state.elapsed(now))}"


def bar_stats(state: StageState, now: float) -> str:
    """`123/500  24% 用时 00:12 剩余 00:36` (or `123 个 用时 00:12` without a total)."""
    elapsed = f"用时 {format_clock(state.elapsed(now))}"
    if state.total is None:
        return f"{state.finished} 个 {elapsed}" if state.finished else elapsed
    eta = eta_seconds(state, now)
    share = percent(state)
    share_text = "" if share is None else f" {share:>3}%"
    return f"{count_text(state)}{share_text} {elapsed} 剩余 {NO_ETA if eta is None else format_clock(eta)}"


def bar_width(room: int) -> int:
    """Half the `room` left by name and counts (the rest is for the item), none when too short to read."""
    width = min(BAR_MAX, (room - 8) // 2)  # 8: column gaps, and counts and ETA growing by a few digits
    return width if width >= BAR_MIN else 0


def plain_line_due(state: StageState, now: float, last_time: float, last_count: int) -> bool:
    """Whether plain mode prints a progress line now (never for the last item: the summary follows)."""
    if state.finished <= last_count or (state.total is not None and state.finished >= state.total):
        return False
    quiet_for = now - last_time
    if quiet_for >= PLAIN_HEARTBEAT_SECONDS:
        return True
    step = state.total * PLAIN_STEP if state.total else math.inf
    return quiet_for >= PLAIN_MIN_SECONDS and state.finished - last_count >= step


# Displays


class Display(Protocol):
    mode: Mode

    def started(self, state: StageState, now: float) -> None: ...

    def changed(self, state: StageState, now: float) -> None: ...

    def ended(self, line: str) -> None: ...

    def note(self, message: str) -> None: ...


class StreamWriter:
    """Writes and flushes; stops quietly once the stream is gone (a closed pipe must not fail the build)."""

    def __init__(self, stream: TextIO) -> None:
        self.stream: TextIO | None = stream
        self.encoding = getattr(stream, "encoding", None) or "utf-8"

    def write(self, text: str) -> None:
        if self.stream is None:
            return
        try:
            self.stream.write(text)
            self.stream.flush()
        except (OSError, ValueError):
            self.stream = None

    def flush(self) -> None:
        pass  # `write` flushes: rich calls this after writing


class StatsColumn(ProgressColumn):
    """`123/500  24% 用时 00:12 剩余 00:36`: counts with reused items, an ETA from the items made."""

    def __init__(self, clock: Clock) -> None:
        super().__init__(table_column=Column(no_wrap=True))
        self.clock = clock

    def render(self, task: Task) -> Text:
        return Text(bar_stats(task.fields["state"], self.clock()))


class ItemColumn(ProgressColumn):
    """The item just finished, cut with … to the room left: the only column rich may shrink."""

    def render(self, task: Task) -> Text:
        return Text(task.fields["state"].item, no_wrap=True, overflow="ellipsis")


class BarDisplay:
    """A rich progress bar for the running stage; notes and summaries are printed above it as plain lines."""

    mode: Mode = "bar"

    def __init__(self, stream: TextIO, clock: Clock, columns: Callable[[], int] | None = None) -> None:
        self.console = Console(
            file=StreamWriter(stream),  # type: ignore[arg-type]  # a broken pipe stops the display, not the build
            force_terminal=True,
            force_interactive=True,
            markup=False,
            emoji=False,
            highlight=False,
        )
        self.clock = clock
        self.columns = columns
        self.bar: RichProgress | None = None
        self.drawn_at = -math.inf

    def started(self, state: StageState, now: float) -> None:
        if self.columns is not None:
            self.console.width = self.columns()
        name = TextColumn("{task.description}", markup=False, table_column=Column(no_wrap=True))
        width = bar_width(self.console.width - cell_len(state.name) - cell_len(bar_stats(state, now)))
        bar = BarColumn(bar_width=width, table_column=Column(no_wrap=True))
        self.bar = RichProgress(
            *(name, bar) if width else (name,),
            StatsColumn(self.clock),
            ItemColumn(),
            console=self.console,
            get_time=self.clock,
            refresh_per_second=REFRESHES_PER_SECOND,
            transient=True,
            redirect_stdout=False,
            redirect_stderr=False,
        )
        self.task = self.bar.add_task(state.name, total=state.total, completed=state.finished, state=state)
        self.bar.start()

    def changed(self, state: StageState, now: float) -> None:
        if self.bar is not None:
            self.bar.update(self.task, total=state.total, completed=state.finished)
            if now - self.drawn_at >= 1 / REFRESHES_PER_SECOND:  # at once, not at the next tick of rich's thread
                self.bar.refresh()
                self.drawn_at = now

    def ended(self, line: str) -> None:
        if self.bar is not None:
            self.bar.stop()
            self.bar = None
        self.print(line)

    def note(self, message: str) -> None:
        self.print(escape_controls(message, keep="\n"))

    def print(self, line: str) -> None:
        self.console.print(Text(line), soft_wrap=True)  # above a running bar; wrapped by the terminal


class PlainDisplay(StreamWriter):
    """Whole lines only, few of them: for CI logs and pipes."""

    mode: Mode = "plain"

    def __init__(self, stream: TextIO) -> None:
        super().__init__(stream)
        self.last_time = 0.0
        self.last_count = 0

    def started(self, state: StageState, now: float) -> None:
        self.remember(state, now)
        self.write(start_line(state) + "\n")

    def changed(self, state: StageState, now: float) -> None:
        if plain_line_due(state, now, self.last_time, self.last_count):
            self.remember(state, now)
            self.write(plain_progress_line(state, now) + "\n")

    def remember(self, state: StageState, now: float) -> None:
        self.last_time, self.last_count = now, state.finished

    def ended(self, line: str) -> None:
        self.write(line + "\n")

    def note(self, message: str) -> None:
        self.write(escape_controls(message, keep="\n") + "\n")


class QuietDisplay(StreamWriter):
    """No progress at all; notes are still written."""

    mode: Mode = "quiet"

    def started(self, state: StageState, now: float) -> None:
        pass

    def changed(self, state: StageState, now: float) -> None:
        pass

    def ended(self, line: str) -> None:
        pass

    def note(self, message: str) -> None:
        self.write(escape_controls(message, keep="\n") + "\n")


def is_terminal(stream: TextIO) -> bool:
    try:
        return stream.isatty()
    except (AttributeError, OSError, ValueError):
        return False


def is_ci(environ: Mapping[str, str]) -> bool:
    return environ.get("CI", "").strip().lower() not in ("", "0", "false", "no")


def choose_mode(stream: TextIO, *, quiet: bool = False, environ: Mapping[str, str] | None = None) -> Mode:
    """quiet when asked; plain lines off a terminal, in CI or with TERM=dumb; a bar otherwise."""
    environ = os.environ if environ is None else environ
    if quiet:
        return "quiet"
    if is_ci(environ) or environ.get("TERM") == "dumb" or not is_terminal(stream):
        return "plain"
    return "bar"


def make_display(
    mode: Mode, stream: TextIO, clock: Clock = time.monotonic, columns: Callable[[], int] | None = None
) -> Display:
    if mode == "bar":
        return BarDisplay(stream, clock, columns)
    if mode == "plain":
        return PlainDisplay(stream)
    return QuietDisplay(stream)


# The API


class Progress:
    """Stages of a build shown on one stream, and how long each took (`timings`)."""

    def __init__(self, display: Display, clock: Clock = time.monotonic) -> None:
        self._display = display
        self._clock = clock
        self._lock = threading.RLock()
        self._timings: dict[str, float] = {}
        self._active: StageState | None = None

    @classmethod
    def for_stream(
        cls,
        stream: TextIO,
        *,
        quiet: bool = False,
        environ: Mapping[str, str] | None = None,
        clock: Clock = time.monotonic,
        columns: Callable[[], int] | None = None,
    ) -> Progress:
        """The display that suits `stream` (see `choose_mode`); `columns` overrides the terminal's width."""
        mode = choose_mode(stream, quiet=quiet, environ=environ)
        return cls(make_display(mode, stream, clock, columns), clock)

    @classmethod
    def silent(cls) -> Progress:
        """Shows nothing, still times the stages (tests, library use)."""
        return cls(make_display("quiet", io.StringIO()))

    @property
    def mode(self) -> Mode:
        return self._display.mode

    @property
    def timings(self) -> dict[str, float]:
        """Seconds per stage name, in the order the stages ran (a name used twice adds up)."""
        with self._lock:
            return dict(self._timings)

    def stage(self, name: str, total: int | None = None) -> Stage:
        """A stage to use in `with`; `total=None` when the number of items is unknown (or there are none)."""
        return Stage(self, name, total)

    def note(self, message: str) -> None:
        """A line of its own, above the bar of the running stage (which is redrawn below it)."""
        with self._lock:
            self._display.note(message)

    def _begin(self, name: str, total: int | None) -> StageState:
        with self._lock:
            if self._active is not None:
                raise RuntimeError(f"stage {name!r} started inside stage {self._active.name!r}")
            self._active = StageState(name, total, self._clock())
            self._display.started(self._active, self._active.started)
            return self._active

    def _changed(self, state: StageState) -> None:
        with self._lock:
            self._display.changed(state, self._clock())

    def _end(self, state: StageState, failed: bool) -> None:
        with self._lock:
            now = self._clock()
            self._display.ended(aborted_line(state, now) if failed else summary_line(state, now))
            self._timings[state.name] = self._timings.get(state.name, 0.0) + state.elapsed(now)
            self._active = None


class Stage:
    """One stage in progress: `advance` for items done, `skip` for items reused from the last build."""

    def __init__(self, progress: Progress, name: str, total: int | None) -> None:
        _check_count(total, "total")
        self._progress = progress
        self._name = name
        self._total = total
        self._state: StageState | None = None
        self._open = False

    def __enter__(self) -> Stage:
        self._state = self._progress._begin(self._name, self._total)
        self._open = True
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        state = self._running()
        self._open = False
        self._progress._end(state, failed=exc_type is not None)

    @property
    def done(self) -> int:
        return self._state.done if self._state else 0

    @property
    def skipped(self) -> int:
        return self._state.skipped if self._state else 0

    def advance(self, count: int = 1, item: str | None = None) -> None:
        """`count` items done; `item` names the last one (shown on the bar)."""
        _check_count(count, "count")
        state = self._running()
        state.done += count
        self._show(state, item)

    def skip(self, count: int = 1, item: str | None = None) -> None:
        """`count` items reused unchanged: they count towards the total but not towards the rate."""
        _check_count(count, "count")
        state = self._running()
        state.skipped += count
        self._show(state, item)

    def set_total(self, total: int | None) -> None:
        """The total, once it is known (or known better)."""
        _check_count(total, "total")
        state = self._running()
        state.total = total
        self._show(state, None)

    def _show(self, state: StageState, item: str | None) -> None:
        if item is not None:
            state.item = escape_controls(item)
        self._progress._changed(state)

    def _running(self) -> StageState:
        if self._state is None or not self._open:
            raise RuntimeError(f"stage {self._name!r} is used outside its `with` block")
        return self._state


def _check_count(count: int | None, what: str) -> None:
    if count is not None and count < 0:
        raise ValueError(f"{what} must not be negative: {count}")
