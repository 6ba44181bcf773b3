"""Files written only where they belong: catalogs never through a link, letter ids that would
build into carta's own folders refused, partners' reference documents without remote links,
signing keys kept private, and a preview server that outlasts idle connections."""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from click.testing import CliRunner

from generator.app.cli import cli
from generator.content.letters import OUTPUT_FOLDERS, output_folders, read_letter
from generator.content.load import load_content
from generator.content.shared import read_recipients, read_senders
from generator.core.errors import CartaError
from generator.core.project import load_project


def run(root: Path, *args: str):
    return CliRunner().invoke(cli, ["--project", str(root), *args])


# R17: `carta i18n update` never writes through a committed link -------------------------

@pytest.fixture
def bilingual(sample):
    sample.write("carta.toml", '[project]\nlocales = ["es", "en"]\n')
    return sample


@pytest.mark.parametrize("linked", ["content/locale", "content/locale/en",
                                    "content/locale/en/LC_MESSAGES"])
def test_i18n_update_refuses_a_locale_folder_that_is_a_link(bilingual, tmp_path, linked):
    """R17: a committed link under content/locale sent the new catalog outside the project."""
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    link = bilingual.root / linked
    link.parent.mkdir(parents=True, exist_ok=True)
    link.symlink_to(elsewhere, target_is_directory=True)
    result = run(bilingual.root, "i18n", "update", "--locale", "en")
    assert result.exit_code == 1, result.output
    assert f"refusing to write through {link}: it is a symbolic link" in result.output
    assert "Traceback" not in result.output
    assert list(elsewhere.rglob("*")) == []  # nothing written, not even a folder


def test_i18n_update_still_writes_into_real_folders(bilingual):
    result = run(bilingual.root, "i18n", "update", "--locale", "en")
    assert result.exit_code == 0, result.output
    assert (bilingual.root / "content/locale/en/LC_MESSAGES/carta-prueba.po").is_file()


# R3: a letter id that names a folder carta owns under output/ -----------------------------

@pytest.mark.parametrize("ident", sorted(OUTPUT_FOLDERS))
def test_a_letter_id_naming_a_folder_of_carta_is_refused_at_check(sample, ident):
    """R3: `id: archive` passed check; its build wrote into output/archive/, and `carta
    verify` then reported files no `carta archive` could clear."""
    text = (sample.root / "content/letters/carta-prueba.yaml").read_text(encoding="utf-8")
    sample.write(f"content/letters/{ident}.yaml", text.replace("id: carta-prueba", f"id: {ident}"))
    result = run(sample.root, "check")
    assert result.exit_code == 1
    assert (f"content/letters/{ident}.yaml:1:1: id: '{ident}' cannot be a letter's id: carta "
            f"writes") in result.output
    assert "choose another id and rename the file to match" in result.output


def test_a_build_writes_nothing_into_the_archive_for_such_a_letter(sample):
    text = (sample.root / "content/letters/carta-prueba.yaml").read_text(encoding="utf-8")
    sample.write("content/letters/archive.yaml", text.replace("id: carta-prueba", "id: archive"))
    result = run(sample.root, "build", "--format", "html")
    assert result.exit_code == 1
    assert "'archive' cannot be a letter's id" in result.output
    assert not (sample.root / "output/archive").exists()
    assert (sample.root / "output/carta-prueba/carta-prueba.es.html").is_file()


def test_an_archive_folder_of_ones_own_under_output_is_carta_s_too(sample):
    sample.write("carta.toml", '[project]\nlocales = ["es"]\n[archive]\n'
                 'folder = "output/archivo/2024"\n')
    project = load_project(sample.root)
    owned = output_folders(project)
    assert "archivo" in owned and "archive" in owned
    text = (sample.root / "content/letters/carta-prueba.yaml").read_text(encoding="utf-8")
    path = sample.write("content/letters/archivo.yaml",
                        text.replace("id: carta-prueba", "id: archivo"))
    senders, _ = read_senders(project, load_content(project,
                                                    project.content / "senders.yaml"))
    recipients, _ = read_recipients(load_content(project, project.content / "recipients.yaml"))
    letter, problems = read_letter(load_content(project, path), senders, recipients, "es",
                                   owned=owned)
    assert letter is None
    assert [problem.field for problem in problems] == ["id"]
    assert "'archivo' cannot be a letter's id: carta writes the archive" in str(problems[0])


def test_an_archive_folder_outside_output_reserves_nothing_more(sample):
    sample.write("carta.toml", '[project]\nlocales = ["es"]\n[archive]\nfolder = "archivo"\n')
    assert set(output_folders(load_project(sample.root))) == set(OUTPUT_FOLDERS)


# R13, R14: a signing key kept private ---------------------------------------------------

def make_key(path: Path, mode: int = 0o600) -> Path:
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import ed25519

    key = ed25519.Ed25519PrivateKey.generate()  # a throwaway key, made for this test only
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(key.private_bytes(serialization.Encoding.PEM,
                                       serialization.PrivateFormat.PKCS8,
                                       serialization.NoEncryption()))
    path.chmod(mode)
    return path


def signer(root: Path, key: str):
    import dataclasses

    from generator.delivery.archive.signing import Signer

    project = load_project(root)
    project = dataclasses.replace(project, settings=dataclasses.replace(project.settings,
                                                                        signing_key=key))
    return Signer(project, project.archive)


@pytest.mark.parametrize("relative", ["archive.key", "keys/archive.key", ".keys/archive.pem"])
def test_a_signing_key_inside_the_project_is_refused(sample, relative):
    """R13: a key at the project root was used without a word; `git add -A` commits it."""
    make_key(sample.root / relative)
    with pytest.raises(CartaError, match="is inside the project") as raised:
        signer(sample.root, relative)
    assert "'git add -A' would commit it" in raised.value.message
    assert "move it" in raised.value.message and "chmod 600" in raised.value.message


def test_a_link_in_the_project_to_a_key_elsewhere_is_refused_too(sample, tmp_path):
    make_key(tmp_path / "private/archive.key")
    (sample.root / "archive.key").symlink_to(tmp_path / "private/archive.key")
    with pytest.raises(CartaError, match="is inside the project"):
        signer(sample.root, "archive.key")


def test_a_link_elsewhere_to_a_key_in_the_project_is_refused(sample, tmp_path):
    make_key(sample.root / "keys/archive.key")
    (tmp_path / "archive.key").symlink_to(sample.root / "keys/archive.key")
    with pytest.raises(CartaError, match="is inside the project"):
        signer(sample.root, str(tmp_path / "archive.key"))


@pytest.mark.parametrize("mode", [0o644, 0o640, 0o604, 0o660, 0o602])
def test_a_signing_key_others_can_read_or_change_is_refused(sample, tmp_path, mode):
    """R14: a key readable by group or others was used without a word; ssh refuses it."""
    key = make_key(tmp_path / "private/archive.key", mode)
    with pytest.raises(CartaError, match=f"permissions {mode:04o}") as raised:
        signer(sample.root, str(key))
    assert f"run 'chmod 600 {key}'" in raised.value.message


def test_a_private_key_outside_the_project_is_used(sample, tmp_path, monkeypatch):
    key = make_key(tmp_path / "home/.config/carta/archive.key", 0o400)
    assert signer(sample.root, str(key)).public is not None
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    assert signer(sample.root, "~/.config/carta/archive.key").public is not None


def test_carta_archive_refuses_a_key_at_the_root_before_any_work(sample):
    make_key(sample.root / "archive.key")
    sample.write("carta.toml", '[project]\nlocales = ["es"]\n[archive]\n'
                 'signing_key = "archive.key"\n')
    result = run(sample.root, "archive")
    assert result.exit_code == 1
    assert "carta.toml: archive.signing_key:" in result.output
    assert "is inside the project" in result.output
    assert not (sample.root / "output/archive/manifest.json").exists()


# R12: a partner's reference document keeps no link Word would follow by itself -----------

R_NS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
REMOTE = ("https://plantillas.example.invalid/membrete.dotm",
          "http://imagenes.example.invalid/logo.png",
          "http://rastreo.example.invalid/pixel.png",
          "http://rastreo.example.invalid/partido.png")
KEPT_LINK = "https://red-socia.example.org/"


def hostile_letterhead(path: Path) -> Path:
    """A fictional partner's letterhead that calls home: an attached template on a server, a
    header picture also linked from a server, an INCLUDEPICTURE field (once whole, once split
    over two runs), and an ordinary hyperlink in the footer, which may stay."""
    import base64
    import io
    import zipfile

    import docx

    document = docx.Document()
    header = document.sections[0].header
    header.paragraphs[0].text = "Red Socia Ejemplo · membrete"
    png = base64.b64decode("iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQ"
                           "DwAEhQGAhKmMIQAAAABJRU5ErkJggg==")
    header.add_paragraph().add_run().add_picture(io.BytesIO(png))
    raw = io.BytesIO()
    document.save(raw)
    with zipfile.ZipFile(io.BytesIO(raw.getvalue())) as source:
        parts = {info.filename: source.read(info.filename) for info in source.infolist()}
    header_part = next(name for name in parts if name.startswith("word/header"))
    pixel, stamp = REMOTE[2], REMOTE[3]
    field = (f'<w:p><w:fldSimple w:instr=" INCLUDEPICTURE &quot;{pixel}&quot; \\d ">'
             '<w:r><w:t>logo</w:t></w:r></w:fldSimple></w:p>')
    split = ('<w:p><w:r><w:fldChar w:fldCharType="begin"/></w:r><w:r><w:instrText> INCLUDE'
             f'</w:instrText></w:r><w:r><w:instrText>PICTURE "{stamp}" \\d</w:instrText>'
             '</w:r><w:r><w:fldChar w:fldCharType="separate"/></w:r><w:r><w:t>sello</w:t>'
             '</w:r><w:r><w:fldChar w:fldCharType="end"/></w:r></w:p>')
    text = parts[header_part].decode("utf-8")
    text = text.replace("<a:blip ", '<a:blip r:link="rIdLogo" ', 1)
    parts[header_part] = text.replace("</w:hdr>", field + split + "</w:hdr>").encode()
    settings = parts["word/settings.xml"].decode("utf-8")
    parts["word/settings.xml"] = settings.replace(
        "<w:zoom ", '<w:attachedTemplate r:id="rIdPlantilla"/><w:zoom ', 1).encode()
    assert b"attachedTemplate" in parts["word/settings.xml"]
    empty = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?><Relationships xmlns='
             '"http://schemas.openxmlformats.org/package/2006/relationships"></Relationships>')
    parts["word/_rels/settings.xml.rels"] = empty.replace("</Relationships>", (
        f'<Relationship Id="rIdPlantilla" Type="{R_NS}/attachedTemplate" Target="{REMOTE[0]}" '
        'TargetMode="External"/></Relationships>')).encode()
    rels = f"word/_rels/{header_part.split('/')[-1]}.rels"
    parts[rels] = parts.get(rels, empty.encode()).decode("utf-8").replace("</Relationships>", (
        f'<Relationship Id="rIdLogo" Type="{R_NS}/image" Target="{REMOTE[1]}" '
        f'TargetMode="External"/><Relationship Id="rIdWeb" Type="{R_NS}/hyperlink" '
        f'Target="{KEPT_LINK}" TargetMode="External"/></Relationships>')).encode()
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as target:
        for name, data in parts.items():
            target.writestr(name, data)
    return path


def remote_links(data: bytes) -> list[str]:
    """Every external target in a package's relationships, and every fetching field code."""
    import io
    import re
    import zipfile

    found = []
    with zipfile.ZipFile(io.BytesIO(data)) as package:
        for name in package.namelist():
            text = package.read(name).decode("utf-8", "replace")
            if name.endswith(".rels"):
                found += re.findall(r'Target="([^"]+)"[^>]*TargetMode="External"', text)
            found += re.findall(r"INCLUDE|PICTURE|attachedTemplate", text)
    return found


def test_a_reference_document_loses_every_link_word_would_follow_on_opening(tmp_path):
    """R12: the coalition's DOCX kept a partner letterhead's remote attachedTemplate and
    linked picture, and Word fetched them on open (a known phishing technique)."""
    import io
    import zipfile

    import docx

    from generator.outputs.docx_package import read_reference

    letterhead = hostile_letterhead(tmp_path / "membrete.docx")
    assert {*REMOTE[:2], KEPT_LINK} <= set(remote_links(letterhead.read_bytes()))
    notices = []
    cleaned = read_reference(letterhead, notices.append)
    assert remote_links(cleaned) == [KEPT_LINK]  # a hyperlink is followed only on a click
    [notice] = notices
    assert notice.kind == "refused-resource"
    for target in REMOTE:
        assert target in notice.message
    assert "the attached template" in notice.message and "a linked picture" in notice.message
    assert "membrete.docx" in notice.message
    # The letterhead is still whole: its header text, and its picture, which is embedded.
    document = docx.Document(io.BytesIO(cleaned))
    header = document.sections[0].header
    assert header.paragraphs[0].text == "Red Socia Ejemplo · membrete"
    assert [p.text for p in header.paragraphs[-2:]] == ["logo", "sello"]
    assert len(header.part.element.xpath(".//a:blip/@r:embed")) == 1
    with zipfile.ZipFile(io.BytesIO(cleaned)) as package:
        assert package.testzip() is None


def test_a_clean_reference_document_is_left_as_it_is(tmp_path):
    import docx

    from generator.outputs.docx_package import read_reference

    path = tmp_path / "membrete.docx"
    document = docx.Document()
    document.sections[0].header.paragraphs[0].text = "Red Socia Ejemplo"
    document.save(str(path))
    notices = []
    assert read_reference(path, notices.append) == path.read_bytes()
    assert notices == []


def test_the_docx_built_on_a_hostile_letterhead_calls_nowhere(sample, tmp_path):
    letterhead = hostile_letterhead(tmp_path / "membrete.docx")
    result = run(sample.root, "build", "--format", "docx", "--reference-doc", str(letterhead))
    assert result.exit_code == 0, result.output
    built = (sample.root / "output/carta-prueba/carta-prueba.es.docx").read_bytes()
    assert not set(REMOTE) & set(remote_links(built))
    assert not {"INCLUDE", "PICTURE", "attachedTemplate"} & set(remote_links(built))


@pytest.mark.parametrize("special", ["/dev/zero", "fifo"])
def test_a_reference_document_that_is_no_file_is_refused_at_once(tmp_path, special):
    import os

    from generator.outputs.docx_package import read_reference

    if special == "fifo":
        special = tmp_path / "membrete.docx"
        os.mkfifo(special)
    with pytest.raises(CartaError, match="expected a Word document, found a device, pipe"):
        read_reference(Path(special))


# R15: `carta serve` outlasts idle and trickling connections -------------------------------

class QuietEngine:
    """What the preview asks of the rebuild engine, with nothing to build."""

    def __init__(self, root: Path):
        from types import SimpleNamespace

        self.project = SimpleNamespace(root=root, output=root / "output")
        self.current, self.cycles, self.building, self.warm = [], 1, False, True

    def all_letters(self):
        return []


@pytest.fixture
def preview(tmp_path):
    """A preview server on a free loopback port, with limits made small; stopped after."""
    import threading

    from generator.app import serve

    started = []

    def start(**limits):
        lines: list[str] = []
        server, _ = serve.make_server(QuietEngine(tmp_path), serve.Hub(), "127.0.0.1", 0,
                                      limits=serve.Limits(**limits), log=lines.append)
        thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05},
                                  daemon=True)
        thread.start()
        started.append((server, thread))
        return server.server_address[1], lines, server

    yield start
    for server, thread in started:
        server.shutdown()
        server.server_close()
        thread.join(timeout=10)


def connect(port: int):
    import socket

    return socket.create_connection(("127.0.0.1", port), timeout=10)


def get(port: int, path: str = "/") -> tuple[int, bytes]:
    import http.client

    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    try:
        connection.request("GET", path, headers={"Host": f"127.0.0.1:{port}"})
        response = connection.getresponse()
        return response.status, response.read()
    finally:
        connection.close()


def closed_by_server(sock, budget: float = 10.0) -> bool:
    """Whether the server closes `sock` within `budget` seconds (True), or keeps it open."""
    import select

    ready, _, _ = select.select([sock], [], [], budget)
    if not ready:
        return False
    try:
        return sock.recv(1024) == b""
    except ConnectionResetError:
        return True


def test_idle_connections_are_closed_and_the_rest_refused_meanwhile(preview):
    """R15: idle half-open requests from another process exhausted the descriptors: no read
    timeout, no cap, and the preview answered nobody until they closed."""
    port, lines, _ = preview(read_timeout=1, connections=3)
    idle = [connect(port) for _ in range(3)]
    try:
        # Each idle one holds a place; the next is answered at once, and told why.
        assert get(port) == (503, b"the preview is busy: too many open connections\n")
        assert lines == ["carta serve: 3 connections are open, the limit; refusing more "
                         "until some close"]
        # Then the read timeout closes them, and the preview answers again.
        assert all(closed_by_server(sock) for sock in idle)
        for _ in range(50):  # the places come back as each handler ends
            status, body = get(port)
            if status == 200:
                break
        assert status == 200 and b"carta preview" in body
    finally:
        for sock in idle:
            sock.close()


def test_a_request_trickling_in_is_cut_at_its_deadline(preview):
    """A byte now and then resets no per-read timeout: the whole head has one deadline."""
    import select

    port, _, _ = preview(read_timeout=1)
    sock = connect(port)
    try:
        sock.sendall(b"GET / HTTP/1.0\r\n")
        closed = False
        for _ in range(40):  # 40 x 0.25 s: well past the 1 s deadline
            try:
                sock.sendall(b"X")
            except OSError:
                closed = True
                break
            ready, _, _ = select.select([sock], [], [], 0.25)
            if ready:
                try:
                    closed = sock.recv(1024) == b""
                except ConnectionResetError:
                    closed = True
                break
        assert closed
    finally:
        sock.close()


def test_event_streams_are_capped(preview, monkeypatch):
    import http.client

    from generator.app import serve

    monkeypatch.setattr(serve, "KEEPALIVE_SECONDS", 0.2)  # a gone reader is found soon
    port, _, _ = preview(read_timeout=2, event_streams=2)
    streams = []
    try:
        for _ in range(2):
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
            connection.request("GET", "/_carta/events", headers={"Host": f"127.0.0.1:{port}"})
            response = connection.getresponse()
            assert response.status == 200
            assert response.readline().startswith(b"retry:")
            streams.append((connection, response))
        assert get(port, "/_carta/events") == (503, b"too many open previews; close some "
                                                    b"tabs\n")
        assert get(port)[0] == 200  # pages still come: only streams are capped
        for closing in streams.pop():
            closing.close()
        for _ in range(100):  # the stream's place comes back once its keep-alive fails
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
            connection.request("GET", "/_carta/events", headers={"Host": f"127.0.0.1:{port}"})
            response = connection.getresponse()
            status = response.status
            response.close()
            connection.close()
            if status == 200:
                break
            time.sleep(0.05)
        assert status == 200
    finally:
        for connection, response in streams:
            response.close()
            connection.close()


def test_a_failing_request_is_logged_in_one_line(preview, monkeypatch):
    """R15: the preview printed ~80 raw tracebacks; an error is now one line each."""
    import http.client

    from generator.app import serve

    def broken(preview):
        raise OSError(24, "Too many open files")

    monkeypatch.setattr(serve, "index_page", broken)
    port, lines, _ = preview()
    with pytest.raises((http.client.RemoteDisconnected, ConnectionError)):
        get(port)
    for _ in range(50):  # the handler's thread logs as it ends
        if lines:
            break
        time.sleep(0.05)
    assert lines == ["carta serve: a request from 127.0.0.1 failed: OSError: [Errno 24] Too "
                     "many open files"]


def test_the_listen_queue_holds_a_burst_of_connections(preview):
    """The backlog was 5: a burst of connections while the server was busy was dropped."""
    import socket

    from generator.app import serve

    server, _ = serve.make_server(QuietEngine(Path("/nonexistent")), serve.Hub(),
                                  "127.0.0.1", 0, limits=serve.Limits(backlog=64))
    port = server.server_address[1]
    sockets = []
    try:
        for _ in range(40):  # nothing accepts: only the kernel's queue holds them
            sock = socket.socket()
            sock.settimeout(2)
            sock.connect(("127.0.0.1", port))
            sockets.append(sock)
        assert len(sockets) == 40
    finally:
        for sock in sockets:
            sock.close()
        server.server_close()
