"""Turn failures a user can cause (a template typo, a full disk, a read-only folder) into located Chinese messages.

Only what cannot be a bug of the builder is translated: everything else still says
"内部错误" and asks for a report, so real bugs are not hidden.
"""

from __future__ import annotations

import contextlib
import errno
import os
import re
import shutil
import traceback
from pathlib import Path

import jinja2
import yaml

from . import PROJECT_ROOT
from .errors import BuilderError
from .pipeline.outdir import PROTECTED, real, within

_TEMPLATE_FRAME = re.compile(r'File "([^"]+\.(?:html|j2|xml|md|txt))", line (\d+)')
_NO_SPACE = {errno.ENOSPC, errno.EDQUOT}
_NO_PERMISSION = {errno.EACCES, errno.EPERM, errno.EROFS}
_PATH_PROBLEMS = {
    errno.ENOTDIR: "路径中有一段是文件而不是文件夹",
    errno.EISDIR: "这是一个文件夹，不是文件",
    errno.EEXIST: "已存在",
    errno.ELOOP: "符号链接形成了循环",
    errno.ENAMETOOLONG: "名字过长",
    errno.EMFILE: "同时打开的文件过多",
    errno.EXDEV: "不能跨磁盘移动",
    errno.EBUSY: "正被其他程序使用",
    errno.ETXTBSY: "正被其他程序使用",
}


def user_error(error: BaseException) -> str | None:
    """A Chinese message naming the file (and line) for a failure the user can fix; None for a bug."""
    if isinstance(error, jinja2.TemplateSyntaxError):
        where = f"{_shown(error.filename or error.name or '模板')}:{error.lineno}"
        return f"模板 {where} 有语法错误：{error.message} — 请改正该行（Jinja 模板语法）"
    if isinstance(error, jinja2.TemplateNotFound):
        where = template_location(error)
        place = f"模板 {where} 中" if where else ""
        return f"{place}找不到模板 {error.name} — 请检查 templates/ 和 theme/ 中的文件名和 extends/include 语句"
    if isinstance(error, jinja2.TemplateError):
        where = template_location(error)
        return (
            f"模板{' ' + where if where else ''} 出错：{error.message or type(error).__name__} — 请检查该行用到的变量"
        )
    if isinstance(error, OSError):
        return os_error_message(error)
    if any(text in str(error) for text in ("No space left on device", "database or disk is full")):
        return f"磁盘空间不足（{error}）— 请腾出空间后重试；原来的网站没有改动"
    if isinstance(error, yaml.YAMLError):
        return f"配置文件不是有效的 YAML：{error}"
    return None


def template_location(error: BaseException) -> str:
    """`theme/main.html:12` from the innermost template frame of the traceback (also a worker's)."""
    text = "".join(traceback.format_exception(error))
    cause = error.__cause__
    if cause is not None and hasattr(cause, "tb"):
        text += str(cause.tb)  # a worker process's traceback, as concurrent.futures passes it on
    frames = _TEMPLATE_FRAME.findall(text)
    if not frames:
        return ""
    name, line = frames[-1]
    return f"{_shown(name)}:{line}"


def _shown(name: str) -> str:
    """A path from the working folder when it lies there, else as given."""
    try:
        return Path(name).resolve().relative_to(Path.cwd().resolve()).as_posix()
    except (ValueError, OSError):
        return name


def os_error_message(error: OSError) -> str | None:
    """Full disk, no permission, missing folder: the file and folder named, what to do said."""
    name = error.filename or ""
    folder = os.path.dirname(os.path.abspath(name)) if name else ""
    if error.errno in _NO_SPACE:
        free = _free_space(folder)
        return f"磁盘空间不足：写入 {name or folder} 时失败（{folder} 所在磁盘{free}）— 请腾出空间后重试"
    if error.errno in _NO_PERMISSION:
        if error.errno == errno.EROFS:
            return f"只读文件系统：无法写入 {name}（文件夹 {folder}）— 请用 --site 换一个可写的文件夹"
        return f"权限不足：无法读写 {name}（文件夹 {folder}）— 请检查该文件夹和文件的权限，或换一个文件夹"
    if error.errno == errno.ENOENT and name:
        return f"找不到 {name} — 请检查路径"
    if error.errno in _PATH_PROBLEMS and name:
        return f"无法使用 {name}：{_PATH_PROBLEMS[error.errno]}（{error.strerror}） — 请检查路径"
    return None


def _free_space(folder: str) -> str:
    try:
        free = shutil.disk_usage(folder or ".").free
    except OSError:
        return ""
    return f"剩余 {free / 1024 / 1024:.0f} MB"


def folder_size(folder: Path) -> int:
    """Bytes of every file under `folder` (0 when missing): what a rebuild of it needs at least."""
    total = 0
    for base, _, files in os.walk(folder):
        for name in files:
            with contextlib.suppress(OSError):
                total += os.lstat(os.path.join(base, name)).st_size
    return total


def check_timings_file(path: Path, site: Path, project_root: Path | None = None) -> None:
    """Refuse a `--timings` file that cannot be written, or that would overwrite the project or the site."""
    root = real(project_root or PROJECT_ROOT)
    target = real(path)
    parent = target.parent
    if not parent.is_dir():
        raise BuilderError(f"--timings {path}：文件夹 {path.parent} 不存在 — 请先创建它，或换一个路径")
    if target.is_dir():
        raise BuilderError(f"--timings {path} 是一个文件夹 — 请给出文件名，如 timings.json")
    if not os.access(parent, os.W_OK):
        raise BuilderError(f"--timings {path}：文件夹 {path.parent} 不可写 — 请换一个路径")
    if within(target, real(site)):
        raise BuilderError(f"--timings {path} 在输出文件夹 {site} 中，会随网站一起被替换 — 请换一个路径")
    for name in PROTECTED:
        if within(target, real(root / name)):
            raise BuilderError(f"--timings {path} 会覆盖项目文件（{name}）— 请换一个路径，如 timings.json")
    if target.exists() and target.suffix.lower() != ".json":
        raise BuilderError(f"--timings {path} 已存在且不是 .json 文件，不覆盖 — 请换一个文件名，如 timings.json")
