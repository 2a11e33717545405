"""The command line speaks Chinese throughout, has --version, is silent with --quiet, and respects the umask."""

from __future__ import annotations

import json
import os
import shutil
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from builder.cli import main, tool_version

ROOT = Path(__file__).resolve().parent.parent


def cli(*arguments: str, cwd: Path = ROOT) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    return subprocess.run(
        [sys.executable, "-m", "builder", *arguments], cwd=cwd, env=env, capture_output=True, text=True
    )


def test_version() -> None:
    done = cli("--version")
    assert done.returncode == 0 and done.stdout.strip() == f"python -m builder {tool_version()}"
    assert tool_version()[0].isdigit()


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        (["build", "--jobs", "x"], "参数 --jobs：'x' 不是有效的正整数"),
        (["build", "--jobs", "0"], "参数 --jobs：'0' 不是有效的正整数"),
        (["new", "--department", "某某局"], "缺少必需的参数：--year"),
        (["new", "--year", "二〇二五", "--department", "某某局"], "参数 --year：'二〇二五' 不是有效的年度"),
        (["bild"], "没有 'bild' 这一项（可选：'check', 'build'"),
        (["check", "--strict"], "不认识的参数：--strict"),
        (["lint", "--format", "xml"], "参数 --format：没有 'xml' 这一项"),
    ],
)
def test_argument_errors_are_in_chinese(arguments: list[str], message: str) -> None:
    done = cli(*arguments)
    assert done.returncode == 1  # a user's mistake, as every other one
    assert message in done.stderr
    assert "用法：python -m builder" in done.stderr
    assert not any(word in done.stderr for word in ("usage:", "error:", "invalid", "required"))


def test_help_is_in_chinese() -> None:
    for arguments in ([], ["build"], ["import"], ["serve"]):
        done = cli(*arguments, "-h")
        assert done.returncode == 0
        assert "显示本帮助并退出" in done.stdout and "用法：" in done.stdout
        assert not any(word in done.stdout for word in ("usage:", "options:", "show this help", " DATA", " YEAR"))
    assert "MkDocs 排版、搜索索引和 PDF 各步骤都用" in cli("build", "-h").stdout  # --jobs is not only for PDFs


def test_quiet_prints_nothing_on_success_and_still_writes_the_timings(tmp_path: Path) -> None:
    data = tmp_path / "data" / "2023"
    data.mkdir(parents=True)
    shutil.copy(ROOT / "data" / "2023" / "zunhua-jingkaiqu.yaml", data)
    env = {**os.environ, "PYTHONPATH": str(ROOT), "BUILDER_CACHE_DIR": str(tmp_path / "cache")}
    arguments = ["build", "--data", str(tmp_path / "data"), "--site", str(tmp_path / "site"), "--no-pdf", "--quiet"]
    arguments += ["--timings", str(tmp_path / "timings.json")]
    done = subprocess.run([sys.executable, "-m", "builder", *arguments], env=env, capture_output=True, text=True)
    assert (done.returncode, done.stdout, done.stderr) == (0, "", "")
    assert (tmp_path / "site" / "index.html").is_file()
    assert json.loads((tmp_path / "timings.json").read_text(encoding="utf-8"))["reused"] == 0


def test_a_build_without_pdfs_says_it_took_the_published_pdfs_down(tmp_path: Path) -> None:
    """An admin previewing with --no-pdf into the public site/ is told its PDFs are gone, and how to get them back."""
    from builder.pipeline.outdir import KIND_SITE, write_marker

    data = tmp_path / "data" / "2023"
    data.mkdir(parents=True)
    shutil.copy(ROOT / "data" / "2023" / "zunhua-jingkaiqu.yaml", data)
    site = tmp_path / "site"
    (site / "2023" / "zunhua-jingkaiqu").mkdir(parents=True)
    write_marker(site, KIND_SITE)
    (site / "2023" / "zunhua-jingkaiqu" / "zunhua-jingkaiqu-2023.pdf").write_bytes(b"%PDF-1.7")
    env = {**os.environ, "PYTHONPATH": str(ROOT), "BUILDER_CACHE_DIR": str(tmp_path / "cache")}
    arguments = ["build", "--data", str(tmp_path / "data"), "--site", str(site), "--no-pdf"]
    done = subprocess.run([sys.executable, "-m", "builder", *arguments], env=env, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert f"注意：本次用了 --no-pdf，{site} 中原有的 1 个 PDF 已撤下" in done.stdout
    assert not list(site.glob("*/*/*.pdf"))
    again = subprocess.run([sys.executable, "-m", "builder", *arguments], env=env, capture_output=True, text=True)
    assert "已撤下" not in again.stdout  # said once, when they went


def test_a_department_page_gone_since_the_last_build_is_named(tmp_path: Path) -> None:
    """A data file renamed (or removed): its old address now answers 404, which the build used to leave unsaid."""
    data = tmp_path / "data" / "2023"
    data.mkdir(parents=True)
    for name in ("zunhua-jingkaiqu.yaml", "tangshan-gxq-kejiju.yaml"):
        shutil.copy(ROOT / "data" / "2023" / name, data)
    env = {**os.environ, "PYTHONPATH": str(ROOT), "BUILDER_CACHE_DIR": str(tmp_path / "cache")}
    arguments = ["build", "--data", str(tmp_path / "data"), "--site", str(tmp_path / "site"), "--no-pdf"]
    first = subprocess.run([sys.executable, "-m", "builder", *arguments], env=env, capture_output=True, text=True)
    assert first.returncode == 0 and "没有了" not in first.stdout
    (data / "tangshan-gxq-kejiju.yaml").rename(data / "gxq-kejiju.yaml")
    done = subprocess.run([sys.executable, "-m", "builder", *arguments], env=env, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert "注意：上次发布的部门页面这次没有了：2023/tangshan-gxq-kejiju/。数据文件被删除或改名了吗？" in done.stdout


@pytest.mark.parametrize("umask", [0o022, 0o002, 0o077])
def test_new_writes_with_the_users_umask(tmp_path: Path, umask: int) -> None:
    old = os.umask(umask)
    try:
        assert main(["new", "--year", "2025", "--department", "某某局", "--slug", "x", "--data", str(tmp_path)]) == 0
    finally:
        os.umask(old)
    assert stat.S_IMODE((tmp_path / "2025" / "x.yaml").stat().st_mode) == 0o666 & ~umask


def test_a_new_year_of_a_department_keeps_its_code_name(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """`new --year 2024 --department 高新区科技局` made gxq-kejiju beside 2023's tangshan-gxq-kejiju: new addresses,
    and the department's pages did not link its two years."""
    data = tmp_path / "data"
    shutil.copytree(ROOT / "data", data)
    assert main(["new", "--year", "2024", "--department", "高新区科技局", "--data", str(data)]) == 0
    assert (data / "2024" / "tangshan-gxq-kejiju.yaml").is_file()
    assert "的代号 tangshan-gxq-kejiju（同名部门），网址与其他年度一致" in capsys.readouterr().out
    twin = (data / "2023" / "tangshan-gxq-kejiju.yaml").read_text(encoding="utf-8")
    (data / "2023" / "other-kejiju.yaml").write_text(twin, encoding="utf-8")  # a second unit of the same name
    assert main(["new", "--year", "2025", "--department", "高新区科技局", "--data", str(data)]) == 1
    assert "其他年度有几个同名部门" in capsys.readouterr().err and not (data / "2025").exists()


def test_ctrl_c_while_the_modules_load_says_interrupted_without_a_traceback() -> None:
    """Ctrl+C in the first second of `python -m builder` (its modules still loading) ends as it does later."""
    interrupt_on_import = (
        "import builtins, runpy, sys\n"
        "real = builtins.__import__\n"
        "def importing(name, *args, **kwargs):\n"
        "    if name == 'cli' or name.endswith('builder.cli'):\n"
        "        raise KeyboardInterrupt\n"
        "    return real(name, *args, **kwargs)\n"
        "builtins.__import__ = importing\n"
        "sys.argv = ['builder', 'check']\n"
        "runpy.run_module('builder', run_name='__main__', alter_sys=True)\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", interrupt_on_import], cwd=ROOT, capture_output=True, text=True, timeout=60
    )
    assert (result.returncode, result.stderr) == (130, "已中断。\n")


def test_run_from_another_folder_the_missing_data_folder_is_explained(tmp_path: Path) -> None:
    """An admin in another folder (cron, /tmp) gets where the data folder is, not a suggestion that just failed."""
    for command in (["check"], ["build", "--no-pdf", "--quiet"]):
        result = subprocess.run(
            [sys.executable, "-m", "builder", *command],
            cwd=tmp_path,
            env={**os.environ, "PYTHONPATH": str(ROOT)},
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert result.returncode == 1
        hint = f"当前文件夹是 {tmp_path}：请在项目文件夹中运行，或写出数据文件夹的完整路径，如 {ROOT / 'data'}"
        assert hint in result.stderr
    assert list(tmp_path.iterdir()) == []
