"""The one object a build hands to every step: what it covers, where it writes, what earlier steps made.

MkDocs passes its `config` to every plugin event, Pelican a `context`; here each step of
builder/pipeline/steps/ is `run(b: Build, stage: Stage) -> None` and reads what it needs
from `b` (the departments, the plan, the site settings, the folders, the store) and leaves
what later steps need on it (`known` sizes for the 数据下载 page, page keys for the search
index and the link check). The order of steps is STEPS in builder/pipeline/build.py.
"""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import Executor, Future
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

from ..config import SiteConfig
from ..errors import DataError
from ..lint.findings import SEVERITIES, Finding
from ..site.search import ServicePool
from .fingerprint import FileMemo
from .heads import ReadDepartment, findings_of
from .outputs import Outputs
from .plan import Batch, Part
from .progress import Progress, Stage
from .store import Store

if TYPE_CHECKING:
    from .steps.write_pages import LatePages


@dataclass(frozen=True)
class ReadData:
    """The departments read (file order), the files refused, and each department's key."""

    loaded: list[ReadDepartment]  # each with its summary; its body (model, findings) loaded when first used
    errors: list[DataError]
    keys: dict[Path, str]  # data file → hash of its bytes, its place under the data folder and the builder code

    @property
    def findings(self) -> list[Finding]:
        """Every department's lint findings, sorted (unpickled from the store where not in memory)."""
        return findings_of(self.loaded)

    def counts(self) -> dict[str, int]:
        """The findings by severity, from the summaries."""
        total = dict.fromkeys(SEVERITIES, 0)
        for item in self.loaded:
            for severity, number in item.summary.counts.items():
                total[severity] += number
        return total


@dataclass(frozen=True)
class BuildPlan:
    """What this build covers: every department, or one part of a split build."""

    files: list[Path]
    batches: list[Batch]
    part: Part | None
    notes: list[str] = field(default_factory=list)
    refused: list[DataError] = field(default_factory=list)  # not to be read (links out): reported with the rest

    @property
    def whole_site(self) -> bool:
        return self.part is None


@dataclass(frozen=True)
class Folders:
    """Where a build reads and writes. Only `work` (and the swap into `site`), `generated` and `cache` are written."""

    project: Path  # the checkout: mkdocs.yml, content/, theme/, templates/
    data: Path
    site: Path  # the published folder (or a part's), replaced at the end
    work: Path  # the build's own temporary folder beside `site`; `staging` inside it becomes `site`
    generated: Path  # the generated Markdown pages MkDocs reads
    cache: Path | None

    @property
    def staging(self) -> Path:
        return self.work / "site"

    @property
    def mkdocs_config(self) -> Path:
        return self.project / "mkdocs.yml"


@dataclass
class BuildReport:
    """What a build made, what it reused from earlier builds, and how long each step took (seconds)."""

    site_dir: Path
    departments: int
    projects: int
    pdfs: int
    timings: dict[str, float] = field(default_factory=dict)
    quality: str = ""
    made: list[str] = field(default_factory=list)  # files made by this build (paths from the site root)
    reused: int = 0  # files linked from an earlier build
    notes: list[str] = field(default_factory=list)  # what the admin should know: data left out, an empty part


@dataclass
class Build:
    """One build in progress. Steps read the fields above the line and fill those below it."""

    plan: BuildPlan
    config: SiteConfig
    folders: Folders
    outputs: Outputs
    store: Store
    progress: Progress
    jobs: int | None = None
    with_pdf: bool = True
    search_services: ServicePool = field(default_factory=ServicePool)  # Pagefind, warmed up ahead (`build`)
    behind: Executor | None = None  # work a step leaves running behind the next ones; None: none (done in the step)
    generated_walk: Future[tuple[set[str], list[str]]] | None = None  # `write_pages.walk`, begun ahead; None: not yet
    hashed: FileMemo | None = None  # the input files' SHA-256 the last build left (`memo_sha256`); None: hash them
    # ---- filled by the steps, in order
    data: ReadData = field(default_factory=lambda: ReadData([], [], {}))
    known: dict[str, tuple[int, str]] = field(default_factory=dict)  # open-data file → (size, SHA-256)
    open_data_finish: Callable[[], None] | None = None  # adds the year's and site's files to `known` once made
    pages: dict[str, str] = field(default_factory=dict)  # generated page (Markdown path) → hash of its text
    late_pages: LatePages | None = None  # the 数据下载 page, written after MkDocs' run (step render_downloads)
    page_keys: dict[str, str] = field(default_factory=dict)  # generated page (HTML path) → its key
    handwritten: list[str] = field(default_factory=list)  # HTML paths of the pages from content/
    search_finish: Callable[[], object] | None = None  # the search index's end, left to run behind later steps
    report: BuildReport = field(default_factory=lambda: BuildReport(Path(), 0, 0, 0))  # completed by build()

    @property
    def loaded(self) -> list[ReadDepartment]:
        return self.data.loaded

    @property
    def whole_site(self) -> bool:
        return self.plan.whole_site


class Step(Protocol):
    """A module of builder/pipeline/steps/: a title for the progress display (None: no stage shown),
    whether it runs for this build, how many items it works through, and the work itself."""

    TITLE: str | None

    def wanted(self, b: Build) -> bool: ...

    def total(self, b: Build) -> int | None: ...

    def run(self, b: Build, stage: Stage) -> None: ...
