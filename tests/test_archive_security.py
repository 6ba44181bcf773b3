"""Archive security: the hash chain, the recorded head, signatures, symbolic links, and each
way of tampering with an archive that `carta verify` must catch (or, without an anchor kept
elsewhere, provably cannot)."""

from __future__ import annotations

import base64
import hashlib
import json
import os
import re
import resource
import shutil
import time
from pathlib import Path

import pikepdf
import pytest
from click.testing import CliRunner
from conftest import REPO, SEED_ID
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ed25519

from generator.app.cli import cli

# Pinned here, not imported: changing the chain's format would orphan every archive made.
GENESIS = hashlib.sha256(b"carta archive manifest chain, format 2").hexdigest()
SEED_FILE = f"content/letters/{SEED_ID}.yaml"
ES1, EN1 = f"{SEED_ID}/{SEED_ID}.es.pdf", f"{SEED_ID}/{SEED_ID}.en.pdf"
ES2, EN2 = f"{SEED_ID}/{SEED_ID}.es-r2.pdf", f"{SEED_ID}/{SEED_ID}.en-r2.pdf"


def run(*args: str):
    result = CliRunner().invoke(cli, [str(arg) for arg in args])
    assert "Traceback" not in result.output and "internal error" not in result.output, \
        result.output
    return result


def entry_hash(entry: dict) -> str:
    data = json.dumps(entry, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(data.encode("utf-8")).hexdigest()


def set_date(root: Path, day: str) -> None:
    letter = root / SEED_FILE
    letter.write_text(re.sub(r"^date: .*$", f"date: 2017-09-{day}",
                             letter.read_text(encoding="utf-8"), count=1, flags=re.M),
                      encoding="utf-8")


class Archive:
    """A signed archive of four entries (es and en, two revisions each) to tamper with."""

    def __init__(self, root: Path):
        self.root = root
        self.folder = root / "output/archive"
        self.public_key = root / "keys/archive.pub"

    def pdf(self, relative: str) -> Path:
        return self.folder / relative

    def manifest(self) -> dict:
        return json.loads((self.folder / "manifest.json").read_text(encoding="utf-8"))

    def save(self, data: dict, rechain: bool = False) -> None:
        """Write a manifest; with `rechain`, as a careful forger would: every `previous`
        and the head recomputed, so that the chain itself is intact."""
        if rechain:
            previous = GENESIS
            for entry in data["files"]:
                entry["previous"] = previous
                previous = entry_hash(entry)
            data["head"] = previous
        (self.folder / "manifest.json").write_text(json.dumps(data, indent=2), encoding="utf-8")

    def verify(self, *args):
        return run("verify", self.folder, *args)


@pytest.fixture(scope="module")
def template(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("archive") / "repo"
    shutil.copytree(REPO / "content", root / "content")
    key = ed25519.Ed25519PrivateKey.generate()  # a throwaway key, made for this test only
    # The private key lives outside the project and is its owner's alone, as carta demands;
    # the public one may stay in the project.
    private = tmp_path_factory.mktemp("private") / "archive.key"
    private.write_bytes(key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption()))
    private.chmod(0o600)
    (root / "keys").mkdir()
    (root / "keys/archive.pub").write_bytes(key.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo))
    (root / "carta.toml").write_text((REPO / "carta.toml").read_text(encoding="utf-8")
                                     + f'\nsigning_key = "{private}"\n', encoding="utf-8")
    first = run("--project", root, "archive")
    assert first.exit_code == 0, first.output
    assert "signed the manifest head (2 entries)" in first.output
    set_date(root, "20")  # changes both PDFs, no translation: revision 2 of each
    second = run("--project", root, "archive")
    assert second.exit_code == 0, second.output
    return root


@pytest.fixture
def archive(template, tmp_path) -> Archive:
    root = tmp_path / "repo"
    shutil.copytree(template, root, symlinks=True)
    return Archive(root)


# The chain and its head -------------------------------------------------------------------

def test_each_entry_chains_to_the_one_before_and_the_head_is_printed(archive):
    data = archive.manifest()
    assert [entry["path"] for entry in data["files"]] == [ES1, EN1, ES2, EN2]
    previous = GENESIS
    for entry in data["files"]:
        assert entry["previous"] == previous
        previous = entry_hash(entry)
    assert data["head"] == previous
    result = archive.verify("--expect-head", previous)
    assert result.exit_code == 0, result.output
    assert f"head: {previous} (4 entries)" in result.output
    assert "verified 4 files" in result.output
    again = run("--project", archive.root, "archive")
    assert f"manifest head: {previous} (4 entries)" in again.output
    assert f"carta verify --expect-head {previous}" in again.output


def test_removing_an_entry_with_its_pdf_breaks_the_chain(archive):
    data = archive.manifest()
    del data["files"][1]
    archive.pdf(EN1).unlink()
    archive.save(data)
    result = archive.verify()
    assert result.exit_code == 1
    assert "files[1].previous: the hash chain is broken here" in result.output


def test_removing_the_last_entry_needs_the_recorded_head_or_the_signature(archive):
    old_head = archive.manifest()["head"]
    data = archive.manifest()
    del data["files"][-1]
    archive.pdf(EN2).unlink()
    archive.save(data, rechain=True)
    # The rest is a consistent archive of three entries: nothing inside it can tell.
    assert archive.verify().exit_code == 0
    expected = archive.verify("--expect-head", old_head)
    assert expected.exit_code == 1
    assert f"expected head {old_head}" in expected.output
    signed = archive.verify("--public-key", archive.public_key)
    assert signed.exit_code == 1
    assert "it signs 4 entries, but the manifest has only 3" in signed.output


def test_an_emptied_archive_is_caught_by_the_recorded_head(archive):
    old_head = archive.manifest()["head"]
    shutil.rmtree(archive.folder / SEED_ID)
    (archive.folder / "manifest.sig").unlink()
    archive.save({"format": 2, "head": GENESIS, "files": []})
    plain = archive.verify()
    assert plain.exit_code == 0 and "verified 0 files" in plain.output  # nothing to compare
    result = archive.verify("--expect-head", old_head)
    assert result.exit_code == 1
    assert f"expected head {old_head}, found {GENESIS}" in result.output
    assert "entries were removed or changed, or the archive was replaced" in result.output
    signed = archive.verify("--public-key", archive.public_key)
    assert signed.exit_code == 1 and "no manifest.sig" in signed.output


def test_a_recorded_head_from_before_later_entries_says_so(archive):
    data = archive.manifest()
    head_after_two = data["files"][2]["previous"]
    result = archive.verify("--expect-head", head_after_two)
    assert result.exit_code == 1
    assert "that was the head after entry 2 of 4" in result.output


# Swaps and edits --------------------------------------------------------------------------

def test_reordered_entries_break_the_chain(archive):
    data = archive.manifest()
    data["files"][0], data["files"][1] = data["files"][1], data["files"][0]
    archive.save(data)
    result = archive.verify()
    assert result.exit_code == 1
    assert "files[0].previous: the hash chain is broken here" in result.output


def test_two_pdfs_swapped_with_their_hashes_are_caught_by_what_each_pdf_is(archive):
    es, en = archive.pdf(ES2), archive.pdf(EN2)
    es_bytes, en_bytes = es.read_bytes(), en.read_bytes()
    es.write_bytes(en_bytes)
    en.write_bytes(es_bytes)
    data = archive.manifest()
    first, second = data["files"][2], data["files"][3]
    for key in ("sha256", "size", "sources"):
        first[key], second[key] = second[key], first[key]
    archive.save(data, rechain=True)  # every hash matches its file, the chain is intact
    result = archive.verify()
    assert result.exit_code == 1
    assert (f"{ES2}: the PDF's identifier is not that of letter {SEED_ID}, locale es"
            in result.output)
    assert f"{ES2}: the manifest says locale es, the PDF says its language is 'en-US'" \
        in result.output
    assert f"{EN2}: the manifest says locale en, the PDF says its language is 'es-MX'" \
        in result.output


def edit_embedded_yaml(pdf_path: Path) -> bytes:
    """Change one word of the letter inside an archived PDF, as a forger would; returns the
    new source."""
    name = f"{SEED_ID}.yaml"
    with pikepdf.open(pdf_path, allow_overwriting_input=True) as pdf:
        stream = pdf.attachments[name].get_file().obj
        edited = stream.read_bytes().replace(b"date: 2017-09-19", b"date: 2017-09-18", 1)
        assert b"2017-09-18" in edited
        stream.write(edited)
        stream.Params.Size = len(edited)
        pdf.save(pdf_path)
    return edited


def test_an_embedded_source_edited_with_its_hashes_recomputed(archive):
    old_head = archive.manifest()["head"]
    source = edit_embedded_yaml(archive.pdf(ES1))
    data = archive.manifest()
    entry = data["files"][0]
    entry["sources"][0].update(sha256=hashlib.sha256(source).hexdigest(), size=len(source))
    entry.update(sha256=hashlib.sha256(archive.pdf(ES1).read_bytes()).hexdigest(),
                 size=archive.pdf(ES1).stat().st_size)
    archive.save(data)
    # Hashes alone: the entry after it still points at the entry as it was.
    chain = archive.verify()
    assert chain.exit_code == 1
    assert "files[1].previous: the hash chain is broken here" in chain.output
    # Every hash of the chain recomputed too: only an anchor kept elsewhere can tell.
    archive.save(data, rechain=True)
    assert archive.verify().exit_code == 0
    expected = archive.verify("--expect-head", old_head)
    assert expected.exit_code == 1 and f"expected head {old_head}" in expected.output
    signed = archive.verify("--public-key", archive.public_key)
    assert signed.exit_code == 1
    assert "the manifest was changed after signing" in signed.output
    # And carta will not sign the forged history when it next archives.
    refused = run("--project", archive.root, "archive")
    assert refused.exit_code == 1
    assert "will not sign a manifest that does not extend what was signed" in refused.output


@pytest.mark.parametrize("field", ["locale", "letter", "revision"])
def test_manifest_metadata_that_disagrees_with_the_pdf(archive, field):
    data = archive.manifest()
    entry = data["files"][0]
    if field == "locale":  # the Spanish PDF renamed and recorded as a French one
        entry.update(locale="fr", path=f"{SEED_ID}/{SEED_ID}.fr.pdf")
        archive.pdf(ES1).rename(archive.pdf(entry["path"]))
        expected = [f"identifier is not that of letter {SEED_ID}, locale fr",
                    "the manifest says locale fr, the PDF says its language is 'es-MX'"]
    elif field == "letter":  # recorded as another letter
        entry.update(letter="otra-carta", path="otra-carta/otra-carta.es.pdf")
        (archive.folder / "otra-carta").mkdir()
        archive.pdf(ES1).rename(archive.pdf(entry["path"]))
        expected = ["identifier is not that of letter otra-carta, locale es",
                    "the manifest records no otra-carta.yaml among its embedded sources"]
    else:  # revisions 1 and 2 exchanged, files renamed to match
        second = data["files"][2]
        entry.update(revision=2, path=ES2)
        second.update(revision=1, path=ES1)
        archive.pdf(ES1).rename(archive.folder / "swap.tmp")
        archive.pdf(ES2).rename(archive.pdf(ES1))
        (archive.folder / "swap.tmp").rename(archive.pdf(ES2))
        expected = ["files[2].revision: revision 1 is recorded after revision 2 of the same "
                    "document; revisions only grow"]
    archive.save(data, rechain=True)
    result = archive.verify()
    assert result.exit_code == 1
    for message in expected:
        assert message in result.output


def test_an_embedded_yaml_of_another_letter_is_named(archive):
    # A forged PDF whose embedded letter says another id (hashes recomputed, chain intact).
    name = f"{SEED_ID}.yaml"
    with pikepdf.open(archive.pdf(ES1), allow_overwriting_input=True) as pdf:
        stream = pdf.attachments[name].get_file().obj
        edited = stream.read_bytes().replace(f"id: {SEED_ID}".encode(), b"id: otra-carta", 1)
        stream.write(edited)
        pdf.save(archive.pdf(ES1))
    data = archive.manifest()
    entry = data["files"][0]
    entry["sources"][0].update(sha256=hashlib.sha256(edited).hexdigest(), size=len(edited))
    entry.update(sha256=hashlib.sha256(archive.pdf(ES1).read_bytes()).hexdigest(),
                 size=archive.pdf(ES1).stat().st_size)
    archive.save(data, rechain=True)
    result = archive.verify()
    assert result.exit_code == 1
    assert f"the manifest says letter {SEED_ID}, the embedded {name} says id 'otra-carta'" \
        in result.output


# What may stand in the archive folder -----------------------------------------------------

def test_an_archived_pdf_replaced_by_a_symlink_is_refused(archive, tmp_path):
    outside = tmp_path / "outside.pdf"
    archive.pdf(ES1).rename(outside)  # the very same bytes, only elsewhere
    archive.pdf(ES1).symlink_to(outside)
    result = archive.verify()
    assert result.exit_code == 1
    assert f"{ES1}: refusing to read an archived PDF: it is a symbolic link" in result.output


def test_a_symlinked_letter_folder_is_refused(archive, tmp_path):
    outside = tmp_path / "outside"
    (archive.folder / SEED_ID).rename(outside)
    (archive.folder / SEED_ID).symlink_to(outside)
    result = archive.verify()
    assert result.exit_code == 1
    assert f"{SEED_ID}: a symbolic link (to {outside})" in result.output
    assert f"{ES1}: {SEED_ID}/ is a symbolic link" in result.output


def test_hidden_files_are_refused_and_temporaries_only_noted(archive):
    (archive.folder / ".evil.pdf").write_bytes(archive.pdf(ES1).read_bytes())
    (archive.folder / SEED_ID / ".otro.pdf").write_bytes(b"%PDF-1.7")
    result = archive.verify()
    assert result.exit_code == 1
    assert ".evil.pdf: a hidden file that the manifest does not record" in result.output
    assert f"{SEED_ID}/.otro.pdf: a hidden file" in result.output
    (archive.folder / ".evil.pdf").unlink()
    (archive.folder / SEED_ID / ".otro.pdf").unlink()
    # What a run killed mid-write leaves: write.py's random temporary name.
    (archive.folder / SEED_ID / f".{SEED_ID}.es-r3.pdf.k2j4_x9q.tmp").write_bytes(b"%PDF")
    noted = archive.verify()
    assert noted.exit_code == 0, noted.output
    assert "a temporary file left by an interrupted run" in noted.output


def test_a_huge_sparse_file_is_judged_by_its_size_without_reading_it(archive):
    size = 6 * 1024**3
    target = archive.pdf(ES1)
    recorded = archive.manifest()["files"][0]["size"]
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    started = time.monotonic()
    os.truncate(target, size)  # 6 GB of nothing: a sparse file takes no disk space
    result = archive.verify()
    assert result.exit_code == 1
    assert f"{ES1}: altered: expected {recorded} bytes" in result.output
    assert f"found {size} bytes" in result.output
    # The forger records the huge size too: refused before a byte is read.
    data = archive.manifest()
    data["files"][0].update(size=size)
    archive.save(data, rechain=True)
    result = archive.verify()
    assert result.exit_code == 1
    assert f"{ES1}: the manifest records {size} bytes, more than" in result.output
    assert time.monotonic() - started < 30
    grown_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before
    assert grown_kb < 512 * 1024  # far less than the file: it was never read into memory


# Malformed manifests ----------------------------------------------------------------------

def _first(key, value):
    def change(data):
        data["files"][0][key] = value
    return change


def _source(key, value):
    def change(data):
        data["files"][0]["sources"][0][key] = value
    return change


def _drop(key):
    def change(data):
        del data["files"][0][key]
    return change


MALFORMED = {
    # name: (change to the parsed manifest, or a function of its text; expected message)
    "not JSON": (lambda text: text[:-20], "manifest.json: not valid JSON"),
    "not UTF-8": (lambda text: b"\xff\xfe{}", "manifest.json: not valid JSON"),
    "deeply nested": (lambda text: "[" * 100_000, "manifest.json: not valid JSON"),
    "a list": (lambda text: "[]", "expected a JSON object with format and files, found []"),
    "no format": (lambda d: d.pop("format"), "format: expected 1 or 2, found null"),
    "format as text": (lambda d: d.update(format="2"), "format: expected 1 or 2, found \"2\""),
    "files not a list": (lambda d: d.update(files={}), "files: expected a list of entries"),
    "entry not an object": (lambda d: d["files"].__setitem__(0, "x"),
                            "files[0]: expected a JSON object, found \"x\""),
    "missing key": (_drop("sha256"), "files[0].sha256: missing; expected 64 lowercase"),
    "unknown key": (_first("signed_by", "nadie"), "files[0].signed_by: unknown field"),
    "revision as text": (_first("revision", "1"),
                         "files[0].revision: expected a whole number from 1, found \"1\""),
    "revision as boolean": (_first("revision", True), "files[0].revision: expected a whole"),
    "revision zero": (_first("revision", 0), "files[0].revision: expected a whole number"),
    "negative size": (_first("size", -1), "files[0].size: expected a size in bytes"),
    "fractional size": (_first("size", 1.5), "files[0].size: expected a size in bytes"),
    "short hash": (_first("sha256", "abc"), "files[0].sha256: expected 64 lowercase"),
    "path outside": (_first("path", "../../etc/passwd.pdf"),
                     "files[0].path: expected a relative path"),
    "absolute path": (_first("path", "/etc/x.pdf"), "files[0].path: expected a relative path"),
    "hidden path": (_first("path", ".oculto/x.pdf"), "files[0].path: expected a relative path"),
    "recipient number": (_first("recipient", 5), "files[0].recipient: expected null or a"),
    "locale list": (_first("locale", ["es"]), "files[0].locale: expected a locale code"),
    "sources not a list": (_first("sources", "x"), "files[0].sources: expected a list"),
    "source not an object": (_first("sources", [1]), "files[0].sources[0]: expected a JSON"),
    "source without hash": (lambda d: d["files"][0]["sources"][0].pop("sha256"),
                            "files[0].sources[0].sha256: missing"),
    "source name path": (_source("name", "../x.yaml"), "files[0].sources[0].name: expected a"),
    "bad time": (_first("archived_at", "ayer"), "files[0].archived_at: expected a time"),
    "bad variant": (_first("pdf_variant", "x"), "files[0].pdf_variant: expected a PDF/A"),
    "previous not text": (_first("previous", 5), "files[0].previous: expected 64 lowercase"),
    "no head": (lambda d: d.pop("head"), "head: the entries chain to"),
    "unknown top field": (lambda d: d.update(firma="x"), "firma: unknown field"),
    "upgraded wrong": (lambda d: d.update(upgraded={"entries": 99}),
                       "upgraded.entries: expected a count of at most 4"),
    "duplicate key": (lambda text: text.replace('"format": 2,', '"format": 2, "format": 2,'),
                      "key 'format' appears twice in one object"),
    "NaN size": (lambda text: re.sub(r'"size": \d+', '"size": NaN', text, count=1),
                 "NaN is not a JSON number"),
    "huge number": (lambda text: re.sub(r'"size": \d+', '"size": 1' + "0" * 5000, text,
                                        count=1), "manifest.json: not valid JSON"),
}


@pytest.mark.parametrize("name", MALFORMED)
def test_malformed_manifests_get_a_clean_message(archive, name):
    change, expected = MALFORMED[name]
    path = archive.folder / "manifest.json"
    text = path.read_text(encoding="utf-8")
    if change.__code__.co_varnames[:1] == ("text",):
        changed = change(text)
        path.write_bytes(changed if isinstance(changed, bytes) else changed.encode("utf-8"))
    else:
        data = json.loads(text)
        change(data)
        archive.save(data)
    result = archive.verify()
    assert result.exit_code == 1, result.output
    assert expected in result.output


def test_archive_adds_nothing_to_a_malformed_manifest(archive):
    data = archive.manifest()
    data["files"][1]["revision"] = "uno"
    data["files"][2]["size"] = None
    archive.save(data)
    before = sorted(archive.folder.rglob("*"))
    result = run("--project", archive.root, "archive")
    assert result.exit_code == 1
    assert "carta adds nothing to an archive manifest it cannot trust" in result.output
    assert "files[1].revision: expected a whole number from 1" in result.output
    assert "files[2].size: expected a size in bytes" in result.output
    assert sorted(archive.folder.rglob("*")) == before


# Signatures -------------------------------------------------------------------------------

def test_a_signed_archive_verifies_with_its_public_key(archive):
    signature = json.loads((archive.folder / "manifest.sig").read_text())
    assert (signature["entries"], signature["head"]) == (4, archive.manifest()["head"])
    public = serialization.load_pem_public_key(archive.public_key.read_bytes())
    public.verify(base64.b64decode(signature["signature"]),
                  f"carta archive manifest\nentries 4\nhead {signature['head']}\n".encode())
    result = archive.verify("--public-key", archive.public_key)
    assert result.exit_code == 0, result.output
    assert "signature: valid, by key ed25519:" in result.output
    assert "manifest.sig was not checked" in archive.verify().output
    # The project's own archive, with the key named in carta.toml.
    settings = archive.root / "carta.toml"
    settings.write_text(settings.read_text() + 'public_key = "keys/archive.pub"\n')
    from_settings = run("--project", archive.root, "verify")
    assert from_settings.exit_code == 0, from_settings.output
    assert "signature: valid" in from_settings.output


def test_a_signature_by_another_key_or_edited_is_refused(archive, tmp_path):
    other = tmp_path / "other.pub"
    other.write_bytes(ed25519.Ed25519PrivateKey.generate().public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo))
    result = archive.verify("--public-key", other)
    assert result.exit_code == 1 and "manifest.sig: signed with key ed25519:" in result.output
    path = archive.folder / "manifest.sig"
    signature = json.loads(path.read_text())
    signature["entries"] = 3
    signature["head"] = archive.manifest()["files"][3]["previous"]
    path.write_text(json.dumps(signature))
    edited = archive.verify("--public-key", archive.public_key)
    assert edited.exit_code == 1
    assert "the signature does not match what manifest.sig says it signs" in edited.output
    path.write_text('{"format": 1, "algorithm": "rsa"}')
    malformed = archive.verify("--public-key", archive.public_key)
    assert malformed.exit_code == 1 and "algorithm: expected \"ed25519\"" in malformed.output


def test_entries_archived_without_the_key_are_reported_until_signed(archive):
    settings = archive.root / "carta.toml"
    signed_settings = settings.read_text()
    settings.write_text(signed_settings.replace(key_line(archive), ""))
    set_date(archive.root, "21")
    unsigned = run("--project", archive.root, "archive")
    assert unsigned.exit_code == 0, unsigned.output
    assert "manifest.sig covers only the first 4 entries" in unsigned.output
    result = archive.verify("--public-key", archive.public_key)
    assert result.exit_code == 1
    assert "it covers only the first 4 of 6 entries" in result.output
    settings.write_text(signed_settings)
    signed = run("--project", archive.root, "archive")
    assert "signed the manifest head (6 entries)" in signed.output
    assert archive.verify("--public-key", archive.public_key).exit_code == 0


def key_line(archive: Archive) -> str:
    """The line of carta.toml that names the private key (outside the project)."""
    return re.search(r'signing_key = ".*"\n', (archive.root / "carta.toml").read_text())[0]


@pytest.mark.parametrize(("key_path", "content", "expected"), [
    ("content/archive.key", None, "is inside content/, which the coalition shares"),
    ("output/archive/archive.key", None, "is inside the archive folder"),
    ("keys/archive.key", None, "is inside the project"),
    ("{outside}/other.key", b"not a key", "expected an Ed25519 private key in PEM form"),
    ("keys/missing.key", None, "keys/missing.key: no such file"),
])
def test_a_misplaced_or_wrong_signing_key_is_refused(archive, tmp_path, key_path, content,
                                                     expected):
    key_path = key_path.format(outside=tmp_path)
    private = re.search(r'signing_key = "(.*)"', key_line(archive))[1]
    if content is not None:
        (archive.root / key_path).write_bytes(content)
        (archive.root / key_path).chmod(0o600)
    elif "missing" not in key_path:
        shutil.copy(private, archive.root / key_path)
    settings = archive.root / "carta.toml"
    settings.write_text(settings.read_text().replace(private, key_path))
    result = run("--project", archive.root, "archive")
    assert result.exit_code == 1
    assert expected in result.output


# Manifests made before the chain ----------------------------------------------------------

def unchain(archive: Archive) -> dict:
    """The manifest as carta wrote it before the hash chain (format 1, no signature)."""
    data = archive.manifest()
    for entry in data["files"]:
        del entry["previous"]
    data = {"format": 1, "files": data["files"]}
    archive.save(data)
    (archive.folder / "manifest.sig").unlink()
    settings = archive.root / "carta.toml"
    settings.write_text(settings.read_text().replace(key_line(archive), ""))
    return data


def test_an_unchained_manifest_is_reported_then_chained_as_it_stands(archive):
    old = unchain(archive)
    # Also what a forger gets by stripping the chain: verify does not pass it.
    reported = archive.verify()
    assert reported.exit_code == 1
    assert "this manifest has no hash chain (made by an older carta)" in reported.output
    assert "run 'carta archive' in the project" in reported.output
    dry = run("--project", archive.root, "archive", "--dry-run")
    assert "would chain the 4 entries of output/archive/manifest.json" in dry.output
    assert archive.manifest() == old
    chained = run("--project", archive.root, "archive")
    assert chained.exit_code == 0, chained.output
    assert "chained the 4 entries of output/archive/manifest.json" in chained.output
    data = archive.manifest()
    assert data["format"] == 2 and data["upgraded"]["entries"] == 4
    assert [{k: v for k, v in e.items() if k != "previous"} for e in data["files"]] \
        == old["files"]  # nothing rewritten but the links
    result = archive.verify("--expect-head", data["head"])
    assert result.exit_code == 0, result.output
    assert "the first 4 entries were chained on" in result.output


def test_an_unchained_manifest_whose_files_differ_is_not_chained(archive):
    old = unchain(archive)
    archive.pdf(EN1).write_bytes(archive.pdf(ES1).read_bytes())
    result = run("--project", archive.root, "archive")
    assert result.exit_code == 1
    assert f"has no hash chain (made by an older carta), and these files do not match it: " \
           f"{EN1}" in result.output
    assert archive.manifest() == old


# Folders and names that point elsewhere ---------------------------------------------------

def test_a_symlinked_archive_folder_is_refused(seed_copy, tmp_path):
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (seed_copy / "output").mkdir()
    (seed_copy / "output/archive").symlink_to(elsewhere)
    for dry in ((), ("--dry-run",)):
        result = run("--project", seed_copy, "archive", *dry)
        assert result.exit_code == 1
        assert f"refusing to write through {seed_copy}/output/archive: it is a symbolic link " \
               f"(to {elsewhere})" in result.output
    assert list(elsewhere.iterdir()) == []
    # One level down: the letter's folder.
    (seed_copy / "output/archive").unlink()
    (seed_copy / "output/archive").mkdir()
    (seed_copy / "output/archive" / SEED_ID).symlink_to(elsewhere)
    result = run("--project", seed_copy, "archive")
    assert result.exit_code == 1
    assert f"refusing to write through {seed_copy}/output/archive/{SEED_ID}" in result.output
    assert list(elsewhere.iterdir()) == []
    assert not (seed_copy / "output/archive/manifest.json").exists()


def test_a_symlinked_manifest_is_neither_read_nor_written(seed_copy, tmp_path):
    target = tmp_path / "elsewhere.json"
    target.write_text(json.dumps({"format": 2, "head": GENESIS, "files": []}))
    before = target.read_bytes()
    (seed_copy / "output/archive").mkdir(parents=True)
    (seed_copy / "output/archive/manifest.json").symlink_to(target)
    result = run("--project", seed_copy, "archive")
    assert result.exit_code == 1
    assert "refusing to read the archive manifest: it is a symbolic link" in result.output
    assert target.read_bytes() == before
    assert list((seed_copy / "output/archive").iterdir()) == [
        seed_copy / "output/archive/manifest.json"]


def test_links_planted_at_predictable_names_redirect_nothing(seed_copy, tmp_path):
    victim = tmp_path / "victim.txt"
    victim.write_text("original")
    folder = seed_copy / "output/archive"
    (folder / SEED_ID).mkdir(parents=True)
    planted = [folder / ".manifest.json.tmp", folder / ".manifest.sig.tmp",
               folder / SEED_ID / f".{SEED_ID}.es.pdf.tmp",
               folder / SEED_ID / f".{SEED_ID}.en.pdf.tmp",
               folder / ES1]  # even the final name of the first Spanish revision
    for link in planted:
        link.symlink_to(victim)
    result = run("--project", seed_copy, "archive")
    assert result.exit_code == 0, result.output
    assert victim.read_text() == "original"
    assert all(link.is_symlink() for link in planted)
    # The name taken by a link is skipped, never followed nor recorded.
    assert [e["path"] for e in json.loads((folder / "manifest.json").read_text())["files"]] \
        == [ES2, EN1]
    planted_problems = run("verify", folder)
    assert planted_problems.exit_code == 1
    assert f"{ES1}: a symbolic link (to {victim})" in planted_problems.output
    for link in planted:
        link.unlink()
    assert run("verify", folder).exit_code == 0
