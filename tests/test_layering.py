"""The house's rules that import-linter cannot see: each outside program is run from one module,
and the layering contract itself refuses an upward import."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import REPO

PACKAGE = REPO / "generator"


def modules_naming(pattern: str) -> list[str]:
    """The modules whose code (comments and docstrings aside) names an outside program."""
    found = []
    word = re.compile(pattern)
    for path in sorted(PACKAGE.rglob("*.py")):
        code = [line.split("#", 1)[0] for line in path.read_text("utf-8").splitlines()]
        if any(word.search(line) for line in code if '"' in line or "'" in line):
            found.append(path.relative_to(PACKAGE).as_posix())
    return found


def test_libreoffice_is_run_from_one_module():
    assert modules_naming(r"[\"']soffice[\"']|[\"']libreoffice[\"']") == ["outputs/odt.py"]


def test_ocr_is_run_from_one_module():
    assert modules_naming(r"[\"']ocrmypdf[\"']") == ["authoring/intake.py"]


@pytest.mark.skipif(shutil.which("lint-imports", path=str(Path(sys.executable).parent)) is None,
                    reason="import-linter is a test dependency (pip install -e '.[test]')")
def test_the_layering_contract_refuses_an_upward_import(tmp_path):
    """A copy of the package with one module of core importing the CLI breaks the contract."""
    copy = tmp_path / "tree"
    shutil.copytree(PACKAGE, copy / "generator", ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copy(REPO / ".importlinter", copy / ".importlinter")
    lint = str(Path(sys.executable).parent / "lint-imports")
    clean = subprocess.run([lint], cwd=copy, capture_output=True, text=True,
                           env={"PYTHONPATH": str(copy), "PATH": "/usr/bin:/bin"})
    assert clean.returncode == 0, clean.stdout
    version = copy / "generator/core/version.py"
    version.write_text(version.read_text() + "\nfrom ..app import cli  # noqa: E402,F401\n")
    broken = subprocess.run([lint], cwd=copy, capture_output=True, text=True,
                            env={"PYTHONPATH": str(copy), "PATH": "/usr/bin:/bin"})
    assert broken.returncode == 1
    assert "generator.core is not allowed to import generator.app" in broken.stdout
