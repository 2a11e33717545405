"""The sample data in data/ says exactly what the four published seed documents say.

Counts were taken from the seed texts in ../shared/seeds/ by hand, independently
of the importer that wrote the files.
"""

from decimal import Decimal
from pathlib import Path

import pytest

from builder.data.load import load_department
from builder.data.model import Department
from builder.lint.check import check

DATA = Path(__file__).resolve().parent.parent / "data" / "2023"

SEEDS = {
    # file: (department as printed, indicator rows per project, total 预算数 in 万元)
    "tangshan-gxq-fagaiju.yaml": ("高新区发改局", [6, 6, 6, 6, 6, 6, 6], "1848.51"),
    "tangshan-gxq-kejiju.yaml": ("高新区科技局", [7, 7, 6], "4253"),
    "chengde-gxq-jingkeju.yaml": ("承德高新技术产业开发区经济与科技发展局", [9] * 14, "3050.50"),
    "zunhua-jingkaiqu.yaml": ("河北遵化经济开发区管理委员会", [7, 7, 8, 7], "72.55"),
}


def department(name: str) -> Department:
    return load_department(DATA / name).department


@pytest.mark.parametrize(("filename", "expected"), SEEDS.items())
def test_projects_totals_and_indicator_rows(filename: str, expected: tuple[str, list[int], str]) -> None:
    name, rows_per_project, total = expected
    loaded = department(filename)
    assert loaded.department == name
    assert loaded.year == 2023
    assert [len(project.indicators) for project in loaded.projects] == rows_per_project
    assert loaded.total_budget == Decimal(total)


def test_check_passes_and_prints_the_totals() -> None:
    summaries, errors = check([DATA])
    assert errors == []
    assert sorted((s.department, s.projects, str(s.total_budget)) for s in summaries) == sorted(
        (name, len(rows), total) for name, rows, total in SEEDS.values()
    )


def test_amounts_keep_the_form_they_were_printed_in() -> None:
    fagaiju = department("tangshan-gxq-fagaiju.yaml")
    assert fagaiju.projects[0].budget.total.printed == "500万元"
    assert fagaiju.projects[-1].budget.total.printed == "188.51"  # the bare figure the README mentions
    assert fagaiju.projects[-1].budget.other is None  # a blank cell stays blank
    zunhua = department("zunhua-jingkaiqu.yaml")
    assert [p.budget.total.printed for p in zunhua.projects] == ["2.55", "29.00", "14.00", "27.00"]
    assert str(zunhua.projects[1].budget.total.value) == "29.00"


def test_cover_facts() -> None:
    chengde = department("chengde-gxq-jingkeju.yaml")
    assert chengde.reviewed_by == "高新区财政局"
    assert (chengde.unit.code, chengde.unit.name) == ("105001", "承德高新技术产业开发区经济与科技发展局本级")
    zunhua = department("zunhua-jingkaiqu.yaml")
    assert (zunhua.unit.code, zunhua.unit.name) == ("655001", "河北遵化经济开发区管理委员会本级")


def test_part_one_structure() -> None:
    fagaiju = department("tangshan-gxq-fagaiju.yaml").part_one
    assert [goal.title for goal in fagaiju.sub_goals][:2] == ["促进县级区域经济发展", "推进产业结构调整和转型升级"]
    assert fagaiju.sub_goals[0].goal == "促进沿海地区实现率先发展,推动京津冀协同发展。"
    assert len(fagaiju.measures) == 7
    assert (fagaiju.measures[0].label, fagaiju.measures[0].title) == ("（一）", "完善制度建设。")
    zunhua = department("zunhua-jingkaiqu.yaml").part_one.sub_goals[0]
    assert (zunhua.label, zunhua.title) == ("1.", "坚持规划引领，为高质量发展提供坚实支撑。")  # the 。 is printed


def test_printed_numbering_and_headings_are_data() -> None:
    """Each document's own numbering and headings, as printed (issue 17): nothing is renumbered."""
    kejiju = department("tangshan-gxq-kejiju.yaml")
    assert [goal.label for goal in kejiju.part_one.sub_goals] == ["（1）", "（二）"]  # the original mixes styles
    assert kejiju.headings.part_one == "2023年部门整体绩效目标" and kejiju.headings.part_two == ""
    chengde = department("chengde-gxq-jingkeju.yaml")
    assert [goal.label for goal in chengde.part_one.sub_goals] == ["1.", "2.", "3.", "4."]
    assert chengde.headings.part_one == "第一部分　部门整体绩效目标"
    supports = chengde.projects[-3].notes.headings
    assert (supports.basics, supports.targets) == ("一、基本情况", "二、绩效目标指标设置情况")
    assert supports.criteria == "(三) 评价标准"  # half-width brackets, as printed
    assert chengde.projects[-2].notes.headings.overview == "（一）基本概况"
    assert [(entry.position, entry.title) for entry in chengde.contents_only] == [(7, "商贸流通企业奖补绩效目标表")]


def test_separate_cells_stay_separate() -> None:
    """Seed 001's second table prints 社会效益指标 in two cells; seed 000's 一级指标 cells are merged."""
    rows = department("tangshan-gxq-kejiju.yaml").projects[1].indicators
    social = [row for row in rows if row.level2 == "社会效益指标"]
    assert len(social) == 2 and not social[1].merged_level2 and social[1].merged_level1
    first = department("tangshan-gxq-fagaiju.yaml").projects[0].indicators
    assert [row.merged_level1 for row in first[:4]] == [False, True, True, True]


def test_mistakes_are_kept_as_published() -> None:
    kejiju = department("tangshan-gxq-kejiju.yaml").projects[1]
    assert kejiju.name == "百川房屋租赁费"
    assert kejiju.title == "机器人产业扶持资金项目绩效目标表"  # the title names another project
    chengde = department("chengde-gxq-jingkeju.yaml").projects
    assert chengde[0].goals[0].text == "1.目标内容 1"
    satisfaction = [row.value for row in chengde[1].indicators if row.level1 == "满意度指标"]
    assert satisfaction == ["≤100 百分比"]


def test_codes_spending_plans_and_goals() -> None:
    chengde = department("chengde-gxq-jingkeju.yaml").projects
    assert chengde[0].code == "13081123P00004610002X"  # wrapped over two lines in the PDF export
    assert all("商贸流通" not in project.name for project in chengde)  # listed in the TOC, absent from the body
    fagaiju = department("tangshan-gxq-fagaiju.yaml").projects
    assert fagaiju[1].code == "————" and fagaiju[1].project_code is None
    assert [(c.label, c.value) for c in fagaiju[0].spending_plan] == [
        ("3月底", "0%"),
        ("6月底", "100%"),
        ("10月底", "100%"),
        ("12月底", "100%"),
    ]
    kejiju = department("tangshan-gxq-kejiju.yaml").projects
    assert [c.label for c in kejiju[0].spending_plan] == ["第一季度", "第二季度", "第三季度", "第四季度"]
    assert kejiju[2].spending_plan[-1].value == "100%"  # the [bookmark: _GoBack] artefact is gone
    assert [goal.label for goal in fagaiju[0].goals] == ["目标1", "目标2"]


def test_merged_indicator_cells_are_filled_down() -> None:
    rows = department("tangshan-gxq-kejiju.yaml").projects[0].indicators
    assert [(row.level1, row.level2) for row in rows[:2]] == [("产出指标", "数量指标"), ("产出指标", "数量指标")]
    assert rows[0].value == "≥60家"


def test_no_extraction_artefacts_remain() -> None:
    for path in DATA.glob("*.yaml"):
        text = path.read_text(encoding="utf-8")
        assert "[bookmark" not in text, path
        assert "\t" not in text, path
