"""Recipients, merged copies, cc, only_for blocks and signatory lists, read off the PDFs."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import SEED_ID
from pdftext import normalize, read_pages

from generator.app.cli import cli
from generator.localization import locales

SEED_FILE = f"content/letters/{SEED_ID}.yaml"

# The two bodies the seed letter itself names, as extra recipients. The e-mail addresses are
# plainly fictional (example.org); the salutations are test data, not the coalition's words.
THREE_RECIPIENTS = """\
ogp-steering-committee:
  name:
    es: Comité Directivo de la Alianza por el Gobierno Abierto
    en: Open Government Partnership Steering Committee
  salutation:
    es: Estimado Comité Directivo de la Alianza por el Gobierno Abierto
    en: Dear Members of the OGP Steering Committee
  email: comite-directivo@example.org
  locales: [es, en]
inai:
  name: Instituto Nacional de Acceso a la Información y Protección de Datos Personales
  salutation:
    es: "Estimadas personas comisionadas del INAI:"
  email: inai@example.org
  locales: [es]
  tags: [mexico]
sfp:
  name: Secretaría de la Función Pública
  salutation:
    es: "Estimada Secretaría de la Función Pública:"
  email: sfp@example.org
  locales: [es]
  tags: [mexico]
"""


def run(*args: str):
    return CliRunner().invoke(cli, list(args))


def merged_seed(root: Path) -> Path:
    (root / "content/recipients.yaml").write_text(THREE_RECIPIENTS, encoding="utf-8")
    letter = root / SEED_FILE
    letter.write_text(letter.read_text(encoding="utf-8").replace(
        "recipients: [ogp-steering-committee]",
        "recipients: [ogp-steering-committee, inai, sfp]\nmerge: true"), encoding="utf-8")
    (root / "content/senders.yaml").write_text(
        "nucleo-osc:\n  name: Núcleo de Organizaciones de la Sociedad Civil\n"
        "  email: nucleo@example.org\n", encoding="utf-8")
    return root


def test_a_merged_letter_gives_each_recipient_its_copies(seed_copy):
    merged_seed(seed_copy)
    result = run("--project", str(seed_copy), "build", "--format", "pdf")
    assert result.exit_code == 0, result.output
    folder = seed_copy / "output" / SEED_ID
    assert sorted(p.name for p in folder.glob("*.pdf")) == [
        f"{SEED_ID}.inai.es.pdf", f"{SEED_ID}.ogp-steering-committee.en.pdf",
        f"{SEED_ID}.ogp-steering-committee.es.pdf", f"{SEED_ID}.sfp.es.pdf"]
    expected = {
        "ogp-steering-committee.es": (
            "Comité Directivo de la Alianza por el Gobierno Abierto",
            "Estimado Comité Directivo de la Alianza por el Gobierno Abierto"),
        "ogp-steering-committee.en": ("Open Government Partnership Steering Committee",
                                      "Dear Members of the OGP Steering Committee"),
        "inai.es": ("Instituto Nacional de Acceso a la Información y Protección de Datos "
                    "Personales", "Estimadas personas comisionadas del INAI:"),
        "sfp.es": ("Secretaría de la Función Pública",
                   "Estimada Secretaría de la Función Pública:"),
    }
    for copy, (address, salutation) in expected.items():
        first = read_pages(folder / f"{SEED_ID}.{copy}.pdf")[0].body
        assert normalize(f"{address} {salutation}") in first, copy
        others = [a for c, (a, _) in expected.items() if a != address]
        assert not [other for other in others if normalize(other) + " " in first[:400]]


def test_only_for_blocks_and_cc(seed_copy):
    merged_seed(seed_copy)
    letter = seed_copy / SEED_FILE
    letter.write_text(letter.read_text(encoding="utf-8").replace(
        "body:\n", "cc: [sfp]\nbody:\n  - paragraph: Párrafo solo para los organismos mexicanos.\n"
        "    only_for: [mexico]\n", 1), encoding="utf-8")
    run("--project", str(seed_copy), "i18n", "update")
    result = run("--project", str(seed_copy), "build", "--format", "pdf",
                 "--allow-untranslated")
    assert result.exit_code == 0, result.output
    folder = seed_copy / "output" / SEED_ID
    text = {copy: " ".join(p.body for p in read_pages(folder / f"{SEED_ID}.{copy}.pdf"))
            for copy in ("inai.es", "ogp-steering-committee.es")}
    assert "Párrafo solo para los organismos mexicanos." in text["inai.es"]
    assert "Párrafo solo para los organismos mexicanos." not in text["ogp-steering-committee.es"]
    last_page = read_pages(folder / f"{SEED_ID}.inai.es.pdf")[-1]
    assert "c.c.p. Secretaría de la Función Pública" in last_page.small


def test_only_for_without_merge_is_refused(sample):
    sample.replace("content/letters/carta-prueba.yaml", "  - heading: Sección de prueba\n",
                   "  - heading: Sección de prueba\n    only_for: [organismo-ejemplo]\n")
    result = run("--project", str(sample.root), "check")
    assert result.exit_code == 1
    assert "body[2].only_for: only_for needs 'merge: true'" in result.output


def signatories_file(count: int) -> str:
    lines = []
    for number in range(1, count + 1):
        lines += [f"persona-{number:03d}:", "  kind: individual",
                  f"  name: Persona Ejemplo Número {number:03d} con Nombre Largo",
                  f"  affiliation: Organización Ejemplo {number % 7 + 1}"]
    lines += ["org-ejemplo-a:", "  kind: organization", "  name: Organización Ejemplo A",
              "  country: {es: México, en: Mexico}"]
    return "\n".join(lines) + "\n"


def test_a_long_sign_on_list_never_splits_a_name(sample):
    sample.write("content/signatories.yaml", signatories_file(150))
    members = ", ".join(f"persona-{n:03d}" for n in range(1, 151))
    sample.replace("content/letters/carta-prueba.yaml", "references:",
                   "signatories:\n  tiers:\n    - title: Firmantes\n      members: [org-ejemplo-a]"
                   f"\n    - title: Adhesiones\n      members: [{members}]\nreferences:")
    result = run("--project", str(sample.root), "build", "--format", "pdf")
    assert result.exit_code == 0, result.output
    pages = read_pages(sample.root / "output/carta-prueba/carta-prueba.es.pdf")
    text = " ".join(f"{page.body} {page.small}" for page in pages)
    assert "1 organización firmante" in text
    assert "150 personas firmantes" in text
    assert "Las afiliaciones se indican solo con fines de identificación." in text
    found = []
    for page in pages:
        # Every name is whole on one page: no name starts on one page and ends on the next.
        found += re.findall(r"Persona Ejemplo Número (\d{3}) con Nombre Largo", page.small)
    assert sorted(found) == [f"{n:03d}" for n in range(1, 151)]
    assert len(pages) >= 3


def test_signatories_sorted_by_spanish_collation(sample):
    names = ["Zoila Ejemplo", "Ángel Ejemplo", "Ñusta Ejemplo", "Nora Ejemplo", "Álvaro Ejemplo",
             "Beto Ejemplo", "Óscar Ejemplo"]
    sample.write("content/signatories.yaml", "".join(
        f"p{n}:\n  kind: individual\n  name: {name}\n" for n, name in enumerate(names)))
    sample.replace("content/letters/carta-prueba.yaml", "references:",
                   "signatories:\n  order: alphabetical\n  tiers:\n    - members: ["
                   + ", ".join(f"p{n}" for n in range(len(names))) + "]\nreferences:")
    result = run("--project", str(sample.root), "build", "--format", "html")
    assert result.exit_code == 0, result.output
    html = (sample.root / "output/carta-prueba/carta-prueba.es.html").read_text("utf-8")
    shown = re.findall(r'<span class="name">([^<]+)</span>', html)
    assert shown == ["Álvaro Ejemplo", "Ángel Ejemplo", "Beto Ejemplo", "Nora Ejemplo",
                     "Ñusta Ejemplo", "Óscar Ejemplo", "Zoila Ejemplo"]
    assert sorted(names, key=locales.sort_key("es")) == shown


@pytest.mark.parametrize(("content", "message"), [
    ("p0:\n  kind: persona\n  name: X\n", "p0.kind: expected organization or individual"),
    ("p0:\n  kind: individual\n", "p0.name: required field is missing"),
])
def test_bad_signatories_are_named(sample, content, message):
    sample.write("content/signatories.yaml", content)
    result = run("--project", str(sample.root), "check")
    assert result.exit_code == 1
    assert "content/signatories.yaml:" in result.output and message in result.output


def test_unknown_and_repeated_signatories(sample):
    sample.write("content/signatories.yaml", "p0:\n  kind: individual\n  name: Ana Ejemplo\n")
    sample.replace("content/letters/carta-prueba.yaml", "references:",
                   "signatories: [p0, p0, nadie]\nreferences:")
    result = run("--project", str(sample.root), "check")
    assert "signatories[2]: 'p0' signs twice (first at line" in result.output
    assert "signatories[3]: unknown signatory 'nadie'" in result.output
