"""The rough edges a new user met, each as it was reported: a follow-up that lost its
signatories, one unfinished letter stopping every build, a mail cover with the wrong
salutation, no .gitignore, copied help texts, the YAML parser's raw words."""

from __future__ import annotations

import shutil
from email import message_from_bytes, policy
from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import REPO

from generator.app.cli import cli

LETTER_FILE = "content/letters/carta-prueba.yaml"


def run(root: Path, *args: str):
    return CliRunner().invoke(cli, ["--project", str(root), *args])


def test_a_followup_keeps_the_signatories_subject_place_and_closing(tmp_path):
    project = tmp_path / "carta-abierta"
    shutil.copytree(REPO / "examples" / "open-letter", project,
                    ignore=shutil.ignore_patterns("output"))
    letter = project / "content/letters/2025-05-10-open-letter-data.yaml"
    letter.write_text(letter.read_text("utf-8").replace(
        "recipients: [council]", "recipients: [council]\nplace: Example City\n"
        "subject: Monthly budget data\nclosing: \"With our best regards,\""), encoding="utf-8")
    result = run(project, "followup", "2025-05-10-open-letter-data", "--date", "2025-07-01")
    assert result.exit_code == 0, result.output
    draft = (project / "content/letters/2025-07-01-seguimiento.yaml").read_text("utf-8")
    assert "# Carried from the earlier letter: review each one" in draft
    for line in ('place: "Example City"', 'subject: "Monthly budget data"',
                 'closing: "With our best regards,"', "  order: alphabetical",
                 "    - members: [open-books, data-commons, civic-lab]",
                 '      title: "Individuals"'):
        assert line in draft, line
    built = run(project, "build", "--draft", "--format", "html", "2025-07-01-seguimiento")
    assert built.exit_code == 0, built.output
    html = (project / "output/2025-07-01-seguimiento/2025-07-01-seguimiento.en.html")
    assert "Carla Fictive" in html.read_text("utf-8")


def test_one_unfinished_letter_does_not_stop_the_others(sample):
    sample.write("content/letters/carta-rota.yaml", """\
        id: carta-rota
        date: 2024-03-01
        sender: coalicion-ejemplo
        body:
          - paragraph: "[[TODO: escribir]]"
        """)
    result = run(sample.root, "build", "--format", "html")
    assert result.exit_code == 1
    assert "placeholder not filled yet: [[TODO: escribir]]" in result.output
    assert "not built: carta-rota (all)" in result.output
    assert (sample.root / "output/carta-prueba/carta-prueba.es.html").is_file()
    assert not (sample.root / "output/carta-rota").exists()


def test_draft_rebuilds_only_the_unfinished_letters(sample):
    sample.write("content/letters/carta-rota.yaml", """\
        id: carta-rota
        date: 2024-03-01
        sender: coalicion-ejemplo
        body:
          - paragraph: "[[TODO: escribir]]"
        """)
    run(sample.root, "build", "--format", "html")  # builds carta-prueba, refuses carta-rota
    draft = run(sample.root, "build", "--format", "html", "--draft")
    assert draft.exit_code == 0, draft.output
    assert "built 1, skipped 1 unchanged" in draft.output
    again = run(sample.root, "build", "--format", "html", "--draft")
    assert "built 0, skipped 2 unchanged" in again.output


def test_the_mail_cover_greets_the_recipient_as_the_letter_does(sample):
    sample.write("content/recipients.yaml", """\
        organismo-ejemplo:
          name: Organismo Ejemplo A
          email: organismo@example.org
          salutation:
            es: "Estimados miembros del Organismo Ejemplo A:"
        """)
    sample.write("content/senders.yaml", """\
        coalicion-ejemplo:
          name: Coalición Ejemplo
          email: coalicion@example.org
        """)
    result = run(sample.root, "mail")
    assert result.exit_code == 0, result.output
    (eml,) = (sample.root / "output/mail").rglob("*.eml")
    message = message_from_bytes(eml.read_bytes(), policy=policy.default)
    cover = message.get_body(("plain",)).get_content()
    assert cover.startswith("Estimados miembros del Organismo Ejemplo A:")
    assert "A quien corresponda" not in cover


def test_init_writes_a_gitignore_and_the_readme_example_matches_it(tmp_path):
    result = CliRunner().invoke(cli, ["init", str(tmp_path / "nuevo")])
    assert result.exit_code == 0, result.output
    assert "output/" in (tmp_path / "nuevo/.gitignore").read_text("utf-8").splitlines()
    (letter,) = (tmp_path / "nuevo/content/letters").glob("*.yaml")
    readme = (REPO / "README.md").read_text("utf-8")
    assert f"# content/letters/{letter.name}" in readme
    assert f"carta mail {letter.stem} --send" in readme


def test_each_command_says_what_its_own_options_do():
    texts = {}
    for command in ("build", "check", "archive", "mail", "watch"):
        help_text = CliRunner().invoke(cli, [command, "--help"]).output
        texts[command] = help_text.split("--locale", 1)[1].split("\n  --", 1)[0]
    assert "Build only" in texts["build"]
    assert len(set(texts.values())) == len(texts), texts
    assert "Check only" in texts["check"]


@pytest.mark.parametrize("body, expected", [
    ("  - paragraph: Uno\n   - paragraph: Dos\n",
     "a list item is indented differently from the items before it"),
    ("  - paragraph: Uno: dos\n", "a ': ' where YAML does not expect one; put a text"),
    ("  - paragraph: \"Uno\n", "a quotation mark (\" or ') is opened and never closed"),
])
def test_yaml_mistakes_are_explained_in_plain_words(sample, body, expected):
    text = (sample.root / LETTER_FILE).read_text("utf-8")
    head = text.split("body:\n")[0]
    (sample.root / LETTER_FILE).write_text(head + "body:\n" + body, encoding="utf-8")
    result = run(sample.root, "check")
    assert result.exit_code == 1
    assert expected in result.output, result.output
    assert "(YAML says: " in result.output


def test_unknown_ids_and_fields_get_candidates_at_every_level(sample):
    sample.write("content/signatories.yaml", "org-ejemplo-a:\n  kind: organization\n"
                 "  name: Organización Ejemplo A\n")
    sample.replace(LETTER_FILE, "      - id: agravio-a\n        text:",
                   "      - id: agravio-a\n        txt: x\n        text:")
    sample.replace(LETTER_FILE, "references:", "signatories: [org-ejemplo-b]\nreferences:")
    sample.replace(LETTER_FILE, "  - heading: Sección de prueba", "  - headng: Sección")
    result = run(sample.root, "check")
    assert "body[3].grievances[1].txt: unknown field; did you mean 'text'?" in result.output
    assert "found headng; did you mean 'heading'?" in result.output
    assert ("unknown signatory 'org-ejemplo-b'; expected an id from content/signatories.yaml "
            "(org-ejemplo-a); did you mean 'org-ejemplo-a'?") in result.output
