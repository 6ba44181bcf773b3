"""Hostile documents: nothing outside the project reaches a PDF, and carta never goes online.

Content cannot carry raw HTML (Markdown runs with HTML off), so these documents reach the PDF
engine the way a hostile template would: straight into PdfMaker, and once through a project
template override and `carta build`. Each vector points at files beside the project (a text,
a stylesheet, an image) or at an HTTP server on 127.0.0.1 that counts every connection.
"""

from __future__ import annotations

import base64
import dataclasses
import http.server
import io
import struct
import threading
import zlib
from pathlib import Path

import pypdf
import pytest
from click.testing import CliRunner
from conftest import SampleProject

from generator.app.cli import cli
from generator.campaign.assemble import validate
from generator.content import markdown
from generator.core.errors import BuildError
from generator.core.project import builtin_templates, load_project
from generator.core.write import output_path
from generator.outputs.pdf import PdfMaker
from generator.rendering.render import Renderer

SECRET_TEXT = "SECRETOFUERA"
SECRET_CSS = "SECRETOESTILO"


def tiny_png() -> bytes:
    """A 1x1 red PNG, written by hand so that the test needs no imaging library."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return (struct.pack(">I", len(data)) + kind + data
                + struct.pack(">I", zlib.crc32(kind + data)))

    header = struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0)
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header)
            + chunk(b"IDAT", zlib.compress(b"\x00\xff\x00\x00")) + chunk(b"IEND", b""))


class CountingServer(http.server.ThreadingHTTPServer):
    """An HTTP server that remembers every connection, even one that never sends a request."""

    def __init__(self):
        super().__init__(("127.0.0.1", 0), _Handler)
        self.connections: list[tuple] = []

    def verify_request(self, request, client_address) -> bool:
        self.connections.append(client_address)
        return True


class _Handler(http.server.BaseHTTPRequestHandler):
    def do_GET(self):  # noqa: N802 (the name http.server calls)
        body = tiny_png() if self.path.endswith(".png") else \
            f'body::after {{ content: "{SECRET_CSS}" }}'.encode()
        self.send_response(200)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


@pytest.fixture(scope="module")
def server():
    httpd = CountingServer()
    thread = threading.Thread(target=httpd.serve_forever, kwargs={"poll_interval": 0.05},
                              daemon=True)
    thread.start()
    yield httpd
    httpd.shutdown()
    httpd.server_close()
    thread.join(timeout=5)


@dataclasses.dataclass
class World:
    """A project, and beside it a folder `fuera/` of files that must never reach a PDF."""

    project: Path
    outside: Path

    @property
    def letters(self) -> Path:
        return self.project / "content" / "letters"


@pytest.fixture(scope="module")
def world(tmp_path_factory) -> World:
    root = tmp_path_factory.mktemp("seguridad")
    sample = SampleProject(root / "proyecto")
    outside = root / "fuera"
    outside.mkdir()
    (outside / "secreto.txt").write_text(f"{SECRET_TEXT}\n", encoding="utf-8")
    (outside / "secreto.css").write_text(f'body::after {{ content: "{SECRET_CSS}" }}\n',
                                         encoding="utf-8")
    (outside / "secreto.png").write_bytes(tiny_png())
    content = sample.root / "content"
    (content / "enlace.txt").symlink_to(outside / "secreto.txt")
    (content / "carpeta").symlink_to(outside, target_is_directory=True)
    (content / "bucle.png").symlink_to(content / "bucle.png")
    (content / "permitido.txt").write_text("Anexo de la Organización Ejemplo A\n",
                                           encoding="utf-8")
    (content / "permitido.png").write_bytes(tiny_png())
    return World(sample.root, outside)


def allowed(world: World) -> tuple[Path, ...]:
    return (world.project / "content", world.project / "templates", builtin_templates())


@pytest.fixture(scope="module")
def strict_maker(world) -> PdfMaker:
    return PdfMaker(allowed(world))


@pytest.fixture(scope="module")
def lenient_maker(world) -> PdfMaker:
    return PdfMaker(allowed(world), strict=False)


@dataclasses.dataclass
class PdfInside:
    """What a PDF holds, read back: text, images, embedded files, every stream's bytes."""

    text: str
    images: int
    attachments: dict
    streams: bytes


def look_inside(pdf: bytes) -> PdfInside:
    reader = pypdf.PdfReader(io.BytesIO(pdf))
    streams = []
    for number in range(1, int(reader.trailer["/Size"])):
        try:
            item = reader.get_object(number)
        except Exception:  # a free entry in the cross-reference table
            continue
        if isinstance(item, pypdf.generic.StreamObject):
            streams.append(item.get_data())
    return PdfInside(
        text=" ".join(page.extract_text() for page in reader.pages),
        images=sum(len(page.images) for page in reader.pages),
        attachments=dict(reader.attachments),
        streams=b"".join(streams),
    )


def document(head: str = "", body: str = "") -> str:
    return (f'<!DOCTYPE html><html lang="es"><head><meta charset="utf-8">{head}</head>'
            f"<body><p>Carta de la Organización Ejemplo A.</p>{body}</body></html>")


def svg_data_url(svg: str) -> str:
    return "data:image/svg+xml;base64," + base64.b64encode(svg.encode()).decode()


# Each vector: (head, body, what the refused URL contains). {out} is the outside folder as a
# file: URL, {port} the counting server's port; relative URLs resolve from content/letters/.
VECTORS = {
    "attachment-file-url": ('<link rel="attachment" href="{out}/secreto.txt">', "",
                            "fuera/secreto.txt"),
    "anchor-attachment": ("", '<a rel="attachment" href="{out}/secreto.txt">anexo</a>',
                          "fuera/secreto.txt"),
    "import-local-css": ('<style>@import url("{out}/secreto.css");</style>', "",
                         "fuera/secreto.css"),
    "stylesheet-local-css": ('<link rel="stylesheet" href="{out}/secreto.css">', "",
                             "fuera/secreto.css"),
    "object-local-file": ("", '<object data="{out}/secreto.png" type="image/png"></object>',
                          "fuera/secreto.png"),
    "image-from-local-server": ("", '<img alt="imagen" src="http://127.0.0.1:{port}/pixel.png">',
                                "127.0.0.1"),
    "stylesheet-from-local-server": (
        '<link rel="stylesheet" href="http://127.0.0.1:{port}/estilo.css">', "", "127.0.0.1"),
    "import-from-local-server": (
        '<style>@import url("http://127.0.0.1:{port}/estilo.css");</style>', "", "127.0.0.1"),
    "font-from-local-server": (
        '<style>@font-face { font-family: Remota; src: url("http://127.0.0.1:{port}/f.ttf"); }'
        " p { font-family: Remota; }</style>", "", "127.0.0.1"),
    "background-from-local-server": (
        "", '<div style="height: 1cm; background: url(http://127.0.0.1:{port}/fondo.png)">'
            "</div>", "127.0.0.1"),
    "attachment-from-local-server": (
        '<link rel="attachment" href="http://127.0.0.1:{port}/secreto.txt">', "", "127.0.0.1"),
    "dot-dot": ('<link rel="attachment" href="../../../fuera/secreto.txt">',
                '<img alt="imagen" src="../../../fuera/secreto.png">', "fuera/secreto"),
    "encoded-dot-dot": ('<link rel="attachment" href="%2e%2e/%2e%2e/%2e%2e/fuera/secreto.txt">',
                        '<img alt="imagen" src="%2E%2E/%2E%2E/%2e%2E/fuera/secreto.png">',
                        "fuera/secreto"),
    "base-href-file": ('<base href="{out}/"><link rel="attachment" href="secreto.txt">',
                       '<img alt="imagen" src="secreto.png">', "fuera/secreto"),
    "base-href-http": ('<base href="http://127.0.0.1:{port}/">',
                       '<img alt="imagen" src="pixel.png">', "127.0.0.1"),
    "symlink-to-a-file": ('<link rel="attachment" href="../enlace.txt">', "", "enlace.txt"),
    "symlink-to-a-folder": ("", '<img alt="imagen" src="../carpeta/secreto.png">',
                            "carpeta/secreto.png"),
    "symlink-loop": ("", '<img alt="imagen" src="../bucle.png">', "bucle.png"),
    "file-url-with-localhost": ("", '<img alt="imagen" src="file://localhost{out_path}/secreto.png">',
                                "fuera/secreto.png"),
    "file-url-with-another-host": ('<link rel="attachment" href="file://otra-maquina/etc/hosts">',
                                   "", "otra-maquina"),
    "svg-image-pointing-out": (
        "", '<img alt="imagen" src="{svg}">', "fuera/secreto.png"),
}


def hostile(name: str, world: World, server) -> tuple[str, str]:
    head, body, refused = VECTORS[name]
    svg = svg_data_url(
        '<svg xmlns="http://www.w3.org/2000/svg" width="20" height="20">'
        f'<image href="{world.outside.as_uri()}/secreto.png" width="20" height="20"/></svg>')
    values = {"out": world.outside.as_uri(), "out_path": str(world.outside),
              "port": server.server_address[1], "svg": svg}

    def fill(text: str) -> str:  # not str.format: CSS is full of braces
        for key, value in values.items():
            text = text.replace(f"{{{key}}}", str(value))
        return text

    return document(fill(head), fill(body)), refused


def assert_clean(inside: PdfInside) -> None:
    assert SECRET_TEXT not in inside.text
    assert SECRET_CSS not in inside.text
    assert inside.attachments == {}
    assert inside.images == 0
    assert SECRET_TEXT.encode() not in inside.streams
    assert SECRET_CSS.encode() not in inside.streams


@pytest.mark.parametrize("name", VECTORS)
def test_a_lenient_build_leaves_the_resource_out_and_warns(world, server, lenient_maker, name):
    html, refused = hostile(name, world, server)
    before = len(lenient_maker.warnings)

    pdf = lenient_maker.make(html, world.letters, "carta-prueba (es)")

    assert_clean(look_inside(pdf))
    warnings = lenient_maker.warnings[before:]
    assert warnings and all("refused to load" in str(warning) for warning in warnings)
    assert any(refused in str(warning) for warning in warnings), warnings
    assert server.connections == []


@pytest.mark.parametrize("name", VECTORS)
def test_a_strict_build_fails_on_the_first_refused_resource(world, server, strict_maker, name):
    html, refused = hostile(name, world, server)

    with pytest.raises(BuildError) as caught:
        strict_maker.make(html, world.letters, "carta-prueba (es)")

    message = caught.value.message
    assert message.startswith("carta-prueba (es): refused to load ")
    assert refused in message
    assert server.connections == []


def test_lenient_warnings_name_the_document(world, server, lenient_maker):
    html, _ = hostile("image-from-local-server", world, server)
    before = len(lenient_maker.warnings)
    lenient_maker.make(html, world.letters, "carta-prueba (es)")
    assert lenient_maker.warnings[before:]
    assert all(str(warning).startswith("carta-prueba (es): refused to load ")
               for warning in lenient_maker.warnings[before:])


def test_an_external_entity_in_svg_is_not_read(world, lenient_maker):
    svg = svg_data_url(
        f'<?xml version="1.0"?><!DOCTYPE svg [<!ENTITY fuera SYSTEM '
        f'"{world.outside.as_uri()}/secreto.txt">]>'
        '<svg xmlns="http://www.w3.org/2000/svg" width="200" height="20">'
        "<text x='0' y='15'>&fuera;</text></svg>")
    html = document(body=f'<img alt="imagen" src="{svg}">')
    # The XML parser does not load external entities: the image is broken, which fails the
    # document, and the file's text is nowhere.
    with pytest.raises(BuildError) as caught:
        lenient_maker.make(html, world.letters, "carta-prueba (es)")
    assert "Failed to load image" in caught.value.message
    assert SECRET_TEXT not in caught.value.message


def test_files_inside_the_project_are_served(world, strict_maker):
    # The checks above would pass on an empty PDF; this shows they see what does get in.
    html = document('<link rel="attachment" href="../permitido.txt">',
                    '<img alt="imagen" src="../permitido.png" style="width: 1cm">')
    inside = look_inside(strict_maker.make(html, world.letters, "carta-prueba (es)"))
    assert list(inside.attachments) == ["permitido.txt"]
    assert inside.images == 1
    assert "Organización Ejemplo A" in inside.text


@pytest.mark.parametrize("strict", [True, False])
def test_a_hostile_template_fails_strict_builds_and_is_left_out_of_others(tmp_path, server,
                                                                        strict):
    sample = SampleProject(tmp_path / "proyecto")
    outside = tmp_path / "fuera"
    outside.mkdir()
    (outside / "secreto.txt").write_text(SECRET_TEXT, encoding="utf-8")
    port = server.server_address[1]
    sample.write("templates/letter.html", f"""\
        <!DOCTYPE html>
        <html lang="{{{{ lang }}}}"><head><meta charset="utf-8"><title>{{{{ title }}}}</title>
        <link rel="attachment" href="{outside.as_uri()}/secreto.txt">
        <style>@import url("http://127.0.0.1:{port}/estilo.css");</style>
        </head><body>
        {{% for block in blocks %}}{{% if block.kind == "paragraph" %}}<p>{{{{ block.text }}}}</p>
        {{% endif %}}{{% endfor %}}
        <ol>{{% for note in notes %}}<li id="note-{{{{ note.id }}}}">{{{{ note.html }}}}</li>
        {{% endfor %}}</ol>
        </body></html>
        """)

    result = CliRunner().invoke(cli, ["--project", str(sample.root), "build", "--format", "pdf"]
                                + (["--strict"] if strict else []))

    assert "Traceback" not in result.output
    assert "carta-prueba (es): refused to load " in result.output
    assert f"{outside.as_uri()}/secreto.txt" in result.output
    pdfs = list((sample.root / "output").rglob("*.pdf"))
    if strict:
        assert result.exit_code == 1, result.output
        assert pdfs == []
    else:
        assert result.exit_code == 0, result.output
        inside = look_inside(pdfs[0].read_bytes())
        assert "Primer párrafo" in inside.text
        assert SECRET_TEXT not in inside.text
        assert inside.attachments == {}
        assert SECRET_TEXT.encode() not in inside.streams
    assert server.connections == []


# Markdown ---------------------------------------------------------------------------------

UNSAFE_LINKS = ["javascript:alert(1)", "JavaScript:alert(1)", "file:///etc/passwd",
                "data:text/html;base64,PHNjcmlwdD4=", "vbscript:msgbox", "//example.org/x",
                "ftp://example.org/x"]


@pytest.mark.parametrize("url", UNSAFE_LINKS)
def test_unsafe_markdown_links_stay_text(url):
    for text in (f"[Organización Ejemplo A]({url})", f"<{url}>", f"Ver {url}"):
        assert "<a" not in markdown.render_inline(text, lambda label: "")
    # and validation names it, so the writer knows why it is not a link
    assert markdown.refused_markup(f"[Organización Ejemplo A]({url})")


@pytest.mark.parametrize("url", ["https://example.org/a", "http://example.org/b",
                                 "mailto:contacto@example.org"])
def test_safe_markdown_links_are_links(url):
    html = markdown.render_inline(f"[Organización Ejemplo A]({url})", lambda label: "")
    assert f'<a href="{url}" class="named-link">Organización Ejemplo A</a>' in html
    assert markdown.refused_markup(f"[x]({url})") == []


def test_raw_html_and_images_never_reach_the_page(sample):
    # Validation refuses these; the renderer must be safe even when a text slips past it
    # (from a translation catalog, say), so the model is changed behind validation's back.
    (letter,) = validate(load_project(sample.root)).letters
    hostile_text = ('<script>alert(1)</script> <img alt="imagen" src="file:///etc/passwd"> '
                    "![pixel](https://example.org/pixel.png) [enlace](javascript:alert(1)) "
                    '<a href="file:///etc/passwd">x</a>')
    paragraph = dataclasses.replace(letter.body[0], text=hostile_text)
    letter = dataclasses.replace(letter, body=(paragraph, *letter.body[1:]))

    html = Renderer(load_project(sample.root)).render(letter, "es")

    assert "<script>" not in html
    assert 'src="file:' not in html and 'src="https://example.org' not in html
    assert 'href="javascript:' not in html and 'href="file:' not in html
    assert "&lt;script&gt;" in html  # shown as text, harmlessly
    assert "pixel" in html  # an image becomes its alt text


# Output paths -----------------------------------------------------------------------------

@pytest.mark.parametrize("letter_id", ["../fuera", "a/../../fuera", "/tmp/fuera"])
def test_output_paths_stay_inside_output(tmp_path, letter_id):
    with pytest.raises(BuildError, match="outside"):
        output_path(tmp_path / "output", letter_id, "es", "pdf")


def test_a_symlink_in_output_cannot_redirect_a_write(tmp_path):
    output = tmp_path / "output"
    output.mkdir()
    (tmp_path / "fuera").mkdir()
    (output / "carta-prueba").symlink_to(tmp_path / "fuera", target_is_directory=True)
    with pytest.raises(BuildError, match="outside"):
        output_path(output, "carta-prueba", "es", "pdf")
