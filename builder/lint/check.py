"""Check data files for well-formedness and summarise each department (`builder check`)."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

from ..data.amounts import format_amount
from ..data.load import LoadedDepartment, load_all
from ..errors import DataError
from ..printable import escape_controls


@dataclass(frozen=True)
class Summary:
    path: Path
    department: str
    year: int
    projects: int
    indicators: int
    total_budget: Decimal
    amount_unit: str

    def render(self) -> str:
        return escape_controls(
            f"{self.path}: {self.year} {self.department} — {self.projects} 个项目，"
            f"{self.indicators} 行指标，预算数合计 {format_amount(self.total_budget)} {self.amount_unit}"
        )


def summarise(loaded: LoadedDepartment) -> Summary:
    department = loaded.department
    return Summary(
        path=loaded.source.path,
        department=department.department,
        year=department.year,
        projects=len(department.projects),
        indicators=sum(len(project.indicators) for project in department.projects),
        total_budget=department.total_budget,
        amount_unit=department.amount_unit,
    )


def check(paths: list[Path], with_pdf: bool = True) -> tuple[list[Summary], list[DataError]]:
    """Validate every file under `paths`; return summaries of the good ones and all errors.

    `with_pdf` is kept for `check --no-pdf`: every department `check` accepts also gets its PDF (a large one is
    printed in pieces, builder/pdf/split.py), so the PDF adds no check of its own.
    """
    del with_pdf
    loaded, errors = load_all(paths)
    return [summarise(item) for item in loaded], errors
