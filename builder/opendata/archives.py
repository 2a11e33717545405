"""One archive per year for journalists: every PDF and every data file of the year in one zip, with SHA256SUMS.

The zip is made from files already in the site (the year's open-data files and its
departments' PDFs), with fixed dates (SOURCE_DATE_EPOCH, else 1980-01-01) and a fixed
order, so the same files give the same bytes. Inside: `<name>/pdf/<slug>-<year>.pdf`,
`<name>/data/…`, a `SHA256SUMS` of every other member and a `说明.txt` listing which PDF
is which department. Next to the zip, `<zip>.sha256` holds the zip's own checksum.
"""

from __future__ import annotations

import io
import zipfile
from dataclasses import dataclass
from datetime import datetime
from pathlib import PurePosixPath

from ..pipeline.fingerprint import content_sha256
from ..site import paths
from .export import CHECKSUMS

DOS_EPOCH = (1980, 1, 1, 0, 0, 0)


@dataclass(frozen=True)
class Member:
    """A file to put in the archive: its name inside, and where it is in the site (path from the root)."""

    name: str
    source: str


def archive_name(year: int) -> str:
    return f"{paths.data_prefix(year)}"


def archive_path(year: int) -> str:
    """`2023/data/budget-performance-2023.zip`."""
    return f"{paths.data_dir(year)}{archive_name(year)}.zip"


def checksum_path(year: int) -> str:
    return archive_path(year) + ".sha256"


def members(year: int, slugs: list[str], with_pdf: bool) -> list[Member]:
    """The year's data files (not their own SHA256SUMS: the archive has one for everything) and PDFs."""
    folder = archive_name(year)
    files = [
        Member(f"{folder}/data/{PurePosixPath(path).name}", path)
        for kind, path in paths.data_files(year).items()
        if kind != "checksums"
    ]
    if with_pdf:
        for slug in sorted(slugs):
            pdf = paths.pdf_path(year, slug)
            files.append(Member(f"{folder}/pdf/{PurePosixPath(pdf).name}", pdf))
    return files


def zip_bytes(contents: list[tuple[str, bytes]], readme: str, date: datetime | None) -> bytes:
    """The archive: the members in order, then `说明.txt` and `SHA256SUMS` (of every other member)."""
    stamp = date.timetuple()[:6] if date is not None and date.year >= 1980 else DOS_EPOCH
    folder = contents[0][0].split("/", 1)[0] if contents else "archive"
    readme_bytes = ("\ufeff" + readme).encode("utf-8")
    every = [*contents, (f"{folder}/说明.txt", readme_bytes)]
    sums = "".join(f"{content_sha256(data)}  {name.split('/', 1)[1]}\n" for name, data in sorted(every)).encode("utf-8")
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, data in [*every, (f"{folder}/{CHECKSUMS}", sums)]:
            info = zipfile.ZipInfo(name, date_time=stamp)
            info.external_attr = 0o644 << 16
            # PDFs and XLSX are compressed already; the rest (CSV, JSON, SQLite) shrink well.
            info.compress_type = zipfile.ZIP_STORED if name.endswith((".pdf", ".xlsx")) else zipfile.ZIP_DEFLATED
            archive.writestr(info, data)
    return buffer.getvalue()


def readme_text(year: int, departments: list[tuple[str, str, str]], with_pdf: bool) -> str:
    """`说明.txt`: what is in the archive and which PDF is which department (slug, name, region)."""
    lines = [
        f"{year} 年部门预算绩效文本：全部 PDF 和开放数据",
        "",
        "data/  开放数据（Excel、CSV、JSON），各列含义见网站的“数据说明”页。",
    ]
    if with_pdf:
        lines.append("pdf/   每个部门一份 PDF，文件名与部门的对应关系如下：")
        lines += [
            f"       {PurePosixPath(paths.pdf_path(year, slug)).name}  {name}{f'（{region}）' if region else ''}"
            for slug, name, region in sorted(departments)
        ]
    lines += ["", "SHA256SUMS  每个文件的 SHA-256 校验和；核对：sha256sum -c SHA256SUMS", ""]
    return "\r\n".join(lines)
