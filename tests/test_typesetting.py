"""What a typesetter checks on the page: links a reader can click where they are printed, and
a combined document's signatory list in each of its languages (issue 24, defects 1 and 2)."""

from __future__ import annotations

import collections
import ctypes
import html.parser
import io
import re
import subprocess

import pypdf
import pypdfium2
import pypdfium2.raw as pdfium
import pytest
from conftest import REPO, SEED_ID, SampleProject
from test_blocks import run

from generator.core.project import load_project
from generator.pipeline.run import build

URL = re.compile(r"https?://[^\s)\]]+")

# Links -----------------------------------------------------------------------------------

LONG_URL = ("https://example.org/informes/2024/contratacion-publica/anexos/tabla-de-contratos-"
            "de-obra-publica-con-todos-los-anexos-y-versiones-publicas-completas.csv")
REPORT = ("[el informe anual de la Organización Ejemplo A sobre la contratación de obra pública en "
          "el municipio](https://example.org/informe-{n})")
NOTICE = "[el aviso](https://example.org/aviso-{n})"
# Links that wrap, each beside a short link on one of its lines: a wrapped link's Rect spans
# whole lines, and must not swallow its neighbours. (Two wrapped links that share a line are
# beyond a Rect: on that line PDFium opens the one on top.) Named links are printed with their
# address after them (`links: url-after`, the default), which WeasyPrint tags as a second link.
LINKS_LETTER = f"""\
id: carta-prueba
date: 2024-03-01
language: es
sender: coalicion-ejemplo
recipients: [organismo-ejemplo]
body:
  - paragraph: "La Organización Ejemplo A publicó {REPORT.format(n=1)} y {NOTICE.format(n=1)}."
  - paragraph: "Después publicó {NOTICE.format(n=2)} y {REPORT.format(n=2)}.[^nota-a]"
references:
  - id: nota-a
    text: "Ver https://example.org/nota-a y {LONG_URL}"
"""


def link_annotations(data: bytes) -> list[tuple[int, dict]]:
    """Every link annotation of a PDF with its page number, read by pypdf."""
    reader = pypdf.PdfReader(io.BytesIO(data))
    found = []
    for number, page in enumerate(reader.pages):
        for annotation in page.get("/Annots") or []:
            annotation = annotation.get_object()
            if annotation.get("/Subtype") == "/Link":
                found.append((number, annotation))
    return found


def uri(annotation) -> str | None:
    action = annotation.get("/A")
    return str(action.get_object()["/URI"]) if action and "/URI" in action.get_object() else None


def quads(annotation) -> list[tuple[float, float, float, float]]:
    """The quadrilaterals of an annotation as (left, bottom, right, top), or its Rect."""
    points = [float(value) for value in annotation.get("/QuadPoints", [])]
    if not points:
        return [tuple(float(value) for value in annotation["/Rect"])]
    boxes = []
    for index in range(0, len(points), 8):
        xs, ys = points[index:index + 8:2], points[index + 1:index + 8:2]
        boxes.append((min(xs), min(ys), max(xs), max(ys)))
    return boxes


def link_at(document, page, x: float, y: float) -> str | None:
    """The address PDFium, the engine of Chromium's viewer, opens on a click at (x, y) of
    `page` (a PdfPage, kept open by the caller: its handle dies with it)."""
    link = pdfium.FPDFLink_GetLinkAtPoint(page.raw, x, y)
    if not link:
        return None
    action = pdfium.FPDFLink_GetAction(link)
    size = pdfium.FPDFAction_GetURIPath(document.raw, action, None, 0)
    buffer = ctypes.create_string_buffer(size)
    pdfium.FPDFAction_GetURIPath(document.raw, action, buffer, size)
    return buffer.value.decode("utf-8")


def assert_links_live(data: bytes, expected: set[str]) -> list:
    annotations = link_annotations(data)
    # pypdf finds each address once: a link that wraps is one annotation, not one per line.
    assert collections.Counter(uri(a) for _, a in annotations) == dict.fromkeys(expected, 1)
    document = pypdfium2.PdfDocument(data)
    pages = [document[number] for number in range(len(document))]
    for page, annotation in annotations:
        left, bottom, right, top = (float(value) for value in annotation["/Rect"])
        assert left < right and bottom < top, (uri(annotation), annotation["/Rect"])
        for x1, y1, x2, y2 in quads(annotation):
            assert x1 < x2 and y1 < y2, (uri(annotation), annotation.get("/QuadPoints"))
            # pdf.js ignores every quad of an annotation if one lies outside its Rect.
            assert left - 0.01 <= x1 and x2 <= right + 0.01, uri(annotation)
            assert bottom - 0.01 <= y1 and y2 <= top + 0.01, uri(annotation)
            # A click on each piece of the printed link opens that link, not a neighbour's.
            assert link_at(document, pages[page], (x1 + x2) / 2, (y1 + y2) / 2) \
                == uri(annotation)
    return annotations


@pytest.fixture(scope="module")
def seed_pdfs(tmp_path_factory) -> dict[str, bytes]:
    out = tmp_path_factory.mktemp("seed")
    build(load_project(REPO), output=out, formats=("pdf",))
    return {locale: (out / SEED_ID / f"{SEED_ID}.{locale}.pdf").read_bytes()
            for locale in ("es", "en")}


@pytest.mark.parametrize("locale", ["es", "en"])
def test_every_link_of_the_seed_letter_can_be_clicked_where_it_is_printed(seed_pdfs, locale):
    """Defect 1: note 1's wrapped https://goo.gl/z4reBU had a zero-height Rect."""
    source = (REPO / "content/letters" / f"{SEED_ID}.yaml").read_text("utf-8")
    annotations = assert_links_live(seed_pdfs[locale], set(URL.findall(source)))
    # In the 70-character column the seed's addresses no longer wrap; a link that wraps, a
    # quad a line, is tested below with a letter made for it.
    assert all(len(quads(annotation)) >= 1 for _, annotation in annotations)


def test_links_that_wrap_beside_others_can_each_be_clicked(tmp_path):
    sample = SampleProject(tmp_path / "project")
    sample.write("content/letters/carta-prueba.yaml", LINKS_LETTER)
    build(load_project(sample.root), output=tmp_path / "out", formats=("pdf",))
    data = (tmp_path / "out/carta-prueba/carta-prueba.es.pdf").read_bytes()
    expected = {LONG_URL, "https://example.org/nota-a",
                *(f"https://example.org/{kind}-{n}" for kind in ("informe", "aviso")
                  for n in (1, 2))}
    annotations = assert_links_live(data, expected)
    wrapped = {uri(a) for _, a in annotations if len(quads(a)) > 1}
    # The note's long address wraps, and so does each long named link, beside a short one.
    assert wrapped == {LONG_URL, "https://example.org/informe-1", "https://example.org/informe-2"}


# A combined document's signatories -------------------------------------------------------

class LangText(html.parser.HTMLParser):
    """The text of an HTML page's signatory lists, by the language each piece is in."""

    def __init__(self, page_lang: str):
        super().__init__()
        self.stack: list[tuple[str, str | None]] = []
        self.inside = 0
        self.page_lang = page_lang
        self.texts: dict[str, list[str]] = collections.defaultdict(list)

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "section" and "all-signatories" in (attrs.get("class") or ""):
            self.inside = len(self.stack) + 1
        if tag not in ("img", "br", "meta", "link"):
            self.stack.append((tag, attrs.get("lang")))

    def handle_endtag(self, tag):
        if tag not in ("img", "br", "meta", "link") and self.stack:
            self.stack.pop()
            if len(self.stack) < self.inside:
                self.inside = 0

    def handle_data(self, data):
        if self.inside and data.strip():
            lang = next((lang for _, lang in reversed(self.stack) if lang), self.page_lang)
            # By language: "es-ES" and "es-MX" are both Spanish (tags carry regions).
            # A name's " /" (its no-break space and slash) separates it from the next language's.
            self.texts[lang.split("-")[0]].append(data.strip().removesuffix("\xa0/"))


def signatory_texts(page: str, page_lang: str) -> dict[str, list[str]]:
    parser = LangText(page_lang)
    parser.feed(page)
    return parser.texts


def pdf_text(path) -> str:
    return "\n".join(page.extract_text() for page in pypdf.PdfReader(path).pages)


def squeeze(text: str) -> str:
    return re.sub(r"\s+", " ", text)


def test_the_parallel_statement_lists_its_signatories_in_english_and_spanish(tmp_path):
    """Defect 2: under the Spanish version, "2 signing organizations" and English names only."""
    example = REPO / "examples/parallel-statement"
    build(load_project(example), output=tmp_path, formats=("pdf", "html"))
    folder = tmp_path / "2025-05-03-press-freedom"
    text = squeeze(pdf_text(folder / "2025-05-03-press-freedom.en+es.pdf"))
    # The list comes once, after the Spanish version, the last one.
    start = text.index("2 signing organizations")
    assert start > text.index("Declaración en el Día Mundial")
    listed = text[start:]
    for phrase in ("2 organizaciones firmantes", "Sindicato Ejemplo de Prensa", "Ejemplolandia",
                   "Colectivo de Radios Comunitarias (ficticio)", "Otrolandia",
                   # and for the English reader, beside them
                   "Example Press Union", "Exampleland", "Community Radio Collective"):
        assert listed.count(phrase) == 1, phrase
    assert text.count("Sindicato Ejemplo de Prensa") == text.count("Example Press Union") == 1
    page = (folder / "2025-05-03-press-freedom.en+es.html").read_text("utf-8")
    texts = signatory_texts(page, "en")
    assert texts["es"] == ["2 organizaciones firmantes", "Sindicato Ejemplo de Prensa",
                           "Ejemplolandia", "Colectivo de Radios Comunitarias (ficticio)",
                           "Otrolandia"]
    assert "Sindicato Ejemplo de Prensa" not in texts["en"]
    # The slash ends the name before it, on its last line: never on a line of its own, beside
    # a name that took two lines ("Community Radio Collective (fictional)").
    combined = folder / "2025-05-03-press-freedom.en+es.pdf"
    lines = subprocess.run(["pdftotext", "-layout", str(combined), "-"], capture_output=True,
                           text=True, check=True).stdout.splitlines()
    assert any(line.strip().endswith("(fictional) /") for line in lines), lines
    assert not [line for line in lines if re.search(r"\s{3}/\s*$|^\s*/", line)]


SIGNATORIES = """\
org-a:
  kind: organization
  name: {en: Example Organisation A, es: Organización Ejemplo A}
  country: {en: Exampleland, es: Ejemplolandia}
org-b:
  kind: organization
  name: Red Ejemplo B
  country: {en: Otherland, es: Otrolandia}
person-a:
  kind: individual
  name: Ana Ejemplo
  affiliation: {en: Example University, es: Universidad Ejemplo}
"""
COMBINED = """\
id: carta-prueba
date: 2024-03-01
language: en
sender: coalicion-ejemplo
title: A fictional joint statement
combine: [en, es]
salutation: false
closing: false
signer: false
body:
  - paragraph: The undersigned ask for a fictional thing.
signatories:
  layout: {layout}
  tiers:
    - title: Signing organisations
      members: [org-a, org-b]
    - title: Individuals
      members: [person-a]
"""
SPANISH = {"A fictional joint statement": "Una declaración conjunta ficticia",
           "The undersigned ask for a fictional thing.": "Quienes firman piden algo ficticio.",
           "Signing organisations": "Organizaciones firmantes",
           "Individuals": "Personas"}


def combined_letter(root, layout: str) -> SampleProject:
    sample = SampleProject(root)
    sample.write("carta.toml", '[project]\nlocales = ["en", "es"]\n')
    sample.write("content/signatories.yaml", SIGNATORIES)
    sample.write("content/letters/carta-prueba.yaml", COMBINED.format(layout=layout))
    assert run(sample.root, "i18n", "update").exit_code == 0
    path = sample.root / "content/locale/es/LC_MESSAGES/carta-prueba.po"
    text = path.read_text("utf-8")
    for source, spanish in SPANISH.items():
        text = text.replace(f'msgid "{source}"\nmsgstr ""', f'msgid "{source}"\nmsgstr "{spanish}"')
    path.write_text(text, encoding="utf-8")
    result = run(sample.root, "check")
    assert result.exit_code == 0, result.output
    return sample


@pytest.mark.parametrize("layout", ["columns", "table"])
def test_a_combined_letter_prints_each_signatory_text_in_each_language(tmp_path, layout):
    sample = combined_letter(tmp_path / "project", layout)
    result = run(sample.root, "build")
    assert result.exit_code == 0, result.output
    folder = sample.root / "output/carta-prueba"
    texts = signatory_texts((folder / "carta-prueba.en+es.html").read_text("utf-8"), "en")
    spanish = ["Organizaciones firmantes", "Organización Ejemplo A", "Ejemplolandia",
               "Otrolandia", "Personas", "1 persona firmante", "Universidad Ejemplo"]
    english = ["Signing organisations", "2 signing organizations", "Example Organisation A",
               "Exampleland", "Otherland", "Individuals", "1 person signing",
               "Example University", "Red Ejemplo B", "Ana Ejemplo"]
    if layout == "table":
        spanish += ["Nombre", "País", "Afiliación"]
        english += ["Name", "Country", "Affiliation"]
    assert set(spanish) <= set(texts["es"]), texts["es"]
    assert set(english) <= set(texts["en"]), texts["en"]
    # A name that is the same in both languages is printed once, in neither's span.
    assert "Red Ejemplo B" not in texts["es"] and "Ana Ejemplo" not in texts["es"]

    text = squeeze(pdf_text(folder / "carta-prueba.en+es.pdf"))
    start = text.index("Signing organisations")
    assert start > text.index("Quienes firman piden algo ficticio.")  # after the Spanish
    for phrase in spanish + english:
        assert phrase in text[start:], phrase
    assert text.count("Red Ejemplo B") == text.count("Organización Ejemplo A") == 1
