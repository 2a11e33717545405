"""Skip every step of a rebuild when nothing it reads has changed and the site is as the last build left it.

Each output's key (builder/pipeline/fingerprint.py and the steps) is a hash of what it is
made from; a rebuild with no change computes all of them and reuses every file. That still
costs seconds at a province's scale (reading 500 departments back from the cache, rendering
the year pages to compare them). This module makes the same decision for the build as a whole
from a larger set of inputs, so that it can only be more cautious than the per-file keys:

- every file under the data folder, `content/` (but the generated pages), `theme/`,
  `templates/`, `mkdocs.yml` and the logo, by path and bytes;
- the builder's code and Python version and requirements.lock (`code_fingerprint`), and the
  installed versions of the libraries whose version is in a key (WeasyPrint, Pagefind);
- the settings as loaded (with the environment variables mkdocs.yml reads), the options
  (`--no-pdf`, the folders), SOURCE_DATE_EPOCH, BUILDER_PDF_PART_PROJECTS and, with PDFs, the fonts;

and the state the last build left: every entry of the site (path, type, and for a file its size
and modification time), every entry of the generated pages' folder (path and type: a build keeps
a page it finds there, whatever its bytes, so its size and time would add nothing), and the bytes
of the site's manifest. When all hash as they did right after the last whole build,
that build's report is given again and nothing runs. The site's half of that record is written
from the build's manifest (each file's size and time as the build left it, already known) rather
than by walking the 130 000 files of a province's site again: a file that differs from the
manifest, however it came to, makes the next build run, as it would make that file be made again;
the generated folder's half from the pages the build wrote there (`written_listing`): anything
else found there at the next build makes it run.
A build of a part or a merge never takes this path; a build that starts and ends with different
inputs (data edited meanwhile) records nothing.
"""

from __future__ import annotations

import json
import marshal
import os
import stat
from collections.abc import Iterable, Mapping
from concurrent.futures import Future
from dataclasses import asdict, dataclass, field
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path

from ..atomic import write_atomic
from ..config import SiteConfig
from ..errors import BuilderError
from .commit import SiteTree, scan
from .context import BuildReport
from .fingerprint import FileMemo, code_fingerprint, content_sha256, digest, file_sha256, tree_digest
from .outputs import OWNER_MARKER, Entry, site_manifest_file
from .steps.write_pages import WRITTEN_BY, walk

GeneratedWalk = tuple[set[str], list[str]]  # `write_pages.walk`: the files (paths from the folder), the folders

RECORD_VERSION = 3
LIBRARIES = ("weasyprint", "pagefind", "mkdocs", "mkdocs-material", "jinja2", "pyyaml")
PROJECT_INPUTS = ("theme", "templates")


@dataclass(frozen=True)
class WholeBuild:
    """What a whole build reads, and the folders it leaves: the input half and the state half of the record."""

    project: Path
    data: Path
    site: Path
    generated: Path
    cache: Path
    # The input files hashed by `inputs_key` at the build's start: at its end only those changed since are read again;
    # with what the last build remembered (`remembered_hashes`), the start too reads only the files changed since.
    hashed: FileMemo = field(default_factory=dict, compare=False, repr=False)


@dataclass(frozen=True)
class Left:
    """What a whole build left: the site's files (those of its manifest, and the paths of those no step recorded),
    and the pages it wrote in the generated pages' folder, which holds nothing else (None: listed now)."""

    recorded: Mapping[str, Entry]
    unrecorded: Iterable[str] = ()
    generated: Iterable[str] | None = None


def record_file(folders: WholeBuild) -> Path:
    return site_manifest_file(folders.cache, folders.site).with_suffix(".inputs.json")


def hashes_file(cache: Path, site: Path) -> Path:
    return site_manifest_file(cache, site).with_suffix(".hashes.marshal")


class _Carried(dict):  # type: ignore[type-arg]
    """A build's `FileMemo` (`memo_sha256`), which takes over what the last build remembered of a file when
    asked for it: saved at the end (`save`), it holds the files this build read, not every file ever read.
    Each entry holds the file's size, times, inode and device when it was hashed, long after its last change:
    a file written since (its status change time moves with any write) is hashed again."""

    def __init__(self, earlier: dict) -> None:  # type: ignore[type-arg]
        super().__init__()
        self.earlier = earlier

    def get(self, key: object, default: object = None) -> object:
        if key in self:
            return self[key]
        found = self.earlier.get(key)
        if found is None:
            return default
        self[key] = found
        return found


def remembered_hashes(cache: Path, site: Path) -> FileMemo:
    """The input files' SHA-256 as the last whole build into `site` left them (`save`), for `WholeBuild.hashed`;
    nothing when missing or not as `save` writes it (then every input file is read)."""
    try:
        earlier = marshal.loads(hashes_file(cache, site).read_bytes())
    except (OSError, EOFError, ValueError, TypeError):
        earlier = None
    if not isinstance(earlier, dict) or not all(map(_memo_entry, earlier.items())):
        earlier = {}
    return _Carried(earlier)


def _memo_entry(item: tuple[object, object]) -> bool:
    path, value = item
    if type(path) is not str or type(value) is not tuple or len(value) != 2:
        return False
    signature, sha = value
    return (
        type(signature) is tuple
        and len(signature) == 5
        and all(type(number) is int for number in signature)
        and type(sha) is str
        and len(sha) == 64
    )


def inputs_key(folders: WholeBuild, site_config: SiteConfig, with_pdf: bool) -> str:
    """A hash of everything a whole build reads (see the module's docstring)."""
    project = folders.project
    parts = [
        "whole-build",
        str(RECORD_VERSION),
        code_fingerprint(),
        tree_digest(project / "content", skip=folders.generated, memo=folders.hashed),
        *(tree_digest(project / name, memo=folders.hashed) for name in PROJECT_INPUTS),
        _file_digest(project / "mkdocs.yml"),
        _file_digest(project / site_config.logo) if site_config.logo else "",
        repr(site_config),
        repr(with_pdf),
        str(folders.data.resolve()),
        str(folders.generated.resolve()),
        os.environ.get("SOURCE_DATE_EPOCH", ""),
        *_libraries(),
        _pdf_inputs() if with_pdf else "",
        # As the data files are found (no linked folder followed) and read (from the project or the data folder).
        tree_digest(folders.data, memo=folders.hashed, inside=(project, folders.data), follow_folders=False),
    ]
    return digest(*parts)


def state_key(
    folders: WholeBuild,
    left: Left | None = None,
    walked: Future[SiteTree] | None = None,
    generated: Future[GeneratedWalk] | None = None,
) -> str:
    """A hash of the site's entries, the generated pages' entries and the manifest's bytes.

    The site's entries are walked (`walked`: a `scan` with sizes begun before), or with `left`
    (what the build that just published the site left) listed from its manifest: both give the same
    hash when the site holds exactly those files, with those sizes and times, the builder's marker,
    and no other folder than theirs. The same for the generated pages' folder, walked (`generated`:
    `write_pages.walk` begun before) or listed from the pages written there.
    """
    manifest = site_manifest_file(folders.cache, folders.site)
    site = _walked_site(folders.site, walked) if left is None else _recorded_site(folders.site, left)
    if left is not None and left.generated is not None:
        listing = written_listing(left.generated)
    else:
        roots = [folders.project, folders.generated]
        found = generated.result() if generated is not None else walk(folders.generated, roots)
        listing = generated_listing(folders.generated, found)
    # The token the last build to write the generated folder left there (write_pages.WRITTEN_BY): any other build
    # writing there changes it, whatever it left the pages' names.
    token = _file_digest(folders.generated / WRITTEN_BY)
    return digest(site, listing, token, _file_digest(manifest))


def generated_listing(generated: Path, walked: GeneratedWalk) -> str:
    """The generated pages' folder's part of the state, from its walk (`write_pages.walk`, the one walk of it
    a build makes): every file's and folder's path (a link to a file counts as the file, as the build takes it)."""
    files, folders = walked
    start = len(str(generated)) + 1
    lines = [f"{path}\0file\0" for path in files]
    lines += [f"{folder[start:].removesuffix('/')}\0dir\0" for folder in folders]
    return _listing_digest(lines)


def written_listing(pages: Iterable[str]) -> str:
    """`generated_listing` of a folder that holds exactly the files `pages` and their folders."""
    lines = {path: f"{path}\0file\0" for path in pages}
    _add_folders(lines)
    return _listing_digest(lines.values())


def _walked_site(root: Path, walked: Future[SiteTree] | None = None) -> str:
    """The site's entries as they are (`walked`, or a walk now): regular files with size and time, folders, anything
    else by its type."""
    tree = walked.result() if walked is not None else scan(root, sizes=True)
    lines = [f"{folder}\0dir\0" for folder in tree.folders]
    lines += [_file_line(path, stat.S_IFREG, size, mtime) for path, (size, mtime) in tree.regular.items()]
    for path in tree.files - tree.regular.keys():  # a symlink, say: a few
        status = os.lstat(os.path.join(root, path))
        lines.append(_file_line(path, status.st_mode, status.st_size, status.st_mtime_ns))
    return _listing_digest(lines)


def _recorded_site(root: Path, files: Left) -> str:
    """The site's entries as the build left them: the manifest's files, the others and the marker as they are
    (a few), and their folders."""
    lines = {path: _file_line(path, stat.S_IFREG, entry.size, entry.mtime_ns) for path, entry in files.recorded.items()}
    for path in {*files.unrecorded, OWNER_MARKER} - lines.keys():
        try:
            status = os.lstat(root / path)
        except OSError:
            continue
        lines[path] = _file_line(path, status.st_mode, status.st_size, status.st_mtime_ns)
    _add_folders(lines)
    return _listing_digest(lines.values())


def _add_folders(lines: dict[str, str]) -> None:
    """The line of every folder on the way to the paths of `lines`."""
    folders = {path.rpartition("/")[0] for path in lines}
    for folder in folders:
        while folder and folder not in lines:
            lines[folder] = f"{folder}\0dir\0"
            folder = folder.rpartition("/")[0]


def _file_line(path: str, mode: int, size: int, mtime_ns: int) -> str:
    """A regular file by its size and time (its permissions are not the build's: not compared); else its type."""
    if stat.S_ISREG(mode):
        return f"{path}\0file\0{size}\0{mtime_ns}\0"
    return f"{path}\0other\0{stat.S_IFMT(mode)}\0"


def _listing_digest(lines: Iterable[str]) -> str:
    return content_sha256("".join(sorted(lines)).encode("utf-8", "surrogateescape"))


def replay(
    folders: WholeBuild,
    key: str,
    walked: Future[SiteTree] | None = None,
    generated: Future[GeneratedWalk] | None = None,
) -> BuildReport | None:
    """The report of the last build when the inputs hash to `key` as they did then and its outputs are untouched
    (the site and the generated pages' folder as walked before, or walked now). A link out of the project among the
    generated pages makes the build run (and refuse it)."""
    try:
        record = json.loads(record_file(folders).read_text(encoding="utf-8"))
        if record.get("version") != RECORD_VERSION or record.get("inputs") != key:
            return None
        if record.get("state") != state_key(folders, walked=walked, generated=generated):
            return None
        return BuildReport(folders.site, **record["report"])
    except (OSError, ValueError, TypeError, KeyError, AttributeError, BuilderError):
        return None


def save(folders: WholeBuild, key: str, report: BuildReport, key_after: str, left: Left) -> None:
    """Record what a whole build read (`key` before, `key_after` after it) and `left`, for the next build to compare.

    Inputs that changed while the build read them (data edited meanwhile) leave no record. The input files'
    SHA-256 are remembered for the next build (`remembered_hashes`) in any case.
    """
    write_atomic(hashes_file(folders.cache, folders.site), marshal.dumps(dict(folders.hashed)))
    if key_after != key:
        record_file(folders).unlink(missing_ok=True)
        return
    shown = asdict(report)
    for name in ("site_dir", "made", "timings"):
        shown.pop(name)
    shown["reused"] = report.reused + len(report.made)
    record = {"version": RECORD_VERSION, "inputs": key, "state": state_key(folders, left), "report": shown}
    write_atomic(record_file(folders), json.dumps(record, ensure_ascii=False))


def _libraries() -> list[str]:
    found = []
    for name in LIBRARIES:
        try:
            found.append(f"{name} {version(name)}")
        except PackageNotFoundError:
            found.append(f"{name} -")
    return found


def _pdf_inputs() -> str:
    from ..pdf.fonts import fonts_fingerprint  # imports WeasyPrint: only for builds with PDFs
    from ..pdf.split import part_projects

    return digest(fonts_fingerprint(), str(part_projects()))


def _file_digest(path: Path) -> str:
    try:
        return file_sha256(path)
    except OSError:
        return "-"
