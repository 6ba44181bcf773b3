"""The repository's own letter: the 19 September 2017 letter, built as a reader receives it."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import pypdf
import pytest
import yaml
from click.testing import CliRunner
from conftest import REPO, SEED_ID
from pdftext import body_text, normalize, read_pages, words

from generator.app.cli import cli
from generator.core.project import builtin_templates, load_project
from generator.outputs.pdf import PdfMaker
from generator.outputs.pdf_layout import text_lines
from generator.pipeline.maker import DocumentMaker
from generator.pipeline.plan import plan
from generator.pipeline.run import build

SEED_FILE = REPO / "content" / "letters" / f"{SEED_ID}.yaml"
CITATION = re.compile(r"\[\^([a-z0-9-]+)\]")


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("output")
    build(load_project(REPO), output=out)
    return out / SEED_ID


@pytest.fixture(scope="module")
def pages(built) -> list:
    return read_pages(built / f"{SEED_ID}.es.pdf")


@pytest.fixture(scope="module")
def content() -> dict:
    return yaml.safe_load(SEED_FILE.read_text(encoding="utf-8"))


def body_texts(content: dict) -> list[str]:
    texts = []
    for block in content["body"]:
        (kind, value), = block.items()
        if kind in ("paragraph", "heading"):
            texts.append(value)
        else:
            texts.extend(item["text"] for item in value)
    return [CITATION.sub("", text) for text in texts]


def test_the_whole_letter_is_in_the_pdf_word_for_word_in_order(pages, content):
    expected = (["Núcleo de Organizaciones de la Sociedad Civil", "19 de septiembre de 2017",
                 "Comité Directivo de la Alianza por el Gobierno Abierto",
                 "Estimado Comité Directivo de la Alianza por el Gobierno Abierto"]
                + body_texts(content)
                + ["Atentamente,", "Núcleo de Organizaciones de la Sociedad Civil"])
    found = words(body_text(pages))
    assert found == words(" ".join(expected))


def test_ocr_errors_are_corrected(pages):
    text = " ".join(page.body + " " + page.small for page in pages)
    for right in ("Peña Nieto", "Secretaría de la Función Pública", "llegó a la unánime",
                  "Núcleo sobre la demora", "Vigilancia Ilegal Digital", "está siendo revisada"):
        assert normalize(right) in text
    for wrong in ("Penfa", "Funcién", "llegd", "Ntcleo", "goo.ql", "goo.al", "https:/g",
                  "tergeted", " ece "):
        assert wrong not in text


def test_three_footnotes_with_their_urls(pages):
    small = " ".join(page.small for page in pages)
    for url in ("https://goo.gl/QW3bQa", "https://goo.gl/z4reBU", "https://nyt.ms/2sGmhJ0",
                "https://r3d.mx/gobiernoespia",
                "https://citizenlab.ca/category/research/targetedthreats"):
        assert url in small.replace("https:// ", "https://")
    markers = re.findall(r"(?<![\w/])(\d)\. Ver", small)
    assert markers == ["1", "2", "3"]


@pytest.mark.parametrize(("context", "note_start"), [
    ("participantes en el 3PNA.", "1. Ver el reporte informe técnico de CitizenLab"),
    ("Juan Pardinas.", "2. Ver el informe"),
    ("independientes de caso Ayotzinapa.", "3. Ver https://citizenlab.ca"),
])
def test_each_footnote_is_at_the_bottom_of_the_page_that_cites_it(pages, context, note_start):
    citing = [number for number, page in enumerate(pages) if normalize(context) in page.body]
    noting = [number for number, page in enumerate(pages) if normalize(note_start) in page.small]
    assert len(citing) == 1
    assert citing == noting


# Where the English PDF shows each call (by the words before it) and each note.
ENGLISH_NOTES = {"citizenlab-carta-stt": ("participating in the 3PNA.", "1. See"),
                 "nyt-gobierno-espia": ("Steering Committee, Juan Pardinas.", "2. See"),
                 "citizenlab-targeted-threats": ("Ayotzinapa case.", "3. See")}


def note_placements(pdf: Path) -> dict[str, tuple[int, int]]:
    """Each English note's (page of its call, page of its text), read from the PDF."""
    pages = read_pages(pdf)
    return {ident: (next(n for n, page in enumerate(pages, 1) if normalize(context) in page.body),
                    next(n for n, page in enumerate(pages, 1) if note in page.small))
            for ident, (context, note) in ENGLISH_NOTES.items()}


def test_english_footnotes_are_on_the_pages_that_cite_them(built):
    # WeasyPrint alone printed notes 1 and 2 on page 2, to fit the second line of a paragraph
    # at the foot of page 1; carta lays the page out again so that each stays with its call.
    placements = note_placements(built / f"{SEED_ID}.en.pdf")
    assert all(cited == printed for cited, printed in placements.values()), placements


def test_misplaced_footnotes_are_reported_exactly(tmp_path, monkeypatch):
    # With no repair allowed, the English letter keeps WeasyPrint's own placement: each note
    # printed a page late is reported, with both pages, and no other (tests/test_layout.py
    # has a letter that WeasyPrint always misplaces).
    monkeypatch.setattr("generator.outputs.pdf_layout.MAX_REPAIR_RENDERS", 0)
    result = CliRunner().invoke(cli, ["--project", str(REPO), "build", "--locale", "en",
                                      "--format", "pdf", "--jobs", "1", "--out", str(tmp_path)])
    assert result.exit_code == 0, result.output
    placements = note_placements(tmp_path / SEED_ID / f"{SEED_ID}.en.pdf")
    misplaced = {(ident, cited, printed) for ident, (cited, printed) in placements.items()
                 if cited != printed}
    warned = set()
    for line in result.stderr.splitlines():
        if match := re.search(r"footnote (\S+) is cited on page (\d+) but printed at the "
                              r"foot of page (\d+)", line):
            warned.add((match[1], int(match[2]), int(match[3])))
    assert warned == misplaced


def pdftotext(pdf: Path) -> str:
    return subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True,
                          check=True).stdout


def pypdf_text(pdf: Path) -> str:
    return "\n".join(page.extract_text() for page in pypdf.PdfReader(pdf).pages)


def source_urls() -> list[str]:
    urls = re.findall(r"https?://[^\s)\]>\"']+", SEED_FILE.read_text(encoding="utf-8"))
    return sorted({url.rstrip(".,;:") for url in urls})


@pytest.mark.parametrize("extract", [pdftotext, pypdf_text])
@pytest.mark.parametrize("locale", ["es", "en"])
def test_urls_copy_from_the_pdf_character_for_character(built, locale, extract):
    # A reader copies an address from the PDF: every hyphen must be the hyphen-minus typed,
    # never U+2010, and a line break inside an address adds no hyphen.
    text = re.sub(r"\s+", "", extract(built / f"{SEED_ID}.{locale}.pdf"))
    urls = source_urls()
    assert "https://citizenlab.ca/category/research/targeted-threats" in urls
    for url in urls:
        assert url in text, url


@pytest.mark.parametrize("extract", [pdftotext, pypdf_text])
@pytest.mark.parametrize("locale", ["es", "en"])
def test_hyphenated_words_copy_whole(built, locale, extract):
    # A hyphen that hyphenation added is a soft hyphen in the text layer: dropping it (and the
    # line break after it) gives the word as written; typed hyphens stay hyphen-minus.
    text = extract(built / f"{SEED_ID}.{locale}.pdf")
    assert "\u2010" not in text
    html = (built / f"{SEED_ID}.{locale}.html").read_text(encoding="utf-8")
    written = set(re.findall(r"\w+", re.sub(r"<[^>]+>", " ", html)))
    broken = re.findall(r"(\w+)\u00ad\s*(\w+)", text)
    assert broken, "no hyphenated line in the seed: test another letter"
    for head, tail in broken:
        assert head + tail in written, (head, tail)
    assert "co-creation" in text or "co-creación" in text


@pytest.mark.parametrize("locale", ["es", "en"])
def test_hyphenation_never_runs_more_than_two_lines(locale):
    project = load_project(REPO)
    job = next(job for job in plan(project, locales=(locale,)).jobs if job.locale == locale)
    maker = PdfMaker((project.content, project.templates, builtin_templates()))
    lines = text_lines(maker.layout(DocumentMaker(project, strict=True).html(job),
                                    job.letter.source.parent))
    runs, longest = {}, 0  # hyphenated lines in a row, per paragraph (which pages may split)
    for line in lines:
        run = runs[id(line.block)] = runs.get(id(line.block), 0) + 1 if line.auto_hyphen else 0
        longest = max(longest, run)
    assert any(line.auto_hyphen for line in lines)
    assert longest <= 2


def test_pages_are_numbered_in_spanish(pages):
    # Page 1 is the letter's own; from page 2 the continuation line names the recipient, the
    # date and the page, in Spanish.
    assert "Página" not in pages[0].small
    for number, page in enumerate(pages[1:], start=2):
        assert page.small.endswith("Comité Directivo de la Alianza por el Gobierno Abierto, "
                                     f"19 de septiembre de 2017 Página {number} de {len(pages)}")


def test_page_count_and_paper(built):
    reader = pypdf.PdfReader(built / f"{SEED_ID}.es.pdf")
    assert len(reader.pages) == 3
    width, height = reader.pages[0].mediabox.width, reader.pages[0].mediabox.height
    assert (round(float(width)), round(float(height))) == (595, 842)  # A4 in points


def test_metadata_language_tags_and_bookmarks(built):
    reader = pypdf.PdfReader(built / f"{SEED_ID}.es.pdf")
    info = reader.metadata
    assert info.title == ("Núcleo de Organizaciones de la Sociedad Civil — Comité Directivo de "
                          "la Alianza por el Gobierno Abierto — 19 de septiembre de 2017")
    assert info.author == "Núcleo de Organizaciones de la Sociedad Civil"
    assert info["/CreationDate"].startswith("D:20170919")
    root = reader.trailer["/Root"]
    assert root["/Lang"] == "es-MX"  # carta.toml: regions = { es = "MX" } (issue 24, defect 6)
    assert bool(root["/MarkInfo"]["/Marked"])
    assert "/StructTreeRoot" in root
    assert [item.title for item in reader.outline] == [
        "Actualización de la Vigilancia Ilegal Digital",
        "Actualización sobre la Implementación del Tercer Plan de Acción"]


def test_fonts_are_embedded_from_the_font_packages(built):
    reader = pypdf.PdfReader(built / f"{SEED_ID}.es.pdf")
    names = set()
    for page in reader.pages:
        for font in page["/Resources"]["/Font"].values():
            names.add(str(font.get_object()["/BaseFont"]).split("+", 1)[-1])
    assert names == {"Source-Serif-Pro", "Source-Serif-Pro-Semi-Bold", "Source-Sans-Pro",
                     "Source-Sans-Pro-Semi-Bold"}


@pytest.mark.parametrize("locale", ["es", "en"])
def test_html_matches_the_expected_file(built, locale):
    expected = REPO / "tests" / "expected" / f"{SEED_ID}.{locale}.html"
    produced = (built / f"{SEED_ID}.{locale}.html").read_text(encoding="utf-8")
    assert produced == expected.read_text(encoding="utf-8"), (
        "the HTML changed; if the change is intended, run: python tests/regenerate_expected.py")


def test_html_has_language_and_linked_notes(built):
    html = (built / f"{SEED_ID}.es.html").read_text(encoding="utf-8")
    assert '<html lang="es-MX">' in html  # carta.toml: regions = { es = "MX" }
    for label in ("citizenlab-carta-stt", "nyt-gobierno-espia", "citizenlab-targeted-threats"):
        assert f'href="#note-{label}"' in html
        assert f'<li id="note-{label}">' in html
    assert '<a href="https://goo.gl/QW3bQa">https://goo.gl/QW3bQa</a>' in html
