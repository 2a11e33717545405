"""Processes of a build that end themselves when the build is gone (`kill -9`, an OOM kill, a hard CI cancel).

Such a build runs no exit code: the fresh workers' server (builder/pipeline/server_start.py)
and a worker of it could stay for ever, holding each other's pipe. Each calls `watch_parent`
when it starts; a thread then ends the process once its parent has gone.
"""

from __future__ import annotations

import os
import threading
import time


def watch_parent(every: float = 0.5) -> None:
    """End this process within `every` seconds of its parent's end (it is then some other process's child)."""
    parent = os.getppid()

    def watch() -> None:
        while True:
            time.sleep(every)
            if os.getppid() != parent:
                os._exit(1)

    threading.Thread(target=watch, name="parent-watch", daemon=True).start()
