"""Turn departments into comparison figures: plain data for tables, and static SVG bar charts made at build time.

Totals are exact 万元 sums of the projects' 预算数. The SVG carries a `<title>` and an
`aria-label`; pages show the same figures as a table for screen readers and print.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from itertools import pairwise

from ..data.amounts import format_amount
from ..opendata.tables import EXPORT_UNIT, department_total, in_export_unit
from ..data.load import LoadedDepartment
from ..data.model import Project

WIDTH = 720
VALUE_SPACE = 150  # room right of the longest bar for its figure
ROW_HEIGHT = 46
LABEL_SIZE = 14
BAR_HEIGHT = 18
BAR_COLOUR = "#3f6fb5"
FONT = "'Noto Sans CJK SC', 'Noto Sans SC', 'Source Han Sans SC', 'PingFang SC', 'Microsoft YaHei', sans-serif"


@dataclass(frozen=True)
class DepartmentTotal:
    """One department's row in a year's comparison."""

    department: str
    slug: str
    project_count: int
    total: Decimal  # 万元, exact


@dataclass(frozen=True)
class YearComparison:
    """Total 预算数 by department for one year, largest first, with the chart."""

    year: int
    rows: list[DepartmentTotal]
    total: Decimal
    svg: str


@dataclass(frozen=True)
class YearTotal:
    """One year of a department: its name as printed that year, its slug, project count and total."""

    year: int
    department: str
    slug: str
    project_count: int
    total: Decimal


class _Change:
    """A `before` and `after` amount, and how they differ."""

    before: Decimal
    after: Decimal

    @property
    def change(self) -> Decimal:
        return self.after - self.before

    @property
    def change_percent(self) -> Decimal | None:
        return percent_change(self.before, self.after)


@dataclass(frozen=True)
class ProjectChange(_Change):
    """A project found in two consecutive years, matched by 项目编码 or else by name."""

    name: str
    project_code: str | None
    matched_by: str  # `项目编码` or `项目名称`
    before: Decimal
    after: Decimal


@dataclass(frozen=True)
class YearPair(_Change):
    """Two consecutive published years of a department: totals and the projects in both."""

    before_year: int
    after_year: int
    before: Decimal
    after: Decimal
    projects: list[ProjectChange]


@dataclass(frozen=True)
class DepartmentHistory:
    """A department over the years it was published; `svg` is empty with fewer than two years."""

    slug: str
    department: str
    years: list[YearTotal]
    pairs: list[YearPair]
    svg: str


def percent_change(before: Decimal, after: Decimal) -> Decimal | None:
    """The change in percent to one decimal (half up), or None when `before` is zero."""
    if before == 0:
        return None
    return ((after - before) * 100 / before).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


def year_comparison(loaded_list: list[LoadedDepartment], year: int) -> YearComparison:
    """The year page's comparison: each department's total 预算数, largest first, then by name."""
    rows = [
        DepartmentTotal(
            x.department.department, x.source.slug, len(x.department.projects), department_total(x.department)
        )
        for x in loaded_list
        if x.department.year == year
    ]
    rows.sort(key=lambda row: (-row.total, row.department, row.slug))
    total = sum((row.total for row in rows), Decimal(0))
    title = f"{year} 年各部门项目预算数合计（{EXPORT_UNIT}）"
    return YearComparison(year, rows, total, bar_chart(title, [(row.department, row.total) for row in rows]))


def department_history(loaded_list: list[LoadedDepartment], department: str) -> DepartmentHistory | None:
    """Every year of the department with this slug (or, failing that, this printed name); None if not found."""
    by_year: dict[int, LoadedDepartment] = {}
    for match in (lambda x: x.source.slug == department, lambda x: x.department.department == department):
        for loaded in sorted(loaded_list, key=lambda x: x.source.slug):
            if match(loaded):
                by_year.setdefault(loaded.department.year, loaded)
    if not by_year:
        return None
    history = [by_year[year] for year in sorted(by_year)]
    years = [year_total(loaded) for loaded in history]
    pairs = [year_pair(before, after) for before, after in pairwise(history)]
    latest = history[-1]
    title = f"{latest.department.department} 历年项目预算数合计（{EXPORT_UNIT}）"
    svg = bar_chart(title, [(f"{row.year} 年", row.total) for row in years]) if len(years) > 1 else ""
    return DepartmentHistory(latest.source.slug, latest.department.department, years, pairs, svg)


def year_total(loaded: LoadedDepartment) -> YearTotal:
    department = loaded.department
    return YearTotal(
        department.year,
        department.department,
        loaded.source.slug,
        len(department.projects),
        department_total(department),
    )


def year_pair(before: LoadedDepartment, after: LoadedDepartment) -> YearPair:
    return YearPair(
        before.department.year,
        after.department.year,
        department_total(before.department),
        department_total(after.department),
        matched_projects(before, after),
    )


def matched_projects(before: LoadedDepartment, after: LoadedDepartment) -> list[ProjectChange]:
    """Projects of `after` also in `before`: first by 项目编码, then the rest by exact name; in `after`'s order."""
    unmatched = list(before.department.projects)
    found: dict[int, tuple[Project, str]] = {}
    for rule, key in MATCH_RULES:
        for index, project in enumerate(after.department.projects):
            if index in found or key(project) is None:
                continue
            partner = next((candidate for candidate in unmatched if key(candidate) == key(project)), None)
            if partner is not None:
                found[index] = (partner, rule)
                unmatched.remove(partner)
    return [
        ProjectChange(
            project.name,
            project.project_code,
            found[index][1],
            budget_in_export_unit(found[index][0], before),
            budget_in_export_unit(project, after),
        )
        for index, project in enumerate(after.department.projects)
        if index in found
    ]


def _code(project: Project) -> str | None:
    return project.project_code


def _name(project: Project) -> str:
    return project.name.strip()


MATCH_RULES = (("项目编码", _code), ("项目名称", _name))


def budget_in_export_unit(project: Project, loaded: LoadedDepartment) -> Decimal:
    return in_export_unit(project.budget.total, loaded.department.amount_unit) or Decimal(0)


def bar_chart(title: str, bars: list[tuple[str, Decimal]], unit: str = EXPORT_UNIT) -> str:
    """A horizontal bar chart as an SVG string: each label on its own line above its bar, the figure after it."""
    height = ROW_HEIGHT * len(bars) + 8
    svg = ET.Element(
        "svg",
        {
            "xmlns": "http://www.w3.org/2000/svg",
            "viewBox": f"0 0 {WIDTH} {height}",
            "width": str(WIDTH),
            "height": str(height),
            "role": "img",
            "aria-label": title,
            "font-family": FONT,
        },
    )
    ET.SubElement(svg, "title").text = title
    largest = max((value for _, value in bars), default=Decimal(0))
    for index, (label, value) in enumerate(bars):
        add_bar(svg, index * ROW_HEIGHT, label, value, largest, unit)
    return ET.tostring(svg, encoding="unicode")


def add_bar(svg: ET.Element, top: int, label: str, value: Decimal, largest: Decimal, unit: str) -> None:
    length = float(value / largest * (WIDTH - VALUE_SPACE)) if largest > 0 and value > 0 else 0.0
    bar_top = top + LABEL_SIZE + 8
    text = ET.SubElement(svg, "text", {"x": "0", "y": str(top + LABEL_SIZE + 2), "font-size": str(LABEL_SIZE)})
    text.set("fill", "currentColor")
    text.text = label
    ET.SubElement(
        svg,
        "rect",
        {"x": "0", "y": str(bar_top), "width": f"{length:.1f}", "height": str(BAR_HEIGHT), "fill": BAR_COLOUR},
    )
    figure = ET.SubElement(
        svg,
        "text",
        {"x": f"{length + 6:.1f}", "y": str(bar_top + BAR_HEIGHT - 4), "font-size": str(LABEL_SIZE)},
    )
    figure.set("fill", "currentColor")
    figure.text = f"{format_amount(value)} {unit}"
