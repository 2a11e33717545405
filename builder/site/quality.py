"""Turn lint findings into the site's 数据质量 pages: a summary table per year and a findings page per department.

The pages are written for citizens (builder/site/finding_words.py): each finding says which project (第 N 个项目
and its name), which part of its table, the rule's Chinese name and what it means for a reader; no file
lines or field paths, which are for the people who edit the data (`python -m builder lint`).
They are in the search index. This module gathers what each page shows; the templates
`templates/pages/quality_year.html` and `quality_department.html` write it, with autoescape on, as
HTML pages like the others (`pages.render`: front matter with `html: true` and the headings of the
table of contents). Links are relative to each page's directory URL, so the site works under any sub-path.
"""

from __future__ import annotations

import posixpath
from collections import defaultdict
from collections.abc import Collection
from dataclasses import dataclass

from jinja2 import Environment

from ..data.load import LoadedDepartment
from ..data.titles import contents_entries
from ..lint.findings import Finding, counts
from ..lint.rules import SEVERITIES
from . import paths
from .finding_words import SEVERITY_WORDS, ReaderFinding, reader_finding
from .pages import page_environment, render

QUALITY = "quality"  # `2023/quality/` and `2023/<slug>/quality/`
PAGE_META = {"hide": ["navigation"]}


def year_page(year: int) -> str:
    """`2023/quality.md`, served at `2023/quality/`."""
    return f"{year}/{QUALITY}.md"


def department_page(year: int, slug: str) -> str:
    """`2023/<slug>/quality.md`, served at `2023/<slug>/quality/`."""
    return f"{paths.department_dir(year, slug)}{QUALITY}.md"


def quality_pages(
    loaded_list: list[LoadedDepartment],
    findings: list[Finding],
    only: Collection[tuple[int, str]] | None = None,
    site_level: bool = True,
) -> dict[str, str]:
    """Every 数据质量 page, by its path under the generated pages folder, in a stable order.

    `only` and `site_level` select pages as in `pages.site_pages`.
    """
    env = page_environment()
    by_file: dict[str, list[Finding]] = defaultdict(list)
    for finding in findings:
        by_file[str(finding.path)].append(finding)
    by_year: dict[int, list[LoadedDepartment]] = defaultdict(list)
    for loaded in loaded_list:
        by_year[loaded.department.year].append(loaded)
    pages: dict[str, str] = {}
    for year in sorted(by_year, reverse=True):
        departments = sorted(by_year[year], key=lambda loaded: loaded.source.slug)
        if site_level:
            pages[year_page(year)] = _year_page(env, year, departments, by_file)
        for loaded in departments:
            if only is not None and (year, loaded.source.slug) not in only:
                continue
            page = department_page(year, loaded.source.slug)
            pages[page] = _department_page(env, loaded, by_file[str(loaded.source.path)])
    return pages


def _url(page: str) -> str:
    """The directory URL a page is served at: `2023/quality.md` → `2023/quality/`."""
    return page.removesuffix(".md") + "/"


def _link(from_url: str, to_url: str) -> str:
    """A relative link between two directory URLs."""
    return posixpath.relpath(to_url or ".", from_url or ".").rstrip("/") + "/"


def severity_counts(findings: list[Finding]) -> list[int]:
    """The number of findings of each severity, in the order of SEVERITIES (the tables' columns)."""
    numbers = counts(findings)
    return [numbers[severity] for severity in SEVERITIES]


def counts_words(findings: list[Finding]) -> str:
    """`明显错误 1 处，可能有误 10 处，值得留意 2 处` (only the kinds found)."""
    numbers = counts(findings)
    found = [severity for severity in SEVERITIES if numbers[severity]]
    return "，".join(f"{SEVERITY_WORDS[severity]} {numbers[severity]} 处" for severity in found)


@dataclass(frozen=True)
class YearRow:
    """A department's row in the year's summary: its report, its 项目数, projects with findings, counts."""

    department: str
    link: str
    region: str
    projects: int
    flagged: int
    counts: list[int]


@dataclass(frozen=True)
class YearTotal:
    projects: int
    counts: list[int]


def _year_page(
    env: Environment, year: int, departments: list[LoadedDepartment], by_file: dict[str, list[Finding]]
) -> str:
    url = _url(year_page(year))
    rows = []
    for loaded in departments:
        findings = by_file[str(loaded.source.path)]
        rows.append(
            YearRow(
                department=loaded.department.department,
                link=_link(url, _url(department_page(year, loaded.source.slug))),
                region=loaded.department.region or "",
                projects=len(loaded.department.projects),
                flagged=len({finding.project_index for finding in findings if finding.project_index is not None}),
                counts=severity_counts(findings),
            )
        )
    everything = [finding for loaded in departments for finding in by_file[str(loaded.source.path)]]
    total = YearTotal(sum(len(loaded.department.projects) for loaded in departments), severity_counts(everything))
    context = {"year": year, "rows": rows, "total": total, "severity_words": [SEVERITY_WORDS[s] for s in SEVERITIES]}
    return render(env, "quality_year.html", url, f"{year}年数据质量报告", PAGE_META, **context)


@dataclass(frozen=True)
class Found:
    """The department page's summary sentence: 项目数, findings, their counts in words, projects concerned."""

    projects: int
    findings: int
    words: str
    flagged: int


@dataclass(frozen=True)
class Section:
    """A heading of the department page (部门整体, or a project) with its findings; `link` to the project's page."""

    anchor: str
    title: str
    link: str
    findings: list[ReaderFinding]


def _department_page(env: Environment, loaded: LoadedDepartment, findings: list[Finding]) -> str:
    department, slug = loaded.department, loaded.source.slug
    url = _url(department_page(department.year, slug))
    title = f"{department.department} {department.year}年数据质量报告"
    projects = {finding.project_index for finding in findings if finding.project_index is not None}
    found = Found(len(department.projects), len(findings), counts_words(findings), len(projects)) if findings else None
    sections = []
    whole = [reader_finding(finding, department) for finding in findings if finding.project_index is None]
    if whole:
        sections.append(Section("department", "部门整体", "", whole))
    sections += _project_sections(loaded, findings, url)
    context = {
        "report_title": title,
        "found": found,
        "department": department.department,
        "year": department.year,
        "back": _link(url, paths.department_dir(department.year, slug)),
        "year_report": _link(url, _url(year_page(department.year))),
        "sections": sections,
    }
    return render(env, "quality_department.html", url, title, PAGE_META, **context)


def _project_sections(loaded: LoadedDepartment, findings: list[Finding], url: str) -> list[Section]:
    """Per project that has findings, in the document's order: its heading, link and findings."""
    department, slug = loaded.department, loaded.source.slug
    keys = paths.project_keys(department)
    order = {"error": 0, "warning": 1, "notice": 2}
    # Numbered as the original's 目录 numbers them (builder/data/titles.py): after an entry without a table, 8 stays 8.
    numbers = {entry.project_index: entry.number for entry in contents_entries(department)}
    sections = []
    for index, project in enumerate(department.projects):
        of_project = [finding for finding in findings if finding.project_index == index]
        if not of_project:
            continue
        of_project.sort(key=lambda finding: (order.get(finding.severity, 3), finding.line))
        title = " ".join(f"第 {numbers[index]} 个项目：{project.name}".split())  # one line in the table of contents
        link = _link(url, paths.project_dir(department.year, slug, keys[index]))
        readable = [reader_finding(finding, department) for finding in of_project]
        sections.append(Section(f"project-{index + 1}", title, link, readable))
    return sections
