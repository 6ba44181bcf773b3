"""The example projects in examples/: letters of other shapes than the seed, each built from
content alone (no template of its own), checked against its expected HTML and read off its PDF."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pypdf
import pytest
from click.testing import CliRunner
from conftest import REPO

from generator.app.cli import cli

EXAMPLES = sorted(path.name for path in (REPO / "examples").iterdir()
                  if (path / "content").is_dir())
EXPECTED = REPO / "tests" / "expected" / "examples"


def test_there_are_at_least_four_shapes():
    assert {"joint-statement", "open-letter", "sign-on-letter",
            "parallel-statement"} <= set(EXAMPLES)


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> dict[str, Path]:
    """Every example copied and built once (PDF and HTML) for all the tests below."""
    roots = {}
    for name in EXAMPLES:
        root = tmp_path_factory.mktemp("ejemplos") / name
        shutil.copytree(REPO / "examples" / name, root,
                        ignore=shutil.ignore_patterns("output"))
        assert not (root / "templates").exists()  # content alone, no template override
        result = CliRunner().invoke(cli, ["--project", str(root), "build"])
        assert result.exit_code == 0, f"{name}: {result.output}"
        roots[name] = root
    return roots


@pytest.mark.parametrize("name", EXAMPLES)
def test_each_example_matches_its_expected_html(built, name):
    outputs = sorted((built[name] / "output").rglob("*.html"))
    expected = sorted((EXPECTED / name).glob("*.html"))
    assert [path.name for path in outputs] == [path.name for path in expected], \
        "run: .venv/bin/python tests/regenerate_expected.py"
    for made, wanted in zip(outputs, expected, strict=True):
        assert made.read_text("utf-8") == wanted.read_text("utf-8"), made.name


def pdf_text(path: Path) -> str:
    return subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True,
                          text=True, check=True).stdout


def test_the_joint_statement_has_no_part_nobody_wrote(built):
    pdf = next((built["joint-statement"] / "output").rglob("*.es.pdf"))
    text = pdf_text(pdf)
    assert text.strip().startswith("Declaración conjunta: el agua es un bien común")
    for absent in ("A quien corresponda", "Atentamente", "Red Ficticia por el Agua"):
        assert absent not in text
    assert text.index("Para sumar la firma") > text.index("Observatorio Ciudadano del Agua")
    assert pypdf.PdfReader(pdf).metadata.title == \
        "Declaración conjunta: el agua es un bien común"


def test_the_sign_on_table_repeats_its_header_on_every_page(built):
    pdf = next((built["sign-on-letter"] / "output").rglob("*.es.pdf"))
    pages = pdf_text(pdf).split("\f")
    row = re.compile(r"^\s*\w+ Ejemplo (de|por) .* \d\d\s{2,}\S", re.M)  # name | place
    table_pages = [page for page in pages if row.search(page)]
    assert len(table_pages) >= 2
    for page in table_pages:
        assert re.search(r"^\s*Nombre\s+Lugar\s*$", page, re.M), page
    assert sum(len(row.findall(page)) for page in pages) == 60


def test_the_parallel_statement_is_one_document_in_two_languages(built):
    pdf = next((built["parallel-statement"] / "output").rglob("*.en+es.pdf"))
    text = pdf_text(pdf)
    assert text.index("Statement on World Press Freedom Day") < \
        text.index("Declaración en el Día Mundial de la Libertad de Prensa")
    assert text.count("Example Press Union") == 1  # the signatories once, at the end
