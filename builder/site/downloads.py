"""The Chinese file name of every PDF and download, for the web server's `Content-Disposition` header.

A link's `download` attribute names the saved file only when the reader clicks it on our
page; a link shared in a chat, or typed, saves under the URL's ASCII name. The deployment
guide's nginx configuration sends `Content-Disposition: attachment; filename="<ASCII>";
filename*=UTF-8''<percent-encoded Chinese name>` (RFC 6266, RFC 5987) for each file, from the
map this module writes into the site (`download-names.nginx.conf`, read by nginx's `map`
with `include`; the guide's configuration refuses to serve it). For Apache it writes the same
names as a `RewriteMap` text file (`download-names.apache.map`: path, then the encoded name).
"""

from __future__ import annotations

import posixpath
from collections.abc import Iterable
from urllib.parse import quote

from ..data.load import LoadedDepartment
from ..pipeline.fingerprint import digest
from ..pipeline.outputs import Outputs
from . import paths

MAP_FILE = "download-names.nginx.conf"
APACHE_MAP_FILE = "download-names.apache.map"
# What each download is, by its kind in paths.data_files: the words of its Chinese name.
KIND_NAMES = {
    "xlsx": "数据",
    "json": "数据",
    "departments.csv": "部门表",
    "projects.csv": "项目表",
    "indicators.csv": "绩效指标表",
    "spending-plan.csv": "资金支出计划表",
    "sqlite": "数据库",
    "schema": "数据格式",
}


def download_names(loaded: Iterable[LoadedDepartment]) -> dict[str, str]:
    """Path in the site → the name a browser should save it as."""
    loaded = list(loaded)
    names: dict[str, str] = {}
    scopes: list[tuple[int | None, str | None, str]] = [(None, None, "部门预算绩效文本全部年度")]
    scopes += [(year, None, f"{year}年部门预算绩效文本") for year in sorted({d.department.year for d in loaded})]
    for item in loaded:
        department = item.department
        scopes.append((department.year, item.source.slug, f"{department.department}{department.year}年"))
        names[paths.pdf_path(department.year, item.source.slug)] = paths.pdf_download_name(department)
    for year, slug, title in scopes:
        for kind, path in paths.data_files(year, slug).items():
            if kind == "checksums":  # `sha256sum -c SHA256SUMS` expects that name
                names[path] = posixpath.basename(path)
                continue
            names[path] = f"{title}{KIND_NAMES.get(kind, kind)}{posixpath.splitext(path)[1]}"
    return names


def disposition(path: str, name: str) -> str:
    """`attachment; filename="<ASCII name>"; filename*=UTF-8''<name>` for a file at `path`."""
    return f"attachment; filename=\"{posixpath.basename(path)}\"; filename*=UTF-8''{quote(name, safe='')}"


def map_text(names: dict[str, str]) -> str:
    """nginx `map` entries: the path from the site root → the Content-Disposition value."""
    escaped = {path: disposition(path, name).replace('"', '\\"') for path, name in names.items()}
    lines = [f'"{path}" "{value}";' for path, value in sorted(escaped.items())]
    return (
        "# 由 python -m builder build 生成：PDF 和数据下载的中文文件名（见 docs/deploy.md）\n" + "\n".join(lines) + "\n"
    )


def apache_map_text(names: dict[str, str]) -> str:
    """Apache `RewriteMap` (txt) lines: the path from the site root, then the percent-encoded name (no spaces)."""
    lines = [f"{path} {quote(name, safe='')}" for path, name in sorted(names.items())]
    return (
        "# 由 python -m builder build 生成：PDF 和数据下载的中文文件名（见 docs/deploy.md）\n" + "\n".join(lines) + "\n"
    )


def make_download_names(outputs: Outputs, loaded: list[LoadedDepartment]) -> None:
    """Write (or reuse) the maps of download names into the staging site; only names of files the site has."""
    names = {path: name for path, name in download_names(loaded).items() if (outputs.staging / path).is_file()}
    for file, text in ((MAP_FILE, map_text(names)), (APACHE_MAP_FILE, apache_map_text(names))):
        key = digest("download-names", file, text)
        if not outputs.reuse([file], key):
            (outputs.staging / file).write_text(text, encoding="utf-8")
            outputs.record(file, key)
