"""Write the bad-input corpus: each case is the base file with one targeted mistake.

Run from the repository root: python tests/bad_inputs/make_corpus.py
The expected messages are in tests/golden/bad-inputs.txt (refresh: see tests/test_bad_inputs.py).
"""

from pathlib import Path

HERE = Path(__file__).parent
BASE = (HERE / "base.yaml.txt").read_text(encoding="utf-8")


def edit(old: str, new: str, count: int = 1) -> str:
    assert old in BASE, old
    return BASE.replace(old, new, count)


CASES: dict[str, str | bytes] = {
    # YAML syntax
    "syntax-unclosed-bracket": edit("  - 围绕遵化", "  - [围绕遵化"),
    "syntax-unclosed-quote": edit("region: 遵化市", 'region: "遵化市'),
    "syntax-colon-in-text": edit("purpose: 购置非涉密计算机三台.", "purpose: 用途: 购置计算机"),
    "syntax-bad-indent": edit("    fiscal: 2.55", "   fiscal: 2.55"),
    "tab-indentation": edit("    fiscal: 2.55", "\tfiscal: 2.55"),
    "not-a-mapping": "- 河北遵化经济开发区管理委员会\n- 2023\n",
    "empty-file": "",
    "only-comments": "# 这里还没有内容\n",
    "null-byte": edit("region: 遵化市", "region: 遵化\x00市"),
    # types
    "wrong-type-amount": edit("    total: 2.55", "    total: 两块五"),
    "wrong-type-amount-two-units": edit("    total: 2.55", "    total: 2.55万元元"),
    "negative-amount": edit("    total: 29.00", "    total: -29.00"),
    "wrong-type-year": edit("year: 2023", "year: 二〇二三"),
    "year-out-of-range": edit("year: 2023", "year: 1800"),
    # the year's folder disagrees and a key is misspelt: both said at once (the year used to wait for the next run)
    "year-of-another-folder-and-a-typo": edit("year: 2023", "year: 2022").replace(
        "  budget:\n    total: 2.55", "  budjet:\n    total: 2.55", 1
    ),
    "wrong-type-indicators": edit(
        "  indicators:\n  - level1: 产出指标\n    level2: 数量指标\n    name: 租赁面积\n    value: 867平方米\n",
        "  indicators: 租赁面积 867平方米\n",
    ),
    "wrong-type-value-list": edit("    value: 3台", "    value: [3, 台]"),
    "wrong-type-unit-mapping": edit(
        "unit:\n  code: '655001'\n  name: 河北遵化经济开发区管理委员会本级\n", "unit: 655001\n"
    ),
    "wrong-type-goals": edit("  - 1.做好国产化应用替代工作，保障单位业务开展", "  - {目标: 1.做好国产化应用替代工作}"),
    "unknown-amount-unit": edit("amount_unit: 万元", "amount_unit: 美元"),
    # missing
    "missing-department": edit("department: 河北遵化经济开发区管理委员会\n", ""),
    "missing-projects": BASE.split("projects:")[0],
    "empty-projects": BASE.split("projects:")[0] + "projects: []\n",
    "missing-budget-total": edit("    total: 2.55\n", ""),
    "missing-indicator-name": edit("    name: 专业设备采购\n", ""),
    "missing-first-row-levels": edit(
        "  - level1: 产出指标\n    level2: 数量指标\n    name: 专业设备采购", "  - name: 专业设备采购"
    ),
    "empty-name": edit("  name: 安可计算机购置", "  name: ''"),
    "null-department": edit("department: 河北遵化经济开发区管理委员会", "department:"),
    # unknown and duplicate keys
    "unknown-key-top": edit("region: 遵化市", "region: 遵化市\ncolour: red"),
    "unknown-key-typo": edit("  budget:\n    total: 2.55", "  budjet:\n    total: 2.55"),
    "unknown-key-indicator": edit("    basis: 关于做好", "    basys: 关于做好"),
    "duplicate-key-top": edit("region: 遵化市", "region: 遵化市\nregion: 唐山市"),
    "duplicate-key-budget": edit("    fiscal: 2.55", "    fiscal: 2.55\n    fiscal: 2.56"),
    "duplicate-project-code": edit("- code: 13028123P00031910001T", "- code: 13028123P00032410001M"),
    # encodings and characters
    "gbk-encoding": BASE.encode("gbk"),
    "latin1-garbage": b"department: \xe9t\xe9\n",
    "extremely-long-string": edit("purpose: 购置非涉密计算机三台.", "purpose: " + "很长" * 15_000),
    # YAML features that have no place in data
    "alias-bomb": 'a: &a ["哈","哈","哈","哈","哈","哈","哈","哈","哈"]\n'
    + "".join(f"{chr(98 + i)}: &{chr(98 + i)} [{','.join([f'*{chr(97 + i)}'] * 9)}]\n" for i in range(8)),
    "alias-reuse": edit("  - title: 完善制度建设\n", "  - &m\n    title: 完善制度建设\n") + "extra: *m\n",
    "deep-nesting": "department: " + "[" * 5000 + "]" * 5000 + "\n",
    "python-object-tag": edit("region: 遵化市", "region: !!python/object/apply:os.system [echo]"),
    "custom-tag": edit("region: 遵化市", "region: !region 遵化市"),
    "merge-key": edit("  - title: 完善制度建设\n", "  - <<: {title: 完善制度建设}\n"),
    # characters that look like YAML's own, and what Windows editors write (issue 15)
    "full-width-colon": edit("region: 遵化市", "region：遵化市"),
    "ideographic-space-indent": edit("    fiscal: 2.55", "  \u3000fiscal: 2.55"),
    "nbsp-in-key": edit("region: 遵化市", "reg\u00a0ion: 遵化市"),
    "zero-width-space-in-key": edit("region: 遵化市", "re\u200bgion: 遵化市"),
    "bom-mid-file": edit("region: 遵化市", "\ufeffregion: 遵化市"),
    "windows-path-in-double-quotes": edit("region: 遵化市", 'region: "C:\\xyz\\2023"'),
    "unknown-escape-in-double-quotes": edit("region: 遵化市", 'region: "D:\\数据\\2023"'),
    "second-document": BASE + "---\ndepartment: 另一个部门\n",
    "complex-key": edit("region: 遵化市", "region: 遵化市\n? [a, b]\n: 1"),
    "terminal-escape-in-key": edit("region: 遵化市", 'region: 遵化市\n"\\e]0;pwned\\a\\e[2J\\u202e": 1'),
    "amount-finer-than-fen": edit("    total: 29.00", "    total: 0.0000001"),
    "arabic-indic-digits": edit("    total: 29.00", "    total: ٢٩"),
    "ideographic-space-before-colon": edit("region: 遵化市", "region\u3000: 遵化市"),
    "nbsp-indent-top-level": edit("region: 遵化市", "\u00a0region: 遵化市"),
    "c1-control-in-value": edit("region: 遵化市", "region: 遵化\x85\x9b市"),
    "bidi-override-in-key": edit("region: 遵化市", "region\u202e: 遵化市"),
    "utf16-invalid": b"\xff\xfe" + "department: 某局\n".encode("utf-16-le") + b"\x00\xd8",
}

# Accepted as they are: the loader reads them without complaint.
ACCEPTED: dict[str, str | bytes] = {
    "accepted-utf8-bom": b"\xef\xbb\xbf" + BASE.encode("utf-8"),
    "accepted-crlf": BASE.replace("\n", "\r\n"),
    "accepted-full-width-digits": edit("    total: 29.00", "    total: ２９.００万元"),
    "accepted-html-in-text": edit(
        "purpose: 购置非涉密计算机三台.",
        'purpose: <script>alert(1)</script><a href="javascript:alert(2)">点我</a> **粗体** [链接](http://example.com)',
    ),
    "accepted-formula-like-value": edit("    value: 3台", "    value: =1+2"),
    "accepted-utf16-le-bom": "\ufeff".encode("utf-16-le") + BASE.encode("utf-16-le"),
    "accepted-utf16-be-bom": "\ufeff".encode("utf-16-be") + BASE.encode("utf-16-be"),
    "accepted-utf16-le-no-bom": BASE.encode("utf-16-le"),
    "accepted-ideographic-space-in-text": edit(
        "purpose: 购置非涉密计算机三台.", "purpose: |\n    \u3000\u3000购置：非涉密计算机三台。"
    ),
}


def main() -> None:
    for name, content in {**CASES, **ACCEPTED}.items():
        path = HERE / f"{name}.yaml"
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(content, encoding="utf-8", newline="")
    print(f"{len(CASES)} bad, {len(ACCEPTED)} accepted")


if __name__ == "__main__":
    main()
