"""Preview the site locally: build it, serve it, rebuild when a watched file changes, and reload the open page.

`python -m builder serve` (make serve) builds without PDFs into a scratch folder and serves
it with MkDocs' own live-reload server (`mkdocs.livereload.LiveReloadServer`, what
`mkdocs serve` uses): it watches `data/`, `content/`, `theme/`, `templates/` and `mkdocs.yml`, rebuilds
after a change, and every open page, which polls the server from a small script the server
adds to each HTML page, reloads itself when the rebuild is done. When a build fails (a YAML
error, a bad setting) the error — with its file and line — is printed in the terminal and
served in place of every page until the file is fixed; the page reloads itself then too.
The scratch folder is removed when the preview stops, and folders left by a preview that
was killed are removed when the next one starts.

The preview sends no Content-Security-Policy: the reload script is inline.

Why MkDocs' server and no loop of our own (issue 20): it already builds, watches, serves and
reloads — nothing in this module polls or sleeps. The watching is watchdog's PollingObserver, which
MkDocs chose because it also sees edits on network and container mounts that inotify misses: it
stats the watched files every `interval` (0.5 s). `benchmarks/preview_speed.py` on the sample data
(38 files watched, 2-core VM under load): 0.3 % of a core while nothing changes; 4.3 s from saving a
YAML file to the reloaded page, nearly all of it the rebuild (the first build took 4.4 s). `start`
is `LiveReloadServer.serve` without its blocking loop, so that the port is bound (and a port in use
reported) before anything is built, and `stop` can end it from another thread.
"""

from __future__ import annotations

import errno
import logging
import os
import shutil
import signal
import socket
import sys
import tempfile
import threading
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

from mkdocs.livereload import LiveReloadServer

from .. import PROJECT_ROOT
from ..errors import BuilderError
from ..failures import user_error
from ..pipeline.build import MKDOCS_CONFIG, build
from ..pipeline.swap import builder_pid, is_running
from .pages import page_environment

WATCHED = (PROJECT_ROOT / "content", PROJECT_ROOT / "theme", PROJECT_ROOT / "templates", MKDOCS_CONFIG)
SCRATCH_PREFIX = "budget-preview-"
ERROR_PAGE = "preview_error.html"  # in templates/pages/


def remove_stale_scratch(parent: Path) -> list[Path]:
    """Scratch folders of previews that are no longer running (killed, or from before a reboot)."""
    stale = []
    for folder in parent.glob(SCRATCH_PREFIX + "*"):
        pid = builder_pid(folder.name[len(SCRATCH_PREFIX) :])
        if folder.is_dir() and pid is not None and not is_running(pid):  # a name without a pid: not ours to judge
            stale.append(folder)
    for folder in stale:
        shutil.rmtree(folder, ignore_errors=True)
    return stale


class _Server(LiveReloadServer):
    """MkDocs' live-reload server, serving the error page while the last build failed, and never cached."""

    preview: Preview

    def _serve_request(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes] | None:
        def no_store(status: str, headers: list[tuple[str, str]], *rest: object) -> object:
            return start_response(status, [*headers, ("Cache-Control", "no-store")], *rest)

        path = environ["PATH_INFO"]
        if self.preview.error and not path.startswith("/livereload/"):
            with self._epoch_cond:
                epoch = self._visible_epoch
            body = page_environment().get_template(ERROR_PAGE).render(error=self.preview.error).encode("utf-8")
            body = self._inject_js_into_html(body, epoch)
            no_store("500 Internal Server Error", [("Content-Type", "text/html; charset=utf-8")])
            return [body]
        return super()._serve_request(environ, no_store)


class Preview:
    """A local server for the site built from `data_dir`, rebuilt on every change."""

    def __init__(
        self,
        data_dir: Path,
        port: int = 8000,
        host: str = "127.0.0.1",
        interval: float = 0.5,
        log: Callable[[str], None] = lambda message: print(message, file=sys.stderr, flush=True),
    ) -> None:
        self.data_dir = data_dir
        self.log = log
        self.error = ""
        self.builds = 0
        logging.getLogger("mkdocs.livereload").setLevel(logging.ERROR)  # not a line per request
        self.server = _Server(self.rebuild, host, port, root=".", polling_interval=interval)  # root: set below
        self.server.preview = self
        try:  # the port first: a port in use leaves nothing behind
            self.server.server_bind()
            self.server.server_activate()
        except OSError:
            self.server.server_close()
            raise
        parent = Path(tempfile.gettempdir())
        remove_stale_scratch(parent)
        self.scratch = Path(tempfile.mkdtemp(prefix=f"{SCRATCH_PREFIX}{os.getpid()}-", dir=parent))
        self.site_dir = self.scratch / "site"
        self.site_dir.mkdir()
        self.server.root = str(self.site_dir)

    @property
    def url(self) -> str:
        host, port = self.server.server_address[:2]
        return f"http://{host}:{port}/"

    def watched(self) -> list[Path]:
        return [self.data_dir, *WATCHED]

    def rebuild(self) -> None:
        """Build once; remember the error instead of raising it (the open pages reload either way)."""
        try:
            report = build(self.data_dir, self.site_dir, with_pdf=False, generated_dir=self.scratch / "generated")
        except BuilderError as error:
            self._failed(str(error))
        except Exception as error:  # a template being edited (Jinja syntax…): keep serving, show it
            self._failed(user_error(error) or f"{type(error).__name__}: {error}")
        else:
            self.error = ""
            for note in report.notes:  # drafts and years left out
                self.log(note)
            self.log(f"已生成，请访问 {self.url}（打开的页面会自动刷新）")
        self.builds += 1

    def _failed(self, message: str) -> None:
        self.error = message
        self.log(f"生成失败：\n{message}")

    def start(self) -> None:
        """Build, then serve, watch and rebuild in background threads."""
        for path in self.watched():
            if path.exists():
                self.server.watch(str(path))
        self.rebuild()
        self.server.observer.start()
        self.server.serve_thread.start()
        threading.Thread(target=self.server._build_loop, daemon=True).start()

    def stop(self) -> None:
        self.server.shutdown()
        shutil.rmtree(self.scratch, ignore_errors=True)


def _interrupt(signum: int, frame: object) -> None:
    raise KeyboardInterrupt


def open_preview(data_dir: Path, port: int, host: str) -> Preview:
    """The preview with its port bound; a port out of range, in use or not allowed is a BuilderError naming it."""
    if not 1 <= port <= 65535:
        raise BuilderError(f"--port {port} 不是有效的端口：应在 1 到 65535 之间 — 例如 --port 8000")
    try:
        return Preview(data_dir, port, host)
    except OSError as error:
        other = 8001 if port == 8000 else 8000
        if error.errno == errno.EADDRINUSE:
            reason = "已被其他程序占用"
        elif error.errno in (errno.EACCES, errno.EPERM):
            reason = "需要管理员权限（1024 以下的端口）"
        elif error.errno == errno.EADDRNOTAVAIL or isinstance(error, socket.gaierror):
            raise BuilderError(f"--host {host} 不是本机的地址 — 请用 127.0.0.1（只允许本机访问）或 0.0.0.0") from None
        else:
            reason = f"无法使用（{error.strerror}）"
        raise BuilderError(f"端口 {port}（{host}）{reason} — 请用 --port {other} 换一个端口") from None


def serve(data_dir: Path, port: int = 8000, host: str = "127.0.0.1") -> None:
    """Run the preview until Ctrl+C (or a TERM signal); remove its scratch folder then."""
    preview = open_preview(data_dir, port, host)
    signal.signal(signal.SIGTERM, _interrupt)  # only once there is a preview to stop
    try:
        preview.start()
        preview.log(f"本机预览：{preview.url}（按 Ctrl+C 结束）")
        threading.Event().wait()
    except KeyboardInterrupt:
        pass
    finally:
        preview.stop()
