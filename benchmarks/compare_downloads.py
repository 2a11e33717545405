"""Compare the open-data downloads of two built sites by content, not by bytes.

    .venv/bin/python benchmarks/compare_downloads.py OLD_SITE NEW_SITE

For a change that writes the same data in other bytes (XLSX sheets compressed in pieces, a
database written in a file): CSV and JSON files must be equal byte for byte; an XLSX file
must have the same sheets, and in them the same cells (value, type, number format), frozen
panes, filters and column widths; a SQLite database the same schema and rows (`iterdump`)
and user_version; a SHA256SUMS the same file names, each line true of its own site; a zip the
same members, compared by these same rules. Prints what differs; exits 1 if anything does.
"""

from __future__ import annotations

import hashlib
import io
import sqlite3
import sys
import tempfile
import zipfile
from pathlib import Path

import openpyxl


def workbook(data: bytes) -> object:
    book = openpyxl.load_workbook(io.BytesIO(data))
    sheets = []
    for sheet in book.worksheets:
        cells = [tuple((c.value, c.data_type, c.number_format) for c in row) for row in sheet.iter_rows()]
        widths = {key: dimension.width for key, dimension in sheet.column_dimensions.items()}
        sheets.append((sheet.title, sheet.freeze_panes, sheet.auto_filter.ref, widths, cells))
    properties = book.properties
    return properties.title, properties.creator, properties.created, properties.modified, sheets


def database(data: bytes) -> object:
    with tempfile.NamedTemporaryFile(suffix=".db") as file:
        file.write(data)
        file.flush()
        connection = sqlite3.connect(file.name)
        try:
            return connection.execute("PRAGMA user_version").fetchone(), list(connection.iterdump())
        finally:
            connection.close()


def checksums(data: bytes) -> object:
    return sorted(line.split("  ", 1)[1] for line in data.decode("utf-8").splitlines())


def archive(data: bytes) -> object:
    with zipfile.ZipFile(io.BytesIO(data)) as opened:
        assert opened.testzip() is None
        return [(name, content(name, opened.read(name))) for name in opened.namelist()]


def content(name: str, data: bytes) -> object:
    """What must stay the same in a file of this name."""
    if name.endswith(".xlsx"):
        return workbook(data)
    if name.endswith(".db"):
        return database(data)
    if name.endswith("SHA256SUMS"):
        return checksums(data)
    if name.endswith(".zip"):
        return archive(data)
    if name.endswith(".pdf"):
        return "pdf"  # PDFs are not open data; their fonts differ between machines
    return hashlib.sha256(data).hexdigest()


def sums_hold(site: Path) -> list[str]:
    """SHA256SUMS lines that are not true of the files beside them."""
    wrong = []
    for sums in site.rglob("SHA256SUMS"):
        for line in sums.read_text(encoding="utf-8").splitlines():
            digest, name = line.split("  ", 1)
            if hashlib.sha256((sums.parent / name).read_bytes()).hexdigest() != digest:
                wrong.append(f"{sums.relative_to(site)}: {name}")
    return wrong


def downloads(site: Path) -> dict[str, Path]:
    return {
        path.relative_to(site).as_posix(): path
        for path in site.rglob("*")
        if path.is_file() and "data" in path.relative_to(site).parts[:-1] and not path.name.endswith(".sha256")
    }


def main(old: Path, new: Path) -> int:
    before, after = downloads(old), downloads(new)
    problems = [f"only in {old}: {name}" for name in sorted(set(before) - set(after))]
    problems += [f"only in {new}: {name}" for name in sorted(set(after) - set(before))]
    same_bytes = same_content = 0
    for name in sorted(set(before) & set(after)):
        first, second = before[name].read_bytes(), after[name].read_bytes()
        if first == second:
            same_bytes += 1
        elif content(name, first) == content(name, second):
            same_content += 1
        else:
            problems.append(f"content differs: {name}")
    problems += [f"checksum wrong in {new}: {line}" for line in sums_hold(new)]
    print(f"{len(after)} downloads: {same_bytes} same bytes, {same_content} other bytes but the same content")
    print("\n".join(problems) or "no difference in content")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(Path(sys.argv[1]), Path(sys.argv[2])))
