"""Read the admin's settings (`mkdocs.yml`: `site_name` and `extra:`) into one checked `SiteConfig`.

The build, the pages and the PDF all take their publisher name, years, paper and font from
here, so one edit in mkdocs.yml changes every page and every PDF. A bad value raises a
BuilderError whose Chinese message names the key (all problems at once).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from .encodings import guess_encoding, iconv_hint, looks_like
from .errors import BuilderError
from .outdir import escapes
from .yamlread import describe_yaml_error

PROJECT_ROOT = Path(__file__).resolve().parent.parent
PAPER_SIZES = ("A3", "A4", "A5", "B5", "Letter")
FONTS = {"serif": "Noto Serif CJK SC", "sans": "Noto Sans CJK SC"}  # 宋体类 / 黑体类
LOGO_FOLDERS = ("content/", "theme/assets/")  # MkDocs publishes content/x and theme/x both as x


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
    base_url: str = ""  # e.g. https://czj.example.gov.cn/yusuan/ ; empty: relative links only
    years: tuple[int, ...] = ()  # empty: every year in data/
    quality_report_public: bool = True
    pdf: PdfOptions = field(default_factory=PdfOptions)

    @property
    def logo_url(self) -> str:
        """The logo's path inside the site (what Material's `theme.logo` expects)."""
        return self.logo.split("/", 1)[1] if self.logo else ""

    def publishes(self, year: int) -> bool:
        return not self.years or year in self.years


class _TolerantLoader(yaml.SafeLoader):
    """mkdocs.yml may carry `!!python/name:` or `!ENV` tags; read them as nothing."""


_TolerantLoader.add_multi_constructor("", lambda loader, suffix, node: None)


def load_site_config(path: Path, root: Path = PROJECT_ROOT) -> SiteConfig:
    """Read and check the settings in `path` (mkdocs.yml); raise BuilderError listing every bad key."""
    try:
        raw = yaml.load(read_config_text(path, root), Loader=_TolerantLoader) or {}
    except OSError as error:
        raise BuilderError(f"读不到网站配置文件 {path}：{error.strerror}") from None
    except yaml.YAMLError as error:
        line, message, hint = describe_yaml_error(error)
        raise BuilderError(f"{path}:{line}: 网站配置文件有误：{message} — {hint}") from None
    if not isinstance(raw, dict):
        raise BuilderError(f"网站配置文件 {path} 应为“键: 值”的形式")
    extra = raw.get("extra") or {}
    problems: list[str] = []
    if not isinstance(extra, dict):
        problems.append("extra: 应为一组“键: 值”设置")
        extra = {}
    config = SiteConfig(
        site_name=_text(raw, "site_name", problems, "site_name", SiteConfig.site_name),
        publisher=_text(extra, "publisher", problems),
        region=_text(extra, "region", problems),
        contact=_text(extra, "contact", problems),
        logo=_logo(extra, problems, root),
        base_url=_base_url(extra, problems),
        years=_years(extra, problems),
        quality_report_public=_flag(extra, "quality_report_public", problems),
        pdf=_pdf(extra, problems),
    )
    problems += configured_paths_outside(raw, path.parent, root)
    if problems:
        listing = "\n".join(f"{path}: {problem}" for problem in problems)
        raise BuilderError(
            f"{listing}\n网站配置有 {len(problems)} 处问题；网站没有更新。说明见 content/configuration.md"
        )
    return config


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
    for file in sorted(folder.rglob("*")) if folder.is_dir() else []:
        if file.suffix not in suffixes or not file.is_file() or "generated" in file.relative_to(folder).parts[:1]:
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


def _text(section: dict[str, Any], key: str, problems: list[str], name: str = "", default: str = "") -> str:
    value = section.get(key, default)
    if value is None:
        return default
    if not isinstance(value, str | int) or isinstance(value, bool):
        problems.append(f"{name or 'extra.' + key}: 应为一行文字，收到 {value!r}")
        return default
    return str(value).strip()


def _flag(section: dict[str, Any], key: str, problems: list[str]) -> bool:
    value = section.get(key, True)
    if not isinstance(value, bool):
        problems.append(f"extra.{key}: 应为 true 或 false，收到 {value!r}")
        return True
    return value


def _logo(extra: dict[str, Any], problems: list[str], root: Path) -> str:
    logo = _text(extra, "logo", problems)
    if not logo:
        return ""
    if not logo.startswith(LOGO_FOLDERS) or ".." in logo.split("/"):
        problems.append(f"extra.logo: 图片应放在 content/ 或 theme/assets/ 下，收到 {logo!r}")
        return ""
    if not (root / logo).is_file():
        problems.append(f"extra.logo: 找不到图片文件 {logo}")
        return ""
    target = escapes(root / logo, [root])
    if target is not None:
        problems.append(f"extra.logo: {logo} 是指向项目以外的链接（{target}），不会发布 — 请把图片复制进来")
        return ""
    return logo


def _base_url(extra: dict[str, Any], problems: list[str]) -> str:
    url = _text(extra, "base_url", problems)
    if url and not url.startswith(("https://", "http://")):
        problems.append(
            f"extra.base_url: 应以 https:// 或 http:// 开头，例如 https://czj.example.gov.cn/yusuan/，收到 {url!r}"
        )
        return ""
    return url if not url or url.endswith("/") else url + "/"


def _years(extra: dict[str, Any], problems: list[str]) -> tuple[int, ...]:
    years = extra.get("years")
    if years is None or years == "all":
        return ()
    if not isinstance(years, list) or not all(isinstance(y, int) and 1990 <= y <= 2100 for y in years):
        problems.append(f"extra.years: 应为年度列表，例如 [2023, 2024]（不写则公开全部年度），收到 {years!r}")
        return ()
    return tuple(sorted(set(years)))


def _pdf(extra: dict[str, Any], problems: list[str]) -> PdfOptions:
    pdf = extra.get("pdf") or {}
    if not isinstance(pdf, dict):
        problems.append("extra.pdf: 应为一组设置，例如 {paper: A4, font: serif}")
        return PdfOptions()
    paper = pdf.get("paper", "A4")
    font = pdf.get("font", "serif")
    if paper not in PAPER_SIZES:
        problems.append(f"extra.pdf.paper: 纸张应为 {'、'.join(PAPER_SIZES)} 之一，收到 {paper!r}")
        paper = "A4"
    if font not in FONTS:
        problems.append(f"extra.pdf.font: 字体应为 serif（宋体类）或 sans（黑体类），收到 {font!r}")
        font = "serif"
    return PdfOptions(paper, font)
