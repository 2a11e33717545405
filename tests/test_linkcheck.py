"""The link check finds every kind of broken or leaking reference in a built site."""

import os
import pickle
from pathlib import Path

from builder.site.linkcheck import BrokenLink, check_scans, check_site, scan_files, scan_page, site_files


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


def findings(site: Path) -> set[tuple[str, str, str]]:
    return {(f.page, f.target, f.reason) for f in check_site(site)}


def test_unquoted_single_quoted_and_upper_case_attributes_are_read(tmp_path: Path) -> None:
    page(tmp_path, "index.html", "<A HREF=a/>甲</A><a href = 'b.html' >乙</a><h2 ID=p1>节</h2><a href=#p1>本页</a>")
    page(tmp_path, "a/index.html", "<a href=../#p2 class=x>缺锚点</a><img src=../c.png alt=图>")
    page(tmp_path, "b.html", "<a href=../../outside.html>逃逸</a>")
    assert findings(tmp_path) == {
        ("a/index.html", "../#p2", "页面中没有锚点 #p2"),
        ("a/index.html", "../c.png", "指向的文件不存在"),
        ("b.html", "../../outside.html", "指向的文件不存在"),
    }


def test_character_references_in_attributes_are_decoded(tmp_path: Path) -> None:
    page(tmp_path, "index.html", '<a href="a&amp;b.html#s&#49;">甲</a><a href="c.html?x=1&copy=2#k&lt;">乙</a>')
    page(tmp_path, "a&b.html", '<h2 id="s1">节</h2>')
    page(tmp_path, "c.html", "<h2 id='k&lt;'>节</h2><a name=&#x6E;&#x31;>锚</a><a href='#n1'>本页</a>")
    assert check_site(tmp_path) == []
    page(tmp_path, "c.html", '<h2 id="k">节</h2>')
    assert findings(tmp_path) == {("index.html", "c.html?x=1&copy=2#k<", "页面中没有锚点 #k<")}


def test_comments_scripts_and_styles_hold_no_links(tmp_path: Path) -> None:
    hidden = (
        '<!-- <a href="x.html">注释</a> --><script>document.write("<a href=\\"y.html\\">")</script>'
        '<style>a[href="z.html"]::after { content: "<img src=w.png>"; }</style><title>a <a href="t.html"></title>'
        '<SCRIPT type="text/plain"><a href="u.html"></script ><SCRIPT SRC="m.js"><a href="u.html"></Script>'
    )
    page(tmp_path, "index.html", f'{hidden}<script src="missing.js"></script><a title="a>b" href="v.html">甲</a>')
    assert findings(tmp_path) == {
        ("index.html", "m.js", "指向的文件不存在"),
        ("index.html", "missing.js", "指向的文件不存在"),
        ("index.html", "v.html", "指向的文件不存在"),
    }


def test_folders_percent_encoding_and_queries_resolve(tmp_path: Path) -> None:
    links = (
        '<a href="2023/部门/">甲</a><a href="2023/%E9%83%A8%E9%97%A8">乙</a>'
        '<a href="2023/部门/index.html?x=1#%E9%A1%B9">丙</a><a href="./">首页</a><a href="2023/">无首页的文件夹</a>'
        '<a href="2023/部门/../部门/#项">丁</a><a href="?q=1">查询</a>'
    )
    page(tmp_path, "index.html", links)
    page(tmp_path, "2023/部门/index.html", '<h2 id="项">项目</h2><a href="../../">首页</a><a href="..">上级</a>')
    assert findings(tmp_path) == {
        ("index.html", "2023/", "指向的文件不存在"),
        ("2023/部门/index.html", "..", "指向的文件不存在"),
    }


def test_what_is_loaded_from_another_host_and_what_is_only_linked(tmp_path: Path) -> None:
    body = (
        '<link rel="stylesheet" href="//fonts.example.com/a.css"><img src="http://x.example/a.png" alt="">'
        '<iframe src="https://x.example/"></iframe><video><source src="https://x.example/a.mp4"></video>'
        '<a href="https://x.example/">链接</a><a href="tel:12345">电话</a><img src="data:image/png;base64,AA" alt="">'
        '<a href="JavaScript:void(0)">点</a>'
    )
    page(tmp_path, "index.html", body)
    leak = "从外部网站加载资源（本站不得向其他主机发出请求）"
    assert [(f.target, f.reason) for f in check_site(tmp_path)] == [
        ("//fonts.example.com/a.css", leak),
        ("http://x.example/a.png", leak),
        ("https://x.example/", leak),
        ("https://x.example/a.mp4", leak),
        ("JavaScript:void(0)", "不允许 javascript: 链接"),
    ]


def test_only_ids_and_names_of_a_elements_are_anchors(tmp_path: Path) -> None:
    page(tmp_path, "index.html", '<a name="a1">甲</a><div name="d1">乙</div><p id="p1">丙</p>')
    page(
        tmp_path, "x.html", '<a href="index.html#a1">甲</a><a href="index.html#d1">乙</a><a href="index.html#p1">丙</a>'
    )
    assert findings(tmp_path) == {("x.html", "index.html#d1", "页面中没有锚点 #d1")}


def test_findings_come_page_by_page_folder_by_folder_in_page_order(tmp_path: Path) -> None:
    page(tmp_path, "a-c.html", '<a href="1.html">1</a>')
    page(tmp_path, "a/b.html", '<a href="3.html">3</a><a href="2.html">2</a>')
    page(tmp_path, "index.html", '<a href="4.html">4</a>')
    assert [(f.page, f.target) for f in check_site(tmp_path)] == [
        ("a/b.html", "3.html"),
        ("a/b.html", "2.html"),
        ("a-c.html", "1.html"),
        ("index.html", "4.html"),
    ]


def test_the_first_of_repeated_attributes_counts_as_in_a_browser(tmp_path: Path) -> None:
    page(tmp_path, "index.html", '<a href="index.html" href="missing.html" id="x" id="y">甲</a><a href="#y">乙</a>')
    assert findings(tmp_path) == {("index.html", "#y", "页面中没有锚点 #y")}


def test_scans_are_checked_without_the_file_system() -> None:
    home = scan_page('<h2 id="top">首页</h2><a href="2023/a/">部门</a><a href="2023/a/#p1">项目</a>', "index.html")
    department = scan_page('<a href="../../#top">首页</a><a href="../b/x.pdf">PDF</a>', "2023/a/index.html")
    assert home.links == (("2023/a/", "2023/a", "", ""), ("2023/a/#p1", "2023/a", "p1", ""))
    assert pickle.loads(pickle.dumps(department)) == department
    files = {"index.html", "2023/a/index.html"}
    scans = {"index.html": home, "2023/a/index.html": department}
    assert [(f.page, f.target, f.reason) for f in check_scans(scans, files)] == [
        ("2023/a/index.html", "../b/x.pdf", "指向的文件不存在"),
        ("index.html", "2023/a/#p1", "页面中没有锚点 #p1"),
    ]
    assert check_scans(scans, files | {"2023/b/x.pdf"}) == [
        BrokenLink("index.html", "2023/a/#p1", "页面中没有锚点 #p1")
    ]


def test_scan_files_reads_pages_as_scan_page_does(tmp_path: Path) -> None:
    page(tmp_path, "a/index.html", '<a href="../b.html#x">乙</a>\r\n<h2 id="y">节</h2>')
    (tmp_path / "b.html").write_bytes(b'<p id="x">\xff</p>')
    scans = scan_files(tmp_path, ["a/index.html", "b.html"])
    assert scans["a/index.html"] == scan_page((tmp_path / "a/index.html").read_text(encoding="utf-8"), "a/index.html")
    assert scans["b.html"].anchors == frozenset({"x"})


def test_site_files_lists_what_os_walk_lists_as_files(tmp_path: Path) -> None:
    site = tmp_path / "site"
    page(site, "index.html", "")
    page(site, "2023/a/index.html", "")
    page(site, "2023/a/p1/index.html", "")
    (site / "2023" / "a" / "a-2023.pdf").write_bytes(b"%PDF")
    (site / "empty").mkdir()
    outside = tmp_path / "outside"
    page(outside, "secret/index.html", "")
    (site / "linked-folder").symlink_to(outside / "secret", target_is_directory=True)  # not followed, not a file
    (site / "2023" / "linked.html").symlink_to(site / "index.html")  # a link to a file is a file
    (site / "2023" / "dangling.html").symlink_to(tmp_path / "nowhere")

    walked = set()
    for directory, _, names in os.walk(site):
        folder = Path(directory).relative_to(site).as_posix()
        walked |= {name if folder == "." else f"{folder}/{name}" for name in names}
    assert (
        sorted(site_files(site))
        == sorted(walked)
        == [
            "2023/a/a-2023.pdf",
            "2023/a/index.html",
            "2023/a/p1/index.html",
            "2023/dangling.html",
            "2023/linked.html",
            "index.html",
        ]
    )
    assert sorted(site_files(site / "2023" / "a", prefix="2023/a")) == [
        "2023/a/a-2023.pdf",
        "2023/a/index.html",
        "2023/a/p1/index.html",
    ]
    assert site_files(tmp_path / "missing") == []
