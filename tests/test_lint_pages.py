"""The 数据质量 pages and the rules page: escaped, linked, documented, and switchable."""

from __future__ import annotations

import posixpath
import re
from pathlib import Path

import markdown
from mkdocs.utils import meta

from builder.data.load import LoadedDepartment, Source, load_all
from builder.data.model import Department
from builder.lint.findings import lint_all, lint_department, lint_paths
from builder.lint.rules import RULES, SEVERITY_NAMES
from builder.site.quality import quality_pages

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "data" / "2023"
RULES_PAGE = ROOT / "docs" / "data-quality-rules.md"
EXTENSIONS = ["attr_list", "md_in_html", "tables", "admonition", "def_list", "toc"]  # as in mkdocs.yml


def seed_pages() -> dict[str, str]:
    loaded, errors = load_all([DATA])
    assert errors == []
    return quality_pages(loaded, lint_all(loaded))


def body(page: str) -> str:
    """A page's body as MkDocs publishes it: as it is with `html: true` in the front matter, else as Markdown."""
    text, data = meta.get_data(page)
    return text if data.get("html") else markdown.markdown(text, extensions=EXTENSIONS)


def rule_sections() -> dict[str, str]:
    """The text of each rule's section on the rules page, by the id in its heading anchor."""
    sections = re.split(r"^### ", RULES_PAGE.read_text(encoding="utf-8"), flags=re.MULTILINE)[1:]
    by_id = {}
    for section in sections:
        anchor = re.search(r"\{ #([a-z0-9-]+) \}", section.splitlines()[0])
        assert anchor, section.splitlines()[0]
        by_id[anchor[1]] = section.split("\n## ")[0]
    return by_id


def test_every_rule_is_documented_with_its_severity() -> None:
    sections = rule_sections()
    assert set(sections) == set(RULES)
    page = RULES_PAGE.read_text(encoding="utf-8")
    for rule_id, rule in RULES.items():
        severity = SEVERITY_NAMES[rule.severity]
        assert f"**级别**：{severity}" in sections[rule_id], rule_id
        assert f"| [{rule_id}](#{rule_id}) | {severity} |" in page, rule_id
        for heading in ("为什么重要", "示例", "通常的改法"):
            assert f"**{heading}**" in sections[rule_id], (rule_id, heading)


def test_seed_examples_on_the_rules_page_are_real_findings() -> None:
    actual = {(f.path.name, f.line, f.rule) for f in lint_paths([DATA]).findings}
    cited = 0
    for rule_id, section in rule_sections().items():
        for filename, line in re.findall(r"`([a-z0-9-]+\.yaml):(\d+)`", section):
            assert (filename, int(line), rule_id) in actual, (rule_id, filename, line)
            cited += 1
    assert cited >= 10


def test_the_sample_output_on_the_rules_page_is_current() -> None:
    golden = (Path(__file__).parent / "golden" / "lint-seeds.txt").read_text(encoding="utf-8").splitlines()
    samples = [line for line in RULES_PAGE.read_text(encoding="utf-8").splitlines() if line.startswith("data/")]
    assert samples and all(line in golden for line in samples)


def test_the_year_page_sums_each_department() -> None:
    page = seed_pages()["2023/quality.md"]
    html = body(page)
    front_matter = meta.get_data(page)[1]
    assert front_matter["title"] == "2023年数据质量报告" and "pagefind" not in front_matter  # reports are in search
    assert '<a href="../tangshan-gxq-kejiju/quality/">高新区科技局</a>' in html
    row = re.search(r"承德高新技术产业开发区经济与科技发展局</a></th>(.*?)</tr>", html)
    assert row is not None
    assert "<td>承德高新区</td>" in row[1]
    # projects, projects with findings, 明显错误, 可能有误, 值得留意
    assert re.findall(r">(\d+)<", row[1]) == ["14", "14", "1", "55", "8"]
    assert '<th scope="col" class="bp-number">明显错误</th>' in html
    assert "data-quality-rules" not in html  # the rules page is for admins: the report explains in its own words


def test_the_department_page_lists_findings_by_project() -> None:
    pages = seed_pages()
    assert sorted(pages) == [
        "2023/chengde-gxq-jingkeju/quality.md",
        "2023/quality.md",
        "2023/tangshan-gxq-fagaiju/quality.md",
        "2023/tangshan-gxq-kejiju/quality.md",
        "2023/zunhua-jingkaiqu/quality.md",
    ]
    html = body(pages["2023/tangshan-gxq-kejiju/quality.md"])
    assert '<h2 id="project-2">第 2 个项目：百川房屋租赁费</h2>' in html
    toc = meta.get_data(pages["2023/tangshan-gxq-kejiju/quality.md"])[1]["toc"]
    assert {"level": 2, "id": "project-2", "name": "第 2 个项目：百川房屋租赁费"} in toc
    assert all(f'<h2 id="{token["id"]}">{token["name"]}</h2>' in html for token in toc)
    # For citizens: what it means and the rule's Chinese name; no file lines, field paths or rule ids
    assert "本表表题与项目名称不一致" in html and "检查规则：表题或说明标题写的是另一个项目" in html
    assert "机器人产业扶持资金项目绩效目标表" in html
    assert "第 103 行" not in html and "projects[" not in html and "title-mismatch<" not in html
    assert "明显错误 1 处" in html and "涉及 1 个项目" in html
    assert "未发现问题" in body(pages["2023/zunhua-jingkaiqu/quality.md"])


def test_indicator_findings_name_the_row_and_the_indicator() -> None:
    html = body(seed_pages()["2023/chengde-gxq-jingkeju/quality.md"])
    assert "绩效指标第 9 行（三级指标“服务对象满意度”）：" in html
    assert "满意度只写了上限（如 ≤100%），任何满意度都算达到，等于没有承诺。" in html
    assert "indicators[" not in html


def test_links_resolve_to_the_pages_they_name() -> None:
    pages = seed_pages()
    urls = {path.removesuffix(".md") + "/" for path in pages} | {"2023/tangshan-gxq-kejiju/"}
    page = "2023/tangshan-gxq-kejiju/quality/"
    for href in re.findall(r'href="([^"#]+)', body(pages["2023/tangshan-gxq-kejiju/quality.md"])):
        target = posixpath.normpath(posixpath.join(page, href)) + "/"
        assert target in urls or re.fullmatch(r"2023/tangshan-gxq-kejiju/x[0-9a-f]{8}/", target), href


def test_data_text_is_escaped_everywhere() -> None:
    hostile = "<script>alert(1)</script> *强调* [链接](http://x) {: onclick=x } | 竖线 # 井号"
    data = {
        "department": hostile,
        "year": 2023,
        "part_one": {
            "overall_goal": ["目标内容 1"],
            "sub_goals": [{"title": "甲"}],
            "measures": [{"title": "乙"}],
        },
        "projects": [
            {
                "name": hostile,
                "title": "完全不同的标题绩效目标表",
                "budget": {"total": "1"},
                "indicators": [{"level1": "产出指标", "level2": "数量指标", "name": hostile, "value": "XXX"}],
            }
        ],
    }
    loaded = LoadedDepartment(Source(Path("2023/hostile.yaml"), "hostile"), Department.model_validate(data))
    pages = quality_pages([loaded], lint_department(loaded))
    for page in pages.values():
        html = body(page)
        assert "<script>" not in html and "<em>" not in html and 'href="http://x"' not in html
        assert "onclick" not in html or "{: onclick=x }" in html
    assert "&lt;script&gt;" in pages["2023/hostile/quality.md"]
    toc = meta.get_data(pages["2023/hostile/quality.md"])[1]["toc"]
    assert any("&lt;script&gt;" in str(token["name"]) for token in toc)
    assert all("<" not in str(token["name"]) for token in toc)  # Material prints toc names as HTML
    assert meta.get_data(pages["2023/hostile/quality.md"])[1]["title"].startswith("&lt;script&gt;alert(1)")


def test_same_input_same_pages() -> None:
    assert seed_pages() == seed_pages()


def test_every_rule_has_a_note_for_readers() -> None:
    from builder.site.finding_words import READER_NOTES

    assert set(READER_NOTES) == set(RULES)
    assert all(note.endswith("。") and "[" not in note for note in READER_NOTES.values())


def test_the_switch_that_hides_the_report_hides_every_finding(tmp_path: Path) -> None:
    """`extra.quality_report_public: false`: no report, no box on project pages, no link from department or year."""
    import shutil

    from builder.config import SiteConfig
    from builder.pipeline.build import build

    shutil.copytree(ROOT / "data", tmp_path / "data")
    for public in (True, False):
        site = tmp_path / f"site-{public}"
        config = SiteConfig(quality_report_public=public)
        build(tmp_path / "data", site, with_pdf=False, generated_dir=tmp_path / f"gen-{public}", site_config=config)
        project = (site / "2023/tangshan-gxq-kejiju/xa08f5fa5/index.html").read_text(encoding="utf-8")
        department = (site / "2023/tangshan-gxq-kejiju/index.html").read_text(encoding="utf-8")
        year = (site / "2023/index.html").read_text(encoding="utf-8")
        assert ("本表表题与项目名称不一致" in project) is public
        assert ('href="../../../2023/tangshan-gxq-kejiju/quality/#project-2"' in project) is public
        assert ('<a href="../../2023/tangshan-gxq-kejiju/quality/">查看数据质量报告</a>' in department) is public
        assert ("2023年数据质量报告" in year) is public
        home = (site / "index.html").read_text(encoding="utf-8")
        assert ('href="2023/quality/">2023年数据质量报告</a>' in home) is public
        assert (site / "2023/tangshan-gxq-kejiju/quality/index.html").exists() is public
        assert (site / "2023/quality/index.html").exists() is public
