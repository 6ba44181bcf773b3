"""Files written only where they belong: catalogs never through a link, letter ids that would
build into carta's own folders refused, partners' reference documents without remote links,
signing keys kept private, and a preview server that outlasts idle connections."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from generator.app.cli import cli
from generator.content.letters import OUTPUT_FOLDERS, output_folders, read_letter
from generator.content.load import load_content
from generator.content.shared import read_recipients, read_senders
from generator.core.errors import CartaError
from generator.core.project import load_project


def run(root: Path, *args: str):
    return CliRunner().invoke(cli, ["--project", str(root), *args])


# R17: `carta i18n update` never writes through a committed link -------------------------

@pytest.fixture
def bilingual(sample):
    sample.write("carta.toml", '[project]\nlocales = ["es", "en"]\n')
    return sample


@pytest.mark.parametrize("linked", ["content/locale", "content/locale/en",
                                    "content/locale/en/LC_MESSAGES"])
def test_i18n_update_refuses_a_locale_folder_that_is_a_link(bilingual, tmp_path, linked):
    """R17: a committed link under content/locale sent the new catalog outside the project."""
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    link = bilingual.root / linked
    link.parent.mkdir(parents=True, exist_ok=True)
    link.symlink_to(elsewhere, target_is_directory=True)
    result = run(bilingual.root, "i18n", "update", "--locale", "en")
    assert result.exit_code == 1, result.output
    assert f"refusing to write through {link}: it is a symbolic link" in result.output
    assert "Traceback" not in result.output
    assert list(elsewhere.rglob("*")) == []  # nothing written, not even a folder


def test_i18n_update_still_writes_into_real_folders(bilingual):
    result = run(bilingual.root, "i18n", "update", "--locale", "en")
    assert result.exit_code == 0, result.output
    assert (bilingual.root / "content/locale/en/LC_MESSAGES/carta-prueba.po").is_file()


# R3: a letter id that names a folder carta owns under output/ -----------------------------

@pytest.mark.parametrize("ident", sorted(OUTPUT_FOLDERS))
def test_a_letter_id_naming_a_folder_of_carta_is_refused_at_check(sample, ident):
    """R3: `id: archive` passed check; its build wrote into output/archive/, and `carta
    verify` then reported files no `carta archive` could clear."""
    text = (sample.root / "content/letters/carta-prueba.yaml").read_text(encoding="utf-8")
    sample.write(f"content/letters/{ident}.yaml", text.replace("id: carta-prueba", f"id: {ident}"))
    result = run(sample.root, "check")
    assert result.exit_code == 1
    assert (f"content/letters/{ident}.yaml:1:1: id: '{ident}' cannot be a letter's id: carta "
            f"writes") in result.output
    assert "choose another id and rename the file to match" in result.output


def test_a_build_writes_nothing_into_the_archive_for_such_a_letter(sample):
    text = (sample.root / "content/letters/carta-prueba.yaml").read_text(encoding="utf-8")
    sample.write("content/letters/archive.yaml", text.replace("id: carta-prueba", "id: archive"))
    result = run(sample.root, "build", "--format", "html")
    assert result.exit_code == 1
    assert "'archive' cannot be a letter's id" in result.output
    assert not (sample.root / "output/archive").exists()
    assert (sample.root / "output/carta-prueba/carta-prueba.es.html").is_file()


def test_an_archive_folder_of_ones_own_under_output_is_carta_s_too(sample):
    sample.write("carta.toml", '[project]\nlocales = ["es"]\n[archive]\n'
                 'folder = "output/archivo/2024"\n')
    project = load_project(sample.root)
    owned = output_folders(project)
    assert "archivo" in owned and "archive" in owned
    text = (sample.root / "content/letters/carta-prueba.yaml").read_text(encoding="utf-8")
    path = sample.write("content/letters/archivo.yaml",
                        text.replace("id: carta-prueba", "id: archivo"))
    senders, _ = read_senders(project, load_content(project,
                                                    project.content / "senders.yaml"))
    recipients, _ = read_recipients(load_content(project, project.content / "recipients.yaml"))
    letter, problems = read_letter(load_content(project, path), senders, recipients, "es",
                                   owned=owned)
    assert letter is None
    assert [problem.field for problem in problems] == ["id"]
    assert "'archivo' cannot be a letter's id: carta writes the archive" in str(problems[0])


def test_an_archive_folder_outside_output_reserves_nothing_more(sample):
    sample.write("carta.toml", '[project]\nlocales = ["es"]\n[archive]\nfolder = "archivo"\n')
    assert set(output_folders(load_project(sample.root))) == set(OUTPUT_FOLDERS)


# R13, R14: a signing key kept private ---------------------------------------------------

def make_key(path: Path, mode: int = 0o600) -> Path:
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import ed25519

    key = ed25519.Ed25519PrivateKey.generate()  # a throwaway key, made for this test only
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(key.private_bytes(serialization.Encoding.PEM,
                                       serialization.PrivateFormat.PKCS8,
                                       serialization.NoEncryption()))
    path.chmod(mode)
    return path


def signer(root: Path, key: str):
    import dataclasses

    from generator.delivery.archive.signing import Signer

    project = load_project(root)
    project = dataclasses.replace(project, settings=dataclasses.replace(project.settings,
                                                                        signing_key=key))
    return Signer(project, project.archive)


@pytest.mark.parametrize("relative", ["archive.key", "keys/archive.key", ".keys/archive.pem"])
def test_a_signing_key_inside_the_project_is_refused(sample, relative):
    """R13: a key at the project root was used without a word; `git add -A` commits it."""
    make_key(sample.root / relative)
    with pytest.raises(CartaError, match="is inside the project") as raised:
        signer(sample.root, relative)
    assert "'git add -A' would commit it" in raised.value.message
    assert "move it" in raised.value.message and "chmod 600" in raised.value.message


def test_a_link_in_the_project_to_a_key_elsewhere_is_refused_too(sample, tmp_path):
    make_key(tmp_path / "private/archive.key")
    (sample.root / "archive.key").symlink_to(tmp_path / "private/archive.key")
    with pytest.raises(CartaError, match="is inside the project"):
        signer(sample.root, "archive.key")


def test_a_link_elsewhere_to_a_key_in_the_project_is_refused(sample, tmp_path):
    make_key(sample.root / "keys/archive.key")
    (tmp_path / "archive.key").symlink_to(sample.root / "keys/archive.key")
    with pytest.raises(CartaError, match="is inside the project"):
        signer(sample.root, str(tmp_path / "archive.key"))


@pytest.mark.parametrize("mode", [0o644, 0o640, 0o604, 0o660, 0o602])
def test_a_signing_key_others_can_read_or_change_is_refused(sample, tmp_path, mode):
    """R14: a key readable by group or others was used without a word; ssh refuses it."""
    key = make_key(tmp_path / "private/archive.key", mode)
    with pytest.raises(CartaError, match=f"permissions {mode:04o}") as raised:
        signer(sample.root, str(key))
    assert f"run 'chmod 600 {key}'" in raised.value.message


def test_a_private_key_outside_the_project_is_used(sample, tmp_path, monkeypatch):
    key = make_key(tmp_path / "home/.config/carta/archive.key", 0o400)
    assert signer(sample.root, str(key)).public is not None
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    assert signer(sample.root, "~/.config/carta/archive.key").public is not None


def test_carta_archive_refuses_a_key_at_the_root_before_any_work(sample):
    make_key(sample.root / "archive.key")
    sample.write("carta.toml", '[project]\nlocales = ["es"]\n[archive]\n'
                 'signing_key = "archive.key"\n')
    result = run(sample.root, "archive")
    assert result.exit_code == 1
    assert "carta.toml: archive.signing_key:" in result.output
    assert "is inside the project" in result.output
    assert not (sample.root / "output/archive/manifest.json").exists()
