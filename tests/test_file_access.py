"""One rule for every content file: a regular file inside the project, of bounded size.
Catalogs (PO files) follow it like the letters do."""

from __future__ import annotations

import os
import threading
from pathlib import Path

import pytest
from click.testing import CliRunner

from generator.app.cli import cli

PO = "content/locale/en/LC_MESSAGES/carta-prueba.po"


def check(root: Path):
    return CliRunner().invoke(cli, ["--project", str(root), "check"])


@pytest.fixture
def bilingual(sample):
    sample.write("carta.toml", '[project]\nlocales = ["es", "en"]\n')
    (sample.root / PO).parent.mkdir(parents=True)
    return sample


def test_a_catalog_linked_to_the_process_environment_is_refused(bilingual):
    """Critical finding: a PO symlinked to /proc/self/environ was embedded in the archive."""
    (bilingual.root / PO).symlink_to("/proc/self/environ")
    result = check(bilingual.root)
    assert result.exit_code == 1
    assert (f"{PO}: expected a PO catalog inside the project, found a symbolic link to "
            "'/proc/") in result.output
    assert "PATH=" not in result.output


def test_a_catalog_linked_to_an_endless_device_is_refused_at_once(bilingual):
    (bilingual.root / PO).symlink_to("/dev/zero")
    result = check(bilingual.root)
    assert result.exit_code == 1
    assert "expected a PO catalog inside the project, found a symbolic link to '/dev/zero'" \
        in result.output


def test_a_catalog_that_is_a_fifo_never_hangs_check(bilingual):
    os.mkfifo(bilingual.root / PO)
    outcome = {}
    worker = threading.Thread(target=lambda: outcome.setdefault("result", check(bilingual.root)))
    worker.start()
    worker.join(timeout=30)
    if worker.is_alive():  # unblock the reader so the test process can end, then fail
        with open(bilingual.root / PO, "wb"):
            pass
        worker.join()
        pytest.fail("carta check waited on a FIFO")
    assert outcome["result"].exit_code == 1
    assert f"{PO}: expected a PO catalog, found a device, pipe or socket" \
        in outcome["result"].output


def test_a_catalog_over_the_size_limit_is_refused_before_reading(bilingual):
    with open(bilingual.root / PO, "wb") as stream:
        stream.truncate(11 * 1024 * 1024)  # sparse: no disk used
    result = check(bilingual.root)
    assert result.exit_code == 1
    assert f"{PO}: expected a PO catalog of at most 10.0 MB, found 11.0 MB" in result.output


def test_a_letter_linked_out_of_the_project_is_refused_by_check(sample, tmp_path):
    outside = tmp_path / "secreto.yaml"
    outside.write_text("id: secreto\n", encoding="utf-8")
    (sample.root / "content/letters/secreto.yaml").symlink_to(outside)
    result = check(sample.root)
    assert result.exit_code == 1
    assert "content/letters/secreto.yaml: expected a YAML file inside the project, found a " \
        "symbolic link to" in result.output
