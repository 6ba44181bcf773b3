"""`carta serve`: a real server process on a free loopback port, edited under it, read over
HTTP and its event stream, and in a headless Chromium. Every wait is bounded; every server
is stopped at the end."""

from __future__ import annotations

import http.client
import json
import os
import queue
import re
import select
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from browser import CHROMIUM, chromium
from click.testing import CliRunner
from test_i18n import SAMPLE_PO, translate

from generator.app.changes import ChangeFeed
from generator.app.cli import cli
from generator.core.project import load_project

REPO = Path(__file__).resolve().parent.parent
LETTER = "content/letters/carta-prueba.yaml"
PAGE = "/output/carta-prueba/carta-prueba.es.html"
PDF = "/output/carta-prueba/carta-prueba.es.pdf"
WAIT = 60  # seconds: generous for a loaded machine, never forever


class Server:
    """`carta serve --port 0` on a project, with its event stream read in a thread."""

    def __init__(self, root: Path, tmp: Path):
        self.tmp = tmp
        self.process = subprocess.Popen(
            [sys.executable, "-m", "generator", "--project", str(root), "serve", "--port", "0"],
            cwd=REPO, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
            env={**os.environ, "TMPDIR": str(tmp)})
        self.first_line = line = self._first_line()
        found = re.search(r"serving the preview at http://127\.0\.0\.1:(\d+)/", line)
        assert found, line
        self.port = int(found.group(1))
        self.events: queue.Queue = queue.Queue()
        self._reader = threading.Thread(target=self._read_events, daemon=True)
        self._reader.start()
        self.wait(lambda: self.status()["cycles"] >= 1 and not self.status()["building"],
                  "the first build")
        self.drain()

    def drain(self) -> None:
        """Forget the events so far (the first build's): the next ones are the test's."""
        while not self.events.empty():
            self.events.get_nowait()

    def _first_line(self) -> str:
        ready, _, _ = select.select([self.process.stdout], [], [], WAIT)
        assert ready, "carta serve printed nothing"
        return self.process.stdout.readline()

    def _read_events(self) -> None:
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=WAIT * 2)
        connection.request("GET", "/_carta/events")
        response = connection.getresponse()
        kind = None
        try:
            while line := response.readline():
                text = line.decode().rstrip("\n")
                if text.startswith("event: "):
                    kind = text[7:]
                elif text.startswith("data: "):
                    self.events.put((kind, json.loads(text[6:])))
        except OSError:
            pass  # the server stopped

    def get(self, path: str, host: str | None = None) -> tuple[int, bytes]:
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=WAIT)
        headers = {"Host": host} if host else {}
        connection.request("GET", path, headers=headers)
        response = connection.getresponse()
        body = response.read()
        connection.close()
        return response.status, body

    def text(self, path: str) -> str:
        status, body = self.get(path)
        assert status == 200, (path, status)
        return body.decode("utf-8")

    def status(self) -> dict:
        return json.loads(self.text("/_carta/status"))

    def next_event(self, wanted, what: str) -> tuple[str, dict]:
        """The next event `wanted(kind, data)` accepts; those before it are dropped."""
        deadline = time.monotonic() + WAIT
        while time.monotonic() < deadline:
            try:
                kind, data = self.events.get(timeout=0.2)
            except queue.Empty:
                continue
            if wanted(kind, data):
                return kind, data
        raise AssertionError(f"no event: {what}")

    def wait(self, condition, what: str) -> None:
        deadline = time.monotonic() + WAIT
        while not condition():
            assert time.monotonic() < deadline, f"timed out waiting for {what}"
            time.sleep(0.05)

    def stop(self) -> tuple[str, str]:
        self.process.terminate()
        try:
            out, err = self.process.communicate(timeout=30)
        except subprocess.TimeoutExpired:
            self.process.kill()
            out, err = self.process.communicate(timeout=30)
        return out, err


@pytest.fixture
def serve(tmp_path):
    servers: list[Server] = []
    private = tmp_path / "tmp"
    private.mkdir()

    def start(root: Path) -> Server:
        servers.append(Server(root, private))
        return servers[-1]

    yield start
    for server in servers:
        if server.process.poll() is None:
            server.stop()


def built(url: str):
    return lambda kind, data: kind in ("html", "pdf") and data["url"] == url


def problems(kind: str, data: dict) -> bool:
    return kind == "problems"


def test_an_edit_is_served_html_first_then_pdf(sample, serve, tmp_path):
    server = serve(sample.root)
    index = server.text("/")
    assert 'href="/preview/carta-prueba/es"' in index
    assert "Primer párrafo" in server.text(PAGE)
    assert server.get(PDF)[1].startswith(b"%PDF-")

    sample.replace(LETTER, "Primer párrafo", "Párrafo editado en vivo")
    kinds = [server.next_event(built(PAGE), "the page")[0]]
    assert "Párrafo editado en vivo" in server.text(PAGE)
    kinds.append(server.next_event(built(PDF), "the PDF")[0])
    assert kinds == ["html", "pdf"]
    server.wait(lambda: not server.status()["building"], "the rebuild to end")

    # Idle, the server holds no lock: a build in the same project runs, and finds nothing
    # to do, since the server wrote where it writes.
    result = CliRunner().invoke(cli, ["--project", str(sample.root), "build"])
    assert result.exit_code == 0, result.output
    assert "built 0, skipped 2 unchanged" in result.output

    # Only what the project built is served, and only under the name it was asked by.
    assert server.get("/output/carta-prueba/../../carta.toml")[0] == 404
    assert server.get("/output/carta-prueba/carta-prueba.yaml")[0] == 404
    assert server.get("/", host="attacker.example:80")[0] == 403

    out, _ = server.stop()
    assert out.splitlines()[:2] == ["wrote output/carta-prueba/carta-prueba.es.html",
                                    "wrote output/carta-prueba/carta-prueba.es.pdf"]
    assert out.splitlines()[-1] == "stopped serving"
    assert list((tmp_path / "tmp").iterdir()) == []  # the warm engine's fonts are gone too


def test_a_problem_shows_in_the_page_and_the_last_good_version_stays(sample, serve):
    server = serve(sample.root)
    sample.replace(LETTER, "date: 2024-03-01", "date: 2024-02-30")

    def the_date(kind: str, data: dict) -> bool:
        # An editor's save may be seen half-written first: wait for the finished file's problem.
        return problems(kind, data) and any(
            problem["text"].startswith("content/letters/carta-prueba.yaml:2:") and
            "expected a date as YYYY-MM-DD" in problem["text"] for problem in data["problems"])

    server.next_event(the_date, "the problem")
    preview = server.text("/preview/carta-prueba/es")
    assert "content/letters/carta-prueba.yaml:2:" in preview
    assert "expected a date as YYYY-MM-DD, found &#x27;2024-02-30&#x27;" in preview
    assert "Primer párrafo" in server.text(PAGE)  # the last good version

    sample.replace(LETTER, "date: 2024-02-30", "date: 2024-03-02")
    server.next_event(built(PAGE), "the fixed page")
    server.next_event(lambda kind, data: problems(kind, data) and not data["problems"],
                      "the problem cleared")
    assert "expected a date" not in server.text("/preview/carta-prueba/es")
    assert "2 de marzo de 2024" in server.text(PAGE)


def test_a_stale_translation_does_not_hold_back_the_original(sample, serve):
    sample.write("carta.toml", '[project]\nlocales = ["es", "en"]\n')
    assert CliRunner().invoke(cli, ["--project", str(sample.root), "i18n", "update"]) \
        .exit_code == 0
    translate(sample.root / SAMPLE_PO, {
        "paragraph": "First paragraph of Example Organization A.[^nota-a]",
        "heading": "Test section",
        "grievance:agravio-a": "a fictional grievance;",
        "grievance:agravio-b": "another fictional grievance.",
        "demand:demanda-a": "A fictional demand.",
        "demand:demanda-b": "Another fictional demand.",
        "reference:nota-a": "See https://example.org/nota-a",
    })
    server = serve(sample.root)
    english = "/output/carta-prueba/carta-prueba.en.html"
    assert "First paragraph of Example Organization A." in server.text(english)
    assert server.status()["problems"] == []

    sample.replace(LETTER, "Primer párrafo", "Párrafo nuevo, aún sin traducir")
    server.next_event(built(PAGE), "the Spanish page")
    assert "Párrafo nuevo, aún sin traducir" in server.text(PAGE)
    server.wait(lambda: not server.status()["building"], "the rebuild to end")
    reported = [problem["text"] for problem in server.status()["problems"]]
    assert reported == [
        f"{SAMPLE_PO}: body[1].paragraph: en translation is stale: the source text changed "
        "since it was translated (\"Párrafo nuevo, aún sin traducir de…\"); run 'carta i18n "
        "update' and revise the catalog"], reported
    # English keeps its last good version until the translation catches up.
    assert "First paragraph of Example Organization A." in server.text(english)


def test_polling_finds_a_change_when_notifications_are_off(sample):
    feed = ChangeFeed(load_project(sample.root), interval=0.05, notify=False).start()
    try:
        time.sleep(0.2)  # the first look is taken
        sample.replace(LETTER, "Primer párrafo", "Párrafo sondeado")
        changed: set[Path] = set()
        deadline = time.monotonic() + WAIT
        while not changed and time.monotonic() < deadline:
            changed = feed.next(timeout=0.2)
    finally:
        feed.close()
    assert sample.root / LETTER in changed


def until(page, expression: str, what: str) -> None:
    """Poll `expression` in the page from here: the preview's policy forbids eval(), which
    Playwright's own wait_for_function needs."""
    deadline = time.monotonic() + WAIT
    while not page.evaluate(expression):
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.05)


@pytest.mark.skipif(not CHROMIUM.is_file(),
                    reason="Debian's chromium is not installed at /usr/bin/chromium "
                           "(.ci/run installs it)")
def test_the_preview_reloads_itself_in_chromium(sample, serve):
    server = serve(sample.root)
    errors: list[str] = []
    with chromium() as browser:
        page = browser.new_page(viewport={"width": 1280, "height": 900})
        page.on("console", lambda message: message.type == "error"
                and errors.append(message.text))
        page.on("pageerror", lambda error: errors.append(str(error)))
        page.goto(f"http://127.0.0.1:{server.port}/preview/carta-prueba/es",
                  wait_until="load")
        until(page, "document.body.dataset.live === 'yes'", "the event stream")
        frame_text = ("document.getElementById('carta-html')"
                      ".contentDocument.body.innerText")
        assert "Primer párrafo" in page.evaluate(frame_text)
        page.evaluate("window.carta_test_mark = 'still here'")

        sample.replace(LETTER, "Primer párrafo", "Párrafo recargado solo")
        until(page, f"{frame_text}.includes('Párrafo recargado solo')", "the new page")
        # The frame was swapped, the page itself never navigated.
        assert page.evaluate("window.carta_test_mark") == "still here"
        assert page.evaluate("document.body.dataset.reloads") == "1"

        sample.replace(LETTER, "date: 2024-03-01", "date: 2024-02-30")
        until(page, "!document.getElementById('carta-problems').hidden && document"
                    ".getElementById('carta-problems').innerText.includes('expected a date')",
              "the overlay")
        overlay = page.inner_text("#carta-problems")
        assert "content/letters/carta-prueba.yaml:2:" in overlay
        assert "expected a date" in overlay
        assert "Párrafo recargado solo" in page.evaluate(frame_text)  # still shown
    assert errors == []
