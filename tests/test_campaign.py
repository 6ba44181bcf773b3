"""Campaigns: follow-ups that carry open demands, cite earlier letters, and check the chain."""

from __future__ import annotations

from pathlib import Path

from click.testing import CliRunner
from conftest import SEED_ID
from pdftext import normalize, read_pages

from generator.app.cli import cli

FOLLOWUP = "2017-11-20-seguimiento"


def run(root: Path, *args: str):
    return CliRunner().invoke(cli, ["--project", str(root), *args])


def test_followup_draft_carries_the_demands_and_cites_the_earlier_letter(seed_copy):
    result = run(seed_copy, "followup", SEED_ID, "--date", "2017-11-20")
    assert result.exit_code == 0, result.output
    assert f"wrote content/letters/{FOLLOWUP}.yaml (3 demands carried)" in result.output
    assert "(5 of 5 messages translated from the earlier letters)" in result.output

    check = run(seed_copy, "check")
    assert check.exit_code == 1
    assert "placeholder not filled yet: [[TODO: what you ask now]]" in check.output

    build = run(seed_copy, "build", "--draft", FOLLOWUP)
    assert build.exit_code == 0, build.output
    folder = seed_copy / "output" / FOLLOWUP
    spanish = " ".join(p.body for p in read_pages(folder / f"{FOLLOWUP}.es.pdf"))
    english = " ".join(p.body for p in read_pages(folder / f"{FOLLOWUP}.en.pdf"))
    assert normalize("En nuestra carta del 19 de septiembre de 2017, hace dos meses, "
                     "solicitamos:") in spanish
    assert normalize("In our letter of September 19, 2017, two months ago, we asked:") in english
    assert normalize("Compartir con los miembros del Comité Directivo de OGP la preocupación "
                     "del Núcleo") in spanish
    assert normalize("Share with the members of the OGP Steering Committee") in english
    small_es = " ".join(p.small for p in read_pages(folder / f"{FOLLOWUP}.es.pdf"))
    small_en = " ".join(p.small for p in read_pages(folder / f"{FOLLOWUP}.en.pdf"))
    assert small_es.count("Solicitada por primera vez el 19 de septiembre de 2017 (hace dos "
                          "meses). Estado: pendiente.") == 3
    assert small_en.count("First asked on September 19, 2017 (two months ago). Status: "
                          "pending.") == 3
    html = (folder / f"{FOLLOWUP}.es.html").read_text(encoding="utf-8")
    assert '<div class="watermark" aria-hidden="true">BORRADOR</div>' in html


def test_followup_never_overwrites_and_needs_a_later_date(seed_copy):
    assert run(seed_copy, "followup", SEED_ID, "--date", "2017-11-20").exit_code == 0
    again = run(seed_copy, "followup", SEED_ID, "--date", "2017-11-20")
    assert again.exit_code == 1
    assert f"content/letters/{FOLLOWUP}.yaml already exists" in again.output
    early = run(seed_copy, "followup", SEED_ID, "--date", "2017-01-01", "--id", "temprana")
    assert early.exit_code == 1
    assert "a follow-up must come after the letter it follows (2017-09-19)" in early.output


def test_a_met_demand_is_not_carried_again(seed_copy):
    run(seed_copy, "followup", SEED_ID, "--date", "2017-11-20")
    draft = seed_copy / f"content/letters/{FOLLOWUP}.yaml"
    text = draft.read_text(encoding="utf-8")
    draft.write_text(text.replace(
        "- id: reagendar-mision\n        status: pending", "- id: reagendar-mision\n"
        "        status: met"), encoding="utf-8")
    result = run(seed_copy, "followup", FOLLOWUP, "--date", "2018-01-15")
    assert result.exit_code == 0, result.output
    assert "(2 demands carried)" in result.output
    later = (seed_copy / "content/letters/2018-01-15-seguimiento.yaml").read_text("utf-8")
    assert "reagendar-mision" not in later
    assert "excusar-gobierno-comite" in later


def write_letter(root: Path, ident: str, date: str, extra: str) -> None:
    (root / f"content/letters/{ident}.yaml").write_text(
        f"id: {ident}\ndate: {date}\nsender: coalicion-ejemplo\nrecipients: [organismo-ejemplo]\n"
        f"{extra}", encoding="utf-8")


def test_check_rejects_a_cycle_an_unknown_letter_and_an_unknown_demand(sample):
    write_letter(sample.root, "carta-a", "2024-04-01",
                 "follows: carta-b\nbody:\n  - paragraph: Uno.\n")
    write_letter(sample.root, "carta-b", "2024-05-01",
                 "follows: carta-a\nbody:\n  - paragraph: Dos.\n")
    write_letter(sample.root, "carta-c", "2024-06-01",
                 "follows: carta-inexistente\nbody:\n  - paragraph: Tres.\n")
    write_letter(sample.root, "carta-d", "2024-07-01",
                 "follows: carta-prueba\nbody:\n  - demand_status:\n"
                 "      - id: demanda-a\n        status: rejected\n"
                 "      - id: demanda-fantasma\n        status: pending\n")
    result = run(sample.root, "check")
    assert result.exit_code == 1
    assert "content/letters/carta-a.yaml:5:1: follows: the letters follow each other in a " \
        "circle (carta-a -> carta-b -> carta-a)" in result.output
    assert "content/letters/carta-c.yaml:5:1: follows: unknown letter 'carta-inexistente'" \
        in result.output
    assert "content/letters/carta-d.yaml:10:9: body[1].demand_status[2].id: no earlier letter " \
        "this one follows raises a demand 'demanda-fantasma'" in result.output
    # The carried demand that an earlier letter does raise is not a problem: carta-d has
    # exactly the one problem above.
    carta_d = [line for line in result.output.splitlines() if "carta-d.yaml" in line]
    assert len(carta_d) == 1, carta_d


def test_a_demand_status_without_follows_says_what_to_add(sample):
    write_letter(sample.root, "carta-e", "2024-07-01",
                 "body:\n  - demand_status:\n      - id: demanda-a\n        status: pending\n")
    result = run(sample.root, "check", "carta-e")
    assert "add 'follows: <letter-id>'" in result.output
