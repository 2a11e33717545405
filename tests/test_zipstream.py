"""Zip files written from pieces compressed earlier: readers see the bytes joined, as zipfile would write them."""

from __future__ import annotations

import io
import itertools
import random
import zipfile
import zlib

import pytest

from builder.opendata import zipstream
from builder.opendata.zipstream import (
    DEFLATED,
    FINAL_BLOCK,
    Member,
    crc32_combine,
    crc_shift,
    deflate_piece,
    deflated,
    stored,
    write_zip,
)

DATE = (2023, 11, 14, 22, 13, 20)
ATTRIBUTES = 0o644 << 16
TEXT = "项目编码,项目名称,预算数\r\n13000323P0000214922A,城乡环境整治,60.00\r\n".encode()


def texts(count: int) -> list[bytes]:
    generator = random.Random(7)
    noise = [bytes(generator.randrange(256) for _ in range(50)) for _ in range(count)]
    return [TEXT * generator.randrange(0, 400) + tail for tail in noise]


def joined_member(name: str, parts: list[bytes], level: int = 1) -> Member:
    pieces = [deflate_piece(part, level) for part in parts]
    crc = size = 0
    for piece in pieces:
        crc, size = crc32_combine(crc, piece.crc, piece.size, piece.shift), size + piece.size
    chunks = [piece.data for piece in pieces] + [FINAL_BLOCK]
    return Member(name, DEFLATED, crc, size, sum(map(len, chunks)), chunks)


def test_crc32_combine_is_zlibs() -> None:
    parts = texts(30)
    for first, second in itertools.pairwise(parts):
        expected = zlib.crc32(first + second)
        assert crc32_combine(zlib.crc32(first), zlib.crc32(second), len(second)) == expected
        assert crc32_combine(zlib.crc32(first), zlib.crc32(second), len(second), crc_shift(len(second))) == expected


def test_pieces_concatenate_into_one_deflate_stream() -> None:
    parts = texts(20)
    member = joined_member("a.xml", parts)
    assert zlib.decompress(b"".join(member.chunks), -15) == b"".join(parts)
    assert member.crc == zlib.crc32(b"".join(parts))


def test_the_zip_reads_back_with_the_headers_zipfile_writes() -> None:
    parts = texts(5)
    members = [joined_member("xl/worksheets/sheet1.xml", parts), stored("说明.txt", TEXT), deflated("a.csv", TEXT, 6)]
    buffer = io.BytesIO()
    write_zip(buffer, members, DATE, ATTRIBUTES)
    reference = io.BytesIO()
    with zipfile.ZipFile(reference, "w") as archive:
        for name, method in [("xl/worksheets/sheet1.xml", zipfile.ZIP_DEFLATED), ("说明.txt", zipfile.ZIP_STORED)]:
            info = zipfile.ZipInfo(name, date_time=DATE)
            info.compress_type, info.external_attr = method, ATTRIBUTES
            archive.writestr(info, b"".join(parts) if name.endswith(".xml") else TEXT)
    with zipfile.ZipFile(buffer) as ours, zipfile.ZipFile(reference) as theirs:
        assert ours.testzip() is None
        assert ours.read("xl/worksheets/sheet1.xml") == b"".join(parts)
        assert ours.read("说明.txt") == TEXT and ours.read("a.csv") == TEXT
        fields = ("filename", "date_time", "compress_type", "flag_bits", "create_system", "create_version")
        fields += ("extract_version", "external_attr", "CRC", "file_size")
        for mine, other in zip(ours.infolist(), theirs.infolist(), strict=False):
            assert [getattr(mine, field) for field in fields] == [getattr(other, field) for field in fields]


def test_sizes_and_offsets_past_the_limit_get_zip64_records(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(zipstream, "ZIP64_LIMIT", 100)
    parts = texts(4)
    buffer = io.BytesIO()
    write_zip(buffer, [joined_member("big.xml", parts), stored("next.txt", TEXT)], DATE, ATTRIBUTES)
    with zipfile.ZipFile(buffer) as archive:
        assert archive.testzip() is None
        assert archive.read("big.xml") == b"".join(parts) and archive.read("next.txt") == TEXT
        assert archive.getinfo("big.xml").extract_version == 45


def test_a_member_shorter_than_announced_is_refused() -> None:
    member = Member("a.txt", zipstream.STORED, zlib.crc32(TEXT), len(TEXT), len(TEXT) + 1, [TEXT])
    with pytest.raises(ValueError, match="announced"):
        write_zip(io.BytesIO(), [member], DATE, ATTRIBUTES)
