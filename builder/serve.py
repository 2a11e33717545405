"""Preview the site locally: build it, serve it over HTTP, and rebuild when a watched file changes.

`python -m builder serve` (make serve) builds without PDFs into a scratch folder, serves it
with the standard library's http.server, and polls `data/`, `content/`, `theme/` and
`mkdocs.yml` once a second. When a build fails (a YAML error, a bad setting) the error —
with its file and line — is printed in the terminal and served in place of every page,
refreshing itself, until the file is fixed; the server keeps running.
"""

from __future__ import annotations

import errno
import functools
import html
import http.server
import socket
import sys
import tempfile
import threading
from collections.abc import Callable, Iterable
from pathlib import Path

from .build import GENERATED_DIR, MKDOCS_CONFIG, PROJECT_ROOT, build
from .errors import BuilderError
from .failures import user_error

WATCHED = (PROJECT_ROOT / "content", PROJECT_ROOT / "theme", MKDOCS_CONFIG)
REFRESH_SECONDS = 2
ERROR_PAGE = """<!DOCTYPE html>
<html lang="zh-CN"><head><meta charset="utf-8">
<meta http-equiv="refresh" content="{refresh}">
<title>生成失败 — 本机预览</title>
<style>body{{font:16px/1.6 sans-serif;margin:2rem;color:#111}}pre{{white-space:pre-wrap;background:#fdf2f2;
border-left:4px solid #9b1c22;padding:1rem}}</style></head>
<body><main><h1>网站生成失败</h1>
<p>请按下面的提示改正文件并保存；本页每 {refresh} 秒刷新一次，改正后自动显示网站。</p>
<pre>{error}</pre></main></body></html>
"""


def snapshot(paths: Iterable[Path]) -> dict[str, tuple[int, int]]:
    """Modification time and size of every file under `paths` (the generated pages excluded)."""
    times: dict[str, tuple[int, int]] = {}
    for root in paths:
        files = [root] if root.is_file() else root.rglob("*")
        for path in files:
            if path.is_file() and GENERATED_DIR not in path.parents:
                status = path.stat()
                times[str(path)] = (status.st_mtime_ns, status.st_size)
    return times


class Preview:
    """A local server for the site built from `data_dir`, rebuilt on every change."""

    def __init__(
        self,
        data_dir: Path,
        port: int = 8000,
        host: str = "127.0.0.1",
        interval: float = 1.0,
        log: Callable[[str], None] = lambda message: print(message, file=sys.stderr, flush=True),
    ) -> None:
        self.data_dir = data_dir
        self.interval = interval
        self.log = log
        self.error = ""
        self.builds = 0
        self._stop = threading.Event()
        handler = functools.partial(_Handler, preview=self)
        self.server = http.server.ThreadingHTTPServer((host, port), handler)  # first: a busy port leaves nothing
        self.scratch = Path(tempfile.mkdtemp(prefix="budget-preview-"))
        self.site_dir = self.scratch / "site"

    @property
    def url(self) -> str:
        host, port = self.server.server_address[:2]
        return f"http://{host}:{port}/"

    def watched(self) -> list[Path]:
        return [self.data_dir, *WATCHED]

    def rebuild(self) -> None:
        """Build once; remember the error instead of raising it."""
        try:
            build(self.data_dir, self.site_dir, with_pdf=False, generated_dir=self.scratch / "generated")
        except BuilderError as error:
            self._failed(str(error))
        except Exception as error:  # a template being edited (Jinja syntax…): keep serving, show it
            self._failed(user_error(error) or f"{type(error).__name__}: {error}")
        else:
            self.error = ""
            self.log(f"已生成，请访问 {self.url}")
        self.builds += 1

    def _failed(self, message: str) -> None:
        self.error = message
        self.log(f"生成失败：\n{message}")

    def watch(self, seen: dict[str, tuple[int, int]]) -> None:
        """Poll the watched files and rebuild after each change from `seen`, until `stop()`."""
        while not self._stop.wait(self.interval):
            current = snapshot(self.watched())
            if current != seen:
                seen = current
                self.log("文件有改动，重新生成……")
                self.rebuild()

    def start(self) -> None:
        """Build, then serve and watch in background threads (changes made during the first build count too)."""
        seen = snapshot(self.watched())
        self.rebuild()
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        threading.Thread(target=self.watch, args=(seen,), daemon=True).start()

    def stop(self) -> None:
        self._stop.set()
        self.server.shutdown()
        self.server.server_close()


class _Handler(http.server.SimpleHTTPRequestHandler):
    """Files of the built site, or the error page while the last build failed."""

    def __init__(self, *args: object, preview: Preview, **kwargs: object) -> None:
        self.preview = preview
        super().__init__(*args, directory=str(preview.site_dir), **kwargs)  # type: ignore[arg-type]

    def do_GET(self) -> None:
        if self.preview.error:
            self._send_error_page()
        else:
            super().do_GET()

    def _send_error_page(self) -> None:
        body = ERROR_PAGE.format(refresh=REFRESH_SECONDS, error=html.escape(self.preview.error)).encode("utf-8")
        self.send_response(500)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Cache-Control", "no-store")
        self.end_headers()
        self.wfile.write(body)

    def end_headers(self) -> None:
        self.send_header("Cache-Control", "no-store")  # always the latest build
        super().end_headers()

    def log_message(self, *args: object) -> None:
        pass


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
    """Run the preview until Ctrl+C."""
    preview = open_preview(data_dir, port, host)
    preview.start()
    preview.log(f"本机预览：{preview.url}（按 Ctrl+C 结束）")
    try:
        threading.Event().wait()
    except KeyboardInterrupt:
        preview.stop()
