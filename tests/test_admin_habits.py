"""What an admin used to MkDocs and to Chinese government sites does: `mkdocs build`, `site_url`, the footer fields.

`mkdocs build` runs in a copy of the project (its own data, site and cache), as a fresh
clone would: it must run the whole builder, or stop before touching the published site.
"""

from __future__ import annotations

import dataclasses
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from builder.config import load_site_config
from builder.errors import BuilderError
from builder.pipeline.build import MKDOCS_CONFIG, build
from builder.pipeline.outdir import KIND_SITE, write_marker
from builder.pipeline.outputs import OWNER_MARKER
from builder.site.csp import blocked_in_site

ROOT = Path(__file__).resolve().parent.parent
MKDOCS = Path(sys.executable).parent / "mkdocs"
SMALL = "2023/zunhua-jingkaiqu"
ADDRESS = "https://czj.example.gov.cn/budget/"


def project_copy(tmp_path: Path) -> Path:
    """The project as a fresh clone has it, with one department of data."""
    project = tmp_path / "project"
    project.mkdir()
    for name in ("builder", "content", "theme", "templates"):
        shutil.copytree(ROOT / name, project / name, ignore=shutil.ignore_patterns("generated", "__pycache__"))
    for name in ("mkdocs.yml", "pyproject.toml"):
        shutil.copy(ROOT / name, project)
    (project / "data" / "2023").mkdir(parents=True)
    shutil.copy(ROOT / "data" / f"{SMALL}.yaml", project / "data" / "2023")
    return project


def mkdocs(project: Path, *arguments: str) -> subprocess.CompletedProcess[str]:
    env = {key: value for key, value in os.environ.items() if key not in ("PYTHONPATH", "BUILDER_CACHE_DIR")}
    return subprocess.run(
        [str(MKDOCS), *arguments], cwd=project, env={**env, "CI": "1"}, capture_output=True, text=True, timeout=600
    )


def test_mkdocs_build_runs_the_whole_builder_into_site_dir(tmp_path: Path) -> None:
    project = project_copy(tmp_path)
    settings = project / "mkdocs.yml"
    settings.write_text(
        settings.read_text(encoding="utf-8").replace("\nsite_dir: site ", "\nsite_dir: public "), "utf-8"
    )
    done = mkdocs(project, "build")
    assert done.returncode == 0, done.stderr
    assert "mkdocs build 在本项目中运行 python -m builder build" in done.stderr
    assert not (project / "site").exists()
    site = project / "public"
    assert (site / SMALL / "index.html").is_file()  # the departments …
    assert (site / SMALL / "zunhua-jingkaiqu-2023.pdf").is_file()  # … their PDFs …
    assert (site / "pagefind" / "shards.json").is_file()  # … search …
    assert (site / "data" / "budget-performance.json").is_file()  # … and open data


def test_mkdocs_build_with_bad_data_leaves_the_site_alone(tmp_path: Path) -> None:
    project = project_copy(tmp_path)
    published = project / "site" / "index.html"
    published.parent.mkdir()
    published.write_text("已发布的网站", encoding="utf-8")
    write_marker(published.parent, KIND_SITE)  # a site the builder made
    data_file = project / "data" / f"{SMALL}.yaml"
    data_file.write_text(data_file.read_text(encoding="utf-8").replace("year: 2023", "year: 二〇二三"), "utf-8")
    done = mkdocs(project, "build")
    assert done.returncode == 1
    assert "zunhua-jingkaiqu.yaml" in done.stderr and "网站没有更新" in done.stderr
    assert published.read_text(encoding="utf-8") == "已发布的网站"
    assert sorted(path.name for path in (project / "site").iterdir()) == [OWNER_MARKER, "index.html"]


def test_mkdocs_gh_deploy_is_refused_before_anything(tmp_path: Path) -> None:
    project = project_copy(tmp_path)
    done = mkdocs(project, "gh-deploy")
    assert done.returncode == 1
    assert "本项目不用 mkdocs gh-deploy 发布" in done.stderr
    assert not (project / "site").exists()


@pytest.fixture(scope="module")
def addressed_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The sample site with `site_url` and every government-site footer field set."""
    work = tmp_path_factory.mktemp("admin")
    config = dataclasses.replace(
        load_site_config(MKDOCS_CONFIG),
        base_url=ADDRESS,
        sponsor="唐山市人民政府办公室",
        organizer="唐山市财政局",
        site_code="1302000001",
        icp="冀ICP备12345678号",
        police_record="冀公网安备 13020302000123号",
        conac_image="theme/assets/budget/gongan.svg",
        conac_link="https://bszs.conac.cn/sitename?method=show&id=1",
        correction_url="mailto:jiucuo@example.gov.cn",
        logo="theme/assets/budget/gongan.svg",
    )
    site = work / "site"
    build(ROOT / "data", site, with_pdf=False, generated_dir=work / "generated", site_config=config, cache_dir=None)
    return site


def test_site_url_gives_canonical_links_a_sitemap_and_robots(addressed_site: Path) -> None:
    page = (addressed_site / SMALL / "index.html").read_text(encoding="utf-8")
    assert f'<link rel="canonical" href="{ADDRESS}{SMALL}/">' in page
    sitemap = (addressed_site / "sitemap.xml").read_text(encoding="utf-8")
    assert f"<loc>{ADDRESS}</loc>" in sitemap and f"<loc>{ADDRESS}{SMALL}/</loc>" in sitemap
    assert "<lastmod>" not in sitemap and "404" not in sitemap
    assert sitemap.count("<loc>") == sum(1 for _ in addressed_site.rglob("index.html"))
    assert (addressed_site / "robots.txt").read_text(encoding="utf-8").endswith(f"Sitemap: {ADDRESS}sitemap.xml\n")


def test_the_404_page_links_from_the_sites_path(addressed_site: Path) -> None:
    page = (addressed_site / "404.html").read_text(encoding="utf-8")
    assert 'href="/budget/assets/budget/site.css"' in page
    assert "<h1>404 - 找不到这个页面</h1>" in page and "Not found" not in page
    assert '<a href="/budget/.">返回首页</a>' in page and '<a href="/budget/search/">搜索部门和项目</a>' in page


def test_without_site_url_there_is_no_sitemap_and_no_404(tmp_path: Path) -> None:
    data = tmp_path / "data" / "2023"
    data.mkdir(parents=True)
    shutil.copy(ROOT / "data" / f"{SMALL}.yaml", data)
    site = tmp_path / "site"
    build(tmp_path / "data", site, with_pdf=False, generated_dir=tmp_path / "generated", cache_dir=None)
    assert not any((site / name).exists() for name in ("sitemap.xml", "sitemap.xml.gz", "robots.txt", "404.html"))
    assert 'rel="canonical"' not in (site / "index.html").read_text(encoding="utf-8")


def test_the_government_footer_is_on_every_page(addressed_site: Path) -> None:
    for path in ("index.html", f"{SMALL}/index.html", "search/index.html"):
        page = (addressed_site / path).read_text(encoding="utf-8")
        depth = "../" * path.count("/")
        assert "主办单位：唐山市人民政府办公室" in page and "承办单位：唐山市财政局" in page
        assert "网站标识码：1302000001" in page
        assert '<a class="bp-icp" href="https://beian.miit.gov.cn/">冀ICP备12345678号</a>' in page
        assert 'href="https://beian.mps.gov.cn/#/query/webSearch?code=13020302000123">' in page
        assert f'<img src="{depth}assets/budget/gongan.svg" alt="" width="16" height="16">冀公网安备' in page
        assert 'href="https://bszs.conac.cn/sitename?method=show&amp;id=1"><img' in page
        assert '<a class="bp-correction" href="mailto:jiucuo@example.gov.cn">纠错</a>' in page
        assert 'alt="示例市财政局"' in page  # the logo is named after the publisher
    assert (addressed_site / "assets" / "budget" / "gongan.svg").is_file()  # self-hosted
    assert [blocked.render() for blocked in blocked_in_site(addressed_site)] == []


def test_index_number_and_publication_date_show_on_the_department_page(tmp_path: Path) -> None:
    data = tmp_path / "data" / "2023"
    data.mkdir(parents=True)
    text = (ROOT / "data" / f"{SMALL}.yaml").read_text(encoding="utf-8")
    head = "index_number: 000014349/2023-00012\npublished: 2023-02-10\n"
    (data / "zunhua-jingkaiqu.yaml").write_text(head + text, encoding="utf-8")
    site = tmp_path / "site"
    build(tmp_path / "data", site, with_pdf=False, generated_dir=tmp_path / "generated", cache_dir=None)
    page = (site / SMALL / "index.html").read_text(encoding="utf-8")
    assert "<dt>索引号</dt><dd>000014349/2023-00012</dd>" in page
    assert "<dt>发布日期</dt><dd>2023-02-10</dd>" in page


def test_an_unfilled_template_is_not_published_unless_a_draft(tmp_path: Path) -> None:
    from builder.cli import main

    data = tmp_path / "data"
    data.mkdir()
    shutil.copytree(ROOT / "data" / "2023", data / "2023")
    assert main(["new", "--year", "2023", "--department", "某某局", "--slug", "moumouju", "--data", str(data)]) == 0
    site = tmp_path / "site"
    report = build(data, site, with_pdf=False, generated_dir=tmp_path / "generated", cache_dir=None)
    assert report.departments == 4 and not (site / "2023" / "moumouju").exists()
    assert f"草稿未发布（draft: true）：{(data / '2023' / 'moumouju.yaml').as_posix()}" in report.notes
    template = data / "2023" / "moumouju.yaml"
    template.write_text(template.read_text(encoding="utf-8").replace("draft: true\n", ""), encoding="utf-8")
    (site / "index.html").write_text("已发布的网站", encoding="utf-8")
    with pytest.raises(
        BuilderError, match=r"moumouju\.yaml:\d+ part_one\.overall_goal\[0\]: 错误 \[unfilled-template\]"
    ):
        build(data, site, with_pdf=False, generated_dir=tmp_path / "generated", cache_dir=None)
    assert (site / "index.html").read_text(encoding="utf-8") == "已发布的网站"


def test_the_years_filter_says_what_it_leaves_out(tmp_path: Path) -> None:
    data = tmp_path / "data"
    for year in ("2023", "2025"):
        (data / year).mkdir(parents=True)
    shutil.copy(ROOT / "data" / f"{SMALL}.yaml", data / "2023")
    text = (ROOT / "data" / f"{SMALL}.yaml").read_text(encoding="utf-8").replace("year: 2023", "year: 2025")
    (data / "2025" / "zunhua-jingkaiqu.yaml").write_text(text, encoding="utf-8")
    config = dataclasses.replace(load_site_config(MKDOCS_CONFIG), years=(2023,))
    report = build(
        data, tmp_path / "site", with_pdf=False, generated_dir=tmp_path / "g", site_config=config, cache_dir=None
    )
    assert report.notes == [
        f"未公开：{data} 中 2025 年度 1 个部门不在 extra.years（2023）中 — 要公开请把年度加入 extra.years"
    ]


def test_a_listed_year_without_data_is_named(tmp_path: Path) -> None:
    """extra.years: [2023, 2025] with no 2025 folder (a typo for 2024): the year was left off without a word."""
    data = tmp_path / "data"
    (data / "2023").mkdir(parents=True)
    shutil.copy(ROOT / "data" / f"{SMALL}.yaml", data / "2023")
    config = dataclasses.replace(load_site_config(MKDOCS_CONFIG), years=(2023, 2025))
    report = build(
        data, tmp_path / "site", with_pdf=False, generated_dir=tmp_path / "g", site_config=config, cache_dir=None
    )
    assert report.notes == [f"extra.years 中的 2025 年度在 {data} 中没有数据文件，网站上没有这些年度 — 请检查是否写错"]


def test_mkdocs_serve_runs_the_live_preview_and_cleans_up(tmp_path: Path) -> None:
    import signal
    import socket
    import time
    import urllib.request

    project = project_copy(tmp_path)
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    env = {key: value for key, value in os.environ.items() if key not in ("PYTHONPATH", "BUILDER_CACHE_DIR")}
    scratch = tmp_path / "tmp"
    scratch.mkdir()
    server = subprocess.Popen(
        [str(MKDOCS), "serve", "-a", f"127.0.0.1:{port}"],
        cwd=project,
        env={**env, "TMPDIR": str(scratch)},
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        deadline = time.monotonic() + 120
        while True:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/{SMALL}/", timeout=5) as response:
                    page = response.read().decode("utf-8")
                break
            except OSError:
                assert server.poll() is None and time.monotonic() < deadline, "mkdocs serve 没有启动预览"
                time.sleep(0.3)
        assert "河北遵化经济开发区管理委员会" in page and "livereload(" in page
        assert sum(path.name.startswith("budget-preview-") for path in scratch.iterdir()) == 1
    finally:
        server.send_signal(signal.SIGTERM)
        _, err = server.communicate(timeout=30)
    assert "mkdocs serve 在本项目中运行 python -m builder serve" in err
    assert list(scratch.iterdir()) == []  # the preview's scratch folder is gone
    assert not (project / "site").exists()  # the published site folder is never touched by the preview


def test_the_admin_guides_build_as_their_own_site(tmp_path: Path) -> None:
    done = subprocess.run(
        [str(MKDOCS), "build", "--strict", "-f", "mkdocs-admin.yml", "-d", str(tmp_path / "admin")],
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    assert done.returncode == 0, done.stderr
    for guide in ("deploy", "configuration", "split-builds", "data-quality-rules", "reference/data-format"):
        assert (tmp_path / "admin" / guide / "index.html").is_file(), guide


def test_the_admin_guides_never_replace_a_published_site(tmp_path: Path) -> None:
    """`mkdocs build -f mkdocs-admin.yml -d site` emptied the public site and left the internal guides there."""
    from builder.pipeline.outputs import OWNER_MARKER
    from builder.site import admin_hooks

    assert admin_hooks.OWNER_MARKER == OWNER_MARKER  # the hook's own copy (it imports nothing of the builder's)
    site = tmp_path / "site"
    site.mkdir()
    (site / OWNER_MARKER).write_text("", encoding="utf-8")
    (site / "index.html").write_text("已发布的网站", encoding="utf-8")
    done = subprocess.run(
        [str(MKDOCS), "build", "-f", "mkdocs-admin.yml", "-d", str(site)], cwd=ROOT, capture_output=True, text=True
    )
    assert done.returncode == 1 and "管理员文档不能写进去" in done.stderr
    assert (site / "index.html").read_text(encoding="utf-8") == "已发布的网站"
    assert not (site / "deploy").exists()


def test_the_builder_writes_to_site_dir_by_default(tmp_path: Path) -> None:
    project = project_copy(tmp_path)
    settings = project / "mkdocs.yml"
    settings.write_text(
        settings.read_text(encoding="utf-8").replace("\nsite_dir: site ", "\nsite_dir: public "), "utf-8"
    )
    env = {**os.environ, "PYTHONPATH": str(project), "BUILDER_CACHE_DIR": str(tmp_path / "cache")}
    done = subprocess.run(
        [sys.executable, "-m", "builder", "build", "--no-pdf"], cwd=project, env=env, capture_output=True, text=True
    )
    assert done.returncode == 0, done.stderr
    assert (project / "public" / SMALL / "index.html").is_file() and not (project / "site").exists()


def test_a_file_the_server_must_show_goes_in_content_and_is_published_as_is(tmp_path: Path) -> None:
    """A site-verification file (政府网站普查, WeChat, a search engine): put in `content/`, it is published at the same
    place with the same bytes, and stays there on rebuilds; dot files are not published (deploy.md says so)."""
    project = project_copy(tmp_path)
    verification = b"verification-code 7f3a\r\n"
    (project / "content" / "MP_verify_7f3a.txt").write_bytes(verification)
    (project / "content" / ".env").write_text("SECRET=1", encoding="utf-8")
    env = {**os.environ, "PYTHONPATH": str(project), "BUILDER_CACHE_DIR": str(tmp_path / "cache")}
    for _ in range(2):
        done = subprocess.run(
            [sys.executable, "-m", "builder", "build", "--no-pdf"], cwd=project, env=env, capture_output=True, text=True
        )
        assert done.returncode == 0, done.stderr
        assert (project / "site" / "MP_verify_7f3a.txt").read_bytes() == verification
        assert not (project / "site" / ".env").exists()


def test_files_an_admin_put_in_the_site_are_named_when_a_build_removes_them(tmp_path: Path) -> None:
    """A build publishes exactly its own files: an admin's file in site/ goes, which used to go unsaid. Files the
    builder itself stops publishing (search routes renamed by an edit) are not named."""
    data = tmp_path / "data" / "2023"
    data.mkdir(parents=True)
    for name in ("zunhua-jingkaiqu.yaml", "tangshan-gxq-kejiju.yaml"):
        shutil.copy(ROOT / "data" / "2023" / name, data)
    site, folders = tmp_path / "site", {"generated_dir": tmp_path / "generated", "cache_dir": tmp_path / "cache"}

    def edit_and_build(number: int) -> list[str]:
        source = data / "zunhua-jingkaiqu.yaml"
        text = source.read_text(encoding="utf-8")
        source.write_text(text.replace("overall_goal:\n  - ", f"overall_goal:\n  - （修订{number}）", 1), "utf-8")
        return build(tmp_path / "data", site, with_pdf=False, **folders).notes

    assert not [note for note in edit_and_build(1) if "不是本工具生成的" in note]
    (site / "MP_verify_7f3a.txt").write_text("7f3a", encoding="utf-8")
    (site / "2023" / "readme.html").write_text("<p>说明</p>", encoding="utf-8")
    notes = [note for note in edit_and_build(2) if "不是本工具生成的" in note]
    assert notes == [
        "注意：网站文件夹中有不是本工具生成的文件，已随这次发布移除：2023/readme.html、MP_verify_7f3a.txt。"
        "要随网站发布的文件请放进 content/（每次生成原样复制到网站中的同一位置）；"
        "只供服务器使用的文件请放在网站文件夹之外"
    ]
    assert not (site / "MP_verify_7f3a.txt").exists() and not (site / "2023" / "readme.html").exists()
    assert not [note for note in edit_and_build(3) if "不是本工具生成的" in note]  # route files renamed: not named


def test_a_strict_umask_still_gives_a_site_the_web_server_can_read(tmp_path: Path) -> None:
    """An admin's `umask 027` (hardened servers): every page, PDF, data file and folder of the site is still
    readable by others (nginx runs as another user), and the admin's umask is left as it was."""
    data = tmp_path / "data" / "2023"
    data.mkdir(parents=True)
    shutil.copy(ROOT / "data" / f"{SMALL}.yaml", data)
    site = tmp_path / "site"
    earlier = os.umask(0o027)
    try:
        build(tmp_path / "data", site, generated_dir=tmp_path / "generated", cache_dir=tmp_path / "cache")
        assert os.umask(0o027) == 0o027
    finally:
        os.umask(earlier)
    paths = [site, *site.rglob("*")]
    unreadable = [path for path in paths if path.stat().st_mode & 0o004 == 0]
    closed = [path for path in paths if path.is_dir() and path.stat().st_mode & 0o001 == 0]
    assert any(path.suffix == ".pdf" for path in paths) and len(paths) > 50
    assert unreadable == [] and closed == []
    assert all(path.stat().st_mode & 0o022 == 0 for path in paths), "no file writable by others"


def test_a_mount_point_as_site_folder_is_refused_with_the_way_round(tmp_path: Path) -> None:
    """A Docker volume or NFS mount given as `--site`: a build cannot rename it to swap a site in (EBUSY), so it is
    refused at once with what to do; nothing is left beside it; a folder inside the mount builds."""
    mount = tmp_path / "volume"
    mount.mkdir()
    if subprocess.run(["mount", "-t", "tmpfs", "tmpfs", str(mount)], capture_output=True).returncode != 0:
        pytest.skip("needs permission to mount a tmpfs (root in CI)")
    try:
        data = tmp_path / "data" / "2023"
        data.mkdir(parents=True)
        shutil.copy(ROOT / "data" / f"{SMALL}.yaml", data)
        options = {"with_pdf": False, "generated_dir": tmp_path / "generated", "cache_dir": tmp_path / "cache"}
        with pytest.raises(BuilderError, match=f"是一个挂载点.*--site {mount / 'site'}"):
            build(tmp_path / "data", mount, **options)  # type: ignore[arg-type]
        assert sorted(path.name for path in tmp_path.iterdir()) == ["data", "volume"]
        build(tmp_path / "data", mount / "site", **options)  # type: ignore[arg-type]
        assert (mount / "site" / SMALL / "index.html").is_file()
    finally:
        subprocess.run(["umount", str(mount)], check=True)


@pytest.mark.parametrize("name", ["assets/budget/search.js", "404.html", "sitemap.xml"])
def test_a_hand_written_file_at_the_place_of_the_sites_own_is_refused(tmp_path: Path, name: str) -> None:
    """content/assets/budget/search.js silently replaced the site's search script (search broken, exit 0);
    content/404.html and content/sitemap.xml were silently replaced by the site's own."""
    project = project_copy(tmp_path)
    (project / "content" / name).parent.mkdir(parents=True, exist_ok=True)
    (project / "content" / name).write_text("/* 手写 */", encoding="utf-8")
    env = {**os.environ, "PYTHONPATH": str(project), "BUILDER_CACHE_DIR": str(tmp_path / "cache")}
    done = subprocess.run(
        [sys.executable, "-m", "builder", "build", "--no-pdf"], cwd=project, env=env, capture_output=True, text=True
    )
    assert done.returncode == 1
    assert f"content/ 中手写的文件 {name} 与网站自己生成的同名文件冲突" in done.stderr
    assert not (project / "site").exists()
