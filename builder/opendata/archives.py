"""One archive per year for journalists: every PDF and every data file of the year in one zip, with SHA256SUMS.

The zip is made from files already in the site (the year's open-data files and its
departments' PDFs), with fixed dates (SOURCE_DATE_EPOCH, else 1980-01-01) and a fixed
order, so the same files give the same bytes. It is streamed to its file, never whole in
memory; PDFs and the XLSX are stored, and the CSV and JSON members are joined from the
departments' pieces compressed once (builder/opendata/pieces.py) and joined once per block of
departments (builder/opendata/blocks.py, `join.archive_member`), so remaking the archive after
an edit compresses nothing but the edited department, and joins one block. Inside: `<name>/pdf/<slug>-<year>.pdf`,
`<name>/data/…`, a `SHA256SUMS` of every other member and a `说明.txt` listing which PDF
is which department. Next to the zip, `<zip>.sha256` holds the zip's own checksum.
"""

from __future__ import annotations

import io
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path, PurePosixPath
from typing import BinaryIO

from ..pipeline.fingerprint import content_hasher, content_sha256
from ..site import paths
from . import zipstream
from .export import CHECKSUMS
from .pieces import ARCHIVE_LEVEL
from .to_xlsx import ZIP_ATTRIBUTES
from .zipstream import STORED, deflated, stored, write_zip

DOS_EPOCH = (1980, 1, 1, 0, 0, 0)
BLOCK = 1 << 20


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


@dataclass(frozen=True)
class Content:
    """A member ready to write: its bytes (compressed or stored, streamed) and the SHA-256 of its content."""

    member: zipstream.Member
    sha256: str


def is_stored(name: str) -> bool:
    """PDFs and XLSX are compressed already: stored as they are; the rest (CSV, JSON) shrink well."""
    return name.endswith((".pdf", ".xlsx"))


def content_of(name: str, data: bytes) -> Content:
    """A member from bytes in memory."""
    member = stored(name, data) if is_stored(name) else deflated(name, data, ARCHIVE_LEVEL)
    return Content(member, content_sha256(data))


def file_content(name: str, path: Path, sha256: str | None = None) -> Content:
    """A member stored from a file (a PDF, the year's XLSX): read once for its CRC and SHA-256 (unless given),
    once to be written."""
    if not is_stored(name):
        return content_of(name, path.read_bytes())
    crc, size, sha = 0, 0, content_hasher()
    with path.open("rb") as file:
        while block := file.read(BLOCK):
            crc, size = zlib.crc32(block, crc), size + len(block)
            if sha256 is None:
                sha.update(block)

    def chunks() -> Iterator[bytes]:
        with path.open("rb") as file:
            while block := file.read(BLOCK):
                yield block

    return Content(zipstream.Member(name, STORED, crc, size, size, chunks()), sha256 or sha.hexdigest())


def write_archive(out: BinaryIO, contents: list[Content], readme: str, date: datetime | None) -> None:
    """The archive: the members in order, then `说明.txt` and `SHA256SUMS` (of every other member), streamed."""
    stamp = date.timetuple()[:6] if date is not None and date.year >= 1980 else DOS_EPOCH
    folder = contents[0].member.name.split("/", 1)[0] if contents else "archive"
    every = [*contents, content_of(f"{folder}/说明.txt", ("\ufeff" + readme).encode("utf-8"))]
    listed = sorted((content.member.name, content.sha256) for content in every)
    sums = "".join(f"{sha}  {name.split('/', 1)[1]}\n" for name, sha in listed).encode("utf-8")
    members = [content.member for content in every] + [content_of(f"{folder}/{CHECKSUMS}", sums).member]
    write_zip(out, members, stamp, ZIP_ATTRIBUTES)


def zip_bytes(contents: list[tuple[str, bytes]], readme: str, date: datetime | None) -> bytes:
    """The archive of files in memory (`write_archive`)."""
    buffer = io.BytesIO()
    write_archive(buffer, [content_of(name, data) for name, data in contents], readme, date)
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
