"""The archive: PDF/A-3 with sources inside, reproducible bytes, append-only, verifiable."""

from __future__ import annotations

import json
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pikepdf
import pytest
from click.testing import CliRunner
from conftest import REPO, SEED_ID

from generator.app.cli import cli

SEED_FILE = f"content/letters/{SEED_ID}.yaml"
ARCHIVED = f"output/archive/{SEED_ID}/{SEED_ID}"


def run(*args: str):
    return CliRunner().invoke(cli, list(args))


def manifest(project: Path) -> list[dict]:
    return json.loads((project / "output/archive/manifest.json").read_text())["files"]


@pytest.fixture
def archived(seed_copy: Path) -> Path:
    result = run("--project", str(seed_copy), "archive")
    assert result.exit_code == 0, result.output
    return seed_copy


def test_archive_validates_once_for_the_letters_and_the_documents_kept(seed_copy, validations):
    """The documents kept as they came are chosen from what the plan validated: the seed
    letter, given a scan, is archived as its scan without a second validation."""
    calls = validations
    scan = seed_copy / f"content/scans/{SEED_ID}.pdf"
    scan.parent.mkdir(parents=True)
    pikepdf.new().save(scan)
    for options in (("--dry-run",), ()):
        result = run("--project", str(seed_copy), "archive", *options)
        assert result.exit_code == 0, result.output
    assert len(calls) == 2  # once per run
    assert [(e.get("kind"), e["path"]) for e in manifest(seed_copy)] == [
        ("scan", f"scans/{SEED_ID}/{SEED_ID}.pdf")]


def test_archive_writes_pdfa_with_sources_and_a_manifest(archived):
    entries = manifest(archived)
    assert [(e["locale"], e["revision"], e["path"]) for e in entries] == [
        ("es", 1, f"{SEED_ID}/{SEED_ID}.es.pdf"), ("en", 1, f"{SEED_ID}/{SEED_ID}.en.pdf")]
    for entry in entries:
        pdf_path = archived / "output/archive" / entry["path"]
        assert entry["size"] == pdf_path.stat().st_size
        with pikepdf.open(pdf_path) as pdf:
            with pdf.open_metadata() as xmp:
                assert (xmp["pdfaid:part"], xmp["pdfaid:conformance"]) == ("3", "U")
                assert xmp["dc:creator"] == ["Núcleo de Organizaciones de la Sociedad Civil"]
                assert xmp["xmp:CreateDate"].startswith("2017-09-19")
            # The locale with its region (carta.toml: regions = { es = "MX", en = "US" }).
            assert str(pdf.Root.Lang) == {"es": "es-MX", "en": "en-US"}[entry["locale"]]
            assert "/StructTreeRoot" in pdf.Root  # tagged for accessibility
            assert pdf.Root.OutputIntents[0].S == "/GTS_PDFA1"
            attached = dict(pdf.attachments.items())
            yaml_spec = attached[f"{SEED_ID}.yaml"]
            assert yaml_spec.get_file().read_bytes() == (archived / SEED_FILE).read_bytes()
            assert yaml_spec.obj.AFRelationship == "/Source"
            assert yaml_spec.get_file().mime_type == "application/yaml"
            assert {ref.objgen for ref in pdf.Root.AF} >= {yaml_spec.obj.objgen}
    en_sources = [s["name"] for s in entries[1]["sources"]]
    assert en_sources == [f"{SEED_ID}.yaml", f"{SEED_ID}.en.po"]


def test_archiving_again_changes_nothing(archived):
    before = {p: p.read_bytes() for p in (archived / "output/archive").rglob("*") if p.is_file()}
    result = run("--project", str(archived), "archive")
    assert result.exit_code == 0
    assert result.output.count("nothing to do") == 3
    after = {p: p.read_bytes() for p in (archived / "output/archive").rglob("*") if p.is_file()}
    assert after == before


def test_a_fresh_copy_of_the_project_archives_identical_bytes(archived, tmp_path):
    other = tmp_path / "another-checkout" / "deeper"
    shutil.copytree(REPO / "content", other / "content")
    shutil.copy(REPO / "carta.toml", other / "carta.toml")
    assert run("--project", str(other), "archive").exit_code == 0
    for locale in ("es", "en"):
        first = (archived / f"{ARCHIVED}.{locale}.pdf").read_bytes()
        assert (other / f"{ARCHIVED}.{locale}.pdf").read_bytes() == first


def test_changed_content_becomes_a_new_revision_beside_the_old(archived):
    letter = archived / SEED_FILE
    letter.write_text(letter.read_text(encoding="utf-8").replace(
        "Estas organizaciones de la sociedad civil", "Estas organizaciones de sociedad civil"),
        encoding="utf-8")
    old = (archived / f"{ARCHIVED}.es.pdf").read_bytes()
    run("--project", str(archived), "i18n", "update")
    dry = run("--project", str(archived), "archive", "--dry-run", "--locale", "es")
    assert f"would archive output/archive/{SEED_ID}/{SEED_ID}.es-r2.pdf" in dry.output
    assert not (archived / f"{ARCHIVED}.es-r2.pdf").exists()
    result = run("--project", str(archived), "archive", "--locale", "es")
    assert result.exit_code == 0, result.output
    assert "this is revision 2; earlier revisions stay" in result.output
    assert (archived / f"{ARCHIVED}.es.pdf").read_bytes() == old
    assert [(e["locale"], e["revision"]) for e in manifest(archived)] == [
        ("es", 1), ("en", 1), ("es", 2)]
    assert run("--project", str(archived), "verify").exit_code == 0


def test_verify_passes_on_an_intact_archive_copied_elsewhere(archived, tmp_path):
    copy = tmp_path / "elsewhere"
    shutil.copytree(archived / "output/archive", copy)
    result = run("verify", str(copy))
    assert result.exit_code == 0, result.output
    assert "verified 2 files" in result.output


def test_verify_names_an_altered_a_missing_and_an_extra_file(archived):
    es = archived / f"{ARCHIVED}.es.pdf"
    data = bytearray(es.read_bytes())
    data[len(data) // 2] ^= 0x01
    es.write_bytes(bytes(data))
    (archived / f"{ARCHIVED}.en.pdf").unlink()
    (archived / f"output/archive/{SEED_ID}/nota.txt").write_text("otra cosa")
    result = run("--project", str(archived), "verify")
    assert result.exit_code == 1
    assert f"{SEED_ID}/{SEED_ID}.es.pdf: altered: expected SHA-256" in result.output
    assert f"{SEED_ID}/{SEED_ID}.en.pdf: missing" in result.output
    assert f"{SEED_ID}/nota.txt: extra file" in result.output
    assert "Traceback" not in result.output


def test_archive_never_overwrites_a_file_it_did_not_record(archived):
    # A file under the next revision's name, not in the manifest: carta picks another name.
    letter = archived / SEED_FILE
    letter.write_text(letter.read_text(encoding="utf-8").replace("19 junio", "19 de junio"),
                      encoding="utf-8")
    squatter = archived / f"{ARCHIVED}.es-r2.pdf"
    squatter.write_bytes(b"not ours")
    run("--project", str(archived), "i18n", "update")
    result = run("--project", str(archived), "archive", "--locale", "es")
    assert result.exit_code == 0, result.output
    assert squatter.read_bytes() == b"not ours"
    assert manifest(archived)[-1]["path"] == f"{SEED_ID}/{SEED_ID}.es-r3.pdf"


def test_killed_archive_runs_leave_an_archive_that_verifies(seed_copy):
    command = [sys.executable, "-m", "generator", "--project", str(seed_copy), "archive"]
    for delay in (0.5, 1.0, 1.5, 2.0, 2.5):
        shutil.rmtree(seed_copy / "output", ignore_errors=True)
        process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        time.sleep(delay)
        process.send_signal(signal.SIGKILL)
        process.wait()
        archive = seed_copy / "output/archive"
        if not (archive / "manifest.json").exists():
            # Killed before the first file: nothing may stand under a final name.
            finals = [p for p in archive.rglob("*.pdf")] if archive.exists() else []
            assert finals == [], delay
            continue
        result = run("verify", str(archive))
        assert result.exit_code == 0, (delay, result.output)
    result = run("--project", str(seed_copy), "archive")
    assert result.exit_code == 0
    assert run("verify", str(seed_copy / "output/archive")).exit_code == 0



def test_an_identifier_with_a_carriage_return_still_verifies(sample):
    """carta-prueba/es has a 0x0D byte in its PDF identifier; a PDF reader gives it back as
    0x0A (literal strings normalise line ends), and verify took the PDF for another's."""
    from generator.delivery.archive.manifest import pdf_identity as _identity

    assert b"\r" in _identity("carta-prueba", "es", None)
    assert run("--project", str(sample.root), "archive").exit_code == 0
    verified = run("--project", str(sample.root), "verify")
    assert verified.exit_code == 0, verified.output
    assert "all intact" in verified.output
