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


def test_every_pinned_package_installs_on_debian_12s_python() -> None:
    """A bare Debian 12 has Python 3.11.2: pymdown-extensions 13 (Requires-Python >=3.11.5) stopped `make site` there
    with “requires a different Python”. Every pin of requirements.lock, as installed, admits 3.11.2 and the lowest
    Python pyproject.toml promises."""
    from importlib.metadata import metadata

    from packaging.specifiers import SpecifierSet

    promised = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]["requires-python"]
    lowest = min(spec.version for spec in SpecifierSet(promised) if spec.operator == ">=")
    refused = []
    for line in (ROOT / "requirements.lock").read_text(encoding="utf-8").splitlines():
        name, _, pinned = line.partition("==")
        installed = metadata(name)
        assert installed["Version"] == pinned, f"{name}: {installed['Version']} installed, {pinned} pinned"
        needs = SpecifierSet(installed.get("Requires-Python") or "")
        refused += [f"{name}=={pinned} needs Python {needs}" for python in ("3.11.2", lowest) if python not in needs]
    assert refused == []
