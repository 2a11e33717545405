"""The builder's exceptions; only the CLI turns them into messages and exit codes."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .data.yamlread import Problem


class BuilderError(Exception):
    """Something the user can fix; printed without a traceback."""


class DataError(BuilderError):
    """A data file has problems; all of them are listed."""

    def __init__(self, path: Path, problems: list[Problem]) -> None:
        self.path = path
        self.problems = problems
        super().__init__(self.render())

    def render(self) -> str:
        return "\n".join(problem.render(str(self.path)) for problem in self.problems)


class ImportFailed(BuilderError):
    """A document could not be read as a 部门预算绩效文本 at all (empty, another kind of document)."""
