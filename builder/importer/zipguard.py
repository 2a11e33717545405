"""Check a .docx before python-docx opens it: bounded in members, sizes and ratio, and free of DTDs.

A .docx is a zip of XML parts. A hostile one can expand 1 MB into gigabytes (a zip
bomb) or declare XML entities that expand exponentially (billion laughs). Every member
is inflated here as a stream, with hard limits counted on the bytes actually produced
(not on the sizes the zip claims), and its CRC checked; an XML part may not hold a
`<!DOCTYPE` or `<!ENTITY` (Word never writes one). Only then does python-docx (whose
lxml parser resolves no entities) read the file. Refused in well under a second,
with memory bounded by the limits below.
"""

from __future__ import annotations

import zipfile
import zlib
from pathlib import Path

from lxml import etree

from ..errors import ImportFailed

MAX_MEMBERS = 2000
MAX_MEMBER_BYTES = 64 * 1024 * 1024  # one part, inflated (a photo may be large; document.xml is a few MB)
MAX_XML_BYTES = 32 * 1024 * 1024  # one XML part, inflated: lxml holds about ten times this in memory
MAX_TOTAL_BYTES = 160 * 1024 * 1024  # all parts, inflated
MAX_RATIO = 200  # inflated / compressed, for parts over RATIO_FLOOR
RATIO_FLOOR = 1024 * 1024
CHUNK = 1024 * 1024
# A 33-page 部门预算绩效文本 has 1 500 paragraphs (table cells included) and 9 000 XML elements as python-docx
# writes it (Word writes several times more); past these limits reading would take minutes and gigabytes.
MAX_PARAGRAPHS = 50_000
MAX_ELEMENTS = 1_000_000
_PARAGRAPH = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}p"
_XML_REASONS = {
    "Premature end of data": "XML 没有结束就中断了",
    "Opening and ending tag mismatch": "开始标签和结束标签不配对",
    "Extra content at the end": "XML 结束后还有多余的内容",
    "Document is empty": "部件是空的",
    "not defined": "使用了未定义的实体",
    "Input is not proper UTF-8": "不是有效的 UTF-8 文字",
}
# In the encodings an XML part may declare (a part in UTF-16 got past the UTF-8 marks).
_DTD_MARKS = tuple(
    mark.decode("ascii").encode(encoding)
    for mark in (b"<!DOCTYPE", b"<!ENTITY", b"<!doctype", b"<!entity")
    for encoding in ("utf-8", "utf-16-le", "utf-16-be")
)


def check_docx(path: Path) -> None:
    """Raise ImportFailed naming the part and what is wrong, or return when the .docx is safe to open."""
    try:
        with zipfile.ZipFile(path) as archive:
            members = archive.infolist()
            if len(members) > MAX_MEMBERS:
                raise ImportFailed(
                    f"{path.name}：压缩包中有 {len(members)} 个部件，超过 {MAX_MEMBERS} 个，不像 Word 文档"
                )
            counter = _Counter(path.name)  # elements and paragraphs over all XML parts: python-docx parses each
            total = 0
            for info in members:
                total += _check_member(archive, info, counter, MAX_TOTAL_BYTES - total)
    except ImportFailed:
        raise
    except (zipfile.BadZipFile, zipfile.LargeZipFile, EOFError, zlib.error, NotImplementedError, ValueError) as error:
        raise ImportFailed(
            f"{path.name} 不是完整的 Word .docx 文件（{error}）——文件可能损坏或没有下载完整，请重新获取或在 Word 中另存"
        ) from None


def _check_member(archive: zipfile.ZipFile, info: zipfile.ZipInfo, counter: _Counter, room: int) -> int:
    """Inflate one part as a stream within the limits; return its size."""
    where = f"{counter.name} 中的部件 {info.filename}"
    counter.where = where
    xml = info.filename.lower().endswith((".xml", ".rels"))
    limit = min(MAX_XML_BYTES if xml else MAX_MEMBER_BYTES, room)
    if info.file_size > limit:
        raise ImportFailed(f"{where} 解压后有 {_mb(info.file_size)}，超过限制 {_mb(limit)}（可能是压缩炸弹），不导入")
    size = 0
    tail = b""
    parser = etree.XMLParser(target=counter, resolve_entities=False, no_network=True, huge_tree=False, load_dtd=False)
    with archive.open(info) as stream:
        while chunk := stream.read(CHUNK):
            size += len(chunk)
            if size > limit:
                raise ImportFailed(f"{where} 解压后超过 {_mb(limit)}（可能是压缩炸弹），不导入")
            if size > RATIO_FLOOR and size > MAX_RATIO * max(info.compress_size, 1):
                raise ImportFailed(f"{where} 的压缩比超过 {MAX_RATIO}:1（可能是压缩炸弹），不导入")
            if xml and any(mark in tail + chunk for mark in _DTD_MARKS):
                raise ImportFailed(f"{where} 含有 DTD 或实体声明（<!DOCTYPE / <!ENTITY），Word 文件不会有，不导入")
            tail = chunk[-32:]  # a mark cut between two chunks (18 bytes in UTF-16)
            if xml:
                _feed(parser, chunk, where)
    if xml:
        _feed(parser, None, where)
    return size


class _Counter:
    """A parser target that builds no tree: it counts elements and paragraphs, and stops past the limits."""

    def __init__(self, name: str) -> None:
        self.name = name
        self.where = name
        self.elements = 0
        self.paragraphs = 0

    def start(self, tag: str, attributes: object) -> None:
        self.elements += 1
        if tag == _PARAGRAPH:
            self.paragraphs += 1
            if self.paragraphs > MAX_PARAGRAPHS:
                raise ImportFailed(f"{self.where} 有超过 {MAX_PARAGRAPHS:,} 个段落，不像一份部门预算绩效文本，不导入")
        if self.elements > MAX_ELEMENTS:
            raise ImportFailed(f"{self.where} 有超过 {MAX_ELEMENTS:,} 个 XML 元素，不像一份部门预算绩效文本，不导入")

    def close(self) -> None:
        return None


def _feed(parser: etree.XMLParser, chunk: bytes | None, where: str) -> None:
    """Parse one XML part a chunk at a time (None: the end), no entities, no network; name where it breaks."""
    try:
        if chunk is None:
            parser.close()
        else:
            parser.feed(chunk)
    except etree.XMLSyntaxError as error:
        line, column = error.position if error.position else (error.lineno, 0)
        reason = next((chinese for english, chinese in _XML_REASONS.items() if english in error.msg), "XML 格式错误")
        raise ImportFailed(
            f"{where} 第 {line} 行第 {column} 列：{reason}（{error.msg}）"
            "——文件可能损坏或被截断，请在 Word 中打开后另存为 .docx"
        ) from None


def _mb(size: int) -> str:
    return f"{size / 1024 / 1024:.0f} MB"
