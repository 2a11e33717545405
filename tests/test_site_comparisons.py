"""The year page compares departments, the department page compares years: charts with their figures as tables."""

import re
import shutil
from decimal import Decimal
from pathlib import Path

from builder.data.load import load_all
from builder.site.pages import site_pages

DATA = Path(__file__).resolve().parent.parent / "data"


def pages_of(data_dir: Path) -> dict[str, str]:
    loaded, errors = load_all([data_dir])
    assert errors == []
    return {page.path: page.text for page in site_pages(loaded, with_pdf=False)}


def test_year_page_table_totals_equal_the_sum_of_projects() -> None:
    year_page = pages_of(DATA)["2023/index.md"]
    assert "各部门预算数比较" in year_page
    assert 'role="img" aria-label="2023 年各部门项目预算数合计（万元）：高新区科技局 4253 万元；' in year_page
    table = year_page[year_page.index("从大到小") :]
    body = table[: table.index("<tfoot>")]
    rows = re.findall(r'<td class="bp-number">(\d+)</td><td class="bp-number">([\d.]+)</td></tr>', body)
    assert [Decimal(total) for _, total in rows] == sorted(
        [Decimal("4253"), Decimal("3050.50"), Decimal("1848.51"), Decimal("72.55")], reverse=True
    )
    assert '<td class="bp-number">28</td><td class="bp-number">9224.56</td>' in table  # 合计: every project


def test_a_department_published_in_two_years_gets_a_comparison(tmp_path: Path) -> None:
    shutil.copytree(DATA, tmp_path / "data")
    earlier = tmp_path / "data" / "2022"
    earlier.mkdir()
    text = (DATA / "2023" / "zunhua-jingkaiqu.yaml").read_text(encoding="utf-8")
    text = text.replace("year: 2023", "year: 2022").replace("total: '14.00'", "total: '12.00'")
    (earlier / "zunhua-jingkaiqu.yaml").write_text(text, encoding="utf-8")
    department = pages_of(tmp_path / "data")["2023/zunhua-jingkaiqu/index.md"]
    assert "历年比较" in department
    assert '历年项目预算数合计（万元）：2022 年 70.55 万元；2023 年 72.55 万元"' in department  # read out whole
    assert '<td><a href="../../2022/zunhua-jingkaiqu/">2022</a></td><td>4</td><td>70.55</td>' in department
    assert '本部门其他年度：<a href="../../2022/zunhua-jingkaiqu/">2022年</a>' in department  # near the top
    assert "<td>2023</td><td>4</td><td>72.55</td>" in department
    assert "<td>招商经费</td><td>项目编码</td><td>12.00</td><td>14.00</td>" in department


def test_a_department_with_one_year_has_no_comparison() -> None:
    assert "历年比较" not in pages_of(DATA)["2023/zunhua-jingkaiqu/index.md"]


def test_a_year_of_many_departments_compares_its_largest_and_lists_all(tmp_path: Path) -> None:
    """A province's year: the chart and its table show the 30 largest, the department table every one, sortable."""
    shutil.copytree(DATA, tmp_path / "data")
    text = (DATA / "2023" / "zunhua-jingkaiqu.yaml").read_text(encoding="utf-8")
    for number in range(1, 32):  # 31 more departments: 35 in all, each 72.55 万元 plus its number
        copy = text.replace("department: 河北遵化经济开发区管理委员会", f"department: 遵化经开区第{number}局").replace(
            "total: '14.00'", f"total: '{14 + number}.00'"
        )
        assert copy.count(f"第{number}局") == 1
        (tmp_path / "data" / "2023" / f"zunhua-{number}.yaml").write_text(copy, encoding="utf-8")
    year_page = pages_of(tmp_path / "data")["2023/index.md"]
    chart = year_page[
        year_page.index('class="bp-bars"') : year_page.index("</div>\n", year_page.index('class="bp-bars"'))
    ]
    assert chart.count("bp-bars__row") == 30
    assert (
        'aria-label="2023 年预算数最大的 30 个部门（共 35 个）的项目预算数合计（万元）：高新区科技局 4253 万元；'
        in chart
    )
    table = year_page[year_page.index("从大到小") :]
    body = table[: table.index("<tfoot>")]
    shown = re.findall(r'<td class="bp-number">(\d+)</td><td class="bp-number">([\d.]+)</td></tr>', body)
    assert len(shown) == 30 and Decimal(shown[-1][1]) == Decimal("72.55") + 5  # the 30th: 第5局
    every = Decimal("9224.56") + sum(Decimal("72.55") + number for number in range(1, 32))
    footer = f'全部 35 个部门合计</th><td class="bp-number">{28 + 31 * 4}</td><td class="bp-number">{every}</td>'
    assert footer in table
    assert '这里只比较预算数最大的 30 个部门。全部 35 个部门见上方的<a href="#departments-2023">各部门表</a>' in table
    listing = year_page[
        year_page.index('<table id="departments-2023" data-bp-sortable') : year_page.index("各部门预算数比较")
    ]
    assert listing.count('<tr><th scope="row">') == 35  # every department, with its total
    assert '<th scope="col" data-sort="number" class="bp-number">预算数合计（万元）</th>' in listing
