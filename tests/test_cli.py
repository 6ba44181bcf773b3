"""The command line as users meet it: exit codes, messages, files, and no traceback."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import REPO, SEED_ID
from pdftext import body_text, normalize, read_pages

from generator.app.cli import cli

SEED_FILE = f"content/letters/{SEED_ID}.yaml"


def run(*args: str):
    return CliRunner().invoke(cli, list(args))


def test_version():
    result = run("--version")
    assert result.exit_code == 0
    assert result.output.startswith("carta, version ")


def test_check_passes_on_the_repository():
    result = run("--project", str(REPO), "check")
    assert result.exit_code == 0, result.output
    assert result.output == "no problems found in 1 letter\n"


def test_check_on_a_broken_copy_lists_every_problem_with_file_and_line(seed_copy: Path):
    letter = seed_copy / SEED_FILE
    text = letter.read_text(encoding="utf-8")
    broken = (text.replace("date: 2017-09-19", "date: 2017-09-31")
              .replace("[^nyt-gobierno-espia]", "[^nyt-gobierno-espia][^sin-definir]")
              .replace("id: reagendar-mision", "id: excusar-gobierno-comite")
              .replace("recipients: [ogp-steering-committee]",
                       "recipients: [ogp-steering-committee, comite-inexistente]"))
    letter.write_text(broken, encoding="utf-8")
    (seed_copy / "content/letters/rota.yaml").write_text("id: rota\nbody: [\n", encoding="utf-8")

    result = run("--project", str(seed_copy), "check")

    assert result.exit_code == 1
    assert "Traceback" not in result.output
    lines = result.output.splitlines()
    assert lines[0] == "Error: 5 problems found:"
    # A file that cannot be read at all comes first; then each file from top to bottom.
    assert lines[1].startswith("  content/letters/rota.yaml:3:1: YAML syntax error")
    assert lines[2].startswith(f"  {SEED_FILE}:6:")
    assert "date: expected a date as YYYY-MM-DD, found '2017-09-31'" in lines[2]
    assert lines[3].startswith(f"  {SEED_FILE}:9:")
    assert "recipients[2]: unknown recipient 'comite-inexistente'" in lines[3]
    assert "footnote [^sin-definir] is cited but not defined" in lines[4]
    assert "duplicate demand id 'excusar-gobierno-comite'" in lines[5]


def test_build_writes_pdf_and_html_where_promised(sample):
    result = run("--project", str(sample.root), "build")
    assert result.exit_code == 0, result.output
    out = sample.root / "output" / "carta-prueba"
    # The page, its PDF, and the web fonts the page uses (fonts/).
    assert sorted(path.name for path in out.iterdir()) == [
        "carta-prueba.es.html", "carta-prueba.es.pdf", "fonts"]
    body = body_text(read_pages(out / "carta-prueba.es.pdf"))
    assert normalize("Primer párrafo de la Organización Ejemplo A.") in body
    assert "wrote output/carta-prueba/carta-prueba.es.pdf" in result.output


def test_build_of_one_format_and_an_unknown_letter(sample):
    result = run("--project", str(sample.root), "build", "--format", "html", "carta-prueba")
    assert result.exit_code == 0, result.output
    assert not (sample.root / "output/carta-prueba/carta-prueba.es.pdf").exists()
    result = run("--project", str(sample.root), "build", "no-existe")
    assert result.exit_code == 1
    assert "no letter 'no-existe'; expected one of: carta-prueba" in result.output


def test_usage_errors_exit_2(sample):
    result = run("--project", str(sample.root), "build", "--format", "rtf")
    assert result.exit_code == 2
    assert "Invalid value for '--format'" in result.output


def test_not_a_project(tmp_path):
    result = run("--project", str(tmp_path), "check")
    assert result.exit_code == 1
    assert "expected a carta project here" in result.output


def test_init_makes_a_project_that_builds(tmp_path):
    target = tmp_path / "nuevo"
    assert run("init", str(target)).exit_code == 0
    result = run("--project", str(target), "build")
    assert result.exit_code == 0, result.output
    pdf = target / "output/carta-ejemplo/carta-ejemplo.es.pdf"
    assert "Coalición Ejemplo de Organizaciones" in read_pages(pdf)[0].body
    again = run("init", str(target))
    assert again.exit_code == 1
    assert "nothing is overwritten" in again.output


def test_an_internal_error_is_one_line_unless_debug(sample, monkeypatch):
    import generator.pipeline.checking

    def broken(*args, **kwargs):
        raise RuntimeError("boom")

    monkeypatch.setattr(generator.pipeline.checking, "plan", broken)
    result = run("--project", str(sample.root), "check")
    assert result.exit_code == 1
    assert "internal error: RuntimeError: boom" in result.output
    assert "--debug" in result.output
    assert "Traceback" not in result.output
    result = run("--debug", "--project", str(sample.root), "check")
    assert isinstance(result.exception, RuntimeError)


@pytest.mark.parametrize("args", [["--help"], ["check"], ["build", "--help"]])
def test_help_and_check_never_import_weasyprint(sample, args):
    code = (
        "import sys\n"
        "from generator.app.cli import cli\n"
        f"try: cli(['--project', {str(sample.root)!r}] + {args!r})\n"
        "except SystemExit as e: assert e.code == 0, e.code\n"
        "assert 'weasyprint' not in sys.modules, 'weasyprint was imported'\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True, capture_output=True)


def test_end_to_end_as_a_real_process(sample):
    result = subprocess.run(
        [sys.executable, "-m", "generator", "--project", str(sample.root), "build"],
        capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    assert (sample.root / "output/carta-prueba/carta-prueba.es.pdf").stat().st_size > 1000
    sample.replace("content/letters/carta-prueba.yaml", "date: 2024-03-01", "date: 2024-02-30")
    result = subprocess.run(
        [sys.executable, "-m", "generator", "--project", str(sample.root), "check"],
        capture_output=True, text=True)
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    assert "carta-prueba.yaml:2:1: date: expected a date as YYYY-MM-DD" in result.stderr
