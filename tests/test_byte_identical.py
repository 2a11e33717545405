"""The sample site is the same, byte for byte, built fresh or from what earlier builds left (cache, site).

tests/golden/sample-site.txt lists every file of the sample site with the SHA-256 of its
bytes. PDFs depend on the fonts installed, so for them the list holds the SHA-256 of their
text (pypdf); the year's zip holds PDFs, so for it the list holds its member names, each
with the SHA-256 of its bytes (a PDF member: `pdf`), and its `.sha256` file is left out.

The sample is built three times with SOURCE_DATE_EPOCH=1700000000, as the outputs of
earlier versions were: fresh; into a new folder with the first build's cache (data read,
pages and PDFs from the store); again into the first folder (every file linked from it).

After a change that is meant to change the site, refresh the list and read its diff:

    UPDATE_GOLDEN=1 .venv/bin/python -m pytest -q tests/test_byte_identical.py
"""

from __future__ import annotations

import io
import os
import zipfile
from pathlib import Path

import pytest
from pypdf import PdfReader

from builder.pipeline.build import BuildReport, build
from builder.pipeline.fingerprint import content_sha256

ROOT = Path(__file__).resolve().parent.parent
GOLDEN = ROOT / "tests" / "golden" / "sample-site.txt"
MARKER = ".budget-builder-output"


def pdf_text_sha256(data: bytes) -> str:
    text = "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)
    return "text " + content_sha256(text.encode("utf-8"))


def zip_members(data: bytes) -> str:
    """Each member's name and SHA-256; a PDF member's bytes, and its line in the zip's SHA256SUMS, are left out."""
    found = []
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        for info in archive.infolist():
            member = archive.read(info)
            if info.filename.endswith("SHA256SUMS"):
                member = b"".join(line for line in member.splitlines(True) if not line.rstrip().endswith(b".pdf"))
            found.append(f"{info.filename}={'pdf' if info.filename.endswith('.pdf') else content_sha256(member)}")
    return "members " + " ".join(found)


def site_listing(site: Path) -> list[str]:
    """One line per file: its path and its SHA-256 (or, for PDFs and zips, what is stable across machines)."""
    lines = []
    for path in sorted(site.rglob("*")):
        name = path.relative_to(site).as_posix()
        if not path.is_file() or name == MARKER or name.endswith(".zip.sha256"):
            continue
        data = path.read_bytes()
        if name.endswith(".pdf"):
            lines.append(f"{name} {pdf_text_sha256(data)}")
        elif name.endswith(".zip"):
            lines.append(f"{name} {zip_members(data)}")
        else:
            lines.append(f"{name} {content_sha256(data)}")
    return lines


@pytest.fixture(scope="module")
def builds(tmp_path_factory: pytest.TempPathFactory) -> dict[str, tuple[list[str], BuildReport]]:
    """Each build's listing (taken right after it) and report."""
    work = tmp_path_factory.mktemp("byte-identical")
    saved = os.environ.get("SOURCE_DATE_EPOCH")
    os.environ["SOURCE_DATE_EPOCH"] = "1700000000"
    found = {}
    try:
        for name, site in (("fresh", "site"), ("from the cache", "site-2"), ("from the site", "site")):
            report = build(ROOT / "data", work / site, generated_dir=work / "generated", cache_dir=work / "cache")
            found[name] = (site_listing(work / site), report)
    finally:
        if saved is None:
            del os.environ["SOURCE_DATE_EPOCH"]
        else:
            os.environ["SOURCE_DATE_EPOCH"] = saved
    if os.environ.get("UPDATE_GOLDEN"):
        GOLDEN.parent.mkdir(exist_ok=True)
        GOLDEN.write_text("\n".join(found["fresh"][0]) + "\n", encoding="utf-8")
    return found


@pytest.mark.parametrize("name", ["fresh", "from the cache", "from the site"])
def test_every_build_makes_the_golden_site(builds: dict[str, tuple[list[str], BuildReport]], name: str) -> None:
    listing, _ = builds[name]
    golden = GOLDEN.read_text(encoding="utf-8").splitlines()
    assert [line for line in listing if line not in golden] == []
    assert [line for line in golden if line not in listing] == []


def test_the_rebuilds_reuse_instead_of_making(builds: dict[str, tuple[list[str], BuildReport]]) -> None:
    fresh, from_cache, from_site = (builds[name][1] for name in ("fresh", "from the cache", "from the site"))
    assert fresh.reused == 0 and fresh.pdfs == 4
    assert from_cache.timings["生成 PDF"] < fresh.timings["生成 PDF"] / 4  # the PDFs came from the store
    assert from_site.made == [] and from_site.reused == len(fresh.made)  # every file linked from the first build


def test_the_golden_list_covers_the_sample_site() -> None:
    lines = GOLDEN.read_text(encoding="utf-8").splitlines()
    names = [line.split(" ", 1)[0] for line in lines]
    assert "2023/tangshan-gxq-kejiju/index.html" in names
    assert len([name for name in names if name.endswith(".pdf")]) == 4
    assert all(" text " in line for line in lines if line.split(" ", 1)[0].endswith(".pdf"))
