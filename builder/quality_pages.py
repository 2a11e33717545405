"""Turn lint findings into the site's 数据质量 pages: a summary table per year and a findings page per department.

Pages are HTML with every data text HTML-escaped; their front matter says `html: true` and
lists the headings of the table of contents (`toc`), so MkDocs puts them in the theme without
Markdown (builder/mkdocs_hooks.py). Links are relative to each page's directory URL, so the
site works under any sub-path.
"""

from __future__ import annotations

import html
import posixpath
from collections import defaultdict
from collections.abc import Collection
from pathlib import Path
from typing import Any

import yaml

from . import paths
from .lint import Finding, counts, counts_text
from .load import LoadedDepartment
from .rules import RULES, SEVERITIES, SEVERITY_NAMES
from .titles import contents_entries

QUALITY = "quality"  # `2023/quality/` and `2023/<slug>/quality/`
TocToken = dict[str, object]  # a heading of the table of contents: level, id, name (HTML)


def report_is_public(config_path: Path) -> bool:
    """Whether the site shows the 数据质量 pages: `extra.quality_report_public` in mkdocs.yml, default true.

    Admins who want the report only at build time (`make site` prints the counts) set it to false.
    """
    try:
        config = yaml.load(config_path.read_text(encoding="utf-8"), Loader=_TolerantLoader)
    except (OSError, yaml.YAMLError):
        return True
    extra = config.get("extra") if isinstance(config, dict) else None
    value = extra.get("quality_report_public", True) if isinstance(extra, dict) else True
    return value is not False


class _TolerantLoader(yaml.SafeLoader):
    """mkdocs.yml may carry `!!python/name:` or `!ENV` tags; read them as nothing."""


_TolerantLoader.add_multi_constructor("", lambda loader, suffix, node: None)


def year_page(year: int) -> str:
    """`2023/quality.md`, served at `2023/quality/`."""
    return f"{year}/{QUALITY}.md"


def department_page(year: int, slug: str) -> str:
    """`2023/<slug>/quality.md`, served at `2023/<slug>/quality/`."""
    return f"{paths.department_dir(year, slug)}{QUALITY}.md"


def quality_markdown(
    loaded_list: list[LoadedDepartment],
    findings: list[Finding],
    only: Collection[tuple[int, str]] | None = None,
    site_level: bool = True,
) -> dict[str, str]:
    """Every 数据质量 page, by its path under the generated pages folder, in a stable order.

    `only` and `site_level` select pages as in `pages.site_pages`.
    """
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
            pages[year_page(year)] = _year_markdown(year, departments, by_file)
        for loaded in departments:
            if only is not None and (year, loaded.source.slug) not in only:
                continue
            page = department_page(year, loaded.source.slug)
            pages[page] = _department_markdown(loaded, by_file[str(loaded.source.path)])
    return pages


def _url(page: str) -> str:
    """The directory URL a page is served at: `2023/quality.md` → `2023/quality/`."""
    return page.removesuffix(".md") + "/"


def _link(from_url: str, to_url: str) -> str:
    """A relative link between two directory URLs."""
    return posixpath.relpath(to_url or ".", from_url or ".").rstrip("/") + "/"


def escaped(text: Any) -> str:
    """HTML-escape any data text (quotes too, so it is safe inside attributes)."""
    return html.escape(str(text), quote=True)


def _front_matter(title: str, toc: list[TocToken] | None = None) -> str:
    meta = {"title": escaped(title), "pagefind": False, "hide": ["navigation"], "html": True, "toc": toc or []}
    return "---\n" + yaml.dump(meta, Dumper=_Dumper, allow_unicode=True, sort_keys=False) + "---\n\n"


_Dumper = getattr(yaml, "CSafeDumper", yaml.SafeDumper)  # libyaml's emitter, much quicker than PyYAML's own


def _heading(anchor: str, text: str) -> tuple[TocToken, str]:
    """An h2 of the table of contents: its token (as Markdown's `toc` extension gave MkDocs) and its HTML."""
    name = escaped(" ".join(text.split()))
    return {"level": 2, "id": anchor, "name": name}, f'\n<h2 id="{anchor}">{name}</h2>\n'


def _counts_cells(findings: list[Finding]) -> str:
    numbers = counts(findings)
    return "".join(f'<td class="bp-number">{numbers[severity]}</td>' for severity in SEVERITIES)


def _severity_headers() -> str:
    return "".join(f'<th class="bp-number">{SEVERITY_NAMES[severity]}</th>' for severity in SEVERITIES)


def _year_markdown(year: int, departments: list[LoadedDepartment], by_file: dict[str, list[Finding]]) -> str:
    url = _url(year_page(year))
    rows = []
    for loaded in departments:
        link = _link(url, _url(department_page(year, loaded.source.slug)))
        name = f'<a href="{escaped(link)}">{escaped(loaded.department.department)}</a>'
        projects = len(loaded.department.projects)
        findings = by_file[str(loaded.source.path)]
        rows.append(f'<tr><td>{name}</td><td class="bp-number">{projects}</td>{_counts_cells(findings)}</tr>')
    everything = [finding for loaded in departments for finding in by_file[str(loaded.source.path)]]
    total_projects = sum(len(loaded.department.projects) for loaded in departments)
    total_row = f'<tr><th>合计</th><td class="bp-number">{total_projects}</td>{_counts_cells(everything)}</tr>'
    return (
        _front_matter(f"{year}年数据质量报告")
        + f'<div class="bp-page bp-quality">\n<h1>{year}年数据质量报告</h1>\n'
        + _intro(url)
        + '<table class="bp-quality-summary">\n'
        + f'<thead><tr><th>部门</th><th class="bp-number">项目数</th>{_severity_headers()}</tr></thead>\n'
        + "<tbody>\n"
        + "\n".join(rows)
        + "\n</tbody>\n"
        + f"<tfoot>{total_row}</tfoot>\n"
        + "</table>\n</div>\n"
    )


def _intro(url: str) -> str:
    return (
        '<p class="bp-quality-intro">本报告由程序按数据质量规则自动检查生成，'
        "列出数据中<strong>可能</strong>存在的问题，"
        "供编制单位和财政部门在发布前核对。网站上的文本按原文照录，报告指出的问题并未在原文中改动。</p>\n"
    )


def _department_markdown(loaded: LoadedDepartment, findings: list[Finding]) -> str:
    url = _url(department_page(loaded.department.year, loaded.source.slug))
    sections = []
    whole = [finding for finding in findings if finding.project_index is None]
    if whole:
        toc, heading = _heading("department", "部门整体")
        sections.append((toc, heading + _findings_table(url, whole)))
    sections += _project_sections(loaded, findings, url)
    toc = [token for token, _ in sections]
    return _department_header(loaded, findings, url, toc) + "".join(section for _, section in sections)


def _department_header(loaded: LoadedDepartment, findings: list[Finding], url: str, toc: list[TocToken]) -> str:
    department, slug = loaded.department, loaded.source.slug
    title = f"{department.department} {department.year}年数据质量"
    back = _link(url, paths.department_dir(department.year, slug))
    year_report = _link(url, _url(year_page(department.year)))
    found = f"<p>共发现：{counts_text(findings)}。</p>" if findings else "<p>未发现问题。</p>"
    return (
        _front_matter(title, toc)
        + f'<div class="bp-page bp-quality">\n<h1>{escaped(title)}</h1>\n'
        + _intro(url)
        + f'<p><a href="{escaped(back)}">返回部门页面</a> · '
        + f'<a href="{escaped(year_report)}">{department.year}年各部门汇总</a></p>\n'
        + f"{found}\n</div>\n"
    )


def _project_sections(loaded: LoadedDepartment, findings: list[Finding], url: str) -> list[tuple[TocToken, str]]:
    """Per project that has findings, in the document's order: its heading's token, and heading and findings table."""
    department, slug = loaded.department, loaded.source.slug
    keys = paths.project_keys(department)
    # Numbered as the original's 目录 numbers them (builder/titles.py): after an entry without a table, 8 stays 8.
    numbers = {entry.project_index: entry.number for entry in contents_entries(department)}
    sections = []
    for index, project in enumerate(department.projects):
        of_project = [finding for finding in findings if finding.project_index == index]
        if not of_project:
            continue
        link = _link(url, paths.project_dir(department.year, slug, keys[index]))
        toc, heading = _heading(f"project-{index + 1}", f"{numbers[index]}. {project.name}")
        table_link = f'<p><a href="{escaped(link)}">查看项目绩效目标表</a></p>\n\n'
        sections.append((toc, heading + table_link + _findings_table(url, of_project)))
    return sections


def _findings_table(url: str, findings: list[Finding]) -> str:
    rows = "\n".join(_finding_row(url, finding) for finding in findings)
    return (
        '<table class="bp-quality-findings">\n'
        "<thead><tr><th>级别</th><th>规则</th><th>位置</th><th>问题</th><th>通常的改法</th></tr></thead>\n"
        f"<tbody>\n{rows}\n</tbody>\n</table>\n"
    )


def _finding_row(url: str, finding: Finding) -> str:
    rule = RULES.get(finding.rule)
    rule_title = f"<br>{escaped(rule.title)}" if rule else ""
    where = (
        f"第 {finding.line} 行<br><code>{escaped(finding.field_path)}</code>"
        if finding.line
        else escaped(finding.field_path)
    )
    return (
        f'<tr class="bp-severity-{escaped(finding.severity)}">'
        f'<td><span class="bp-severity">{SEVERITY_NAMES[finding.severity]}</span></td>'
        f"<td><code>{escaped(finding.rule)}</code>{rule_title}</td>"
        f"<td>{where}</td><td>{escaped(finding.message)}</td><td>{escaped(finding.hint)}</td></tr>"
    )
