"""The MkDocs hook of the admin documentation (mkdocs-admin.yml): it never writes into a site the builder published.

`mkdocs build -f mkdocs-admin.yml -d site` emptied the public site and put the internal guides
there (deploy.md, the split-build guide), still carrying the builder's marker, so a sync
published them. MkDocs empties its output folder after this check.
"""

from __future__ import annotations

from pathlib import Path

from mkdocs.config.defaults import MkDocsConfig
from mkdocs.exceptions import PluginError

OWNER_MARKER = ".budget-builder-output"  # builder/pipeline/outputs.py; this hook imports nothing of the builder's


def on_config(config: MkDocsConfig) -> MkDocsConfig:
    site = Path(config.site_dir)
    if (site / OWNER_MARKER).exists():
        raise PluginError(
            f"{site} 是本工具生成的公开网站（有 {OWNER_MARKER}）：管理员文档不能写进去，否则会替换公开网站 — "
            "请去掉 -d（默认输出到 site-admin/），或换一个新的文件夹"
        )
    return config
