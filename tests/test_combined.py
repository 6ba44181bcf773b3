"""Parallel versions in one document (`combine: [es, en]`): each version in turn, in its own
language (HTML lang, PDF structure /Lang, hyphenation, page labels), bookmarked by language, with
the signatory list once at the end."""

from __future__ import annotations

import collections
import re
from pathlib import Path

import pikepdf
import pypdf
from test_blocks import run, translated_sample

SIGNATORIES = """\
org-a:
  kind: organization
  name: Organización Ejemplo A
org-b:
  kind: organization
  name: Organización Ejemplo B
"""


def combined_sample(root: Path):
    sample = translated_sample(root / "proyecto")
    sample.write("content/signatories.yaml", SIGNATORIES)
    sample.replace("content/letters/carta-prueba.yaml", "language: es",
                   "language: es\ncombine: [es, en]")
    sample.replace("content/letters/carta-prueba.yaml", "references:",
                   "signatories: [org-a, org-b]\nreferences:")
    return sample


def test_a_combined_document_holds_each_version_in_its_language(tmp_path):
    sample = combined_sample(tmp_path)
    result = run(sample.root, "build")
    assert result.exit_code == 0, result.output
    folder = sample.root / "output/carta-prueba"
    html = (folder / "carta-prueba.es+en.html").read_text("utf-8")
    assert re.findall(r'<article class="version" id="version-(\w+)" lang="([\w-]+)"', html) == \
        [("es", "es-ES"), ("en", "en-US")]
    ids = re.findall(r'\bid="([^"]+)"', html)
    assert [i for i, n in collections.Counter(ids).items() if n > 1] == []  # ids stay apart

    reader = pypdf.PdfReader(folder / "carta-prueba.es+en.pdf")
    pages = [page.extract_text() for page in reader.pages]
    assert "Primer párrafo de la Organización Ejemplo A." in pages[0]
    # Page 1 is the letter's own, unnumbered; later pages say their number (continuation line).
    assert "Página" not in pages[0] and "EN Primer párrafo" not in pages[0]
    english = next(number for number, text in enumerate(pages) if "EN Primer párrafo" in text)
    assert "Page " in pages[english] and "Dear Sir or Madam," in pages[english]
    # The signatory list once, after the last version.
    whole = "\n".join(pages)
    assert whole.count("Organización Ejemplo B") == 1
    assert whole.index("Organización Ejemplo B") > whole.index("EN Primer párrafo")

    with pikepdf.open(folder / "carta-prueba.es+en.pdf") as pdf:
        with pdf.open_outline() as outline:
            assert [item.title for item in outline.root] == ["Español", "English"]
        articles = []

        def walk(node):
            if isinstance(node, pikepdf.Array):
                for child in node:
                    walk(child)
            elif isinstance(node, pikepdf.Dictionary) and "/S" in node:
                if node.S == "/Art":
                    articles.append(str(node.get("/Lang")))
                walk(node.get("/K"))

        walk(pdf.Root.StructTreeRoot.K)
        assert articles == ["es-ES", "en-US"]  # CLDR's likely regions


def test_without_every_locale_built_there_is_no_combined_document(tmp_path):
    sample = combined_sample(tmp_path)
    result = run(sample.root, "build", "--locale", "es", "--format", "html")
    assert result.exit_code == 0, result.output
    assert "no combined es+en document: it needs every one of es, en" in result.output
    assert not (sample.root / "output/carta-prueba/carta-prueba.es+en.html").exists()


def test_combine_needs_two_locales(tmp_path):
    sample = combined_sample(tmp_path)
    sample.replace("content/letters/carta-prueba.yaml", "combine: [es, en]", "combine: [es]")
    result = run(sample.root, "check")
    assert result.exit_code == 1
    assert "combine: expected two or more locale codes, such as [en, es]" in result.output
