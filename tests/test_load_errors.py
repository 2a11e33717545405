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


@pytest.mark.parametrize("escape", ["\\0", "\\x07", "\\e", "\\x1b[31m"])
def test_a_control_character_written_as_an_escape_is_refused_as_a_typed_one(tmp_path: Path, escape: str) -> None:
    """`region: "唐山\\0高新区"` passed and put a NUL byte into the page and the CSV; typed raw it was refused."""
    text = SAMPLE.read_text(encoding="utf-8").replace("year: 2023", f'year: 2023\nregion: "唐山{escape}高新区"', 1)
    shown = problems_of(write(tmp_path, text))
    assert any(":3 region: 双引号中的转义写出了不允许的控制字符 U+00" in line for line in shown), shown


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("2023-02-30", "published: 不是有效的发布日期"),
        ("1800-01-01", "published: 不是有效的发布日期"),
        ("明天", "published: 应为日期（这里写的是“明天”）"),
    ],
)
def test_a_publication_date_must_be_a_real_date(tmp_path: Path, value: str, expected: str) -> None:
    """`2023-02-30` matched the pattern and was shown on the department page as the date it was published."""
    text = SAMPLE.read_text(encoding="utf-8").replace("year: 2023", f"year: 2023\npublished: '{value}'", 1)
    assert any(expected in line for line in problems_of(write(tmp_path, text)))


def test_a_draft_flag_that_is_no_boolean_is_said_in_chinese(tmp_path: Path) -> None:
    text = SAMPLE.read_text(encoding="utf-8").replace("year: 2023", "year: 2023\ndraft: maybe", 1)
    shown = "\n".join(problems_of(write(tmp_path, text)))
    assert "draft: 应为 true 或 false（这里写的是“maybe”）" in shown and "Input should" not in shown


def test_a_file_name_too_long_for_an_address_says_so(tmp_path: Path) -> None:
    path = write(tmp_path, SAMPLE.read_text(encoding="utf-8"), f"2023/{'a' * 250}.yaml")
    assert "过长（250 个字符，网址中最多 63 个）" in problems_of(path)[0]


@pytest.mark.parametrize("command", ["check", "build"])
def test_a_data_file_outside_the_year_folders_is_refused(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], command: str
) -> None:
    """`data/backup/x.yaml`, `data/2023/old/x.yaml` and `data/x.yaml` were published under their `year`, unseen."""
    data = tmp_path / "data"
    for place in ("2023/zunhua-jingkaiqu.yaml", "backup/copy.yaml", "2023/old/older.yaml", "loose.yaml"):
        write(data, SAMPLE.read_text(encoding="utf-8"), place)
    site = tmp_path / "site"
    arguments = [str(data)] if command == "check" else ["--no-pdf", "--data", str(data), "--site", str(site)]
    assert main([command, *arguments]) == 1
    shown = capsys.readouterr().err
    for place in ("backup/copy.yaml", "2023/old/older.yaml", "loose.yaml"):
        assert f"{data / place}:1: 不在年度文件夹中，不读取：数据文件应放在 {data}/<年度>/ 中" in shown
    assert "zunhua-jingkaiqu.yaml:" not in shown
    assert not site.exists()


def test_the_characters_that_stop_yaml_are_all_named_at_once(tmp_path: Path) -> None:
    """A control character, a full-width colon and two Tab-indented lines: only the first was named, then the next
    after it was fixed, and so on."""
    lines = SAMPLE.read_text(encoding="utf-8").split("\n")
    lines[1] = lines[1].replace(": ", "：", 1) + "\x07"
    tabbed = [number for number, line in enumerate(lines) if line.startswith("    ")][3:5]
    for number in tabbed:
        lines[number] = "\t" + lines[number]
    shown = problems_of(write(tmp_path, "\n".join(lines)))
    assert any(":2: " in line and "不允许的控制字符 U+0007" in line for line in shown), shown
    assert any(":2: " in line and "全角冒号" in line for line in shown), shown
    for number in tabbed:
        assert any(f":{number + 1}: 第 1 列用 Tab 缩进" in line for line in shown), shown
