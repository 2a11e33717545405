"""The first module the fresh workers' server loads: Ctrl+C while it loads ends it without a traceback.

multiprocessing's fork server ignores Ctrl+C once its modules are loaded, but while it still
imports them (the first second of a build) a Ctrl+C printed its `KeyboardInterrupt` traceback
under the build's own `已中断。`. The build stops the server at exit either way. The server is
started with Ctrl+C held back (`workers.start_fresh_workers`), so one pressed while Python
itself starts is not lost either: it arrives here, once the handler is in place.

The server's workers inherit this handler (the server puts back the handlers it found when
it forks one); in them it does what Python's own does: raise `KeyboardInterrupt`.
"""

from __future__ import annotations

import os
import signal
from types import FrameType

_SERVER = os.getpid()


def _interrupted(signum: int, frame: FrameType | None) -> None:
    if os.getpid() == _SERVER:
        os._exit(128 + signum)
    signal.default_int_handler(signum, frame)


signal.signal(signal.SIGINT, _interrupted)
signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGINT})
