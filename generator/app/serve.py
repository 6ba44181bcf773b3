"""`carta serve`: a live preview of the letters, rebuilt as the author saves.

The rebuild engine is the one of `carta watch` (app/watch.py): one warm process, only
what a change touches, HTML first and PDF after, each letter and locale on its own. This module
puts a small web server in front of it, on the loopback interface unless told otherwise:

- `/` lists the letters and their documents; `/preview/<letter>/<document>` shows one
  document's web page beside its PDF;
- `/_carta/events` is a stream of server-sent events: `html` and `pdf` as each file is
  written, `problems` when the list of problems changes, `cycle` after each rebuild. The
  preview page reloads its HTML and its PDF from them, keeping the reader's scroll position;
- problems show over the page (file:line: message) and in the terminal, while the page keeps
  the last version that built.

It writes where `carta build` writes, and publishes or archives nothing. Only the project's
built documents and the preview's own files are served, never a path taken from the request.
Every connection has a deadline for its request and a place among a bounded number, so that
idle or trickling connections (any local process can open them) cannot starve the author's
browser of answers or the process of file descriptors.
"""

from __future__ import annotations

import contextlib
import functools
import html
import io
import ipaddress
import json
import queue
import re
import sys
import threading
import time
import uuid
from dataclasses import dataclass
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import quote, urlsplit

from .watch import Engine

# A letter id (as validate checks it) and a document within its folder: "es", "en+es",
# "recipient.es", "pt_BR".
_SLUG = r"[a-z0-9]+(?:-[a-z0-9]+)*"
_DOCUMENT = r"[A-Za-z0-9_+-]+(?:\.[A-Za-z0-9_+-]+)?"
_PREVIEW = re.compile(rf"/preview/({_SLUG})/({_DOCUMENT})\Z")
_OUTPUT = re.compile(rf"/output/({_SLUG})/({_SLUG})\.({_DOCUMENT})\.(html|pdf)\Z")
# The page's typefaces, written beside it (rendering/webfonts.py).
_FONT = re.compile(rf"/output/({_SLUG})/fonts/([A-Za-z0-9-]+\.woff2)\Z")
KEEPALIVE_SECONDS = 15


@dataclass(frozen=True)
class Limits:
    """What one client may hold of the preview. A browser opens a handful of connections and
    one event stream per tab; these leave room for many tabs, and keep well under the usual
    limit of 1,024 file descriptors."""

    read_timeout: float = 10.0  # seconds for a request to arrive whole, and for each write
    connections: int = 64  # at once; more are answered 503 and closed
    event_streams: int = 16  # open /_carta/events at once, within `connections`
    backlog: int = 128  # connections the kernel queues before the server accepts them

# The preview's own pages load only these two files from the server, so they can forbid
# everything else, inline scripts included.
PAGE_POLICY = ("default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; "
               "frame-src 'self'; img-src 'self' data:; base-uri 'none'; form-action 'none'; "
               "frame-ancestors 'none'")
# A built letter loads nothing but its fonts from beside it (its logo is a data: URL, its
# style inline); the preview frames it, and nothing else may.
LETTER_POLICY = ("default-src 'none'; style-src 'unsafe-inline'; img-src data:; "
                 "font-src 'self' data:; base-uri 'none'; form-action 'none'; "
                 "frame-ancestors 'self'")


class Hub:
    """Fans each event out to every open event stream."""

    def __init__(self):
        self._lock = threading.Lock()
        self._clients: set[queue.Queue] = set()
        self.closed = False

    def subscribe(self) -> queue.Queue:
        client: queue.Queue = queue.Queue()
        with self._lock:
            self._clients.add(client)
        return client

    def unsubscribe(self, client: queue.Queue) -> None:
        with self._lock:
            self._clients.discard(client)

    def publish(self, event: str, data: dict) -> None:
        message = f"event: {event}\ndata: {json.dumps(data)}\n\n".encode()
        with self._lock:
            for client in self._clients:
                client.put(message)

    def close(self) -> None:
        with self._lock:
            self.closed = True
            for client in self._clients:
                client.put(None)  # each stream ends its response


class Preview:
    """What the request handlers need: the engine (project, problems) and the event hub."""

    def __init__(self, engine: Engine, hub: Hub, allowed_hosts: set[str] | None,
                 event_streams: int = Limits.event_streams):
        self.engine = engine
        self.hub = hub
        self.allowed_hosts = allowed_hosts  # None: any (the author chose a public address)
        self.boot = uuid.uuid4().hex  # a page from an earlier server reloads itself
        self.streams = threading.BoundedSemaphore(event_streams)

    @property
    def output(self) -> Path:
        return self.engine.project.output

    def url_of(self, path: Path) -> str | None:
        """/output/<letter>/<file> for a built file, if it lies inside output/."""
        try:
            relative = path.resolve().relative_to(self.output.resolve())
        except (ValueError, OSError):
            return None
        return "/output/" + quote(relative.as_posix())

    def publish(self, kind: str, data) -> None:
        """The engine's events, as the browser reads them."""
        if kind in ("html", "pdf"):
            url = self.url_of(data)
            if url:
                self.hub.publish(kind, {"url": url, "version": _version(data)})
        elif kind == "problems":
            self.hub.publish("problems", {"problems": [issue.as_dict() for issue in data]})
        elif kind == "cycle":
            self.hub.publish("cycle", data)

    def documents(self, letter: str) -> list[str]:
        """The documents built for a letter, by the part of their name after its id."""
        folder = self.output / letter
        try:
            names = sorted(path.name for path in folder.iterdir())
        except OSError:
            return []
        prefix = f"{letter}."
        return [name[len(prefix):-len(".html")] for name in names
                if name.startswith(prefix) and name.endswith(".html")]

    def built_file(self, letter: str, document: str, extension: str) -> Path | None:
        """The built file, only if it is a regular file (no link) inside output/<letter>/."""
        if not re.fullmatch(_SLUG, letter) or not re.fullmatch(_DOCUMENT, document):
            return None
        path = self.output / letter / f"{letter}.{document}.{extension}"
        try:
            if not path.is_file() or path.is_symlink() or path.parent.is_symlink():
                return None
        except OSError:
            return None
        return path


    def font(self, letter: str, name: str) -> bytes | None:
        """A typeface written beside a letter's pages, if it is a regular file there."""
        folder = self.output / letter / "fonts"
        path = folder / name
        try:
            if path.is_symlink() or folder.is_symlink() or (self.output / letter).is_symlink():
                return None
            return path.read_bytes() if path.is_file() else None
        except OSError:
            return None


def _version(path: Path) -> int:
    try:
        return path.stat().st_mtime_ns
    except OSError:
        return 0


class _HeadDeadline(io.RawIOBase):
    """The socket as the request's reader sees it: every read waits at most until one
    deadline for the whole request head, so that a client sending a byte now and then holds
    its connection no longer than one that sends nothing."""

    def __init__(self, connection, seconds: float):
        self.connection = connection
        self.seconds = seconds
        self.deadline = time.monotonic() + seconds

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:
        left = self.deadline - time.monotonic()
        if left <= 0:
            raise TimeoutError("the request did not arrive in time")
        self.connection.settimeout(min(left, self.seconds))
        return self.connection.recv_into(buffer)


class Handler(BaseHTTPRequestHandler):
    server_version = "carta-serve"
    preview: Preview  # set on the subclass made for each server
    verbose = False
    timeout = Limits.read_timeout  # StreamRequestHandler sets it on the socket

    def setup(self) -> None:
        super().setup()
        self.rfile.close()  # the socket's own reader, replaced by one with a deadline
        self.rfile = io.BufferedReader(_HeadDeadline(self.connection, self.timeout))

    def log_message(self, format: str, *args) -> None:  # noqa: A002  (the base's name)
        if self.verbose:
            super().log_message(format, *args)

    def do_GET(self) -> None:  # noqa: N802  (http.server's naming)
        # The head has arrived (a GET has no body): from here on, each write may wait for a
        # browser that reads slowly, within the same bound.
        self.connection.settimeout(self.timeout)
        if not self._host_allowed():
            self._send(HTTPStatus.FORBIDDEN, b"unexpected Host header\n", "text/plain")
            return
        path = urlsplit(self.path).path
        preview = self.preview
        if path == "/":
            self._page(index_page(preview))
        elif path == "/_carta/events":
            self._events()
        elif path == "/_carta/live.js":
            self._send(HTTPStatus.OK, page_file("live.js"), "text/javascript; charset=utf-8")
        elif path == "/_carta/preview.css":
            self._send(HTTPStatus.OK, page_file("preview.css"), "text/css; charset=utf-8")
        elif path == "/_carta/status":
            engine = preview.engine
            body = {"cycles": engine.cycles, "building": engine.building, "warm": engine.warm,
                    "problems": [issue.as_dict() for issue in engine.current]}
            self._send(HTTPStatus.OK, json.dumps(body).encode(), "application/json")
        elif match := _PREVIEW.match(path):
            self._page(preview_page(preview, match.group(1), match.group(2)))
        elif (match := _OUTPUT.match(path)) and match.group(1) == match.group(2):
            letter, document, extension = match.group(1), match.group(3), match.group(4)
            found = preview.built_file(letter, document, extension)
            if found is None:
                self._send(HTTPStatus.NOT_FOUND, b"not built (yet)\n", "text/plain")
                return
            try:
                data = found.read_bytes()
            except OSError:
                self._send(HTTPStatus.NOT_FOUND, b"not built (yet)\n", "text/plain")
                return
            kind = "text/html; charset=utf-8" if extension == "html" else "application/pdf"
            self._send(HTTPStatus.OK, data, kind,
                       LETTER_POLICY if extension == "html" else None)
        elif match := _FONT.match(path):
            data = preview.font(match.group(1), match.group(2))
            if data is None:
                self._send(HTTPStatus.NOT_FOUND, b"not found\n", "text/plain")
            else:
                self._send(HTTPStatus.OK, data, "font/woff2")
        else:
            self._send(HTTPStatus.NOT_FOUND, b"not found\n", "text/plain")

    def _host_allowed(self) -> bool:
        """Refuse a Host this server was not asked under: a web page that points its own
        domain at 127.0.0.1 (DNS rebinding) must not read the letters."""
        allowed = self.preview.allowed_hosts
        return allowed is None or self.headers.get("Host", "") in allowed

    def _page(self, body: str) -> None:
        self._send(HTTPStatus.OK, body.encode(), "text/html; charset=utf-8", PAGE_POLICY)

    def _send(self, status: HTTPStatus, data: bytes, kind: str,
              policy: str | None = None) -> None:
        self.send_response(status)
        self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(len(data)))
        self.send_header("Cache-Control", "no-store")
        self.send_header("X-Content-Type-Options", "nosniff")
        self.send_header("Referrer-Policy", "no-referrer")
        if policy:
            self.send_header("Content-Security-Policy", policy)
        self.end_headers()
        with contextlib.suppress(BrokenPipeError, ConnectionResetError):
            self.wfile.write(data)  # the browser may have gone meanwhile

    def _events(self) -> None:
        preview = self.preview
        if not preview.streams.acquire(blocking=False):
            self._send(HTTPStatus.SERVICE_UNAVAILABLE, b"too many open previews; close some "
                       b"tabs\n", "text/plain")
            return
        client = preview.hub.subscribe()
        try:
            self.send_response(HTTPStatus.OK)
            self.send_header("Content-Type", "text/event-stream")
            self.send_header("Cache-Control", "no-store")
            self.send_header("X-Content-Type-Options", "nosniff")
            self.end_headers()
            hello = {"boot": preview.boot,
                     "problems": [issue.as_dict() for issue in preview.engine.current]}
            self.wfile.write(f"retry: 1000\nevent: hello\ndata: {json.dumps(hello)}\n\n"
                             .encode())
            self.wfile.flush()
            while not preview.hub.closed:
                try:
                    message = client.get(timeout=KEEPALIVE_SECONDS)
                except queue.Empty:
                    message = b": keep-alive\n\n"  # finds a closed connection, too
                if message is None:
                    break
                self.wfile.write(message)
                self.wfile.flush()
        except OSError:
            pass  # the browser left, or stopped reading for longer than the write timeout
        finally:
            preview.hub.unsubscribe(client)
            preview.streams.release()


class PreviewServer(ThreadingHTTPServer):
    """A thread per connection, up to `limits.connections` of them; beyond, a connection is
    answered 503 at once and closed, so descriptors stay bounded. Errors are one line each."""

    daemon_threads = True  # open event streams never hold up the end

    def __init__(self, address, handler, limits: Limits, log):
        self.request_queue_size = limits.backlog  # read by listen() in server_activate
        self.limits = limits
        self.log = log
        self._slots = threading.BoundedSemaphore(limits.connections)
        self._full = False  # said once each time the limit is reached, not per connection
        super().__init__(address, handler)

    def process_request(self, request, client_address) -> None:
        if not self._slots.acquire(blocking=False):
            if not self._full:
                self._full = True
                self.log(f"carta serve: {self.limits.connections} connections are open, the "
                         "limit; refusing more until some close")
            self._refuse(request)
            return
        self._full = False
        try:
            super().process_request(request, client_address)
        except BaseException:  # no thread: the slot is not going to be given back there
            self._slots.release()
            raise

    def process_request_thread(self, request, client_address) -> None:
        try:
            super().process_request_thread(request, client_address)
        finally:
            self._slots.release()

    def _refuse(self, request) -> None:
        body = b"the preview is busy: too many open connections\n"
        head = (f"HTTP/1.0 503 Service Unavailable\r\nContent-Type: text/plain\r\n"
                f"Content-Length: {len(body)}\r\nRetry-After: 1\r\nConnection: close\r\n\r\n")
        try:
            request.setblocking(False)  # never wait on a client that is not reading
            request.send(head.encode("ascii") + body)
        except OSError:
            pass
        self.shutdown_request(request)

    def handle_error(self, request, client_address) -> None:
        """One line, not a traceback; nothing for a client that left or stalled."""
        kind, error, _ = sys.exc_info()
        if isinstance(error, (ConnectionError, TimeoutError)):
            return
        name = kind.__name__ if kind else "error"
        self.log(f"carta serve: a request from {client_address[0]} failed: {name}: {error}")


def _log_to_stderr(line: str) -> None:
    print(line, file=sys.stderr, flush=True)


def make_server(engine: Engine, hub: Hub, host: str = "127.0.0.1", port: int = 8000,
                verbose: bool = False, limits: Limits = Limits(),
                log=_log_to_stderr) -> tuple[PreviewServer, Preview]:
    """A server bound to host:port (port 0: any free port), not yet serving. `log` hears
    each error, one line at a time."""
    class Bound(Handler):
        timeout = limits.read_timeout

    server = PreviewServer((host, port), Bound, limits, log)
    bound_port = server.server_address[1]
    allowed = None
    if is_loopback(host):
        names = {"localhost", "127.0.0.1", "[::1]", host if ":" not in host else f"[{host}]"}
        allowed = {f"{name}:{bound_port}" for name in names}
    preview = Preview(engine, hub, allowed, limits.event_streams)
    Bound.preview = preview
    Bound.verbose = verbose
    engine.publish = preview.publish
    return server, preview


def is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def serve(engine: Engine, host: str = "127.0.0.1", port: int = 8000,
          announce=print, interval: float = 1.0, verbose: bool = False) -> None:
    """Serve the preview and rebuild on every change until Ctrl-C (or SIGTERM)."""
    from .changes import ChangeFeed

    hub = Hub()
    server, _ = make_server(engine, hub, host, port, verbose)
    shown_host = f"[{host}]" if ":" in host else host
    url = f"http://{shown_host}:{server.server_address[1]}/"
    thread = threading.Thread(target=server.serve_forever, name="carta-http", daemon=True)
    thread.start()
    feed = ChangeFeed(engine.project, interval, report=engine.warn).start()
    try:
        engine.run(feed, ready=lambda: announce(
            f"serving the preview at {url} (Ctrl-C to stop)"))
    finally:
        feed.close()
        hub.close()
        server.shutdown()
        server.server_close()


# Pages ----------------------------------------------------------------------------------

# The preview's own pages (Jinja templates, autoescaped) and the two files they load.
PAGES = Path(__file__).parent / "pages"


@functools.cache
def _templates():
    import jinja2

    return jinja2.Environment(loader=jinja2.FileSystemLoader(PAGES), autoescape=True,
                              finalize=_escaped, trim_blocks=True, lstrip_blocks=True,
                              keep_trailing_newline=True, undefined=jinja2.StrictUndefined)


def _escaped(value):
    """Every value escaped as `html.escape` does it (&#x27;, &quot;), the entities the
    preview has always written; autoescaping then leaves it as it is."""
    from markupsafe import Markup

    return value if isinstance(value, Markup) else Markup(html.escape(str(value)))


@functools.cache
def page_file(name: str) -> bytes:
    """A file the preview pages load (live.js, preview.css), as shipped in the package."""
    return (PAGES / name).read_bytes()


def index_page(preview: Preview) -> str:
    engine = preview.engine
    letters = []
    for letter in engine.all_letters():
        documents = [{"name": document, "base": f"/output/{letter}/{letter}.{document}",
                      "pdf": preview.built_file(letter, document, "pdf") is not None}
                     for document in preview.documents(letter)]
        problems = sum(1 for issue in engine.current if issue.letter == letter)
        letters.append({"id": letter, "documents": documents, "problems": problems})
    state = "building…" if engine.building or not engine.cycles else "watching for changes"
    return _templates().get_template("index.html").render(
        title="carta preview", attributes={"page": "index", "boot": preview.boot},
        issues=engine.current, project_name=engine.project.root.name, state=state,
        letters=letters)


def preview_page(preview: Preview, letter: str, document: str) -> str:
    engine = preview.engine
    base = f"/output/{letter}/{letter}.{document}"
    html_file = preview.built_file(letter, document, "html")
    pdf_file = preview.built_file(letter, document, "pdf")
    return _templates().get_template("preview.html").render(
        title=f"{letter} ({document}) — carta preview",
        attributes={"page": "preview", "boot": preview.boot, "html": f"{base}.html",
                    "pdf": f"{base}.pdf"},
        issues=engine.current, letter=letter, document=document,
        documents=preview.documents(letter), base=base, html_built=html_file is not None,
        html_src=f"{base}.html?v={_version(html_file)}" if html_file else "about:blank",
        pdf_src=f"{base}.pdf?v={_version(pdf_file)}" if pdf_file else "about:blank")
