"""Group departments into batches: the unit of the search index and of a build split across machines.

Each year's departments fall into ⌈n / 50⌉ batches by a stable hash of their slug, so
adding a department changes one batch, and every machine of a split build, looking only
at the file names under `data/`, agrees on the batches.

A part of a split build (`--part`) is one year's batches (`--part 2023`), or the K-th of N
shares of the departments (`--part 2/4`), dealt by their number of projects (the measure of
a department's pages and PDF) so that the shares take about as long, whatever the number
of departments: 20 departments split as well as 2 000, and a share may be empty when there
are fewer departments than shares. A share builds the search shards of the batches it holds
whole; the merge indexes the others.
"""

from __future__ import annotations

import math
import re
import zlib
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from ..errors import BuilderError

BATCH_DEPARTMENTS = 50
YEAR_FOLDER = re.compile(r"[0-9]{4}")  # ASCII digits only: `2023²` or `２０２３` is no year folder
SITE_BATCH = "site"  # the pages that are not a department's: home, years, downloads, hand-written pages


@dataclass(frozen=True)
class Batch:
    year: int
    index: int
    slugs: frozenset[str]

    @property
    def name(self) -> str:
        return f"{self.year}-{self.index}"

    def __len__(self) -> int:
        return len(self.slugs)


def place(path: Path) -> tuple[int, str]:
    """`(2023, "x")` for `data/2023/x.yaml`; a file outside a year folder counts as year 0 (the loader refuses it)."""
    folder = path.parent.name
    return (int(folder) if YEAR_FOLDER.fullmatch(folder) else 0), path.stem


def plan_batches(places: Iterable[tuple[int, str]], size: int = BATCH_DEPARTMENTS) -> list[Batch]:
    """The batches of every year, by year then index."""
    by_year: dict[int, set[str]] = {}
    for year, slug in places:
        by_year.setdefault(year, set()).add(slug)
    batches = []
    for year, slugs in sorted(by_year.items()):
        count = max(1, math.ceil(len(slugs) / size))
        buckets: list[set[str]] = [set() for _ in range(count)]
        for slug in slugs:
            buckets[zlib.crc32(slug.encode("utf-8")) % count].add(slug)
        batches += [Batch(year, index, frozenset(bucket)) for index, bucket in enumerate(buckets) if bucket]
    return batches


def batch_names(batches: Iterable[Batch]) -> dict[tuple[int, str], str]:
    """`(year, slug)` → the name of its batch."""
    return {(batch.year, slug): batch.name for batch in batches for slug in batch.slugs}


@dataclass(frozen=True)
class Part:
    """Which batches one machine of a split build makes: a year, or the K-th of N shares."""

    year: int | None = None
    number: int = 1
    count: int = 1

    def __str__(self) -> str:
        return str(self.year) if self.year is not None else f"{self.number}/{self.count}"

    @property
    def folder_name(self) -> str:
        """The part's default output folder under `parts/`: `2023` or `2-of-4`."""
        return str(self.year) if self.year is not None else f"{self.number}-of-{self.count}"

    def select(self, batches: list[Batch]) -> list[Batch]:
        """A year part's batches (a numbered share is chosen by `departments`)."""
        return [batch for batch in batches if self.year is None or batch.year == self.year]

    def departments(self, projects: dict[tuple[int, str], int]) -> set[tuple[int, str]]:
        """The `(year, slug)` of this share, from every department's number of projects."""
        return {place for place, share in deal(projects, self.count).items() if share == self.number}


def deal(projects: dict[tuple[int, str], int], count: int) -> dict[tuple[int, str], int]:
    """Deal the departments to `count` shares (1…count): largest first, each to the share with fewest projects."""
    loads = [0] * count
    shares = {}
    for place, size in sorted(projects.items(), key=lambda item: (-item[1], item[0])):
        share = min(range(count), key=lambda s: (loads[s], s))
        shares[place] = share + 1
        loads[share] += size
    return shares


def whole_batches(batches: list[Batch], chosen: set[tuple[int, str]]) -> list[Batch]:
    """The batches all of whose departments are `chosen`."""
    return [batch for batch in batches if all((batch.year, slug) in chosen for slug in batch.slugs)]


_PART = re.compile(r"^(?:(?P<year>\d{4})|(?P<number>\d+)/(?P<count>\d+))$")


def parse_part(text: str) -> Part:
    """`2023` or `2/4`; a BuilderError in Chinese otherwise."""
    match = _PART.match(text.strip())
    if match is None:
        raise BuilderError(f"--part 应为年度（如 2023）或“第几份/共几份”（如 2/4），收到 {text!r}")
    if match["year"]:
        return Part(year=int(match["year"]))
    number, count = int(match["number"]), int(match["count"])
    if count < 1:
        raise BuilderError(f"--part {text}：共几份应至少为 1，如 1/2 表示共 2 份中的第 1 份")
    if not 1 <= number <= count:
        raise BuilderError(f"--part {text}：第几份应在 1 到 {count} 之间")
    return Part(number=number, count=count)
