"""Read the admin's settings (`mkdocs.yml`: `site_name`, `site_url`, `site_dir` and `extra:`) into one `SiteConfig`.

The build, the pages and the PDF all take their publisher name, years, paper and font from
here, so one edit in mkdocs.yml changes every page and every PDF. A bad value raises a
BuilderError whose Chinese message names the line and the key (all problems at once).

Every `extra:` key must be one this module knows: a typo (`pubisher`) is an error naming
the closest known key, not a setting silently ignored. Values that are text are read as
written in the file, whatever YAML 1.1 makes of them (`0315` is not the octal 205, `12:30`
not the base-60 750, `yes` not true). Footer texts may not contain HTML: the templates
escape them, and markup or inline styles would be blocked by the site's CSP anyway.
"""

from __future__ import annotations

import difflib
import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlsplit, urlunsplit

import yaml

from . import PROJECT_ROOT
from .data.encodings import guess_encoding, iconv_hint, looks_like
from .data.yamlread import describe_yaml_error
from .errors import BuilderError
from .pipeline.outdir import escapes

PAPER_SIZES = ("A3", "A4", "A5", "B5", "Letter")
FONTS = {"serif": "Noto Serif CJK SC", "sans": "Noto Sans CJK SC"}  # 宋体类 / 黑体类
LOGO_FOLDERS = ("content/", "theme/assets/")  # MkDocs publishes content/x and theme/x both as x
GUIDE = "docs/configuration.md"
ICP_SITE = "https://beian.miit.gov.cn/"  # 工业和信息化部 ICP/IP 地址/域名信息备案管理系统
POLICE_SITE = "https://beian.mps.gov.cn/#/query/webSearch?code="  # 全国互联网安全管理服务平台
POLICE_ICON = "theme/assets/budget/gongan.svg"
MARKUP = re.compile(r"<[A-Za-z/!?]|&(#\d+|#x[0-9A-Fa-f]+|[A-Za-z]+);")

# Every key `extra:` may hold, with what it is (the messages name it). `generator` is Material's own.
EXTRA_KEYS = {
    "generator": "页脚是否显示“Made with Material”（应为 false）",
    "publisher": "发布单位",
    "region": "地区",
    "contact": "联系方式",
    "logo": "标志图片",
    "base_url": "网站正式地址（旧写法，请改用 site_url）",
    "years": "公开哪些年度",
    "quality_report_public": "是否公开数据质量报告",
    "pdf": "PDF 纸张和字体",
    "sponsor": "主办单位",
    "organizer": "承办单位",
    "site_code": "网站标识码",
    "icp": "ICP 备案号",
    "police_record": "公安机关备案号",
    "police_icon": "公安机关备案图标",
    "conac": "党政机关网站标识",
    "correction_url": "“纠错”链接",
}
PDF_KEYS = ("paper", "font")
CONAC_KEYS = ("image", "link")


@dataclass(frozen=True)
class PdfOptions:
    """Paper size and body font of the printed 部门预算绩效文本."""

    paper: str = "A4"
    font: str = "serif"

    @property
    def font_family(self) -> str:
        return FONTS[self.font]


@dataclass(frozen=True)
class SiteConfig:
    """Everything an admin sets for one site."""

    site_name: str = "部门预算绩效文本公开"
    publisher: str = ""
    region: str = ""
    contact: str = ""
    logo: str = ""  # path from the project root, e.g. theme/assets/logo.png
    base_url: str = ""  # site_url, e.g. https://czj.example.gov.cn/yusuan/ ; empty: relative links only
    years: tuple[int, ...] = ()  # empty: every year in data/
    quality_report_public: bool = True
    pdf: PdfOptions = field(default_factory=PdfOptions)
    # Chinese government-site footer (docs/configuration.md, 政府网站页脚)
    sponsor: str = ""  # 主办单位
    organizer: str = ""  # 承办单位
    site_code: str = ""  # 网站标识码
    icp: str = ""  # ICP备案号, linked to the MIIT filing system
    police_record: str = ""  # 公安机关备案号
    police_icon: str = POLICE_ICON  # its icon (self-hosted)
    conac_image: str = ""  # 党政机关网站标识: the image (self-hosted) …
    conac_link: str = ""  # … and the address of the site's entry at 中国机构编制网
    correction_url: str = ""  # where the “纠错” link goes (https:// or mailto:)
    site_dir: str = "site"

    @property
    def logo_url(self) -> str:
        """The logo's path inside the site (what Material's `theme.logo` expects)."""
        return _site_path(self.logo)

    @property
    def police_icon_url(self) -> str:
        return _site_path(self.police_icon)

    @property
    def conac_image_url(self) -> str:
        return _site_path(self.conac_image)

    @property
    def police_link(self) -> str:
        """The 公安机关备案号's entry on the national platform: the number's digits are its code."""
        digits = "".join(re.findall(r"\d", self.police_record))
        return POLICE_SITE + digits if digits else ""

    @property
    def icp_link(self) -> str:
        return ICP_SITE

    def publishes(self, year: int) -> bool:
        return not self.years or year in self.years


def _site_path(path: str) -> str:
    return path.split("/", 1)[1] if path else ""


class _TolerantLoader(yaml.SafeLoader):
    """mkdocs.yml may carry `!!python/name:` or `!ENV` tags; read them as nothing."""


_TolerantLoader.add_multi_constructor("", lambda loader, suffix, node: None)


@dataclass
class _Reader:
    """The settings as YAML nodes, so that text is taken as written and problems carry their line."""

    path: Path
    problems: list[str] = field(default_factory=list)

    def problem(self, node: yaml.Node | None, key: str, message: str) -> None:
        line = f":{node.start_mark.line + 1}" if node is not None else ""
        self.problems.append(f"{self.path}{line} {key}: {message}")

    def text(self, node: yaml.Node | None, key: str, *, markup: bool = False) -> str:
        """A text value as written in the file (a YAML 1.1 number, time or boolean stays its source text)."""
        if node is not None and node.tag == "!ENV":
            node = _environment(node)
        if node is None or node.tag.endswith(":null"):
            return ""
        if not isinstance(node, yaml.ScalarNode):
            self.problem(node, key, "应为一行文字")
            return ""
        value = str(node.value).strip()
        if not markup and MARKUP.search(value):
            self.problem(
                node,
                key,
                f"不能写 HTML 标记或字符实体（收到 {value!r}）：页面按文字原样显示，"
                "内联样式和脚本也会被网站的内容安全策略（CSP）拦截；请直接写文字，如 ©",
            )
            return ""
        return value


def _environment(node: yaml.Node) -> yaml.Node | None:
    """MkDocs' `!ENV NAME` or `!ENV [NAME, OTHER, default]`: the first variable set, else the default."""
    items = node.value if isinstance(node, yaml.SequenceNode) else [node]
    names = [item for item in items if isinstance(item, yaml.ScalarNode)]
    for item in names[:-1] if len(names) > 1 else names:
        if item.value in os.environ:
            return yaml.ScalarNode("tag:yaml.org,2002:str", os.environ[item.value], item.start_mark, item.end_mark)
    return names[-1] if len(names) > 1 else None


def _mapping(node: yaml.Node | None) -> dict[str, tuple[yaml.Node, yaml.Node]]:
    """A mapping node's entries: key text → (key node, value node)."""
    if not isinstance(node, yaml.MappingNode):
        return {}
    return {str(key.value): (key, value) for key, value in node.value if isinstance(key, yaml.ScalarNode)}


def load_site_config(path: Path, root: Path = PROJECT_ROOT) -> SiteConfig:
    """Read and check the settings in `path` (mkdocs.yml); raise BuilderError listing every bad key."""
    try:
        text = read_config_text(path, root)
    except OSError as error:
        raise BuilderError(f"读不到网站配置文件 {path}：{error.strerror}") from None
    try:
        node = yaml.compose(text, Loader=_TolerantLoader)
        raw = yaml.load(text, Loader=_TolerantLoader) or {}
    except yaml.YAMLError as error:
        line, message, hint = describe_yaml_error(error)
        raise BuilderError(f"{path}:{line}: 网站配置文件有误：{message} — {hint}") from None
    if node is not None and not isinstance(node, yaml.MappingNode):
        raise BuilderError(f"网站配置文件 {path} 应为“键: 值”的形式")
    reader = _Reader(path)
    top = _mapping(node)
    extra_node = top.get("extra", (None, None))[1]
    if extra_node is not None and not isinstance(extra_node, yaml.MappingNode) and not extra_node.tag.endswith(":null"):
        reader.problem(extra_node, "extra", "应为一组“键: 值”设置")
    extra = _mapping(extra_node)
    _unknown_keys(reader, top, _mkdocs_keys(), "")
    _unknown_keys(reader, extra, EXTRA_KEYS, "extra")
    value = {key: entry[1] for key, entry in extra.items()}
    conac_image, conac_link = _conac(reader, value.get("conac"), root)
    config = SiteConfig(
        site_name=reader.text(top.get("site_name", (None, None))[1], "site_name") or SiteConfig.site_name,
        publisher=reader.text(value.get("publisher"), "extra.publisher"),
        region=reader.text(value.get("region"), "extra.region"),
        contact=reader.text(value.get("contact"), "extra.contact"),
        logo=_image(reader, value.get("logo"), "extra.logo", root),
        base_url=_site_url(reader, top.get("site_url", (None, None))[1], value.get("base_url")),
        years=_years(reader, value.get("years")),
        quality_report_public=_flag(reader, value.get("quality_report_public"), "extra.quality_report_public"),
        pdf=_pdf(reader, value.get("pdf")),
        sponsor=reader.text(value.get("sponsor"), "extra.sponsor"),
        organizer=reader.text(value.get("organizer"), "extra.organizer"),
        site_code=reader.text(value.get("site_code"), "extra.site_code"),
        icp=reader.text(value.get("icp"), "extra.icp"),
        police_record=reader.text(value.get("police_record"), "extra.police_record"),
        police_icon=_image(reader, value.get("police_icon"), "extra.police_icon", root) or POLICE_ICON,
        conac_image=conac_image,
        conac_link=conac_link,
        correction_url=_link(reader, value.get("correction_url"), "extra.correction_url", mail=True),
        site_dir=reader.text(top.get("site_dir", (None, None))[1], "site_dir") or "site",
    )
    _copyright(reader, top.get("copyright", (None, None))[1])
    _fixed(reader, top)
    reader.problems += [f"{path}: {problem}" for problem in configured_paths_outside(raw, path.parent, root)]
    if reader.problems:
        listing = "\n".join(reader.problems)
        raise BuilderError(f"{listing}\n网站配置有 {len(reader.problems)} 处问题；网站没有更新。说明见 {GUIDE}")
    return config


def _unknown_keys(reader: _Reader, entries: dict[str, tuple[yaml.Node, yaml.Node]], known: Any, where: str) -> None:
    for key, (key_node, _) in entries.items():
        if key in known:
            continue
        close = difflib.get_close_matches(key, list(known), n=1, cutoff=0.6)
        hint = f"是不是 {close[0]}？" if close else f"可用的设置：{'、'.join(known)}"
        name = f"{where}.{key}" if where else key
        reader.problem(key_node, name, f"不认识这个设置（写错了不会生效）— {hint}")


def read_config_text(path: Path, root: Path = PROJECT_ROOT) -> str:
    """mkdocs.yml as text: it must lie in the project (no symlink out of it) and be UTF-8, else a located error."""
    target = escapes(path, [root, path.parent])
    if target is not None:
        raise BuilderError(f"网站配置文件 {path} 是指向项目以外的链接（{target}）— 请把文件放在项目文件夹中")
    raw = path.read_bytes()
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = raw[: error.start].count(b"\n") + 1
        encoding = guess_encoding(raw)
        raise BuilderError(
            f"{path}:{line}: 网站配置文件不是 UTF-8 编码（{looks_like(encoding)}） — {iconv_hint(encoding, str(path))}"
        ) from None


def configured_paths_outside(raw: dict[str, Any], base: Path, root: Path = PROJECT_ROOT) -> list[str]:
    """Folders and files mkdocs.yml names (docs_dir, theme.custom_dir, hooks, extra_css…) that lie outside the project.

    MkDocs publishes what they hold, so one pointing elsewhere (`docs_dir: /etc`, a symlink) would leak it.
    """
    theme = raw.get("theme") if isinstance(raw.get("theme"), dict) else {}
    docs_dir = raw.get("docs_dir", "docs")
    named: list[tuple[str, Any, Path]] = [
        ("docs_dir", docs_dir, base),
        ("theme.custom_dir", theme.get("custom_dir"), base),
    ]
    named += [("INHERIT", raw.get("INHERIT"), base)]
    named += [("hooks", hook, base) for hook in _as_list(raw.get("hooks"))]
    docs = base / docs_dir if isinstance(docs_dir, str) else base
    for key in ("extra_css", "extra_javascript"):
        for item in _as_list(raw.get(key)):
            named.append((key, item.get("path") if isinstance(item, dict) else item, docs))
    named += [(f"theme.{key}", theme.get(key), docs) for key in ("logo", "favicon")]
    problems = []
    for key, value, folder in named:
        if not isinstance(value, str) or not value or "://" in value or value.startswith("//"):
            continue
        target = escapes(folder / value, [root, base])
        if target is not None:
            problems.append(f"{key}: {value} 在项目文件夹以外（{target}），其中的文件会被发布 — 请放在项目文件夹中")
    return problems


def _as_list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else ([] if value is None else [value])


def text_file_problems(folder: Path, suffixes: tuple[str, ...]) -> list[str]:
    """Files under `folder` with one of `suffixes` that are not UTF-8 (MkDocs and Jinja read them as UTF-8 and fail
    with no file named): each named with its line and the encoding it looks like."""
    problems = []
    for file in sorted(_files_outside_generated(folder)):
        if file.suffix not in suffixes or not file.is_file():
            continue
        raw = file.read_bytes()
        try:
            raw.decode("utf-8")
        except UnicodeDecodeError as error:
            line = raw[: error.start].count(b"\n") + 1
            encoding = guess_encoding(raw)
            problems.append(
                f"{file}:{line}: 不是 UTF-8 编码（{looks_like(encoding)}） — {iconv_hint(encoding, file.name)}"
            )
    return problems


def _files_outside_generated(folder: Path) -> list[Path]:
    """Every file under `folder`, its top-level `generated/` not even listed (thousands of pages the builder wrote)."""
    found: list[Path] = []
    for base, dirs, files in os.walk(folder):
        if Path(base) == folder:
            dirs[:] = [name for name in dirs if name != "generated"]
        found += [Path(base) / name for name in files]
    return found


def _mkdocs_keys() -> list[str]:
    """The top-level settings MkDocs knows (it only warns about others, and ignores them)."""
    from mkdocs.config.defaults import MkDocsConfig

    return [name for name, _ in MkDocsConfig._schema if name != "config_file_path"]


# MkDocs settings the builder's URL scheme and folders depend on: another value is refused, not half-honoured.
FIXED = {
    "docs_dir": ("content", "手写页面固定放在 content/ 中"),
    "use_directory_urls": ("true", "网址固定为 2023/部门/ 这样的文件夹形式，链接检查、搜索和开放数据都依赖它"),
}


def _fixed(reader: _Reader, top: dict[str, tuple[yaml.Node, yaml.Node]]) -> None:
    for key, (expected, reason) in FIXED.items():
        node = top.get(key, (None, None))[1]
        value = str(getattr(node, "value", "")).strip().rstrip("/").lower() if isinstance(node, yaml.ScalarNode) else ""
        if node is not None and value != expected:
            reader.problem(node, key, f"本项目中只能是 {expected}（{reason}），请删去这一行或改回 {expected}")


def _copyright(reader: _Reader, node: yaml.Node | None) -> None:
    """`copyright:` is shown in the footer: refused when it holds HTML (the template escapes it)."""
    reader.text(node, "copyright")


def _flag(reader: _Reader, node: yaml.Node | None, key: str) -> bool:
    if node is None:
        return True
    if not isinstance(node, yaml.ScalarNode) or str(node.value).lower() not in ("true", "false"):
        reader.problem(node, key, f"应为 true 或 false，收到 {getattr(node, 'value', '')!r}")
        return True
    return str(node.value).lower() == "true"


def _image(reader: _Reader, node: yaml.Node | None, key: str, root: Path) -> str:
    image = reader.text(node, key)
    if not image:
        return ""
    if not image.startswith(LOGO_FOLDERS) or ".." in image.split("/"):
        reader.problem(node, key, f"图片应放在 content/ 或 theme/assets/ 下，收到 {image!r}")
        return ""
    if not (root / image).is_file():
        reader.problem(node, key, f"找不到图片文件 {image}")
        return ""
    target = escapes(root / image, [root])
    if target is not None:
        reader.problem(node, key, f"{image} 是指向项目以外的链接（{target}），不会发布 — 请把图片复制进来")
        return ""
    return image


def _link(reader: _Reader, node: yaml.Node | None, key: str, mail: bool = False) -> str:
    url = reader.text(node, key)
    schemes = ("https://", "http://", "mailto:") if mail else ("https://", "http://")
    if url and not url.startswith(schemes):
        reader.problem(node, key, f"应为以 {' 或 '.join(schemes)} 开头的地址，收到 {url!r}")
        return ""
    if any(char in url for char in ' "<>'):
        reader.problem(node, key, f"地址中不能有空格、引号或尖括号（空格请写成 %20），收到 {url!r}")
        return ""
    return url


def _ascii_path(url: str) -> str:
    """The address with its path's other characters percent-encoded (UTF-8), as a sitemap's <loc> and a canonical
    link must be (`https://czj.example.gov.cn/政务公开/` was written raw); what is encoded already stays."""
    parts = urlsplit(url)
    return urlunsplit(parts._replace(path=quote(parts.path, safe="/%:@!$&'()*+,;=-._~")))


def _site_url(reader: _Reader, site_url: yaml.Node | None, base_url: yaml.Node | None) -> str:
    """MkDocs' `site_url`, or the older `extra.base_url`; with a trailing slash."""
    urls = [
        (_link(reader, node, key), node, key) for node, key in ((site_url, "site_url"), (base_url, "extra.base_url"))
    ]
    given = [(_ascii_path(url if url.endswith("/") else url + "/"), node, key) for url, node, key in urls if url]
    if len({url for url, _, _ in given}) > 1:
        reader.problem(given[1][1], given[1][2], f"与 site_url 不同（{given[0][0]}）：只写 site_url 即可")
    return given[0][0] if given else ""


def _years(reader: _Reader, node: yaml.Node | None) -> tuple[int, ...]:
    if node is None or node.tag.endswith(":null") or getattr(node, "value", None) == "all":
        return ()
    items = node.value if isinstance(node, yaml.SequenceNode) else None
    values = [item.value for item in items or [] if isinstance(item, yaml.ScalarNode)]
    if items is None or len(values) != len(items) or not all(v.isdecimal() and 1990 <= int(v) <= 2100 for v in values):
        shown = (
            getattr(node, "value", "")
            if isinstance(node, yaml.ScalarNode)
            else [getattr(i, "value", "") for i in items or []]
        )
        reader.problem(node, "extra.years", f"应为年度列表，例如 [2023, 2024]（不写则公开全部年度），收到 {shown!r}")
        return ()
    return tuple(sorted({int(value) for value in values}))


def _pdf(reader: _Reader, node: yaml.Node | None) -> PdfOptions:
    if node is None or node.tag.endswith(":null"):
        return PdfOptions()
    if not isinstance(node, yaml.MappingNode):
        reader.problem(node, "extra.pdf", "应为一组设置，例如 {paper: A4, font: serif}")
        return PdfOptions()
    entries = _mapping(node)
    _unknown_keys(reader, entries, PDF_KEYS, "extra.pdf")
    paper = reader.text(entries.get("paper", (None, None))[1], "extra.pdf.paper") or "A4"
    font = reader.text(entries.get("font", (None, None))[1], "extra.pdf.font") or "serif"
    if paper not in PAPER_SIZES:
        reader.problem(
            entries["paper"][1], "extra.pdf.paper", f"纸张应为 {'、'.join(PAPER_SIZES)} 之一，收到 {paper!r}"
        )
        paper = "A4"
    if font not in FONTS:
        reader.problem(
            entries["font"][1], "extra.pdf.font", f"字体应为 serif（宋体类）或 sans（黑体类），收到 {font!r}"
        )
        font = "serif"
    return PdfOptions(paper, font)


def _conac(reader: _Reader, node: yaml.Node | None, root: Path) -> tuple[str, str]:
    """`conac: {image: …, link: …}`: the 党政机关网站标识, both or neither."""
    if node is None or node.tag.endswith(":null"):
        return "", ""
    if not isinstance(node, yaml.MappingNode):
        reader.problem(node, "extra.conac", "应为 {image: 图片路径, link: 标识的网址}")
        return "", ""
    entries = _mapping(node)
    _unknown_keys(reader, entries, CONAC_KEYS, "extra.conac")
    image = _image(reader, entries.get("image", (None, None))[1], "extra.conac.image", root)
    link = _link(reader, entries.get("link", (None, None))[1], "extra.conac.link")
    if bool(image) != bool(link) and not reader.problems:
        reader.problem(node, "extra.conac", "image（标识图片）和 link（标识网址）都要写")
    return image, link
