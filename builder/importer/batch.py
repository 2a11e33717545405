"""Several documents at once: `import FOLDER/` or several files, one line per file and a summary.

Which files a folder holds is decided here, and so is how a batch is reported; what
happens to one file (read, check, write) is `run.py`'s. By default a batch is written all
or nothing (one refused file and none is written); `--each` writes every file that passed.
"""

from __future__ import annotations

from pathlib import Path

from ..data.amounts import format_amount
from ..errors import BuilderError
from .run import SUPPORTED_SUFFIXES, ImportRefused, ImportResult

SKIPPED_NAMES = ("~$", ".~lock", ".")  # Word's and LibreOffice's lock files, hidden files


def expand_inputs(paths: list[Path]) -> list[Path]:
    """Files as given; a folder stands for the documents in it (and its subfolders), in name order."""
    found: list[Path] = []
    for path in paths:
        if path.is_dir():
            inside = sorted(
                file
                for file in path.rglob("*")
                if file.is_file()
                and file.suffix.lower() in SUPPORTED_SUFFIXES
                and not file.name.startswith(SKIPPED_NAMES)
                and not any(part.startswith(".") for part in file.relative_to(path).parts)
            )
            if not inside:
                kinds = "、".join(SUPPORTED_SUFFIXES)
                raise BuilderError(f"{path} 中没有可导入的文件（{kinds}）")
            found += inside
        else:
            found.append(path)
    return found


def file_line(result: ImportResult) -> str:
    """`已导入  原文.pdf → data/2023/x.yaml（13 个项目，994.49 万元，指标 78 行）`, or with warnings."""
    department = result.department
    figures = (
        f"{len(department.projects)} 个项目，{format_amount(department.total_budget)} {department.amount_unit}，"
        f"指标 {result.indicator_rows} 行"
    )
    unresolved = f"，{len(department.unresolved)} 处未归类" if department.unresolved else ""
    if not result.written:
        state = "未写入"
    elif result.warnings or department.unresolved:
        state = f"有警告（{len(result.warnings)} 条）"
    else:
        state = "已导入"
    return f"{state}  {result.source} → {result.target}（{figures}{unresolved}）"


def refusal_line(refusal: ImportRefused) -> str:
    reason = str(refusal).splitlines()[0]
    if refusal.source and reason.startswith(f"{refusal.source}："):
        reason = reason[len(f"{refusal.source}：") :]
    return f"失败    {refusal.source}：{reason}" if refusal.source else f"失败    {reason}"


def summary(results: list[ImportResult], refusals: list[ImportRefused], each: bool) -> str:
    written = [result for result in results if result.written]
    warned = [result for result in written if result.warnings or result.department.unresolved]
    total = len({*(result.source for result in results), *(refusal.source for refusal in refusals)})
    line = f"共 {total} 个文件：导入 {len(written)} 个（其中有警告 {len(warned)} 个），失败 {len(refusals)} 个。"
    if refusals and not written and not each:
        line += "按默认的“全部或全不”规则，所有文件均未写入；加 --each 可先写入能导入的文件。"
    return line
