"""`python -m builder import`: seeds and Word files become the sample data; a failure is explained, writes nothing."""

from __future__ import annotations

from pathlib import Path

import pytest
from docx import Document
from docx_fixtures import Layout, write_docx

from builder import atomic as write_module
from builder.cli import main
from builder.data.load import load_department
from builder.importer.run import ImportRefused, import_file, is_pdf_export

ROOT = Path(__file__).resolve().parents[1]
SEEDS = ROOT.parent / "shared" / "seeds"
SEED_FILES = [
    ("000_e58a81ac4f6ea1ef.txt", "tangshan-gxq-fagaiju", "唐山高新区"),
    ("001_ae7a2bed391112e9.txt", "tangshan-gxq-kejiju", "唐山高新区"),
    ("002_d442bda2a6074707.txt", "chengde-gxq-jingkeju", "承德高新区"),
    ("003_191d77da26007e67.txt", "zunhua-jingkaiqu", "遵化市"),
]


def seed(name: str) -> Path:
    path = SEEDS / name
    if not path.is_file():
        pytest.skip(f"seed documents not found at {SEEDS}")
    return path


def files_in(folder: Path) -> list[str]:
    """Everything under `folder`, temporary files included."""
    return sorted(str(path.relative_to(folder)) for path in folder.rglob("*") if path.is_file())


@pytest.fixture
def kejiju_docx(tmp_path: Path) -> Path:
    department = load_department(ROOT / "data" / "2023" / "tangshan-gxq-kejiju.yaml").department
    return write_docx(department, tmp_path / "kejiju.docx", Layout(sub_goal_numbers="（1）"))


# ── the seeds, through the command ────────────────────────────────────────────────


@pytest.mark.parametrize(("name", "slug", "region"), SEED_FILES)
def test_each_seed_imports_to_its_sample_file(
    name: str, slug: str, region: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code = main(["import", str(seed(name)), "--out", str(tmp_path), "--region", region, "--slug", slug])
    written = tmp_path / "2023" / f"{slug}.yaml"
    sample = ROOT / "data" / "2023" / f"{slug}.yaml"
    assert code == 0
    assert load_department(written).department == load_department(sample).department
    assert written.read_text(encoding="utf-8") == sample.read_text(encoding="utf-8")  # no hand edits in data/
    assert f"已导入 {seed(name)} → {written}" in capsys.readouterr().out


def test_summary_gives_the_figures(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    main(["import", str(seed("000_e58a81ac4f6ea1ef.txt")), "--out", str(tmp_path)])
    out = capsys.readouterr().out
    assert "高新区发改局 2023 年：7 个项目，预算数合计 1848.51 万元，指标 42 行；警告 0 条" in out
    assert files_in(tmp_path) == [
        "2023/gxq-fagaiju.yaml"
    ]  # the default code: the zone by its initials, then the pinyin


def test_warnings_name_their_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    text = seed("000_e58a81ac4f6ea1ef.txt").read_text(encoding="utf-8") + "\n\n附注：以上为草稿。\n"
    source = tmp_path / "draft.txt"
    source.write_text(text, encoding="utf-8")
    assert main(["import", str(source), "--out", str(tmp_path / "data")]) == 0
    line = len(text.split("\n")) - 1
    assert f"{source}:{line}: 警告：未能归类的内容：附注：以上为草稿。" in capsys.readouterr().err
    written = load_department(tmp_path / "data" / "2023" / "gxq-fagaiju.yaml").department
    assert [(item.where, item.text) for item in written.unresolved] == [(f"第 {line} 行", "附注：以上为草稿。")]


def test_family_is_sniffed_from_the_layout() -> None:
    assert not is_pdf_export(seed("000_e58a81ac4f6ea1ef.txt").read_text(encoding="utf-8"))
    assert not is_pdf_export(seed("003_191d77da26007e67.txt").read_text(encoding="utf-8"))
    assert is_pdf_export(seed("002_d442bda2a6074707.txt").read_text(encoding="utf-8"))


def test_gbk_text_is_read_with_a_warning(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    source = tmp_path / "gbk.txt"
    source.write_bytes(seed("001_ae7a2bed391112e9.txt").read_text(encoding="utf-8").encode("gb18030"))
    assert main(["import", str(source), "--out", str(tmp_path / "data"), "--slug", "kejiju"]) == 0
    assert "已按 GBK（GB18030）读取" in capsys.readouterr().err


# ── Word files ────────────────────────────────────────────────────────────────────


def test_docx_import_passes_check(kejiju_docx: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "data"
    assert main(["import", str(kejiju_docx), "--out", str(out), "--region", "唐山高新区", "--slug", "kejiju"]) == 0
    assert main(["check", str(out)]) == 0
    department = load_department(out / "2023" / "kejiju.yaml").department
    sample = load_department(ROOT / "data" / "2023" / "tangshan-gxq-kejiju.yaml").department
    assert department.model_copy(update={"source": None}) == sample.model_copy(update={"source": None})
    assert "高新区科技局 2023 年：3 个项目，预算数合计 4253 万元，指标 20 行" in capsys.readouterr().out


def test_year_option_overrides_and_is_reported(kejiju_docx: Path, tmp_path: Path) -> None:
    result = import_file(kejiju_docx, tmp_path, year=2024, slug="kejiju")
    assert result.target == tmp_path / "2024" / "kejiju.yaml" and result.written
    assert load_department(result.target).department.year == 2024
    assert any("原文年度为 2023，按 --year 改为 2024" in warning for warning in result.warnings)


# ── errors: a clear message, exit 1, nothing written ──────────────────────────────


def refused(args: list[str], out: Path, capsys: pytest.CaptureFixture[str]) -> str:
    """Run the command, expect exit 1 with no file in `out`; return what it printed on stderr."""
    assert main(["import", *args, "--out", str(out)]) == 1
    assert not out.exists() or files_in(out) == []
    err = capsys.readouterr().err
    assert "Traceback" not in err
    return err


@pytest.mark.parametrize("suffix", [".txt", ".docx"])
def test_empty_file(suffix: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    empty = tmp_path / f"empty{suffix}"
    empty.write_bytes(b"")
    assert "文件是空的" in refused([str(empty)], tmp_path / "data", capsys)


def test_blank_text_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    blank = tmp_path / "blank.txt"
    blank.write_text("\n  \n\u3000\n", encoding="utf-8")
    assert "文件是空的（只有空白）" in refused([str(blank)], tmp_path / "data", capsys)


def test_text_that_is_not_a_budget_text(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    letter = tmp_path / "letter.txt"
    letter.write_text("关于召开年度工作会议的通知\n\n各科室：\n定于下周一召开会议。\n", encoding="utf-8")
    assert "这不像一份部门预算绩效文本" in refused([str(letter)], tmp_path / "data", capsys)


def test_word_file_that_is_not_a_budget_text(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    document = Document()
    document.add_paragraph("会议纪要")
    document.add_paragraph("与会人员讨论了下一年度的工作安排。")
    document.save(str(tmp_path / "minutes.docx"))
    assert "这不像一份部门预算绩效文本" in refused([str(tmp_path / "minutes.docx")], tmp_path / "data", capsys)


def test_a_docx_that_is_not_a_zip(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    fake = tmp_path / "renamed.docx"
    fake.write_text("这其实是文本", encoding="utf-8")
    shown = refused([str(fake)], tmp_path / "data", capsys)
    assert "不是可读取的 Word .docx 文件（文件不是 .docx 的压缩包格式，可能是改了扩展名的其他文件）" in shown
    assert "Package not found" not in shown


def test_table_without_a_project_name(kejiju_docx: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    document = Document(str(kejiju_docx))
    name_cell = document.tables[1].rows[0].cells[-1]
    assert name_cell.text == "百川房屋租赁费"
    name_cell.text = ""
    document.save(str(kejiju_docx))
    err = refused([str(kejiju_docx)], tmp_path / "data", capsys)
    assert "第 2 张表第 1 行第 1 格: 警告：项目表缺少项目名称：机器人产业扶持资金项目绩效目标表" in err
    assert "导入结果通不过检查" in err
    assert "projects[1].name（第 2 张项目表“机器人产业扶持资金项目绩效目标表”）：缺少必填字段" in err
    assert "所有文件均未写入" in err


@pytest.mark.parametrize(
    ("suffix", "hint"),
    [
        (".pdf", "不是可读取的 PDF 文件"),
        (".xls", "表格文件"),
        (".xlsx", "表格文件"),
        (".et", "表格文件"),
    ],
)
def test_files_of_another_kind(suffix: str, hint: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    other = tmp_path / f"原文{suffix}"
    other.write_bytes(b"\xd0\xcf\x11\xe0 not really")
    assert hint in refused([str(other)], tmp_path / "data", capsys)


def test_missing_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert "文件不存在" in refused([str(tmp_path / "nowhere.docx")], tmp_path / "data", capsys)


def test_an_existing_file_is_not_overwritten_without_force(
    kejiju_docx: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    target = tmp_path / "data" / "2023" / "kejiju.yaml"
    target.parent.mkdir(parents=True)
    target.write_text("# 人工改过的文件\n", encoding="utf-8")
    args = ["import", str(kejiju_docx), "--out", str(tmp_path / "data"), "--slug", "kejiju"]
    assert main(args) == 1
    err = capsys.readouterr().err
    assert f"{target} 已存在，未覆盖" in err and "请加 --force" in err
    assert target.read_text(encoding="utf-8") == "# 人工改过的文件\n"
    assert main([*args, "--force"]) == 0
    assert load_department(target).department.department == "高新区科技局"


@pytest.mark.parametrize(
    ("first", "again", "common"),
    [
        (["--region", "唐山高新区"], [], "部门名称同为“高新区科技局”"),  # the trial's case: no region the second time
        (
            ["--region", "唐山高新区"],
            ["--region", "唐山高新区", "--slug", "kejiju-2"],
            "部门名称同为“高新区科技局”，地区同为“唐山高新区”",
        ),
        (["--region", "承德高新区"], ["--region", "遵化市"], "有相同的项目编码 13081123P00002510002R"),
    ],
)
def test_the_same_department_imported_twice_is_refused(
    first: list[str], again: list[str], common: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A second file for one department would list it twice on the site: refused, naming the first file."""
    document = seed("002_d442bda2a6074707.txt") if "有相同的项目编码" in common else seed(SEED_FILES[1][0])
    out = tmp_path / "data"
    assert main(["import", str(document), "--out", str(out), *first]) == 0
    written = files_in(out)
    capsys.readouterr()
    assert main(["import", str(document), "--out", str(out), *again]) == 1
    err = capsys.readouterr().err
    assert f"{out / '2023' / written[0].split('/')[-1]} 已是 2023 年这个部门的数据文件（{common}）" in err
    assert "网站会把它列出两次，未写入" in err and f"--slug {Path(written[0]).stem} --force" in err
    assert files_in(out) == written
    assert main(["import", str(document), "--out", str(out), *again, "--force"]) == 0  # another unit: the admin says so
    assert len(files_in(out)) == 2


def test_a_namesake_of_another_region_is_another_department(tmp_path: Path) -> None:
    out = tmp_path / "data"
    for region in ("唐山高新区", "遵化市"):
        assert main(["import", str(seed(SEED_FILES[1][0])), "--out", str(out), "--region", region]) == 0
    assert len(files_in(out)) == 2  # two counties' 科技局: no project codes in common


def test_one_bad_file_means_none_is_written(
    kejiju_docx: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    empty = tmp_path / "empty.txt"
    empty.write_text("", encoding="utf-8")
    err = refused([str(kejiju_docx), str(empty)], tmp_path / "data", capsys)
    assert "1 个文件未能导入，所有文件均未写入" in err


def test_slug_is_for_one_file_only(kejiju_docx: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    err = refused([str(kejiju_docx), str(kejiju_docx), "--slug", "x"], tmp_path / "data", capsys)
    assert "--slug 只能用于单个文件" in err


def test_a_bad_slug_given_is_named_as_given(
    kejiju_docx: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """`--slug ../../x` was answered “请用 --slug 指定”, though it had been."""
    err = refused([str(kejiju_docx), "--slug", "../../x"], tmp_path / "data", capsys)
    assert "部门代号 `../../x` 不能用作网址——请只用小写字母、数字和连字符，如 --slug gxq-fagaiju" in err
    assert not (tmp_path / "data").exists() and not (tmp_path / "x.yaml").exists()


def test_two_files_for_one_target(kejiju_docx: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    err = refused([str(kejiju_docx), str(kejiju_docx)], tmp_path / "data", capsys)
    assert "都要写入" in err


def test_no_year_anywhere(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    text = seed("001_ae7a2bed391112e9.txt").read_text(encoding="utf-8")
    source = tmp_path / "undated.txt"
    source.write_text(text.replace("2023年", "本年").replace("2023", "本年"), encoding="utf-8")
    assert "请用 --year 指定" in refused([str(source)], tmp_path / "data", capsys)


def test_strict_makes_warnings_fatal(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    err = refused([str(seed("001_ae7a2bed391112e9.txt")), "--strict"], tmp_path / "data", capsys)
    assert "封面未印部门名称" in err and "--strict 下不写入" in err


def test_an_interrupted_write_leaves_no_half_file(
    kejiju_docx: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """The text goes to a temporary file that is renamed into place; a failure half-way leaves nothing behind."""

    def fail_half_way(source: str, target: str) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(write_module.os, "replace", fail_half_way)
    out = tmp_path / "data"
    assert main(["import", str(kejiju_docx), "--out", str(out), "--slug", "kejiju"]) == 1
    assert files_in(out) == []
    assert "失败（No space left on device），没有留下半个文件" in capsys.readouterr().err
    monkeypatch.undo()
    assert main(["import", str(kejiju_docx), "--out", str(out), "--slug", "kejiju"]) == 0
    assert files_in(out) == ["2023/kejiju.yaml"]


def test_import_file_raises_a_refusal(tmp_path: Path) -> None:
    empty = tmp_path / "empty.txt"
    empty.write_text("", encoding="utf-8")
    with pytest.raises(ImportRefused, match="文件是空的"):
        import_file(empty, tmp_path / "data")


def test_help_is_chinese_with_an_example(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["import", "--help"]) == 0
    help_text = capsys.readouterr().out
    assert "导入已发布的部门预算绩效文本" in help_text and "例：python -m builder import" in help_text


def test_a_csv_list_gives_each_file_its_region_and_slug(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    originals = tmp_path / "原文"
    originals.mkdir()
    for name in ("000_e58a81ac4f6ea1ef.txt", "003_191d77da26007e67.txt"):
        (originals / name).write_bytes(seed(name).read_bytes())
    listing = tmp_path / "清单.csv"
    listing.write_text(
        "文件,地区,代号\n原文/000_e58a81ac4f6ea1ef.txt,唐山高新区,\n原文/003_191d77da26007e67.txt,遵化市,zunhua-jkq\n",
        encoding="utf-8-sig",
    )
    assert main(["import", "--list", str(listing), "--out", str(tmp_path / "data")]) == 0
    assert files_in(tmp_path / "data") == ["2023/tangshan-gxq-fagaiju.yaml", "2023/zunhua-jkq.yaml"]
    assert load_department(tmp_path / "data" / "2023" / "tangshan-gxq-fagaiju.yaml").department.region == "唐山高新区"
    assert load_department(tmp_path / "data" / "2023" / "zunhua-jkq.yaml").department.region == "遵化市"


def test_a_bad_list_names_its_lines_and_writes_nothing(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "a.txt").write_bytes(seed("000_e58a81ac4f6ea1ef.txt").read_bytes())
    listing = tmp_path / "list.csv"
    listing.write_text("file,region,slug\na.txt,,Bad Slug\nmissing.txt,,x\na.txt,,x\n", encoding="utf-8")
    assert main(["import", "--list", str(listing), "--out", str(tmp_path / "data")]) == 1
    err = capsys.readouterr().err
    assert f"{listing}:2 代号：`Bad Slug` 不能用作网址" in err
    assert f"{listing}:3 文件：找不到 {tmp_path / 'missing.txt'}" in err
    assert f"{listing}:4 代号：`x` 与第 3 行相同" in err
    assert not (tmp_path / "data").exists()


def test_a_refusal_without_a_file_has_no_stray_colon() -> None:
    from builder.importer.batch import refusal_line

    assert refusal_line(ImportRefused("清单第 3 行：没有写文件名")) == "失败    清单第 3 行：没有写文件名"
    named = ImportRefused("扫描件.pdf：此 PDF 是扫描图像", source=Path("扫描件.pdf"))
    assert refusal_line(named) == "失败    扫描件.pdf：此 PDF 是扫描图像"
