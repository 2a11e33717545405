"""Read `data/<year>/<slug>.yaml` files into validated `Department` models, or located problems.

Every problem of a file is collected before anything is reported, so an author
fixes a file in one pass.
"""

from __future__ import annotations

import dataclasses
import difflib
import os
import re
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import Any, get_args

from pydantic import BaseModel, ValidationError

from .. import PROJECT_ROOT
from ..errors import DataError
from ..pipeline.outdir import escapes, real
from ..pipeline.plan import YEAR_FOLDER
from .encodings import decode_unicode, guess_encoding, iconv_hint, unicode_encoding
from .model import Department
from .yamlread import Located, Problem, format_path, hidden_characters, read_yaml

MAX_SLUG = 63  # characters of a department's file name (its code in the address)
SLUG = re.compile(rf"^[a-z0-9][a-z0-9-]{{0,{MAX_SLUG - 1}}}$")
# Folders a year's pages use themselves: a department may not take their names.
RESERVED_SLUGS = frozenset({"data", "assets", "pagefind", "search", "projects", "quality", "all", "index"})
MAX_FILE_BYTES = 16 * 1024 * 1024  # about 6 000 projects as the sample departments write them
# The largest department the site, its search index and its PDF are built and measured for (benchmarks/README.md,
# “大部门”): a department above it is refused when read, before any page is made. Its PDF is printed in pieces of
# bounded memory (builder/pdf/split.py), so the PDF sets no lower limit.
MAX_PROJECTS = 2_000
FORMAT_GUIDE = "docs/reference/data-format.md"  # the data format, for admins (not on the public site)
_GBK_HINT = "请在编辑器中“另存为 UTF-8”，或运行 iconv -f GBK -t UTF-8 {name} > {name}.new && mv {name}.new {name}"


@dataclass(frozen=True)
class Source:
    """Where a department came from: its file, its year folder and its URL slug."""

    path: Path
    slug: str


@dataclass(frozen=True)
class LoadedDepartment:
    """A validated department and where it came from.

    `located` keeps the parsed file (the line of every field) so `lint` need not read the
    file again; it is left out of comparisons and may be dropped (`dataclasses.replace(loaded,
    located=None)`) before pickling, lint then re-reads the file.
    """

    source: Source
    department: Department
    located: Located | None = dataclasses.field(default=None, compare=False, repr=False)

    @cached_property
    def head(self) -> Head:
        """What lists of departments need of it (a department read from the build cache has it without its body)."""
        return Head.of(self.department)

    def __getstate__(self) -> dict[str, Any]:
        """Pickled without its head (it is made again, or kept apart: builder/pipeline/heads.py)."""
        return {name: value for name, value in self.__dict__.items() if name != "head"}


@dataclass(frozen=True)
class Head:
    """A department without its contents: its own fields (name, year, region…) and how many rows it has.

    Steps that list every department (open data's scopes, the 数据下载 page, download names, the
    year archives' README) read this, so that a build keeps only the departments it changes in memory:
    builder/pipeline/heads.py keeps a head beside each department in the build cache.
    """

    listed: Department  # the department with no part one, no projects, no unresolved text
    projects: int
    indicators: int
    checkpoints: int

    @classmethod
    def of(cls, department: Department) -> Head:
        projects = department.projects
        return cls(
            department.model_copy(update={"part_one": None, "unresolved": [], "projects": []}),
            len(projects),
            sum(len(project.indicators) for project in projects),
            sum(len(project.spending_plan) for project in projects),
        )

    @property
    def year(self) -> int:
        return self.listed.year

    @property
    def name(self) -> str:
        return self.listed.department


def find_data_files(paths: list[Path]) -> list[Path]:
    """Expand folders into their `<year>/<slug>.yaml` files, sorted for stable output."""
    files: list[Path] = []
    for path in paths:
        if path.is_dir():
            # Not only regular files: a pipe, a device or a broken link named .yaml is named (`_file_problems`),
            # not left out without a word.
            files.extend(sorted(p for p in path.rglob("*") if p.suffix in (".yaml", ".yml") and not p.is_dir()))
        else:
            files.append(path)
    return files


def load_department(path: Path, roots: Sequence[Path] | None = None) -> LoadedDepartment:
    """Read and validate one file; raise DataError listing every problem in it.

    The file is read only if its real path lies in one of `roots` (default: the project and
    the file's own folder): a symlink to a file elsewhere is refused, never published.
    """
    problems = link_problems(path, roots) or _file_problems(path)
    if problems:
        raise DataError(path, problems)
    text = _read_text(path)
    located = read_yaml(text)
    too_many = _project_count_problems(located)
    if too_many:  # before validating tens of thousands of projects
        raise DataError(path, too_many)
    problems = list(located.problems)
    department = None
    if located.data is not None or not problems:
        department, validation_problems = _validate(located)
        problems += validation_problems
    year = department.year if department is not None else _written_year(located)
    if year is not None:  # also beside the other mistakes of the file: all of them at once
        problems += _year_folder_problems(path, year, located)
    if department is not None:
        problems += _duplicate_code_problems(department, located)
        problems += _amount_problems(department, located)
    if problems:
        if located.data is not None:  # name the invisible or full-width character behind an unknown key
            problems += hidden_characters(text)
        raise DataError(path, sorted(problems, key=lambda p: p.line))
    return LoadedDepartment(Source(path, path.stem), department, located)


def load_all(paths: list[Path]) -> tuple[list[LoadedDepartment], list[DataError]]:
    """Load every file; return the good ones and the errors of the bad ones."""
    found = list(dict.fromkeys(find_data_files(paths)))  # a file named twice is read once
    loaded, errors = [], [*linked_folder_errors(paths), *misplaced_errors(paths, found)]
    roots = data_roots(paths)
    places: dict[tuple[int, str], Path] = {}
    misplaced = {error.path for error in errors}
    for path in found:
        if path in misplaced:
            continue
        try:
            department = load_department(path, roots)
        except DataError as error:
            errors.append(error)
            continue
        place = (department.department.year, department.source.slug)
        if place in places:  # the build would refuse them: one address for two departments
            message = f"与 {places[place]} 的年度和部门代号相同，两个部门会用同一个网址"
            errors.append(DataError(path, [Problem(1, "", message, "请把其中一个文件改名（文件名就是部门代号）")]))
            continue
        places[place] = path
        loaded.append(department)
    return loaded, errors


def misplaced_errors(paths: Sequence[Path], files: Sequence[Path]) -> list[DataError]:
    """The `files` found in the data folders `paths` that are not `<year>/<slug>.yaml` in one of them: a folder
    beside the years (`data/backup/`), a file loose in the data folder or one a folder deeper would be published
    under its `year`, unseen. (A folder named like a year but not one, `2023 `, is named by `_year_folder_problems`.)"""
    errors = []
    for root in (path for path in paths if path.is_dir()):
        for file in files:
            try:
                parts = file.relative_to(root).parts
            except ValueError:
                continue
            folder = parts[0] if len(parts) == 2 else root.name if len(parts) == 1 else None
            if folder is not None and any(char.isdigit() for char in folder):
                continue
            in_year = any(char.isdigit() for char in root.name)  # the year folder itself was named
            where = f"{root}/" if in_year else f"{root}/<年度>/"
            example = root / file.name if in_year else root / "2023" / file.name
            message = f"不在年度文件夹中，不读取：数据文件应放在 {where} 中，如 {example}"
            hint = "请把文件移到它的年度文件夹；不公开的文件（如备份）请移出数据文件夹"
            errors.append(DataError(file, [Problem(1, "", message, hint)]))
    return errors


def linked_folder_errors(paths: Sequence[Path]) -> list[DataError]:
    """Every folder under the data folders that is a symlink: its files are never read (a walk does not follow
    links), so each is named rather than left out without a word (a year folder linked from elsewhere, say)."""
    errors = []
    for path in paths:
        for folder, subfolders, _ in os.walk(path) if path.is_dir() else ():
            for name in sorted(subfolders):
                link = Path(folder) / name
                if link.is_symlink():
                    message = f"是指向文件夹的符号链接（实际位置 {real(link)}），其中的文件不读取"
                    hint = "请把数据文件复制到数据文件夹中，不要用链接（防止读取或公开别处的文件）"
                    errors.append(DataError(link, [Problem(0, "", message, hint)]))
    return errors


def data_roots(paths: Sequence[Path]) -> list[Path]:
    """Where data files may really lie: the project, and each folder named (a file's own folder)."""
    return [PROJECT_ROOT, *(path if path.is_dir() else path.parent for path in paths)]


def link_problems(path: Path, roots: Sequence[Path] | None = None) -> list[Problem]:
    """A symlink whose target lies outside `roots`: refused, so no file from elsewhere is read or published."""
    return link_refusal(escapes(path, roots if roots is not None else (PROJECT_ROOT, path.parent)))


def link_refusal(target: Path | None) -> list[Problem]:
    """The problem of a data file whose real path `target` lies outside the project and the data folder (None: no
    problem)."""
    if target is None:
        return []
    message = f"是指向项目和数据文件夹以外的符号链接（{target}），不读取"
    return [Problem(1, "", message, "为防止读取或公开其他文件，请把数据文件复制到数据文件夹中，不要用链接")]


def where_data_is() -> str:
    """How to name the data folder, for a message that a path given (or the default `data`) does not exist."""
    if Path.cwd().resolve() == PROJECT_ROOT:
        return "请检查路径（数据文件夹是项目中的 data）"
    example = PROJECT_ROOT / "data"
    return f"当前文件夹是 {Path.cwd()}：请在项目文件夹中运行，或写出数据文件夹的完整路径，如 {example}"


def unreadable_problems(path: Path) -> list[Problem]:
    """A .yaml that is no regular file: a broken link, a pipe or a device is named, never opened (reading a pipe
    waits for ever, a device may never end)."""
    if path.is_symlink() and not path.exists():
        message = f"是失效的符号链接（指向 {os.readlink(path)}），不读取"
        return [Problem(1, "", message, "请删除这个链接，或换成数据文件本身")]
    if path.exists() and not path.is_file():
        message = "不是普通文件（是文件夹、管道或设备），不读取"
        return [Problem(1, "", message, "请检查路径；数据文件应是普通的 .yaml 文件")]
    return []


def _file_problems(path: Path) -> list[Problem]:
    unreadable = unreadable_problems(path)
    if unreadable:
        return unreadable
    if not path.exists():
        return [Problem(1, "", "找不到这个数据文件夹或文件", where_data_is())]
    if path.suffix not in (".yaml", ".yml"):
        return [Problem(1, "", "不是 .yaml 文件", "数据文件应命名为 data/<年度>/<部门代号>.yaml")]
    if len(path.stem) > MAX_SLUG and SLUG.match(path.stem[:MAX_SLUG]):
        message = f"文件名 `{path.name}` 过长（{len(path.stem)} 个字符，网址中最多 {MAX_SLUG} 个）"
        return [Problem(1, "", message, "请换一个短些的部门代号，如 gxq-fagaiju.yaml")]
    if not SLUG.match(path.stem):
        return [
            Problem(1, "", f"文件名 `{path.name}` 不能用作网址", "请只用小写字母、数字和连字符，如 gxq-fagaiju.yaml")
        ]
    if path.stem in RESERVED_SLUGS:
        return [Problem(1, "", f"文件名 `{path.name}` 与网站自用的文件夹重名", "请换一个部门代号，如 gxq-fagaiju.yaml")]
    size = path.stat().st_size
    if size > MAX_FILE_BYTES:
        return [_file_size_problem(size)]
    return []


def _file_size_problem(size: int) -> Problem:
    """A file refused unread by its size: the limit, what fits in it, and how to split a department that big."""
    limit = MAX_FILE_BYTES // 1024 // 1024
    message = f"文件有 {size / 1024 / 1024:.1f} MB，超过每个数据文件 {limit} MB 的上限，没有读取"
    hint = (
        f"一个部门至多 {MAX_PROJECTS} 个项目（通常只有 3–6 MB）；请检查是否误粘贴了内容。部门的项目确实这么多时，"
        f"请按下属单位拆成几个文件，每个文件一个部门代号（如 jiaoyuju.yaml 拆成 jiaoyuju-xiaoxue.yaml、"
        f"jiaoyuju-zhongxue.yaml），每个文件至多 {MAX_PROJECTS} 个项目"
    )
    return Problem(1, "", message, hint)


def _project_count_problems(located: Located) -> list[Problem]:
    """A department with more than MAX_PROJECTS projects, located at its `projects:` line."""
    projects = located.data.get("projects") if isinstance(located.data, dict) else None
    if not isinstance(projects, list) or len(projects) <= MAX_PROJECTS:
        return []
    message = f"有 {len(projects)} 个项目，超过每个部门 {MAX_PROJECTS} 个项目的上限"
    hint = (
        f"网页、搜索索引和 PDF 按每个部门至多 {MAX_PROJECTS} 个项目设计和实测；"
        "请检查是否误粘贴了内容，或把部门按下属单位拆成几个文件（每个文件一个部门代号）"
    )
    return [Problem(located.line_of(("projects",)), "projects", message, hint)]


def _read_text(path: Path) -> str:
    """UTF-8 (with or without BOM), or UTF-16/32 as Windows "Unicode" saves it; else a message naming the encoding."""
    raw = path.read_bytes()
    unicode = unicode_encoding(raw)
    if unicode is not None:
        text = decode_unicode(raw, unicode)
        if text is not None:
            return text
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = raw[: error.start].count(b"\n") + 1
        raise DataError(path, [_encoding_problem(raw, line, path.name)]) from None


def _encoding_problem(raw: bytes, line: int, name: str) -> Problem:
    encoding = guess_encoding(raw)
    if encoding == "GBK":
        return Problem(line, "", "文件不是 UTF-8 编码（看起来是 GBK，Windows 上常见）", _GBK_HINT.format(name=name))
    if encoding.startswith("UTF-"):
        return Problem(line, "", f"文件是 {encoding} 编码，但其中有无效的字节", iconv_hint(encoding, name))
    return Problem(
        line, "", "文件不是 UTF-8 编码（也不是 GBK 或 UTF-16）", "请在编辑器中确认文件的编码，并“另存为 UTF-8”"
    )


def _validate(located: Located) -> tuple[Department | None, list[Problem]]:
    if located.data is None:  # no bytes, or only blank lines and comments
        return None, [Problem(1, "", "文件是空的（没有任何数据）", "请参照 data/ 下的示例文件填写，或删除这个文件")]
    if not isinstance(located.data, dict):
        return None, [Problem(1, "", "文件内容应为键值对（mapping）", "请参照 data/ 下的示例文件")]
    try:
        return Department.model_validate(located.data), []
    except ValidationError as error:
        return None, [_problem(located, item) for item in error.errors(include_url=False)]


def _problem(located: Located, error: dict[str, Any]) -> Problem:
    loc = tuple(part for part in error["loc"] if not (isinstance(part, str) and part.startswith("function-")))
    message, hint = describe(error, loc)
    return Problem(located.line_of(loc), format_path(loc), message, hint)


def _written_year(located: Located) -> int | None:
    """The file's `year` when it is written as four digits, for a file whose other fields are wrong."""
    year = located.data.get("year") if isinstance(located.data, dict) else None
    return int(year) if isinstance(year, str) and YEAR_FOLDER.fullmatch(year.strip()) else None


def _year_folder_problems(path: Path, year: int, located: Located) -> list[Problem]:
    folder = path.parent.name
    if not YEAR_FOLDER.fullmatch(folder):
        if not any(char.isdigit() for char in folder):
            return []  # a file checked outside data/: no year folder to agree with
        return [
            Problem(
                1,
                "",
                f"所在文件夹 `{folder}` 不是年度文件夹",
                f"年度文件夹名应为四位半角数字，如 data/{year}/；请改名或把文件移过去",
            )
        ]
    if int(folder) != year:
        return [
            Problem(
                located.line_of(("year",)),
                "year",
                f"年度 {year} 与所在文件夹 {folder}/ 不一致",
                "请改正 year，或把文件移到对应年度的文件夹",
            )
        ]
    return []


def _duplicate_code_problems(department: Department, located: Located) -> list[Problem]:
    """Two projects with one 项目编码 would share a permalink: refuse it where the second one is."""
    first_seen: dict[str, int] = {}
    problems = []
    for index, project in enumerate(department.projects):
        code = project.project_code
        if code is None:
            continue
        if code in first_seen:
            loc = ("projects", index, "code")
            hint = f"与 projects[{first_seen[code]}] 相同；请核对原表，每个项目的编码应不同"
            problems.append(Problem(located.line_of(loc), format_path(loc), f"项目编码 {code} 重复", hint))
        first_seen.setdefault(code, index)
    return problems


def _amount_problems(department: Department, located: Located) -> list[Problem]:
    """Amounts the open data cannot hold exactly (finer than 1 分, or too large): refused here, where the line is
    known, by the very rule the export applies — so whatever `build` would reject, `check` rejects first."""
    from ..opendata.tables import in_export_unit
    from ..opendata.to_sqlite import ExportError, fen

    problems = []
    for index, project in enumerate(department.projects):
        for name in ("total", "fiscal", "other"):
            amount = getattr(project.budget, name)
            if amount is None:
                continue
            try:
                fen(in_export_unit(amount, department.amount_unit))
            except ExportError as error:
                loc = ("projects", index, "budget", name)
                reason = "过大" if "过大" in str(error) else "精确到分以下（不足 0.01 元）"
                message = f"金额 {amount.printed} {department.amount_unit if amount.unit is None else ''}{reason}"
                hint = "金额最多精确到分（以万元为单位时最多 6 位小数）；请核对原文，是否多写了小数位或单位"
                problems.append(Problem(located.line_of(loc), format_path(loc), message.replace(" 精", "精"), hint))
    return problems


def describe(error: dict[str, Any], loc: tuple[Any, ...]) -> tuple[str, str]:
    """A Chinese message and a hint for one pydantic error."""
    kind, context = error["type"], error.get("ctx") or {}
    field = loc[-1] if loc else ""
    if kind == "missing":
        return "缺少必填字段", f"请添加 `{field}:`（各字段的说明见 {FORMAT_GUIDE}）"
    if kind == "extra_forbidden":
        return f"未知字段 `{field}`", _unknown_field_hint(str(field), loc)
    if kind == "value_error":
        message, hint = _value_error(str(context.get("error", error["msg"])), field)
        return message + _as_written(error.get("input")), hint
    if kind == "string_too_long":
        return f"文字过长（超过 {context.get('max_length')} 字）", "请检查是否误粘贴了整篇文档"
    if kind in ("string_type", "string_too_short"):
        return ("应为文字" if kind == "string_type" else "不能为空"), "请填写文字内容"
    if kind in ("int_type", "int_parsing", "greater_than_equal", "less_than_equal"):
        return "应为四位年份", "例如 2023"
    if kind == "list_type":
        return "应为列表", "每一项以 `- ` 开头写在下一行"
    if kind == "too_short":
        return "至少需要一项", "请添加至少一项内容"
    if kind in ("model_type", "dict_type", "model_attributes_type"):
        return "应为键值对（mapping）", "请按“字段名: 值”的形式逐行填写"
    if kind in ("bool_type", "bool_parsing"):
        return "应为 true 或 false" + _as_written(error.get("input")), "草稿写 true，要发布就写 false 或删去这一行"
    if kind == "string_pattern_mismatch" and field == "published":
        return "应为日期" + _as_written(error.get("input")), "发布日期写成 2023-02-10（年-月-日，半角数字）"
    return f"值不正确（{error['msg']}）", f"请对照 {FORMAT_GUIDE} 修改"


def _unknown_field_hint(field: str, loc: tuple[Any, ...]) -> str:
    """Names the field meant when the key is a misspelling of one allowed there (`nmae` → `name`)."""
    close = difflib.get_close_matches(field.strip(), _fields_at(loc[:-1]), n=1, cutoff=0.6)
    meant = f"是不是 `{close[0]}`？" if close else ""
    return f"{meant}请检查拼写；允许的字段见 {FORMAT_GUIDE}"


def _fields_at(loc: tuple[Any, ...]) -> list[str]:
    """The keys the data format allows in the mapping at `loc` (list positions skipped)."""
    model: type[BaseModel] | None = Department
    for part in loc:
        if model is None:
            return []
        if isinstance(part, str):
            field = model.model_fields.get(part)
            model = _model_in(field.annotation) if field is not None else None
    return list(model.model_fields) if model is not None else []


def _model_in(annotation: Any) -> type[BaseModel] | None:
    """The model a field holds, through `X | None`, `list[X]` and `Annotated[X, …]`."""
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    return next((model for argument in get_args(annotation) if (model := _model_in(argument))), None)


def _as_written(value: Any) -> str:
    """The value the file gives, quoted after the message (`（这里写的是“十二万”）`), when it is short text."""
    if not isinstance(value, str) or not value.strip() or "\n" in value:
        return ""
    shown = value if len(value) <= 30 else value[:30] + "…"
    return f"（这里写的是“{shown}”）"


def _value_error(reason: str, field: Any) -> tuple[str, str]:
    if reason.endswith("negative_amount"):
        return "金额不能为负数", "请按原表照录预算数"
    if reason.endswith("amount"):
        return "应为数字，例如 10.00", "金额按原表照录，可写 188.51、10.00 或 500万元"
    if reason.endswith("first_row_levels"):
        return "第一行指标缺少一级或二级指标", "表格第一行须写出 level1 和 level2，之后的行省略表示合并单元格"
    if reason.endswith("year"):
        return "应为四位年份", "例如 2023，用半角数字，前后不留空格，不加小数点或正负号"
    if reason.endswith("amount_unit"):
        return "金额单位不认识", "请写 元、千元、万元 或 亿元"
    if reason.endswith("published_date"):
        message = "不是有效的发布日期（没有这一天，或年份不在 1949–2100 之间）"
        return message, "发布日期写成 2023-02-10：年份四位，月 01–12，日不超过该月天数"
    return f"值不正确：{reason}", f"请对照 {FORMAT_GUIDE} 修改"
