"""The first module the fresh workers' server loads: Ctrl+C while it loads ends it without a traceback.

multiprocessing's fork server ignores Ctrl+C once its modules are loaded, but while it still
imports them (the first second of a build) a Ctrl+C printed its `KeyboardInterrupt` traceback
under the build's own `已中断。`. The build stops the server at exit either way. The server is
started with Ctrl+C held back (`workers.start_fresh_workers`), so one pressed while Python
itself starts is not lost either: it arrives here, once the handler is in place.

The server's workers inherit this handler (the server puts back the handlers it found when
it forks one); in them it does what Python's own does: raise `KeyboardInterrupt`.

A build killed outright (`kill -9`, an OOM kill, a CI job cancelled hard) runs no exit code:
the server and a worker could then stay for ever, holding each other's pipe. The server, and
each worker (`workers._set_shared`), end themselves once their parent is gone (`watch_parent`).
"""

from __future__ import annotations

import os
import signal
from types import FrameType

from .orphans import watch_parent

_SERVER = os.getpid()


def _interrupted(signum: int, frame: FrameType | None) -> None:
    if os.getpid() == _SERVER:
        os._exit(128 + signum)
    signal.default_int_handler(signum, frame)


signal.signal(signal.SIGINT, _interrupted)
signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGINT})


watch_parent()
