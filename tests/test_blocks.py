"""One declaration per block type: the bugs that lived between two walks, and a new block type
added by touching only its declaration and its partial."""

from __future__ import annotations

import base64
import dataclasses
import json
import re
from pathlib import Path

import pypdf
import pytest
from click.testing import CliRunner
from conftest import SampleProject
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pdftext import normalize, read_pages

from generator.app.cli import cli
from generator.campaign.assemble import validate
from generator.content import blocks
from generator.content.blocks import BlockType, TextField, register
from generator.core.errors import ContentError
from generator.core.project import load_project
from generator.pipeline.plan import plan
from generator.rendering.render import Renderer


def run(root: Path, *args: str):
    return CliRunner().invoke(cli, ["--project", str(root), *args])


def write_letter(root: Path, ident: str, date: str, extra: str) -> Path:
    path = root / f"content/letters/{ident}.yaml"
    path.write_text(f"id: {ident}\ndate: {date}\nsender: coalicion-ejemplo\n"
                    f"recipients: [organismo-ejemplo]\n{extra}", encoding="utf-8")
    return path


CITING_DEMAND = """\
body:
  - paragraph: Texto de la carta A.
  - demands:
      - id: demanda-con-fuente
        text: Publicar el informe ficticio.[^fuente]
references:
  - id: fuente
    text: Ver https://example.org/fuenteficticia
"""

CARRYING = """\
follows: carta-a
body:
  - paragraph: Texto de la carta B.
  - demand_status:
      - id: demanda-con-fuente
        status: pending
"""


def test_a_carried_demand_brings_the_note_it_cites(sample):
    """Bug A: check said "no problems", build died with KeyError: 'fuente'."""
    write_letter(sample.root, "carta-a", "2024-04-01", CITING_DEMAND)
    write_letter(sample.root, "carta-b", "2024-06-01", CARRYING)
    check = run(sample.root, "check")
    assert check.exit_code == 0, check.output
    build = run(sample.root, "build", "carta-b")
    assert build.exit_code == 0, build.output
    assert "internal error" not in build.output
    pages = read_pages(sample.root / "output/carta-b/carta-b.es.pdf")
    assert normalize("Publicar el informe ficticio.") in " ".join(p.body for p in pages)
    assert "example.org/fuenteficticia" in " ".join(p.small for p in pages)


def test_a_carried_note_is_translated_like_the_others(sample):
    """The carried note is a message of the follow-up's catalog: untranslated, check says so."""
    sample.write("carta.toml", '[project]\nlocales = ["es", "en"]\n')
    write_letter(sample.root, "carta-a", "2024-04-01", CITING_DEMAND)
    write_letter(sample.root, "carta-b", "2024-06-01", CARRYING)
    assert run(sample.root, "i18n", "update", "carta-b").exit_code == 0
    po = (sample.root / "content/locale/en/LC_MESSAGES/carta-b.po").read_text("utf-8")
    assert 'msgctxt "reference:fuente"' in po
    assert 'msgctxt "demand:demanda-con-fuente"' in po


def translated_sample(root: Path) -> SampleProject:
    """The sample letter with an English catalog where every text is translated."""
    sample = SampleProject(root)
    sample.write("carta.toml", '[project]\nlocales = ["es", "en"]\n')
    assert run(sample.root, "i18n", "update").exit_code == 0
    path = sample.root / "content/locale/en/LC_MESSAGES/carta-prueba.po"
    text = path.read_text("utf-8")
    # Every msgstr gets the source text prefixed by "EN ", citations kept.
    text = re.sub(r'msgid "(.*)"\nmsgstr ""', r'msgid "\1"\nmsgstr "EN \1"', text)
    path.write_text(text, encoding="utf-8")
    assert run(sample.root, "check").exit_code == 0
    return sample


def po_line_of(sample: SampleProject, needle: str) -> int:
    path = sample.root / "content/locale/en/LC_MESSAGES/carta-prueba.po"
    lines = path.read_text("utf-8").splitlines()
    return next(number for number, line in enumerate(lines, 1) if needle in line)


def break_translation(sample: SampleProject, old: str, new: str) -> None:
    sample.replace("content/locale/en/LC_MESSAGES/carta-prueba.po", f'msgstr "EN {old}',
                   f'msgstr "EN {new}')


@pytest.mark.parametrize("broken, message", [
    ("Primer párrafo de la Organización Ejemplo A.[^typo]",
     "footnote [^typo] is cited but not defined"),
    ("Primer párrafo de la Organización Ejemplo A.",
     "the translation drops the citation [^nota-a]"),
    ("Primer párrafo [a link](javascript:alert(1)) A.[^nota-a]",
     "expected text, found a link to 'javascript:alert(1)'"),
    ("Primer párrafo ![a picture](https://example.org/x.png) A.[^nota-a]",
     "expected text, found a Markdown image"),
])
def test_a_translation_is_checked_like_the_source(tmp_path, broken, message):
    """Bug B: a translator's [^typo] passed check and crashed build; a dropped marker silently
    dropped the citation; refused links vanished without a word."""
    sample = translated_sample(tmp_path / "proyecto")
    break_translation(sample, "Primer párrafo de la Organización Ejemplo A.[^nota-a]", broken)
    # The line of the message's msgid: where a PO editor shows the entry.
    line = po_line_of(sample, "msgstr \"EN " + broken[:12]) - 1
    check = run(sample.root, "check")
    assert check.exit_code == 1
    po = "content/locale/en/LC_MESSAGES/carta-prueba.po"
    assert f'{po}:{line}: body[1].paragraph: msgctxt "paragraph": {message}' in check.output
    build = run(sample.root, "build")
    assert build.exit_code == 1
    assert "internal error" not in build.output
    assert not list((sample.root / "output").rglob("*.en.*"))


def test_a_translation_over_the_text_limit_is_refused_without_parsing(tmp_path):
    sample = translated_sample(tmp_path / "proyecto")
    break_translation(sample, "Primer párrafo", "[^" * 15_000 + "Primer párrafo")
    check = run(sample.root, "check")
    assert check.exit_code == 1
    assert "expected a text of at most 20,000 characters, found one of 30,0" in check.output


def test_editing_a_carried_demand_rebuilds_the_letter_that_carries_it(sample):
    """Bug C: after editing a demand in letter A, B (which carries it) was skipped as
    unchanged and kept the old text."""
    letter_a = write_letter(sample.root, "carta-a", "2024-04-01", CITING_DEMAND)
    write_letter(sample.root, "carta-b", "2024-06-01", CARRYING)
    assert run(sample.root, "build", "--format", "html").exit_code == 0
    letter_a.write_text(letter_a.read_text("utf-8").replace(
        "Publicar el informe ficticio.", "Publicar el informe corregido."), encoding="utf-8")
    again = run(sample.root, "build", "--format", "html")
    assert again.exit_code == 0, again.output
    html = (sample.root / "output/carta-b/carta-b.es.html").read_text("utf-8")
    assert "Publicar el informe corregido." in html
    # The letter that neither is nor follows A stays as it was.
    assert "skipped" in again.output and "built 2, skipped 1" in again.output


PNG_RED = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAIAAACQd1PeAAAADElEQVR4nGP4z8AAAAMBAQDJ/pLvAAAAAElFTkSuQmCC")
PNG_BLUE = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAIAAACQd1PeAAAADElEQVR4nGNgYPgPAAEDAQAIicLsAAAAAElFTkSuQmCC")


def test_replacing_a_signatorys_logo_rebuilds_the_letter_that_shows_it(sample):
    """Bug C: a new logo rebuilt nothing."""
    (sample.root / "content/logos").mkdir()
    logo = sample.root / "content/logos/org-a.png"
    logo.write_bytes(PNG_RED)
    sample.write("content/signatories.yaml", "org-a:\n  kind: organization\n"
                 "  name: Organización Ejemplo A\n  logo: logos/org-a.png\n")
    sample.replace("content/letters/carta-prueba.yaml", "references:",
                   "signatories:\n  logos: true\n  tiers:\n    - members: [org-a]\nreferences:")
    assert run(sample.root, "build", "--format", "html").exit_code == 0
    logo.write_bytes(PNG_BLUE)
    again = run(sample.root, "build", "--format", "html")
    assert "built 1, skipped 0" in again.output, again.output
    html = (sample.root / "output/carta-prueba/carta-prueba.es.html").read_text("utf-8")
    assert base64.b64encode(PNG_BLUE).decode() in html
    assert "built 0, skipped 1" in run(sample.root, "build", "--format", "html").output


def test_a_project_partial_created_later_rebuilds(sample):
    """A template the built-in design answered, overridden later by the project."""
    assert run(sample.root, "build", "--format", "html").exit_code == 0
    sample.write("templates/blocks/heading.html",
                 '<h2 class="propio">{{ block.text }}</h2>\n')
    again = run(sample.root, "build", "--format", "html")
    assert "built 1, skipped 0" in again.output, again.output
    html = (sample.root / "output/carta-prueba/carta-prueba.es.html").read_text("utf-8")
    assert '<h2 class="propio">Sección de prueba</h2>' in html


# A toy block type, declared in this test module only ------------------------------------

@dataclasses.dataclass(frozen=True)
class Quote:
    text: str
    source: str
    lang: str | None = None
    source_lang: str | None = None
    only_for: tuple[str, ...] = ()


class QuoteBlock(BlockType):
    kind = "quote"
    model = Quote
    texts = (TextField("text", "paragraph", "quote"), TextField("source", "inline", "quote-source"))

    def read(self, value, fields, field, scope):
        reader = scope.reader
        quote = reader.mapping(fields, self.kind, field, value, "a mapping with text and source")
        if quote is None:
            return None
        reader.check_keys(quote, field, ("text", "source"), ("text", "source"))
        text = reader.text(quote, "text", f"{field}.text") if "text" in quote else None
        source = reader.text(quote, "source", f"{field}.source") if "source" in quote else None
        scope.positions[f"{field}.text"] = quote.position("text")
        scope.positions[f"{field}.source"] = quote.position("source")
        if text is None or source is None:
            return None
        return Quote(text, source)


QUOTE_PARTIAL = """\
<blockquote class="cita"{% if block.lang %} lang="{{ block.lang }}"{% endif %}>
<p>{{ block.text }}</p>
<footer>{{ block.source }}</footer></blockquote>
"""


@pytest.fixture
def quote_block():
    saved = dict(blocks.TYPES)
    register(QuoteBlock)
    yield
    blocks.TYPES.clear()
    blocks.TYPES.update(saved)


def test_a_new_block_type_is_one_declaration_and_one_partial(sample, quote_block):
    sample.write("templates/blocks/quote.html", QUOTE_PARTIAL)
    sample.write("carta.toml", '[project]\nlocales = ["es", "en"]\n')
    sample.replace("content/letters/carta-prueba.yaml", "  - heading: Sección de prueba",
                   "  - quote:\n      text: Una cita ficticia.[^nota-a]\n"
                   "      source: Persona Ejemplo B\n  - heading: Sección de prueba")
    # Validated: a quote without its source is a located problem.
    letter = sample.root / "content/letters/carta-prueba.yaml"
    good = letter.read_text("utf-8")
    letter.write_text(good.replace("      source: Persona Ejemplo B\n", ""), encoding="utf-8")
    check = run(sample.root, "check")
    assert "carta-prueba.yaml:9:7: body[2].quote.source: required field is missing" \
        in check.output, check.output
    letter.write_text(good, encoding="utf-8")

    # Translated: both texts are messages; a PO round trip puts the translation in place.
    assert run(sample.root, "i18n", "update").exit_code == 0
    po = sample.root / "content/locale/en/LC_MESSAGES/carta-prueba.po"
    text = po.read_text("utf-8")
    assert '#. body[2].quote.text\nmsgctxt "quote"\nmsgid "Una cita ficticia.[^nota-a]"' in text
    assert 'msgctxt "quote-source"' in text
    text = re.sub(r'msgid "(.*)"\nmsgstr ""', r'msgid "\1"\nmsgstr "EN \1"', text)
    po.write_text(text, encoding="utf-8")
    content = validate(load_project(sample.root))
    assert [type(block).__name__ for block in content.letters[0].body][1] == "Quote"

    # Rendered through its partial, citation and all, in both languages.
    build = run(sample.root, "build")
    assert build.exit_code == 0, build.output
    html = (sample.root / "output/carta-prueba/carta-prueba.en.html").read_text("utf-8")
    assert ('<blockquote class="cita">\n  <p>EN Una cita ficticia.<a class="note-ref repeat" '
            'href="#note-nota-a" role="doc-noteref"><sup>1</sup></a><span class="note-again"'
            ) in html
    assert "<footer>EN Persona Ejemplo B</footer>" in html
    pages = read_pages(sample.root / "output/carta-prueba/carta-prueba.es.pdf")
    assert normalize("Una cita ficticia.") in " ".join(p.body for p in pages)


def test_the_block_kinds_in_messages_come_from_the_declarations(sample, quote_block):
    sample.replace("content/letters/carta-prueba.yaml", "  - heading: Sección de prueba",
                   "  - quotes: Una cita.\n  - heading: Sección de prueba")
    check = run(sample.root, "check")
    assert "expected exactly one of paragraph, heading, grievances, demands, demand_status, " \
        "response_summary, quote (and optionally only_for), found quotes; did you mean " \
        "'quote'?" in check.output


def test_a_note_cited_twice_builds_and_shows_its_number_twice(sample):
    """Found while adding the toy block: a second citation of a note linked to the list of
    notes, which print hides, and WeasyPrint failed the PDF ("No anchor #note-...")."""
    sample.replace("content/letters/carta-prueba.yaml", "text: un agravio ficticio;",
                   "text: un agravio ficticio;[^nota-a]")
    build = run(sample.root, "build")
    assert build.exit_code == 0, build.output
    pdf = pypdf.PdfReader(sample.root / "output/carta-prueba/carta-prueba.es.pdf")
    text = pdf.pages[0].extract_text()
    assert "Ejemplo A.1" in text and "ficticio;1" in text, text
    assert text.count("example.org/nota") == 1  # one note, printed once


MARKDOWN_PIECES = ["texto", " ", "[^nota-a]", "[^otra]", "[^", "]", "[", "(", ")", "!", "*",
                   "_", "`", "\\\\", "https://example.org/x", "javascript:x", "\\n", "# ", "> ",
                   "- ", "1. ", "[[TODO: algo]]", "<b>", "&amp;"]


@settings(max_examples=60, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(pieces=st.lists(st.sampled_from(MARKDOWN_PIECES), max_size=12))
def test_a_translation_that_passes_check_always_renders(tmp_path_factory, pieces):
    """Any msgstr a translator might type: check refuses it with a location, or the letter
    renders; never an internal error (the renderer never meets a note it does not know)."""
    root = tmp_path_factory.mktemp("propiedad")
    sample = translated_sample(root / "proyecto")
    translated = "".join(pieces).replace('"', "")
    po = sample.root / "content/locale/en/LC_MESSAGES/carta-prueba.po"
    text = po.read_text("utf-8")
    text = text.replace('msgstr "EN Primer párrafo de la Organización Ejemplo A.[^nota-a]"',
                        "msgstr " + json.dumps(translated, ensure_ascii=False))
    po.write_text(text, encoding="utf-8")
    project = load_project(sample.root)
    try:
        planned = plan(project)
    except ContentError as error:
        # Every problem points into the catalog, at the message's line once it is translated.
        assert all(problem.file.endswith(".po")
                   and (problem.line or "not translated yet" in problem.message)
                   for problem in error.problems), error.message
        return
    renderer = Renderer(project)
    for job in planned.jobs:
        html = renderer.render(job.letter, job.locale, job.recipient)
        assert "<html" in html
