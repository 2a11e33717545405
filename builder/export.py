"""Write the open-data downloads (per department, per year, whole site) and list them for the 数据下载 page.

Every file is made in memory first, so an error leaves nothing half-written; the
same data give the same bytes (no dates unless SOURCE_DATE_EPOCH is set).
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from itertools import pairwise
from pathlib import Path, PurePosixPath

from .export_csv import csv_bytes
from .export_json import json_bytes
from .export_sqlite import ExportError, prepare, sqlite_bytes
from .export_tables import Table, build_tables, concat
from .export_xlsx import xlsx_bytes
from .load import LoadedDepartment
from .paths import data_files
from .schema import schema_text

CHECKSUMS = "SHA256SUMS"

KIND_LABELS = {
    "xlsx": "Excel 工作簿（部门、项目、绩效指标、资金支出计划四张表）",
    "departments.csv": "部门表（CSV）",
    "projects.csv": "项目表（CSV）",
    "indicators.csv": "绩效指标表（CSV）",
    "spending-plan.csv": "资金支出计划表（CSV）",
    "json": "完整数据（JSON）",
    "sqlite": "SQLite 数据库（全部年度，可用 Datasette 等工具查询）",
    "schema": "数据文件格式（JSON Schema）",
    "checksums": "SHA-256 校验和（sha256sum -c SHA256SUMS）",
}


def source_date() -> datetime | None:
    """SOURCE_DATE_EPOCH as a naive UTC datetime (reproducible builds), else None."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH", "").strip()
    return datetime.fromtimestamp(int(epoch), UTC).replace(tzinfo=None) if epoch.isdigit() else None


@dataclass(frozen=True)
class Scope:
    """A set of departments published together: the whole site, one year, or one department."""

    year: int | None
    slug: str | None
    departments: list[LoadedDepartment]


def scopes(loaded_list: list[LoadedDepartment]) -> list[Scope]:
    """The whole site, then each year, then each department, in year and slug order."""
    years = sorted({loaded.department.year for loaded in loaded_list})
    by_year = [Scope(year, None, [x for x in loaded_list if x.department.year == year]) for year in years]
    singles = [Scope(x.department.year, x.source.slug, [x]) for x in loaded_list]
    return [Scope(None, None, loaded_list), *by_year, *singles]


def sorted_departments(loaded_list: Iterable[LoadedDepartment]) -> list[LoadedDepartment]:
    """Year, then slug; ExportError when two files would publish under the same address."""
    ordered = sorted(loaded_list, key=lambda loaded: (loaded.department.year, loaded.source.slug))
    for first, second in pairwise(ordered):
        if (first.department.year, first.source.slug) == (second.department.year, second.source.slug):
            raise ExportError(
                f"{first.source.path} 与 {second.source.path} 的年度和部门代号相同 — 请把其中一个文件改名"
            )
    return ordered


def scope_contents(scope: Scope, tables: dict[str, Table], site_url: str, date: datetime | None) -> dict[str, bytes]:
    """The files every scope has, by kind (`xlsx`, `projects.csv`, `json`, …)."""
    contents = {"xlsx": xlsx_bytes(tables.values(), date)}
    contents.update({f"{name.replace('_', '-')}.csv": csv_bytes(table) for name, table in tables.items()})
    contents["json"] = json_bytes(scope.departments, site_url)
    if scope.year is None:
        contents["sqlite"] = sqlite_bytes([prepare(table) for table in tables.values()], date)
        contents["schema"] = schema_text().encode("utf-8")
    return contents


def scope_files(scope: Scope, contents: dict[str, bytes]) -> dict[str, bytes]:
    """The scope's files by path from the site root, with its SHA256SUMS."""
    paths = data_files(scope.year, scope.slug)
    files = {paths[kind]: data for kind, data in contents.items() if kind in paths}
    files[paths["checksums"]] = checksums(files)
    return files


def checksums(files: dict[str, bytes]) -> bytes:
    """`sha256sum` format, one line per file of the folder, by name."""
    lines = [f"{hashlib.sha256(data).hexdigest()}  {PurePosixPath(path).name}\n" for path, data in files.items()]
    return "".join(sorted(lines, key=lambda line: line.split("  ", 1)[1])).encode("utf-8")


def export_files(loaded_list: Iterable[LoadedDepartment], site_url: str = "") -> dict[str, bytes]:
    """Every download as bytes, by path from the site root; nothing is written."""
    ordered, date = sorted_departments(loaded_list), source_date()
    per_department = {id(loaded): build_tables([loaded], site_url) for loaded in ordered}
    made: dict[tuple[int, ...], dict[str, bytes]] = {}  # a year of one department is that department's files
    files: dict[str, bytes] = {}
    for scope in scopes(ordered):
        key = tuple(id(loaded) for loaded in scope.departments)
        if key not in made:
            tables = concat(per_department[id(loaded)] for loaded in scope.departments)
            made[key] = scope_contents(scope, tables, site_url, date)
        files.update(scope_files(scope, made[key]))
    return files


def write_exports(loaded_list: Iterable[LoadedDepartment], site_dir: Path, site_url: str = "") -> list[Path]:
    """Write every download under `site_dir` and return the paths written, sorted.

    `site_url` (e.g. `https://example.org/budget/`) makes the page links inside the
    data absolute; without it they are relative to the site root.
    """
    written = []
    for relative, data in sorted(export_files(loaded_list, site_url).items()):
        path = site_dir / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
        written.append(path)
    return written


@dataclass(frozen=True)
class Download:
    """One file on the 数据下载 page."""

    path: str
    kind: str
    label: str
    size: int
    sha256: str


@dataclass(frozen=True)
class DownloadGroup:
    """The files of one scope: the whole site (year None), one year, or one department."""

    title: str
    year: int | None
    slug: str | None
    files: list[Download]


def download(site_dir: Path, kind: str, path: str) -> Download:
    data = (site_dir / path).read_bytes()
    return Download(path, kind, KIND_LABELS[kind], len(data), hashlib.sha256(data).hexdigest())


def download_groups(site_dir: Path, loaded_list: Iterable[LoadedDepartment]) -> list[DownloadGroup]:
    """The written downloads of every scope, with sizes and SHA-256, read back from `site_dir`."""
    groups = []
    for scope in scopes(sorted_departments(loaded_list)):
        paths = data_files(scope.year, scope.slug)
        files = [download(site_dir, kind, path) for kind, path in paths.items()]
        groups.append(DownloadGroup(scope_title(scope), scope.year, scope.slug, files))
    return groups


def scope_title(scope: Scope) -> str:
    if scope.year is None:
        return "全部年度"
    if scope.slug is None:
        return f"{scope.year} 年"
    return scope.departments[0].department.department


def format_size(size: int) -> str:
    """`812 字节`, `12.3 KB`, `4.5 MB` (1 KB = 1024 字节)."""
    if size < 1024:
        return f"{size} 字节"
    if size < 1024 * 1024:
        return f"{size / 1024:.1f} KB"
    return f"{size / 1024 / 1024:.1f} MB"


def markdown_text(text: str) -> str:
    """Text safe inside a Markdown table cell or link label."""
    for char in "\\`*_[]<>|":
        text = text.replace(char, "\\" + char)
    return text


def files_table(files: list[Download], link_prefix: str) -> list[str]:
    lines = ["| 文件 | 内容 | 大小 | SHA-256 |", "| --- | --- | --- | --- |"]
    for item in files:
        name = PurePosixPath(item.path).name
        lines.append(
            f"| [{markdown_text(name)}]({link_prefix}{item.path}) | {item.label} | {format_size(item.size)} "
            f"| `{item.sha256}` |"
        )
    return lines


def department_links(group: DownloadGroup, link_prefix: str) -> str:
    by_kind = {item.kind: item for item in group.files}
    short = {"xlsx": "XLSX", "projects.csv": "项目 CSV", "indicators.csv": "指标 CSV", "json": "JSON"}
    return " · ".join(
        f"[{label}]({link_prefix}{by_kind[kind].path})（{format_size(by_kind[kind].size)}）"
        for kind, label in short.items()
    )


def downloads_markdown(site_dir: Path, loaded_list: Iterable[LoadedDepartment], link_prefix: str = "") -> str:
    """The 数据下载 page body: site-wide and yearly files in full, then a line per department.

    `link_prefix` leads from the page to the site root (e.g. `../` for a page at `downloads/`).
    """
    groups = download_groups(site_dir, loaded_list)
    lines = ["<!-- 由 builder/export.py 生成，请勿手改 -->", ""]
    for group in (group for group in groups if group.slug is None):
        lines += [f"## {group.title}", "", *files_table(group.files, link_prefix), ""]
    departments = [group for group in groups if group.slug is not None]
    if departments:
        lines += ["## 各部门", "", "| 年度 | 部门 | 下载 |", "| --- | --- | --- |"]
        lines += [
            f"| {group.year} | {markdown_text(group.title)} | {department_links(group, link_prefix)} |"
            for group in departments
        ]
        lines += ["", "各部门文件的完整列表和校验和见各自文件夹中的 `SHA256SUMS`。", ""]
    return "\n".join(lines)
