"""Turn loaded departments into the four open-data tables (departments, projects, indicators, spending_plan).

Every format (CSV, XLSX, SQLite) writes these same rows, so they cannot disagree.
Cells hold `str`, `int`, `Decimal` or None (a blank cell in the source stays blank).
Amounts are exact `Decimal`s in 万元, whatever unit the document itself used.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from decimal import Decimal

from ..data.amounts import Amount, to_unit
from ..data.load import LoadedDepartment
from ..data.model import Checkpoint, Department, Goal, Indicator, Project
from ..site.paths import department_dir, pdf_path, project_dir, project_keys

EXPORT_UNIT = "万元"

Cell = str | int | Decimal | None
TEXT_TYPES = frozenset({str, type(None)})
INTEGER_TYPES = frozenset({int, type(None)})


def only(types: frozenset[type], values: Iterable[Cell]) -> bool:
    """True when every value is exactly of one of `types`; checked at C speed, without a Python loop."""
    return types.issuperset(map(type, values))


@dataclass(frozen=True)
class Column:
    """One column: its stable ASCII name, its Chinese label (XLSX header) and the kind of its cells.

    kind is `text`, `integer`, `amount` (exact money in 万元) or `number` (exact, not money).
    """

    name: str
    label: str
    kind: str = "text"


@dataclass(frozen=True)
class Table:
    """A named table: its columns, and one tuple of cells per row."""

    name: str
    label: str
    columns: tuple[Column, ...]
    rows: tuple[tuple[Cell, ...], ...]

    @property
    def column_names(self) -> list[str]:
        return [column.name for column in self.columns]

    def column_values(self, limit: int | None = None) -> list[tuple[Cell, ...]]:
        """The cells column by column (of the first `limit` rows): formats convert a column at a time."""
        rows = self.rows if limit is None else self.rows[:limit]
        if not rows:
            return [() for _ in self.columns]
        return list(zip(*rows, strict=True))


def _columns(*specs: tuple[str, str] | tuple[str, str, str]) -> tuple[Column, ...]:
    return tuple(Column(*spec) for spec in specs)


DEPARTMENT_COLUMNS = _columns(
    ("department_id", "部门标识"),
    ("year", "年度", "integer"),
    ("department_slug", "部门代号"),
    ("department", "部门名称"),
    ("region", "地区"),
    ("unit_code", "预算单位编码"),
    ("unit_name", "预算单位名称"),
    ("prepared_by", "编制单位"),
    ("reviewed_by", "审核单位"),
    ("amount_unit", "原文金额单位"),
    ("source", "来源说明"),
    ("project_count", "项目数", "integer"),
    ("budget_total", "项目预算数合计（万元）", "amount"),
    ("page_url", "网页地址"),
    ("pdf_url", "PDF 地址"),
)

PROJECT_KEY_COLUMNS = _columns(
    ("project_id", "项目标识"),
    ("year", "年度", "integer"),
    ("department_slug", "部门代号"),
    ("department", "部门名称"),
    ("project_key", "项目网址代号"),
    ("project_code", "项目编码"),
    ("project_name", "项目名称"),
)

PROJECT_COLUMNS = _columns(
    ("project_id", "项目标识"),
    ("department_id", "部门标识"),
    ("year", "年度", "integer"),
    ("department_slug", "部门代号"),
    ("department", "部门名称"),
    ("unit_code", "预算单位编码"),
    ("project_no", "项目序号", "integer"),
    ("project_key", "项目网址代号"),
    ("project_code", "项目编码"),
    ("project_code_printed", "项目编码（原文）"),
    ("project_name", "项目名称"),
    ("project_title", "表题"),
    ("budget_total", "预算数（万元）", "amount"),
    ("budget_total_printed", "预算数（原文）"),
    ("budget_fiscal", "财政资金（万元）", "amount"),
    ("budget_fiscal_printed", "财政资金（原文）"),
    ("budget_other", "其他资金（万元）", "amount"),
    ("budget_other_printed", "其他资金（原文）"),
    ("purpose", "资金用途"),
    ("spending_plan", "资金支出计划（累计）"),
    ("goals", "绩效目标"),
    ("indicator_count", "指标数", "integer"),
    ("page_url", "网页地址"),
)

INDICATOR_COLUMNS = (
    *PROJECT_KEY_COLUMNS,
    *_columns(
        ("indicator_no", "指标序号", "integer"),
        ("level1", "一级指标"),
        ("level2", "二级指标"),
        ("level3", "三级指标"),
        ("description", "指标描述"),
        ("value", "指标值（原文）"),
        ("value_kind", "指标值类型"),
        ("value_comparison", "比较关系"),
        ("value_number", "指标值数值", "number"),
        ("value_unit", "指标值单位"),
        ("value_date", "期限日期"),
        ("basis", "指标值确定依据"),
    ),
)

SPENDING_PLAN_COLUMNS = (
    *PROJECT_KEY_COLUMNS,
    *_columns(
        ("checkpoint_no", "节点序号", "integer"),
        ("label", "时间节点"),
        ("value", "累计支出进度（原文）"),
        ("percent", "累计支出进度（%）", "number"),
    ),
)

TABLE_LABELS = {"departments": "部门", "projects": "项目", "indicators": "绩效指标", "spending_plan": "资金支出计划"}
TABLE_COLUMNS = {
    "departments": DEPARTMENT_COLUMNS,
    "projects": PROJECT_COLUMNS,
    "indicators": INDICATOR_COLUMNS,
    "spending_plan": SPENDING_PLAN_COLUMNS,
}


@dataclass(frozen=True)
class ProjectContext:
    """What every row of one project repeats: its ids and names."""

    loaded: LoadedDepartment
    project: Project
    number: int
    key: str

    @property
    def department(self) -> Department:
        return self.loaded.department

    @property
    def department_id(self) -> str:
        return department_dir(self.department.year, self.loaded.source.slug).rstrip("/")

    @property
    def project_id(self) -> str:
        return project_dir(self.department.year, self.loaded.source.slug, self.key).rstrip("/")

    def key_cells(self) -> tuple[Cell, ...]:
        return (
            self.project_id,
            self.department.year,
            self.loaded.source.slug,
            self.department.department,
            self.key,
            self.project.project_code,
            self.project.name,
        )


def in_export_unit(amount: Amount | None, document_unit: str) -> Decimal | None:
    """An amount in 万元, exactly (a document in 元 gives `0.5` for `5000`)."""
    if amount is None:
        return None
    return amount.value if document_unit == EXPORT_UNIT else to_unit(amount.value, document_unit, EXPORT_UNIT)


def department_total(department: Department) -> Decimal:
    """The sum of the projects' 预算数 in 万元, exactly."""
    values = (in_export_unit(project.budget.total, department.amount_unit) for project in department.projects)
    return sum(values, Decimal(0))


def build_tables(loaded_list: Iterable[LoadedDepartment], site_url: str = "") -> dict[str, Table]:
    """The four tables for these departments, in the order given."""
    loaded_list = list(loaded_list)
    contexts = [context for loaded in loaded_list for context in project_contexts(loaded)]
    builders: dict[str, Callable[[], list[tuple[Cell, ...]]]] = {
        "departments": lambda: [department_row(loaded, site_url) for loaded in loaded_list],
        "projects": lambda: [project_row(context, site_url) for context in contexts],
        "indicators": lambda: [row for context in contexts for row in indicator_rows(context)],
        "spending_plan": lambda: [row for context in contexts for row in spending_plan_rows(context)],
    }
    return {
        name: Table(name, TABLE_LABELS[name], TABLE_COLUMNS[name], tuple(build())) for name, build in builders.items()
    }


def project_contexts(loaded: LoadedDepartment) -> list[ProjectContext]:
    keys = project_keys(loaded.department)
    return [
        ProjectContext(loaded, project, number, key)
        for number, (project, key) in enumerate(zip(loaded.department.projects, keys, strict=True), start=1)
    ]


def department_row(loaded: LoadedDepartment, site_url: str) -> tuple[Cell, ...]:
    department, slug = loaded.department, loaded.source.slug
    unit = department.unit
    return (
        department_dir(department.year, slug).rstrip("/"),
        department.year,
        slug,
        department.department,
        department.region,
        unit.code if unit else None,
        unit.name if unit else None,
        department.prepared_by,
        department.reviewed_by,
        department.amount_unit,
        department.source,
        len(department.projects),
        department_total(department),
        site_url + department_dir(department.year, slug),
        site_url + pdf_path(department.year, slug),
    )


def project_row(context: ProjectContext, site_url: str) -> tuple[Cell, ...]:
    project, department = context.project, context.department
    budget, unit = project.budget, department.amount_unit
    return (
        context.project_id,
        context.department_id,
        department.year,
        context.loaded.source.slug,
        department.department,
        department.unit.code if department.unit else None,
        context.number,
        context.key,
        project.project_code,
        project.code,
        project.name,
        project.title,
        in_export_unit(budget.total, unit),
        budget.total.printed,
        in_export_unit(budget.fiscal, unit),
        budget.fiscal.printed if budget.fiscal else None,
        in_export_unit(budget.other, unit),
        budget.other.printed if budget.other else None,
        project.purpose,
        spending_plan_text(project.spending_plan),
        goals_text(project.goals),
        len(project.indicators),
        site_url + context.project_id + "/",
    )


def spending_plan_text(plan: list[Checkpoint]) -> str | None:
    """`3月底：0%；6月底：100%` — every checkpoint as published, blank cells left empty."""
    return "；".join(f"{checkpoint.label}：{checkpoint.value or ''}" for checkpoint in plan) or None


def goals_text(goals: list[Goal]) -> str | None:
    """One goal per line, with its separate label when the form had one (`目标1：…`)."""
    lines = [f"{goal.label}：{goal.text}" if goal.label else goal.text for goal in goals]
    return "\n".join(lines) or None


def indicator_rows(context: ProjectContext) -> list[tuple[Cell, ...]]:
    key = context.key_cells()
    return [
        (*key, number, *indicator_cells(indicator))
        for number, indicator in enumerate(context.project.indicators, start=1)
    ]


def indicator_cells(indicator: Indicator) -> tuple[Cell, ...]:
    parsed = indicator.parsed
    return (
        indicator.level1,
        indicator.level2,
        indicator.name,
        indicator.description,
        indicator.value,
        parsed.kind if indicator.value else None,
        parsed.comparison,
        parsed.number,
        parsed.unit,
        parsed.date,
        indicator.basis,
    )


def spending_plan_rows(context: ProjectContext) -> list[tuple[Cell, ...]]:
    key = context.key_cells()
    return [
        (*key, number, checkpoint.label, checkpoint.value, checkpoint.percent)
        for number, checkpoint in enumerate(context.project.spending_plan, start=1)
    ]


def concat(parts: Iterable[dict[str, Table]]) -> dict[str, Table]:
    """The tables of several departments as one set, rows in the order given."""
    parts = list(parts)
    return {
        name: Table(name, TABLE_LABELS[name], columns, tuple(row for part in parts for row in part[name].rows))
        for name, columns in TABLE_COLUMNS.items()
    }
