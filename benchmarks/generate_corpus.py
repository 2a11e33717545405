"""Write N synthetic departments in the real data format, phrased from the sample documents.

Every synthetic department recombines the sample data's text (goals, measures, projects,
indicator rows, 说明) under a made-up department name, with unique 项目编码 and amounts,
so the site and its search index grow as they would with real documents. Same arguments,
same files.

    python benchmarks/generate_corpus.py 500 /tmp/corpus            # 500 departments x 15 projects
    python benchmarks/generate_corpus.py 100 /tmp/corpus --projects 12 --seed 7
"""

from __future__ import annotations

import argparse
import random
import shutil
import sys
from decimal import Decimal
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from builder.data.load import load_all
from builder.data.model import Department, Indicator, Notes, Project
from builder.importer.write import to_yaml

REGIONS = (
    "唐山高新区",
    "承德高新区",
    "遵化经开区",
    "迁安市",
    "滦州市",
    "丰润区",
    "路南区",
    "路北区",
    "开平区",
    "古冶区",
    "曹妃甸区",
    "丰南区",
    "乐亭县",
    "迁西县",
    "玉田县",
    "滦南县",
    "双桥区",
    "双滦区",
    "鹰手营子矿区",
    "兴隆县",
    "滦平县",
    "隆化县",
    "平泉市",
    "宽城县",
    "围场县",
    "丰宁县",
    "承德县",
    "涿州市",
    "定州市",
    "辛集市",
)
BUREAUS = (
    "发改局",
    "科技局",
    "财政局",
    "应急管理局",
    "民政局",
    "教育局",
    "卫健局",
    "农业农村局",
    "水务局",
    "住建局",
    "交通运输局",
    "商务局",
    "文旅局",
    "市场监管局",
    "统计局",
    "人社局",
    "自然资源局",
    "生态环境局",
    "退役军人事务局",
    "司法局",
    "城管局",
    "审批局",
    "医保局",
    "林业局",
    "残联",
)
TOPICS = (
    "救灾物资储备",
    "应急救灾物资采购",
    "高新技术企业培育",
    "科技型中小企业评价",
    "农村饮水安全",
    "城乡环境整治",
    "就业创业补贴",
    "养老服务补贴",
    "学前教育资助",
    "公共文化服务",
    "食品安全抽检",
    "安全生产监管",
    "森林防火",
    "河道治理",
    "道路养护",
    "招商引资",
    "统计调查",
    "信息化建设",
    "社区治理",
    "残疾人保障",
    "困难群众救助",
    "防汛抗旱",
    "农田水利建设",
    "职业技能培训",
)
KINDS = ("专项资金", "工作经费", "补助资金", "项目", "奖补资金")


def sample_departments(data_dir: Path) -> list[Department]:
    loaded, errors = load_all([data_dir])
    if errors or not loaded:
        raise SystemExit(f"需要 {data_dir} 中的样例数据（且须通过检查）才能生成语料")
    return [item.department for item in loaded]


TOWNS = (
    "城关镇",
    "新华街道",
    "建设街道",
    "胜利街道",
    "和平镇",
    "东风镇",
    "红旗乡",
    "前进乡",
    "东城街道",
    "西城街道",
    "南苑镇",
    "北关镇",
)
TOWN_OFFICES = (
    "人民政府",
    "财政所",
    "农业综合服务中心",
    "社会事务办公室",
    "综合行政执法队",
    "退役军人服务站",
    "便民服务中心",
)


def department_names(count: int) -> list[tuple[str, str]]:
    """(region, department name) pairs, all different: the regions' bureaus first, then their towns' offices."""
    pairs = [(region, f"{region}{bureau}") for bureau in BUREAUS for region in REGIONS]
    pairs += [(region, f"{region}{town}{office}") for office in TOWN_OFFICES for town in TOWNS for region in REGIONS]
    if count > len(pairs):
        raise SystemExit(f"最多可生成 {len(pairs)} 个部门")
    return pairs[:count]


def amount(rng: random.Random) -> tuple[str, Decimal]:
    """A 预算数 printed as the documents do: `500万元` or `188.51`."""
    value = Decimal(rng.randrange(50, 300_000)) / 100
    return (f"{value.normalize():f}万元" if rng.random() < 0.4 else f"{value:.2f}"), value


def budget(rng: random.Random) -> dict[str, str]:
    total, _ = amount(rng)
    if rng.random() < 0.8:
        return {"total": total, "fiscal": total}
    return {"total": total}


def indicator_rows(indicators: list[Indicator], topic: str) -> list[dict[str, Any]]:
    """The sample's rows, merged cells left out as the authors write them, the first row about the topic."""
    rows, previous = [], None
    for index, row in enumerate(indicators):
        item: dict[str, Any] = {}
        if previous is None or row.level1 != previous.level1:
            item["level1"] = row.level1
            item["level2"] = row.level2
        elif row.level2 != previous.level2:
            item["level2"] = row.level2
        item["name"] = f"{topic}完成率" if index == 0 else row.name
        for field in ("description", "value", "basis"):
            if getattr(row, field):
                item[field] = getattr(row, field)
        rows.append(item)
        previous = row
    return rows


def notes(source: Notes | None, name: str) -> dict[str, Any] | None:
    if source is None:
        return None
    data = source.model_dump(exclude_defaults=True)
    data["title"] = f"关于{name}绩效目标指标的说明"
    return data


def code(rng: random.Random, department_index: int, number: int, year: int) -> str:
    """A unique 项目编码 shaped like the real ones (`13081123P00002510002R`)."""
    return (
        f"13{department_index:04d}{year % 100:02d}P{number:05d}{rng.randrange(10**5):05d}{rng.choice('ABCDHKMNPRUWX')}"
    )


def project(rng: random.Random, base: Project, project_code: str, year: int) -> dict[str, Any]:
    topic = rng.choice(TOPICS)
    name = f"{year}年{topic}{rng.choice(KINDS)}" if rng.random() < 0.7 else f"{base.name}（{topic}）"
    data: dict[str, Any] = {"code": project_code, "name": name, "budget": budget(rng)}
    if base.purpose:
        data["purpose"] = f"用于{topic}。{base.purpose}"
    if base.spending_plan:
        data["spending_plan"] = [checkpoint.model_dump(exclude_none=True) for checkpoint in base.spending_plan]
    if base.goals:
        data["goals"] = [goal.model_dump(exclude_none=True) for goal in base.goals]
    note = notes(base.notes, name)
    if note:
        data["notes"] = note
    data["indicators"] = indicator_rows(base.indicators, topic)
    return data


def department(
    rng: random.Random, samples: list[Department], index: int, names: tuple[str, str], projects: int
) -> dict[str, Any]:
    region, name = names
    part_one = rng.choice(samples).part_one.model_dump(exclude_none=True)
    all_projects = [p for sample in samples for p in sample.projects]
    year = samples[0].year
    return {
        "department": name,
        "year": year,
        "region": region,
        "prepared_by": name,
        "amount_unit": "万元",
        "source": "合成数据（benchmarks/generate_corpus.py），仅用于测试网站规模",
        "part_one": part_one,
        "projects": [
            project(rng, rng.choice(all_projects), code(rng, index, number, year), year)
            for number in range(1, projects + 1)
        ],
    }


def generate(count: int, out_dir: Path, data_dir: Path, projects: int = 15, seed: int = 2023) -> list[Path]:
    """Write `count` departments to `out_dir/<year>/dept-NNNN.yaml`, replacing what was there."""
    samples = sample_departments(data_dir)
    rng = random.Random(seed)
    year_dir = out_dir / str(samples[0].year)
    if out_dir.exists():
        shutil.rmtree(out_dir)
    year_dir.mkdir(parents=True)
    written = []
    for index, names in enumerate(department_names(count), start=1):
        path = year_dir / f"dept-{index:04d}.yaml"
        path.write_text(to_yaml(department(rng, samples, index, names, projects)), encoding="utf-8")
        written.append(path)
    return written


def main() -> None:
    parser = argparse.ArgumentParser(
        description="生成 N 个合成部门的数据文件（格式与真实数据相同），用于测试网站规模。"
    )
    parser.add_argument("count", type=int, help="部门数")
    parser.add_argument("out", type=Path, help="输出文件夹（会被清空），如 /tmp/corpus")
    parser.add_argument("--projects", type=int, default=15, help="每个部门的项目数，默认 15")
    parser.add_argument("--data", type=Path, default=Path("data"), help="样例数据文件夹，默认 data/")
    parser.add_argument("--seed", type=int, default=2023, help="随机数种子，默认 2023")
    args = parser.parse_args()
    written = generate(args.count, args.out, args.data, args.projects, args.seed)
    print(f"已写入 {len(written)} 个部门到 {args.out}")


if __name__ == "__main__":
    main()
