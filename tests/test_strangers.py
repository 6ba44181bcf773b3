"""What strangers send: reply PDFs, e-mails, returned DOCX files and logos that inflate, nest or
break, read within limits (issue 22: R2, R8, R9, R10, R11, R16, R17). Every hostile file is
built here, small; where a limit would take long to reach, the test makes it small.

Every organisation, person and event here is fictional."""

from __future__ import annotations

import datetime
import io
import os
import struct
import time
import zipfile
import zlib
from email.message import EmailMessage
from email.utils import format_datetime
from pathlib import Path

import docx
import pikepdf
import pytest
from click.testing import CliRunner
from PIL import Image

from generator.app.cli import cli
from generator.authoring import docx_reading, intake, received
from generator.core import untrusted
from generator.core.project import load_project
from generator.core.untrusted import Limits, Unparsed, run_limited

LETTER = """\
id: carta-inicial
date: 2024-03-01
language: es
sender: coalicion-ejemplo
recipients: [organismo-ejemplo]
body:
  - paragraph: Primer párrafo de la Coalición Ejemplo.
  - demands:
      - id: publicar-calendario
        text: Que se publique un calendario de trabajo.
"""
MB = 1024 * 1024


def run(root: Path, *args: str):
    return CliRunner().invoke(cli, ["--project", str(root), *map(str, args)])


@pytest.fixture
def project(sample):
    (sample.root / "content/letters/carta-prueba.yaml").unlink()
    sample.write("content/letters/carta-inicial.yaml", LETTER)
    return sample


def no_traceback(result) -> None:
    assert "internal error" not in result.output and "Traceback" not in result.output, \
        result.output
    assert result.exception is None or isinstance(result.exception, SystemExit), \
        result.exception


# Hostile files --------------------------------------------------------------------------------

def pdf_bomb(path: Path, inflated: int) -> Path:
    """A one-page PDF whose content stream (valid operators, "q Q" over and over) inflates to
    `inflated` bytes from a thousandth of that."""
    chunk = b"q Q " * (64 * 1024)
    squeezer = zlib.compressobj(9)
    data = b"".join(squeezer.compress(chunk) for _ in range(inflated // len(chunk) + 1))
    data += squeezer.flush()
    pdf = pikepdf.new()
    pdf.add_blank_page()
    stream = pikepdf.Stream(pdf, b"")
    stream.write(data, filter=pikepdf.Name.FlateDecode)
    pdf.pages[0].Contents = stream
    path.parent.mkdir(parents=True, exist_ok=True)
    pdf.save(path)
    return path


def pdf_with_text(path: Path, text: str) -> Path:
    """A small PDF with one line of text, made without the PDF engine."""
    pdf = pikepdf.new()
    pdf.add_blank_page()
    font = pdf.make_indirect(pikepdf.Dictionary(Type=pikepdf.Name.Font,
                                                Subtype=pikepdf.Name.Type1,
                                                BaseFont=pikepdf.Name.Helvetica))
    pdf.pages[0].Resources = pikepdf.Dictionary(Font=pikepdf.Dictionary(F1=font))
    pdf.pages[0].Contents = pdf.make_stream(f"BT /F1 12 Tf 72 720 Td ({text}) Tj ET".encode())
    path.parent.mkdir(parents=True, exist_ok=True)
    pdf.save(path)
    return path


def eml(path: Path, body: str = "Texto ficticio de la respuesta.", charset: str = "utf-8",
        attachment: bytes | None = None) -> Path:
    message = EmailMessage()
    message["From"] = "Secretaría Ejemplo <secretaria@example.org>"
    message["Subject"] = "Respuesta ficticia"
    message["Date"] = format_datetime(datetime.datetime(2024, 4, 12, 9, 30,
                                                        tzinfo=datetime.UTC))
    message.set_content(body)
    if attachment is not None:
        message.add_attachment(attachment, maintype="application", subtype="pdf",
                               filename="anexo.pdf")
    data = bytes(message)
    if charset != "utf-8":
        data = data.replace(b'charset="utf-8"', f'charset="{charset}"'.encode())
    path.write_bytes(data)
    return path


def nested_eml(path: Path, depth: int, kind: str) -> Path:
    """An e-mail whose parts nest `depth` deep: multiparts in multiparts, or messages in
    messages (message/rfc822)."""
    part = b"Content-Type: text/plain\r\n\r\nTexto ficticio.\r\n"
    for level in range(depth):
        if kind == "multipart":
            mark = b"limite%d" % level
            part = (b'Content-Type: multipart/mixed; boundary="' + mark + b'"\r\n\r\n--' + mark
                    + b"\r\n" + part + b"\r\n--" + mark + b"--\r\n")
        else:
            part = b"Content-Type: message/rfc822\r\n\r\nFrom: b@example.org\r\n" + part
    head = (b"From: Secretaria Ejemplo <secretaria@example.org>\r\n"
            b"Date: Fri, 12 Apr 2024 09:30:00 +0000\r\nMIME-Version: 1.0\r\n")
    path.write_bytes(head + part)
    return path


def docx_bytes() -> bytes:
    """A Word document with one comment: a word/comments.xml part, named by its rels."""
    document = docx.Document()
    paragraph = document.add_paragraph("Texto ficticio de la Organización Ejemplo A.")
    document.add_comment(paragraph.runs, text="Un comentario ficticio.", author="Revisora")
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def replaced_part(data: bytes, name: str, content: bytes) -> bytes:
    """The package with part `name` holding `content`, deflated."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as source, \
            zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        assert name in source.namelist()
        for info in source.infolist():
            target.writestr(info.filename,
                            content if info.filename == name else source.read(info.filename))
    return out.getvalue()


def patched_entry(data: bytes, name: str, flags: int | None = None,
                  method: int | None = None, damage: bool = False) -> bytes:
    """The package with the central-directory record of `name` given other flags or another
    compression method, or its deflated bytes damaged."""
    with zipfile.ZipFile(io.BytesIO(data)) as package:
        info = package.getinfo(name)
    data = bytearray(data)
    if damage:
        name_length, extra_length = struct.unpack("<HH", data[info.header_offset + 26:
                                                             info.header_offset + 30])
        start = info.header_offset + 30 + name_length + extra_length
        middle = start + info.compress_size // 2
        data[middle:middle + 16] = b"\xff" * 16
    record = 0
    while True:  # the central-directory record that names the part
        record = data.index(b"PK\x01\x02", record)
        length = struct.unpack("<H", data[record + 28:record + 30])[0]
        if data[record + 46:record + 46 + length] == name.encode():
            break
        record += 4
    if flags is not None:
        data[record + 8:record + 10] = struct.pack("<H", flags)
    if method is not None:
        data[record + 10:record + 12] = struct.pack("<H", method)
    return bytes(data)


# The limited child (core/untrusted.py) ----------------------------------------------------------

def _hog_memory() -> int:
    return len(bytearray(400 * MB))


def _spin() -> None:
    while True:
        pass


def _sleep() -> None:
    time.sleep(60)


def _abort() -> None:
    os.abort()  # what a C library does when it cannot allocate


def test_the_child_is_stopped_by_its_memory_time_and_clock_limits():
    with pytest.raises(Unparsed, match="needs more than 200 MB of memory"):
        run_limited(_hog_memory, limits=Limits(memory=200 * MB))
    with pytest.raises(Unparsed, match="more than 1 s of processor time"):
        run_limited(_spin, limits=Limits(cpu_seconds=1))
    with pytest.raises(Unparsed, match="took more than 2 s; stopped"):
        run_limited(_sleep, limits=Limits(wall_seconds=2))
    with pytest.raises(Unparsed, match="the reader stopped .exit status -6.: the file probably "
                                       "needs more than 64 MB"):
        run_limited(_abort, limits=Limits(memory=64 * MB))
    assert run_limited(len, b"abc") == 3


# R8: reply PDFs and attachments that inflate ----------------------------------------------------

def test_a_reply_pdf_that_inflates_is_kept_unread_without_inflating(project, tmp_path):
    # 24 MB of page content from 25 KB, past the 16 MB carta reads in one content stream.
    bomb = pdf_bomb(tmp_path / "respuesta.pdf", 24 * MB)
    assert bomb.stat().st_size < 100 * 1024
    result = run(project.root, "response", "add", bomb, "--replies-to", "carta-inicial",
                 "--id", "respuesta-inflada")
    no_traceback(result)
    assert result.exit_code == 0, result.output
    assert "content/responses/respuesta-inflada.pdf is unreadable, text not extracted: a " \
        "content stream of page 1 inflates to more than 16 MB" in result.output
    folder = project.root / "content/responses"
    assert (folder / "respuesta-inflada.pdf").read_bytes() == bomb.read_bytes()
    assert "is unreadable, text not extracted" in \
        (folder / "respuesta-inflada.txt").read_text("utf-8")
    stub = (folder / "respuesta-inflada.yaml").read_text("utf-8")
    assert "# Unreadable, text not extracted: a content stream of page 1" in stub
    assert 'date: "[[TODO: YYYY-MM-DD' in stub  # nothing read: a person fills it in


def test_the_memory_limit_stops_what_the_size_checks_let_through(project, tmp_path,
                                                                 monkeypatch):
    # With the size checks out of the way, the PDF engine inflates until the child's memory
    # limit stops it: the reply is kept all the same.
    monkeypatch.setattr(received, "SIZES", received.Sizes(stream=10**12, content=10**12))
    monkeypatch.setattr(untrusted, "LIMITS", Limits(memory=300 * MB))
    bomb = pdf_bomb(tmp_path / "respuesta.pdf", 512 * MB)
    facts = intake.document_facts(bomb)
    assert facts.unreadable and "300 MB" in facts.unreadable, facts


def test_an_attachment_that_inflates_leaves_the_rest_of_the_email_read(project, tmp_path):
    bomb = pdf_bomb(tmp_path / "anexo.pdf", 24 * MB).read_bytes()
    message = eml(tmp_path / "respuesta.eml", attachment=bomb)
    result = run(project.root, "response", "add", message, "--replies-to", "carta-inicial",
                 "--id", "respuesta-con-anexo")
    no_traceback(result)
    assert result.exit_code == 0, result.output
    text = (project.root / "content/responses/respuesta-con-anexo.txt").read_text("utf-8")
    assert "[message: Respuesta ficticia]\nTexto ficticio de la respuesta." in text
    assert "[attachment anexo.pdf]\n(unreadable PDF: a content stream of page 1 inflates to " \
        "more than 16 MB" in text
    stub = (project.root / "content/responses/respuesta-con-anexo.yaml").read_text("utf-8")
    assert "date: 2024-04-12  # from the e-mail's Date header" in stub


def test_a_pdf_that_does_not_open_is_kept_as_unreadable(project, tmp_path):
    broken = tmp_path / "rota.pdf"
    broken.write_bytes(b"%PDF-1.7\n" + b"\x00 basura ficticia " * 100)
    result = run(project.root, "response", "add", broken, "--replies-to", "carta-inicial",
                 "--id", "respuesta-rota", "--date", "2024-04-10")
    no_traceback(result)
    assert result.exit_code == 0, result.output
    assert "unreadable, text not extracted: expected a PDF that opens" in result.output
    assert (project.root / "content/responses/respuesta-rota.pdf").read_bytes() == \
        broken.read_bytes()


# R11: e-mails with unknown charsets and deep nesting --------------------------------------------

def test_an_email_in_an_unknown_charset_is_read_as_utf8_and_said_so(project, tmp_path):
    message = eml(tmp_path / "respuesta.eml", "Respuesta ficticia: así lo haremos.",
                  charset="x-desconocido")
    result = run(project.root, "response", "add", message, "--replies-to", "carta-inicial",
                 "--id", "respuesta-charset")
    no_traceback(result)
    assert result.exit_code == 0, result.output
    text = (project.root / "content/responses/respuesta-charset.txt").read_text("utf-8")
    assert "(in the charset 'x-desconocido', which carta does not know: read as UTF-8" in text
    assert "así lo haremos" in text


@pytest.mark.parametrize("kind", ["multipart", "message"])
def test_an_email_nested_thousands_deep_keeps_its_headers_and_is_not_parsed(project,
                                                                            tmp_path, kind):
    message = nested_eml(tmp_path / "respuesta.eml", 3000, kind)
    result = run(project.root, "response", "add", message, "--replies-to", "carta-inicial",
                 "--id", "respuesta-anidada")
    no_traceback(result)
    assert result.exit_code == 0, result.output
    assert "unreadable, text not extracted: the e-mail holds 3000 nested or multipart parts, " \
        "more than the 100 carta reads" in result.output
    stub = (project.root / "content/responses/respuesta-anidada.yaml").read_text("utf-8")
    assert "date: 2024-04-12  # from the e-mail's Date header" in stub


def test_nesting_past_what_the_parser_can_recurse_is_a_reason_too(tmp_path, monkeypatch):
    monkeypatch.setattr(received, "SIZES", received.Sizes(containers=10**6))
    facts = intake.document_facts(nested_eml(tmp_path / "respuesta.eml", 3000, "multipart"))
    assert facts.unreadable == "the e-mail nests its parts too deeply: its text is not read"
    assert facts.date == datetime.date(2024, 4, 12)  # the headers are read all the same


# R9, R10: returned DOCX files ------------------------------------------------------------------

def diff(project, path: Path, data: bytes):
    path.write_bytes(data)
    return run(project.root, "diff-docx", path, "carta-inicial")


def test_a_docx_part_that_inflates_is_refused_before_it_inflates(project, tmp_path):
    # document.xml: 40 MB of XML from 40 KB, past the 32 MB carta reads in one part.
    bloated = b'<?xml version="1.0"?><w:document xmlns:w="http://schemas.openxmlformats.org/' \
              b'wordprocessingml/2006/main"><w:body>' + b" " * (40 * MB) + \
              b"</w:body></w:document>"
    result = diff(project, tmp_path / "inflado.docx",
                  replaced_part(docx_bytes(), "word/document.xml", bloated))
    no_traceback(result)
    assert result.exit_code == 1
    assert "its part word/document.xml inflates to 40.0 MB, more than the 32.0 MB carta " \
        "reads in one part" in result.output


def test_a_comments_part_that_inflates_is_refused_by_its_ratio(project, tmp_path):
    bloated = b'<?xml version="1.0"?><w:comments xmlns:w="http://schemas.openxmlformats.org/' \
              b'wordprocessingml/2006/main">' + b" " * (4 * MB) + b"</w:comments>"
    result = diff(project, tmp_path / "comentarios.docx",
                  replaced_part(docx_bytes(), "word/comments.xml", bloated))
    no_traceback(result)
    assert result.exit_code == 1
    assert "its part word/comments.xml inflates to" in result.output
    assert "times its size (a document's parts: about 10); not read" in result.output


@pytest.mark.parametrize("change, expected", [
    ({"damage": True}, "its part word/document.xml is damaged"),
    ({"flags": 0x1}, "its part word/document.xml is encrypted; save the document again "
                     "without a password"),
    ({"method": 9}, "its part word/document.xml is compressed with method 9, not one a Word "
                    "document uses (stored or deflate)"),
])
def test_a_damaged_encrypted_or_oddly_compressed_docx_gives_a_message(project, tmp_path,
                                                                      change, expected):
    result = diff(project, tmp_path / "ajeno.docx",
                  patched_entry(docx_bytes(), "word/document.xml", **change))
    no_traceback(result)
    assert result.exit_code == 1
    assert expected in result.output
    assert str(tmp_path / "ajeno.docx") in result.output


def test_a_docx_larger_than_any_letter_is_refused_before_it_is_read(project, tmp_path,
                                                                    monkeypatch):
    monkeypatch.setattr(docx_reading, "MAX_DOCX_BYTES", 64 * 1024)
    result = diff(project, tmp_path / "grande.docx", os.urandom(100 * 1024))
    no_traceback(result)
    assert result.exit_code == 1
    assert "expected a Word document of at most 64 KB, found 100 KB; nothing was compared" \
        in result.output


# R2: a logo that declares more pixels than any logo needs ----------------------------------------

@pytest.mark.parametrize("size, found", [
    ((20_000, 20_000), "found more than 178,956,970 pixels"),
    ((6_000, 6_000), "found 6,000 x 6,000 pixels"),
])
def test_a_logo_of_too_many_pixels_is_a_located_problem(project, size, found):
    logo = project.root / "content/logo.png"
    Image.new("1", size).save(logo, optimize=True)
    assert logo.stat().st_size < 2 * MB
    project.write("content/senders.yaml", "coalicion-ejemplo:\n  name: Coalición Ejemplo\n"
                                          "  logo: logo.png\n")
    result = run(project.root, "check")
    no_traceback(result)
    assert result.exit_code == 1
    assert "content/senders.yaml:3:3: coalicion-ejemplo.logo: expected an image of at most " \
        f"25,000,000 pixels (5,000 x 5,000), {found} in 'logo.png'" in result.output


# R16: an intake cut short is reported, then finished by the same command -------------------------

class Killed(BaseException):
    """The process dying right after a file was written."""


def cut_after(monkeypatch, suffix: str) -> None:
    written = intake.write_new

    def write_then_die(path: Path, data: bytes) -> None:
        written(path, data)
        if path.name.endswith(suffix):
            raise Killed(path)

    monkeypatch.setattr(intake, "write_new", write_then_die)


@pytest.mark.parametrize("cut", [".pdf", ".txt"])
def test_a_reply_cut_short_is_an_orphan_that_the_same_command_finishes(project, tmp_path,
                                                                       monkeypatch, cut):
    received_pdf = pdf_with_text(tmp_path / "respuesta.pdf", "Respuesta ficticia.")
    with monkeypatch.context() as patch:
        cut_after(patch, cut)
        with pytest.raises(Killed):
            intake.add_response(load_project(project.root), received_pdf, "carta-inicial",
                                "organismo-ejemplo", datetime.date(2024, 4, 10),
                                "respuesta-cortada")
    folder = project.root / "content/responses"
    assert not (folder / "respuesta-cortada.yaml").exists()
    check = run(project.root, "check")
    assert check.exit_code == 1
    assert "content/responses/respuesta-cortada.pdf: a document no reply names: expected " \
        "content/responses/respuesta-cortada.yaml beside it, found none (an interrupted " \
        "'carta response add' leaves this); run the same command again" in check.output

    again = run(project.root, "response", "add", received_pdf, "--replies-to",
                "carta-inicial", "--from", "organismo-ejemplo", "--date", "2024-04-10",
                "--id", "respuesta-cortada")
    no_traceback(again)
    assert again.exit_code == 0, again.output
    assert "finished what an interrupted run began: kept content/responses/" \
        "respuesta-cortada.pdf" in again.output
    assert "[page 1]\nRespuesta ficticia." in \
        (folder / "respuesta-cortada.txt").read_text("utf-8")
    check = run(project.root, "check")
    assert "a document no reply names" not in check.output
    assert "placeholder not filled yet" in check.output  # the stub, as after any intake


def test_what_another_documents_cut_intake_left_is_never_taken_over(project, tmp_path,
                                                                    monkeypatch):
    first = pdf_with_text(tmp_path / "primera.pdf", "Primera respuesta ficticia.")
    with monkeypatch.context() as patch:
        cut_after(patch, ".pdf")
        with pytest.raises(Killed):
            intake.add_response(load_project(project.root), first, "carta-inicial",
                                ident="respuesta-comun", date=datetime.date(2024, 4, 10))
    other = pdf_with_text(tmp_path / "otra.pdf", "Otra respuesta ficticia.")
    result = run(project.root, "response", "add", other, "--replies-to", "carta-inicial",
                 "--id", "respuesta-comun")
    assert result.exit_code == 1
    assert "content/responses/respuesta-comun.pdf is left from an interrupted run for another " \
        "document (no YAML names it); remove it, or choose another --id; nothing was changed" \
        in result.output
    assert (project.root / "content/responses/respuesta-comun.pdf").read_bytes() == \
        first.read_bytes()


def test_a_scan_cut_short_is_reported_and_finished(project, tmp_path, monkeypatch):
    scan = pdf_with_text(tmp_path / "carta-2023.pdf", "Carta ficticia de 2023.")
    with monkeypatch.context() as patch:
        cut_after(patch, ".pdf")
        with pytest.raises(Killed):
            intake.import_scan(load_project(project.root), scan, datetime.date(2023, 6, 1),
                               "carta-historica", ocr=False)
    check = run(project.root, "check")
    assert "content/scans/carta-historica.pdf: a document no letter names: expected " \
        "content/letters/carta-historica.yaml beside it" in check.output
    again = run(project.root, "import-scan", scan, "--date", "2023-06-01", "--id",
                "carta-historica", "--no-ocr")
    assert again.exit_code == 0, again.output
    assert (project.root / "content/letters/carta-historica.yaml").is_file()
    assert "a document no letter names" not in run(project.root, "check").output


def test_a_temporary_file_left_by_a_cut_write_is_reported(project):
    leftover = project.root / "content/responses/.respuesta.pdf.k2j3h4.tmp"
    leftover.parent.mkdir(parents=True)
    leftover.write_bytes(b"%PDF-1.7\n")
    check = run(project.root, "check")
    assert check.exit_code == 1
    assert "content/responses/.respuesta.pdf.k2j3h4.tmp: a temporary file left by a write " \
        "that was cut short; remove it" in check.output


# R17: committed links where the intake writes ---------------------------------------------------

@pytest.mark.parametrize("folder, command", [
    ("responses", ["response", "add", "{file}", "--replies-to", "carta-inicial", "--date",
                   "2024-04-10"]),
    ("scans", ["import-scan", "{file}", "--date", "2023-06-01", "--id", "carta-historica",
               "--no-ocr"]),
])
def test_the_intake_never_writes_through_a_linked_folder(project, tmp_path, folder, command):
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (project.root / "content" / folder).symlink_to(elsewhere)
    document = pdf_with_text(tmp_path / "documento.pdf", "Documento ficticio.")
    result = run(project.root, *[str(document) if part == "{file}" else part
                                 for part in command])
    no_traceback(result)
    assert result.exit_code == 1
    assert f"refusing to write through {project.root / 'content' / folder}: it is a symbolic " \
        "link" in result.output
    assert list(elsewhere.iterdir()) == []
    assert not (project.root / "content/letters/carta-historica.yaml").exists()
