"""Every image a letter can carry (the sender's logo, signatories' logos), as PNG and as SVG, in
every output: the PDF (a tagged Figure with alternative text from the content), the HTML page
(alt text), the Word copy (a picture description) and the archive (PDF/A, verified)."""

from __future__ import annotations

import io
import re
import zipfile

import pikepdf
import pytest
from click.testing import CliRunner
from PIL import Image

from generator.app.cli import cli

LETTER = "content/letters/carta-prueba.yaml"
SVG = ('<svg xmlns="http://www.w3.org/2000/svg" width="120" height="40" viewBox="0 0 120 40">'
       '<rect width="120" height="40" fill="#264653"/></svg>\n')

SIGNATORIES = """\
org-ejemplo-a:
  kind: organization
  name: Organización Ejemplo A
  logo: img/firma-a.{ext}
org-ejemplo-b:
  kind: organization
  name: Organización Ejemplo B
"""


def png() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (120, 40), (38, 70, 83)).save(buffer, "PNG")
    return buffer.getvalue()


def with_logos(sample, ext: str) -> None:
    for name in ("logo", "firma-a"):
        path = sample.root / f"content/img/{name}.{ext}"
        path.parent.mkdir(parents=True, exist_ok=True)
        if ext == "png":
            path.write_bytes(png())
        else:
            path.write_text(SVG, encoding="utf-8")
    sample.replace("content/senders.yaml", "coalicion-ejemplo:\n",
                   f"coalicion-ejemplo:\n  logo: img/logo.{ext}\n")
    sample.write("content/signatories.yaml", SIGNATORIES.format(ext=ext))
    sample.replace(LETTER, "references:", "signatories:\n  logos: true\n  tiers:\n"
                   "    - members: [org-ejemplo-a, org-ejemplo-b]\nreferences:")


def run(root, *args: str):
    return CliRunner().invoke(cli, ["--project", str(root), *args])


def figures(pdf: pikepdf.Pdf) -> list[str]:
    """The alternative texts of the PDF's Figure elements, in reading order."""
    found = []

    def walk(node):
        if isinstance(node, pikepdf.Dictionary):
            if node.get("/S") == "/Figure":
                found.append(str(node.get("/Alt", "")))
            kids = node.get("/K")
            if isinstance(kids, pikepdf.Array):
                for kid in kids:
                    walk(kid)
            elif kids is not None:
                walk(kids)

    walk(pdf.Root.StructTreeRoot)
    return found


@pytest.mark.parametrize("ext", ["png", "svg"])
def test_a_letter_with_logos_builds_every_output_with_alternative_texts(sample, ext):
    with_logos(sample, ext)
    assert run(sample.root, "check").exit_code == 0
    result = run(sample.root, "build", "--format", "pdf", "--format", "html",
                 "--format", "docx")
    assert result.exit_code == 0, result.output
    assert "data:" not in result.output
    folder = sample.root / "output/carta-prueba"

    with pikepdf.open(folder / "carta-prueba.es.pdf") as pdf:
        assert figures(pdf) == ["Coalición Ejemplo", "Organización Ejemplo A"]

    html = (folder / "carta-prueba.es.html").read_text("utf-8")
    alts = re.findall(r'<img [^>]*alt="([^"]*)"', html)
    assert alts == ["Coalición Ejemplo", "Organización Ejemplo A"]

    document = zipfile.ZipFile(folder / "carta-prueba.es.docx").read("word/document.xml")
    descriptions = re.findall(rb'<wp:docPr [^>]*descr="([^"]*)"', document)
    if ext == "png":
        assert descriptions == ["Coalición Ejemplo".encode()]
    else:  # Word cannot show an SVG without a PNG twin; the build says so
        assert descriptions == []
        assert "is not a PNG, JPEG or GIF" in result.output


def test_a_letter_with_a_logo_is_archived_and_verifies(sample):
    with_logos(sample, "png")
    result = run(sample.root, "archive")
    assert result.exit_code == 0, result.output
    assert run(sample.root, "verify").exit_code == 0
    archived = sample.root / "output/archive/carta-prueba/carta-prueba.es.pdf"
    with pikepdf.open(archived) as pdf:
        assert figures(pdf) == ["Coalición Ejemplo", "Organización Ejemplo A"]
        meta = pdf.open_metadata()
        assert meta.get("pdfaid:part") == "3"
        assert meta.get("pdfuaid:part") == "1"


def test_an_image_error_names_the_image_without_its_inlined_data(sample):
    # A logo that passes Pillow's check but WeasyPrint cannot draw: a truncated PNG body.
    with_logos(sample, "png")
    broken = png()
    (sample.root / "content/img/logo.png").write_bytes(broken[:60] + b"\0" * 40)
    result = run(sample.root, "build")
    assert "data:image" not in result.output
    assert len(result.output) < 2000, result.output
