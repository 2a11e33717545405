"""Hostile and broken command lines: each ends in exit 1 and its exact, located Chinese message; nothing is written.

The expected messages are in tests/golden/hostile-commands.txt (paths shown as <tmp> and
<project>). Refresh them on purpose, then review the diff:
    REFRESH_GOLDEN=1 python -m pytest tests/test_hostile_commands.py
"""

from __future__ import annotations

import hashlib
import os
import shutil
import zipfile
from collections.abc import Callable
from pathlib import Path

import pytest

from builder.cli import main

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = ROOT / "data" / "2023" / "zunhua-jingkaiqu.yaml"
GOLDEN = Path(__file__).parent / "golden" / "hostile-commands.txt"
W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"


def docx(path: Path, members: dict[str, bytes]) -> Path:
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        archive.writestr("[Content_Types].xml", b"<Types/>")
        for name, data in members.items():
            archive.writestr(name, data)
    return path


def bomb(tmp: Path) -> list[str]:
    path = tmp / "bomb.docx"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        archive.writestr("[Content_Types].xml", b"<Types/>")
        with archive.open("word/media/image1.png", "w") as handle:
            for _ in range(65):
                handle.write(bytes(1 << 20))
    return ["import", str(path), "--out", str(tmp / "out")]


def laughs(tmp: Path) -> list[str]:
    entities = "".join(f'<!ENTITY l{i + 1} "{f"&l{i};" * 10}">' for i in range(9))
    xml = f'<?xml version="1.0"?><!DOCTYPE d [<!ENTITY l0 "ha">{entities}]><d>&l9;</d>'.encode()
    path = docx(tmp / "laughs.docx", {"word/document.xml": xml})
    return ["import", str(path), "--out", str(tmp / "out")]


def truncated(tmp: Path) -> list[str]:
    xml = f'<?xml version="1.0"?>\n<w:document xmlns:w="{W}">\n<w:body><w:p><w:r><w:t>部门'.encode()
    path = docx(tmp / "cut.docx", {"word/document.xml": xml})
    return ["import", str(path), "--out", str(tmp / "out")]


def huge_text(tmp: Path) -> list[str]:
    with (tmp / "huge.txt").open("wb") as handle:
        handle.truncate(12 * 1024 * 1024)
    return ["import", str(tmp / "huge.txt"), "--out", str(tmp / "out")]


def foreign_folder(tmp: Path) -> list[str]:
    (tmp / "photos").mkdir()
    (tmp / "photos" / "a.jpg").write_bytes(b"\xff\xd8")
    return ["build", "--no-pdf", "--quiet", "--site", str(tmp / "photos")]


def a_file(tmp: Path) -> list[str]:
    (tmp / "notes.txt").write_text("x", encoding="utf-8")
    return ["build", "--no-pdf", "--quiet", "--site", str(tmp / "notes.txt")]


def linked_data(tmp: Path) -> list[str]:
    (tmp / "elsewhere").mkdir()
    shutil.copyfile(SAMPLE, tmp / "elsewhere" / "x.yaml")
    (tmp / "data" / "2023").mkdir(parents=True)
    (tmp / "data" / "2023" / "x.yaml").symlink_to(tmp / "elsewhere" / "x.yaml")
    return ["build", "--no-pdf", "--quiet", "--data", str(tmp / "data"), "--site", str(tmp / "site")]


def superscript_year(tmp: Path) -> list[str]:
    (tmp / "data" / "2023²").mkdir(parents=True)
    shutil.copyfile(SAMPLE, tmp / "data" / "2023²" / SAMPLE.name)
    return ["build", "--no-pdf", "--quiet", "--data", str(tmp / "data"), "--site", str(tmp / "site")]


def escape_in_name(tmp: Path) -> list[str]:
    (tmp / "data" / "2023").mkdir(parents=True)
    shutil.copyfile(SAMPLE, tmp / "data" / "2023" / "a\x1b]0;x\x07b.yaml")
    return ["check", str(tmp / "data")]


def not_a_part(tmp: Path) -> list[str]:
    (tmp / "downloads").mkdir()
    return ["build", "--no-pdf", "--quiet", "--site", str(tmp / "site"), "--merge", str(tmp / "downloads")]


CASES: dict[str, Callable[[Path], list[str]]] = {
    "site-is-data": lambda tmp: ["build", "--no-pdf", "--quiet", "--site", str(ROOT / "data")],
    "site-is-project": lambda tmp: ["build", "--no-pdf", "--quiet", "--site", str(ROOT)],
    "site-inside-theme": lambda tmp: ["build", "--no-pdf", "--quiet", "--site", str(ROOT / "theme" / "out")],
    "site-contains-git": lambda tmp: ["build", "--no-pdf", "--quiet", "--site", str(ROOT / ".git")],
    "site-not-the-builders": foreign_folder,
    "site-is-a-file": a_file,
    "part-into-published-site": lambda tmp: ["build", "--no-pdf", "--part", "2023", "--site", str(ROOT / "site")],
    "merge-folder-is-the-output": lambda tmp: ["build", "--site", str(tmp / "p"), "--merge", str(tmp / "p")],
    "merge-without-manifest": not_a_part,
    "timings-missing-folder": lambda tmp: ["build", "--site", str(tmp / "s"), "--timings", str(tmp / "no" / "t.json")],
    "timings-over-data": lambda tmp: ["build", "--site", str(tmp / "s"), "--timings", str(SAMPLE)],
    "data-linked-from-outside": linked_data,
    "year-folder-2023-superscript": superscript_year,
    "escape-in-file-name": escape_in_name,
    "serve-port-out-of-range": lambda tmp: ["serve", "--port", "70000"],
    "serve-port-negative": lambda tmp: ["serve", "--port", "-1"],
    "new-year-99999": lambda tmp: ["new", "--year", "99999", "--department", "某局", "--data", str(tmp / "d")],
    "new-slug-data": lambda tmp: [
        "new",
        "--year",
        "2025",
        "--department",
        "某局",
        "--slug",
        "data",
        "--data",
        str(tmp),
    ],
    "new-two-line-name": lambda tmp: ["new", "--year", "2025", "--department", "某局\n# x", "--data", str(tmp / "d")],
    "import-zip-bomb": bomb,
    "import-billion-laughs": laughs,
    "import-truncated-xml": truncated,
    "import-huge-text": huge_text,
}


def digest(folder: Path) -> str:
    files = sorted(p for p in folder.rglob("*") if p.is_file() and ".git" not in p.parts and "site" not in p.parts)
    return hashlib.sha256(b"".join(p.as_posix().encode() + p.read_bytes() for p in files)).hexdigest()


def expected() -> dict[str, str]:
    blocks = GOLDEN.read_text(encoding="utf-8").split("\n## ")[1:]
    return {name: body.rstrip("\n") for name, _, body in (block.partition("\n") for block in blocks)}


def test_every_hostile_command_gets_its_exact_message(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    project = {name: digest(ROOT / name) for name in ("data", "content", "theme", "templates", "builder")}
    actual = {}
    for name, setup in CASES.items():
        tmp = tmp_path / name
        tmp.mkdir()
        argv = setup(tmp)
        before = sorted(os.listdir(tmp))
        code = main(argv)
        output = capsys.readouterr()
        text = (output.out + output.err).replace(str(tmp), "<tmp>").replace(str(ROOT), "<project>")
        assert code == 1, (name, text)
        assert "内部错误" not in text and "Traceback" not in text, name
        assert "\x1b" not in text, name
        assert sorted(os.listdir(tmp)) == before, name  # nothing written, not even a part of the output
        actual[name] = text.rstrip("\n")
    assert {name: digest(ROOT / name) for name in project} == project  # the project untouched
    if os.environ.get("REFRESH_GOLDEN"):
        GOLDEN.write_text("".join(f"\n## {name}\n{text}\n" for name, text in actual.items()), encoding="utf-8")
    assert actual == expected()
