"""The year's and the whole site's downloads are joined from the departments' own files, byte for byte as before.

A build keeps each department's pieces in the store (builder/opendata/pieces.py) and joins
the year's and the site's files from them (builder/opendata/join.py); every file must equal
what encoding every department afresh (`export_files`) gives, for the sample, the hostile
data and a synthetic corpus, after one department is edited (its rows staying in place or
moving the others'), and when the store lost the pieces.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

import pytest

from builder.data.load import LoadedDepartment, load_all
from builder.opendata import pieces as pieces_module
from builder.opendata.export import encode, export_files, sorted_departments
from builder.opendata.pieces import Pieces, piece_key, row_counts
from builder.opendata.tables import build_tables
from builder.pipeline.fingerprint import digest
from builder.pipeline.outputs import Outputs
from builder.pipeline.progress import Progress
from builder.pipeline.steps import export_data
from builder.pipeline.steps.export_data import make_open_data, plan_scopes
from builder.pipeline.store import Store
from builder.site.paths import data_files

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "benchmarks"))
from generate_corpus import generate  # noqa: E402

SITE_URL = "https://example.org/zfxxgk/"


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


def build_open_data(
    loaded: list[LoadedDepartment], staging: Path, store: Store, earlier: Outputs | None = None
) -> Outputs:
    """The open-data step of a build into `staging`, reusing what `earlier` made and the pieces in `store`."""
    keys = {item.source.path: digest(item.source.path.read_bytes().decode("utf-8")) for item in loaded}
    sources = [earlier.manifest(earlier.staging)] if earlier is not None else []
    outputs = Outputs(staging, sources)
    staging.mkdir()
    with Progress.silent().stage("开放数据", total=None) as stage:
        make_open_data(plan_scopes(loaded, whole_site=True), keys, outputs, SITE_URL, 2, stage, store)
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
    build_open_data(loaded, tmp_path / "site", Store(tmp_path / "store"))
    assert_same_files(tmp_path / "site", export_files(loaded, SITE_URL))


def test_the_stored_pieces_are_the_departments_encoding(corpus: Path, tmp_path: Path) -> None:
    loaded = load(folders(corpus))
    store = Store(tmp_path / "store")
    build_open_data(loaded, tmp_path / "site", store)
    for item in loaded:
        encoded = encode(build_tables([item], SITE_URL), [item], SITE_URL)
        department = Pieces(store, piece_key(digest(item.source.path.read_bytes().decode("utf-8")), SITE_URL))
        text = department.text()
        assert text.csv == {name: pieces[0] for name, pieces in encoded.csv.items()}
        assert (text.json,) == encoded.json
        assert department.templates() == {name: pieces[0] for name, pieces in encoded.xlsx.items()}
        assert text.counts == row_counts(item)


def copy_data(corpus: Path, data: Path) -> None:
    for folder in folders(corpus):
        for path in folder.rglob("*.yaml"):
            target = data / path.relative_to(folder)
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(path.read_bytes())


def count_encodings(monkeypatch: pytest.MonkeyPatch) -> list[Path]:
    """The data files encoded from here on (tables and pieces made from the model)."""
    encoded: list[Path] = []
    original_pieces, original_encode = pieces_module._encoded, export_data.encode

    def pieces_encoded(loaded: LoadedDepartment, site_url: str) -> object:
        encoded.append(loaded.source.path)
        return original_pieces(loaded, site_url)

    def encode_files(tables: object, departments: list[LoadedDepartment], site_url: str) -> object:
        encoded.extend(item.source.path for item in departments)
        return original_encode(tables, departments, site_url)

    monkeypatch.setattr(pieces_module, "_encoded", pieces_encoded)
    monkeypatch.setattr(export_data, "encode", encode_files)
    return encoded


def add_indicator(text: str) -> str:
    """The YAML with one more indicator at the head of its first project's indicator table."""
    match = re.search(r"\n( *)indicators:\n( *)- level1:", text)
    assert match is not None
    row = "{0}- level1: 产出指标\n{0}  level2: 数量指标\n{0}  name: 新增指标\n{0}  value: ≥1个\n".format(match.group(2))
    at = match.start(2)
    return text[:at] + row + text[at:]


@pytest.mark.parametrize("edit", ["rename", "add an indicator"])
def test_after_one_department_is_edited_the_joined_files_are_as_encoded_afresh(
    corpus: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, edit: str
) -> None:
    """Renamed: its rows keep their places. An indicator added: the rows after it move; those departments'
    sheets are numbered again from their stored rows, none of them is encoded again."""
    monkeypatch.delenv("SOURCE_DATE_EPOCH", raising=False)
    data, store = tmp_path / "data", Store(tmp_path / "store")
    copy_data(corpus, data)
    first = build_open_data(load([data]), tmp_path / "first", store)
    edited = sorted(data.rglob("*.yaml"))[5]
    text = edited.read_text(encoding="utf-8")
    text = text.replace("department: ", "department: 改名后的", 1) if edit == "rename" else add_indicator(text)
    edited.write_text(text, encoding="utf-8")
    loaded = load([data])
    encoded = count_encodings(monkeypatch)
    second = build_open_data(loaded, tmp_path / "second", store, first)
    assert encoded == [edited]  # no other department
    assert_same_files(tmp_path / "second", export_files(loaded, SITE_URL))
    year, slug = int(edited.parent.name), edited.stem
    assert set(second.made_paths) == {
        *data_files(year, slug).values(),
        *data_files(year, None).values(),
        *data_files(None, None).values(),
    }


def test_pieces_lost_from_the_store_are_made_again(
    corpus: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")
    data = tmp_path / "data"
    copy_data(corpus, data)
    first = build_open_data(load([data]), tmp_path / "first", Store(tmp_path / "store"))
    edited = sorted(data.rglob("*.yaml"))[3]
    edited.write_text(edited.read_text(encoding="utf-8").replace("department: ", "department: 新", 1), encoding="utf-8")
    loaded = load([data])
    build_open_data(loaded, tmp_path / "second", Store(tmp_path / "another-store"), first)
    assert_same_files(tmp_path / "second", export_files(loaded, SITE_URL))
