"""PDF/UA in one pass (outputs/pdfua.py): each content stream parsed once, checked as rewritten."""

from __future__ import annotations

import io

import pikepdf
import pytest
from conftest import SampleProject

from generator.core.project import load_project
from generator.outputs import pdf as pdf_module
from generator.outputs import pdfua, pdfua_content
from generator.outputs.pdfua_check import problems
from generator.pipeline.run import build

LONG = "La Organización Ejemplo A sostiene que la información debe publicarse completa. " * 40


@pytest.fixture(scope="module")
def raw_pdfs(tmp_path_factory) -> list[bytes]:
    """WeasyPrint's own tagged PDFs of a draft (a watermark set at an angle, page numbers) that
    runs over pages, caught before carta restructures them."""
    sample = SampleProject(tmp_path_factory.mktemp("one-pass") / "project")
    sample.replace("content/letters/carta-prueba.yaml",
                   "paragraph: Primer párrafo de la Organización Ejemplo A.[^nota-a]",
                   f'paragraph: "{LONG} [[TODO: revisar]] Primer párrafo.[^nota-a]"')
    caught = []
    original = pdf_module.make_accessible

    def catch(data, **options):
        caught.append(data)
        return original(data, **options)

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(pdf_module, "make_accessible", catch)
        build(load_project(sample.root), formats=("pdf",), drafts=True, force=True)
    assert caught
    return caught


def test_each_content_stream_is_parsed_once(raw_pdfs, monkeypatch):
    parsed = []
    original = pdfua_content.Page.parse.__func__

    def counting(cls, index, page):
        parsed.append(index)
        return original(cls, index, page)

    monkeypatch.setattr(pdfua_content.Page, "parse", classmethod(counting))
    for data in raw_pdfs:
        parsed.clear()
        result = pdfua.make_accessible(data)
        with pikepdf.open(io.BytesIO(result)) as document:
            assert sorted(parsed) == list(range(len(document.pages)))


def test_the_pages_as_rewritten_are_what_a_fresh_parse_finds(raw_pdfs):
    for data in raw_pdfs:
        with pikepdf.open(io.BytesIO(data)) as document:
            restructured = pdfua._Restructure(document, ())
            restructured.run()
            assert any(page.to_artifact for page in restructured.pages)  # something changed
            assert any(page.rotated for page in restructured.pages)  # the watermark
            assert len(restructured.pages) > 1
            out = io.BytesIO()
            document.save(out)
            one_pass = problems(document, restructured.pages)
        with pikepdf.open(io.BytesIO(out.getvalue())) as saved:
            fresh = [pdfua_content.Page.parse(index, page)
                     for index, page in enumerate(saved.pages)]
            for kept, again in zip(restructured.pages, fresh, strict=True):
                assert kept.marked() == again.mcids
                assert kept.rotated - kept.to_artifact.keys() == again.rotated
                assert kept.unmarked == again.unmarked
            assert one_pass == problems(saved) == []
