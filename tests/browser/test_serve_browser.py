"""`make serve` in a real browser: the open page reloads itself after each rebuild, and shows a build error."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from builder.site.preview import Preview

ROOT = Path(__file__).resolve().parents[2]
SMALL = "2023/zunhua-jingkaiqu.yaml"


@pytest.fixture
def preview(tmp_path: Path) -> Iterator[Preview]:
    data = tmp_path / "data"
    (data / "2023").mkdir(parents=True)
    shutil.copy(ROOT / "data" / SMALL, data / SMALL)
    server = Preview(data, port=0, interval=0.1, log=lambda message: None)
    server.start()
    yield server
    server.stop()


def test_the_open_page_reloads_after_an_edit_and_after_an_error(browser: object, preview: Preview) -> None:
    page = browser.new_page()
    page.goto(preview.url + "2023/zunhua-jingkaiqu/")
    assert "河北遵化经济开发区管理委员会" in page.inner_text("h1")
    source = preview.data_dir / SMALL
    good = source.read_text(encoding="utf-8")
    source.write_text(good.replace("department: ", "department: 改名后的", 1), encoding="utf-8")
    page.wait_for_function(
        "document.querySelector('h1') && document.querySelector('h1').innerText.includes('改名后的')", timeout=60_000
    )
    source.write_text(good + "projects: [unclosed\n", encoding="utf-8")
    page.wait_for_function("document.body.innerText.includes('网站生成失败')", timeout=60_000)
    assert str(source) in page.inner_text("pre")
    source.write_text(good, encoding="utf-8")
    page.wait_for_function("!document.body.innerText.includes('网站生成失败')", timeout=60_000)
    assert "改名后的" not in page.inner_text("h1")
    page.close()
