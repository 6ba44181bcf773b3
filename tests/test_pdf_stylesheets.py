"""A document's stylesheets parsed once per process (outputs/pdf.py), with the same effect."""

from __future__ import annotations

import io
import os

import pypdf
import pytest
import weasyprint

from generator.core.errors import BuildError
from generator.core.project import builtin_templates, load_project
from generator.outputs import pdf as pdf_module
from generator.outputs.pdf import PdfMaker, split_styles
from generator.pipeline.run import build

STYLE = "p { color: rgb(200, 0, 0); } .nota { font-size: 20pt; }"


def page(body: str, head: str = f"<style>{STYLE}</style>") -> str:
    return (f'<!DOCTYPE html><html lang="es"><head><meta charset="utf-8"><title>Carta</title>'
            f"{head}</head><body>{body}</body></html>")


@pytest.fixture
def parses(monkeypatch) -> list[str]:
    """The texts WeasyPrint's CSS() is asked to parse from a string."""
    seen: list[str] = []
    original = weasyprint.CSS

    def counting(*args, **kwargs):
        if kwargs.get("string") is not None:
            seen.append(kwargs["string"])
        return original(*args, **kwargs)

    monkeypatch.setattr(pdf_module.weasyprint, "CSS", counting)
    return seen


def test_the_heads_stylesheet_is_parsed_once_for_many_documents(tmp_path, parses):
    maker = PdfMaker((tmp_path, builtin_templates()))
    for number in range(3):
        maker.make(page(f"<p>Carta {number} de la Organización Ejemplo A.</p>"), tmp_path, "c")
    assert parses.count(STYLE) == 1


def test_a_stylesheet_from_the_head_still_styles_the_pdf(tmp_path):
    maker = PdfMaker((tmp_path, builtin_templates()))
    html = page('<p>Texto</p><p class="nota">Nota</p>')
    cached = maker.make(html, tmp_path, "c")
    again = maker.make(html, tmp_path, "c")
    plain = PdfMaker((tmp_path, builtin_templates())).make(page('<p>Texto</p><p class="nota">'
                                                                "Nota</p>", head=""),
                                                           tmp_path, "c")
    content = pypdf.PdfReader(io.BytesIO(cached)).pages[0].get_contents().get_data()
    assert b"0.784314 0 0 rg" in content  # rgb(200, 0, 0): the stylesheet reached the page
    assert content == pypdf.PdfReader(io.BytesIO(again)).pages[0].get_contents().get_data()
    assert content != pypdf.PdfReader(io.BytesIO(plain)).pages[0].get_contents().get_data()


def test_a_refused_import_fails_every_document_not_only_the_first(tmp_path):
    outside = tmp_path / "fuera"
    outside.mkdir()
    (outside / "secreto.css").write_text('p::after { content: "secreto" }', encoding="utf-8")
    inside = tmp_path / "proyecto"
    inside.mkdir()
    maker = PdfMaker((inside,))
    html = page("<p>Carta</p>", head=f'<style>@import url("{outside.as_uri()}/secreto.css");'
                                     "</style>")
    for _ in range(2):
        with pytest.raises(BuildError, match="refused to load"):
            maker.make(html, inside, "carta")


def test_only_the_heads_plain_style_elements_are_taken():
    html = page("<style>p { color: blue }</style><p>x</p>",
                head='<style>a { color: red }</style><style media="screen">b {}</style>')
    rest, styles = split_styles(html)
    assert styles == ("a { color: red }",)
    assert '<style media="screen">' in rest and "<style>p { color: blue }</style>" in rest
    # A head with a comment is left whole: a <style> inside one is no stylesheet.
    commented = page("<p>x</p>", head="<!-- <style>a {}</style> -->")
    assert split_styles(commented) == (commented, ())


def test_workers_start_with_the_stylesheets_parsed_before_forking(sample, tmp_path, monkeypatch):
    for number in range(2, 5):
        sample.write(f"content/letters/carta-{number}.yaml",
                     (sample.root / "content/letters/carta-prueba.yaml").read_text("utf-8")
                     .replace("id: carta-prueba", f"id: carta-{number}"))
    log = tmp_path / "parsed.log"  # appended to by every process of the build
    original = weasyprint.CSS

    def logging_css(*args, **kwargs):
        if "print" in (kwargs.get("string") or "") and "@page" in kwargs["string"]:
            with log.open("a", encoding="utf-8") as stream:
                stream.write(f"{os.getpid()}\n")
        return original(*args, **kwargs)

    monkeypatch.setattr(pdf_module.weasyprint, "CSS", logging_css)
    result = build(load_project(sample.root), formats=("pdf",), jobs=2, force=True)
    assert len(result.written) == 4 and not result.failed
    # letter.css parsed once, in the process that forked the workers, and in no worker.
    assert log.read_text("utf-8").split() == [str(os.getpid())]
