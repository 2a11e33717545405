"""The link check finds every kind of broken or leaking reference in a built site."""

from pathlib import Path

from builder.linkcheck import check_site


def page(site: Path, name: str, body: str) -> None:
    path = site / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(f"<!doctype html><html><body>{body}</body></html>", encoding="utf-8")


def test_a_sound_site_has_no_findings(tmp_path: Path) -> None:
    links = '<a href="2023/a/">部门</a><a href="#top" id="top">顶部</a><a href="2023/a/#p1">项目</a>'
    page(tmp_path, "index.html", links)
    page(tmp_path, "2023/a/index.html", '<h2 id="p1">项目</h2><a href="../../">首页</a><a href="a-2023.pdf">PDF</a>')
    (tmp_path / "2023" / "a" / "a-2023.pdf").write_bytes(b"%PDF")
    page(tmp_path, "2023/a/x.html", '<a href="mailto:a@b.cn">信箱</a><a href="https://www.gov.cn/">中国政府网</a>')
    assert check_site(tmp_path) == []


def test_broken_files_anchors_and_leaks_are_reported(tmp_path: Path) -> None:
    page(tmp_path, "index.html", '<a href="2023/b/">缺页</a><a href="#nowhere">锚点</a>')
    page(tmp_path, "x/index.html", '<script src="https://cdn.example.com/x.js"></script><a href="/2023/">绝对</a>')
    page(tmp_path, "y/index.html", '<a href="javascript:alert(1)">点我</a><img src="../missing.png" alt="">')
    findings = {(f.page, f.target, f.reason) for f in check_site(tmp_path)}
    assert findings == {
        ("index.html", "2023/b/", "指向的文件不存在"),
        ("index.html", "#nowhere", "页面中没有锚点 #nowhere"),
        ("x/index.html", "https://cdn.example.com/x.js", "从外部网站加载资源（本站不得向其他主机发出请求）"),
        ("x/index.html", "/2023/", "以 / 开头的绝对路径在子路径部署时会失效，请用相对路径"),
        ("y/index.html", "javascript:alert(1)", "不允许 javascript: 链接"),
        ("y/index.html", "../missing.png", "指向的文件不存在"),
    }


def test_links_cannot_escape_the_site(tmp_path: Path) -> None:
    site = tmp_path / "site"
    page(site, "index.html", '<a href="../../etc/passwd">逃逸</a>')
    (tmp_path / "etc").mkdir()
    assert [f.reason for f in check_site(site)] == ["指向的文件不存在"]
