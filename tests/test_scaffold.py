"""`builder new` writes a commented template that passes `check`, and never overwrites."""

from pathlib import Path

import pytest

from builder.cli import main
from builder.data.load import load_department
from builder.data.slugs import slugify


def test_new_writes_a_template_that_passes_check(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    data = tmp_path / "data"
    assert main(["new", "--year", "2025", "--department", "某某局", "--data", str(data)]) == 0
    path = data / "2025" / "moumouju.yaml"
    text = path.read_text(encoding="utf-8")
    assert "# ── 第一部分 部门整体绩效目标" in text and "指标值，一字不改" in text  # explained in Chinese
    department = load_department(path).department
    assert (department.department, department.year, len(department.projects)) == ("某某局", 2025, 1)
    assert main(["check", str(data)]) == 0
    assert "1 个项目，6 行指标" in capsys.readouterr().out


def test_new_refuses_to_overwrite(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    arguments = ["new", "--year", "2025", "--department", "某某局", "--slug", "x", "--data", str(tmp_path)]
    assert main(arguments) == 0
    (tmp_path / "2025" / "x.yaml").write_text("已填写的内容", encoding="utf-8")
    assert main(arguments) == 1
    assert "已存在；如确要覆盖，请加 --force" in capsys.readouterr().err
    assert (tmp_path / "2025" / "x.yaml").read_text(encoding="utf-8") == "已填写的内容"


def test_names_with_quotes_and_colons_stay_valid_yaml(tmp_path: Path) -> None:
    name = '某某局: "试点"'
    assert main(["new", "--year", "2025", "--department", name, "--slug", "q", "--data", str(tmp_path)]) == 0
    assert load_department(tmp_path / "2025" / "q.yaml").department.department == name


@pytest.mark.parametrize(
    ("name", "region", "slug"),
    [
        ("发改局", "唐山高新区", "tangshan-gxq-fagaiju"),
        ("唐山高新区科技局", "唐山高新区", "tangshan-gxq-kejiju"),
        ("高新区发改局", "", "gxq-fagaiju"),
        ("河北遵化经济开发区管理委员会", "", "hebeizunhua-jkq-guanliweiyuanhui"),
        ("经济与科技发展局", "承德高新区", "chengde-gxq-jjykjfzj"),  # too long in full: its initials, whole
        ("唐山市路南区财政局", "", "tangshan-lunan-caizhengju"),
        ("财政局", "遵化市", "zunhua-caizhengju"),
        ("ABC局", "", "abcju"),
        ("", "", "bumen"),
    ],
)
def test_slugs_are_region_and_department_never_cut_inside_a_syllable(name: str, region: str, slug: str) -> None:
    assert slugify(name, region) == slug
    assert len(slug) <= 40


def test_a_very_long_name_is_shortened_to_whole_syllables() -> None:
    from pypinyin import lazy_pinyin

    name = "中国共产党唐山市委员会办公室机关事务服务中心后勤保障科"
    slug = slugify(name, "河北省唐山市路南区")
    assert len(slug) <= 40
    department = slug.rsplit("-", 1)[1]
    assert (
        department == "".join(syllable[0] for syllable in lazy_pinyin(name[name.index("市") + 1 :]))[: len(department)]
    )
