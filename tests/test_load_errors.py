"""Every problem of a bad file is reported at once, located, with a hint; nothing else happens."""

import re
import shutil
from pathlib import Path

import pytest

from builder.cli import main
from builder.data.load import load_department
from builder.errors import DataError

SAMPLE = Path(__file__).resolve().parent.parent / "data" / "2023" / "zunhua-jingkaiqu.yaml"


def write(tmp_path: Path, text: str, name: str = "2023/x.yaml") -> Path:
    path = tmp_path / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def problems_of(path: Path) -> list[str]:
    with pytest.raises(DataError) as raised:
        load_department(path)
    return raised.value.render().splitlines()


def line_number(text: str, pattern: str) -> int:
    return next(i for i, line in enumerate(text.splitlines(), 1) if re.search(pattern, line))


def test_four_kinds_of_mistake_are_reported_in_one_run(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    text = SAMPLE.read_text(encoding="utf-8")
    text = text.replace("total: '2.55'", "total: 两块五", 1).replace("total: 2.55", "total: 两块五", 1)
    text = re.sub(r"\n(\s+)name: 房屋租赁费用\n", r"\n\1nmae: 房屋租赁费用\n", text, count=1)  # typo: unknown + missing
    text = text.replace("region: 遵化市\n", "region: 遵化市\nregion: 唐山市\n", 1)  # duplicate key
    path = write(tmp_path, text)
    messages = problems_of(path)
    assert f"{path}:{line_number(text, 'total: 两块五')} projects[0].budget.total: 应为数字，例如 10.00" in "\n".join(
        messages
    )
    assert any(f":{line_number(text, 'nmae:')} projects[1].nmae: 未知字段 `nmae`" in m for m in messages)
    assert any("projects[1].name: 缺少必填字段" in m for m in messages)
    assert any(f":{line_number(text, '^region: 唐山市')} region: 键 `region` 重复" in m for m in messages)
    assert len(messages) == 4
    assert main(["check", str(path)]) == 1
    assert "发现 4 个问题" in capsys.readouterr().err


def test_check_writes_nothing(tmp_path: Path) -> None:
    shutil.copy(SAMPLE, tmp_path / "copy.yaml")
    (tmp_path / "2023").mkdir()
    shutil.move(tmp_path / "copy.yaml", tmp_path / "2023" / "zunhua.yaml")
    before = sorted(p.name for p in tmp_path.rglob("*"))
    assert main(["check", str(tmp_path)]) == 0
    assert sorted(p.name for p in tmp_path.rglob("*")) == before


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("department: [unclosed\n", "x.yaml:2: YAML 语法错误：方括号 [ ] 没有闭合"),
        ("department: a\n\tyear: 2023\n", "YAML 不允许用 Tab 缩进"),
        ("a: &x [1]\nb: *x\n", "不支持 YAML 锚点与别名"),
        ("department: !!python/object:os.system ls\n", "不支持自定义 YAML 标签"),
        ("- just\n- a list\n", "文件内容应为键值对"),
        ("", "x.yaml:1: 文件是空的"),
        ("# 只有注释\n\n", "x.yaml:1: 文件是空的"),
    ],
)
def test_yaml_level_mistakes(tmp_path: Path, text: str, expected: str) -> None:
    assert expected in "\n".join(problems_of(write(tmp_path, text)))


def test_gbk_file_gets_a_conversion_hint(tmp_path: Path) -> None:
    path = tmp_path / "2023" / "gbk.yaml"
    path.parent.mkdir()
    path.write_bytes("department: 高新区发改局\n".encode("gbk"))
    assert "iconv -f GBK -t UTF-8" in problems_of(path)[0]


def test_utf8_bom_is_accepted(tmp_path: Path) -> None:
    path = tmp_path / "2023" / "bom.yaml"
    path.parent.mkdir()
    path.write_bytes(b"\xef\xbb\xbf" + SAMPLE.read_bytes())
    assert load_department(path).department.department == "河北遵化经济开发区管理委员会"


def test_year_must_match_its_folder(tmp_path: Path) -> None:
    path = write(tmp_path, SAMPLE.read_text(encoding="utf-8"), "2024/zunhua.yaml")
    assert any("year: 年度 2023 与所在文件夹 2024/ 不一致" in m for m in problems_of(path))


def test_unsafe_file_names_are_refused(tmp_path: Path) -> None:
    path = write(tmp_path, SAMPLE.read_text(encoding="utf-8"), "2023/My Dept.yaml")
    assert "不能用作网址" in problems_of(path)[0]
