"""Time the XLSX writer of a year's workbook: ours (builder/opendata/to_xlsx.py) against XlsxWriter.

Loads a corpus (`generate_corpus.py N DIR`), takes the tables of its largest year (the year's
workbook: departments, projects, indicators, spending plan) and writes them, in this process:

- `ours`: `to_xlsx.write_xlsx` from the tables (every cell encoded, as a department's file is made);
- `ours, joined`: the same workbook from each department's rows already numbered and compressed
  (how a build writes a year's workbook from the cached pieces, builder/opendata/join.py);
- `XlsxWriter`: `constant_memory` mode (rows streamed to a temporary file), the same cells and types
  (text as inline strings, integers, figures as numbers with their published decimals, bold header,
  frozen first row, autofilter, column widths), document dates fixed.

Prints the median wall and CPU time of `--runs` runs of each (in turns), the peak of Python allocations (tracemalloc,
in one more run) and the ratio XlsxWriter / ours. XlsxWriter must be installed (`pip install
XlsxWriter`): it is not a dependency of the builder.

    .venv/bin/python benchmarks/generate_corpus.py 500 /tmp/c500
    .venv/bin/python benchmarks/xlsx_speed.py /tmp/c500 --runs 5
"""

from __future__ import annotations

import argparse
import gc
import statistics
import sys
import tempfile
import time
import tracemalloc
from collections import Counter
from collections.abc import Callable, Sequence
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from builder.data.amounts import format_amount  # noqa: E402
from builder.data.load import load_all  # noqa: E402
from builder.opendata.export import sorted_departments  # noqa: E402
from builder.opendata.tables import Table, build_tables, concat  # noqa: E402
from builder.opendata.to_xlsx import (  # noqa: E402
    NO_DATE,
    TITLE,
    column_widths,
    excel_number,
    number_format,
    row_templates,
    rows_piece,
    write_xlsx,
    xlsx_from_rows,
)

Writer = Callable[[Path], None]


def year_tables(data: Path) -> tuple[int, list[Table], list[dict[str, Table]]]:
    """The largest year's tables, and each department's (whose row templates a build joins)."""
    loaded, errors = load_all([data])
    if errors:
        raise SystemExit(f"{len(errors)} files of {data} do not load: {errors[0]}")
    loaded = sorted_departments(loaded)
    year, _ = Counter(item.department.year for item in loaded).most_common(1)[0]
    parts = [build_tables([item]) for item in loaded if item.department.year == year]
    return year, list(concat(parts).values()), parts


def ours(tables: list[Table]) -> Writer:
    def write(path: Path) -> None:
        path.write_bytes(xlsx_from_rows(tables, [[row_templates(table)] for table in tables], NO_DATE))

    return write


def ours_joined(tables: list[Table], parts: list[dict[str, Table]]) -> Writer:
    """As a build joins a year's workbook: each department's rows already numbered and compressed (cached)."""
    sheets = []
    for table in tables:
        first, pieces = 2, []
        for part in parts:
            pieces.append(rows_piece(row_templates(part[table.name]), first))  # made before timing
            first += len(part[table.name].rows)
        sheets.append(pieces)
    counts = [len(table.rows) for table in tables]

    def write(path: Path) -> None:
        with path.open("wb") as out:
            write_xlsx(out, tables, counts, [lambda pieces=pieces: pieces for pieces in sheets], NO_DATE)

    return write


def xlsxwriter_writer(tables: list[Table]) -> Writer:
    import xlsxwriter

    def write(path: Path) -> None:
        options = {
            "constant_memory": True,
            "strings_to_numbers": False,
            "strings_to_formulas": False,  # `=100%` stays text
            "strings_to_urls": False,
        }
        with xlsxwriter.Workbook(str(path), options) as workbook:
            workbook.set_properties({"title": TITLE, "created": NO_DATE})
            header = workbook.add_format({"bold": True, "text_wrap": True, "valign": "top"})
            formats: dict[int, object] = {}
            for table in tables:
                write_sheet(workbook.add_worksheet(table.label), table, header, formats, workbook)

    return write


def write_sheet(sheet, table: Table, header, formats: dict[int, object], workbook) -> None:
    for index, width in enumerate(column_widths(table)):
        sheet.set_column(index, index, width)
    sheet.freeze_panes(1, 0)
    sheet.autofilter(0, 0, len(table.rows), len(table.columns) - 1)
    for index, column in enumerate(table.columns):
        sheet.write_string(0, index, column.label, header)
    write_string, write_number = sheet.write_string, sheet.write_number
    for row_number, row in enumerate(table.rows, start=1):
        for index, value in enumerate(row):
            if value is None:
                continue
            if isinstance(value, str):
                write_string(row_number, index, value)
            elif isinstance(value, Decimal):
                number = excel_number(value)
                if number is None:
                    write_string(row_number, index, format_amount(value))
                    continue
                places = number[1]
                if places not in formats:
                    formats[places] = workbook.add_format({"num_format": number_format(places)})
                write_number(row_number, index, float(number[0]), formats[places])
            else:
                write_number(row_number, index, int(value))


def timed(writers: dict[str, Writer], folder: Path, runs: int) -> dict[str, tuple[float, float, float, int]]:
    """Per writer: median wall and CPU seconds of `runs` writes (taken in turns, so that a change in the
    machine's load hits every writer alike), the peak of Python allocations of one more write, the file's size."""
    times: dict[str, list[tuple[float, float]]] = {name: [] for name in writers}
    for _ in range(runs):
        for name, write in writers.items():
            gc.collect()
            wall, cpu = time.perf_counter(), time.process_time()
            write(folder / f"{len(times[name])}.xlsx")
            times[name].append((time.perf_counter() - wall, time.process_time() - cpu))
    figures = {}
    for name, write in writers.items():
        gc.collect()
        tracemalloc.start()
        write(folder / "traced.xlsx")
        peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
        wall, cpu = (statistics.median(values) for values in zip(*times[name], strict=True))
        figures[name] = (wall, cpu, peak / 2**20, (folder / "traced.xlsx").stat().st_size)
    return figures


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("data", type=Path, help="a corpus folder (generate_corpus.py)")
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args(argv)
    year, tables, parts = year_tables(args.data)
    cells = sum(len(table.rows) * len(table.columns) for table in tables)
    print(f"{year}: {len(parts)} departments, {sum(len(t.rows) for t in tables)} rows, {cells} cells")
    writers = {
        "ours": ours(tables),
        "ours, joined": ours_joined(tables, parts),
        "XlsxWriter constant_memory": xlsxwriter_writer(tables),
    }
    with tempfile.TemporaryDirectory() as folder:
        figures = timed(writers, Path(folder), args.runs)
    print("| writer | wall (median) | CPU (median) | peak Python memory | file |")
    print("| --- | --- | --- | --- | --- |")
    for name, (wall, cpu, peak, size) in figures.items():
        print(f"| {name} | {wall:.2f} s | {cpu:.2f} s | {peak:.0f} MB | {size / 2**20:.1f} MB |")
    theirs = figures["XlsxWriter constant_memory"]
    ratio, cpu_ratio = theirs[0] / figures["ours"][0], theirs[1] / figures["ours"][1]
    joined = theirs[0] / figures["ours, joined"][0]
    print(f"XlsxWriter / ours: {ratio:.2f}x wall, {cpu_ratio:.2f}x CPU (against a build's joined write: {joined:.1f}x)")


if __name__ == "__main__":
    main()
