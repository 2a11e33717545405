"""Group departments into batches: the unit of the search index and of a build split across machines.

Each year's departments fall into ⌈n / 50⌉ batches by a stable hash of their slug, so
adding a department changes one batch, and every machine of a split build, looking only
at the file names under `data/`, agrees on the batches. A part of a split build (`--part`)
is a set of whole batches: one year (`--part 2023`) or the K-th of N (`--part 2/4`).
"""

from __future__ import annotations

import math
import re
import zlib
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from .errors import BuilderError

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
        if self.year is not None:
            return [batch for batch in batches if batch.year == self.year]
        return [batch for batch in batches if _share(batches, self.count)[batch.name] == self.number]


def _share(batches: list[Batch], count: int) -> dict[str, int]:
    """Deal the batches to `count` shares, largest first to the share with fewest departments so far."""
    loads = [0] * count
    shares = {}
    for batch in sorted(batches, key=lambda b: (-len(b), b.year, b.index)):
        share = min(range(count), key=lambda s: (loads[s], s))
        shares[batch.name] = share + 1
        loads[share] += len(batch)
    return shares


_PART = re.compile(r"^(?:(?P<year>\d{4})|(?P<number>\d+)/(?P<count>\d+))$")


def parse_part(text: str) -> Part:
    """`2023` or `2/4`; a BuilderError in Chinese otherwise."""
    match = _PART.match(text.strip())
    if match is None:
        raise BuilderError(f"--part 应为年度（如 2023）或“第几份/共几份”（如 2/4），收到 {text!r}")
    if match["year"]:
        return Part(year=int(match["year"]))
    number, count = int(match["number"]), int(match["count"])
    if not 1 <= number <= count:
        raise BuilderError(f"--part {text}：第几份应在 1 到 {count} 之间")
    return Part(number=number, count=count)
