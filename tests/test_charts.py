"""The comparison figures add up, match projects across years, and draw as accessible, escaped SVG."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from decimal import Decimal
from pathlib import Path

import pytest

from builder.data.load import LoadedDepartment, Source, load_all
from builder.data.model import Department
from builder.site.charts import BarChart, bar_chart, department_history, year_comparison
from builder.site.pages import page_environment

ROOT = Path(__file__).resolve().parent.parent
SVG = "{http://www.w3.org/2000/svg}"


def svg(chart: BarChart | None) -> str:
    """The chart as the year and department pages draw it (templates/pages/_charts.html)."""
    template = page_environment().from_string('{% import "_charts.html" as charts %}{{ charts.bar_chart(chart) }}')
    return template.render(chart=chart)


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


def test_year_chart_is_accessible_svg_showing_the_table_figures(loaded: list[LoadedDepartment]) -> None:
    comparison = year_comparison(loaded, 2023)
    drawing = ET.fromstring(svg(comparison.chart))
    assert drawing.tag == f"{SVG}svg" and drawing.get("role") == "img"
    assert drawing.get("aria-label") == drawing.find(f"{SVG}title").text == "2023 年各部门项目预算数合计（万元）"
    texts = [text.text for text in drawing.iter(f"{SVG}text")]
    for row in comparison.rows:
        assert row.department in texts
        assert f"{row.total} 万元" in texts
    widths = [float(rect.get("width")) for rect in drawing.iter(f"{SVG}rect")]
    assert widths == sorted(widths, reverse=True) and widths[0] == 570.0


def test_chart_text_is_escaped() -> None:
    drawn = svg(bar_chart("<script>&", [("A&B <局>", Decimal("1")), ("零", Decimal("0"))]))
    assert "<script>" not in drawn and "A&amp;B &lt;局&gt;" in drawn
    assert ET.fromstring(drawn).find(f"{SVG}title").text == "<script>&"


def test_chart_of_nothing_is_still_valid() -> None:
    assert ET.fromstring(svg(bar_chart("空", []))).get("height") == "8"


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
    drawing = ET.fromstring(svg(department_history(history_sample(), "ju").chart))
    assert [t.text for t in drawing.iter(f"{SVG}text")] == ["2022 年", "160.00 万元", "2023 年", "168.50 万元"]


def test_history_found_by_printed_name_too() -> None:
    assert [y.year for y in department_history(history_sample(), "旧局名").years] == [2022]
