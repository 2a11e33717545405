"""Write the maps that give downloads their Chinese file names (builder/site/downloads.py), after every file is made."""

from __future__ import annotations

from ...site.downloads import make_download_names
from ..context import Build
from ..heads import listed
from ..progress import Stage

TITLE = None  # a moment's work: no stage of its own in the progress display


def wanted(b: Build) -> bool:
    return b.whole_site


def total(b: Build) -> None:
    return None


def run(b: Build, stage: Stage) -> None:
    make_download_names(b.outputs, listed(b.loaded))  # names and years: no department unpickled
