"""The render watchdog: a document past [build] document_timeout is stopped and named, the
others are made, and the build exits 1, with one process or several.

The slow document is made slow on purpose (its page never ends rendering) and the limit is made
small (5 s: time enough for a fresh worker's first PDF, fonts loaded, on a busy machine). Each
build runs in a subprocess with a budget, so that a watchdog that fails shows as a failed test,
not a hung suite. No time is asserted.
"""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from click.testing import CliRunner

from generator.app.cli import cli
from generator.core.project import load_project

REPO = Path(__file__).resolve().parent.parent
LETTER_FILE = "content/letters/carta-prueba.yaml"

# carta's CLI, with the page of one letter rendering forever (a pure Python loop, like the PDF
# engine's line breaking on the texts of issue 22).
SLOW_BUILD = textwrap.dedent("""\
    import sys
    from generator.app.cli import cli
    from generator.pipeline.maker import DocumentMaker

    html = DocumentMaker.html

    def slow_html(self, job):
        while job.letter.id == "carta-lenta":
            pass
        return html(self, job)

    DocumentMaker.html = slow_html
    cli.main(sys.argv[1:], prog_name="carta")
""")


def slow_build(root: Path, *args: str, script: str = SLOW_BUILD) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(
        [str(REPO), *filter(None, [os.environ.get("PYTHONPATH")])])}
    return subprocess.run([sys.executable, "-c", script, "--project", str(root), "build",
                           "--format", "pdf", *args], capture_output=True, text=True,
                          timeout=120, env=env)


@pytest.fixture
def two_letters(sample):
    text = (sample.root / LETTER_FILE).read_text(encoding="utf-8")
    sample.write("content/letters/carta-lenta.yaml", text.replace("id: carta-prueba",
                                                                  "id: carta-lenta"))
    sample.write("carta.toml", '[project]\nlocales = ["es"]\n\n[build]\ndocument_timeout = 5\n')
    return sample


@pytest.mark.parametrize("jobs", ["1", "2"])
def test_a_document_past_its_time_is_stopped_and_named_while_the_others_are_made(two_letters,
                                                                                  jobs):
    done = slow_build(two_letters.root, "--jobs", jobs)
    assert done.returncode == 1, done.stderr
    assert ("carta-lenta (es): stopped after 5 s, the longest a document may take ([build] "
            "document_timeout in carta.toml); look for what makes it long") in done.stderr
    assert "carta-prueba (es)" not in done.stderr
    assert "Traceback" not in done.stderr
    assert (two_letters.root / "output/carta-prueba/carta-prueba.es.pdf").is_file()
    assert not (two_letters.root / "output/carta-lenta").exists() or \
        not list((two_letters.root / "output/carta-lenta").iterdir())


# The same CLI, with the page of one letter holding what took the PDF engine minutes (R4: one
# unbroken word of 16,000 letters that hyphenates), put in past `carta check`.
SLOW_LAYOUT = SLOW_BUILD.replace(
    '    while job.letter.id == "carta-lenta":\n        pass\n    return html(self, job)\n',
    '    page = html(self, job)\n'
    '    if job.letter.id == "carta-lenta":\n'
    '        page = page.replace("</body>", "<p lang=es>" + "co" * 8000 + "</p></body>")\n'
    '    return page\n')


def test_a_document_stopped_inside_the_pdf_engine_leaves_the_next_ones_a_working_maker(
        two_letters):
    assert SLOW_LAYOUT != SLOW_BUILD
    # With one process, documents are made one after another by the same worker: the one made
    # after the stopped one ("carta-prueba" sorts after "carta-lenta") is whole.
    done = slow_build(two_letters.root, "--jobs", "1", script=SLOW_LAYOUT)
    assert done.returncode == 1, done.stderr
    assert "carta-lenta (es): stopped after 5 s" in done.stderr
    assert "internal error" not in done.stderr and "Traceback" not in done.stderr
    pdf = (two_letters.root / "output/carta-prueba/carta-prueba.es.pdf").read_bytes()
    assert pdf.startswith(b"%PDF-") and b"%%EOF" in pdf[-32:]




def test_the_timeout_is_120_seconds_unless_carta_toml_says(sample):
    assert load_project(sample.root).settings.document_timeout == 120
    sample.write("carta.toml", '[project]\nlocales = ["es"]\n[build]\ndocument_timeout = 2.5\n')
    assert load_project(sample.root).settings.document_timeout == 2.5


@pytest.mark.parametrize("value, found", [
    ("0", "0"), ("-5", "-5"), ('"120"', "'120'"), ("true", "True"), ("nan", "nan"),
    ("inf", "inf"), ("100000", "100000")])
def test_a_timeout_that_is_no_number_of_seconds_is_refused_with_its_line(sample, value, found):
    sample.write("carta.toml", f'[project]\nlocales = ["es"]\n\n[build]\ndocument_timeout = '
                               f'{value}\n')
    result = CliRunner().invoke(cli, ["--project", str(sample.root), "check"])
    assert result.exit_code == 1
    assert ("carta.toml:5: build.document_timeout: expected a number of seconds above 0 and at "
            f"most 86400 (a day), such as 120, found {found}") in result.output


def test_an_unknown_build_setting_is_named(sample):
    sample.write("carta.toml", '[project]\nlocales = ["es"]\n[build]\ntimeout = 3\n')
    result = CliRunner().invoke(cli, ["--project", str(sample.root), "check"])
    assert result.exit_code == 1
    assert "carta.toml:4: build.timeout: unknown setting; expected document_timeout" \
        in result.output
