"""The year's and the whole site's downloads are joined from the departments' own files, byte for byte as before.

A build keeps each department's pieces in the store (builder/opendata/pieces.py) and joins
the year's and the site's files from them (builder/opendata/join.py); every file must equal
what encoding every department afresh (`export_files`) gives, for the sample, the hostile
data and a synthetic corpus, after one department is edited (its rows staying in place or
moving the others'), and when the store lost the pieces.
"""

from __future__ import annotations

import hashlib
import os
import re
import sqlite3
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from builder.data.load import LoadedDepartment, load_all
from builder.opendata import blocks as blocks_module
from builder.opendata import pieces as pieces_module
from builder.opendata.blocks import Block
from builder.opendata.export import Scope, encode, export_files, sorted_departments
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


def data_key(item: LoadedDepartment) -> str:
    """A department's key, as `read_data.file_key` makes it: its bytes and its place (year folder and name)."""
    path = item.source.path
    return digest(f"{path.parent.name}/{path.name}", path.read_bytes())


def build_open_data(
    loaded: list[LoadedDepartment], staging: Path, store: Store, earlier: Outputs | None = None
) -> Outputs:
    """The open-data step of a build into `staging`, reusing what `earlier` made and the pieces in `store`."""
    keys = {item.source.path: data_key(item) for item in loaded}
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
        department = Pieces(store, piece_key(data_key(item), SITE_URL))
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


def planned_blocks(loaded: list[LoadedDepartment], store: Store) -> list[Block]:
    """The blocks of the year and site files of `loaded`, as the open-data step plans them."""
    keys = {item.source.path: data_key(item) for item in loaded}
    pieces = {id(item): Pieces(store, piece_key(keys[item.source.path], SITE_URL)) for item in loaded}
    planned = plan_scopes(loaded, whole_site=True)
    return [block for scope in planned if scope.slug is None for block in export_data.scope_blocks(scope, pieces)]


def entry_inode(store: Store, entry: str) -> int:
    path = store.path(pieces_module.NAMESPACE, entry, "bin")
    assert path is not None
    return path.stat().st_ino


def edit_corpus(data: Path, edit: str) -> int:
    """Edit the data as `edit` says; how many blocks it may change at most (a department that ends a block
    splits or joins blocks)."""
    files = sorted(data.rglob("*.yaml"))
    target = files[len(files) // 2]
    if edit == "change":
        target.write_text(target.read_text(encoding="utf-8").replace("department: ", "department: 改", 1), "utf-8")
        return 1
    if edit == "add":
        text = target.read_text(encoding="utf-8").replace("department: ", "department: 新增", 1)
        target.with_name("zz-added.yaml").write_text(text, encoding="utf-8")
        return 2
    if edit == "remove":
        target.unlink()
        return 2
    target.rename(target.with_name("aaa-" + target.name))  # renamed: leaves one block, joins another
    return 4


def first_build_in_small_blocks(
    corpus: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> tuple[Path, Store, Outputs]:
    """The corpus copied to `tmp_path/data` and built into `tmp_path/first` in blocks of about 2 departments (so
    that an edit leaves many blocks as they were), dated: its data folder, its store and its outputs."""
    monkeypatch.setattr(blocks_module, "BLOCK_TARGET", 2)
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")
    data, store = tmp_path / "data", Store(tmp_path / "store")
    copy_data(corpus, data)
    return data, store, build_open_data(load([data]), tmp_path / "first", store)


@pytest.mark.parametrize("edit", ["change", "add", "remove", "rename"])
def test_an_edit_joins_again_only_the_blocks_it_changes(
    corpus: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, edit: str
) -> None:
    """Blocks of about 2 departments: the edited department's block is joined again (a new entry), the others
    are read as they are (their entries are the files written by the first build), and the files are those of
    encoding every department afresh."""
    data, store, first = first_build_in_small_blocks(corpus, tmp_path, monkeypatch)
    before = {block.key: block for block in planned_blocks(load([data]), store)}
    assert len(before) > 6
    inodes = {key: entry_inode(store, block.text_entry()) for key, block in before.items()}
    most = edit_corpus(data, edit)
    loaded = load([data])
    build_open_data(loaded, tmp_path / "second", store, first)
    assert_same_files(tmp_path / "second", export_files(loaded, SITE_URL))
    after = {block.key: block for block in planned_blocks(loaded, store)}
    new = set(after) - set(before)
    assert len(new) <= most * 2  # in the year's file and the site's
    assert len(new) >= 1 or edit == "remove"  # (a department alone in its block leaves no new block)
    kept = set(after) & set(before)
    assert len(kept) >= len(after) - most * 2
    assert all(entry_inode(store, after[key].text_entry()) == inodes[key] for key in kept)


@pytest.mark.parametrize("edit", ["change", "add", "remove", "rename"])
def test_the_site_database_copies_the_rows_of_unchanged_blocks_from_the_last_one(
    corpus: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, edit: str
) -> None:
    """After an edit, the site database takes the rows of the blocks it had from the last build's database (SQLite
    copies them), not from the store: their rows are gone from the store here, and the file is still the one that
    encoding every department afresh gives, byte for byte."""
    data, store, first = first_build_in_small_blocks(corpus, tmp_path, monkeypatch)
    before = {block.key: block for block in planned_blocks(load([data]), store)}
    for block in before.values():
        for table in pieces_module.TABLE_NAMES:
            entry = store.path(pieces_module.NAMESPACE, block.sqlite_entry(table), "bin")
            assert entry is not None and entry.is_file()
            entry.unlink()
    edit_corpus(data, edit)
    loaded = load([data])
    build_open_data(loaded, tmp_path / "second", store, first)
    assert_same_files(tmp_path / "second", export_files(loaded, SITE_URL))
    after = planned_blocks(loaded, store)
    kept = [block for block in after if block.key in before and len(block.members) > 0]
    assert len(kept) > 6
    refilled = [
        block.key
        for block in kept
        if (entry := store.path(pieces_module.NAMESPACE, block.sqlite_entry("projects"), "bin")) and entry.exists()
    ]
    assert refilled == []


def rebuild_after_damaging_the_database(
    corpus: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, damage: Callable[[Path], None]
) -> None:
    """A first build, its site database damaged by `damage` (its size and time put back: the manifest finds it
    intact), a department edited and a second build: its files are those of encoding every department afresh."""
    data, store, first = first_build_in_small_blocks(corpus, tmp_path, monkeypatch)
    database = tmp_path / "first" / data_files(None, None)["sqlite"]
    status = database.stat()
    damage(database)
    assert database.stat().st_size == status.st_size
    os.utime(database, ns=(status.st_atime_ns, status.st_mtime_ns))
    edit_corpus(data, "change")
    loaded = load([data])
    build_open_data(loaded, tmp_path / "second", store, first)
    assert_same_files(tmp_path / "second", export_files(loaded, SITE_URL))


def test_a_site_database_not_as_its_layout_says_is_not_copied_from(
    corpus: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A last database whose rows are not where its layout puts them (a row deleted by hand: the manifest still
    finds the file intact when its size and time are put back) is not copied from: every row is inserted again."""

    def delete_a_row(database: Path) -> None:
        connection = sqlite3.connect(database)
        connection.execute("DELETE FROM spending_plan WHERE rowid = (SELECT max(rowid) FROM spending_plan)")
        connection.commit()
        connection.close()  # a page freed, not the file shrunk

    rebuild_after_damaging_the_database(corpus, tmp_path, monkeypatch, delete_a_row)


def test_a_site_database_damaged_inside_is_not_copied_from(
    corpus: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A last database whose pages are damaged where its row counts do not look (bytes overwritten in the middle,
    size and time put back): reading it fails half-way, and every row is inserted again from the store."""

    def overwrite_the_middle(database: Path) -> None:
        with database.open("r+b") as file:
            file.seek(database.stat().st_size // 2)
            file.write(b"\xff" * 8192)

    rebuild_after_damaging_the_database(corpus, tmp_path, monkeypatch, overwrite_the_middle)


def test_damaged_blocks_and_lost_pieces_are_made_again_never_a_wrong_file(
    corpus: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Every block entry damaged (one byte changed), and the pieces of half the departments lost: the blocks
    are joined again from pieces made again, and the files are those of encoding every department afresh."""
    data, store, first = first_build_in_small_blocks(corpus, tmp_path, monkeypatch)
    edit_corpus(data, "change")
    loaded = load([data])
    blocks = planned_blocks(loaded, store)
    for block in blocks:
        for path in [store.path(pieces_module.NAMESPACE, block.text_entry(), "bin")]:
            if path is not None and path.is_file():
                damaged = bytearray(path.read_bytes())
                damaged[len(damaged) // 2] ^= 0xFF
                path.write_bytes(bytes(damaged))
    for block in blocks[::2]:
        for member in block.members:
            for kind in ("text", "templates"):
                path = store.path(pieces_module.NAMESPACE, digest(member.key, kind), "pickle")
                assert path is not None
                path.unlink(missing_ok=True)
    build_open_data(loaded, tmp_path / "second", store, first)
    assert_same_files(tmp_path / "second", export_files(loaded, SITE_URL))


def test_a_block_found_damaged_while_joining_is_joined_again_from_pieces_made_again(
    corpus: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The plan counted on a block that turns out damaged, and its members' pieces are gone: the join stops
    (PiecesLost), the pieces are made, the files joined again — the same bytes."""
    data, store, first = first_build_in_small_blocks(corpus, tmp_path, monkeypatch)
    edit_corpus(data, "change")
    loaded = load([data])
    block = planned_blocks(loaded, store)[0]
    path = store.path(pieces_module.NAMESPACE, block.text_entry(), "bin")
    assert path is not None and path.is_file()
    path.write_bytes(path.read_bytes()[:-1])  # damaged, but present when the build plans
    for member in block.members:
        lost = store.path(pieces_module.NAMESPACE, digest(member.key, "text"), "pickle")
        assert lost is not None
        lost.unlink()
    build_open_data(loaded, tmp_path / "second", store, first)
    assert_same_files(tmp_path / "second", export_files(loaded, SITE_URL))


@pytest.mark.parametrize("damage", [None, "entry"])
def test_reused_files_checksums_come_from_the_store_or_their_sha256sums(
    corpus: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, damage: str | None
) -> None:
    """A department's files reused: their sizes and SHA-256 (for the 数据下载 page) are remembered in the store
    (one entry, not thousands of SHA256SUMS read); with that entry damaged, read from SHA256SUMS; never wrong."""
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")
    data, store = tmp_path / "data", Store(tmp_path / "store")
    copy_data(corpus, data)
    first = build_open_data(load([data]), tmp_path / "first", store)
    entry = store.path(pieces_module.NAMESPACE, export_data.KNOWN_ENTRY, "json")
    assert entry is not None and entry.is_file()
    if damage == "entry":
        text = bytearray(entry.read_bytes())
        at = text.index(b'"', 40) + 1  # a character inside the entry
        text[at] = ord("0") if text[at] != ord("0") else ord("1")
        entry.write_bytes(bytes(text))
    reads: list[Scope] = []
    original = export_data._read_checksums
    monkeypatch.setattr(export_data, "_read_checksums", lambda o, s: reads.append(s) or original(o, s))
    edit_corpus(data, "change")
    loaded = load([data])
    keys = {item.source.path: data_key(item) for item in loaded}
    outputs = Outputs(tmp_path / "second", [first.manifest(first.staging)])
    (tmp_path / "second").mkdir()
    with Progress.silent().stage("开放数据", total=None) as stage:
        started = make_open_data(plan_scopes(loaded, whole_site=True), keys, outputs, SITE_URL, 1, stage, store)
    assert len(reads) == (0 if damage is None else len(loaded) - 1)
    for path, (size, sha) in started.known.items():
        content = outputs.location(path).read_bytes()
        assert (size, sha) == (len(content), hashlib.sha256(content).hexdigest()), path
