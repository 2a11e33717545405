"""Progress of a long build: one rewritten bar per stage on a terminal, sparse plain lines in logs.

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
stage moves on), and a summary. Otherwise the stage is one line rewritten at most ten times a second:
name, bar, counts, percent, elapsed time, ETA and the item just finished, cut to the terminal width
(CJK characters take two columns), replaced by the summary when the stage ends.

Why not rich or tqdm, measured (issue 20): of this module's 340 lines of code (docstrings and comments aside),
82 draw the terminal bar (widths, cutting, the bar, redraws, terminal size); the rest — the plain
lines for CI logs and pipes, an ETA that leaves out reused items, the Chinese wording of counts,
durations and summaries, the stage API — no progress library does: rich writes nothing until the
end when the stream is not a terminal, tqdm rewrites its line with `\\r` there (or, told to, writes
nothing), and both count every advanced item into the rate. A port to rich 15 that kept all of it
(stats, item and bar-width columns, its Console on a broken-pipe-proof stream) came to 338 lines of
code, and its tests to 323 against 303; one on rich's stock columns would save about 45 lines but
show English clocks and an ETA inflated by reused items. Either adds three packages (rich,
markdown-it-py, mdurl) and 50–80 ms of import. So the bar stays ours.

Updates are expected from one thread (the one collecting a process pool's results); a lock keeps
notes from other threads from tearing a line.
"""

from __future__ import annotations

import io
import math
import os
import threading
import time
import unicodedata
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from types import TracebackType
from typing import Literal, Protocol, TextIO

from ..printable import escape_controls

Clock = Callable[[], float]
Mode = Literal["bar", "plain", "quiet"]

REFRESH_SECONDS = 0.1  # bar: at most ten redraws a second
PLAIN_STEP = 0.1  # plain: a line per 10 % of the total…
PLAIN_MIN_SECONDS = 10.0  # …and not more often than every 10 seconds…
PLAIN_HEARTBEAT_SECONDS = 60.0  # …but one a minute while a slow stage moves on, so that logs look alive
BAR_MAX = 24
BAR_MIN = 6
FALLBACK_COLUMNS = 80
CLEAR_LINE = "\r\x1b[K"
ELLIPSIS = "…"
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


# Widths and text


def char_width(char: str) -> int:
    """Terminal columns of one character: 0 for combining marks, 2 for wide, full-width and ambiguous ones.

    Ambiguous characters (…, “”, ·) are wide in CJK terminal settings; counting them as 2 may leave a
    column free but never wraps the rewritten line.
    """
    if unicodedata.combining(char) or unicodedata.category(char) in ("Mn", "Me", "Cf"):
        return 0
    return 2 if unicodedata.east_asian_width(char) in ("W", "F", "A") else 1


def display_width(text: str) -> int:
    return sum(char_width(char) for char in text)


def truncate(text: str, columns: int) -> str:
    """`text` cut to at most `columns` terminal columns, ending with … when something was cut."""
    if display_width(text) <= columns:
        return text
    room = columns - display_width(ELLIPSIS)
    if room < 0:
        return ""
    kept: list[str] = []
    used = 0
    for char in text:
        used += char_width(char)
        if used > room:
            break
        kept.append(char)
    return "".join(kept) + ELLIPSIS


def clean_text(text: str) -> str:
    """One line of printable text: control characters become spaces, format characters (bidi…) go."""
    kept = (" " if unicodedata.category(char) in ("Cc", "Zl", "Zp") else char for char in text)
    return " ".join("".join(char for char in kept if unicodedata.category(char) != "Cf").split())


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


def render_bar(fraction: float, width: int) -> str:
    filled = min(width, int(fraction * width))
    return "[" + "#" * filled + "-" * (width - filled) + "]"


def bar_width(room: int) -> int:
    """A third of the `room` left by name and counts (the rest is for the item), none when too short to read."""
    width = min(BAR_MAX, room // 3)
    return width if width >= BAR_MIN else 0


def bar_line(state: StageState, now: float, columns: int) -> str:
    """The rewritten terminal line, at most `columns - 1` wide (the last column would wrap on some terminals)."""
    usable = max(1, columns - 1)
    stats = bar_stats(state, now)
    parts = [state.name]
    fixed = display_width(state.name) + display_width(stats) + len(" [] ") + len("  ")
    width = bar_width(usable - fixed)
    if width and state.total:
        parts.append(render_bar(state.finished / state.total, width))
    parts.append(stats)
    line = " ".join(parts) + (f"  {state.item}" if state.item else "")
    return truncate(line, usable)


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

    def write(self, text: str) -> None:
        if self.stream is None:
            return
        try:
            self.stream.write(text)
            self.stream.flush()
        except (OSError, ValueError):
            self.stream = None


class BarDisplay(StreamWriter):
    """One line per stage, rewritten with `\\r` and erase-to-end-of-line."""

    mode: Mode = "bar"

    def __init__(self, stream: TextIO, columns: Callable[[], int]) -> None:
        super().__init__(stream)
        self.columns = columns
        self.line: str | None = None  # what the terminal shows of the running stage
        self.drawn_at = -math.inf

    def started(self, state: StageState, now: float) -> None:
        self.draw(state, now)

    def changed(self, state: StageState, now: float) -> None:
        if now - self.drawn_at >= REFRESH_SECONDS:
            self.draw(state, now)

    def draw(self, state: StageState, now: float) -> None:
        self.line = bar_line(state, now, self.columns())
        self.drawn_at = now
        self.write(CLEAR_LINE + self.line)

    def ended(self, line: str) -> None:
        self.write(CLEAR_LINE + line + "\n")
        self.line = None

    def note(self, message: str) -> None:
        if self.line is None:
            self.write(escape_controls(message, keep="\n") + "\n")
        else:
            self.write(CLEAR_LINE + escape_controls(message, keep="\n") + "\n" + self.line)


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


def terminal_columns(stream: TextIO) -> int:
    """The terminal's width now (it may change while building); 80 when it cannot be told."""
    try:
        columns = os.get_terminal_size(stream.fileno()).columns
    except (AttributeError, OSError, ValueError):
        columns = 0
    return columns if columns > 0 else FALLBACK_COLUMNS


def make_display(mode: Mode, stream: TextIO, columns: Callable[[], int] | None = None) -> Display:
    if mode == "bar":
        return BarDisplay(stream, columns or (lambda: terminal_columns(stream)))
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
        return cls(make_display(mode, stream, columns), clock)

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
            state.item = clean_text(item)
        self._progress._changed(state)

    def _running(self) -> StageState:
        if self._state is None or not self._open:
            raise RuntimeError(f"stage {self._name!r} is used outside its `with` block")
        return self._state


def _check_count(count: int | None, what: str) -> None:
    if count is not None and count < 0:
        raise ValueError(f"{what} must not be negative: {count}")
