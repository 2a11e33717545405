"""The Content-Security-Policy: what it would block in a page, and that the deployment guide prints it unchanged."""

from __future__ import annotations

from pathlib import Path

import pytest

from builder.site.csp import POLICY, apache_headers, blocked_in_page, deploy_headers

DEPLOY = Path(__file__).resolve().parent.parent / "docs" / "deploy.md"
SECURITY_HEADERS = {
    "Content-Security-Policy": POLICY,
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "X-Frame-Options": "SAMEORIGIN",
}


@pytest.mark.parametrize(
    ("html", "blocked"),
    [
        ('<script src="a.js"></script><script id="__config" type="application/json">{"a": 1}</script>', []),
        ("<p>&lt;script&gt;alert(1)&lt;/script&gt; onclick=x style=y</p>", []),
        ("<script>alert(1)</script>", ["内联 <script>：alert(1)"]),
        ('<img src=x onerror="alert(1)">', ["<img onerror=…> 事件属性（内联脚本）"]),
        ('<p style="color: red">x</p>', ["<p style=…> 内联样式"]),
        ("<style>p { color: red }</style>", ["<style> 内联样式"]),
    ],
)
def test_what_the_policy_blocks_in_a_page(html: str, blocked: list[str]) -> None:
    assert blocked_in_page(html) == blocked


def test_the_policy_allows_no_inline_script_but_allows_search() -> None:
    script_src = next(part for part in POLICY.split("; ") if part.startswith("script-src"))
    assert script_src == "script-src 'self' 'wasm-unsafe-eval'"
    assert "unsafe-inline" not in POLICY


def test_the_deployment_guide_sends_the_policy_from_nginx_and_apache() -> None:
    guide = DEPLOY.read_text(encoding="utf-8")
    assert deploy_headers(guide) == SECURITY_HEADERS
    assert apache_headers(guide) == SECURITY_HEADERS
