"""Turn the text export of a Word 部门预算绩效文本 (one tab-introduced line per table cell) into a data-format dict."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from ..atomic import write_atomic
from .common import clean_cell
from .structure.blocks import Block, ImportWarning, is_part_heading
from .structure.document import parse_blocks
from .structure.labels import PRINTED_TABLE_TITLE
from .write import to_yaml

FAMILY = "Word 文本导出"

# ── lines → blocks ────────────────────────────────────────────────────────────────


def read_blocks(text: str) -> list[Block]:
    """Cells start with a tab; a table ends at two empty lines; blank paragraphs are dropped."""
    blocks: list[Block] = []
    in_table, blank_run = False, 0
    for number, line in enumerate(text.split("\n"), start=1):  # numbered as an editor shows them
        line = line.removesuffix("\r")
        if line.startswith("\t"):
            blocks.append(Block(number, line[1:], is_cell=True))
            in_table, blank_run = True, 0
        elif not clean_cell(line):
            blank_run += 1
            in_table = in_table and blank_run < 2
        elif in_table and not _starts_outside_table(line):
            blocks[-1].raw += "\n" * (blank_run + 1) + line
            blank_run = 0
        else:
            blocks.append(Block(number, line, is_cell=False))
            in_table, blank_run = False, 0
    return blocks


def _starts_outside_table(line: str) -> bool:
    text = clean_cell(line)
    return bool(PRINTED_TABLE_TITLE.search(text)) or is_part_heading(text)


def parse_word_text(
    text: str, *, region: str | None = None, department: str | None = None, source: str | None = None
) -> tuple[dict[str, Any], list[ImportWarning]]:
    """Read a Word text export; return the department as a plain dict (model key order) and the warnings.

    `region` and `source` are not printed in the document; `department` is used only when
    the document has no cover name.
    """
    return parse_blocks(read_blocks(text), family=FAMILY, region=region, department=department, source=source)


# ── command line (python -m builder.importer.word_text) ───────────────────────────


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m builder.importer.word_text",
        description="把 Word 导出的部门预算绩效文本（每个单元格一行、以制表符开头）转换为 YAML 数据文件。",
        epilog="例：python -m builder.importer.word_text 原文.txt data/2023/gxq-fagaiju.yaml --region 唐山高新区",
    )
    parser.add_argument("text", type=Path, help="导出的文本文件（UTF-8）")
    parser.add_argument("output", type=Path, help="要写入的 data/<年度>/<部门代号>.yaml")
    parser.add_argument("--region", help="地区，如 唐山高新区（原文中没有）")
    parser.add_argument("--department", help="部门名称（仅在原文没有封面时使用）")
    parser.add_argument("--source", help="来源说明（默认：<地区> <年度> 年部门预算绩效文本（Word 文本导出））")
    args = parser.parse_args(argv)
    data, warnings = parse_word_text(
        args.text.read_text(encoding="utf-8-sig"), region=args.region, department=args.department, source=args.source
    )
    for warning in warnings:
        print(warning.render(str(args.text)), file=sys.stderr)
    write_atomic(args.output, to_yaml(data))
    print(f"{args.output}: {data.get('department')}，{len(data.get('projects', []))} 个项目")
    return 0


if __name__ == "__main__":
    sys.exit(main())
