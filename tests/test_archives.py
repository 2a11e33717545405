"""One archive per year on the 数据下载 page: every PDF and data file of the year, checkable with SHA256SUMS."""

from __future__ import annotations

import hashlib
import io
import shutil
import zipfile
from pathlib import Path

import pytest

from builder.data.load import load_all
from builder.opendata import blocks
from builder.opendata.archives import archive_path, checksum_path, members, readme_text, zip_bytes
from builder.opendata.pieces import NAMESPACE
from builder.pipeline.build import build
from builder.site.downloads import downloads_markdown
from builder.site.paths import data_files

ROOT = Path(__file__).resolve().parent.parent
SLUGS = ["chengde-gxq-jingkeju", "tangshan-gxq-fagaiju", "tangshan-gxq-kejiju", "zunhua-jingkaiqu"]


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    work = tmp_path_factory.mktemp("archives")
    shutil.copytree(ROOT / "data", work / "data")
    build(work / "data", work / "site", with_pdf=False, generated_dir=work / "generated", cache_dir=None)
    return work / "site"


def sums_hold(archive: zipfile.ZipFile) -> dict[str, str]:
    """Check the archive's SHA256SUMS against its members, as `sha256sum -c` would; return it."""
    folder = archive.namelist()[0].split("/", 1)[0]
    listed = dict(
        reversed(line.split("  ", 1)) for line in archive.read(f"{folder}/SHA256SUMS").decode("utf-8").splitlines()
    )
    for name, digest in listed.items():
        assert hashlib.sha256(archive.read(f"{folder}/{name}")).hexdigest() == digest, name
    return listed


def test_the_year_archive_holds_the_data_and_checks_out(site: Path) -> None:
    data = (site / archive_path(2023)).read_bytes()
    own = (site / (archive_path(2023) + ".sha256")).read_text(encoding="utf-8")
    assert own == f"{hashlib.sha256(data).hexdigest()}  budget-performance-2023.zip\n"
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        listed = sums_hold(archive)
        csv = archive.read("budget-performance-2023/data/budget-performance-2023-projects.csv")
    assert "data/budget-performance-2023.xlsx" in listed and "说明.txt" in listed
    assert csv == (site / "2023/data/budget-performance-2023-projects.csv").read_bytes()


def test_the_archive_lists_every_pdf_when_pdfs_are_made() -> None:
    names = [member.name for member in members(2023, SLUGS, with_pdf=True)]
    assert "budget-performance-2023/pdf/tangshan-gxq-kejiju-2023.pdf" in names
    assert sum(name.endswith(".pdf") for name in names) == 4
    contents = [(name, name.encode()) for name in names]
    readme = readme_text(2023, [("tangshan-gxq-kejiju", "高新区科技局", "唐山高新区")], with_pdf=True)
    first = zip_bytes(contents, readme, None)
    assert first == zip_bytes(contents, readme, None)  # same files, same bytes
    with zipfile.ZipFile(io.BytesIO(first)) as archive:
        assert len(sums_hold(archive)) == len(names) + 1
        assert "tangshan-gxq-kejiju-2023.pdf  高新区科技局（唐山高新区）" in archive.read(
            "budget-performance-2023/说明.txt"
        ).decode("utf-8-sig")


def test_the_downloads_page_lists_every_pdf_and_the_archive(site: Path) -> None:
    loaded, errors = load_all([ROOT / "data"])
    assert errors == []
    page = downloads_markdown(site, loaded, link_prefix="../", with_pdf=True)
    assert "[budget-performance-2023.zip](../2023/data/budget-performance-2023.zip)" in page
    for slug in SLUGS:
        assert f'<a href="../2023/{slug}/{slug}-2023.pdf" download=' in page
    assert "<td>2023</td>\n<td>高新区科技局</td>\n<td>唐山高新区</td>\n<td><a href=" in page
    without = downloads_markdown(site, loaded, link_prefix="../", with_pdf=False)
    assert ".pdf" not in without and "budget-performance-2023.zip" in without


def test_after_an_edit_the_archive_is_the_one_a_fresh_build_makes(tmp_path: Path) -> None:
    """The CSV and JSON members are joined from cached pieces: after an edit, the same bytes as made afresh,
    and each member the same bytes as the file it stands for."""
    data = tmp_path / "data"
    shutil.copytree(ROOT / "data", data)
    cache = tmp_path / "cache"
    build(data, tmp_path / "site", with_pdf=False, generated_dir=tmp_path / "generated", cache_dir=cache)
    edited = data / "2023" / "tangshan-gxq-kejiju.yaml"
    edited.write_text(edited.read_text(encoding="utf-8").replace("高新区科技局", "高新区科技局（改）", 1), "utf-8")
    build(data, tmp_path / "site", with_pdf=False, generated_dir=tmp_path / "generated", cache_dir=cache)
    build(data, tmp_path / "fresh", with_pdf=False, generated_dir=tmp_path / "generated-2", cache_dir=None)
    zip_file = archive_path(2023)
    assert (tmp_path / "site" / zip_file).read_bytes() == (tmp_path / "fresh" / zip_file).read_bytes()
    with zipfile.ZipFile(tmp_path / "site" / zip_file) as archive:
        sums_hold(archive)
        for name in archive.namelist():
            if "/data/" in name:
                published = tmp_path / "site" / "2023" / "data" / name.rsplit("/", 1)[1]
                assert archive.read(name) == published.read_bytes(), name
        year_json = archive.read("budget-performance-2023/data/budget-performance-2023.json")
        assert "高新区科技局（改）" in year_json.decode()


def test_after_an_edit_with_damaged_and_lost_pieces_the_archive_is_still_the_fresh_one(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Blocks of one or two departments; after the first build every compressed piece and block in the cache is
    damaged (one byte changed) and every other pickled piece lost: the year's files and archive are made again
    from pieces made again — the bytes of a fresh build, never a wrong file."""
    monkeypatch.setattr(blocks, "BLOCK_TARGET", 1)
    data = tmp_path / "data"
    shutil.copytree(ROOT / "data", data)
    cache = tmp_path / "cache"
    build(data, tmp_path / "site", with_pdf=False, generated_dir=tmp_path / "generated", cache_dir=cache)
    edited = data / "2023" / "tangshan-gxq-kejiju.yaml"
    edited.write_text(edited.read_text(encoding="utf-8").replace("高新区科技局", "高新区科技局（改）", 1), "utf-8")
    entries = sorted((cache / "store" / NAMESPACE).iterdir())
    assert len([path for path in entries if path.suffix == ".bin"]) > 20
    for path in entries:
        if path.suffix == ".bin":
            damaged = bytearray(path.read_bytes())
            damaged[len(damaged) // 2] ^= 0x01
            path.write_bytes(bytes(damaged))
    for path in [path for path in entries if path.suffix == ".pickle"][::2]:
        path.unlink()
    build(data, tmp_path / "site", with_pdf=False, generated_dir=tmp_path / "generated", cache_dir=cache)
    build(data, tmp_path / "fresh", with_pdf=False, generated_dir=tmp_path / "generated-2", cache_dir=None)
    for path in [archive_path(2023), checksum_path(2023), *data_files(2023).values(), *data_files(None).values()]:
        assert (tmp_path / "site" / path).read_bytes() == (tmp_path / "fresh" / path).read_bytes(), path
