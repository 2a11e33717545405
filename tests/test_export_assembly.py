"""The year's and the whole site's downloads are joined from the departments' own files, byte for byte as before.

A build writes (or reuses) each department's files first and reads its pieces back from
them (builder/opendata/join.py); every file must equal what encoding every department afresh
(`export_files`) gives, for the sample, the hostile data and a synthetic corpus, and after
one department is edited.
"""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from builder.data.load import LoadedDepartment, load_all
from builder.opendata import export
from builder.opendata import join as export_join
from builder.opendata.export import csv_kind, encode, export_files, sorted_departments
from builder.opendata.join import DepartmentFiles
from builder.opendata.tables import build_tables
from builder.pipeline.fingerprint import digest
from builder.pipeline.outputs import Outputs
from builder.pipeline.progress import Progress
from builder.pipeline.steps.export_data import make_open_data, plan_scopes
from builder.site.paths import data_files

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "benchmarks"))
from generate_corpus import generate  # noqa: E402

SITE_URL = "https://example.org/zfxxgk/"
original_encode = export.encode


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The sample data, the hostile data and 12 synthetic departments of 4 projects, in two years."""
    folder = tmp_path_factory.mktemp("corpus")
    generate(12, folder / "synthetic", ROOT / "data", projects=4)
    return folder


def load(folders: list[Path]) -> list[LoadedDepartment]:
    loaded, errors = load_all(folders)
    assert errors == []
    return sorted_departments(loaded)


def folders(corpus: Path) -> list[Path]:
    return [ROOT / "data", ROOT / "tests" / "hostile_data", corpus / "synthetic"]


def build_open_data(loaded: list[LoadedDepartment], staging: Path, earlier: Outputs | None = None) -> Outputs:
    """The open-data step of a build into `staging`, reusing what `earlier` made."""
    keys = {item.source.path: digest(item.source.path.read_bytes().decode("utf-8")) for item in loaded}
    sources = [earlier.manifest(earlier.staging)] if earlier is not None else []
    outputs = Outputs(staging, sources)
    staging.mkdir()
    with Progress.silent().stage("开放数据", total=None) as stage:
        make_open_data(plan_scopes(loaded, whole_site=True), keys, outputs, SITE_URL, 2, stage)
    return outputs


def assert_same_files(staging: Path, expected: dict[str, bytes]) -> None:
    written = {path.relative_to(staging).as_posix() for path in staging.rglob("*") if path.is_file()}
    assert written == set(expected)
    different = [path for path, data in expected.items() if (staging / path).read_bytes() != data]
    assert different == []


def test_a_build_writes_the_files_of_encoding_every_department(
    corpus: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")
    loaded = load(folders(corpus))
    assert len({item.department.year for item in loaded}) >= 1 and len(loaded) > 12
    build_open_data(loaded, tmp_path / "site")
    assert_same_files(tmp_path / "site", export_files(loaded, SITE_URL))


def pieces(item: LoadedDepartment, folder: Path) -> tuple[dict[str, bytes], bytes, dict[str, tuple[bytes, ...]]]:
    tables = build_tables([item], SITE_URL)
    files = DepartmentFiles(item, tables, folder.joinpath, SITE_URL)
    csv = {name: files.csv(name) for name in tables}
    xlsx = {name: files.xlsx(index, name) for index, name in enumerate(tables, start=1)}
    return csv, files.json(), xlsx


def test_pieces_read_back_are_the_pieces_encoded(corpus: Path, tmp_path: Path) -> None:
    loaded = load(folders(corpus))
    build_open_data(loaded, tmp_path / "site")
    for item in loaded:
        encoded = encode(build_tables([item], SITE_URL), [item], SITE_URL)
        csv, json, xlsx = pieces(item, tmp_path / "site")
        assert csv == {name: pieces[0] for name, pieces in encoded.csv.items()}
        assert (json,) == encoded.json
        assert xlsx == {name: pieces[0] for name, pieces in encoded.xlsx.items()}


def test_after_one_department_is_edited_the_joined_files_are_as_encoded_afresh(
    corpus: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("SOURCE_DATE_EPOCH", raising=False)
    data = tmp_path / "data"
    for folder in folders(corpus):
        for path in folder.rglob("*.yaml"):
            target = data / path.relative_to(folder)
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(path.read_bytes())
    first = build_open_data(load([data]), tmp_path / "first")
    edited = sorted(data.rglob("*.yaml"))[5]
    text = edited.read_text(encoding="utf-8")
    edited.write_text(text.replace("department: ", "department: 改名后的", 1), encoding="utf-8")
    loaded = load([data])
    encoded = []
    monkeypatch.setattr(export, "encode", lambda *args: encoded.append(args[1]) or original_encode(*args))
    for fallback in ("csv_rows", "department_piece", "row_templates"):  # the joined files read every piece back
        monkeypatch.setattr(export_join, fallback, lambda *args: pytest.fail("a department was encoded again"))
    second = build_open_data(loaded, tmp_path / "second", first)
    assert [[item.source.path for item in departments] for departments in encoded] == [[edited]]  # no other
    assert_same_files(tmp_path / "second", export_files(loaded, SITE_URL))
    year, slug = int(edited.parent.name), edited.stem
    assert set(second.made_paths) == {
        *data_files(year, slug).values(),
        *data_files(year, None).values(),
        *data_files(None, None).values(),
    }


def test_a_department_file_not_as_written_is_encoded_again(tmp_path: Path) -> None:
    loaded = load([ROOT / "data"])
    build_open_data(loaded, tmp_path / "site")
    item = loaded[0]
    expected = pieces(item, tmp_path / "site")
    paths = data_files(item.department.year, item.source.slug)
    (tmp_path / "site" / paths["json"]).write_bytes(b"{}")
    (tmp_path / "site" / paths[csv_kind("projects")]).write_bytes(b"project_id\r\n")
    (tmp_path / "site" / paths["xlsx"]).write_bytes(b"PK not a zip")
    assert pieces(item, tmp_path / "site") == expected
    for path in paths.values():
        (tmp_path / "site" / path).unlink()
    assert pieces(item, tmp_path / "site") == expected
