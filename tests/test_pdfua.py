"""PDF/UA-1 structure (generator/outputs/pdfua.py): what a screen reader gets from carta's PDFs.

The structure tree is read here on its own terms (elements, marked content, the text each
marked-content id draws), not through the module under test.
"""

from __future__ import annotations

import io
import re
import shutil
from dataclasses import dataclass, field

import pikepdf
import pytest
import yaml
from click.testing import CliRunner
from conftest import REPO, SEED_ID, SampleProject

from generator.app.cli import cli
from generator.core.project import load_project
from generator.outputs.pdfua import _runs_on, make_accessible
from generator.outputs.pdfua_check import problems
from generator.pipeline.run import build

# A reader of the tree --------------------------------------------------------------------


@dataclass(eq=False)
class Element:
    s: str
    obj: pikepdf.Dictionary
    kids: list = field(default_factory=list)  # Element, or (page, mcid)
    parent: Element | None = None

    def walk(self):
        yield self
        for kid in self.kids:
            if isinstance(kid, Element):
                yield from kid.walk()

    def elements(self, kind: str) -> list[Element]:
        return [element for element in self.walk() if element.s == kind]

    def children(self) -> list[Element]:
        return [kid for kid in self.kids if isinstance(kid, Element)]

    def marked(self) -> list[tuple[int, int]]:
        found = []
        for kid in self.kids:
            found += kid.marked() if isinstance(kid, Element) else [kid]
        return found


class Tagged:
    """A PDF's structure tree, with the text of each element."""

    def __init__(self, data: bytes):
        self.data = data
        self.pdf = pikepdf.open(io.BytesIO(data))
        self.page_of = {page.obj.objgen: index for index, page in enumerate(self.pdf.pages)}
        self.texts, self.artifacts = [], []
        for page in self.pdf.pages:
            texts, artifacts = _page_text(page)
            self.texts.append(texts)
            self.artifacts.append(artifacts)
        root = self.pdf.Root.StructTreeRoot.K
        self.document = self._read(root[0] if isinstance(root, pikepdf.Array) else root, None,
                                   None)
        with self.pdf.open_metadata() as xmp:
            self.xmp = {key: xmp.get(key) for key in
                        ("pdfuaid:part", "pdfaid:part", "dc:language", "dc:title")}
        self.raw_xmp = self.pdf.Root.Metadata.read_bytes().decode("utf-8")

    def _read(self, obj, parent, page):
        if "/Pg" in obj:
            page = self.page_of[obj.Pg.objgen]
        element = Element(str(obj.S)[1:], obj, parent=parent)
        kids = obj.get("/K", pikepdf.Array())
        for kid in kids if isinstance(kids, pikepdf.Array) else [kids]:
            if isinstance(kid, int):
                element.kids.append((page, kid))
            elif kid.get("/Type") == "/MCR":
                element.kids.append((self.page_of[kid.Pg.objgen], int(kid.MCID)))
            elif "/S" in kid:
                element.kids.append(self._read(kid, element, page))
        return element

    def text(self, element: Element) -> str:
        return "".join(self.texts[page].get(mcid, "") for page, mcid in element.marked())

    def prose(self, element: Element) -> str:
        """The text without the note calls and notes in it."""
        return "".join(self.prose(kid) if isinstance(kid, Element)
                       and kid.s not in ("Reference", "Note")
                       else "" if isinstance(kid, Element)
                       else self.texts[kid[0]].get(kid[1], "") for kid in element.kids)

    def squeezed(self, element: Element) -> str:
        return re.sub(r"[\s\u2010\u00ad-]+", "", self.text(element))

    def annotations(self, uri: str) -> list[tuple[int, pikepdf.Dictionary]]:
        return [(index, annot) for index, page in enumerate(self.pdf.pages)
                for annot in page.get("/Annots", [])
                if annot.get("/A") is not None and str(annot.A.get("/URI", "")) == uri]


def _page_text(page) -> tuple[dict[int, str], list[str]]:
    """The text each MCID draws on a page, and the text drawn as artifacts."""
    fonts = {}
    for name, font in page.Resources.get("/Font", {}).items():
        cmap = {}
        data = font.ToUnicode.read_bytes()
        for block in re.findall(rb"beginbfchar(.*?)endbfchar", data, re.S):
            for source, target in re.findall(rb"<([0-9a-f]+)>\s*<([0-9a-f]+)>", block, re.I):
                cmap[int(source, 16)] = bytes.fromhex(target.decode()).decode("utf-16-be")
        fonts[name] = cmap
    texts: dict[int, str] = {}
    artifacts: list[str] = []
    marks: list = []
    font: dict = {}
    for operands, operator in pikepdf.parse_content_stream(page):
        op = str(operator)
        if op in ("BDC", "BMC"):
            props = operands[1] if op == "BDC" else None
            if str(operands[0]) == "/Artifact":
                marks.append("artifact")
            elif isinstance(props, pikepdf.Dictionary) and "/MCID" in props:
                marks.append(int(props.MCID))
            else:
                marks.append(marks[-1] if marks else None)
        elif op == "EMC":
            marks.pop()
        elif op == "Tf":
            font = fonts[str(operands[0])]
        elif op in ("Tj", "TJ"):
            strings = operands[0] if op == "TJ" else [operands[0]]
            text = "".join(font.get(int.from_bytes(bytes(s)[i:i + 2], "big"), "")
                           for s in strings if isinstance(s, pikepdf.String)
                           for i in range(0, len(bytes(s)), 2))
            if marks and marks[-1] == "artifact":
                artifacts.append(text)
            elif marks and isinstance(marks[-1], int):
                texts[marks[-1]] = texts.get(marks[-1], "") + text
            else:
                raise AssertionError(f"untagged text {text!r}")
    return texts, artifacts


def squeeze(text: str) -> str:
    return re.sub(r"[\s\u2010\u00ad-]+", "", text)


# What every carta PDF must be ------------------------------------------------------------

# The language tags of the seed's PDFs: carta.toml's regions = { es = "MX", en = "US" }.
SEED_TAGS = {"es": "es-MX", "en": "en-US"}


def assert_pdf_ua(tagged: Tagged, lang: str) -> None:
    """The checks every PDF passes, whatever the letter."""
    assert problems(tagged.pdf) == []
    assert tagged.xmp["pdfuaid:part"] == "1"
    assert lang in tagged.xmp["dc:language"]
    document = tagged.document
    assert document.s == "Document"
    # One heading structure: H1 first, never a level skipped.
    levels = [int(element.s[1]) for element in document.walk() if re.fullmatch(r"H\d", element.s)]
    assert levels[0] == 1
    assert all(after <= before + 1 for before, after in zip(levels, levels[1:], strict=False))
    # Footnote areas are gone from the document's top level: notes are in the text.
    assert not [kid for kid in document.children() if kid.s == "NonStruct"
                and any(element.s == "Note" for element in kid.walk())]
    # Page numbers (from page 2, in the continuation line) are artifacts, not text in the tree.
    for page, artifacts in enumerate(tagged.artifacts, start=1):
        assert page == 1 or any(str(page) in text for text in artifacts), artifacts
    tree_text = " ".join(tagged.text(kid) for kid in document.children())
    assert not re.search(r"(Página|Page) \d+ (de|of) \d+", tree_text)
    # Lists: L > LI > Lbl, LBody.
    for item in document.elements("LI"):
        assert item.parent.s == "L"
        assert {kid.s for kid in item.children()} <= {"Lbl", "LBody"}
    # Each Note has an ID, and a Reference points to it.
    notes = document.elements("Note")
    assert len({str(note.obj.ID) for note in notes}) == len(notes)
    referenced = {ref.objgen for element in document.elements("Reference")
                  for ref in element.obj.Ref}
    assert {note.obj.objgen for note in notes} <= referenced


def note_follows_its_block(tagged: Tagged, note: Element) -> Element:
    """The block a note is read after (or inside, for a list item), and that it cites it."""
    parent = note.parent
    if parent.s == "LBody":
        block = parent
    else:
        siblings = parent.children()
        index = siblings.index(note)
        while siblings[index - 1].s == "Note":  # notes cited by one paragraph, in order
            index -= 1
        block = siblings[index - 1]
    calls = [element for element in block.elements("Reference")
             if note.obj.objgen in {ref.objgen for ref in element.obj.Ref}]
    assert calls, f"{tagged.text(note)!r} is not read after the block citing it"
    return block


# The repository's letter -----------------------------------------------------------------

@pytest.fixture(scope="module")
def seed(tmp_path_factory) -> dict[str, Tagged]:
    out = tmp_path_factory.mktemp("output")
    build(load_project(REPO), output=out, formats=("pdf",))
    return {locale: Tagged((out / SEED_ID / f"{SEED_ID}.{locale}.pdf").read_bytes())
            for locale in ("es", "en")}


@pytest.fixture(scope="module")
def seed_content() -> dict:
    return yaml.safe_load((REPO / "content/letters" / f"{SEED_ID}.yaml").read_text("utf-8"))


@pytest.mark.parametrize("locale", ["es", "en"])
def test_the_seed_letter_is_pdf_ua(seed, locale):
    # The seed's carta.toml gives each language its region (issue 24, defect 6).
    assert_pdf_ua(seed[locale], SEED_TAGS[locale])


@pytest.mark.parametrize("locale", ["es", "en"])
def test_the_seed_letter_has_one_h1_the_sender_then_its_sections(seed, seed_content, locale):
    tagged = seed[locale]
    (h1,) = tagged.document.elements("H1")
    assert tagged.text(h1) == "Núcleo de Organizaciones de la Sociedad Civil"
    assert len(tagged.document.elements("H2")) == sum("heading" in b for b in seed_content["body"])


@pytest.mark.parametrize("locale", ["es", "en"])
def test_each_paragraph_is_one_p_even_across_pages(seed, seed_content, locale):
    tagged = seed[locale]
    (main,) = [kid for kid in tagged.document.children() if kid.s == "Part"]
    paragraphs = [kid for kid in main.children() if kid.s == "P"]
    # The dateline, the salutation, and each paragraph of the body: no more, no fewer.
    assert len(paragraphs) == 2 + sum("paragraph" in block for block in seed_content["body"])
    for paragraph in paragraphs[2:]:
        assert re.search(r"[.:]$", tagged.prose(paragraph).strip()), tagged.text(paragraph)


@pytest.mark.parametrize("locale", ["es", "en"])
def test_the_seed_notes_are_read_after_the_paragraphs_that_cite_them(seed, seed_content,
                                                                      locale):
    tagged = seed[locale]
    notes = tagged.document.elements("Note")
    assert len(notes) == len(seed_content["references"])
    for note in notes:
        block = note_follows_its_block(tagged, note)
        # After the block, never inside a sentence: the block ends before the note starts.
        assert re.search(r"[.:;]$", tagged.prose(block).rstrip()), tagged.prose(block)
    # The paragraph that WeasyPrint's tree cut with the notes of page 1 reads on.
    text = squeeze(" ".join(tagged.text(kid) for kid in tagged.document.children()))
    assert squeeze({"es": "responsabilidad y tres días después",
                    "en": "denied any responsibility, and three days later"}[locale]) in text


def test_a_url_that_wraps_is_one_link_with_one_annotation(seed):
    tagged = seed["es"]
    annotations = tagged.annotations("https://goo.gl/z4reBU")
    assert len(annotations) == 1  # one annotation (however many lines it takes)
    _, annotation = annotations[0]
    # In the 70-character column it fits one line: the quad a line of a wrapped link is
    # tested with a longer address (test_a_long_url_in_a_note_is_one_link...).
    assert len(annotation.get("/QuadPoints", [0] * 8)) % 8 == 0
    links = [link for link in tagged.document.elements("Link")
             if any(isinstance(kid, pikepdf.Dictionary) and kid.get("/Type") == "/OBJR"
                    and kid.Obj.objgen == annotation.objgen for kid in link.obj.K)]
    assert len(links) == 1 and squeeze(tagged.text(links[0])) == "https://goo.gl/z4reBU"


def test_the_pdfua_package_finds_nothing(seed, tmp_path):
    pdfua = pytest.importorskip("pdfua")
    for locale, tagged in seed.items():
        path = tmp_path / f"{locale}.pdf"
        path.write_bytes(tagged.data)
        report = pdfua.validate(str(path))
        assert [(finding.rule_id, finding.message) for finding in report.findings] == []


# A letter with every kind of block -------------------------------------------------------

SENTENCE = ("La organización solicitó información pública sobre los contratos del programa "
            "y no obtuvo respuesta en el plazo que fija la ley. ")
LONG_URL = ("https://example.org/informes/2024/contratacion-publica/anexos/tabla-de-contratos-"
            "de-obra-publica-con-todos-los-anexos-y-versiones-publicas-completas-en-formato-"
            "abierto.csv")
LETTER = f"""\
id: carta-prueba
date: 2024-03-01
language: es
sender: coalicion-ejemplo
recipients: [organismo-ejemplo]
subject: Solicitud de acceso a la información pública
body:
  - paragraph: "Primer párrafo con una nota.[^nota-a] {SENTENCE * 2}"
  - heading: Antecedentes
  - paragraph: "{SENTENCE * 9}Cerramos la sección.[^nota-c]"
  - paragraph: "{SENTENCE * 9}Y otra vez la primera nota.[^nota-a]"
  - grievances:
      - id: agravio-a
        text: la falta de respuesta;
      - id: agravio-b
        text: la ausencia de un calendario.
  - heading: Peticiones
  - paragraph: "{SENTENCE * 3}Pedimos:"
  - demands:
{"".join(f'''      - id: demanda-{n}
        text: "Que se publique el contrato número {n} con todos sus anexos y versiones."
''' for n in range(1, 26))}      - id: demanda-nota
        text: Que se responda por escrito.[^nota-b]
references:
  - id: nota-a
    text: "Ver {LONG_URL}"
  - id: nota-b
    text: Nota ficticia B.
  - id: nota-c
    text: Nota ficticia C.
"""


@pytest.fixture(scope="module")
def letter(tmp_path_factory) -> Tagged:
    sample = SampleProject(tmp_path_factory.mktemp("letter") / "project")
    sample.write("content/letters/carta-prueba.yaml", LETTER)
    build(load_project(sample.root), output=sample.root / "out", formats=("pdf",))
    return Tagged((sample.root / "out/carta-prueba/carta-prueba.es.pdf").read_bytes())


def test_a_letter_with_every_block_is_pdf_ua(letter):
    assert_pdf_ua(letter, "es-ES")  # "es" without a region: CLDR's likely one
    assert len(letter.pdf.pages) >= 3  # the joins below need page breaks


def test_the_subject_is_the_h1_when_there_is_no_headline(letter):
    (h1,) = letter.document.elements("H1")
    assert letter.text(h1).endswith("Solicitud de acceso a la información pública")
    assert [letter.text(h2) for h2 in letter.document.elements("H2")] == [
        "Antecedentes", "Peticiones"]


def test_paragraphs_across_pages_are_one_p_each(letter):
    (main,) = [kid for kid in letter.document.children() if kid.s == "Part"]
    paragraphs = [kid for kid in main.children() if kid.s == "P"]
    # The dateline, the salutation and the four paragraphs (the subject is the H1).
    assert len(paragraphs) == 6
    assert any(len({page for page, _ in p.marked()}) > 1 for p in paragraphs), \
        "no paragraph crosses a page: this test no longer tests the joining"
    for paragraph in paragraphs[2:]:
        assert re.search(r"[.:]$", letter.prose(paragraph).strip()), letter.text(paragraph)


def test_a_list_across_pages_is_one_list_with_labels_and_bodies(letter):
    lists = letter.document.elements("L")
    assert [len(item.children()) for item in lists] == [2, 26]
    demands = lists[1]
    assert len({page for page, _ in demands.marked()}) > 1, "the list no longer crosses a page"
    labels = [letter.text(item.children()[0]).strip() for item in demands.children()]
    assert labels == [f"{n}." for n in range(1, 27)]
    assert all([kid.s for kid in item.children()] == ["Lbl", "LBody"]
               for item in demands.children())


def test_notes_follow_their_blocks_and_calls_refer_to_them(letter):
    notes = letter.document.elements("Note")
    texts = [squeeze(letter.text(note)) for note in notes]
    assert texts == [squeeze(f"1. Ver {LONG_URL}"), "2.NotaficticiaC.", "3.NotaficticiaB."]
    blocks = [note_follows_its_block(letter, note) for note in notes]
    assert [block.s for block in blocks] == ["P", "P", "LBody"]
    assert letter.text(blocks[0]).startswith("Primer párrafo")
    assert letter.prose(blocks[1]).rstrip().endswith("Cerramos la sección.")
    assert notes[2].parent.children()[-1] is notes[2]  # at the end of its item
    # The repeated call of note 1 is a Reference to it too.
    to_first = [element for element in letter.document.elements("Reference")
                if notes[0].obj.objgen in {ref.objgen for ref in element.obj.Ref}]
    assert len(to_first) == 2


def test_a_long_url_in_a_note_is_one_link_and_one_annotation_per_page(letter):
    annotations = letter.annotations(LONG_URL)
    assert len({page for page, _ in annotations}) == len(annotations) == 1
    _, annotation = annotations[0]
    assert len(annotation.QuadPoints) >= 16  # the URL wraps: a quad per line
    (link,) = [element for element in letter.document.elements("Link")
               if squeeze(letter.text(element)) == squeeze(LONG_URL)]
    assert link.parent.s == "Note"


def test_a_draft_watermark_is_an_artifact(tmp_path):
    sample = SampleProject(tmp_path / "project")
    sample.write("content/letters/carta-prueba.yaml", LETTER.replace(
        "Pedimos:", "Pedimos: [[TODO: qué pedimos]]"))
    build(load_project(sample.root), output=tmp_path / "out", formats=("pdf",), drafts=True)
    tagged = Tagged((tmp_path / "out/carta-prueba/carta-prueba.es.pdf").read_bytes())
    assert_pdf_ua(tagged, "es-ES")
    for artifacts in tagged.artifacts:
        assert "BORRADOR" in artifacts
    assert "BORRADOR" not in " ".join(tagged.text(kid) for kid in tagged.document.children())
    assert b"/Watermark" in b"".join(page.Contents.read_bytes() for page in tagged.pdf.pages)


# Combined documents, archives, and what is not claimed -----------------------------------

def test_each_version_of_a_combined_document_is_one_article_in_its_language(seed_copy):
    letter = seed_copy / "content/letters" / f"{SEED_ID}.yaml"
    letter.write_text(letter.read_text("utf-8").replace(
        "language: es\n", "language: es\ncombine: [es, en]\n"), "utf-8")
    build(load_project(seed_copy), output=seed_copy / "out", formats=("pdf",))
    tagged = Tagged((seed_copy / "out" / SEED_ID / f"{SEED_ID}.es+en.pdf").read_bytes())
    assert_pdf_ua(tagged, "es-MX")
    assert tagged.xmp["dc:language"] == {"es-MX", "en-US"}
    # Inside the document's one <main> (a Part), each version one Art.
    main = [kid for kid in tagged.document.children() if kid.s == "Part"]
    articles = [kid for kid in (main[0] if main else tagged.document).children()
                if kid.s == "Art"]
    assert [str(article.obj.Lang) for article in articles] == ["es-MX", "en-US"]
    assert all(len({page for page, _ in article.marked()}) > 1 for article in articles)


def test_archived_pdfs_claim_pdf_a_and_pdf_ua_and_still_verify(seed_copy):
    runner = CliRunner()
    result = runner.invoke(cli, ["--project", str(seed_copy), "archive"])
    assert result.exit_code == 0, result.output
    folder = seed_copy / "output/archive" / SEED_ID
    for locale in ("es", "en"):
        tagged = Tagged((folder / f"{SEED_ID}.{locale}.pdf").read_bytes())
        assert_pdf_ua(tagged, SEED_TAGS[locale])
        assert tagged.xmp["pdfaid:part"] == "3"
        # PDF/A accepts pdfuaid only with its extension schema.
        assert "<pdfaSchema:prefix>pdfuaid</pdfaSchema:prefix>" in tagged.raw_xmp
        files = [spec.objgen for spec in tagged.pdf.Root.AF]
        assert len(files) == len(set(files)) == (1 if locale == "es" else 2)
    verified = runner.invoke(cli, ["--project", str(seed_copy), "verify"])
    assert verified.exit_code == 0, verified.output
    first = {path.name: path.read_bytes() for path in folder.iterdir()}
    shutil.rmtree(seed_copy / "output")
    assert runner.invoke(cli, ["--project", str(seed_copy), "archive"]).exit_code == 0
    assert {path.name: path.read_bytes() for path in folder.iterdir()} == first


def test_nothing_is_claimed_when_a_check_fails():
    import weasyprint

    # No <title>: PDF/UA needs one, and nothing here can invent it.
    raw = weasyprint.HTML(string='<html lang="es"><body><h1>Hola</h1><p>Texto.</p></body>'
                          "</html>").write_pdf(pdf_tags=True)
    result = make_accessible(raw)
    with pikepdf.open(io.BytesIO(result)) as pdf:
        assert problems(pdf) == ["the PDF has no title"]
        with pdf.open_metadata() as xmp:
            assert xmp.get("pdfuaid:part") is None
            assert xmp.get("dc:language") == {"es"}


def test_weasyprints_own_tree_fails_the_checks_and_the_result_passes():
    import weasyprint

    html = ('<html lang="en"><head><title>T</title><style>@page { @bottom-right { content: '
            'counter(page) } }</style></head><body><h2>Section</h2><p>Text.</p></body></html>')
    raw = weasyprint.HTML(string=html).write_pdf(pdf_tags=True)
    with pikepdf.open(io.BytesIO(raw)) as pdf:
        found = problems(pdf)
    assert "the first heading is H2, not H1" in found
    assert any("is in no element and is no artifact" in problem for problem in found)
    fixed = make_accessible(raw)
    assert make_accessible(raw) == fixed  # reproducible bytes
    with pikepdf.open(io.BytesIO(fixed)) as pdf:
        assert problems(pdf) == []


@pytest.mark.parametrize(("before", "after", "joined"), [
    ("negó cualquier responsabilidad y", "tres días después", True),
    ("el Presidente minimizó los impac\u00ad", "tos de la vigilancia", True),
    ("el Presidente minimizó los impac\u2010", "tos de la vigilancia", True),
    ("se retractó el 23 de junio.", "Al día de hoy", False),
    ("lo siguiente:", "que se excuse", False),
    ("véase https://example.org", "Otra frase", False),
])
def test_a_paragraph_runs_on_across_a_page_only_when_its_text_does(before, after, joined):
    assert _runs_on(before, after) is joined


def test_the_pdfua_package_is_honest_about_what_it_checks():
    pdfua = pytest.importorskip("pdfua")
    assert pdfua.coverage().summary().startswith("16 of 106")


def test_make_accessible_leaves_an_untagged_pdf_alone():
    import weasyprint

    raw = weasyprint.HTML(string="<p>x</p>").write_pdf()
    assert make_accessible(raw) == raw
