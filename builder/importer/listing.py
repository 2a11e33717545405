"""Import many documents at once with a region and a slug for each, from a small CSV list.

    文件,地区,代号
    原文/发改局.docx,唐山高新区,tangshan-gxq-fagaiju
    原文/科技局.txt,唐山高新区,

Files are read relative to the list's folder; an empty 地区 or 代号 means the command line's
`--region`, or the slug made from the region and the name. Like `import` with several files,
nothing is written unless every document can be (`import_files`'s rule), and two documents
that would write the same file are refused.
"""

from __future__ import annotations

import csv
import dataclasses
from pathlib import Path

from ..data.load import SLUG
from ..errors import BuilderError
from .run import ImportRefused, ImportResult, Options, _same_targets, prepare, write

HEADERS = {"文件": "file", "地区": "region", "代号": "slug", "file": "file", "region": "region", "slug": "slug"}
MAX_ROWS = 10_000


def read_list(path: Path) -> list[tuple[Path, str, str]]:
    """(document, region, slug) for each row; a BuilderError naming every bad line."""
    try:
        text = path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as error:
        raise BuilderError(f"读不到导入清单 {path}：{error}（应为 UTF-8 编码的 CSV）") from None
    rows = list(csv.reader(text.splitlines()))
    if not rows or HEADERS.get(rows[0][0].strip()) != "file":
        raise BuilderError(f"{path}:1 第一行应为列名：文件,地区,代号（或 file,region,slug）")
    columns = [HEADERS.get(name.strip(), "") for name in rows[0]]
    if len(rows) > MAX_ROWS + 1:
        raise BuilderError(f"{path}：导入清单最多 {MAX_ROWS} 行")
    entries, problems, slugs = [], [], {}
    for number, row in enumerate(rows[1:], start=2):
        if not any(cell.strip() for cell in row):
            continue
        cells = {column: cell.strip() for column, cell in zip(columns, row, strict=False) if column}
        document, slug = path.parent / cells.get("file", ""), cells.get("slug", "")
        if not cells.get("file") or not document.is_file():
            problems.append(f"{path}:{number} 文件：找不到 {document}")
        if slug and not SLUG.match(slug):
            problems.append(f"{path}:{number} 代号：`{slug}` 不能用作网址，请只用小写字母、数字和连字符")
        if slug and slug in slugs:
            problems.append(f"{path}:{number} 代号：`{slug}` 与第 {slugs[slug]} 行相同")
        if slug:
            slugs.setdefault(slug, number)
        entries.append((document, cells.get("region", ""), slug))
    if problems:
        raise BuilderError("\n".join(problems) + f"\n导入清单有 {len(problems)} 处问题；没有导入任何文件。")
    return entries


def import_listed(list_file: Path, options: Options) -> tuple[list[ImportResult], list[ImportRefused]]:
    """Import every document of the list with its own region and slug; write all of them or none."""
    results: list[ImportResult] = []
    refusals: list[ImportRefused] = []
    for document, region, slug in read_list(list_file):
        own = dataclasses.replace(options, region=region or options.region, slug=slug or None)
        try:
            results.append(prepare(document, own))
        except ImportRefused as refusal:
            refusals.append(refusal)
    refusals += _same_targets(results)
    if refusals:
        return results, refusals
    return [write(result) for result in results], []
