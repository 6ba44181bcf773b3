"""Each language's typography in what carta prints: French no-break spaces, curly quotes and
apostrophes, never inside code, addresses or attributes; region tags that agree everywhere.

The letters are fictional ("Organisation Exemple A"), one written in French, one in English."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import docx
import pikepdf
import pypdf
import pytest
from click.testing import CliRunner
from conftest import SampleProject
from docx.oxml.ns import qn
from test_pdfua import Tagged, assert_pdf_ua

from generator.app.cli import cli
from generator.rendering.typography import typeset_html

NBSP, NNBSP, SOFT_HYPHEN = "\u00a0", "\u202f", "\u00ad"



def named(ident: str, lang: str, name: str) -> str:
    """A senders.yaml or recipients.yaml with one entry, named in one language."""
    return f"{ident}:\n  name:\n    {lang}: {name}\n"


FRENCH_SENDERS = named("coalition-exemple", "fr", "Coalition Exemple")
FRENCH_RECIPIENTS = named("organisme-exemple", "fr", "Organisme Exemple A")



def head(ident: str, lang: str, sender: str, recipient: str, subject: str) -> str:
    """A letter's first lines, up to its body."""
    return (f"id: {ident}\ndate: 2024-03-01\nlanguage: {lang}\nsender: {sender}\n"
            f"recipients: [{recipient}]\nsubject: {subject}\nbody:\n")


FRENCH_LETTER = head("lettre-exemple", "fr", "coalition-exemple", "organisme-exemple",
                     "Demande d'information") + """\
  - paragraph: >-
      Nous l'avons écrit : "la transparence n'attend pas" ; pourquoi attendre?
      Voyez « le rapport » de l'Organisation Exemple A! Écrivez à contact@exemple.org
      ou lisez https://exemple.org/rapport?page=2:3 ; le réglage `mode: "strict"` reste tel quel.
  - paragraph: La réunion est à 10:30, dit le 'secrétariat'.[^note-a]
  - paragraph: >-
"""
# Enough French to fill many lines: wherever the lines break, never at a no-break space.
FRENCH_LETTER += "".join(
    f"      Question {n} : « pourquoi {'attendre ' * (n % 4)}? » ; réponse {n} : « non » !\n"
    for n in range(1, 41))
FRENCH_LETTER += """\
references:
  - id: note-a
    text: 'Voir "le compte rendu" : https://exemple.org/compte-rendu'
"""

ENGLISH_SENDERS = named("example-coalition", "en", "Example Coalition")
ENGLISH_RECIPIENTS = named("example-body", "en", "Example Body A")

ENGLISH_LETTER = head("example-letter", "en", "example-coalition", "example-body",
                      "The coalition's request") + """\
  - paragraph: >-
      The Example Body's "review" did not answer the organizations' 'first question'.
      See https://example.org/it's-here and `don't "quote" code`.
"""


def run(root: Path, *args: str):
    return CliRunner().invoke(cli, ["--project", str(root), *args])


def project(root: Path, senders: str, recipients: str, letter_id: str, letter: str,
            settings: str) -> SampleProject:
    sample = SampleProject(root)
    (root / "content/letters/carta-prueba.yaml").unlink()
    sample.write("content/senders.yaml", senders)
    sample.write("content/recipients.yaml", recipients)
    sample.write(f"content/letters/{letter_id}.yaml", letter)
    sample.write("carta.toml", settings)
    return sample


def built(root: Path, senders: str, recipients: str, letter_id: str, letter: str,
          settings: str) -> Path:
    """The letter's output folder, after a build of its PDF, HTML and DOCX."""
    sample = project(root, senders, recipients, letter_id, letter, settings)
    for format_ in ("pdf", "html", "docx"):
        result = run(sample.root, "build", "--format", format_)
        assert result.exit_code == 0, result.output
    return root / "output" / letter_id


@pytest.fixture(scope="module")
def french(tmp_path_factory) -> Path:
    return built(tmp_path_factory.mktemp("french") / "project", FRENCH_SENDERS,
                 FRENCH_RECIPIENTS, "lettre-exemple", FRENCH_LETTER,
                 '[project]\nlocales = ["fr"]\n')


@pytest.fixture(scope="module")
def english(tmp_path_factory) -> Path:
    return built(tmp_path_factory.mktemp("english") / "project", ENGLISH_SENDERS,
                 ENGLISH_RECIPIENTS, "example-letter", ENGLISH_LETTER,
                 '[project]\nlocales = ["en"]\n')


def docx_footnotes(path: Path) -> str:
    import zipfile

    with zipfile.ZipFile(path) as package:
        xml = package.read("word/footnotes.xml").decode("utf-8")
    return "".join(re.findall(r"<w:t[^>]*>([^<]*)</w:t>", xml))


def pdftotext(path: Path) -> str:
    return subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True,
                          check=True).stdout


def main_text(html: str) -> str:
    """The letter's text as a browser shows it: the <main>, tags out, entities read."""
    import html as html_module

    main = html.split("<main", 1)[1].split("</main>", 1)[0]
    return html_module.unescape(re.sub(r"<[^>]+>", "", main.split(">", 1)[1]))


# French -------------------------------------------------------------------------------------

def test_french_html_has_no_breakable_space_before_high_punctuation(french):
    html = (french / "lettre-exemple.fr.html").read_text("utf-8")
    text = main_text(html)
    # No ordinary space (or line break) where French typography wants a no-break one.
    assert not re.search(r"[ \t\n][:;?!»]", text)
    assert not re.search(r"«[ \t\n]", text)
    assert f"écrit{NBSP}:" in text
    assert f"{NNBSP}; pourquoi attendre{NNBSP}?" in text
    assert f"«{NBSP}la transparence n’attend pas{NBSP}»" in text  # typed "..." become « »
    assert f"«{NBSP}le rapport{NBSP}»" in text  # typed « » get their spaces
    assert f"Exemple A{NNBSP}!" in text
    # The template's own phrase: "Objet :" from the French catalog.
    assert re.search(f"Objet{NBSP}:</span>", html)


def test_french_code_addresses_times_and_attributes_are_untouched(french):
    html = (french / "lettre-exemple.fr.html").read_text("utf-8")
    assert '<code>mode: &quot;strict&quot;</code>' in html
    assert 'href="https://exemple.org/rapport?page=2:3"' in html
    assert ">https://exemple.org/rapport?page=2:3</a>" in html
    assert "contact@exemple.org" in html
    assert "à 10:30," in main_text(html)
    assert "le “secrétariat”." in main_text(html)  # French inner quotes


def test_french_pdf_lines_never_break_at_the_no_break_spaces(french):
    # pdftotext (poppler's TextOutputDev) drops every whitespace character it reads, U+00A0
    # and U+202F included, whether from ToUnicode or /ActualText, and writes a plain space for
    # the gap; so here the no-break spaces are plain, and what is checked is the line breaks.
    # The text layer's own characters are checked with pypdf below.
    text = pdftotext(french / "lettre-exemple.fr.pdf")
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    assert len([line for line in lines if "Question" in line or "réponse" in line]) > 20
    assert not [line for line in lines if line[0] in ":;?!»"]
    assert not [line for line in lines if line.endswith("«")]
    assert "Objet : Demande d’information" in text
    # Running text has the typographic apostrophe; the address keeps what was typed.
    assert not re.search(r"(?<=[^\W\d_])'(?=[^\W\d_])", text)
    assert "l’Organisation Exemple A" in text
    assert "https://exemple.org/rapport?page=2:3" in re.sub(r"\s", "", text)  # may wrap


def pdf_text(path: Path) -> str:
    """The PDF's text layer as its fonts' maps say it, page after page (pypdf)."""
    return "".join(page.extract_text() for page in pypdf.PdfReader(path).pages)


def test_french_pdf_text_layer_copies_the_no_break_spaces(french):
    text = pdf_text(french / "lettre-exemple.fr.pdf")
    # The catalog's phrase, typed text, typed « » and the footnote, as the HTML has them.
    assert f"Objet{NBSP}: Demande d’information" in text
    assert f"écrit{NBSP}: «{NBSP}la transparence n’attend pas{NBSP}»{NNBSP}; pourquoi" in text
    assert f"attendre{NNBSP}?" in text
    assert f"«{NBSP}le rapport{NBSP}» de l’Organisation Exemple A{NNBSP}!" in text
    assert f"Voir «{NBSP}le compte rendu{NBSP}»{NBSP}: https://exemple.org" in text
    # Not one of the many spaces French wants unbreakable copies as a plain one, on any page.
    assert not re.findall(r".{12}(?: [:;?!»]|« ).{12}", text)
    # « » twice in the first paragraph, once in the note, twice in each of the 40 questions.
    assert text.count(f"{NBSP}»") == text.count(f"«{NBSP}") == 2 + 1 + 2 * 40
    assert text.count(f"{NNBSP};") == 2 + 40  # ";" twice in the first paragraph
    # Ordinary spaces stay ordinary, and the address keeps its colon without a space.
    assert "Madame, Monsieur," in text
    assert "https://exemple.org/rapport?page=2:3" in re.sub(r"\s", "", text)
    # Added hyphens still copy as soft hyphens (the same twin fonts): words come back whole.
    assert SOFT_HYPHEN in text
    assert re.sub(f"{SOFT_HYPHEN}\n?", "", text).count("pourquoi") == 1 + 40


def test_french_no_break_spaces_are_drawn_from_twins_of_the_same_font(french):
    with pikepdf.open(french / "lettre-exemple.fr.pdf") as pdf:
        fonts = pdf.pages[0].Resources.Font
        twins = {name: font for name, font in fonts.items() if name.endswith("nbsp")}
        assert {name.removesuffix("nnbsp").removesuffix("nbsp") for name in twins} <= set(fonts)
        assert any(name.endswith("nnbsp") for name in twins)
        for name, twin in twins.items():
            original = fonts[name.removesuffix("nnbsp").removesuffix("nbsp")]
            # The same font program and widths: the page looks as it did; only the map differs.
            assert twin.DescendantFonts.objgen == original.DescendantFonts.objgen
            assert twin.ToUnicode.objgen != original.ToUnicode.objgen
            wanted = "202f" if name.endswith("nnbsp") else "00a0"
            assert re.search(rf"<[0-9a-f]{{4}}> <{wanted}>", twin.ToUnicode.read_bytes().decode())
    tagged = Tagged((french / "lettre-exemple.fr.pdf").read_bytes())
    assert_pdf_ua(tagged, "fr-FR")  # the PDF/UA checks still pass with the twins


def test_english_pdf_spaces_are_unchanged(english):
    text = pdf_text(english / "example-letter.en.pdf")
    assert NBSP not in text and NNBSP not in text
    assert "The Example Body’s “review” did not answer" in text
    with pikepdf.open(english / "example-letter.en.pdf") as pdf:
        assert not [name for page in pdf.pages for name in page.Resources.Font
                    if name.endswith("nbsp")]


def test_french_footnotes_follow_the_rules_on_paper_and_on_screen(french):
    html = (french / "lettre-exemple.fr.html").read_text("utf-8")
    # The note printed at the foot of the page, and the list of notes of the web page.
    assert html.count(f"Voir «{NBSP}le compte rendu{NBSP}»{NBSP}: <a") == 2
    assert 'href="https://exemple.org/compte-rendu"' in html
    text = pdftotext(french / "lettre-exemple.fr.pdf")
    assert "Voir « le compte rendu » : https://exemple.org/compte-rendu" in text


def test_french_docx_runs_have_the_same_typography(french):
    document = docx.Document(str(french / "lettre-exemple.fr.docx"))
    text = "\n".join(paragraph.text for paragraph in document.paragraphs)
    assert f"Objet{NBSP}: Demande d’information" in text
    assert f"«{NBSP}la transparence n’attend pas{NBSP}»{NNBSP}; pourquoi attendre{NNBSP}?" in text
    assert 'mode: "strict"' in text  # code as typed
    notes = docx_footnotes(french / "lettre-exemple.fr.docx")
    assert f"Voir «{NBSP}le compte rendu{NBSP}»{NBSP}: https://exemple.org/compte-rendu" in notes
    assert "https://exemple.org/rapport?page=2:3" in text
    langs = {lang.get(qn("w:val")) for lang in document.element.body.iter(qn("w:lang"))}
    assert langs == {"fr-FR"}


# English ------------------------------------------------------------------------------------

def test_english_quotes_and_apostrophes_in_every_output(english):
    html = (english / "example-letter.en.html").read_text("utf-8")
    text = main_text(html)
    assert "The Example Body’s “review” did not answer the organizations’ ‘first question’." \
        in text
    assert "The coalition’s request" in text
    assert "<code>don&#x27;t &quot;quote&quot; code</code>" in html or \
        "<code>don't &quot;quote&quot; code</code>" in html
    assert 'href="https://example.org/it\'s-here"' in html
    pdf = pdftotext(english / "example-letter.en.pdf")
    running = re.sub(r"https://\s*example\.org/it's-here", "", pdf).replace("don't", "")
    assert not re.search(r"(?<=[^\W\d_])'(?=[^\W\d_])", running)
    assert "Body’s “review”" in pdf
    assert "https://example.org/it's-here" in re.sub(r"\s", "", pdf)
    document = docx.Document(str(english / "example-letter.en.docx"))
    words = "\n".join(paragraph.text for paragraph in document.paragraphs)
    assert "The Example Body’s “review” did not answer the organizations’ ‘first question’." \
        in words
    assert "don't \"quote\" code" in words


def test_rules_are_applied_once_whatever_the_number_of_passes():
    page = ('<p lang="fr">Objet: "oui" ; « non »!</p><p lang="en">It\'s "so".</p>'
            '<p lang="es">Dijo "sí" y \'no\'.</p><p lang="es-MX">Dijo "sí".</p>')
    once = typeset_html(page)
    assert once == typeset_html(once)
    assert f"Objet{NBSP}: «{NBSP}oui{NBSP}»{NNBSP}; «{NBSP}non{NBSP}»{NNBSP}!" in once
    assert "It’s “so”." in once
    assert "Dijo «sí» y “no”." in once  # Spain: « » then “ ” (CLDR es)
    assert "Dijo “sí”." in once  # Mexico: “ ” (CLDR es-419)
    assert typeset_html('<p lang="de-CH" title="a \'b\'">x</p>') == \
        '<p lang="de-CH" title="a \'b\'">x</p>'


def test_the_seed_english_pdf_has_no_straight_apostrophe_in_its_text(tmp_path):
    from conftest import REPO, SEED_ID

    result = CliRunner().invoke(cli, ["--project", str(REPO), "build", "--locale", "en",
                                      "--format", "pdf", "--out", str(tmp_path)])
    assert result.exit_code == 0, result.output
    text = pdftotext(tmp_path / SEED_ID / f"{SEED_ID}.en.pdf")
    running = re.sub(r"https?://\S+", "", text)
    assert "’s" in running
    assert not re.search(r"(?<=[^\W\d_])'(?=[^\W\d_])", running)
    assert '"' not in running


# Regions --------------------------------------------------------------------------------------

def test_a_language_without_region_gets_cldrs_and_every_output_agrees(english):
    html = (english / "example-letter.en.html").read_text("utf-8")
    assert '<html lang="en-US">' in html
    assert "March 1, 2024" in main_text(html)
    with pikepdf.open(english / "example-letter.en.pdf") as pdf:
        assert str(pdf.Root.Lang) == "en-US"
    document = docx.Document(str(english / "example-letter.en.docx"))
    assert document.core_properties.language == "en-US"
    assert {lang.get(qn("w:val")) for lang in document.element.body.iter(qn("w:lang"))} == \
        {"en-US"}


def test_a_region_in_carta_toml_sets_tag_dates_and_word_language(tmp_path):
    folder = built(tmp_path / "project", ENGLISH_SENDERS, ENGLISH_RECIPIENTS, "example-letter",
                   ENGLISH_LETTER, '[project]\nlocales = ["en"]\nregions = { en = "GB" }\n')
    html = (folder / "example-letter.en.html").read_text("utf-8")
    assert '<html lang="en-GB">' in html  # WeasyPrint hyphenates with pyphen's en_GB
    assert "1 March 2024" in main_text(html)  # Babel's en_GB long date
    with pikepdf.open(folder / "example-letter.en.pdf") as pdf:
        assert str(pdf.Root.Lang) == "en-GB"
    document = docx.Document(str(folder / "example-letter.en.docx"))
    assert {lang.get(qn("w:val")) for lang in document.element.body.iter(qn("w:lang"))} == \
        {"en-GB"}
    assert "1 March 2024" in "\n".join(paragraph.text for paragraph in document.paragraphs)


@pytest.mark.parametrize(("regions", "message"), [
    ('{ en = "XY" }', 'carta.toml:3: project.regions: en: no locale en_XY is known'),
    ('{ en = "Great Britain" }', 'carta.toml:3: project.regions: en: expected a region code'),
    ('"GB"', 'carta.toml:3: project.regions: expected a table of language = "REGION"'),
])
def test_a_wrong_region_is_a_located_problem(tmp_path, regions, message):
    sample = project(tmp_path / "project", ENGLISH_SENDERS, ENGLISH_RECIPIENTS, "example-letter",
                     ENGLISH_LETTER, f'[project]\nlocales = ["en"]\nregions = {regions}\n')
    result = run(sample.root, "check")
    assert result.exit_code == 1
    assert message in result.output + (result.stderr or "")


def test_the_region_tag_picks_the_regions_hyphenation_patterns():
    # WeasyPrint hyphenates with pyphen.language_fallback(the element's lang): "en" alone
    # resolves to pyphen's "en" patterns (British, "un-an-im-ous"), "en-US" to American.
    import pyphen

    from generator.localization.locales import language_tag

    def patterns(tag: str) -> str:
        return pyphen.language_fallback(tag.replace("-", "_"))

    assert patterns(language_tag("en")) == "en_US"
    assert pyphen.Pyphen(lang=patterns(language_tag("en"))).inserted("unanimous") == \
        "unan-i-mous"
    assert patterns(language_tag("en", {"en": "GB"})) == "en_GB"
    assert patterns(language_tag("es", {"es": "MX"})) == "es"
