"""Check data files for well-formedness and summarise each department (`builder check`)."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

from ..data.amounts import format_amount
from ..data.load import LoadedDepartment, load_all, pdf_size_problems
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

    With `with_pdf` (as `build` makes PDFs by default), a department too large for its PDF is an error too.
    """
    loaded, errors = load_all(paths)
    if with_pdf:
        too_large = [item for item in loaded if pdf_size_problems(item)]
        errors += [DataError(item.source.path, pdf_size_problems(item)) for item in too_large]
        loaded = [item for item in loaded if item not in too_large]
    return [summarise(item) for item in loaded], errors
