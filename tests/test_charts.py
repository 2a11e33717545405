"""The comparison figures add up, match projects across years, and draw as accessible, escaped bar rows."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import lxml.html
import pytest

from builder.data.load import LoadedDepartment, Source, load_all
from builder.data.model import Department
from builder.site.charts import BarChart, bar_chart, department_history, year_comparison
from builder.site.pages import page_environment

ROOT = Path(__file__).resolve().parent.parent


def drawn(chart: BarChart | None) -> str:
    """The chart as the year and department pages draw it (templates/pages/_charts.html)."""
    template = page_environment().from_string('{% import "_charts.html" as charts %}{{ charts.bar_chart(chart) }}')
    return template.render(chart=chart)


def rows_of(html: str) -> list[tuple[str, str, float]]:
    """Each bar row as a reader sees it: its label, its figure, and its bar's length in percent of the longest."""
    chart = lxml.html.fromstring(html)
    return [
        (*(span.text for span in row.find_class("bp-bars__text")[0]), float(row.xpath(".//rect")[0].get("width")))
        for row in chart.find_class("bp-bars__row")
    ]


@pytest.fixture(scope="module")
def loaded() -> list[LoadedDepartment]:
    departments, errors = load_all([ROOT / "data"])
    assert errors == []
    return departments


def department(
    slug: str, year: int, projects: list[tuple[str | None, str, str]], name: str = "测试局"
) -> LoadedDepartment:
    """A small department: projects as (code, name, 预算数)."""
    model = Department.model_validate(
        {
            "department": name,
            "year": year,
            "part_one": {"overall_goal": ["目标"], "sub_goals": [{"title": "分项"}], "measures": [{"title": "措施"}]},
            "projects": [
                {
                    "code": code,
                    "name": project_name,
                    "budget": {"total": total},
                    "indicators": [{"level1": "产出指标", "level2": "数量指标", "name": "数量"}],
                }
                for code, project_name, total in projects
            ],
        }
    )
    return LoadedDepartment(Source(Path(f"data/{year}/{slug}.yaml"), slug), model)


def test_year_table_totals_are_the_sums_of_projects(loaded: list[LoadedDepartment]) -> None:
    comparison = year_comparison(loaded, 2023)
    by_slug = {x.source.slug: x.department for x in loaded}
    for row in comparison.rows:
        assert row.total == sum((p.budget.total.value for p in by_slug[row.slug].projects), Decimal(0))
    every_project = sum((p.budget.total.value for x in loaded for p in x.department.projects), Decimal(0))
    assert comparison.total == sum(row.total for row in comparison.rows) == every_project == Decimal("9224.56")


def test_year_table_is_largest_first_with_the_published_figures(loaded: list[LoadedDepartment]) -> None:
    rows = year_comparison(loaded, 2023).rows
    assert [(row.department, str(row.total), row.project_count) for row in rows] == [
        ("高新区科技局", "4253", 3),
        ("承德高新技术产业开发区经济与科技发展局", "3050.50", 14),
        ("高新区发改局", "1848.51", 7),
        ("河北遵化经济开发区管理委员会", "72.55", 4),
    ]


def test_year_chart_is_accessible_showing_the_table_figures(loaded: list[LoadedDepartment]) -> None:
    comparison = year_comparison(loaded, 2023)
    chart = lxml.html.fromstring(drawn(comparison.chart))
    spoken = "；".join(f"{row.department} {row.total} 万元" for row in comparison.rows)
    assert chart.get("role") == "img" and chart.get("aria-label") == f"2023 年各部门项目预算数合计（万元）：{spoken}"
    rows = rows_of(drawn(comparison.chart))
    assert [(label, figure) for label, figure, _ in rows] == [
        (r.department, f"{r.total} 万元") for r in comparison.rows
    ]
    lengths = [length for _, _, length in rows]
    assert lengths == sorted(lengths, reverse=True) and lengths[0] == 100.0
    assert lengths[-1] == pytest.approx(float(Decimal("72.55") / Decimal("4253") * 100), abs=0.05)


def test_chart_text_is_escaped() -> None:
    html = drawn(bar_chart("<script>&", [("A&B <局>", Decimal("1")), ("零", Decimal("0"))]))
    assert "<script>" not in html and "A&amp;B &lt;局&gt;" in html
    assert lxml.html.fromstring(html).get("aria-label") == "<script>&：A&B <局> 1 万元；零 0 万元"
    assert rows_of(html) == [("A&B <局>", "1 万元", 100.0), ("零", "0 万元", 0.0)]


def test_chart_of_nothing_is_still_valid() -> None:
    chart = lxml.html.fromstring(drawn(bar_chart("空", [])))
    assert chart.get("class") == "bp-bars" and chart.find_class("bp-bars__row") == []


def test_year_without_departments(loaded: list[LoadedDepartment]) -> None:
    comparison = year_comparison(loaded, 1999)
    assert (comparison.rows, comparison.total) == ([], Decimal(0))


def test_single_year_department_has_no_comparison(loaded: list[LoadedDepartment]) -> None:
    history = department_history(loaded, "tangshan-gxq-fagaiju")
    assert [(y.year, str(y.total)) for y in history.years] == [(2023, "1848.51")]
    assert (history.pairs, history.chart) == ([], None)
    assert department_history(loaded, "高新区发改局") == history
    assert department_history(loaded, "no-such-department") is None


def history_sample() -> list[LoadedDepartment]:
    return [
        department(
            "ju", 2022, [("A1", "甲项目", "100"), (None, "乙项目", "50万元"), ("C1", "丙项目", "10.00")], "旧局名"
        ),
        department(
            "ju",
            2023,
            [("C1", "丙项目（改名）", "12.50"), ("A1", "甲项目", "80"), (None, "乙项目", "75"), ("D1", "丁项目", "1")],
        ),
        department("other", 2023, [("A1", "甲项目", "999")], "另一局"),
    ]


def test_history_matches_projects_by_code_then_name() -> None:
    history = department_history(history_sample(), "ju")
    assert history.department == "测试局"
    assert [(y.year, y.department, str(y.total)) for y in history.years] == [
        (2022, "旧局名", "160.00"),
        (2023, "测试局", "168.50"),
    ]
    (pair,) = history.pairs
    assert (pair.before_year, pair.after_year, str(pair.change), pair.change_percent) == (
        2022,
        2023,
        "8.50",
        Decimal("5.3"),
    )
    assert [(p.name, p.matched_by, str(p.before), str(p.after), str(p.change)) for p in pair.projects] == [
        ("丙项目（改名）", "项目编码", "10.00", "12.50", "2.50"),
        ("甲项目", "项目编码", "100", "80", "-20"),
        ("乙项目", "项目名称", "50", "75", "25"),
    ]
    assert pair.projects[1].change_percent == Decimal("-20.0")


def test_history_chart_has_a_bar_per_year() -> None:
    rows = rows_of(drawn(department_history(history_sample(), "ju").chart))
    assert [(label, figure) for label, figure, _ in rows] == [("2022 年", "160.00 万元"), ("2023 年", "168.50 万元")]


def test_history_found_by_printed_name_too() -> None:
    assert [y.year for y in department_history(history_sample(), "旧局名").years] == [2022]
