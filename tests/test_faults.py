"""When the disk says no: a clear error, the earlier outputs untouched, no partial file left.

A full disk is simulated with a file-size limit (RLIMIT_FSIZE) on a `carta build` subprocess,
with SIGXFSZ ignored so that a write past the limit fails with EFBIG instead of killing the
process. This works as root too, where a read-only folder made with chmod would not.
"""

from __future__ import annotations

import errno
import os
import resource
import signal
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from generator.app.cli import cli
from generator.core.errors import BuildError
from generator.core.write import write_atomic
from generator.rendering import webfonts

OUTPUT = "output/carta-prueba"
EARLIER = b"%PDF-1.7 version anterior de la carta de la Organizacion Ejemplo A\n"


def leftovers(folder: Path) -> list[str]:
    return sorted(path.name for path in folder.rglob("*") if path.name.endswith(".tmp"))


def _limit_file_size(limit: int):
    def apply() -> None:
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # stays ignored across exec
        resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))
    return apply


def build_with_file_size_limit(root: Path, limit: int, output_format: str):
    return subprocess.run(
        [sys.executable, "-B", "-m", "generator", "--project", str(root), "build",
         "--format", output_format],
        capture_output=True, text=True, timeout=120, preexec_fn=_limit_file_size(limit),
        env={**os.environ, "PYTHONDONTWRITEBYTECODE": "1"})


def test_a_file_size_limit_gives_a_clear_error_and_keeps_the_earlier_file(sample):
    earlier = sample.root / OUTPUT / "carta-prueba.es.html"
    earlier.parent.mkdir(parents=True)
    earlier.write_bytes(EARLIER)
    # The page's web fonts are there already (they are written once, before the page).
    webfonts.write(earlier.parent)

    # The letter's HTML page is about 6 KB: 4 KB lets Python start and stops the page halfway.
    result = build_with_file_size_limit(sample.root, 4096, "html")

    assert result.returncode == 1, result.stderr
    assert "Traceback" not in result.stderr
    assert f"cannot write {earlier}: the file is larger than this system allows" \
        in result.stderr
    assert "the earlier file, if any, is untouched" in result.stderr
    assert earlier.read_bytes() == EARLIER
    assert leftovers(sample.root / "output") == []


def test_a_file_size_limit_while_preparing_the_pdf_gives_a_clear_error(sample):
    earlier = sample.root / OUTPUT / "carta-prueba.es.pdf"
    earlier.parent.mkdir(parents=True)
    earlier.write_bytes(EARLIER)

    # WeasyPrint copies each font to a temporary file before the PDF is written; the fonts
    # are larger than the PDF, so this limit stops the fonts.
    result = build_with_file_size_limit(sample.root, 8192, "pdf")

    assert result.returncode == 1, result.stderr
    assert "Traceback" not in result.stderr
    assert "internal error" not in result.stderr
    assert "File too large" in result.stderr
    assert earlier.read_bytes() == EARLIER
    assert leftovers(sample.root / "output") == []


def test_a_file_where_the_output_folder_should_be(sample):
    (sample.root / "output").mkdir()
    (sample.root / OUTPUT).write_text("no soy una carpeta\n", encoding="utf-8")

    result = CliRunner().invoke(cli, ["--project", str(sample.root), "build",
                                      "--format", "html"])

    assert result.exit_code == 1
    assert "Traceback" not in result.output
    assert f"{sample.root / OUTPUT} is a file where a folder is needed; move it away" \
        in result.output
    assert (sample.root / OUTPUT).read_text(encoding="utf-8") == "no soy una carpeta\n"


def test_a_folder_with_the_name_of_the_output_file(sample):
    blocking = sample.root / OUTPUT / "carta-prueba.es.html"
    blocking.mkdir(parents=True)

    result = CliRunner().invoke(cli, ["--project", str(sample.root), "build",
                                      "--format", "html"])

    assert result.exit_code == 1
    assert "Traceback" not in result.output
    assert f"cannot write {blocking}: a folder has the file's name" in result.output
    assert blocking.is_dir()
    assert leftovers(sample.root / "output") == []


@pytest.mark.parametrize(("code", "reason"), [
    (errno.ENOSPC, "no space left on the disk; free some space and build again"),
    (errno.EROFS, "Read-only file system; check that the output folder can be written to"),
])
def test_a_failed_write_leaves_the_earlier_file(tmp_path, monkeypatch, code, reason):
    path = tmp_path / "carta-prueba.es.pdf"
    path.write_bytes(EARLIER)

    def failing_fsync(descriptor):
        raise OSError(code, os.strerror(code))

    monkeypatch.setattr(os, "fsync", failing_fsync)
    with pytest.raises(BuildError) as caught:
        write_atomic(path, b"%PDF-1.7 nueva\n" * 1000)

    assert caught.value.message == (f"cannot write {path}: {reason}; the earlier file, if any, "
                                    "is untouched")
    assert path.read_bytes() == EARLIER
    assert sorted(p.name for p in tmp_path.iterdir()) == ["carta-prueba.es.pdf"]
