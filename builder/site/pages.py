"""Turn loaded departments into the website's generated pages (`content/generated/`).

Every page is a Jinja template from `templates/pages/` rendered with autoescape on, so
each string from the YAML reaches the page as escaped text (the 数据质量 pages, builder/site/quality.py,
and the 数据下载 page, builder/opendata/export.py, too: no page is built in Python strings). The year, all-projects,
department and project pages are HTML as they are: their front matter says `html: true`
and lists the headings of the table of contents (`toc`), and the MkDocs hooks put the
body in the theme without Markdown (which took most of the build time on their big
tables). The home listing is HTML spliced into the Markdown home page. Links are
relative, so the site works under any sub-path.
"""

from __future__ import annotations

import json
import posixpath
from collections.abc import Callable, Collection
from dataclasses import dataclass, field
from decimal import Decimal
from functools import cache, cached_property
from itertools import groupby

from jinja2 import Environment
from markupsafe import Markup, escape

from .. import PROJECT_ROOT
from ..data.amounts import Amount, to_unit
from ..data.load import LoadedDepartment
from ..data.model import Department, Project
from ..data.titles import TITLE_NOTE, title_differs
from ..errors import BuilderError
from ..lint.findings import Finding
from . import filters, paths
from .charts import DepartmentHistory, department_history, year_comparison
from .finding_words import ReaderFinding, by_project
from .project_lists import project_lists

THEME_PAGES = PROJECT_ROOT / "templates" / "pages"
HOME_LISTING = "home-listing.html"  # spliced into the hand-written home page by the MkDocs hooks
# `2023/projects/`: every project of a year on one page, or by region (project_lists.py); a reserved slug in load.py
ALL_PROJECTS = "projects"


@dataclass(frozen=True)
class GeneratedPage:
    """One file of the generated part of `content/`: its path there and its text."""

    path: str
    text: str


@dataclass(frozen=True)
class Totals:
    """Sums of a list of projects' 预算数, 财政资金 and 其他资金; None where every cell is blank."""

    total: Decimal
    fiscal: Decimal | None
    other: Decimal | None


def _sum(amounts: list[Amount | None]) -> Decimal | None:
    present = [amount.value for amount in amounts if amount is not None]
    return sum(present, Decimal(0)) if present else None


def totals(projects: list[Project]) -> Totals:
    """Column totals for a projects table, exactly."""
    return Totals(
        total=sum((project.budget.total.value for project in projects), Decimal(0)),
        fiscal=_sum([project.budget.fiscal for project in projects]),
        other=_sum([project.budget.other for project in projects]),
    )


@dataclass(frozen=True)
class ProjectEntry:
    """A project with where it lives."""

    project: Project
    key: str
    url: str


# The department's own downloads shown on its page (builder/opendata/export.py writes them), in this order.
DOWNLOAD_LABELS = {
    "xlsx": "Excel 工作簿",
    "projects.csv": "项目表 CSV",
    "indicators.csv": "绩效指标表 CSV",
    "spending-plan.csv": "资金支出计划 CSV",
    "json": "JSON",
}


@dataclass(frozen=True)
class DownloadLink:
    label: str
    url: str
    size: str


@dataclass(frozen=True)
class DepartmentEntry:
    """A loaded department with its URLs, its projects' URLs and its downloads (path → size, when made)."""

    slug: str
    department: Department
    sizes: dict[str, str] = field(default_factory=dict)

    @property
    def downloads(self) -> list[DownloadLink]:
        files = paths.data_files(self.department.year, self.slug)
        return [
            DownloadLink(label, files[kind], self.sizes[files[kind]])
            for kind, label in DOWNLOAD_LABELS.items()
            if files.get(kind) in self.sizes
        ]

    @property
    def url(self) -> str:
        return paths.department_dir(self.department.year, self.slug)

    @cached_property
    def projects(self) -> list[ProjectEntry]:
        year, slug = self.department.year, self.slug
        return [
            ProjectEntry(project, key, paths.project_dir(year, slug, key))
            for project, key in zip(self.department.projects, paths.project_keys(self.department), strict=True)
        ]

    @cached_property
    def totals(self) -> Totals:
        return totals(self.department.projects)

    @property
    def total_budget_wan(self) -> Decimal:
        return in_wan(self.department.total_budget, self.department.amount_unit)

    @property
    def pdf_url(self) -> str:
        return paths.pdf_path(self.department.year, self.slug)

    @property
    def pdf_name(self) -> str:
        return paths.pdf_download_name(self.department)


@dataclass(frozen=True)
class Year:
    """One year's departments, in file-name (slug) order."""

    year: int
    departments: list[DepartmentEntry]

    @property
    def url(self) -> str:
        return f"{self.year}/"

    @property
    def all_projects_url(self) -> str:
        return f"{self.year}/{ALL_PROJECTS}/"

    @property
    def project_count(self) -> int:
        return sum(len(entry.department.projects) for entry in self.departments)

    @property
    def regions(self) -> list[str]:
        """The 地区 the year's departments name, for the tables' filter, in Chinese collation-free code-point order."""
        return sorted({entry.department.region for entry in self.departments if entry.department.region})

    @property
    def total_budget_wan(self) -> Decimal:
        return sum((entry.total_budget_wan for entry in self.departments), Decimal(0))


def in_wan(value: Decimal, unit: str) -> Decimal:
    """A value in a department's amount unit, in 万元 (the unit of the cross-department tables)."""
    return value if unit == "万元" else to_unit(value, unit, "万元")


def amount_in_wan(amount: Amount | None, entry: DepartmentEntry) -> Decimal | None:
    return None if amount is None else in_wan(amount.value, entry.department.amount_unit)


def years(loaded: list[LoadedDepartment], sizes: dict[str, str] | None = None) -> list[Year]:
    """Departments grouped by year, newest year first; two departments at one URL are an error."""
    entries = sorted(
        (DepartmentEntry(item.source.slug, item.department, sizes or {}) for item in loaded),
        key=lambda entry: (-entry.department.year, entry.slug),
    )
    _check_urls(entries)
    return [Year(year, list(group)) for year, group in groupby(entries, key=lambda entry: entry.department.year)]


def _check_urls(entries: list[DepartmentEntry]) -> None:
    """Two files of one year with the same name (in different folders) would share a URL."""
    seen: set[str] = set()
    for entry in entries:
        if entry.url in seen:
            raise BuilderError(f"{entry.url} 出现了两次 — 同一年度的两个文件不能同名")
        seen.add(entry.url)


@cache
def page_environment() -> Environment:
    """The Jinja environment of the page templates: autoescape on, undefined names are errors.

    One per process, so each template is compiled once (a build renders its pages in many calls);
    a template edited meanwhile is reloaded (Jinja checks its modification time).
    """
    env = filters.template_environment(THEME_PAGES)
    env.globals.update(
        wan=amount_in_wan,
        title_differs=title_differs,
        title_note=TITLE_NOTE,
        search_keys=search_keys,
        department_search_keys=department_search_keys,
    )
    return env


def search_keys(project: Project) -> str:
    """What a search for this project should find first, for the search page's re-ranking (a Pagefind meta value):
    编码, 原文表题 and the indicators' names, `｜`-separated (a comma would end the meta value)."""
    return _meta_keys([project.code, project.title, *(indicator.name for indicator in project.indicators)])


def department_search_keys(department: Department) -> str:
    """What a search for this department should find first (as `search_keys`): its 预算单位's code and name and its
    索引号, which its projects' pages print too (a search for the unit code found the department after them)."""
    unit = department.unit
    return _meta_keys([unit.code if unit else None, unit.name if unit else None, department.index_number])


def _meta_keys(parts: list[str | None]) -> str:
    """Texts as one Pagefind meta value: spaces collapsed, each once, `｜`-separated, no comma (it ends the value)."""
    unique = dict.fromkeys(" ".join(part.split()) for part in parts if part and part.strip())
    return "｜".join(unique).replace(",", "，")


@dataclass(frozen=True)
class Quality:
    """The 数据质量 findings a department's pages show (only when the report is public)."""

    url: str  # the department's report
    count: int
    projects: dict[int, list[ReaderFinding]]


def department_quality(entry: DepartmentEntry, findings: list[Finding]) -> Quality:
    url = f"{entry.url}quality/"
    return Quality(url, len(findings), by_project(findings, entry.department))


def root_of(url: str) -> str:
    """The relative way back to the site root from a page at `url` (`2023/x/` → `../../`)."""
    depth = len([part for part in url.split("/") if part])
    return "../" * depth


def front_matter(title: str, **meta: object) -> str:
    """Front matter, written as one line of JSON (a YAML flow mapping, so MkDocs reads it as it reads any page's); the
    title is HTML-escaped because Material prints `page.meta.title` raw.

    The hooks read it as JSON (builder/site/hooks.py `GeneratedPage.read_source`): PyYAML took 0.15 ms a page to
    write it and 0.2 ms to read it back, 3 s of CPU at 500 departments.
    """
    data = {"title": str(escape(title)), **meta}
    return "---\n" + json.dumps(data, ensure_ascii=False) + "\n---\n\n"


@dataclass
class Headings:
    """The headings a page template writes with `heading(level, id, text)`: its table of contents.

    Each is written by the `heading` macro of `_macros.html` as Python-Markdown's `## text { #id }`
    came out, and kept as the token Markdown's `toc` extension gave MkDocs (`name` is HTML, as MkDocs expects).
    """

    macro: Callable[..., Markup]
    tokens: list[dict[str, object]] = field(default_factory=list)

    def heading(self, level: int, anchor: str, text: str) -> Markup:
        self.tokens.append({"level": level, "id": anchor, "name": str(escape(text))})
        return self.macro(level, anchor, text)


def render(env: Environment, template: str, url: str, title: str, meta: dict[str, object], **context: object) -> str:
    """An HTML page: front matter (with `html: true` and the headings) and the rendered template."""
    headings = Headings(env.get_template("_macros.html").module.heading)
    body = env.get_template(template).render(root=root_of(url), heading=headings.heading, **context)
    return front_matter(title, **meta, html=True, toc=headings.tokens) + body


def site_pages(
    loaded: list[LoadedDepartment],
    *,
    with_pdf: bool,
    downloads: dict[str, str] | None = None,
    only: Collection[tuple[int, str]] | None = None,
    site_level: bool = True,
    findings: list[Finding] | None = None,
) -> list[GeneratedPage]:
    """Every generated page: home listing, per year a year page and an all-projects page, departments, projects.

    `downloads` maps each open-data file made (path from the site root) to its size, for the links.
    `only` limits the department and project pages to those `(year, slug)`; without `site_level`
    the home listing and the year pages are left out (a build renders them in parts, in parallel).
    `findings` (lint's, of every department) are shown on the pages and linked to the 数据质量 reports;
    None when the reports are not public.
    """
    env = page_environment()
    all_years = years(loaded, downloads)
    pages = []
    if site_level:
        listing = env.get_template("home_listing.html").render(root="", years=all_years, quality=findings is not None)
        pages.append(GeneratedPage(HOME_LISTING, listing))
    for year in all_years:
        if site_level:
            pages += _year_level_pages(env, year, loaded, findings is not None)
        pages += _department_pages(env, year, with_pdf, loaded, only, findings)
    return pages


def _year_level_pages(
    env: Environment, year: Year, loaded: list[LoadedDepartment], quality: bool
) -> list[GeneratedPage]:
    # The all-projects table repeats every project (search finds the projects themselves) and needs the page's width.
    wide = {"pagefind": False, "hide": ["navigation", "toc"]}
    comparison = year_comparison(loaded, year.year)
    context = {"year": year, "comparison": comparison, "quality": quality}
    year_page = render(env, "year.html", year.url, f"{year.year}年", {}, **context)
    pages = [GeneratedPage(_index(year.url), year_page)]
    title, url = f"{year.year}年全部项目", year.all_projects_url
    lists = project_lists(url, year.departments)
    if not lists:
        table = render(env, "all_projects.html", url, title, wide, year=year, departments=year.departments, part=None)
        return [*pages, GeneratedPage(_index(url), table)]
    index = render(env, "project_lists.html", url, title, {"pagefind": False}, year=year, lists=lists)
    pages.append(GeneratedPage(_index(url), index))
    for part in lists:
        table = render(
            env,
            "all_projects.html",
            part.url,
            f"{title}：{part.title}",
            wide,
            year=year,
            departments=part.departments,
            part=part,
        )
        pages.append(GeneratedPage(_index(part.url), table))
    return pages


def _department_pages(
    env: Environment,
    year: Year,
    with_pdf: bool,
    loaded: list[LoadedDepartment],
    only: Collection[tuple[int, str]] | None,
    findings: list[Finding] | None,
) -> list[GeneratedPage]:
    pages = []
    by_file: dict[str, list[Finding]] = {}
    for finding in findings or []:
        by_file.setdefault(str(finding.path), []).append(finding)
    sources = {(item.department.year, item.source.slug): str(item.source.path) for item in loaded}
    for entry in year.departments:
        if only is not None and (year.year, entry.slug) not in only:
            continue
        history = department_history(loaded, entry.slug)
        own = by_file.get(sources.get((year.year, entry.slug), ""), [])
        quality = department_quality(entry, own) if findings is not None else None
        pages.append(_department_page(env, year, entry, with_pdf, history, quality))
        pages += [
            _project_page(env, year, entry, project, index, quality, with_pdf)
            for index, project in enumerate(entry.projects)
        ]
    return pages


def _department_page(
    env: Environment,
    year: Year,
    entry: DepartmentEntry,
    with_pdf: bool,
    history: DepartmentHistory | None,
    quality: Quality | None,
) -> GeneratedPage:
    d = entry.department
    title = f"{d.department} {year.year}年部门预算绩效文本"
    summary = f"{title}：{len(d.projects)} 个项目，预算数合计 {filters.money(entry.totals.total)} {d.amount_unit}。"
    meta = {"hide": ["navigation"], "description": _attribute(summary)}
    context = {"year": year, "entry": entry, "with_pdf": with_pdf, "history": history, "quality": quality}
    text = render(env, "department.html", entry.url, title, meta, **context)
    return GeneratedPage(_index(entry.url), text)


def _project_page(
    env: Environment,
    year: Year,
    entry: DepartmentEntry,
    project: ProjectEntry,
    index: int,
    quality: Quality | None,
    with_pdf: bool,
) -> GeneratedPage:
    title = f"{project.project.name} · {entry.department.department}"
    findings = quality.projects.get(index, []) if quality is not None else []
    quality_url = f"{quality.url}#project-{index + 1}" if quality is not None else ""
    context = {"year": year, "entry": entry, "item": project, "findings": findings, "quality_url": quality_url}
    context["with_pdf"] = with_pdf
    budget, d = project.project.budget.total, entry.department
    unit = "" if budget.unit is not None else f" {d.amount_unit}"
    summary = f"{d.department} {year.year}年项目“{project.project.name}”的绩效目标：预算数 {budget.printed}{unit}。"
    meta = {"hide": ["navigation"], "description": _attribute(summary)}
    text = render(env, "project.html", project.url, title, meta, **context)
    return GeneratedPage(_index(project.url), text)


def _attribute(text: str) -> str:
    """Text for a `<meta>` attribute: Material prints `page.meta.description` unescaped."""
    return str(escape(text))


def _index(url: str) -> str:
    return posixpath.join(url, "index.md")
