"""The admin's settings in mkdocs.yml: checked with messages naming the key, and used by pages and PDFs."""

from __future__ import annotations

import dataclasses
import io
import shutil
from pathlib import Path

import pytest
from pypdf import PdfReader

from builder.config import PdfOptions, SiteConfig, load_site_config
from builder.errors import BuilderError
from builder.pipeline.build import MKDOCS_CONFIG, build

ROOT = Path(__file__).resolve().parent.parent
SMALL = "2023/zunhua-jingkaiqu"  # one department of the sample data
MM_PER_POINT = 25.4 / 72


def write_config(tmp_path: Path, extra: str, site_name: str = "测试网站") -> Path:
    path = tmp_path / "mkdocs.yml"
    path.write_text(f"site_name: {site_name}\nextra:\n{extra}", encoding="utf-8")
    return path


def test_the_projects_own_settings_are_valid() -> None:
    config = load_site_config(MKDOCS_CONFIG)
    assert config.publisher
    assert config.pdf == PdfOptions("A4", "serif")
    assert config.quality_report_public is True


def test_every_setting_is_read(tmp_path: Path) -> None:
    (tmp_path / "theme" / "assets").mkdir(parents=True)
    (tmp_path / "theme" / "assets" / "logo.png").write_bytes(b"png")
    extra = (
        "  publisher: 唐山市财政局\n  region: 唐山市\n  contact: 电话 0315-1234567\n"
        "  logo: theme/assets/logo.png\n  base_url: https://czj.example.gov.cn/yusuan\n"
        "  years: [2024, 2023]\n  quality_report_public: false\n  pdf: {paper: A3, font: sans}\n"
    )
    config = load_site_config(write_config(tmp_path, extra), root=tmp_path)
    assert config == SiteConfig(
        "测试网站",
        "唐山市财政局",
        "唐山市",
        "电话 0315-1234567",
        "theme/assets/logo.png",
        "https://czj.example.gov.cn/yusuan/",
        (2023, 2024),
        False,
        PdfOptions("A3", "sans"),
    )
    assert config.logo_url == "assets/logo.png"
    assert config.publishes(2023) and not config.publishes(2022)


def test_defaults_when_extra_is_empty(tmp_path: Path) -> None:
    assert load_site_config(write_config(tmp_path, "  generator: false\n")) == SiteConfig("测试网站")


def test_every_bad_value_is_reported_by_its_key(tmp_path: Path) -> None:
    extra = (
        "  publisher: [a, b]\n  logo: /etc/passwd\n  base_url: czj.example.gov.cn\n"
        "  years: 2023\n  quality_report_public: 'no'\n  pdf: {paper: A0, font: kai}\n"
    )
    with pytest.raises(BuilderError) as raised:
        load_site_config(write_config(tmp_path, extra))
    message = str(raised.value)
    for key in [
        "extra.publisher",
        "extra.logo",
        "extra.base_url",
        "extra.years",
        "extra.quality_report_public",
        "extra.pdf.paper",
        "extra.pdf.font",
    ]:
        assert f"{key}: " in message
    assert "纸张应为 A3、A4、A5、B5、Letter 之一，收到 'A0'" in message
    assert "7 处问题" in message


def test_a_site_address_with_chinese_is_percent_encoded_and_a_space_named(tmp_path: Path) -> None:
    """A sitemap's <loc> and the canonical links need ASCII; a space got "应为以 https:// … 开头的地址"."""
    written = write_config(tmp_path, "  base_url: https://czj.example.gov.cn/政务公开/预算%202023\n")
    assert (
        load_site_config(written).base_url
        == "https://czj.example.gov.cn/%E6%94%BF%E5%8A%A1%E5%85%AC%E5%BC%80/%E9%A2%84%E7%AE%97%202023/"
    )
    with pytest.raises(BuilderError, match=r"地址中不能有空格、引号或尖括号（空格请写成 %20）"):
        load_site_config(write_config(tmp_path, "  base_url: https://czj.example.gov.cn/政务公开/预算 2023\n"))


def test_a_missing_logo_file_is_named(tmp_path: Path) -> None:
    with pytest.raises(BuilderError, match=r"extra\.logo: 找不到图片文件 content/logo\.png"):
        load_site_config(write_config(tmp_path, "  logo: content/logo.png\n"), root=tmp_path)


def test_a_yaml_error_in_the_settings_is_reported(tmp_path: Path) -> None:
    path = tmp_path / "mkdocs.yml"
    path.write_text("extra: [unclosed\n", encoding="utf-8")
    with pytest.raises(BuilderError, match=r"mkdocs.yml:2: 网站配置文件有误：YAML 语法错误：方括号 \[ \] 没有闭合"):
        load_site_config(path)


def test_publisher_and_paper_reach_every_page_and_the_pdf(tmp_path: Path) -> None:
    data = tmp_path / "data"
    (data / "2023").mkdir(parents=True)
    shutil.copy(ROOT / "data" / f"{SMALL}.yaml", data / "2023")
    config = dataclasses.replace(
        load_site_config(MKDOCS_CONFIG),
        publisher="唐山市财政局",
        contact="联系电话：0315-7654321",
        site_name="唐山市部门预算公开",
        pdf=PdfOptions("A3", "sans"),
    )
    site = tmp_path / "site"
    build(data, site, jobs=1, generated_dir=tmp_path / "generated", site_config=config)
    department_page = (site / SMALL / "index.html").read_text(encoding="utf-8")
    assert "发布单位：唐山市财政局" in department_page
    assert "联系电话：0315-7654321" in department_page
    assert "唐山市部门预算公开" in department_page
    assert "唐山市财政局" in (site / "index.html").read_text(encoding="utf-8")
    [pdf_path] = site.rglob("*.pdf")
    reader = PdfReader(io.BytesIO(pdf_path.read_bytes()))
    assert "唐山市财政局发布" in reader.pages[0].extract_text()
    width, height = (float(side) * MM_PER_POINT for side in reader.pages[0].mediabox[2:])
    assert (round(width), round(height)) == (297, 420)


def test_only_the_configured_years_are_published(tmp_path: Path) -> None:
    with pytest.raises(BuilderError, match=r"只公开 2099 年度，.*没有这些年度的数据文件（有 2023 年度 4 个部门）"):
        config = dataclasses.replace(load_site_config(MKDOCS_CONFIG), years=(2099,))
        build(ROOT / "data", tmp_path / "site", with_pdf=False, generated_dir=tmp_path / "gen", site_config=config)


def test_every_setting_is_documented_in_chinese() -> None:
    page = (ROOT / "docs" / "configuration.md").read_text(encoding="utf-8")
    settings = (ROOT / "mkdocs.yml").read_text(encoding="utf-8")
    from builder.config import EXTRA_KEYS

    keys = [f"extra.{name}" for name in EXTRA_KEYS if name not in ("pdf", "conac")]
    keys += ["extra.pdf.paper", "extra.pdf.font", "extra.conac.image", "site_name", "site_url", "site_dir"]
    for key in keys:
        assert f"`{key}`" in page, key
        if key != "extra.base_url":  # the older spelling of site_url
            assert f"{key.split('.')[-1]}:" in settings, key
    assert "docs/configuration.md" in settings


def test_a_misspelt_key_names_the_closest_known_one(tmp_path: Path) -> None:
    extra = "  pubisher: 唐山市财政局\n  quality_report_publik: false\n  pdf: {paper: A4, fnot: sans}\n"
    with pytest.raises(BuilderError) as raised:
        load_site_config(write_config(tmp_path, extra))
    message = str(raised.value)
    assert (
        f"{tmp_path / 'mkdocs.yml'}:3 extra.pubisher: 不认识这个设置（写错了不会生效）— 是不是 publisher？" in message
    )
    assert "extra.quality_report_publik: 不认识这个设置（写错了不会生效）— 是不是 quality_report_public？" in message
    assert "extra.pdf.fnot: 不认识这个设置（写错了不会生效）— 是不是 font？" in message
    assert "3 处问题" in message


def test_an_unknown_key_far_from_any_lists_the_known_ones(tmp_path: Path) -> None:
    with pytest.raises(BuilderError, match=r"extra\.analytics: .*可用的设置：generator、publisher"):
        load_site_config(write_config(tmp_path, "  analytics: {provider: google}\n"))


@pytest.mark.parametrize("value", ["0315", "12:30", "yes", "0x1F", "1e3", "2023-02-10", "~ 备注"])
def test_text_stays_as_written_whatever_yaml_11_makes_of_it(tmp_path: Path, value: str) -> None:
    config = load_site_config(write_config(tmp_path, f"  contact: {value}\n  region: {value}\n"))
    assert (config.contact, config.region) == (value, value)


@pytest.mark.parametrize(
    "line",
    [
        "  contact: '<a href=\"tel:0315\">电话</a>'\n",
        "  publisher: 某某局<br>\n",
        "  icp: 冀ICP备1号&nbsp;\n",
    ],
)
def test_html_in_footer_text_is_refused_with_the_csp_reason(tmp_path: Path, line: str) -> None:
    with pytest.raises(BuilderError, match=r"不能写 HTML 标记或字符实体.*内容安全策略（CSP）"):
        load_site_config(write_config(tmp_path, line))


def test_html_in_copyright_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "mkdocs.yml"
    path.write_text("copyright: '&copy; 2024 <b>某某局</b>'\n", encoding="utf-8")
    with pytest.raises(BuilderError, match=r"mkdocs\.yml:1 copyright: 不能写 HTML"):
        load_site_config(path)


def test_site_url_is_the_address_and_site_dir_the_output(tmp_path: Path) -> None:
    path = tmp_path / "mkdocs.yml"
    path.write_text("site_url: https://czj.example.gov.cn/budget\nsite_dir: public\n", encoding="utf-8")
    config = load_site_config(path)
    assert (config.base_url, config.site_dir) == ("https://czj.example.gov.cn/budget/", "public")
    path.write_text("site_url: https://a.example/\nextra:\n  base_url: https://b.example/\n", encoding="utf-8")
    with pytest.raises(BuilderError, match=r"extra\.base_url: 与 site_url 不同"):
        load_site_config(path)


def test_government_footer_fields_are_read(tmp_path: Path) -> None:
    (tmp_path / "theme" / "assets").mkdir(parents=True)
    (tmp_path / "theme" / "assets" / "conac.png").write_bytes(b"png")
    extra = (
        "  sponsor: 唐山市人民政府办公室\n  organizer: 唐山市财政局\n  site_code: 1302000001\n"
        "  icp: 冀ICP备12345678号-1\n  police_record: 冀公网安备 13020302000123号\n"
        "  conac: {image: theme/assets/conac.png, link: 'https://bszs.conac.cn/sitename?method=show&id=1'}\n"
        "  correction_url: mailto:jiucuo@example.gov.cn\n"
    )
    config = load_site_config(write_config(tmp_path, extra), root=tmp_path)
    assert (config.sponsor, config.organizer, config.site_code) == (
        "唐山市人民政府办公室",
        "唐山市财政局",
        "1302000001",
    )
    assert config.icp_link == "https://beian.miit.gov.cn/"
    assert config.police_link == "https://beian.mps.gov.cn/#/query/webSearch?code=13020302000123"
    assert (config.conac_image_url, config.police_icon_url) == ("assets/conac.png", "assets/budget/gongan.svg")
    with pytest.raises(BuilderError, match=r"extra\.conac: image（标识图片）和 link（标识网址）都要写"):
        load_site_config(write_config(tmp_path, "  conac: {image: theme/assets/conac.png}\n"), root=tmp_path)
    with pytest.raises(BuilderError, match=r"extra\.correction_url: 应为以 https://"):
        load_site_config(write_config(tmp_path, "  correction_url: javascript:alert(1)\n"))


def test_mkdocs_env_tags_are_read(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "mkdocs.yml"
    path.write_text(
        "site_url: !ENV [BUDGET_SITE_URL, 'https://default.example/']\nextra:\n  publisher: !ENV BUDGET_PUBLISHER\n"
    )
    assert (load_site_config(path).base_url, load_site_config(path).publisher) == ("https://default.example/", "")
    monkeypatch.setenv("BUDGET_SITE_URL", "https://czj.example.gov.cn/budget/")
    monkeypatch.setenv("BUDGET_PUBLISHER", "唐山市财政局")
    config = load_site_config(path)
    assert (config.base_url, config.publisher) == ("https://czj.example.gov.cn/budget/", "唐山市财政局")


def test_a_misspelt_top_level_key_is_caught_too(tmp_path: Path) -> None:
    path = tmp_path / "mkdocs.yml"
    path.write_text(
        "site_name: 测试\nsite_ur: https://czj.example.gov.cn/\nextras:\n  publisher: 某某局\n", encoding="utf-8"
    )
    with pytest.raises(BuilderError) as raised:
        load_site_config(path)
    assert f"{path}:2 site_ur: 不认识这个设置（写错了不会生效）— 是不是 site_url？" in str(raised.value)
    assert f"{path}:3 extras: 不认识这个设置（写错了不会生效）— 是不是 extra？" in str(raised.value)


def test_mkdocs_settings_the_builder_depends_on_are_refused_not_ignored(tmp_path: Path) -> None:
    path = tmp_path / "mkdocs.yml"
    path.write_text("docs_dir: docs\nuse_directory_urls: false\n", encoding="utf-8")
    with pytest.raises(BuilderError) as raised:
        load_site_config(path)
    assert f"{path}:1 docs_dir: 本项目中只能是 content" in str(raised.value)
    assert f"{path}:2 use_directory_urls: 本项目中只能是 true" in str(raised.value)
