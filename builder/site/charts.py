"""Every chart of the site, laid out at build time: comparison figures and the spending plan, as static SVG.

This module computes what a chart shows and where (totals, bars, coordinates as SVG attribute
text); the macros of `templates/pages/_charts.html` draw the SVG from that, with autoescape on,
and `filters.register` makes `spending_chart` available to every template. No script, no request.
Totals are exact 万元 sums of the projects' 预算数. Each SVG carries a `<title>` and an
`aria-label`; pages show the same figures as a table for screen readers and print.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from itertools import pairwise

from ..data.amounts import format_amount
from ..data.load import LoadedDepartment
from ..data.model import Checkpoint, Project
from ..opendata.tables import EXPORT_UNIT, department_total, in_export_unit
from .paths import department_dir


@dataclass(frozen=True)
class DepartmentTotal:
    """One department's row in a year's comparison."""

    department: str
    slug: str
    project_count: int
    total: Decimal  # 万元, exact


# A year of more departments than this compares only its largest in the chart and the table under it; the department
# table above them lists all and sorts by any column. All 3 000 of a province made the year page 1.9 MB, most of it
# bars no one could read, and a screen reader's label of 3 000 figures.
COMPARED = 30


@dataclass(frozen=True)
class YearComparison:
    """Total 预算数 by department for one year, largest first, with the chart of the first `COMPARED`."""

    year: int
    rows: list[DepartmentTotal]  # every department
    total: Decimal  # of every department
    chart: BarChart

    @property
    def shown(self) -> list[DepartmentTotal]:
        """The departments the chart and its table show."""
        return self.rows[:COMPARED]

    @property
    def partial(self) -> bool:
        return len(self.rows) > COMPARED


@dataclass(frozen=True)
class YearTotal:
    """One year of a department: its name as printed that year, its slug, project count and total."""

    year: int
    department: str
    slug: str
    project_count: int
    total: Decimal

    @property
    def url(self) -> str:
        """The department's page of that year."""
        return department_dir(self.year, self.slug)


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
    """A department over the years it was published; no `chart` with fewer than two years."""

    slug: str
    department: str
    years: list[YearTotal]
    pairs: list[YearPair]
    chart: BarChart | None


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
    if len(rows) > COMPARED:
        title = f"{year} 年预算数最大的 {COMPARED} 个部门（共 {len(rows)} 个）的项目预算数合计（{EXPORT_UNIT}）"
    chart = bar_chart(title, [(row.department, row.total) for row in rows[:COMPARED]])
    return YearComparison(year, rows, total, chart)


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
    chart = bar_chart(title, [(f"{row.year} 年", row.total) for row in years]) if len(years) > 1 else None
    return DepartmentHistory(latest.source.slug, latest.department.department, years, pairs, chart)


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


@dataclass(frozen=True)
class Row:
    """One row of a horizontal bar chart: its label, its bar's length (percent of the longest) and its figure."""

    label: str
    percent: str
    figure: str


@dataclass(frozen=True)
class BarChart:
    """A horizontal bar chart (`_charts.html` `bar_chart`): rows of text, each with its bar, so that the labels
    and figures are text of the page's size on a phone too (as one SVG scaled to a phone's width, they were
    about 7 px high) and grow with 大字."""

    title: str
    rows: list[Row]

    @property
    def spoken(self) -> str:
        """What a screen reader says: the title and every figure."""
        return f"{self.title}：" + "；".join(f"{row.label} {row.figure}" for row in self.rows)


def bar_chart(title: str, bars: list[tuple[str, Decimal]], unit: str = EXPORT_UNIT) -> BarChart:
    """Bars as long as their value is to the largest, the figure in `unit` after each bar."""
    largest = max((value for _, value in bars), default=Decimal(0))
    return BarChart(title, [bar_row(label, value, largest, unit) for label, value in bars])


def bar_row(label: str, value: Decimal, largest: Decimal, unit: str) -> Row:
    percent = float(value / largest * 100) if largest > 0 and value > 0 else 0.0
    return Row(label=label, percent=f"{percent:.1f}", figure=f"{format_amount(value)} {unit}")


@dataclass(frozen=True)
class Bar:
    """One bar of the spending-plan chart: label, published value and height in percent (0–100)."""

    label: str
    value: str
    percent: Decimal | None


def spending_bars(plan: list[Checkpoint]) -> list[Bar]:
    """The spending plan as bars; a blank or non-numeric cell has no bar but keeps its label."""
    return [
        Bar(
            label=checkpoint.label,
            value=checkpoint.value or "",
            percent=None if checkpoint.percent is None else max(Decimal(0), min(Decimal(100), checkpoint.percent)),
        )
        for checkpoint in plan
    ]


@dataclass(frozen=True)
class ChartBar:
    """One bar of the spending chart, geometry as SVG attribute text."""

    label: str
    value: str
    x: str
    center: str
    y: str | None
    height: str | None
    label_y: str


@dataclass(frozen=True)
class SpendingChart:
    """The spending plan as vertical bars (`_charts.html` `spending_chart`), cumulative percent up to 100."""

    width: int
    height: int
    baseline: int
    bar_width: int
    bars: list[ChartBar]


def spending_chart(
    plan: list[Checkpoint], slot: int = 64, bar_width: int = 36, plot_height: int = 100
) -> SpendingChart:
    """The spending plan's bars (`spending_bars`) laid out: one slot per checkpoint, room above for the value."""
    baseline = 20 + plot_height  # room above the tallest bar for its value
    bars = []
    for index, bar in enumerate(spending_bars(plan)):
        x = index * slot + (slot - bar_width) // 2
        height = None if bar.percent is None else bar.percent * plot_height / 100
        bar_top = baseline if height is None else baseline - height
        bars.append(
            ChartBar(
                label=bar.label,
                value=bar.value,
                x=str(x),
                center=str(x + bar_width // 2),
                y=None if height is None else _svg_number(bar_top),
                height=None if height is None else _svg_number(height),
                label_y=_svg_number(bar_top - 5),
            )
        )
    return SpendingChart(
        width=max(1, len(bars)) * slot, height=baseline + 24, baseline=baseline, bar_width=bar_width, bars=bars
    )


def _svg_number(value: Decimal | int) -> str:
    return format(Decimal(value).quantize(Decimal("0.1")).normalize(), "f")
