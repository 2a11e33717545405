"""The command line: a thin skin over the builder's functions (`python -m builder --help`)."""

from __future__ import annotations

import argparse
import sys
import traceback
from pathlib import Path

from .check import check
from .errors import BuilderError

DESCRIPTION = "部门预算绩效文本发布工具：检查数据、生成网站、PDF 和开放数据。"


def command_check(args: argparse.Namespace) -> int:
    """检查数据文件格式是否正确，并列出每个部门的项目数与预算合计。"""
    summaries, errors = check(args.paths)
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
    from .schema import schema_text

    sys.stdout.write(schema_text())
    return 0


def command_new(args: argparse.Namespace) -> int:
    """为新部门生成带中文注释的数据文件模板，照着已公开的文件填写即可。"""
    from .scaffold import new_department
    from .slugs import slugify

    slug = args.slug or slugify(args.department)
    path = new_department(args.department, args.year, slug, args.data, force=args.force)
    print(f"已生成 {path}，请按原文填写后运行：python -m builder check {path}")
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m builder", description=DESCRIPTION)
    parser.add_argument("--debug", action="store_true", help="出错时显示 Python 调用栈")
    commands = parser.add_subparsers(dest="command", required=True, metavar="命令")
    checker = commands.add_parser(
        "check",
        help="检查数据文件",
        description=command_check.__doc__,
        epilog="例：python -m builder check data/2023/",
    )
    checker.add_argument("paths", nargs="*", type=Path, default=[Path("data")], help="文件或文件夹，默认 data/")
    checker.set_defaults(run=command_check)
    schema = commands.add_parser("schema", help="输出数据格式的 JSON Schema", description=command_schema.__doc__)
    schema.set_defaults(run=command_schema)
    new = commands.add_parser(
        "new",
        help="为新部门生成数据文件模板",
        description=command_new.__doc__,
        epilog='例：python -m builder new --year 2025 --department "某某局"（网址代号默认取拼音：moumouju）',
    )
    new.add_argument("--year", type=int, required=True, help="预算年度，如 2025")
    new.add_argument("--department", required=True, help="部门名称，按封面印刷")
    new.add_argument("--slug", help="部门代号（网址用），小写字母、数字和连字符；默认取部门名称的拼音")
    new.add_argument("--data", type=Path, default=Path("data"), help="数据文件夹，默认 data/")
    new.add_argument("--force", action="store_true", help="覆盖已有文件")
    new.set_defaults(run=command_new)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return args.run(args)
    except BuilderError as error:
        print(f"错误：{error}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("已中断。", file=sys.stderr)
        return 130
    except Exception:
        if args.debug:
            raise
        print("内部错误（请用 --debug 重试并报告）：", traceback.format_exc().splitlines()[-1], file=sys.stderr)
        return 2
