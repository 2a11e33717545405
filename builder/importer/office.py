"""Legacy Word (.doc) and WPS (.wps) files, converted to .docx by LibreOffice headless for the .docx importer.

LibreOffice runs in a private temporary folder with its own throwaway profile
(`-env:UserInstallation`), so parallel imports do not lock each other and nothing of the
user's own LibreOffice settings is read or changed; it is killed after a timeout.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from ..errors import ImportFailed

PACKAGE = "libreoffice-writer-nogui"
TIMEOUT = 120  # seconds; a first start of LibreOffice with a new profile takes a few
MAX_BYTES = 50 * 1024 * 1024
INSTALL = (
    f"需要 LibreOffice 才能读取 {{kind}}——请安装（Debian / Ubuntu：sudo apt-get install {PACKAGE}），"
    "或在 Word / WPS 中打开后“另存为” .docx 再导入"
)


def soffice() -> str | None:
    """The LibreOffice program, if installed (`soffice`, or `libreoffice` as some distributions name it)."""
    return shutil.which("soffice") or shutil.which("libreoffice")


@contextmanager
def converted(path: Path, kind: str, target: str = "docx") -> Iterator[Path]:
    """`path` converted by LibreOffice to `target` in a private temporary folder, removed afterwards."""
    program = soffice()
    if program is None:
        raise ImportFailed(INSTALL.format(kind=kind))
    size = path.stat().st_size
    if size > MAX_BYTES:
        raise ImportFailed(f"文件太大（{size / 1024 / 1024:.0f} MB，上限 {MAX_BYTES // 1024 // 1024} MB）")
    with tempfile.TemporaryDirectory(prefix="import-office-") as folder:
        work = Path(folder)
        source = work / f"source{path.suffix.lower()}"
        shutil.copyfile(path, source)  # LibreOffice never sees (or locks) the user's own file
        run_soffice(program, work, source, target)
        result = work / "out" / f"source.{target}"
        if not result.is_file() or result.stat().st_size == 0:
            raise ImportFailed(f"LibreOffice 未能把{kind}转换为 .{target}——文件可能已损坏，或不是{kind}")
        yield result


def run_soffice(program: str, work: Path, source: Path, target: str) -> None:
    profile = (work / "profile").as_uri()
    command = [
        program,
        f"-env:UserInstallation={profile}",
        "--headless",
        "--norestore",
        "--nolockcheck",
        "--convert-to",
        target,
        "--outdir",
        str(work / "out"),
        str(source),
    ]
    environment = {**os.environ, "HOME": str(work)}
    process = subprocess.Popen(
        command,
        cwd=work,
        env=environment,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        start_new_session=True,  # its own process group, so a timeout ends LibreOffice and its helpers
    )
    try:
        _, error = process.communicate(timeout=TIMEOUT)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.communicate()
        raise ImportFailed(f"LibreOffice 转换超过 {TIMEOUT} 秒未完成，已中止——文件可能过大或已损坏") from None
    if process.returncode != 0:
        detail = error.decode("utf-8", "replace").strip().splitlines()[-1:] or ["无输出"]
        raise ImportFailed(f"LibreOffice 转换失败（退出码 {process.returncode}：{detail[0][:200]}）")
