"""The command line: a thin skin over the builder's functions (`python -m builder --help`)."""

from __future__ import annotations

import argparse
import json
import sys
import time
import traceback
from collections.abc import Iterator
from contextlib import contextmanager
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path

from . import PROJECT_ROOT
from .errors import BuilderError
from .failures import check_timings_file, user_error
from .lint.check import check
from .pipeline.build import BuildReport, DataErrors, build
from .printable import SafeStream, raw_stream, some_of

DESCRIPTION = "部门预算绩效文本发布工具：检查数据、生成网站、PDF 和开放数据。"
# argparse's own words (usage, errors, the -h help), in Chinese: argparse looks each up with gettext.
ARGPARSE_CHINESE = {
    "usage: ": "用法：",
    "positional arguments": "位置参数",
    "options": "选项",
    "show this help message and exit": "显示本帮助并退出",
    "show program's version number and exit": "显示版本号并退出",
    "%(prog)s: error: %(message)s\n": "%(prog)s：错误：%(message)s\n（用 %(prog)s -h 查看用法）\n",
    "the following arguments are required: %s": "缺少必需的参数：%s",
    "invalid %(type)s value: %(value)r": "%(value)r 不是有效的%(type)s",
    "invalid choice: %(value)r (choose from %(choices)s)": "没有 %(value)r 这一项（可选：%(choices)s）",
    "unrecognized arguments: %s": "不认识的参数：%s",
    "expected one argument": "后面应有一个值",
    "expected at least one argument": "后面应至少有一个值",
    "expected at most one argument": "后面最多有一个值",
    "expected %s argument": "后面应有 %s 个值",
    "expected %s arguments": "后面应有 %s 个值",
    "ambiguous option: %(option)s could match %(matches)s": "选项 %(option)s 不明确，可能是 %(matches)s",
    "argument %(argument_name)s: %(message)s": "参数 %(argument_name)s：%(message)s",
    "not allowed with argument %s": "不能与参数 %s 同时使用",
    "one of the arguments %s is required": "参数 %s 中必须有一个",
    "ignored explicit argument %r": "多余的值 %r",
    "can't open '%(filename)s': %(error)s": "打不开 %(filename)s：%(error)s",
}


def _chinese(message: str) -> str:
    return ARGPARSE_CHINESE.get(message, message)


@contextmanager
def _argparse_in_chinese() -> Iterator[None]:
    """argparse's messages in Chinese while our parser is built and used (argparse calls gettext at those times)."""
    saved = argparse._, argparse.ngettext  # type: ignore[attr-defined]
    argparse._ = _chinese  # type: ignore[attr-defined]
    argparse.ngettext = lambda one, many, count: _chinese(one if count == 1 else many)  # type: ignore[assignment]
    try:
        yield
    finally:
        argparse._, argparse.ngettext = saved  # type: ignore[attr-defined]


def 整数(text: str) -> int:
    return int(text)


def 年度(text: str) -> int:  # the range is checked by the command, with its own message
    return int(text)


def 正整数(text: str) -> int:
    number = int(text)
    if number < 1:
        raise ValueError(text)
    return number


# What the help shows for each option's value (argparse would show the English DATA, YEAR…).
METAVARS = {
    "data": "文件夹",
    "site": "文件夹",
    "out": "文件夹",
    "jobs": "进程数",
    "year": "年度",
    "department": "部门名称",
    "slug": "代号",
    "region": "地区",
    "port": "端口",
    "host": "地址",
    "paths": "路径",
    "files": "文件",
    "list": "清单.csv",
}


def _chinese_metavars(parser: argparse.ArgumentParser) -> None:
    for action in parser._actions:
        if action.metavar is None and action.dest in METAVARS and action.nargs != 0:
            action.metavar = METAVARS[action.dest]
        if isinstance(action, argparse._SubParsersAction):
            for subparser in action.choices.values():
                _chinese_metavars(subparser)


def tool_version() -> str:
    try:
        return version("budget-performance-builder")
    except PackageNotFoundError:  # run from the source folder without installing
        import tomllib

        pyproject = PROJECT_ROOT / "pyproject.toml"
        try:
            return tomllib.loads(pyproject.read_text(encoding="utf-8"))["project"]["version"]
        except (OSError, KeyError, tomllib.TOMLDecodeError):
            return "（版本未知）"


def command_check(args: argparse.Namespace) -> int:
    """检查数据文件格式是否正确，并列出每个部门的项目数与预算合计。"""
    summaries, errors = check(args.paths, with_pdf=not args.no_pdf)
    for error in errors:
        print(error.render(), file=sys.stderr)
    for summary in summaries:
        print(summary.render())
    if errors:
        count = sum(len(error.problems) for error in errors)
        print(f"发现 {count} 个问题，涉及 {len(errors)} 个文件。", file=sys.stderr)
        return 1
    if not summaries:
        print("没有找到数据文件（data/<年度>/<部门>.yaml）。", file=sys.stderr)
        return 1
    print(f"全部 {len(summaries)} 个文件检查通过。")
    return 0


def command_schema(args: argparse.Namespace) -> int:
    """输出数据文件格式的 JSON Schema。"""
    from .data.schema import schema_text

    sys.stdout.write(schema_text())
    return 0


def command_lint(args: argparse.Namespace) -> int:
    """检查数据内容是否合理（预算数、支出计划、指标值、说明等），列出每处问题的位置、原因和改法；有错误时退出码为 1。"""
    from .lint.findings import exit_code, lint_paths, render_json, render_text, rules_table

    if args.list_rules:
        sys.stdout.write(rules_table())
        return 0
    report = lint_paths(args.paths)
    if not report.files:
        print("没有找到数据文件（data/<年度>/<部门>.yaml）。", file=sys.stderr)
        return 1
    sys.stdout.write(render_json(report) if args.format == "json" else render_text(report))
    return exit_code(report, strict=args.strict)


def command_new(args: argparse.Namespace) -> int:
    """为新部门生成带中文注释的数据文件模板，照着已公开的文件填写即可。"""
    from .data.scaffold import earlier_slugs, new_department
    from .data.slugs import slugify

    slug = args.slug or slugify(args.department)
    earlier = [] if args.slug else earlier_slugs(args.department, args.data)
    if len(earlier) == 1:  # the same department in another year: the same addresses, its pages link the years
        slug = earlier[0][0]
        print(f"沿用 {earlier[0][1]} 的代号 {slug}（同名部门），网址与其他年度一致；不是同一个单位时请用 --slug 指定")
    elif earlier:
        names = "、".join(f"{name}（{path}）" for name, path in earlier)
        raise BuilderError(f"其他年度有几个同名部门：{names} — 请用 --slug 指定沿用哪一个的代号（或新的代号）")
    path = new_department(args.department, args.year, slug, args.data, force=args.force)
    print(f"已生成 {path}，请按原文填写后运行：python -m builder check {path}")
    return 0


def command_import(args: argparse.Namespace) -> int:
    """导入已发布的部门预算绩效文本（Word .docx / .doc、WPS .wps、PDF，或从 Word / PDF 导出的 .txt），
    写成 data/<年度>/<代号>.yaml。可给多个文件或一个文件夹：逐个文件报告结果，默认全部成功才写入（--each 则各自写入）。
    无法归类的原文记入 unresolved 并列出位置；结果须能通过 check 才写入；已有文件不覆盖（除非 --force）。"""
    from .importer.batch import expand_inputs, file_line, refusal_line, summary
    from .importer.listing import import_listed, read_list
    from .importer.run import Options, import_files

    if args.list and (args.files or args.slug):
        raise BuilderError("--list 不能与文件名或 --slug 同时使用：文件和代号都写在清单中")
    if not args.list and not args.files:
        raise BuilderError("请给出要导入的文件或文件夹，或用 --list 清单.csv")
    options = Options(args.out, args.year, args.slug, args.region, args.force, args.strict, args.each)
    if args.list:
        files = [document for document, _, _ in read_list(args.list)]
        results, refusals = import_listed(args.list, options)
    else:
        files = expand_inputs(args.files)
        results, refusals = import_files(files, options)
    for result in results:
        for warning in result.warnings:
            print(warning, file=sys.stderr)
    for refusal in refusals:
        for line in [*refusal.warnings, f"错误：{refusal}"]:
            print(line, file=sys.stderr)
    if len(files) > 1:
        for result in results:
            print(file_line(result))
        for refusal in refusals:
            print(refusal_line(refusal))
        print(summary(results, refusals, args.each))
    else:
        for result in results:
            print(("已导入 " if result.written else "未写入 ") + result.summary())
    if refusals:
        written = sum(result.written for result in results)
        rest = f"已写入其余 {written} 个文件" if written else "所有文件均未写入"
        print(f"{len(refusals)} 个文件未能导入，{rest}。", file=sys.stderr)
    return 1 if refusals else 0


def _configured_site_dir() -> Path:
    """`site_dir` of mkdocs.yml (what `mkdocs build` writes to), `site` when it is not set."""
    from .config import load_site_config
    from .pipeline.build import MKDOCS_CONFIG

    return Path(load_site_config(MKDOCS_CONFIG).site_dir)


def command_build(args: argparse.Namespace) -> int:
    """生成网站：读取数据，生成网页、搜索索引、PDF 和开放数据，写入 site/。出错时原来的 site/ 保持不变。
    没有改动的部分沿用上次的结果，不重新生成。"""
    from .pipeline.plan import parse_part
    from .pipeline.progress import Progress

    part = parse_part(args.part) if args.part else None
    site = args.site or (Path("parts") / part.folder_name if part else _configured_site_dir())
    if args.timings:
        check_timings_file(args.timings, site)
    progress = Progress.silent() if args.quiet else Progress.for_stream(raw_stream(sys.stderr))
    pdfs_before = _published_pdfs(site) if args.no_pdf and not args.quiet else 0
    pages_before = _department_pages(site) if not args.quiet and part is None else set()
    started = time.monotonic()  # the whole build, not only its steps: also swapping in the site
    try:
        report = build(
            args.data,
            site,
            jobs=args.jobs,
            with_pdf=not args.no_pdf,
            progress=progress,
            part=part,
            merge=args.merge,
        )
    except DataErrors as error:
        print(error, file=sys.stderr)
        return 1
    total = time.monotonic() - started
    if args.timings:
        figures = {"timings": report.timings, "made": len(report.made), "reused": report.reused}
        args.timings.write_text(json.dumps(figures, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    if args.quiet:
        return 0  # nothing on success; errors still go to stderr
    what = f"第 {part} 份" if part else "网站"
    counts = f"{report.departments} 个部门，{report.projects} 个项目，{report.pdfs} 个 PDF"
    reuse = f"新生成 {len(report.made)} 个文件，沿用未改动的 {report.reused} 个"
    print(f"{what}已生成：{report.site_dir}（{counts}；{reuse}；用时 {total:.1f} 秒）")
    print(report.quality)
    for note in [*report.notes, *_changes_to_the_published_site(report, pdfs_before, pages_before)]:
        print(note)
    return 0


def _changes_to_the_published_site(report: BuildReport, pdfs_before: int, pages_before: set[str]) -> list[str]:
    """What the admin may not expect the build to have done: PDFs taken down, department pages gone."""
    notes = []
    if pdfs_before and not report.pdfs:
        notes.append(
            f"注意：本次用了 --no-pdf，{report.site_dir} 中原有的 {pdfs_before} 个 PDF 已撤下 — "
            "要恢复请不带 --no-pdf 再生成一次（未改动的部门沿用缓存中的 PDF）；只想预览请用 --site 另指定文件夹"
        )
    gone = [f"{page}/" for page in sorted(pages_before - _department_pages(report.site_dir))]
    if gone:
        notes.append(
            f"注意：上次发布的部门页面这次没有了：{some_of(gone)}。数据文件被删除或改名了吗？文件名就是网址，"
            "改名后旧网址（别人转发、收藏的链接）会显示“找不到这个页面”；要保留网址，请改回原来的文件名"
        )
    return notes


def _department_pages(site: Path) -> set[str]:
    """`<year>/<department>` of every department page a site holds (its year pages' own folders left out)."""
    from .data.load import RESERVED_SLUGS
    from .pipeline.plan import YEAR_FOLDER

    if not site.is_dir():
        return set()
    pages = (path.parent.relative_to(site).parts for path in site.glob("*/*/index.html"))
    return {f"{year}/{slug}" for year, slug in pages if YEAR_FOLDER.fullmatch(year) and slug not in RESERVED_SLUGS}


def _published_pdfs(site: Path) -> int:
    """The departments' PDFs in a site (`<year>/<department>/*.pdf`), before a build without PDFs replaces it."""
    return sum(1 for _ in site.glob("*/*/*.pdf")) if site.is_dir() else 0


def command_serve(args: argparse.Namespace) -> int:
    """本机预览：生成网站（不含 PDF）并在本机打开服务。
    数据文件、页面、模板或 mkdocs.yml 改动后自动重新生成；出错时在浏览器和终端中显示错误位置。"""
    from .site.preview import serve

    serve(args.data, args.port, args.host)
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m builder", description=DESCRIPTION)
    parser.add_argument("--version", action="version", version=f"%(prog)s {tool_version()}")
    parser.add_argument("--debug", action="store_true", help="出错时显示 Python 调用栈")
    commands = parser.add_subparsers(dest="command", required=True, metavar="命令")
    checker = commands.add_parser(
        "check",
        help="检查数据文件",
        description=command_check.__doc__,
        epilog="例：python -m builder check data/2023/",
    )
    checker.add_argument("paths", nargs="*", type=Path, default=[Path("data")], help="文件或文件夹，默认 data/")
    checker.add_argument("--no-pdf", action="store_true", help="按 build --no-pdf 检查（结果相同：PDF 没有另外的上限）")
    checker.set_defaults(run=command_check)
    builder = commands.add_parser(
        "build",
        help="生成网站（网页、搜索、PDF）",
        description=command_build.__doc__,
        epilog="例：python -m builder build --data data --site site --jobs 2",
    )
    builder.add_argument("--data", type=Path, default=Path("data"), help="数据文件夹，默认 data/")
    builder.add_argument(
        "--site",
        type=Path,
        default=None,
        help="输出文件夹，默认为 mkdocs.yml 中的 site_dir（未写时为 site/；用 --part 时默认 parts/<份>/）；"
        "只能是新的、空的或本工具生成过的文件夹",
    )
    builder.add_argument(
        "--jobs",
        type=正整数,
        default=None,
        help="并行进程数：读取数据、开放数据、页面、MkDocs 排版、搜索索引和 PDF 各步骤都用这么多进程，默认为 CPU 核数",
    )
    builder.add_argument("--no-pdf", action="store_true", help="不生成 PDF（更快，用于预览网页）")
    builder.add_argument(
        "--part",
        metavar="份",
        help="分机器构建时只生成其中一份：年度（如 2023）或“第几份/共几份”（如 2/4）；"
        "输出供 --merge 合并，见 docs/split-builds.md",
    )
    builder.add_argument(
        "--merge",
        metavar="文件夹",
        type=Path,
        action="append",
        default=[],
        help="合并用 --part 生成的文件夹（可重复）：其中的页面、PDF、数据和搜索索引直接沿用",
    )
    builder.add_argument(
        "--quiet", action="store_true", help="成功时什么也不显示（不显示进度和结果）；出错时照常显示错误"
    )
    builder.add_argument(
        "--timings", type=Path, metavar="文件", help="把各步骤用时和文件数写入 JSON 文件（基准测试用）"
    )
    builder.set_defaults(run=command_build)
    server = commands.add_parser(
        "serve",
        help="本机预览网站，改动后自动重新生成",
        description=command_serve.__doc__,
        epilog="例：python -m builder serve --port 8000，然后用浏览器打开 http://127.0.0.1:8000/",
    )
    server.add_argument("--data", type=Path, default=Path("data"), help="数据文件夹，默认 data/")
    server.add_argument("--port", type=整数, default=8000, help="端口，默认 8000")
    server.add_argument("--host", default="127.0.0.1", help="监听地址，默认 127.0.0.1（只允许本机访问）")
    server.set_defaults(run=command_serve)
    linter = commands.add_parser(
        "lint",
        help="检查数据内容是否合理",
        description=command_lint.__doc__,
        epilog="例：python -m builder lint data/ --format json；规则说明见 docs/data-quality-rules.md",
    )
    linter.add_argument("paths", nargs="*", type=Path, default=[Path("data")], help="文件或文件夹，默认 data/")
    linter.add_argument("--format", choices=("text", "json"), default="text", help="输出格式，默认 text")
    linter.add_argument("--strict", action="store_true", help="有“警告”时也以退出码 1 结束")
    linter.add_argument("--list-rules", action="store_true", help="列出全部规则的编号、级别和说明")
    linter.set_defaults(run=command_lint)
    schema = commands.add_parser("schema", help="输出数据格式的 JSON Schema", description=command_schema.__doc__)
    schema.set_defaults(run=command_schema)
    new = commands.add_parser(
        "new",
        help="为新部门生成数据文件模板",
        description=command_new.__doc__,
        epilog='例：python -m builder new --year 2025 --department "某某局"（网址代号默认取拼音：moumouju）',
    )
    new.add_argument("--year", type=年度, required=True, help="预算年度，如 2025")
    new.add_argument("--department", required=True, help="部门名称，按封面印刷")
    new.add_argument("--slug", help="部门代号（网址用），小写字母、数字和连字符；默认取部门名称的拼音")
    new.add_argument("--data", type=Path, default=Path("data"), help="数据文件夹，默认 data/")
    new.add_argument("--force", action="store_true", help="覆盖已有文件")
    new.set_defaults(run=command_new)
    importer = commands.add_parser(
        "import",
        help="导入已发布的 Word 文件或导出的文本，生成数据文件",
        description=command_import.__doc__,
        epilog="例：python -m builder import 原文.docx --region 唐山高新区",
    )
    importer.add_argument(
        "files",
        nargs="*",
        type=Path,
        help="要导入的文件或文件夹：.docx、.doc、.wps（需 LibreOffice）、PDF（有文字层），或 Word / PDF 导出的 .txt",
    )
    importer.add_argument(
        "--list",
        type=Path,
        help="导入清单（UTF-8 CSV，列名：文件,地区,代号）：一次导入多个文件，每个文件各自的地区和代号；"
        "文件路径相对于清单所在文件夹，地区或代号空着时同不写",
    )
    importer.add_argument("--out", type=Path, default=Path("data"), help="数据文件夹，默认 data/")
    importer.add_argument("--year", type=年度, help="预算年度（原文没有或有误时指定）")
    importer.add_argument("--slug", help="部门代号（网址用）；默认取部门名称的拼音；只能用于单个文件")
    importer.add_argument("--region", help="地区，如 唐山高新区（原文中没有）")
    importer.add_argument("--force", action="store_true", help="覆盖已有的数据文件")
    importer.add_argument("--strict", action="store_true", help="有任何警告就不写入")
    importer.add_argument(
        "--each",
        action="store_true",
        help="多个文件时逐个决定：能导入的都写入，失败的列出（默认：有一个失败就全部不写入）",
    )
    importer.set_defaults(run=command_import)
    _chinese_metavars(parser)
    return parser


def main(argv: list[str] | None = None) -> int:
    """Run one command; whatever it prints has its control characters escaped (builder/printable.py)."""
    streams = sys.stdout, sys.stderr
    sys.stdout, sys.stderr = SafeStream(sys.stdout), SafeStream(sys.stderr)
    try:
        try:
            with _argparse_in_chinese():
                args = build_parser().parse_args(argv)
        except SystemExit as stop:  # argparse: 0 after --help, 2 for a usage error (a user's mistake: 1)
            return 1 if stop.code == 2 else int(stop.code or 0)
        return _run(args)
    finally:
        sys.stdout, sys.stderr = streams


def _run(args: argparse.Namespace) -> int:
    try:
        return args.run(args)
    except BuilderError as error:
        print(f"错误：{error}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("已中断。", file=sys.stderr)
        return 130
    except Exception as error:
        if args.debug:
            raise
        message = user_error(error)
        if message is not None:
            print(f"错误：{message}", file=sys.stderr)
            return 1
        print("内部错误（请用 --debug 重试并报告）：", traceback.format_exc().splitlines()[-1], file=sys.stderr)
        return 2
