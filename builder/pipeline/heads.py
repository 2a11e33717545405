"""What the steps need of every department, kept beside its cached body: an edit unpickles what it changed.

The read step (builder/pipeline/steps/read_data.py) keeps, under each data file's key in the store
(namespace `data`), the department read and its lint findings (the body, `<key>.pickle`) and its
`Summary` (`<key>.head`): its `Head` (its own fields and row counts), the digests of what the
site-level pages show of it, its findings' counts by severity. A department whose file is
unchanged since an earlier build is a `ReadDepartment` with its summary in memory; its body is
unpickled from the store the first time a step asks for `.department` or `.findings`: the pages,
open data and PDF of a changed department, its other years (the history chart), the site-level
pages when what they show changed. At 3 000 departments an edit unpickled all of them (3.5 s);
with summaries it unpickles the one it changed and its other years.

Body and summary are kept under one key, made from the file's bytes (`read_data.file_key`), and
written together when the file is read: a summary never describes other bytes than its body.
"""

from __future__ import annotations

from dataclasses import dataclass, fields, replace
from pathlib import Path
from typing import Any

from ..data.load import Head, LoadedDepartment, Source
from ..data.model import Department
from ..errors import BuilderError
from ..lint.findings import Finding, counts, sort_key
from ..lint.rules.text import UNFILLED_TEMPLATE
from .fingerprint import digest
from .store import Store

NAMESPACE = "data"
BODY = "pickle"  # the entry of (LoadedDepartment, findings)
SHOWN = "shown"  # the entry of (shown_department, findings): what the site-level pages are made from
SUMMARY = "head"  # the entry of its Summary
KINDS = (BODY, SHOWN, SUMMARY)  # written in this order: a summary always has the others

# What a department's own pages show and the site-level pages do not: its texts, goals, indicators.
NOT_SHOWN = {"part_one": None, "unresolved": []}
PROJECT_NOT_SHOWN = {"purpose": None, "spending_plan": [], "goals": [], "notes": None, "indicators": []}
_FINDING_FIELDS = tuple(field.name for field in fields(Finding) if field.name != "path")


@dataclass(frozen=True)
class Summary:
    """What the steps need of a department besides its head, without its body."""

    head: Head
    shown: str  # digest of `shown_department` (what the site-level pages show of it)
    listed: str  # digest of `head.listed` (what the 数据下载 page shows of it)
    findings: str  # digest of its findings' text, their path left out (it is the file's own)
    counts: dict[str, int]  # its findings by severity
    unfilled: list[Finding]  # its findings of UNFILLED_TEMPLATE: a build refuses them

    @classmethod
    def of(cls, loaded: LoadedDepartment, findings: list[Finding]) -> Summary:
        head = Head.of(loaded.department)
        return cls(
            head,
            digest("shown", repr(shown_department(loaded.department))),
            digest("listed", repr(head.listed)),
            digest("findings", *map(finding_text, findings)),
            counts(findings),
            [finding for finding in findings if finding.rule == UNFILLED_TEMPLATE],
        )


def shown_department(department: Department) -> Department:
    """The department as the site-level pages see it: without the texts only its own pages show."""
    projects = [project.model_copy(update=PROJECT_NOT_SHOWN) for project in department.projects]
    return department.model_copy(update={**NOT_SHOWN, "projects": projects})


def finding_text(finding: Finding) -> str:
    """Every field of a lint finding but its path, as text (quicker than its `repr`: thousands of findings)."""
    return "\0".join(repr(getattr(finding, name)) for name in _FINDING_FIELDS)


class ReadDepartment(LoadedDepartment):
    """A department of this build: its summary, and its body (`department`, `findings`) in memory or in the store.

    A body left in the store is unpickled on first use and then kept. Sent to a worker, a department
    whose body the store holds travels as its summary and key: the worker unpickles the body itself.
    """

    summary: Summary
    findings: list[Finding]
    key: str  # the data file's key (`read_data.file_key`): its entries' in the store

    def __init__(
        self,
        source: Source,
        summary: Summary,
        body: tuple[Department, list[Finding]] | None,
        store: Store,
        key: str,
    ) -> None:
        object.__setattr__(self, "source", source)
        object.__setattr__(self, "located", None)
        object.__setattr__(self, "summary", summary)
        object.__setattr__(self, "head", summary.head)  # (the cached head of LoadedDepartment)
        object.__setattr__(self, "_store", store)
        object.__setattr__(self, "key", key)
        if body is not None:
            object.__setattr__(self, "department", body[0])
            object.__setattr__(self, "findings", body[1])

    def __getattr__(self, name: str) -> Any:
        """Only called for attributes not set: the body's, when it is still in the store.

        The findings alone come from the smaller entry the site-level pages read (`shown`)."""
        if name == "department":
            department, findings = self._entry(BODY)
            object.__setattr__(self, "department", department)
        elif name == "findings":
            _, findings = self._entry(SHOWN)
        else:
            raise AttributeError(name)
        if "findings" not in self.__dict__:
            object.__setattr__(self, "findings", findings)
        return self.__dict__[name]

    def shown(self) -> Department:
        """The department as the site-level pages see it (`shown_department`), from the store when not in memory."""
        if self.loaded:
            return shown_department(self.department)
        department, findings = self._entry(SHOWN)
        if "findings" not in self.__dict__:
            object.__setattr__(self, "findings", findings)
        return department

    @property
    def loaded(self) -> bool:
        """Whether the body is in memory."""
        return "department" in self.__dict__

    def _entry(self, kind: str) -> tuple[Department, list[Finding]]:
        """The department (whole: BODY, or as shown: SHOWN) and its findings, unpickled from the store."""
        cached = self._store.get_pickle(NAMESPACE, self.key, kind)
        if not isinstance(cached, tuple) or len(cached) != 2:
            raise BuilderError(
                f"构建缓存中 {self.source.path} 的数据在生成过程中被删除（缓存被清理？），网站没有更新 — 请重新运行"
            )
        department, findings = cached
        if isinstance(department, LoadedDepartment):
            department = department.department
        return department, at_path(findings, self.source.path)

    def __reduce__(self) -> tuple[Any, ...]:
        body = None if self._store.root is not None else (self.department, self.findings)
        return ReadDepartment, (self.source, self.summary, body, self._store, self.key)

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, LoadedDepartment):
            return NotImplemented
        return (self.source, self.department) == (other.source, other.department)

    __hash__ = LoadedDepartment.__hash__


def listed(departments: list[LoadedDepartment]) -> list[LoadedDepartment]:
    """The departments as lists of them see them (`Head.listed`): no body unpickled."""
    return [LoadedDepartment(item.source, item.head.listed) for item in departments]


def findings_of(departments: list[ReadDepartment]) -> list[Finding]:
    """The departments' lint findings, sorted (unpickled from the store where not in memory)."""
    return sorted((finding for item in departments for finding in item.findings), key=sort_key)


def site_digest(item: ReadDepartment) -> str:
    """What the site-level pages are made from of one department: what they show of it and its findings."""
    summary = item.summary
    return digest(summary.shown, item.source.slug, str(item.source.path), summary.findings)


def at_path(findings: list[Finding], path: Path) -> list[Finding]:
    """Findings reported at `path` (the same bytes read at another path before: a copied data folder)."""
    if all(finding.path == path for finding in findings):
        return findings  # read at this path before (the usual case): no copies
    return [replace(finding, path=path) for finding in findings]
