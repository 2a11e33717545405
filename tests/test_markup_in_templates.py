"""Every page comes from a template: no HTML or Markdown is built in Python strings in builder/.

Pages, charts, the 数据质量 and 数据下载 pages, the sitemap and the preview's error page are Jinja templates in
templates/ (autoescape on). This test reads every string literal of the package (f-strings with their
`{…}` parts as `{}`; docstrings, which are prose, left out) and fails on anything tag-like — an HTML or XML
tag, closing tag, comment or doctype — or on a Markdown heading or table rule at the start of a line.
What is not a page is listed in ALLOWED with its reason; an entry that no longer matches anything fails too,
so the list cannot grow stale.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "builder"

# `<p>`, `<td class=`, `</h2>`, `<h{} id=`, `<!--`, `<!DOCTYPE`, `<?xml`; not a regex's `(?P<name>` group.
TAG = re.compile(r"(?<!\?P)<(?:/[a-zA-Z]|!--|!DOCTYPE|\?xml|[a-zA-Z][\w:{}-]*(?:\s+[\w:-]+=|\s*/?>))", re.IGNORECASE)
# `## 标题` or `| --- |` at the start of a line.
MARKDOWN = re.compile(r"^(?:#{1,6} \S|\|? ?:?-{3,}:? ?\|)", re.MULTILINE)

# (file, a piece of the string or None for the whole file) → why this markup is not a page.
ALLOWED: dict[tuple[str, str | None], str] = {
    ("builder/opendata/to_xlsx.py", None): "the XML parts of an XLSX workbook (OOXML), written by our own writer",
    ("builder/site/linkcheck.py", "<!--(?:"): "a regular expression that skips comments in the built pages",
    ("builder/site/hooks.py", "<!-- 部门列表 -->"): "the marker in content/index.md where the listing is put",
    ("builder/site/csp.py", "<style> 内联样式"): "a message naming the tag the policy blocks",
    ("builder/site/csp.py", "内联 <script>"): "a message naming the tag the policy blocks",
    ("builder/data/model.py", "data/<year>/"): "a path with a placeholder, in a field's description",
    ("builder/importer/zipguard.py", "<!DOCTYPE / <!ENTITY"): "a message naming what a refused .docx holds",
    ("builder/site/downloads.py", "# 由 python -m builder build 生成"): "the comment line of the nginx and Apache maps",
    (
        "builder/site/search.py",
        "<title>预热</title>",
    ): "a page Pagefind indexes and forgets to load jieba, never published",
}


def string_literals(source: str) -> list[tuple[int, str]]:
    """Each string literal but docstrings, with its line; an f-string whole, its replacement fields as `{}`."""
    tree = ast.parse(source)
    skipped: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Module | ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef) and node.body:
            first = node.body[0]
            if isinstance(first, ast.Expr) and isinstance(first.value, ast.Constant):
                skipped.add(id(first.value))
        if isinstance(node, ast.JoinedStr):
            skipped.update(id(part) for part in node.values)
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.JoinedStr):
            text = "".join(part.value if isinstance(part, ast.Constant) else "{}" for part in node.values)
            found.append((node.lineno, text))
        elif isinstance(node, ast.Constant) and isinstance(node.value, str) and id(node) not in skipped:
            found.append((node.lineno, node.value))
    return found


def is_markup(text: str) -> bool:
    return bool(TAG.search(text) or MARKDOWN.search(text))


def markup_in_package() -> list[tuple[str, int, str]]:
    return [
        (path.relative_to(ROOT).as_posix(), line, text)
        for path in sorted(PACKAGE.rglob("*.py"))
        for line, text in string_literals(path.read_text(encoding="utf-8"))
        if is_markup(text)
    ]


def allowed_by(file: str, text: str) -> tuple[str, str | None] | None:
    for entry in ALLOWED:
        allowed_file, piece = entry
        if allowed_file == file and (piece is None or piece in text):
            return entry
    return None


def test_no_html_or_markdown_is_built_in_python_strings() -> None:
    found = markup_in_package()
    built = [f"{file}:{line}: {text[:80]!r}" for file, line, text in found if allowed_by(file, text) is None]
    assert built == [], "markup belongs in a template under templates/ (or, if it is not a page, in ALLOWED):\n" + (
        "\n".join(built)
    )


def test_every_allowed_entry_is_still_needed() -> None:
    used = {allowed_by(file, text) for file, _, text in markup_in_package()}
    stale = [entry for entry in ALLOWED if entry not in used and (ROOT / entry[0]).is_file()]
    assert stale == []


@pytest.mark.parametrize(
    "code",
    [  # what builder/ held before the pages moved into templates
        """f'<td class="bp-number">{numbers[severity]}</td>'""",
        """'<p>程序检查未发现问题。</p>'""",
        """Markup('<h{0} id="{1}">{2}</h{0}>').format(level, anchor, name)""",
        """f'\\n<h2 id="{anchor}">{name}</h2>\\n'""",
        """'<!-- 由 builder/export.py 生成，请勿手改 -->'""",
        """["## 各部门", "", "| 年度 | 部门 | 下载 |", "| --- | --- | --- |"]""",
        """front_matter("数据下载") + "# 数据下载\\n\\n" + body""",
        '''"""<!DOCTYPE html>\\n<html lang="zh-CN"><head>"""''',
        """'<?xml version="1.0" encoding="UTF-8"?>'""",
    ],
)
def test_the_scan_finds_markup_in_code(code: str) -> None:
    assert any(is_markup(text) for _, text in string_literals(f"page = {code}"))


@pytest.mark.parametrize(
    "code",
    [
        """NUMBER = re.compile(r"^(?P<year>\\d{4})年(?P<month>\\d{1,2})月$")""",
        """message = 'did not find expected <document start>'""",
        """message = f'{year} 年 < {limit}'""",
        '''def f():\n    """Writes `<title>` and `<h2>` (a docstring is prose)."""''',
    ],
)
def test_the_scan_leaves_other_text_alone(code: str) -> None:
    assert [text for _, text in string_literals(code) if is_markup(text)] == []
