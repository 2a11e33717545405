"""The fast export writers: department pieces join into the same files, and the files read back exactly.

The writers do not go through a spreadsheet library or the indenting JSON encoder, so
these tests hold them to what those would give: the JSON of `json.dumps(indent=2)`,
byte for byte, and an XLSX that openpyxl reads with the same types and text.
"""

from __future__ import annotations

import hashlib
import io
import json
import zipfile
from decimal import Decimal
from pathlib import Path

import openpyxl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from builder.data.load import LoadedDepartment, load_all
from builder.opendata.export import (
    encode,
    export_files,
    join_encoded,
    scope_contents,
    scope_files_and_digests,
    scopes,
    sorted_departments,
    source_date,
    write_scopes,
)
from builder.opendata.tables import Column, Table, build_tables, concat
from builder.opendata.to_json import json_text
from builder.opendata.to_xlsx import xlsx_bytes
from builder.site.downloads import downloads_markdown

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def loaded() -> list[LoadedDepartment]:
    departments, errors = load_all([ROOT / "data", ROOT / "tests" / "hostile_data"])
    assert errors == []
    return sorted_departments(departments)


def test_joined_department_pieces_give_the_files_of_the_whole_scope(loaded: list[LoadedDepartment]) -> None:
    site = scopes(loaded)[0]
    tables = build_tables(loaded, "https://example.org/")
    per_department = [build_tables([x], "https://example.org/") for x in loaded]
    pieces = [encode(part, [x], "https://example.org/") for part, x in zip(per_department, loaded, strict=True)]
    joined = join_encoded(pieces)
    assert concat(per_department) == tables
    direct = scope_contents(site, tables, "https://example.org/", None)
    from_pieces = scope_contents(site, tables, "https://example.org/", None, joined)
    # The workbook's sheets are compressed piece by piece: other bytes, the same cells.
    assert {kind: data for kind, data in from_pieces.items() if kind != "xlsx"} == {
        kind: data for kind, data in direct.items() if kind != "xlsx"
    }
    assert workbook_cells(from_pieces["xlsx"]) == workbook_cells(direct["xlsx"])


def workbook_cells(data: bytes) -> list[list[tuple[object, ...]]]:
    """Every sheet's cells: value, type and number format."""
    workbook = openpyxl.load_workbook(io.BytesIO(data))
    return [
        [tuple((cell.value, cell.data_type, cell.number_format) for cell in row) for row in sheet.iter_rows()]
        for sheet in workbook.worksheets
    ]


def test_write_scopes_one_scope_at_a_time_writes_the_files_of_export_files(
    loaded: list[LoadedDepartment], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("SOURCE_DATE_EPOCH", raising=False)
    expected = export_files(loaded)
    written: dict[str, tuple[int, str]] = {}
    for scope in scopes(loaded):
        written.update(write_scopes([scope], "", None, tmp_path))
    assert set(written) == set(expected)
    for path, (size, digest) in written.items():
        data = (tmp_path / path).read_bytes()
        assert data == expected[path]
        assert (size, digest) == (len(data), hashlib.sha256(data).hexdigest())


def test_write_scopes_in_any_order_writes_the_files_of_export_files(
    loaded: list[LoadedDepartment], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The year before the site: contents shared between them still give the site its database."""
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")
    expected = export_files(loaded)
    written = write_scopes(list(reversed(scopes(loaded))), "", source_date(), tmp_path)
    assert {path: (tmp_path / path).read_bytes() for path in written} == expected
    read_back = downloads_markdown(tmp_path, loaded, "../")
    assert downloads_markdown(tmp_path, loaded, "../", known=written) == read_back


def test_scope_files_checksum_every_file(loaded: list[LoadedDepartment]) -> None:
    scope = scopes(loaded)[-1]
    files, _ = scope_files_and_digests(scope, scope_contents(scope, build_tables(scope.departments), "", None))
    sums = next(data for path, data in files.items() if path.endswith("SHA256SUMS")).decode().splitlines()
    by_name = {path.rsplit("/", 1)[1]: data for path, data in files.items()}
    assert len(sums) == len(files) - 1
    for line in sums:
        digest, name = line.split("  ")
        assert hashlib.sha256(by_name[name]).hexdigest() == digest


# --- JSON: the same text as json.dumps(indent=2) -------------------------------------------

scalars = st.none() | st.booleans() | st.integers() | st.text() | st.floats(allow_nan=False, allow_infinity=False)
json_values = st.recursive(
    scalars | st.decimals(allow_nan=False, allow_infinity=False),
    lambda children: st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=5), children, max_size=4),
    max_leaves=30,
)


def reference_json(value: object, level: int = 0) -> str:
    text = json.dumps(value, ensure_ascii=False, indent=2, default=lambda d: format(d, "f"))
    return text.replace("\n", "\n" + "  " * level)


@settings(max_examples=300, deadline=None)
@given(json_values, st.integers(min_value=0, max_value=3))
def test_json_writer_matches_the_standard_library(value: object, level: int) -> None:
    assert json_text(value, level) == reference_json(value, level)


def test_json_writer_edge_cases() -> None:
    for value in ({}, [], {"a": {}, "b": []}, [[], [{}]], {1: "x", 2.5: True, None: 1}, '\n"\\é\u2028', 1e300, -0.0):
        assert json_text(value) == reference_json(value)
    with pytest.raises(TypeError):
        json_text({"a": object()})


# --- XLSX: read back by openpyxl -----------------------------------------------------------

HOSTILE_TEXTS = [
    "=1+2",
    "+1",
    "-1",
    "@SUM(A1)",
    "#N/A",
    "=100%",
    "<script>alert(1)</script> & \"quotes\" 'single'",
    "  leading and trailing  ",
    "two\nlines",
    "windows\r\nline",
    "655001",
    "",
]


def text_table(texts: list[str | None]) -> Table:
    return Table("t", "文字", (Column("text", "文字"), Column("n", "数", "integer")), tuple((t, 1) for t in texts))


def read_sheet(data: bytes) -> list[tuple[object, ...]]:
    workbook = openpyxl.load_workbook(io.BytesIO(data))
    return [tuple(cell.value for cell in row) for row in workbook.worksheets[0].iter_rows(min_row=2)]


def test_xlsx_text_is_read_back_exactly_as_text() -> None:
    data = xlsx_bytes([text_table([*HOSTILE_TEXTS, None])])
    rows = read_sheet(data)
    assert [row[0] for row in rows] == [*HOSTILE_TEXTS, None]
    assert all(row[1] == 1 for row in rows)
    workbook = openpyxl.load_workbook(io.BytesIO(data))
    cells = [cell for row in workbook.worksheets[0].iter_rows() for cell in row]
    assert not [cell.coordinate for cell in cells if cell.data_type == "f"]


def test_xlsx_characters_xml_cannot_hold_are_escaped_for_excel() -> None:
    """Control characters become `_xHHHH_`, and a literal `_xHHHH_` keeps its text (`_x005F_`), as Excel reads them."""
    data = xlsx_bytes([text_table(["bell\x07", "_x0041_", "a_xb"])])
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        sheet = archive.read("xl/worksheets/sheet1.xml").decode()
    assert "bell_x0007_" in sheet and "_x005F_x0041_" in sheet and "a_xb" in sheet
    assert "\x07" not in sheet


def test_xlsx_numbers_keep_their_decimals_and_types() -> None:
    columns = (Column("a", "金额", "amount"), Column("i", "整数", "integer"), Column("x", "数值", "number"))
    values = [
        (Decimal("188.51"), 2023, Decimal("100")),
        (Decimal("10.00"), 0, Decimal("-5")),
        (Decimal("99999999999.99999"), None, Decimal("0.5")),
        (None, -7, Decimal("1E+2")),
    ]
    workbook = openpyxl.load_workbook(io.BytesIO(xlsx_bytes([Table("t", "数", columns, tuple(values))])))
    rows = list(workbook.worksheets[0].iter_rows(min_row=2))
    assert [cell.value for cell in rows[0]] == [188.51, 2023, 100]
    assert (rows[1][0].value, rows[1][0].number_format) == (10, "0.00")
    assert rows[2][0].value == "99999999999.99999"  # a float cannot show it: text
    assert rows[2][1].value is None
    assert [cell.value for cell in rows[3]] == [None, -7, 100]
    assert all(isinstance(row[2].value, int | float) for row in rows)


def test_xlsx_sheets_have_frozen_headers_filters_and_widths(loaded: list[LoadedDepartment]) -> None:
    data = xlsx_bytes(build_tables(loaded).values())
    workbook = openpyxl.load_workbook(io.BytesIO(data))
    for sheet in workbook.worksheets:
        assert sheet.freeze_panes == "A2"
        assert sheet.auto_filter.ref == f"A1:{sheet.cell(1, sheet.max_column).column_letter}{sheet.max_row}"
        assert all(cell.font.b for cell in sheet[1])
        assert all(dimension.width >= 4 for dimension in sheet.column_dimensions.values())
    assert workbook.properties.title == "部门预算绩效文本 开放数据"


def test_xlsx_of_empty_tables_opens() -> None:
    columns = (Column("a", "甲"),)
    workbook = openpyxl.load_workbook(io.BytesIO(xlsx_bytes([Table("t", "空", columns, ())])))
    assert [[cell.value for cell in row] for row in workbook.worksheets[0].iter_rows()] == [["甲"]]
