"""Generated pages that are HTML already: no Python-Markdown, a table of contents from the front matter, subsets."""

from __future__ import annotations

from pathlib import Path

import markdown
import pytest
import yaml
from mkdocs.config import load_config
from mkdocs.config.defaults import MkDocsConfig
from mkdocs.structure.files import Files
from mkdocs.utils import meta

from builder.data.load import load_all
from builder.site import hooks as mkdocs_hooks
from builder.site.pages import site_pages

ROOT = Path(__file__).resolve().parent.parent
DEPARTMENT_TOC = [  # seed 000's headings as printed; it prints no 第二部分 heading, so the list has the site's own
    (2, "part-one", "2023年部门整体绩效目标"),
    (3, "overall-goal", "一、总体绩效目标"),
    (3, "sub-goals", "二、分项绩效目标"),
    (3, "measures", "三、工作保障措施"),
    (2, "projects", "项目一览"),
]
HTML_PAGE = """---
title: 示例部门
html: true
toc:
- {level: 2, id: part-one, name: 第一部分}
- {level: 3, id: overall-goal, name: 一、总体}
- {level: 2, id: projects, name: 第二部分 &amp; 项目}
---

<h2 id="part-one">第一部分</h2>
<p>**不是粗体**</p>
"""
MARKDOWN_PAGE = "---\ntitle: 数据质量\n---\n\n## 问题 { #issues }\n\n**粗体**\n"


@pytest.fixture(scope="module")
def generated() -> dict[str, str]:
    loaded, errors = load_all([ROOT / "data"])
    assert not errors
    return {page.path: page.text for page in site_pages(loaded, with_pdf=False)}


def test_page_bodies_are_html_with_their_headings_in_the_front_matter(generated: dict[str, str]) -> None:
    department = generated["2023/tangshan-gxq-fagaiju/index.md"]
    body, data = meta.get_data(department)
    assert data["html"] is True
    assert [(token["level"], token["id"], token["name"]) for token in data["toc"]] == DEPARTMENT_TOC
    assert '<h2 id="part-one">2023年部门整体绩效目标</h2>' in body
    assert '<h3 id="measures">三、工作保障措施</h3>' in body
    assert "{ #" not in body and "\n## " not in body
    pages = [text for path, text in generated.items() if path.endswith("index.md")]
    assert all(meta.get_data(text)[1].get("html") is True for text in pages)


def _config(tmp_path: Path, files: dict[str, str], render_only: list[str] | None = None) -> MkDocsConfig:
    folder = tmp_path / "generated"
    for path, text in files.items():
        (folder / path).parent.mkdir(parents=True, exist_ok=True)
        (folder / path).write_text(text, encoding="utf-8")
    config = load_config(str(ROOT / "mkdocs.yml"), site_dir=str(tmp_path / "site"))
    config.extra["generated_dir"] = str(folder)
    if render_only is not None:
        config.extra["render_only"] = render_only
    return config


def _render(config: MkDocsConfig, src_uri: str) -> mkdocs_hooks.GeneratedPage:
    files = mkdocs_hooks.on_files(Files([]), config)
    file = files.get_file_from_path(src_uri)
    assert file is not None and isinstance(file.page, mkdocs_hooks.GeneratedPage)
    file.page.read_source(config)
    file.page.render(config, files)
    return file.page


def test_html_page_skips_markdown_and_takes_its_toc_from_the_front_matter(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    config = _config(tmp_path, {"2023/x/index.md": HTML_PAGE})

    def no_markdown(*args: object, **kwargs: object) -> None:
        raise AssertionError("Python-Markdown was used for an HTML page")

    monkeypatch.setattr(markdown, "Markdown", no_markdown)
    page = _render(config, "2023/x/index.md")
    assert page.content is not None
    assert page.content.strip() == '<h2 id="part-one">第一部分</h2>\n<p>**不是粗体**</p>'
    assert [(item.title, item.id, [child.id for child in item.children]) for item in page.toc] == [
        ("第一部分", "part-one", ["overall-goal"]),
        ("第二部分 &amp; 项目", "projects", []),
    ]
    assert page.title == "示例部门"


def test_front_matter_is_json_that_mkdocs_reads_as_the_same_yaml(generated: dict[str, str]) -> None:
    """Every generated page's front matter is one line of JSON: MkDocs' own reading (PyYAML) gives the same data."""
    for path, text in generated.items():
        if not path.endswith(".md"):
            continue
        assert text.startswith("---\n{") and text.split("\n")[2] == "---", path
        assert mkdocs_hooks._json_front_matter(text) == meta.get_data(text), path


def test_generated_pages_are_read_without_pyyaml(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, generated: dict[str, str]
) -> None:
    config = _config(tmp_path, {"2023/x/index.md": generated["2023/tangshan-gxq-fagaiju/index.md"]})

    def no_yaml(*args: object, **kwargs: object) -> None:
        raise AssertionError("PyYAML read a generated page's front matter")

    monkeypatch.setattr(yaml, "load", no_yaml)
    page = _render(config, "2023/x/index.md")
    assert page.title == "高新区发改局 2023年部门预算绩效文本"
    assert [item.id for item in page.toc] == ["part-one", "projects"]


def test_generated_markdown_pages_are_still_markdown(tmp_path: Path) -> None:
    page = _render(_config(tmp_path, {"2023/quality.md": MARKDOWN_PAGE}), "2023/quality.md")
    assert page.content is not None
    assert '<h2 id="issues">问题</h2>' in page.content and "<strong>粗体</strong>" in page.content
    assert [item.id for item in page.toc] == ["issues"]


def _published(files: Files) -> list[str]:
    return sorted(file.src_uri for file in files if file.inclusion.is_included())


def test_render_only_adds_just_those_pages_and_the_ones_the_nav_names(tmp_path: Path) -> None:
    files = {
        "2023/a/index.md": HTML_PAGE,
        "2023/b/index.md": HTML_PAGE,
        "2023/quality.md": MARKDOWN_PAGE,
        "downloads/index.md": MARKDOWN_PAGE,  # named by the nav of mkdocs.yml
        "data/2023/a.json": "{}",
        mkdocs_hooks.HOME_LISTING: "<p>列表</p>",
    }
    everything = mkdocs_hooks.on_files(Files([]), _config(tmp_path, files))
    assert _published(everything) == sorted(set(files) - {mkdocs_hooks.HOME_LISTING})
    config = _config(tmp_path, files, render_only=["2023/b/index.md"])
    config.nav = [{"首页": "index.md"}, {"数据下载": "downloads/index.md"}]
    subset = mkdocs_hooks.on_files(Files([]), config)
    assert _published(subset) == ["2023/b/index.md"]
    assert [file.src_uri for file in subset.documentation_pages()] == ["2023/b/index.md"]
    in_nav = subset.get_file_from_path("downloads/index.md")  # known, so the nav's link to it resolves
    assert in_nav is not None and in_nav.inclusion.is_excluded() and in_nav.url == "downloads/"
    assert subset.get_file_from_path("2023/a/index.md") is None  # the folder is not walked
    config = _config(tmp_path, files, render_only=[])
    assert _published(mkdocs_hooks.on_files(Files([]), config)) == []


def test_project_page_toc_lists_its_sections(generated: dict[str, str]) -> None:
    project = generated["2023/zunhua-jingkaiqu/13028123P00032110001L/index.md"]
    body, data = meta.get_data(project)
    assert [(token["level"], token["id"]) for token in data["toc"]] == [
        (2, "budget"),
        (2, "spending-plan"),
        (2, "goals"),
        (2, "indicators"),
    ]
    assert all(f'<h2 id="{token["id"]}">{token["name"]}</h2>' in body for token in data["toc"])
