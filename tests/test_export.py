"""The downloads, read back with the standard tools, say exactly what the seed documents say."""

from __future__ import annotations

import csv
import hashlib
import io
import json
import re
import sqlite3
import zipfile
from decimal import Decimal
from pathlib import Path

import markdown
import openpyxl
import pytest

from builder.data.amounts import format_amount
from builder.data.load import LoadedDepartment, Source, load_all
from builder.data.model import Department
from builder.opendata.export import (
    export_files,
    scopes,
    write_scopes,
)
from builder.opendata.tables import TABLE_COLUMNS, TABLE_LABELS
from builder.opendata.to_csv import neutralise, unneutralise
from builder.opendata.to_sqlite import ExportError
from builder.pipeline.fingerprint import digest
from builder.pipeline.outputs import Outputs
from builder.pipeline.progress import Progress
from builder.pipeline.steps.export_data import make_open_data, plan_scopes
from builder.pipeline.store import Store
from builder.site.downloads import downloads_markdown
from builder.site.hooks import join_raw_html, split_raw_html
from builder.site.pages import page_environment
from builder.site.paths import data_files

ROOT = Path(__file__).resolve().parent.parent
DICTIONARY = ROOT / "content" / "data-dictionary.md"

# Totals of the four seed documents, as a reader adds up the printed 预算数 (万元).
SEED_TOTALS = {
    "高新区发改局": "1848.51",
    "高新区科技局": "4253",
    "承德高新技术产业开发区经济与科技发展局": "3050.50",
    "河北遵化经济开发区管理委员会": "72.55",
}


@pytest.fixture(scope="module")
def loaded() -> list[LoadedDepartment]:
    departments, errors = load_all([ROOT / "data"])
    assert errors == []
    return sorted(departments, key=lambda x: (x.department.year, x.source.slug))


@pytest.fixture(scope="module")
def site(loaded: list[LoadedDepartment], tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The downloads as a build writes them: each department's files, then the site's and years' joined from them."""
    work = tmp_path_factory.mktemp("site")
    keys = {item.source.path: digest(item.source.path.read_bytes()) for item in loaded}
    outputs = Outputs(work / "site")
    outputs.staging.mkdir()
    with Progress.silent().stage("开放数据", total=None) as stage:
        make_open_data(plan_scopes(loaded, whole_site=True), keys, outputs, "", 2, stage, Store(work / "store"))
    return outputs.staging


def site_file(site: Path, kind: str) -> Path:
    return site / data_files()[kind]


def read_csv(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8-sig", newline="") as handle:
        return list(csv.DictReader(handle))


def projects(loaded: list[LoadedDepartment]) -> list[tuple[LoadedDepartment, object]]:
    return [(x, project) for x in loaded for project in x.department.projects]


def exact(amount: object) -> str:
    return "" if amount is None else format_amount(amount.value)


def printed(amount: object) -> str:
    return "" if amount is None else amount.printed


# --- CSV -------------------------------------------------------------------------------------


def test_csv_files_start_with_a_bom_and_name_their_columns(site: Path) -> None:
    for name, columns in TABLE_COLUMNS.items():
        raw = site_file(site, f"{name.replace('_', '-')}.csv").read_bytes()
        assert raw.startswith(b"\xef\xbb\xbf")
        assert raw.decode("utf-8-sig").split("\r\n", 1)[0] == ",".join(column.name for column in columns)


def test_csv_project_amounts_are_the_published_figures(site: Path, loaded: list[LoadedDepartment]) -> None:
    rows = read_csv(site_file(site, "projects.csv"))
    assert len(rows) == len(projects(loaded)) == 28
    for row, (_, project) in zip(rows, projects(loaded), strict=True):
        budget = project.budget
        assert row["project_name"] == project.name
        for part in ("total", "fiscal", "other"):
            assert row[f"budget_{part}"] == exact(getattr(budget, part))
            assert row[f"budget_{part}_printed"] == printed(getattr(budget, part))


def test_csv_keeps_decimals_as_printed(site: Path) -> None:
    rows = {row["project_name"]: row for row in read_csv(site_file(site, "projects.csv"))}
    zunhua = [row for row in rows.values() if row["department_slug"] == "zunhua-jingkaiqu"]
    assert [row["budget_total"] for row in zunhua] == ["2.55", "29.00", "14.00", "27.00"]
    fagaiju = [row for row in rows.values() if row["department_slug"] == "tangshan-gxq-fagaiju"]
    assert (fagaiju[0]["budget_total"], fagaiju[0]["budget_total_printed"]) == ("500", "500万元")
    assert fagaiju[-1]["budget_total"] == "188.51"


def test_csv_indicator_values_are_published_text_behind_the_formula_guard(
    site: Path, loaded: list[LoadedDepartment]
) -> None:
    rows = read_csv(site_file(site, "indicators.csv"))
    expected = [indicator for _, project in projects(loaded) for indicator in project.indicators]
    assert len(rows) == len(expected)
    for row, indicator in zip(rows, expected, strict=True):
        assert unneutralise(row["value"]) == (indicator.value or "")
        assert row["level1"] == indicator.level1 and row["level3"] == indicator.name
        parsed = indicator.parsed
        assert row["value_number"] == ("" if parsed.number is None else format_amount(parsed.number))
        assert unneutralise(row["value_comparison"]) == (parsed.comparison or "")
    guarded = [row["value"] for row in rows if row["value"].startswith("'")]
    assert "'=100%" in guarded
    assert all(not row["value"].startswith(("=", "+", "-", "@")) for row in rows)


def test_formula_guard_round_trips() -> None:
    for text in ("=100%", "+1", "-5%", "@x", "'quoted", "\tx", "≥90%", "是", ""):
        assert unneutralise(neutralise(text)) == text
        assert not neutralise(text).startswith(("=", "+", "-", "@", "\t"))


def test_csv_department_totals_are_the_sums_of_projects(site: Path) -> None:
    rows = read_csv(site_file(site, "departments.csv"))
    assert {row["department"]: row["budget_total"] for row in rows} == SEED_TOTALS
    projects_by_department: dict[str, Decimal] = {}
    for row in read_csv(site_file(site, "projects.csv")):
        projects_by_department[row["department_id"]] = projects_by_department.get(
            row["department_id"], Decimal(0)
        ) + Decimal(row["budget_total"])
    assert {row["department_id"]: Decimal(row["budget_total"]) for row in rows} == projects_by_department


def test_csv_spending_plan_has_every_checkpoint(site: Path, loaded: list[LoadedDepartment]) -> None:
    rows = read_csv(site_file(site, "spending-plan.csv"))
    expected = [checkpoint for _, project in projects(loaded) for checkpoint in project.spending_plan]
    assert [(row["label"], row["value"]) for row in rows] == [(c.label, c.value or "") for c in expected]
    assert [row["percent"] for row in rows] == ["" if c.percent is None else format_amount(c.percent) for c in expected]
    assert rows[0]["value"] == rows[0]["percent"] == ""  # a blank cell stays blank


# --- XLSX ------------------------------------------------------------------------------------


def xlsx_decimal(cell: openpyxl.cell.Cell) -> str:
    """What a reader sees: the stored float shown with the cell's number format."""
    if isinstance(cell.value, str) or cell.value is None:
        return cell.value or ""
    places = len(cell.number_format.partition(".")[2])
    return f"{cell.value:.{places}f}"


def test_xlsx_sheets_headers_and_frozen_rows(site: Path) -> None:
    workbook = openpyxl.load_workbook(site_file(site, "xlsx"))
    assert workbook.sheetnames == list(TABLE_LABELS.values())
    for name, label in TABLE_LABELS.items():
        sheet = workbook[label]
        assert [cell.value for cell in sheet[1]] == [column.label for column in TABLE_COLUMNS[name]]
        assert sheet.freeze_panes == "A2"
    assert workbook["项目"].cell(1, 13).value == "预算数（万元）"


def test_xlsx_amounts_are_numbers_that_show_the_published_figures(site: Path, loaded: list[LoadedDepartment]) -> None:
    sheet = openpyxl.load_workbook(site_file(site, "xlsx"))["项目"]
    header = [cell.value for cell in sheet[1]]
    rows = list(sheet.iter_rows(min_row=2))
    for row, (_, project) in zip(rows, projects(loaded), strict=True):
        for part, label in (("total", "预算数（万元）"), ("fiscal", "财政资金（万元）"), ("other", "其他资金（万元）")):
            cell = row[header.index(label)]
            amount = getattr(project.budget, part)
            assert cell.value is None if amount is None else isinstance(cell.value, int | float)
            assert xlsx_decimal(cell) == exact(amount)


def test_xlsx_text_stays_text(site: Path, loaded: list[LoadedDepartment]) -> None:
    workbook = openpyxl.load_workbook(site_file(site, "xlsx"))
    sheet = workbook["绩效指标"]
    header = [cell.value for cell in sheet[1]]
    values = [row[header.index("指标值（原文）")].value for row in sheet.iter_rows(min_row=2)]
    expected = [indicator.value for _, project in projects(loaded) for indicator in project.indicators]
    assert values == expected
    assert "=100%" in values
    departments = workbook["部门"]
    codes = [row[5].value for row in departments.iter_rows(min_row=2)]
    assert all(code is None or isinstance(code, str) for code in codes)


def test_xlsx_department_totals(site: Path) -> None:
    sheet = openpyxl.load_workbook(site_file(site, "xlsx"))["部门"]
    header = [cell.value for cell in sheet[1]]
    totals = {
        row[header.index("部门名称")].value: xlsx_decimal(row[header.index("项目预算数合计（万元）")])
        for row in sheet.iter_rows(min_row=2)
    }
    assert totals == SEED_TOTALS


# --- SQLite ----------------------------------------------------------------------------------


def connect(site: Path) -> sqlite3.Connection:
    return sqlite3.connect(f"file:{site_file(site, 'sqlite')}?mode=ro", uri=True)


def test_sqlite_sum_reproduces_the_totals_exactly(site: Path) -> None:
    with connect(site) as db:
        sums = db.execute("SELECT department, SUM(budget_total_fen) FROM projects GROUP BY department_id").fetchall()
        stored = dict(db.execute("SELECT department, budget_total FROM departments").fetchall())
    assert {name: Decimal(fen) / 1_000_000 for name, fen in sums} == {k: Decimal(v) for k, v in SEED_TOTALS.items()}
    assert stored == SEED_TOTALS


def test_sqlite_amounts_and_values_match_the_model(site: Path, loaded: list[LoadedDepartment]) -> None:
    with connect(site) as db:
        rows = db.execute(
            "SELECT budget_total, budget_total_printed, budget_fiscal, budget_other_fen FROM projects"
            " ORDER BY department_id, project_no"
        ).fetchall()
        values = db.execute(
            "SELECT i.value FROM indicators AS i JOIN projects AS p USING (project_id)"
            " ORDER BY p.department_id, p.project_no, i.indicator_no"
        ).fetchall()
    for row, (_, project) in zip(rows, projects(loaded), strict=True):
        budget = project.budget
        assert row[:3] == (exact(budget.total), budget.total.printed, exact(budget.fiscal) or None)
        assert row[3] == (None if budget.other is None else int(budget.other.value * 1_000_000))
    expected = [indicator.value for _, project in projects(loaded) for indicator in project.indicators]
    assert [value for (value,) in values] == expected


def test_sqlite_numeric_views_sort_amounts_by_value(site: Path) -> None:
    with connect(site) as db:
        as_text = db.execute("SELECT budget_total FROM projects ORDER BY budget_total DESC LIMIT 1").fetchone()
        top = db.execute(
            "SELECT project_name, budget_total, budget_total_text FROM projects_numeric ORDER BY budget_total DESC"
        ).fetchall()
        views = {name for (name,) in db.execute("SELECT name FROM sqlite_master WHERE type = 'view'")}
        value = db.execute(
            "SELECT value_number, value_number_text FROM indicators_numeric WHERE value_number_text = '20000'"
        ).fetchone()
    assert as_text == ("973",)  # the trap the views avoid: TEXT sorts 973 above 2000
    assert [row[1] for row in top] == sorted((row[1] for row in top), reverse=True)
    assert top[0][1] == 2000.0 and top[0][2] in ("2000", "2000.00")
    assert {row[2] for row in top} == {row[0] for row in db_texts(site)}
    assert views == {"departments_numeric", "projects_numeric", "indicators_numeric", "spending_plan_numeric"}
    assert value == (20000.0, "20000")


def db_texts(site: Path) -> list[tuple[str]]:
    with connect(site) as db:
        return db.execute("SELECT budget_total FROM projects").fetchall()


def test_sqlite_foreign_keys_hold(site: Path) -> None:
    with connect(site) as db:
        assert db.execute("PRAGMA foreign_key_check").fetchall() == []
        parents = {
            row[2]
            for table in ("projects", "indicators", "spending_plan")
            for row in db.execute(f"PRAGMA foreign_key_list({table})")
        }
        assert parents == {"departments", "projects"}
        assert db.execute("PRAGMA user_version").fetchone() == (1,)
        counts = [db.execute(f"SELECT COUNT(*) FROM {table}").fetchone()[0] for table in TABLE_COLUMNS]
    assert counts[:2] == [4, 28]


# --- JSON ------------------------------------------------------------------------------------


def test_json_amounts_are_exact_strings(site: Path, loaded: list[LoadedDepartment]) -> None:
    document = json.loads(site_file(site, "json").read_text(encoding="utf-8"))
    assert document["value_unit"] == "万元"
    departments = document["departments"]
    assert {d["department"]: d["budget_total"] for d in departments} == SEED_TOTALS
    dumped = [(d, p) for d in departments for p in d["projects"]]
    for (department, project), (_, model) in zip(dumped, projects(loaded), strict=True):
        assert project["budget"]["total"] == {"printed": model.budget.total.printed, "value": exact(model.budget.total)}
        assert [i["value"] for i in project["indicators"]] == [i.value for i in model.indicators]
        assert project["project_id"].startswith(department["department_id"] + "/")


def test_json_indicators_are_filled_down_and_parsed(site: Path) -> None:
    document = json.loads(site_file(site, "json").read_text(encoding="utf-8"))
    indicators = [i for d in document["departments"] for p in d["projects"] for i in p["indicators"]]
    assert all(i["level1"] and i["level2"] for i in indicators)
    first_equals = next(i for i in indicators if i["value"] == "=100%")
    assert first_equals["parsed"] == {"kind": "number", "comparison": "=", "number": "100", "unit": "%", "date": None}


def test_schema_is_served_beside_the_data(site: Path) -> None:
    schema = json.loads(site_file(site, "schema").read_text(encoding="utf-8"))
    assert schema["$id"] == "budget-performance-text.schema.json"


# --- files, checksums, determinism -----------------------------------------------------------


def test_every_scope_has_its_files(site: Path, loaded: list[LoadedDepartment]) -> None:
    expected = set(data_files().values()) | set(data_files(2023).values())
    for x in loaded:
        expected |= set(data_files(x.department.year, x.source.slug).values())
    written = {path.relative_to(site).as_posix() for path in site.rglob("*") if path.is_file()}
    assert written == expected


def test_department_files_hold_only_that_department(site: Path) -> None:
    rows = read_csv(site / data_files(2023, "zunhua-jingkaiqu")["projects.csv"])
    assert {row["department"] for row in rows} == {"河北遵化经济开发区管理委员会"}
    assert [row["budget_total"] for row in rows] == ["2.55", "29.00", "14.00", "27.00"]


def test_checksums_match_the_files(site: Path) -> None:
    for folder in {path.parent for path in site.rglob("SHA256SUMS")}:
        lines = (folder / "SHA256SUMS").read_text(encoding="utf-8").splitlines()
        names = sorted(path.name for path in folder.iterdir() if path.is_file() and path.name != "SHA256SUMS")
        assert [line.split("  ")[1] for line in lines] == names
        for line in lines:
            digest, name = line.split("  ")
            assert hashlib.sha256((folder / name).read_bytes()).hexdigest() == digest


MARKDOWN_EXTENSIONS = ["attr_list", "md_in_html", "tables", "admonition", "def_list", "toc"]  # as in mkdocs.yml


def to_html(page: str) -> str:
    """A Markdown page's HTML as MkDocs and builder/site/hooks.py make it (raw HTML blocks kept aside)."""
    text, blocks = split_raw_html(page)
    return join_raw_html(markdown.markdown(text, extensions=MARKDOWN_EXTENSIONS), blocks)


def test_downloads_page_lists_files_with_sizes_and_checksums(site: Path, loaded: list[LoadedDepartment]) -> None:
    page = downloads_markdown(site, loaded, link_prefix="../")
    for relative in data_files().values():
        data = (site / relative).read_bytes()
        assert f"(../{relative})" in page
        assert hashlib.sha256(data).hexdigest() in page
    assert re.search(r"\| \d+\.\d KB \|", page)
    html = to_html(page)
    assert '<tr>\n<td>2023</td>\n<td>高新区发改局</td>\n<td><a href="../2023/' in html
    assert "（27.0 KB）" in html or re.search(r"）</td>\n</tr>", html)
    assert "<!-- bp-raw-html -->" not in html


def test_a_province_lists_its_departments_on_their_own_pages(
    site: Path, loaded: list[LoadedDepartment], monkeypatch: pytest.MonkeyPatch
) -> None:
    """3 000 departments line by line made 数据下载 2.1 MB: past the limit, the page points to each department's page
    and the year's ZIP, and keeps the site's and the years' files in full."""
    from builder.site import downloads

    monkeypatch.setattr(downloads, "LISTED_DEPARTMENTS", len(loaded) - 1)
    html = to_html(downloads_markdown(site, loaded, link_prefix="../", with_pdf=True))
    assert (
        f"共 {len(loaded)} 个部门，这里不逐一列出。每个部门的 PDF 和数据文件（连同核对用的 <code>SHA256SUMS</code>）"
        in html
    )
    assert '<a href="../search/">搜索</a>' in html and ".pdf" not in html and "高新区发改局" not in html
    for relative in data_files().values():  # the site's files, in full
        assert f"../{relative}" in html


def test_each_department_line_links_every_table_its_folder_offers(site: Path, loaded: list[LoadedDepartment]) -> None:
    """A journalist on the 数据下载 page finds every file of a department's folder: its 支出计划 CSV, its SHA256SUMS."""
    html = to_html(downloads_markdown(site, loaded, link_prefix="../"))
    for item in loaded:
        folder = site / str(item.department.year) / item.source.slug / "data"
        offered = sorted(path.name for path in folder.iterdir())
        linked = sorted(name for name in offered if f'"../{folder.relative_to(site).as_posix()}/{name}"' in html)
        assert linked == offered  # its SHA256SUMS too: what a journalist checks a quoted file by
        assert f"{item.source.slug}-{item.department.year}-spending-plan.csv" in " ".join(linked)


def test_a_pdf_on_the_downloads_page_saves_under_its_chinese_name(site: Path, loaded: list[LoadedDepartment]) -> None:
    """A journalist saving a PDF from 数据下载 gets the name the department page gives it, not the URL's ASCII name."""
    html = to_html(downloads_markdown(site, loaded, link_prefix="../", with_pdf=True))
    for item in loaded:
        department = item.department
        href = f"../{department.year}/{item.source.slug}/{item.source.slug}-{department.year}.pdf"
        name = f"{department.department}{department.year}年部门预算绩效文本.pdf"
        assert f'<a href="{href}" download="{name}">{name}</a>' in html


def test_downloads_page_shows_data_text_as_text(tmp_path: Path) -> None:
    """A department name with Markdown and HTML signs stays one table cell of plain text on the 数据下载 page."""
    plain = small_department()
    name = "<b>局</b> & *强调* [链接](http://x) | 竖线 _下划线_"
    hostile = LoadedDepartment(plain.source, plain.department.model_copy(update={"department": name}))
    every = scopes([hostile])
    write_scopes(every, "", None, tmp_path)
    page = to_html(downloads_markdown(tmp_path, [hostile], "../", with_pdf=True))
    assert "<b>" not in page and "<em>" not in page and 'href="http://x"' not in page
    assert "&lt;b&gt;局&lt;/b&gt; &amp; *强调* [链接](http://x) | 竖线 _下划线_</td>" in page
    rows = re.findall(r"<tr>(.*?)</tr>", page, flags=re.DOTALL)
    assert all(row.count("<td>") in (0, 3, 4) for row in rows)  # no cell split by the `|` in the name


@pytest.mark.parametrize(
    "name",
    [
        "唐山高新区发改局",
        "A & B <x> \"q\" 'a' &amp; &#39; &copy",
        "*b* _c_ `d` [e](f) |g| \\h a\\|b",
        "  前后空格  ",
        "\t制表符\t",
        "\u3000全角空格\u3000",
        "x  y",
        "{#id} <!-- c --> http://x.y ~~s~~",
        "1. a",
        "# h",
    ],
)
def test_the_department_table_is_the_html_markdown_made_of_it(name: str, tmp_path: Path) -> None:
    """The 数据下载 page's department table, written as HTML, shows a name as Python-Markdown's table did."""
    plain = small_department()
    department = LoadedDepartment(plain.source, plain.department.model_copy(update={"department": name}))
    write_scopes(scopes([department]), "", None, tmp_path)
    page = to_html(downloads_markdown(tmp_path, [department], "../"))
    cell = page_environment().from_string("{{ name | markdown_text }}").render(name=name)
    markdown_row = markdown.markdown(f"| 部门 |\n| --- |\n| {cell} |\n", extensions=MARKDOWN_EXTENSIONS)
    expected = re.search(r"<td>.*</td>", markdown_row, flags=re.DOTALL)
    assert expected is not None
    assert f"<tr>\n<td>{department.department.year}</td>\n{expected.group()}\n<td><a href=" in page


def test_same_data_same_bytes(loaded: list[LoadedDepartment], monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("SOURCE_DATE_EPOCH", raising=False)
    first, second = export_files(loaded), export_files(list(reversed(loaded)))
    assert first == second
    with zipfile.ZipFile(io.BytesIO(first[data_files()["xlsx"]])) as archive:
        assert {entry.date_time for entry in archive.infolist()} == {(1980, 1, 1, 0, 0, 0)}
        assert b"1980-01-01T00:00:00Z" in archive.read("docProps/core.xml")


def test_source_date_epoch_dates_the_workbook_and_database(
    loaded: list[LoadedDepartment], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")  # 2023-11-14T22:13:20Z
    files = export_files(loaded[:1])
    assert files == export_files(loaded[:1])
    with zipfile.ZipFile(io.BytesIO(files[data_files()["xlsx"]])) as archive:
        assert {entry.date_time for entry in archive.infolist()} == {(2023, 11, 14, 22, 13, 20)}
        assert b"2023-11-14T22:13:20Z" in archive.read("docProps/core.xml")
    database = tmp_path / "x.db"
    database.write_bytes(files[data_files()["sqlite"]])
    with sqlite3.connect(database) as db:
        assert db.execute("SELECT value FROM metadata WHERE key = 'generated_at'").fetchone() == (
            "2023-11-14T22:13:20Z",
        )


# --- the data dictionary ---------------------------------------------------------------------


def test_data_dictionary_describes_every_column() -> None:
    page = DICTIONARY.read_text(encoding="utf-8")
    for name, columns in TABLE_COLUMNS.items():
        assert f"（{name}）" in page, name
        assert f"“{TABLE_LABELS[name]}”" in page, name
        for column in columns:
            assert f"| `{column.name}` | {column.label} |" in page, (name, column.name)
            if column.kind == "amount":
                assert f"`{column.name}_fen`" in page, column.name


# --- small models: units, precision, collisions ----------------------------------------------


def small_department(slug: str = "x", unit: str = "万元", totals: tuple[str, ...] = ("188.51",)) -> LoadedDepartment:
    department = Department.model_validate(
        {
            "department": "测试局<&>",
            "year": 2024,
            "amount_unit": unit,
            "part_one": {"overall_goal": ["目标"], "sub_goals": [{"title": "分项"}], "measures": [{"title": "措施"}]},
            "projects": [
                {
                    "name": f"项目{i}",
                    "budget": {"total": total},
                    "indicators": [{"level1": "产出指标", "level2": "数量指标", "name": "数量", "value": "-5%"}],
                }
                for i, total in enumerate(totals)
            ],
        }
    )
    return LoadedDepartment(Source(Path(f"data/2024/{slug}.yaml"), slug), department)


def test_amounts_in_yuan_are_exported_in_wanyuan_exactly() -> None:
    files = export_files([small_department(unit="元", totals=("5000", "1885100.50"))])
    rows = list(csv.DictReader(io.StringIO(files[data_files()["projects.csv"]].decode("utf-8-sig"))))
    assert [(row["budget_total"], row["budget_total_printed"]) for row in rows] == [
        ("0.5", "5000"),
        ("188.51005", "1885100.50"),
    ]


def test_negative_looking_text_is_guarded_but_numbers_are_not() -> None:
    files = export_files([small_department()])
    text = files[data_files()["indicators.csv"]].decode("utf-8-sig")
    assert ",'-5%," in text
    assert ",-5,%," in text


def test_amount_finer_than_one_fen_is_refused() -> None:
    with pytest.raises(ExportError, match="分以下"):
        export_files([small_department(totals=("0.0000001",))])


def test_two_files_with_one_address_are_refused() -> None:
    with pytest.raises(ExportError, match="部门代号相同"):
        export_files([small_department(), small_department()])


def test_long_figures_that_a_float_cannot_hold_stay_text_in_xlsx() -> None:
    files = export_files([small_department(totals=("99999999999.99999", "188.51"))])
    sheet = openpyxl.load_workbook(io.BytesIO(files[data_files()["xlsx"]]))["项目"]
    assert (sheet.cell(2, 13).value, sheet.cell(3, 13).value) == ("99999999999.99999", 188.51)


def test_amount_too_large_for_sqlite_is_refused() -> None:
    with pytest.raises(ExportError, match="过大"):
        export_files([small_department(totals=("12345678901234.5678",))])
