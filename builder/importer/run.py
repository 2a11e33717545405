"""Import published 部门预算绩效文本 (.docx, .doc / .wps, PDF, or text exported from Word or PDF) as checked YAML.

Every file is read and checked before anything is written; a file whose result would
fail `check`, or whose target exists or whose department already has a data file that
year (builder/importer/existing.py; both without `force`), is refused with its reasons,
and then nothing is written at all.
"""

from __future__ import annotations

import re
import tempfile
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from ..atomic import write_atomic
from ..data.amounts import format_amount
from ..data.encodings import utf16_without_bom
from ..data.load import SLUG, load_department
from ..data.model import Department
from ..data.slugs import slugify
from ..errors import BuilderError, DataError, ImportFailed
from ..printable import escape_controls
from .docx import parse_docx
from .existing import same_department
from .office import converted
from .pdf.reader import parse_pdf
from .pdf.text_export import parse_pdf_text
from .word_text import parse_word_text
from .write import to_yaml

TEXT_SUFFIXES = (".txt", ".text")
# Converted to .docx by LibreOffice, then read as a .docx: what each kind is called in messages.
OFFICE_SUFFIXES = {
    ".doc": "旧版 Word 文件（.doc）",
    ".wps": "WPS 文字文件（.wps）",
    ".rtf": "RTF 文件",
    ".odt": "OpenDocument 文字文件（.odt）",
}
MAX_TEXT_BYTES = 10 * 1024 * 1024  # a 60-page text export is a few hundred KB; 40 MB took 21 s and 480 MB
KINDS = "请导入 Word 文件（.docx / .doc）、WPS 文件（.wps）、PDF 或导出的文本（.txt）"
REFUSED_SUFFIXES = {
    ".xls": f"表格文件不是部门预算绩效文本——{KINDS}",
    ".xlsx": f"表格文件不是部门预算绩效文本——{KINDS}",
    ".et": f"表格文件不是部门预算绩效文本——{KINDS}",
}
SUPPORTED_SUFFIXES = (".docx", ".pdf", *OFFICE_SUFFIXES, *TEXT_SUFFIXES)
PDF_ROW = re.compile(r"[^\t\s]\t")


@dataclass(frozen=True)
class ImportResult:
    """One document read, checked and (once every document passed) written."""

    source: Path
    target: Path
    data: dict[str, Any]
    department: Department
    warnings: list[str] = field(default_factory=list)
    written: bool = False

    @property
    def indicator_rows(self) -> int:
        return sum(len(project.indicators) for project in self.department.projects)

    def summary(self) -> str:
        department = self.department
        unresolved = len(department.unresolved)
        line = (
            f"{self.source} → {self.target}\n"
            f"  {department.department} {department.year} 年：{len(department.projects)} 个项目，"
            f"预算数合计 {format_amount(department.total_budget)} {department.amount_unit}，"
            f"指标 {self.indicator_rows} 行；警告 {len(self.warnings)} 条"
        )
        return line + (f"；{unresolved} 处内容未能归类，已记入 unresolved 待人工处理" if unresolved else "")


class ImportRefused(ImportFailed):
    """One document could not be imported; `warnings` are what the reader noticed on the way."""

    def __init__(self, message: str, warnings: list[str] | None = None, source: Path | None = None) -> None:
        super().__init__(message)
        self.warnings = warnings or []
        self.source = source


@dataclass(frozen=True)
class Options:
    out_dir: Path = Path("data")
    year: int | None = None
    slug: str | None = None
    region: str | None = None
    force: bool = False
    strict: bool = False
    each: bool = False  # several files: write each good one even if others fail (default: all or none)


# ── reading one document ──────────────────────────────────────────────────────────


def read_document(path: Path, region: str | None = None) -> tuple[dict[str, Any], list[str]]:
    """The document as data-format dict and rendered warnings, by its kind: .docx, Word text or PDF text."""
    if not path.is_file():
        raise ImportRefused(f"{path}：文件不存在")
    suffix = path.suffix.lower()
    if suffix in REFUSED_SUFFIXES:
        raise ImportRefused(f"{path}：{REFUSED_SUFFIXES[suffix]}")
    if path.stat().st_size == 0:
        raise ImportRefused(f"{path}：文件是空的——请检查是否选错了文件，或文件在复制时损坏")
    if suffix in TEXT_SUFFIXES and path.stat().st_size > MAX_TEXT_BYTES:
        size = path.stat().st_size / 1024 / 1024
        raise ImportRefused(
            f"{path}：文本有 {size:.0f} MB，超过 {MAX_TEXT_BYTES // 1024 // 1024} MB，不像一份部门预算绩效文本的导出"
        )
    if suffix == ".docx":
        data, warnings = parse_docx(path, region=region)
        return data, [warning.render(str(path)) for warning in warnings]
    if suffix == ".pdf":
        data, warnings = parse_pdf(path, region=region)
        return data, [warning.render(str(path)) for warning in warnings]
    if suffix in OFFICE_SUFFIXES:
        with converted(path, OFFICE_SUFFIXES[suffix]) as docx:
            data, warnings = parse_docx(docx, region=region, source=None)
        data["source"] = data.get("source", "").replace("（Word 文档）", f"（{OFFICE_SUFFIXES[suffix]}）")
        return data, [warning.render(str(path)) for warning in warnings]
    if suffix not in TEXT_SUFFIXES:
        raise ImportRefused(f"{path}：不认识的文件类型“{suffix or '无扩展名'}”——{KINDS}")
    text, encoding_note = read_text(path)
    if not text.strip():
        raise ImportRefused(f"{path}：文件是空的（只有空白）——请检查导出是否成功")
    notes = [f"{path}: 警告：{encoding_note}"] if encoding_note else []
    if is_pdf_export(text):
        data, pdf_warnings = parse_pdf_text(text, region=region)
        return data, notes + [f"{path}: 警告：{warning}" for warning in pdf_warnings]
    data, warnings = parse_word_text(text, region=region)
    return data, notes + [warning.render(str(path)) for warning in warnings]


def read_text(path: Path) -> tuple[str, str | None]:
    """UTF-8 (with or without BOM), UTF-16 with a BOM, or GB18030 (GBK) as Windows saves Chinese text."""
    raw = path.read_bytes()
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        return raw.decode("utf-16"), None
    utf16 = utf16_without_bom(raw)  # Windows "Unicode" without its BOM: not GBK, whatever gb18030 makes of it
    if utf16 is not None:
        try:
            return raw.decode(utf16.lower()), None
        except UnicodeDecodeError:
            raise ImportRefused(f"{path}：看起来是 {utf16} 编码，但其中有无效的字节——请另存为 UTF-8 后再导入") from None
    try:
        return raw.decode("utf-8-sig"), None
    except UnicodeDecodeError:
        pass
    try:
        text = raw.decode("gb18030")
    except UnicodeDecodeError:
        raise ImportRefused(f"{path}：不是文本文件（既不是 UTF-8 也不是 GBK 编码）——{KINDS}") from None
    return text, "文件不是 UTF-8 编码，已按 GBK（GB18030）读取；请核对导入结果中的文字"


def is_pdf_export(text: str) -> bool:
    """PDF exports put a table row on a line, cells split by tabs; Word exports start each cell with a tab."""
    lines = text.splitlines()
    rows = sum(1 for line in lines if PDF_ROW.search(line))
    cells = sum(1 for line in lines if line.startswith("\t"))
    return rows > cells


# ── checking it ───────────────────────────────────────────────────────────────────


def prepare(path: Path, options: Options) -> ImportResult:
    """Read one document and prove its data file would pass `check`; write nothing."""
    try:
        data, warnings = read_document(path, options.region)
    except ImportRefused:
        raise
    except ImportFailed as error:
        raise ImportRefused(f"{path}：{error}") from None
    warnings += _apply_year(path, data, options.year)
    slug = options.slug or slugify(data.get("department") or "", options.region or data.get("region") or "")
    if not SLUG.match(slug):
        # a --slug given that is not a slug, or a name that makes none
        fix = "请只用小写字母、数字和连字符" if options.slug else "请用 --slug 指定"
        message = f"{path}：部门代号 `{escape_controls(slug)}` 不能用作网址——{fix}，如 --slug gxq-fagaiju"
        raise ImportRefused(message, warnings)
    target = options.out_dir / str(data["year"]) / f"{slug}.yaml"
    department = validate(path, data, target, warnings)
    if target.exists() and not options.force:
        raise ImportRefused(f"{path}：{target} 已存在，未覆盖——确要用新导入的内容替换它，请加 --force", warnings)
    if not options.force and (found := same_department(target, department)) is not None:
        other, common = found
        message = (
            f"{path}：{other} 已是 {department.year} 年这个部门的数据文件（{common}），再写入 {target}"
            f" 网站会把它列出两次，未写入——要用新导入的内容替换它，请用 --slug {other.stem} --force；"
            "确是另一个单位，请用 --region 写明地区，或加 --force"
        )
        raise ImportRefused(message, warnings)
    if options.strict and warnings:
        raise ImportRefused(f"{path}：有 {len(warnings)} 条警告，--strict 下不写入", warnings)
    return ImportResult(path, target, data, department, warnings)


def _apply_year(path: Path, data: dict[str, Any], year: int | None) -> list[str]:
    printed = data.get("year")
    if year is not None:
        data["year"] = year
        if printed and printed != year:
            return [f"{path}: 警告：原文年度为 {printed}，按 --year 改为 {year}"]
    elif not printed:
        where = "封面、标题、项目编码和正文中都没有"
        raise ImportRefused(f"{path}：找不到预算年度（{where}）——请用 --year 指定，如 --year 2024")
    return []


def validate(path: Path, data: dict[str, Any], target: Path, warnings: list[str]) -> Department:
    """Load the YAML that would be written exactly as `check` does, in a scratch folder."""
    with tempfile.TemporaryDirectory(prefix="import-") as folder:
        probe = Path(folder) / target.parent.name / target.name
        probe.parent.mkdir()
        probe.write_text(to_yaml(data), encoding="utf-8")
        try:
            return load_department(probe).department
        except DataError as error:
            problems = "\n".join(f"  {_describe(problem.path, problem.message, data)}" for problem in error.problems)
            hint = "提示：上面的警告指出了原文中的位置；请在原文件中补全或改正后重新导入。"
            message = f"{path}：导入结果通不过检查，未写入 {target}：\n{problems}\n{hint}"
            raise ImportRefused(message, warnings) from None


def _describe(field_path: str, message: str, data: dict[str, Any]) -> str:
    """`projects[2].name: 缺少必填字段` with the table it is about, as the person sees it in the document."""
    if field_path == "projects":
        return "projects：没有找到任何项目绩效目标表（有“项目名称”“预算数”和指标表的表格）"
    match = re.match(r"projects\[(\d+)\]", field_path)
    projects = data.get("projects", [])
    if match and int(match[1]) < len(projects):
        project = projects[int(match[1])]
        name = project.get("title") or project.get("name") or "无表题"
        return f"{field_path}（第 {int(match[1]) + 1} 张项目表“{name}”）：{message}"
    return f"{field_path or '（整个文件）'}：{message}"


# ── importing several ─────────────────────────────────────────────────────────────


def import_files(paths: list[Path], options: Options) -> tuple[list[ImportResult], list[ImportRefused]]:
    """Read and check every document; write them all only if none was refused (with `options.each`: write
    every document that passed, whatever happened to the others)."""
    if options.slug and len(paths) > 1:
        raise BuilderError("--slug 只能用于单个文件：几个文件不能写成同一个代号")
    results: list[ImportResult] = []
    refusals: list[ImportRefused] = []
    for path in paths:
        try:
            results.append(prepare(path, options))
        except ImportRefused as refusal:
            refusal.source = path
            refusals.append(refusal)
    duplicates = _same_targets(results)
    refusals += duplicates
    if refusals and not options.each:
        return results, refusals
    written: list[ImportResult] = []
    targets: set[Path] = set()
    for result in results:
        if result.target in targets:
            continue  # refused above: two documents for one data file; the first one is written
        targets.add(result.target)
        try:
            written.append(write(result))
        except ImportRefused as refusal:
            refusal.source = result.source
            if not options.each:
                return written, [refusal]
            refusals.append(refusal)
    return written, refusals


def _same_targets(results: list[ImportResult]) -> list[ImportRefused]:
    seen: dict[Path, Path] = {}
    refusals = []
    for result in results:
        if result.target in seen:
            other = seen[result.target]
            message = f"{result.source}：与 {other} 都要写入 {result.target}——请分开导入，并用 --slug 指定代号"
            refusals.append(ImportRefused(message, source=result.source))
        seen.setdefault(result.target, result.source)
    return refusals


def write(result: ImportResult) -> ImportResult:
    """Write one checked result, atomically; a failed write leaves neither a half file nor a temporary one."""
    try:
        write_atomic(result.target, to_yaml(result.data))
    except OSError as error:
        raise ImportRefused(
            f"{result.source}：写入 {result.target} 失败（{error.strerror or error}），没有留下半个文件",
            source=result.source,
        ) from None
    return replace(result, written=True)


def import_file(
    path: Path,
    out_dir: Path = Path("data"),
    year: int | None = None,
    force: bool = False,
    region: str | None = None,
    slug: str | None = None,
) -> ImportResult:
    """Import one document; raise ImportRefused (nothing written) if it cannot be."""
    results, refusals = import_files([path], Options(out_dir, year, slug, region, force))
    if refusals:
        raise refusals[0]
    return results[0]
