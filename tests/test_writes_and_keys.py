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
