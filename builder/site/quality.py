"""Turn lint findings into the site's 数据质量 pages: a summary table per year and a findings page per department.

The pages are written for citizens (builder/site/finding_words.py): each finding says which project (第 N 个项目
and its name), which part of its table, the rule's Chinese name and what it means for a reader; no file
lines or field paths, which are for the people who edit the data (`python -m builder lint`).
They are in the search index. Pages are HTML with every data text HTML-escaped; their front matter says `html: true` and
lists the headings of the table of contents (`toc`), so MkDocs puts them in the theme without
Markdown (builder/site/hooks.py). Links are relative to each page's directory URL, so the
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
from ..lint.findings import Finding, counts
from ..data.load import LoadedDepartment
from .finding_words import SEVERITY_WORDS, ReaderFinding, reader_finding
from ..lint.rules import SEVERITIES
from ..data.titles import contents_entries

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
    meta = {"title": escaped(title), "hide": ["navigation"], "html": True, "toc": toc or []}
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
    return "".join(f'<th scope="col" class="bp-number">{SEVERITY_WORDS[severity]}</th>' for severity in SEVERITIES)


def counts_words(findings: list[Finding]) -> str:
    """`明显错误 1 处，可能有误 10 处，值得留意 2 处` (only the kinds found)."""
    numbers = counts(findings)
    found = [severity for severity in SEVERITIES if numbers[severity]]
    return "，".join(f"{SEVERITY_WORDS[severity]} {numbers[severity]} 处" for severity in found)


def _year_markdown(year: int, departments: list[LoadedDepartment], by_file: dict[str, list[Finding]]) -> str:
    url = _url(year_page(year))
    rows = []
    for loaded in departments:
        link = _link(url, _url(department_page(year, loaded.source.slug)))
        name = f'<a href="{escaped(link)}">{escaped(loaded.department.department)}</a>'
        region = escaped(loaded.department.region or "")
        projects = len(loaded.department.projects)
        findings = by_file[str(loaded.source.path)]
        flagged = len({finding.project_index for finding in findings if finding.project_index is not None})
        rows.append(
            f'<tr><th scope="row">{name}</th><td>{region}</td><td class="bp-number">{projects}</td>'
            f'<td class="bp-number">{flagged}</td>{_counts_cells(findings)}</tr>'
        )
    everything = [finding for loaded in departments for finding in by_file[str(loaded.source.path)]]
    total_projects = sum(len(loaded.department.projects) for loaded in departments)
    total_row = (
        f'<tr><th scope="row">合计</th><td></td><td class="bp-number">{total_projects}</td><td></td>'
        f"{_counts_cells(everything)}</tr>"
    )
    return (
        _front_matter(f"{year}年数据质量报告")
        + f'<div class="bp-page bp-quality" data-pagefind-meta="kind:quality">\n<h1>{year}年数据质量报告</h1>\n'
        + _intro()
        + f'<div class="bp-scroll" role="region" aria-label="{year}年各部门数据质量" tabindex="0">\n'
        + "<table>\n"
        + f"<caption>{year}年各部门数据中发现的可能问题（处）</caption>\n"
        + '<thead><tr><th scope="col">部门</th><th scope="col">地区</th><th scope="col" class="bp-number">项目数</th>'
        + f'<th scope="col" class="bp-number">有问题的项目</th>{_severity_headers()}</tr></thead>\n'
        + "<tbody>\n"
        + "\n".join(rows)
        + "\n</tbody>\n"
        + f"<tfoot>{total_row}</tfoot>\n"
        + "</table>\n</div>\n</div>\n"
    )


def _intro() -> str:
    return (
        '<div class="bp-quality-intro">\n'
        "<p>本报告由程序自动检查生成，列出各部门公开的绩效文本中<strong>可能</strong>存在的问题，"
        "帮助读者判断哪些数字和目标需要留意。网站上的文本按原文照录，报告指出的问题没有在原文中改动；"
        "是否确实有误，以编制部门的说明为准。</p>\n"
        "<p>问题分三类：<strong>明显错误</strong>（如金额对不上、目标值缺了数字）、"
        "<strong>可能有误</strong>（如目标值只是重复了指标名称）、<strong>值得留意</strong>（如目标写成了问句）。</p>\n"
        "</div>\n"
    )


def _department_markdown(loaded: LoadedDepartment, findings: list[Finding]) -> str:
    url = _url(department_page(loaded.department.year, loaded.source.slug))
    sections = []
    whole = [reader_finding(finding, loaded.department) for finding in findings if finding.project_index is None]
    if whole:
        toc, heading = _heading("department", "部门整体")
        sections.append((toc, heading + _findings_list(whole)))
    sections += _project_sections(loaded, findings, url)
    toc = [token for token, _ in sections]
    return _department_header(loaded, findings, url, toc) + "".join(section for _, section in sections) + "</div>\n"


def _department_header(loaded: LoadedDepartment, findings: list[Finding], url: str, toc: list[TocToken]) -> str:
    department, slug = loaded.department, loaded.source.slug
    title = f"{department.department} {department.year}年数据质量报告"
    back = _link(url, paths.department_dir(department.year, slug))
    year_report = _link(url, _url(year_page(department.year)))
    projects = {finding.project_index for finding in findings if finding.project_index is not None}
    if findings:
        found = (
            f"<p>在本部门 {len(department.projects)} 个项目的数据中发现 {len(findings)} 处可能的问题"
            f"（{counts_words(findings)}），涉及 {len(projects)} 个项目。</p>"
        )
    else:
        found = "<p>程序检查未发现问题。</p>"
    return (
        _front_matter(title, toc)
        + f'<div class="bp-page bp-quality" data-pagefind-meta="kind:quality">\n<h1>{escaped(title)}</h1>\n'
        + _intro()
        + f"{found}\n"
        + f'<p><a href="{escaped(back)}">返回{escaped(department.department)}的部门页面</a> · '
        + f'<a href="{escaped(year_report)}">{department.year}年各部门数据质量汇总</a></p>\n'
    )


def _project_sections(loaded: LoadedDepartment, findings: list[Finding], url: str) -> list[tuple[TocToken, str]]:
    """Per project that has findings, in the document's order: its heading's token, and heading and findings."""
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
        link = _link(url, paths.project_dir(department.year, slug, keys[index]))
        toc, heading = _heading(f"project-{index + 1}", f"第 {numbers[index]} 个项目：{project.name}")
        table_link = f'<p><a href="{escaped(link)}">查看这个项目的绩效目标表</a></p>\n'
        readable = [reader_finding(finding, department) for finding in of_project]
        sections.append((toc, heading + table_link + _findings_list(readable)))
    return sections


def _findings_list(findings: list[ReaderFinding]) -> str:
    items = "\n".join(_finding_item(finding) for finding in findings)
    return f'<ul class="bp-findings">\n{items}\n</ul>\n'


def _finding_item(finding: ReaderFinding) -> str:
    where = f"{escaped(finding.where)}：" if finding.where and not finding.message.startswith(finding.where) else ""
    meaning = f"<strong>{escaped(finding.meaning)}</strong>" if finding.meaning else ""
    return (
        f'<li class="bp-finding bp-severity-{escaped(finding.severity)}">'
        f'<span class="bp-severity">{escaped(finding.severity_words)}</span> {meaning}\n'
        f'<span class="bp-finding-detail">{where}{escaped(finding.message)}</span>\n'
        f'<span class="bp-finding-rule">检查规则：{escaped(finding.rule)}</span></li>'
    )
