"""Write the export tables into one SQLite database with foreign keys, ready for Datasette or any SQL tool.

Amounts are stored twice, both exact: as TEXT (`188.51`, the same string as the CSV)
and as INTEGER 分 in `<column>_fen` (1 万元 = 1,000,000 分), so that
`SUM(budget_total_fen)` adds up without floating-point error.

Sorting the TEXT amounts puts 973 above 2000, an easy trap: each table has a view
`<table>_numeric` with the same columns, where every amount (from its `_fen`) and every
number (`value_number`, `percent`) is a REAL, so `ORDER BY budget_total DESC` on the view
sorts by value; the exact text is beside it as `<column>_text`.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from ..data.amounts import format_amount
from ..errors import BuilderError
from .tables import EXPORT_UNIT, Cell, Column, Table, only

FEN_PER_EXPORT_UNIT = 1_000_000  # 1 万元 = 10,000 元 = 1,000,000 分
MAX_SQLITE_INTEGER = 2**63 - 1
SCHEMA_VERSION = 1  # PRAGMA user_version; raised when a column is renamed or removed

PRIMARY_KEYS = {
    "departments": ("department_id",),
    "projects": ("project_id",),
    "indicators": ("project_id", "indicator_no"),
    "spending_plan": ("project_id", "checkpoint_no"),
}
FOREIGN_KEYS = {
    "projects": ("department_id", "departments"),
    "indicators": ("project_id", "projects"),
    "spending_plan": ("project_id", "projects"),
}
SQL_TYPES = {"text": "TEXT", "integer": "INTEGER", "amount": "TEXT", "number": "TEXT"}
NOT_DECIMAL_TYPES = frozenset({str, int, type(None)})  # cells SQLite stores as they are


class ExportError(BuilderError):
    """The data cannot be exported exactly."""


def fen(value: Decimal) -> int:
    """An amount in 万元 as whole 分; ExportError when it is finer than 1 分 or too large for SQLite."""
    scaled = value * FEN_PER_EXPORT_UNIT
    if scaled != scaled.to_integral_value():
        raise ExportError(f"金额 {format_amount(value)} 万元精确到分以下，无法精确存入数据库。请核对原文金额。")
    if abs(scaled) > MAX_SQLITE_INTEGER:
        raise ExportError(f"金额 {format_amount(value)} 万元过大，无法存入数据库。请核对原文金额。")
    return int(scaled)


def sql_columns(column: Column) -> list[tuple[str, str]]:
    """The database columns of one table column: an amount also gets its `_fen` INTEGER."""
    columns = [(column.name, SQL_TYPES[column.kind])]
    if column.kind == "amount":
        columns.append((f"{column.name}_fen", "INTEGER"))
    return columns


def create_statement(table: Table) -> str:
    keys = PRIMARY_KEYS[table.name]
    definitions = [
        f"{name} {sql_type}{' NOT NULL' if name in keys else ''}"
        for column in table.columns
        for name, sql_type in sql_columns(column)
    ]
    definitions.append(f"PRIMARY KEY ({', '.join(keys)})")
    if table.name in FOREIGN_KEYS:
        column, parent = FOREIGN_KEYS[table.name]
        definitions.append(f"FOREIGN KEY ({column}) REFERENCES {parent} ({column})")
    return f"CREATE TABLE {table.name} (\n  " + ",\n  ".join(definitions) + "\n)"


def view_statement(table: Table) -> str:
    """`CREATE VIEW <table>_numeric`: the table's columns, with amounts and numbers as REAL beside their exact text."""
    selected = []
    for column in table.columns:
        if column.kind == "amount":
            selected.append(f"CAST({column.name}_fen AS REAL) / {FEN_PER_EXPORT_UNIT} AS {column.name}")
            selected.append(f"{column.name} AS {column.name}_text")
        elif column.kind == "number":
            selected.append(f"CAST({column.name} AS REAL) AS {column.name}")
            selected.append(f"{column.name} AS {column.name}_text")
        else:
            selected.append(column.name)
    return f"CREATE VIEW {table.name}_numeric AS SELECT\n  " + ",\n  ".join(selected) + f"\nFROM {table.name}"


@dataclass(frozen=True)
class PreparedTable:
    """A table turned into SQL: its CREATE statement, its INSERT statement, the rows to insert and its numeric view."""

    create: str
    insert: str
    rows: list[tuple[str | int | None, ...]]
    view: str = ""


def sql_column_values(column: Column, values: Sequence[Cell]) -> list[list[str | int | None]]:
    """One column's values in the database: Decimals as exact text, and an amount also as whole 分 (`_fen`)."""
    if column.kind == "amount":
        return [
            [format_amount(value) if isinstance(value, Decimal) else value for value in values],
            [fen(value) if isinstance(value, Decimal) else None for value in values],
        ]
    if not only(NOT_DECIMAL_TYPES, values):
        return [[format_amount(value) if isinstance(value, Decimal) else value for value in values]]
    return [list(values)]


def prepare(table: Table) -> PreparedTable:
    """The SQL for one table; raises ExportError before anything is written."""
    names = [name for column in table.columns for name, _ in sql_columns(column)]
    insert = f"INSERT INTO {table.name} ({', '.join(names)}) VALUES ({', '.join('?' * len(names))})"
    database_columns = [
        values
        for column, cells in zip(table.columns, table.column_values(), strict=True)
        for values in sql_column_values(column, cells)
    ]
    rows = list(zip(*database_columns, strict=True))
    return PreparedTable(create_statement(table), insert, rows, view_statement(table))


def metadata_rows(date: datetime | None) -> list[tuple[str, str]]:
    rows = [
        ("title", "部门预算绩效文本 开放数据"),
        ("amount_unit", EXPORT_UNIT),
        ("amount_fen", "以 _fen 结尾的列为整数“分”：1 万元 = 1000000 分"),
        ("numeric_views", "视图 <表名>_numeric：金额和数值为 REAL，可按数值排序；精确原文在 <列名>_text"),
        ("schema_version", str(SCHEMA_VERSION)),
    ]
    if date is not None:
        rows.append(("generated_at", date.strftime("%Y-%m-%dT%H:%M:%SZ")))
    return rows


def sqlite_bytes(tables: Iterable[PreparedTable], date: datetime | None = None) -> bytes:
    """The database file built in memory from prepared tables; the same tables give the same bytes.

    Written in one transaction into a new database, so it has no free pages; a VACUUM would
    only pack the pages about 2 % tighter, for a third more time.
    """
    connection = sqlite3.connect(":memory:")
    try:
        connection.execute("PRAGMA foreign_keys = ON")
        connection.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")
        with connection:
            connection.execute("CREATE TABLE metadata (key TEXT PRIMARY KEY, value TEXT)")
            connection.executemany("INSERT INTO metadata VALUES (?, ?)", metadata_rows(date))
            for table in tables:
                connection.execute(table.create)
                connection.executemany(table.insert, table.rows)
                if table.view:
                    connection.execute(table.view)
            connection.execute("CREATE INDEX projects_department_id ON projects (department_id)")
        return connection.serialize()
    finally:
        connection.close()
