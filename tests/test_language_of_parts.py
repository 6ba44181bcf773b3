"""Language of parts (WCAG 3.1.2): a part in another language says so in every output.

An author marks a span (`[Secretaría Ejemplo]{lang=es}`); the glossary's names kept in the
letters' language (`lang: es`) are marked wherever a translation uses them. Each becomes `lang`
in the HTML, /Lang on its structure element in the PDF and w:lang on its DOCX run. The letters
and bodies are fictional."""

from __future__ import annotations

import re
from pathlib import Path

import docx
import pytest
from babel.messages.pofile import read_po, write_po
from click.testing import CliRunner
from conftest import SampleProject
from docx.oxml.ns import qn
from test_pdfua import Tagged

from generator.app.cli import cli

ENGLISH_LETTER = """\
id: example-letter
date: 2024-03-01
language: en
sender: coalicion-ejemplo
recipients: [organismo-ejemplo]
body:
  - paragraph: >-
      We wrote to the [Secretaría Ejemplo de la Función]{lang=es}'s office, and to
      [the board](https://example.org/board){lang=es}, and quote `[x]{lang=es}` as code.
"""

GLOSSARY = """\
language: es
terms:
  - term: Instituto Ejemplo de Datos
    forms: [IED]
    translations:
      en:
        lang: es
        use: IED
  - term: Consejo Ejemplo
    translations:
      en: Example Council
"""


def run(root: Path, *args: str):
    return CliRunner().invoke(cli, ["--project", str(root), *args])


def build(root: Path, *args: str) -> None:
    for format_ in ("pdf", "html", "docx"):
        result = run(root, "build", "--format", format_, *args)
        assert result.exit_code == 0, result.output


def marked(html: str) -> list[tuple[str, str]]:
    return re.findall(r'<span lang="([^"]+)">([^<]+)</span>', html)


def spans_with_lang(tagged: Tagged, lang: str) -> list[str]:
    """The text of every structure element whose own /Lang is `lang`."""
    return [tagged.text(element) for element in tagged.document.walk()
            if str(element.obj.get("/Lang", "")) == lang]


def runs_by_lang(path: Path) -> dict[str, str]:
    """The DOCX body's text, run by run, gathered by each run's w:lang."""
    document = docx.Document(str(path))
    found: dict[str, str] = {}
    for run_ in document.element.body.iter(qn("w:r")):
        lang = run_.find(f"{qn('w:rPr')}/{qn('w:lang')}")
        text = "".join(t.text or "" for t in run_.iter(qn("w:t")))
        if lang is not None and text:
            key = lang.get(qn("w:val"))
            found[key] = found.get(key, "") + text + "|"
    return found


def translate(sample: SampleProject, paragraph: str) -> None:
    """The English catalog of carta-prueba: its paragraph as given, every other text "EN ..."."""
    assert run(sample.root, "i18n", "update", "--locale", "en").exit_code == 0
    po_path = sample.root / "content/locale/en/LC_MESSAGES/carta-prueba.po"
    with po_path.open("rb") as stream:
        catalog = read_po(stream, locale="en")
    for message in catalog:
        if message.id:
            message.string = paragraph if message.context == "paragraph" else "EN " + message.id
            message.flags.discard("fuzzy")
    with po_path.open("wb") as stream:
        write_po(stream, catalog, width=100)


@pytest.fixture(scope="module")
def english(tmp_path_factory) -> Path:
    sample = SampleProject(tmp_path_factory.mktemp("parts") / "project")
    (sample.root / "content/letters/carta-prueba.yaml").unlink()
    sample.write("content/letters/example-letter.yaml", ENGLISH_LETTER)
    sample.write("carta.toml", '[project]\nlocales = ["en"]\nregions = { es = "MX" }\n')
    build(sample.root)
    return sample.root / "output/example-letter"


def test_a_marked_span_is_lang_in_the_html(english):
    html = (english / "example-letter.en.html").read_text("utf-8")
    assert '<html lang="en-US">' in html
    # The project's region for Spanish: "es" is written es-MX.
    assert ("es-MX", "Secretaría Ejemplo de la Función") in marked(html)
    assert '<a href="https://example.org/board" lang="es-MX"' in html
    assert "’s office" in html  # the apostrophe after the span is one
    assert "<code>[x]{lang=es}</code>" in html


def test_a_marked_span_is_its_own_structure_element_with_lang_in_the_pdf(english):
    tagged = Tagged((english / "example-letter.en.pdf").read_bytes())
    assert str(tagged.pdf.Root.Lang) == "en-US"
    spanish = spans_with_lang(tagged, "es-MX")
    assert "Secretaría Ejemplo de la Función" in spanish
    assert any("the board" in text for text in spanish)
    span = next(element for element in tagged.document.walk()
                if str(element.obj.get("/Lang", "")) == "es-MX" and element.s == "Span")
    assert span.parent.s == "P"  # inside its paragraph, in reading order


def test_a_marked_span_is_a_run_with_its_language_in_the_docx(english):
    runs = runs_by_lang(english / "example-letter.en.docx")
    assert "Secretaría Ejemplo de la Función|" in runs["es-MX"]
    assert "the board" in runs["es-MX"]
    assert "Secretaría" not in runs["en-US"]
    assert "’s office" in runs["en-US"]


@pytest.fixture(scope="module")
def translated(tmp_path_factory) -> Path:
    """A Spanish letter translated into English, whose glossary keeps a name in Spanish."""
    sample = SampleProject(tmp_path_factory.mktemp("kept") / "project")
    sample.replace("content/letters/carta-prueba.yaml",
                   "Primer párrafo de la Organización Ejemplo A.",
                   "El Instituto Ejemplo de Datos (IED) no respondió al Consejo Ejemplo.")
    sample.write("content/glossary.yaml", GLOSSARY)
    sample.write("carta.toml", '[project]\nlocales = ["es", "en"]\n')
    translate(sample, "The Instituto Ejemplo de Datos (IED) did not answer the Example "
                      "Council.[^nota-a]")
    build(sample.root)
    return sample.root / "output/carta-prueba"


def test_glossary_names_kept_in_spanish_are_marked_in_every_output(translated):
    html = (translated / "carta-prueba.en.html").read_text("utf-8")
    spans = marked(html)
    # The rule's form (IED) and, the rule keeping Spanish, the term's own form written out.
    assert ("es-ES", "Instituto Ejemplo de Datos") in spans
    assert ("es-ES", "IED") in spans
    assert not [text for _, text in spans if "Council" in text]  # translated: English
    tagged = Tagged((translated / "carta-prueba.en.pdf").read_bytes())
    assert {"Instituto Ejemplo de Datos", "IED"} <= set(spans_with_lang(tagged, "es-ES"))
    runs = runs_by_lang(translated / "carta-prueba.en.docx")
    assert "Instituto Ejemplo de Datos|" in runs["es-ES"] and "IED|" in runs["es-ES"]
    assert "Example Council" in runs["en-US"]
    # The Spanish copy marks nothing: it is all Spanish.
    spanish = (translated / "carta-prueba.es.html").read_text("utf-8")
    assert not marked(spanish.split("<main", 1)[1])


@pytest.mark.parametrize(("mark", "expected"), [
    ("[Organismo]{lang=zz}",
     "'zz' is not a language code: expected one such as es, en, fr or es-MX"),
    ("[Organismo]{.rojo lang=es}",
     "an attribute 'class' in {...}; only {lang=...} is accepted"),
])
def test_a_wrong_mark_is_a_located_check_problem(sample, mark, expected):
    sample.replace("content/letters/carta-prueba.yaml", "Primer párrafo de la Organización",
                   f"Primer párrafo de {mark} la Organización")
    result = run(sample.root, "check")
    assert result.exit_code == 1
    output = result.output + (result.stderr or "")
    assert re.search(r"content/letters/carta-prueba\.yaml:\d+.*body\[1\]\.paragraph", output), \
        output
    assert expected in output


def test_a_wrong_lang_in_the_glossary_is_a_located_problem(sample):
    sample.write("content/glossary.yaml", GLOSSARY.replace("lang: es", "lang: zz"))
    sample.write("carta.toml", '[project]\nlocales = ["es", "en"]\n')
    result = run(sample.root, "check")
    assert result.exit_code == 1
    output = result.output + (result.stderr or "")
    assert re.search(r"content/glossary\.yaml:7:9: terms\[1\]\.translations\.en\.lang: expected a "
                     r"locale code", output), output


def test_a_wrong_mark_in_a_translation_is_located_in_its_catalog(sample):
    sample.write("carta.toml", '[project]\nlocales = ["es", "en"]\n')
    translate(sample, "The [Organismo]{lang=zz} paragraph.[^nota-a]")
    result = run(sample.root, "check")
    assert result.exit_code == 1
    output = result.output + (result.stderr or "")
    assert re.search(r"content/locale/en/LC_MESSAGES/carta-prueba\.po:\d+.*'zz' is not a "
                     r"language code", output), output
