"""Which departments a build publishes: the data files of the published years (of one part, for a split build),
then, once read, without drafts, refused when a template is left unfilled or a PDF would not fit in memory.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from pathlib import Path

from .. import PROJECT_ROOT
from ..config import SiteConfig
from ..data.load import (
    find_data_files,
    link_refusal,
    linked_folder_errors,
    misplaced_errors,
    unreadable_problems,
    where_data_is,
)
from ..errors import BuilderError, DataError
from ..lint.findings import sort_key
from .context import BuildPlan, ReadData
from .outdir import escaping_files
from .plan import Part, place, plan_batches, whole_batches


class DataErrors(BuilderError):
    """One or more data files have problems; each is listed with its file and line."""

    def __init__(self, errors: list[DataError]) -> None:
        self.errors = errors
        count = sum(len(error.problems) for error in errors)
        listing = "\n".join(error.render() for error in errors)
        super().__init__(f"{listing}\n发现 {count} 个问题，涉及 {len(errors)} 个文件；网站没有更新。")


def select_departments(data: ReadData, plan: BuildPlan) -> tuple[ReadData, BuildPlan]:
    """The departments read that this build publishes, and the plan narrowed to them.

    Raises DataErrors for files with problems (before any page is made). A department's PDF needs no
    check of its own: a large one is printed in pieces of bounded memory (builder/pdf/split.py).
    """
    if data.errors or plan.refused:
        raise DataErrors(sorted([*plan.refused, *data.errors], key=lambda error: str(error.path)))
    data, plan = _unfilled_and_drafts(data, plan)
    if plan.part is not None and plan.part.year is None:
        data, plan = _take_share(data, plan, plan.part)
    return data, plan


def plan_build(data_dir: Path, site_config: SiteConfig, part: Part | None) -> BuildPlan:
    """The data files to read: those of the years published, and of the part's batches."""
    if not data_dir.exists():
        raise BuilderError(f"找不到数据文件夹 {data_dir} — {where_data_is()}")
    if not data_dir.is_dir():  # a site of this one department would take every other one off the site
        raise BuilderError(
            f"--data 应是数据文件夹（如 data），{data_dir} 是一个文件 — 网站由整个数据文件夹生成，"
            f"只用一个文件生成会把其他部门从网站上撤下；只检查这个文件请用 python -m builder check {data_dir}"
        )
    found = find_data_files([data_dir])
    files = [path for path in found if _published(path, site_config)]
    left_out = _left_out(found, files, site_config)
    shown = _years(site_config.years)
    if not files and left_out:
        raise BuilderError(
            f"mkdocs.yml 的 extra.years 只公开 {shown} 年度，{data_dir} 中没有这些年度的数据文件"
            f"（有{left_out}）— 请在 extra.years 中写上要公开的年度，或删去 extra.years 公开全部年度"
        )
    if not files:
        raise BuilderError(f"{data_dir} 中没有数据文件 — 数据文件应放在 {data_dir}/<年度>/<部门>.yaml")
    roots = (PROJECT_ROOT, data_dir)
    refused = [DataError(path, link_refusal(target)) for path, target in escaping_files(files, roots).items()]
    linked = {error.path for error in refused}
    refused += [
        DataError(path, problems) for path in files if path not in linked and (problems := unreadable_problems(path))
    ]
    named = {error.path for error in refused}
    refused += misplaced_errors([data_dir], [path for path in files if path not in named])
    refused += linked_folder_errors([data_dir])
    files = [path for path in files if path not in {error.path for error in refused}]
    if refused and not files:
        raise DataErrors(refused)
    notes = [f"未公开：{data_dir} 中{left_out}不在 extra.years（{shown}）中 — 要公开请把年度加入 extra.years"]
    notes = notes if left_out else []
    empty = [year for year in site_config.years if year not in {place(path)[0] for path in files}]
    if empty:  # a typo (2025 for 2024) left the year off the site without a word
        notes.append(
            f"extra.years 中的 {_years(empty)} 年度在 {data_dir} 中没有数据文件，网站上没有这些年度 — 请检查是否写错"
        )
    batches = plan_batches(place(path) for path in files)
    if part is not None and part.year is not None:
        batches = part.select(batches)
        chosen = {(batch.year, slug) for batch in batches for slug in batch.slugs}
        files = [path for path in files if place(path) in chosen]
        if not files:
            raise BuilderError(f"--part {part} 没有对应的部门 — 请检查年度或份数")
    return BuildPlan(files, batches, part, notes, refused)  # refused: reported with the files read (DataErrors)


def _take_share(data: ReadData, plan: BuildPlan, part: Part) -> tuple[ReadData, BuildPlan]:
    """Keep the departments of a numbered share (dealt by their projects), and the batches it holds whole."""
    projects = {place(item.source.path): item.head.projects for item in data.loaded}
    chosen = part.departments(projects)
    data = _keep(data, {item.source.path for item in data.loaded if place(item.source.path) in chosen})
    batches = whole_batches(plan.batches, chosen)
    notes = list(plan.notes)
    if not data.loaded:
        notes.append(f"第 {part} 份没有部门：共 {len(projects)} 个部门，少于份数；这一份的文件夹照常生成，可照常合并")
    files = [path for path in plan.files if path in data.keys]
    return data, dataclasses.replace(plan, files=files, batches=batches, notes=notes)


def _keep(data: ReadData, paths: set[Path]) -> ReadData:
    """The departments read from `paths` only, with their keys."""
    return dataclasses.replace(
        data,
        loaded=[item for item in data.loaded if item.source.path in paths],
        keys={path: key for path, key in data.keys.items() if path in paths},
    )


def _unfilled_and_drafts(data: ReadData, plan: BuildPlan) -> tuple[ReadData, BuildPlan]:
    """Leave drafts out (and say so); refuse a department that still holds `new`'s template text."""
    drafts = [item.source.path for item in data.loaded if item.head.listed.draft]
    unfilled = sorted(
        (finding for item in data.loaded if item.source.path not in drafts for finding in item.summary.unfilled),
        key=sort_key,
    )
    if unfilled:
        listing = "\n".join(finding.render() for finding in unfilled[:20])
        raise BuilderError(
            f"{listing}\n{len({f.path for f in unfilled})} 个数据文件还有模板的占位文字，不能发布；网站没有更新。"
            "请照原文填写；尚未填好的部门可在文件中写 draft: true（草稿，不发布）"
        )
    if not drafts:
        return data, plan
    data = _keep(data, {item.source.path for item in data.loaded} - set(drafts))
    if not data.loaded:
        raise BuilderError(f"全部 {len(drafts)} 个部门都是草稿（draft: true），没有可发布的部门；网站没有更新")
    names = "、".join(path.as_posix() for path in drafts)
    files = [path for path in plan.files if path not in drafts]
    batches = plan_batches(place(path) for path in files)
    batches = plan.part.select(batches) if plan.part is not None else batches
    notes = [*plan.notes, f"草稿未发布（draft: true）：{names}"]
    return data, dataclasses.replace(plan, files=files, batches=batches, notes=notes)


def _years(years: Sequence[int]) -> str:
    return "、".join(str(year) for year in years)


def _left_out(found: list[Path], published: list[Path], site_config: SiteConfig) -> str:
    """What the published-years filter leaves out, e.g. “2025 年度 3 个部门”, or ""."""
    kept = set(published)
    by_year: dict[int, int] = {}
    for path in found:
        if path not in kept:
            year = place(path)[0]
            by_year[year] = by_year.get(year, 0) + 1
    if not by_year:
        return ""
    return "、".join(f" {year} 年度 {count} 个部门" for year, count in sorted(by_year.items()))


def _published(path: Path, site_config: SiteConfig) -> bool:
    """A file in a year folder that mkdocs.yml does not publish is not read (any other file is, to report it)."""
    year, _ = place(path)
    return year == 0 or site_config.publishes(year)
