"""The deployment guide as written: Debian's nginx and Apache with the guide's own configuration serve the site.

The nginx blocks and the Apache block are taken from docs/deploy.md (so the guide and the
test cannot drift); only the site folder and the snippets folder are moved into the test's
folders, and the server listens on a free port of 127.0.0.1, started and stopped here. The
site is the sample data with PDFs, built with `site_url` at that address (for the 404 page)
into a folder the servers' unprivileged user may read. Checked over HTTP and in Chromium, for
each server: pages, search, compression, CSV charset, the Chinese file name of every PDF and
download, the slash redirect (relative with nginx), the 404 page, caching headers, and not
one Content-Security-Policy violation.
"""

from __future__ import annotations

import dataclasses
import gzip
import http.client
import re
import shutil
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import quote, unquote

import pytest

from builder.config import load_site_config
from builder.data.load import load_all
from builder.pipeline.build import MKDOCS_CONFIG, build
from builder.pipeline.outputs import OWNER_MARKER
from builder.site.csp import POLICY
from builder.site.downloads import APACHE_MAP_FILE, MAP_FILE, download_names

ROOT = Path(__file__).resolve().parents[2]
GUIDE = ROOT / "docs" / "deploy.md"
NGINX = shutil.which("nginx") or "/usr/sbin/nginx"
APACHE = "/usr/sbin/apache2"
APACHE_MODULES = ("mpm_prefork", "authz_core", "alias", "rewrite", "headers", "deflate", "filter", "mime", "dir")
CHROMIUM = Path("/usr/bin/chromium")
SUB_PATH = "/budget/"
IMMUTABLE = "public, max-age=31536000, immutable"
DOWNLOAD = re.compile(r"(\.(pdf|csv|xlsx|json|db)|/SHA256SUMS)$")
LISTEN = """
window.__violations = [];
document.addEventListener("securitypolicyviolation", (event) =>
  window.__violations.push(`${event.violatedDirective} ${event.blockedURI}`));
"""

if not CHROMIUM.exists():
    pytest.skip("需要 Debian 的 chromium（apt-get install chromium）", allow_module_level=True)


def guide_blocks() -> dict[str, str]:
    """The guide's nginx blocks by their first comment line: `# 文件：<path>` or `# 放在 server { } 中`."""
    blocks = re.findall(r"```nginx\n(.*?)```", GUIDE.read_text(encoding="utf-8"), re.S)
    by_place = {block.splitlines()[0].removeprefix("# 文件：").strip(): block for block in blocks}
    assert set(by_place) == {
        "/etc/nginx/conf.d/yusuan.conf",
        "/etc/nginx/snippets/yusuan-headers.conf",
        "# 放在 server { } 中",
    }
    return by_place


def renamed(server_block: str, sub_path: str) -> str:
    """The guide's third block moved to `sub_path` as the guide says: every `/budget`, as many as it counts."""
    said = re.search(r"把第三段中的 `/budget` 全部换掉（共 (\d+) 处", GUIDE.read_text(encoding="utf-8"))
    assert said and server_block.count("/budget") == int(said[1])
    return server_block.replace("/budget", sub_path.rstrip("/"))


def nginx_conf(work: Path, site: Path, port: int, sub_path: str = SUB_PATH) -> str:
    """A whole nginx.conf around the guide's blocks, with the site and snippets in `work`."""
    blocks = guide_blocks()
    if sub_path != SUB_PATH:
        blocks["# 放在 server { } 中"] = renamed(blocks["# 放在 server { } 中"], sub_path)
    snippets = work / "snippets"
    snippets.mkdir()
    (snippets / "yusuan-headers.conf").write_text(blocks["/etc/nginx/snippets/yusuan-headers.conf"], encoding="utf-8")

    def moved(text: str) -> str:
        return text.replace("/var/www/yusuan/", f"{site}/").replace("/etc/nginx/snippets/", f"{snippets}/")

    temp = work / "temp"
    temp.mkdir()
    return f"""
daemon off;
master_process off;
pid {work}/nginx.pid;
error_log {work}/error.log warn;
events {{ worker_connections 64; }}
http {{
    include /etc/nginx/mime.types;
    default_type application/octet-stream;
    access_log off;
    client_body_temp_path {temp}/body;
    proxy_temp_path {temp}/proxy;
    fastcgi_temp_path {temp}/fastcgi;
    uwsgi_temp_path {temp}/uwsgi;
    scgi_temp_path {temp}/scgi;
    {moved(blocks["/etc/nginx/conf.d/yusuan.conf"])}
    server {{
        listen 127.0.0.1:{port};
        server_name localhost;
        {moved(blocks["# 放在 server { } 中"])}
    }}
}}
"""


def apache_conf(work: Path, site: Path, port: int) -> str:
    """A whole Apache configuration around the guide's block (what Debian's apache2.conf and ports.conf give)."""
    [block] = re.findall(r"```apache\n(.*?)```", GUIDE.read_text(encoding="utf-8"), re.S)
    assert block.startswith("# 放在 <VirtualHost> 中")
    modules = "\n".join(f"LoadModule {name}_module /usr/lib/apache2/modules/mod_{name}.so" for name in APACHE_MODULES)
    return f"""{modules}
ServerRoot {work}
ServerName 127.0.0.1
Listen 127.0.0.1:{port}
PidFile {work}/apache.pid
ErrorLog {work}/error.log
LogLevel warn
DefaultRuntimeDir {work}
Mutex file:{work} default
User nobody
Group nogroup
TypesConfig /etc/mime.types
<Directory />
    AllowOverride None
    Require all denied
</Directory>
<VirtualHost 127.0.0.1:{port}>
    ServerName 127.0.0.1
{block.replace("/var/www/yusuan/", f"{site}/")}
</VirtualHost>
"""


def start_nginx(work: Path, site: Path, port: int, sub_path: str = SUB_PATH) -> subprocess.Popen[bytes]:
    if not Path(NGINX).exists():
        pytest.skip("需要 Debian 的 nginx（apt-get install nginx，见 scripts/system-deps.sh）")
    conf = work / "nginx.conf"
    conf.write_text(nginx_conf(work, site, port, sub_path), encoding="utf-8")
    checked = subprocess.run([NGINX, "-t", "-c", str(conf)], capture_output=True, text=True)
    assert checked.returncode == 0, checked.stderr
    assert "[warn]" not in checked.stderr, checked.stderr  # the configuration as printed, without a warning
    return subprocess.Popen([NGINX, "-c", str(conf)], stderr=subprocess.PIPE)


def start_apache(work: Path, site: Path, port: int) -> subprocess.Popen[bytes]:
    if not Path(APACHE).exists():
        pytest.skip("需要 Debian 的 Apache（apt-get install apache2-bin，见 scripts/system-deps.sh）")
    conf = work / "apache.conf"
    conf.write_text(apache_conf(work, site, port), encoding="utf-8")
    checked = subprocess.run([APACHE, "-t", "-f", str(conf)], capture_output=True, text=True)
    assert checked.returncode == 0, checked.stderr
    # Its own session: on TERM, Apache signals its whole process group, which would otherwise include pytest.
    return subprocess.Popen(
        [APACHE, "-D", "FOREGROUND", "-f", str(conf)], stderr=subprocess.PIPE, start_new_session=True
    )


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def wait_until_listening(server: subprocess.Popen[bytes], port: int) -> None:
    """Up to 5 s for the server to answer on `port`; its error output if it ends first."""
    for _ in range(100):
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.1).close()
            return
        except OSError:
            assert server.poll() is None, server.stderr.read() if server.stderr else ""
            time.sleep(0.05)


@pytest.fixture(scope="module")
def built() -> Iterator[tuple[Path, int]]:
    """The sample site with PDFs, for the address http://127.0.0.1:<port>/budget/, readable by any user."""
    www = Path(tempfile.mkdtemp(prefix="budget-deploy-"))
    www.chmod(0o755)  # the servers read it as an unprivileged user
    port = free_port()
    config = dataclasses.replace(load_site_config(MKDOCS_CONFIG), base_url=f"http://127.0.0.1:{port}{SUB_PATH}")
    site = www / "yusuan"
    try:
        build(ROOT / "data", site, jobs=2, generated_dir=www / "generated", site_config=config, cache_dir=www / "cache")
        for path in [site, *site.rglob("*")]:
            path.chmod(0o755 if path.is_dir() else 0o644)
        yield site, port
    finally:
        shutil.rmtree(www, ignore_errors=True)


@pytest.fixture(scope="module", params=["nginx", "apache"])
def deployed(
    request: pytest.FixtureRequest, built: tuple[Path, int], tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[Path, int]]:
    site, port = built
    work = tmp_path_factory.mktemp(request.param)
    server = (start_nginx if request.param == "nginx" else start_apache)(work, site, port)
    try:
        wait_until_listening(server, port)
        yield site, port
    finally:
        server.terminate()
        server.wait(timeout=10)


@pytest.fixture
def server_name(deployed: tuple[Path, int], request: pytest.FixtureRequest) -> str:
    return request.node.callspec.params["deployed"]


def get(port: int, path: str, headers: dict[str, str] | None = None) -> http.client.HTTPResponse:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    connection.request("GET", quote(path), headers=headers or {})
    response = connection.getresponse()
    response.body = response.read()  # type: ignore[attr-defined]
    connection.close()
    return response


def test_every_pdf_and_download_is_saved_under_its_chinese_name(deployed: tuple[Path, int]) -> None:
    site, port = deployed
    loaded, _ = load_all([ROOT / "data"])
    expected = download_names(loaded)
    files = sorted(path.relative_to(site).as_posix() for path in site.rglob("*") if path.is_file())
    downloads = [path for path in files if DOWNLOAD.search(path) and not path.startswith("pagefind/")]
    assert sum(path.endswith(".pdf") for path in downloads) == 4 and len(downloads) > 30
    for path in downloads:
        response = get(port, SUB_PATH + path)
        assert response.status == 200, path
        disposition = response.headers["Content-Disposition"]
        ascii_name, encoded = re.fullmatch(
            r"attachment; filename=\"([^\"]+)\"; filename\*=UTF-8''(\S+)", disposition
        ).groups()
        assert ascii_name == path.rsplit("/", 1)[1]
        assert unquote(encoded) == expected[path], path
    pdf = get(port, SUB_PATH + "2023/tangshan-gxq-fagaiju/tangshan-gxq-fagaiju-2023.pdf")
    assert "filename*=UTF-8''" + quote("高新区发改局2023年部门预算绩效文本.pdf") in pdf.headers["Content-Disposition"]
    assert pdf.headers["Content-Type"] == "application/pdf"
    for name in (MAP_FILE, APACHE_MAP_FILE):
        assert get(port, SUB_PATH + name).status in (403, 404)  # the name tables are the server's, not the public's
    assert (site / OWNER_MARKER).is_file()
    assert get(port, SUB_PATH + OWNER_MARKER).status in (403, 404)  # nor the builder's marker (a dot file)


def test_csv_is_utf8_text_and_compressed(deployed: tuple[Path, int]) -> None:
    _, port = deployed
    response = get(port, SUB_PATH + "data/budget-performance-projects.csv", {"Accept-Encoding": "gzip"})
    assert response.headers["Content-Type"] == "text/csv; charset=utf-8"
    assert response.headers["Content-Encoding"] == "gzip"
    assert gzip.decompress(response.body).startswith("\ufeff".encode())  # type: ignore[attr-defined]


def test_pages_scripts_styles_and_data_are_compressed(deployed: tuple[Path, int]) -> None:
    site, port = deployed
    script = next(site.glob("assets/javascripts/bundle.*.min.js")).relative_to(site).as_posix()
    style = next(site.glob("assets/stylesheets/main.*.min.css")).relative_to(site).as_posix()
    for path in ["", "2023/", script, style, "assets/budget/site.js", "data/budget-performance.json"]:
        response = get(port, SUB_PATH + path, {"Accept-Encoding": "gzip"})
        assert response.status == 200, path
        assert response.headers["Content-Encoding"] == "gzip", path
        assert response.headers["Vary"] == "Accept-Encoding", path


def test_caching_headers(deployed: tuple[Path, int]) -> None:
    site, port = deployed
    script = next(site.glob("assets/javascripts/bundle.*.min.js")).relative_to(site).as_posix()
    fragment = next(site.glob("pagefind/*/fragment/*.pf_fragment")).relative_to(site).as_posix()
    assert get(port, SUB_PATH + script).headers["Cache-Control"] == IMMUTABLE
    assert get(port, SUB_PATH + fragment).headers["Cache-Control"] == IMMUTABLE
    for path in [
        "",
        "2023/",
        "assets/budget/site.js",
        "pagefind/pagefind.js",
        "2023/zunhua-jingkaiqu/zunhua-jingkaiqu-2023.pdf",
    ]:
        assert get(port, SUB_PATH + path).headers["Cache-Control"] == "no-cache", path


def test_redirects_add_the_slash(deployed: tuple[Path, int], server_name: str) -> None:
    _, port = deployed
    for path, target in [("/budget", "/budget/"), ("/budget/2023", "/budget/2023/")]:
        response = get(port, path)
        assert response.status == 301, path
        location = response.headers["Location"]
        if server_name == "nginx":
            assert location == target  # relative: right behind a TLS proxy too
        else:
            assert (
                location == f"http://127.0.0.1:{port}{target}"
            )  # Apache: absolute (the guide says ServerName https://)
    response = get(port, "/budget/2023/zunhua-jingkaiqu", {"Host": "czj.example.gov.cn"})
    assert response.headers["Location"].endswith("/budget/2023/zunhua-jingkaiqu/")
    assert response.headers["Location"].startswith(("/", "http://czj.example.gov.cn/"))


def test_security_headers_on_pages_and_downloads(deployed: tuple[Path, int]) -> None:
    _, port = deployed
    for path in ["", "2023/zunhua-jingkaiqu/zunhua-jingkaiqu-2023.pdf", "data/budget-performance.json", "nope/"]:
        response = get(port, SUB_PATH + path)
        assert response.headers["Content-Security-Policy"] == POLICY, path
        assert response.headers["X-Content-Type-Options"] == "nosniff", path


@pytest.fixture
def page(browser: object) -> Iterator[object]:
    """A fresh tab; afterwards: no CSP violation, no script error, no failed request."""
    context = browser.new_context(accept_downloads=True)
    context.add_init_script(LISTEN)
    tab = context.new_page()
    errors: list[str] = []
    failed: list[str] = []
    tab.on("pageerror", lambda error: errors.append(str(error)))
    tab.on("requestfailed", lambda request: failed.append(request.url))
    tab.on(
        "response",
        lambda response: (
            response.status >= 400 and response.request.resource_type != "document" and failed.append(response.url)
        ),
    )
    yield tab
    violations = tab.evaluate("window.__violations") if not tab.is_closed() else []
    context.close()
    assert violations == []
    assert errors == []
    assert [url for url in failed if not url.endswith(".pdf")] == []


@pytest.mark.parametrize("path", ["", "2023/", "2023/tangshan-gxq-fagaiju/", "downloads/", "2023/projects/"])
def test_pages_load_under_the_guides_headers(page: object, deployed: tuple[Path, int], path: str) -> None:
    _, port = deployed
    response = page.goto(f"http://127.0.0.1:{port}{SUB_PATH}{path}")
    assert response.status == 200
    page.wait_for_load_state("networkidle")
    assert page.evaluate("getComputedStyle(document.querySelector('.md-header')).position") in ("sticky", "fixed")


def test_search_works(page: object, deployed: tuple[Path, int]) -> None:
    _, port = deployed
    page.goto(f"http://127.0.0.1:{port}{SUB_PATH}search/")
    page.fill("#bp-search-input", "满意度")
    page.press("#bp-search-input", "Enter")
    page.wait_for_selector(".bp-search__result")
    page.wait_for_load_state("networkidle")
    assert page.locator(".bp-search__result").count() > 1


def test_the_404_page_is_styled_at_any_depth(page: object, deployed: tuple[Path, int]) -> None:
    _, port = deployed
    response = page.goto(f"http://127.0.0.1:{port}{SUB_PATH}2023/no-such-department/deep/")
    assert response.status == 404
    page.wait_for_load_state("networkidle")
    assert "404 - 找不到这个页面" in page.inner_text("article")
    assert page.evaluate("getComputedStyle(document.querySelector('.md-header')).position") in ("sticky", "fixed")
    page.click("article >> text=搜索部门和项目")
    page.wait_for_load_state("networkidle")
    assert page.url == f"http://127.0.0.1:{port}{SUB_PATH}search/"
    page.go_back(wait_until="networkidle")
    page.click(".md-header__button.md-logo")
    assert page.url == f"http://127.0.0.1:{port}{SUB_PATH}"


def test_a_shared_pdf_link_saves_the_chinese_name(page: object, deployed: tuple[Path, int]) -> None:
    _, port = deployed
    page.set_content(
        f'<a href="http://127.0.0.1:{port}{SUB_PATH}2023/zunhua-jingkaiqu/zunhua-jingkaiqu-2023.pdf">PDF</a>'
    )
    with page.expect_download() as download:
        page.click("a")
    assert download.value.suggested_filename == "河北遵化经济开发区管理委员会2023年部门预算绩效文本.pdf"


def test_the_guides_renaming_of_the_sub_path_keeps_names_and_hides_the_maps(
    built: tuple[Path, int], tmp_path: Path
) -> None:
    """An admin moves the site to /zwgk/yusuan/ as the guide says: downloads keep their Chinese names, the name
    maps and the marker stay private. With only the obvious three places renamed, nginx -t passed and all leaked."""
    site, _ = built
    port = free_port()
    server = start_nginx(tmp_path, site, port, "/zwgk/yusuan/")
    try:
        wait_until_listening(server, port)
        for private in ["download-names.nginx.conf", "download-names.apache.map", ".budget-builder-output"]:
            assert get(port, "/zwgk/yusuan/" + private).status == 404, private
        pdf = get(port, "/zwgk/yusuan/2023/zunhua-jingkaiqu/zunhua-jingkaiqu-2023.pdf")
        assert pdf.status == 200 and "filename*=UTF-8''" in pdf.headers["Content-Disposition"]
        csv = get(port, "/zwgk/yusuan/data/budget-performance-projects.csv")
        assert csv.headers["Content-Type"] == "text/csv; charset=utf-8"
        assert get(port, "/zwgk/yusuan").headers["Location"] == "/zwgk/yusuan/"
    finally:
        server.terminate()
        server.wait(timeout=10)
