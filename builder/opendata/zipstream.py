"""Write a zip file from members whose compressed bytes are already made, in pieces, streamed.

Python's zipfile compresses what it is given: it cannot take bytes compressed earlier. The
open-data files are assembled from per-department pieces (builder/opendata/join.py), each
compressed once when its department changes, as raw deflate ended by a sync flush
(`deflate_piece`): such pieces concatenate into one valid deflate stream, closed by
`FINAL_BLOCK`. A member's CRC is the pieces' CRCs joined by `crc32_combine` (zlib's, which
Python does not expose), so the uncompressed bytes are never needed again.

Headers are written as zipfile writes them (same versions, flags, dates and attributes),
with ZIP64 records where a size or an offset needs them, so readers see the usual files.
"""

from __future__ import annotations

import struct
import zlib
from collections.abc import Iterable
from dataclasses import dataclass
from typing import BinaryIO

STORED, DEFLATED = 0, 8
# An empty final block (fixed Huffman): what ends a stream of sync-flushed pieces.
FINAL_BLOCK = b"\x03\x00"
ZIP64_LIMIT = (1 << 31) - 1  # as zipfile: beyond it a size or offset goes into the ZIP64 extra field
_UTF8_NAME = 0x800
_CRC_POLY = 0xEDB88320


@dataclass(frozen=True)
class Compressed:
    """Bytes compressed already: their CRC-32 and size uncompressed, the compressed bytes, and `shift`
    (x^(8·size) modulo the CRC polynomial, `crc_shift`): what joining a CRC before them takes."""

    crc: int
    size: int
    data: bytes
    shift: int


def deflate_piece(data: bytes, level: int) -> Compressed:
    """`data` as raw deflate ended by a sync flush: pieces made so concatenate (then add FINAL_BLOCK)."""
    compressor = zlib.compressobj(level, zlib.DEFLATED, -15)
    compressed = compressor.compress(data) + compressor.flush(zlib.Z_SYNC_FLUSH)
    return Compressed(zlib.crc32(data), len(data), compressed, crc_shift(len(data)))


EMPTY = Compressed(0, 0, b"", 1 << 31)  # no bytes: x^0 shifts nothing


def concatenate(pieces: Iterable[Compressed]) -> Compressed:
    """Pieces one after another as one piece (same bytes, CRC joined): a block of pieces joined once."""
    crc, size, shift, data = 0, 0, EMPTY.shift, []
    for piece in pieces:
        crc, size = crc32_combine(crc, piece.crc, piece.size, piece.shift), size + piece.size
        shift = _multmodp(shift, piece.shift)
        data.append(piece.data)
    return Compressed(crc, size, b"".join(data), shift)


def _multmodp(a: int, b: int) -> int:
    """a × b modulo the CRC-32 polynomial (reflected bit order), as zlib's multmodp."""
    mask, product = 1 << 31, 0
    while True:
        if a & mask:
            product ^= b
            if not a & (mask - 1):
                return product
        mask >>= 1
        b = (b >> 1) ^ _CRC_POLY if b & 1 else b >> 1


def _powers() -> list[int]:
    """x^(2^k) modulo the polynomial, k = 0 … 31."""
    table, power = [], 1 << 30  # x^1
    for _ in range(32):
        table.append(power)
        power = _multmodp(power, power)
    return table


_X2N = _powers()


def crc_shift(size: int) -> int:
    """x^(8·size) modulo the polynomial: what moves a CRC past `size` more bytes (zlib's x2nmodp(size, 3))."""
    power, bit = 1 << 31, 3  # x^0; bytes are 8 = 2^3 bits
    while size:
        if size & 1:
            power = _multmodp(_X2N[bit & 31], power)
        size >>= 1
        bit += 1
    return power


def crc32_combine(first: int, second: int, second_size: int, shift: int | None = None) -> int:
    """The CRC-32 of A + B from crc32(A), crc32(B) and len(B), as zlib's crc32_combine.

    `shift` (`crc_shift(len(B))`, kept with a piece) saves the most part of the work.
    """
    return _multmodp(crc_shift(second_size) if shift is None else shift, first) ^ second


@dataclass(frozen=True)
class Member:
    """One member: how it is compressed, its CRC and sizes, and its compressed bytes as chunks (read once)."""

    name: str
    method: int
    crc: int
    size: int
    compressed_size: int
    chunks: Iterable[bytes]


def member_of(name: str, method: int, crc: int, size: int, chunks: list[bytes]) -> Member:
    return Member(name, method, crc, size, sum(map(len, chunks)), chunks)


def stored(name: str, data: bytes) -> Member:
    return Member(name, STORED, zlib.crc32(data), len(data), len(data), [data])


def deflated(name: str, data: bytes, level: int) -> Member:
    compressor = zlib.compressobj(level, zlib.DEFLATED, -15)
    chunks = [compressor.compress(data) + compressor.flush()]
    return member_of(name, DEFLATED, zlib.crc32(data), len(data), chunks)


def _dos_time(date_time: tuple[int, ...]) -> tuple[int, int]:
    year, month, day, hour, minute, second = date_time[:6]
    return (hour << 11) | (minute << 5) | (second // 2), ((year - 1980) << 9) | (month << 5) | day


def write_zip(out: BinaryIO, members: Iterable[Member], date_time: tuple[int, ...], external_attr: int) -> None:
    """Every member into `out` (need not be seekable), then the central directory."""
    dos_time, dos_date = _dos_time(date_time)
    central, offset = [], 0
    for member in members:
        name = member.name.encode("utf-8")
        flags = 0 if member.name.isascii() else _UTF8_NAME
        large = member.size > ZIP64_LIMIT or member.compressed_size > ZIP64_LIMIT
        extra = struct.pack("<HHQQ", 1, 16, member.size, member.compressed_size) if large else b""
        sizes = (0xFFFFFFFF, 0xFFFFFFFF) if large else (member.compressed_size, member.size)
        version = 45 if large else 20
        header = struct.pack(
            "<4s2B4HL2L2H", b"PK\003\004", version, 0, flags, member.method, dos_time, dos_date,
            member.crc, *sizes, len(name), len(extra),
        )  # fmt: skip
        out.write(header + name + extra)
        written = 0
        for chunk in member.chunks:
            out.write(chunk)
            written += len(chunk)
        if written != member.compressed_size:
            raise ValueError(f"zip member {member.name}: {written} bytes written, {member.compressed_size} announced")
        fields = (dos_time, dos_date, member.crc, flags, version)
        central.append(_central_record(member, name, fields, offset, external_attr))
        offset += len(header) + len(name) + len(extra) + written
    _write_end(out, central, offset)


def _central_record(member: Member, name: bytes, fields: tuple[int, ...], offset: int, external_attr: int) -> bytes:
    dos_time, dos_date, crc, flags, version = fields
    large = [value for value in (member.size, member.compressed_size, offset) if value > ZIP64_LIMIT]
    big_sizes = member.size > ZIP64_LIMIT or member.compressed_size > ZIP64_LIMIT
    values = [member.size, member.compressed_size] if big_sizes else []
    if offset > ZIP64_LIMIT:
        values.append(offset)
    extra = struct.pack(f"<HH{len(values)}Q", 1, 8 * len(values), *values) if values else b""
    if large:
        version = 45
    sizes = (0xFFFFFFFF, 0xFFFFFFFF) if big_sizes else (member.compressed_size, member.size)
    record = struct.pack(
        "<4s4B4HL2L5H2L", b"PK\001\002", version, 3, version, 0, flags, member.method, dos_time, dos_date,
        crc, *sizes, len(name), len(extra), 0, 0, 0, external_attr, min(offset, 0xFFFFFFFF),
    )  # fmt: skip
    return record + name + extra


def _write_end(out: BinaryIO, central: list[bytes], start: int) -> None:
    directory = b"".join(central)
    count, size = len(central), len(directory)
    out.write(directory)
    if count > 0xFFFF or size > ZIP64_LIMIT or start > ZIP64_LIMIT:
        end64 = start + size
        out.write(struct.pack("<4sQ2H2L4Q", b"PK\006\006", 44, 45, 45, 0, 0, count, count, size, start))
        out.write(struct.pack("<4sLQL", b"PK\006\007", 0, end64, 1))
        count, size, start = min(count, 0xFFFF), min(size, 0xFFFFFFFF), min(start, 0xFFFFFFFF)
    out.write(struct.pack("<4s4H2LH", b"PK\005\006", 0, 0, count, count, size, start, 0))
