"""Runtime dependencies are what the builder imports: openpyxl, which only the tests use, is in the `test` extra."""

from __future__ import annotations

import subprocess
import sys
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

# Every builder module imported, then the sample data's XLSX written, with openpyxl made unimportable.
WITHOUT_OPENPYXL = """
import importlib, pkgutil, sys, zipfile, io
sys.modules["openpyxl"] = None  # `import openpyxl` raises ImportError from here on

import builder
for module in pkgutil.walk_packages(builder.__path__, "builder."):
    if not module.name.endswith("__main__"):
        importlib.import_module(module.name)

from pathlib import Path
from builder.data.load import load_all
from builder.opendata.tables import build_tables
from builder.opendata.to_xlsx import xlsx_bytes

loaded, errors = load_all([Path("data")])
assert loaded and not errors, errors
workbook = xlsx_bytes(build_tables(loaded).values())
names = zipfile.ZipFile(io.BytesIO(workbook)).namelist()
print(len(workbook), len([name for name in names if name.startswith("xl/worksheets/")]))
"""


def test_openpyxl_is_a_test_dependency_only() -> None:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    names = [requirement.split(">")[0].split("=")[0].split("[")[0].strip() for requirement in project["dependencies"]]
    assert "openpyxl" not in names
    assert any(requirement.startswith("openpyxl") for requirement in project["optional-dependencies"]["test"])
    assert "openpyxl==" in (ROOT / "requirements.lock").read_text(encoding="utf-8")  # `make test` installs it


def test_the_builder_imports_and_writes_xlsx_without_openpyxl() -> None:
    done = subprocess.run(
        [sys.executable, "-c", WITHOUT_OPENPYXL], cwd=ROOT, capture_output=True, text=True, timeout=300
    )
    assert done.returncode == 0, done.stderr
    size, sheets = map(int, done.stdout.split())
    assert size > 10_000 and sheets == 4  # departments, projects, indicators, spending plan
