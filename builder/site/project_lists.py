"""A year's 全部项目 list: one page while it is short, one page per 地区 when a year has many projects.

At 3 000 departments (45 000 projects) the one table was a 12.9 MB page that a phone could
not open, and every edit of any department made it again. Past `PROJECTS_PER_PAGE` projects,
`2023/projects/` lists the regions (地区) with their counts and totals, and each region's
projects have a page of their own (`2023/projects/r-<key>/`), with the same sorting and
filtering. A region of more projects than that is cut, between departments, into pages
`（1/3）`…; departments that name no region are listed as 未注明地区. A page's address
comes from its region's name (a hash: regions are Chinese, addresses ASCII), so it stays
the same when other regions come and go.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING

from ..pipeline.fingerprint import content_sha256

if TYPE_CHECKING:
    from .pages import DepartmentEntry

PROJECTS_PER_PAGE = 3000
NO_REGION = "未注明地区"


@dataclass(frozen=True)
class ProjectList:
    """One page of a year's projects: its departments (whole), what its heading calls them, its address."""

    title: str
    url: str  # from the site root, ending in `/`
    departments: Sequence[DepartmentEntry]

    @property
    def project_count(self) -> int:
        return sum(len(entry.department.projects) for entry in self.departments)

    @property
    def total_budget_wan(self) -> Decimal:
        return sum((entry.total_budget_wan for entry in self.departments), Decimal(0))


def project_lists(url: str, departments: Sequence[DepartmentEntry]) -> list[ProjectList]:
    """The pages under `url` (the year's all-projects address) when its projects are too many for one; else none."""
    if sum(len(entry.department.projects) for entry in departments) <= PROJECTS_PER_PAGE:
        return []
    by_region: dict[str, list[DepartmentEntry]] = {}
    for entry in departments:
        by_region.setdefault(entry.department.region or "", []).append(entry)
    lists = []
    for region in sorted(by_region, key=lambda name: (name == "", name)):
        key = "r-" + content_sha256(region.encode("utf-8"))[:10]
        pieces = _pieces(by_region[region])
        for number, piece in enumerate(pieces, 1):
            title, address = region or NO_REGION, key
            if len(pieces) > 1:
                title, address = f"{title}（{number}/{len(pieces)}）", f"{key}-{number}"
            lists.append(ProjectList(title, f"{url}{address}/", piece))
    return lists


def _pieces(departments: list[DepartmentEntry]) -> list[list[DepartmentEntry]]:
    """`departments` in order, cut into runs of at most PROJECTS_PER_PAGE projects (a larger department alone)."""
    pieces: list[list[DepartmentEntry]] = [[]]
    count = 0
    for entry in departments:
        size = len(entry.department.projects)
        if pieces[-1] and count + size > PROJECTS_PER_PAGE:
            pieces.append([])
            count = 0
        pieces[-1].append(entry)
        count += size
    return pieces
