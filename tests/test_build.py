"""Builds: parallel workers, skipping what is unchanged, progress, and nothing left behind."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from click.testing import CliRunner
from pdftext import read_pages

from generator.app.cli import cli

SECOND_LETTER = "content/letters/carta-segunda.yaml"


def run(*args: str):
    return CliRunner().invoke(cli, list(args))


def two_letters(sample) -> None:
    text = (sample.root / "content/letters/carta-prueba.yaml").read_text(encoding="utf-8")
    sample.write(SECOND_LETTER, text.replace("id: carta-prueba", "id: carta-segunda")
                 .replace("Primer párrafo", "Párrafo de la segunda carta"))


def outputs(root: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in (root / "output").rglob("*.*")
            if p.is_file() and not p.name.startswith(".")}


def test_a_second_build_skips_everything(sample):
    two_letters(sample)
    first = run("--project", str(sample.root), "build", "--jobs", "2")
    assert first.exit_code == 0, first.output
    assert "built 4, skipped 0 unchanged, failed 0" in first.output
    again = run("--project", str(sample.root), "build")
    assert "built 0, skipped 4 unchanged, failed 0" in again.output
    forced = run("--project", str(sample.root), "build", "--force")
    assert "built 4, skipped 0" in forced.output


def test_a_changed_letter_rebuilds_only_that_letter(sample):
    two_letters(sample)
    run("--project", str(sample.root), "build")
    sample.replace(SECOND_LETTER, "Párrafo de la segunda carta", "Párrafo cambiado")
    result = run("--project", str(sample.root), "-v", "build")
    assert "built 2, skipped 2 unchanged" in result.output
    assert "wrote output/carta-segunda/carta-segunda.es.pdf" in result.output
    assert "skipped output/carta-prueba/carta-prueba.es.pdf" in result.output
    body = read_pages(sample.root / "output/carta-segunda/carta-segunda.es.pdf")[0].body
    assert "Párrafo cambiado" in body


def test_a_changed_template_rebuilds_everything(sample):
    two_letters(sample)
    run("--project", str(sample.root), "build")
    sample.write("templates/locale/es/LC_MESSAGES/carta.po",
                 'msgid ""\nmsgstr ""\n"Content-Type: text/plain; charset=utf-8\\n"\n\n'
                 'msgid "Sincerely,"\nmsgstr "Saludos cordiales,"\n')
    result = run("--project", str(sample.root), "build")
    assert "built 4, skipped 0" in result.output
    assert "Saludos cordiales," in read_pages(
        sample.root / "output/carta-prueba/carta-prueba.es.pdf")[-1].body


def test_a_deleted_output_is_rebuilt(sample):
    run("--project", str(sample.root), "build")
    (sample.root / "output/carta-prueba/carta-prueba.es.pdf").unlink()
    result = run("--project", str(sample.root), "build")
    assert "built 1, skipped 1 unchanged" in result.output


def test_parallel_and_serial_builds_give_the_same_bytes(sample, tmp_path):
    two_letters(sample)
    run("--project", str(sample.root), "build", "--jobs", "1", "--out", str(tmp_path / "one"))
    run("--project", str(sample.root), "build", "--jobs", "2", "--out", str(tmp_path / "two"))
    one = {p.relative_to(tmp_path / "one"): p.read_bytes() for p in (tmp_path / "one").rglob("*.*")
           if not p.name.startswith(".")}
    two = {p.relative_to(tmp_path / "two"): p.read_bytes() for p in (tmp_path / "two").rglob("*.*")
           if not p.name.startswith(".")}
    # Two letters, each a PDF and a page, and each page's web fonts (the same files).
    assert len([path for path in one if "fonts" not in path.parts]) == 4
    assert one == two


def test_one_failing_document_does_not_stop_the_others(sample):
    two_letters(sample)
    builtin = Path(__file__).resolve().parent.parent / "templates" / "parts" / "version.html"
    broken = builtin.read_text(encoding="utf-8").replace(
        "<main>", '<main>{% if letter_id == "carta-segunda" %}{{ no_such_value }}{% endif %}')
    sample.write("templates/parts/version.html", broken)
    result = run("--project", str(sample.root), "build", "--jobs", "2")
    assert result.exit_code == 1
    assert "'no_such_value' is undefined" in result.output
    assert "built 2, skipped 0 unchanged, failed 1" in result.output
    assert (sample.root / "output/carta-prueba/carta-prueba.es.pdf").is_file()
    assert not (sample.root / "output/carta-segunda").exists()


def test_quiet_builds_print_nothing(sample):
    result = run("--project", str(sample.root), "-q", "build")
    assert result.exit_code == 0
    assert result.output == ""


def test_no_op_build_never_imports_weasyprint_and_workers_leave_no_temp_folders(sample, tmp_path):
    two_letters(sample)
    private_tmp = tmp_path / "tmp"
    private_tmp.mkdir()
    env = {**os.environ, "TMPDIR": str(private_tmp)}
    subprocess.run([sys.executable, "-m", "generator", "--project", str(sample.root), "build",
                    "--jobs", "2"], check=True, env=env, capture_output=True)
    assert list(private_tmp.iterdir()) == []
    code = (
        "import sys\n"
        "from generator.app.cli import cli\n"
        f"try: cli(['--project', {str(sample.root)!r}, 'build'])\n"
        "except SystemExit as e: assert e.code == 0, e.code\n"
        "assert 'weasyprint' not in sys.modules, 'weasyprint was imported'\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env)
    assert result.returncode == 0, result.stderr
    assert "skipped 4 unchanged" in result.stdout


def test_doctor_reports_the_font_subsetter():
    result = run("doctor")
    assert "font subsetter  HarfBuzz (libharfbuzz-subset0)" in result.output
    assert result.exit_code == 0


def test_a_refused_resource_warns_by_default_and_fails_with_strict(sample, tmp_path):
    outside = tmp_path / "fuera.png"
    outside.write_bytes(b"\x89PNG\r\n\x1a\n")
    builtin = Path(__file__).resolve().parent.parent / "templates" / "parts" / "version.html"
    sample.write("templates/parts/version.html", builtin.read_text(encoding="utf-8").replace(
        "<main>", f'<main><img alt="" src="{outside.as_uri()}">'))
    result = run("--project", str(sample.root), "build", "--format", "pdf")
    assert result.exit_code == 0, result.output
    assert f"warning: carta-prueba (es): refused to load {outside.as_uri()}" in result.stderr
    assert (sample.root / "output/carta-prueba/carta-prueba.es.pdf").is_file()
    strict = run("--project", str(sample.root), "build", "--strict", "--force")
    assert strict.exit_code == 1
    assert "refused to load" in strict.stderr
    assert "failed 1" in strict.stderr


def test_watch_rebuilds_after_a_change_and_keeps_going_after_an_error(sample):
    import threading
    import time as clock

    from generator.app.changes import ChangeFeed
    from generator.app.watch import Engine
    from generator.core.project import load_project

    project = load_project(sample.root)
    messages: list[str] = []
    stop = threading.Event()
    built: list[int] = []  # pages written by each rebuild
    pages: list[Path] = []

    def publish(kind: str, data) -> None:
        if kind == "html":
            pages.append(data)
        elif kind == "cycle":
            built.append(len(pages))
            pages.clear()

    engine = Engine(project, formats=("html",), publish=publish, say=messages.append,
                    warn=messages.append)
    feed = ChangeFeed(project, 0.05, report=messages.append).start()
    thread = threading.Thread(target=engine.run, args=(feed, lambda: not stop.is_set()))
    thread.start()
    try:
        deadline = clock.monotonic() + 10
        while not built and clock.monotonic() < deadline:
            clock.sleep(0.05)
        sample.replace("content/letters/carta-prueba.yaml", "Primer párrafo", "Párrafo nuevo")
        while len(built) < 2 and clock.monotonic() < deadline:
            clock.sleep(0.05)
        sample.replace("content/letters/carta-prueba.yaml", "date: 2024-03-01",
                       "date: 2024-02-30")
        while not any("expected a date" in m for m in messages) \
                and clock.monotonic() < deadline:
            clock.sleep(0.05)
    finally:
        stop.set()
        thread.join(timeout=10)
        feed.close()
    assert built[:2] == [1, 1]
    html = (sample.root / "output/carta-prueba/carta-prueba.es.html").read_text("utf-8")
    assert "Párrafo nuevo" in html
    assert any("date: expected a date as YYYY-MM-DD" in m for m in messages)
    assert not thread.is_alive()
