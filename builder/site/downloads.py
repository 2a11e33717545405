"""The site's downloads: the 数据下载 page, and the Chinese file name of every PDF and download for the web server.

The 数据下载 page (`downloads_page`, from templates/pages/downloads.md) lists the yearly archives,
every PDF and the open-data files (builder/opendata/export.py writes them) with size and SHA-256.

The file names are for the web server's `Content-Disposition` header.

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
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from urllib.parse import quote

from ..data.load import LoadedDepartment
from ..opendata.export import scope_title, scopes, sorted_departments
from ..pipeline.fingerprint import code_fingerprint, content_sha256, digest
from ..pipeline.outputs import Outputs
from . import paths
from .pages import front_matter, page_environment

DOWNLOADS = "downloads.md"  # the 数据下载 page's template, in templates/pages/
DOWNLOADS_TITLE = "数据下载"

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
    """Write (or reuse) the maps of download names into the staging site; only names of files the site has.

    Keyed by the names and the code that writes them, so a build that changed none reuses both maps without
    writing their text (42 000 percent-encoded names at 3 000 departments: most of a second)."""
    names = {path: name for path, name in download_names(loaded).items() if _in_site(outputs, path)}
    listed = digest("download-names", code_fingerprint(), *(f"{path}\0{name}" for path, name in sorted(names.items())))
    for file, text_of in ((MAP_FILE, map_text), (APACHE_MAP_FILE, apache_map_text)):
        key = digest(listed, file)
        if not outputs.reuse([file], key):
            outputs.target(file).write_text(text_of(names), encoding="utf-8")
            outputs.record(file, key)


def _in_site(outputs: Outputs, path: str) -> bool:
    """Whether the site being built has the file: recorded by a step, or written all the same."""
    return path in outputs.entries or outputs.location(path).is_file()


@dataclass(frozen=True)
class Download:
    """One file on the 数据下载 page."""

    path: str
    kind: str
    label: str
    size: int
    sha256: str

    @property
    def name(self) -> str:
        return PurePosixPath(self.path).name


@dataclass(frozen=True)
class DownloadGroup:
    """The files of one scope: the whole site (year None), one year, or one department."""

    title: str
    year: int | None
    slug: str | None
    files: list[Download]

    def file(self, kind: str) -> Download:
        return next(item for item in self.files if item.kind == kind)


def download(site_dir: Path, kind: str, path: str, known: Mapping[str, tuple[int, str]] | None = None) -> Download:
    """One file's entry: its size and SHA-256 from `known` (`write_scopes`' answer) or read back."""
    if known is not None and path in known:
        size, digest = known[path]
    else:
        data = (site_dir / path).read_bytes()
        size, digest = len(data), content_sha256(data)
    return Download(path, kind, KIND_LABELS[kind], size, digest)


def download_groups(
    site_dir: Path, loaded_list: Iterable[LoadedDepartment], known: Mapping[str, tuple[int, str]] | None = None
) -> list[DownloadGroup]:
    """The written downloads of every scope, with sizes and SHA-256, from `known` or read back from `site_dir`."""
    groups = []
    for scope in scopes(sorted_departments(loaded_list)):
        files = [
            download(site_dir, kind, path, known) for kind, path in paths.data_files(scope.year, scope.slug).items()
        ]
        groups.append(DownloadGroup(scope_title(scope), scope.year, scope.slug, files))
    return groups


@dataclass(frozen=True)
class Archive:
    """A year's ZIP archive (made after the PDFs by builder/pipeline/steps/pack_archives.py, so listed without size)."""

    year: int
    path: str

    @property
    def name(self) -> str:
        return PurePosixPath(self.path).name


@dataclass(frozen=True)
class PdfRow:
    """A department's PDF on the 数据下载 page."""

    year: int
    department: str
    region: str
    path: str
    label: str


def archives(loaded_list: list[LoadedDepartment]) -> list[Archive]:
    """One archive per year, newest first."""
    years = sorted({loaded.department.year for loaded in loaded_list}, reverse=True)
    return [Archive(year, f"{paths.data_dir(year)}{paths.data_prefix(year)}.zip") for year in years]


def pdf_rows(loaded_list: list[LoadedDepartment]) -> list[PdfRow]:
    """Every department's PDF, newest year first, then by department."""
    ordered = sorted(loaded_list, key=lambda loaded: (-loaded.department.year, loaded.source.slug))
    return [
        PdfRow(
            loaded.department.year,
            loaded.department.department,
            loaded.department.region or "",
            paths.pdf_path(loaded.department.year, loaded.source.slug),
            paths.pdf_download_name(loaded.department),
        )
        for loaded in ordered
    ]


# The files linked on a department's line of the 数据下载 page, by kind, with their short labels.
DEPARTMENT_LINKS = {  # every file of a department's folder: a journalist checks a quoted file by its SHA256SUMS
    "xlsx": "XLSX",
    "departments.csv": "部门 CSV",
    "projects.csv": "项目 CSV",
    "indicators.csv": "指标 CSV",
    "spending-plan.csv": "支出计划 CSV",
    "json": "JSON",
    "checksums": "SHA256SUMS",
}


def downloads_page(
    site_dir: Path,
    loaded_list: Iterable[LoadedDepartment],
    link_prefix: str = "",
    known: Mapping[str, tuple[int, str]] | None = None,
    with_pdf: bool = False,
) -> str:
    """The whole 数据下载 page: front matter, then `downloads_markdown`."""
    return front_matter(DOWNLOADS_TITLE, pagefind=False) + downloads_markdown(
        site_dir, loaded_list, link_prefix, known, with_pdf
    )


def downloads_placeholder() -> str:
    """The 数据下载 page with its heading only, for a part of a split build (the whole page is made at the merge)."""
    heading = page_environment().get_template(DOWNLOADS).render(placeholder=True)
    return front_matter(DOWNLOADS_TITLE, pagefind=False) + heading


# A site of more departments than this lists none of them line by line on 数据下载 (their PDFs and files): 3 000
# made the page 2.1 MB for a phone, and every edit made it again. Each department page offers its own files, with
# its SHA256SUMS; the year's ZIP holds them all.
LISTED_DEPARTMENTS = 300


def downloads_markdown(
    site_dir: Path,
    loaded_list: Iterable[LoadedDepartment],
    link_prefix: str = "",
    known: Mapping[str, tuple[int, str]] | None = None,
    with_pdf: bool = False,
) -> str:
    """The 数据下载 page's Markdown (`templates/pages/downloads.md`): its heading, the yearly archives, every PDF
    (when made), site-wide and yearly files in full, then a line per department.

    `link_prefix` leads from the page to the site root (e.g. `../` for a page at `downloads/`);
    `known` gives files' sizes and SHA-256 already known ({path: (size, hex)}), else they are read back.
    """
    loaded_list = list(loaded_list)
    groups = download_groups(site_dir, loaded_list, known)
    listed = len(loaded_list) <= LISTED_DEPARTMENTS
    context = {
        "placeholder": False,
        "prefix": link_prefix,
        "with_pdf": with_pdf,
        "archives": archives(loaded_list),
        "pdfs": pdf_rows(loaded_list) if with_pdf and listed else [],
        "groups": [group for group in groups if group.slug is None],
        "departments": [group for group in groups if group.slug is not None] if listed else [],
        "unlisted": 0 if listed else len(loaded_list),
        "short_labels": DEPARTMENT_LINKS,
    }
    return page_environment().get_template(DOWNLOADS).render(**context)
