"""`carta serve`: a live preview of the letters, rebuilt as the author saves.

The rebuild engine is the one of `carta watch` (generator/watch.py): one warm process, only
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
"""

from __future__ import annotations

import contextlib
import html
import ipaddress
import json
import queue
import re
import threading
import uuid
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import quote, urlsplit

from .watch import Engine, Issue

# A letter id (as validate checks it) and a document within its folder: "es", "en+es",
# "recipient.es", "pt_BR".
_SLUG = r"[a-z0-9]+(?:-[a-z0-9]+)*"
_DOCUMENT = r"[A-Za-z0-9_+-]+(?:\.[A-Za-z0-9_+-]+)?"
_PREVIEW = re.compile(rf"/preview/({_SLUG})/({_DOCUMENT})\Z")
_OUTPUT = re.compile(rf"/output/({_SLUG})/({_SLUG})\.({_DOCUMENT})\.(html|pdf)\Z")
# The page's typefaces, written beside it (generator/webfonts.py).
_FONT = re.compile(rf"/output/({_SLUG})/fonts/([A-Za-z0-9-]+\.woff2)\Z")
KEEPALIVE_SECONDS = 15

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

    def __init__(self, engine: Engine, hub: Hub, allowed_hosts: set[str] | None):
        self.engine = engine
        self.hub = hub
        self.allowed_hosts = allowed_hosts  # None: any (the author chose a public address)
        self.boot = uuid.uuid4().hex  # a page from an earlier server reloads itself

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


class Handler(BaseHTTPRequestHandler):
    server_version = "carta-serve"
    preview: Preview  # set on the subclass made for each server
    verbose = False

    def log_message(self, format: str, *args) -> None:  # noqa: A002  (the base's name)
        if self.verbose:
            super().log_message(format, *args)

    def do_GET(self) -> None:  # noqa: N802  (http.server's naming)
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
            self._send(HTTPStatus.OK, LIVE_JS.encode(), "text/javascript; charset=utf-8")
        elif path == "/_carta/preview.css":
            self._send(HTTPStatus.OK, PREVIEW_CSS.encode(), "text/css; charset=utf-8")
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
        except (BrokenPipeError, ConnectionResetError, OSError):
            pass  # the browser left
        finally:
            preview.hub.unsubscribe(client)


def make_server(engine: Engine, hub: Hub, host: str = "127.0.0.1", port: int = 8000,
                verbose: bool = False) -> tuple[ThreadingHTTPServer, Preview]:
    """A server bound to host:port (port 0: any free port), not yet serving."""
    class Bound(Handler):
        pass

    server = ThreadingHTTPServer((host, port), Bound)
    server.daemon_threads = True  # open event streams never hold up the end
    bound_port = server.server_address[1]
    allowed = None
    if is_loopback(host):
        names = {"localhost", "127.0.0.1", "[::1]", host if ":" not in host else f"[{host}]"}
        allowed = {f"{name}:{bound_port}" for name in names}
    preview = Preview(engine, hub, allowed)
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
    from .watch import ChangeFeed

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

def _problems_box(issues: list[Issue]) -> str:
    items = "".join(
        f"<li><code>{html.escape(issue.where)}</code> "
        f"{html.escape((issue.field + ': ') if issue.field else '')}"
        f"{html.escape(issue.message)}</li>" for issue in issues)
    count = len(issues)
    title = f"{count} problem{'s' if count != 1 else ''}"
    return (f'<aside id="carta-problems" role="alert"{"" if issues else " hidden"}>'
            f'<p><strong class="count">{title}</strong> — what they touch keeps its last '
            f'good version until they are fixed.</p><ol>{items}</ol></aside>')


def _frame(title: str, body: str, attributes: dict[str, str], issues: list[Issue]) -> str:
    data = "".join(f' data-{name}="{html.escape(value)}"' for name, value in attributes.items())
    return (f'<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
            f'<meta name="viewport" content="width=device-width, initial-scale=1">'
            f'<title>{html.escape(title)}</title>'
            f'<link rel="icon" href="data:,">'
            f'<link rel="stylesheet" href="/_carta/preview.css"></head>'
            f'<body{data}>{body}{_problems_box(issues)}'
            f'<script src="/_carta/live.js"></script></body></html>\n')


def index_page(preview: Preview) -> str:
    engine = preview.engine
    rows = []
    for letter in engine.all_letters():
        documents = preview.documents(letter)
        problems = sum(1 for issue in engine.current if issue.letter == letter)
        links = []
        for document in documents:
            base = f"/output/{letter}/{letter}.{document}"
            pdf = preview.built_file(letter, document, "pdf")
            links.append(
                f'<li><a href="/preview/{letter}/{html.escape(document)}">'
                f'{html.escape(document)}: preview</a> <span class="files">'
                f'<a href="{html.escape(base)}.html">HTML</a>'
                + (f' · <a href="{html.escape(base)}.pdf">PDF</a>' if pdf else "")
                + "</span></li>")
        status = (f'<span class="bad">{problems} problem{"s" if problems != 1 else ""}</span>'
                  if problems else "")
        built = f"<ul>{''.join(links)}</ul>" if links else '<p class="none">not built yet</p>'
        rows.append(f"<li><h2>{html.escape(letter)} {status}</h2>{built}</li>")
    state = "building…" if engine.building or not engine.cycles else "watching for changes"
    body = (f'<header><h1>Letters in {html.escape(engine.project.root.name)}</h1>'
            f'<p class="state">{state}</p></header>'
            f'<main><ol class="letters">{"".join(rows)}</ol></main>')
    return _frame("carta preview", body, {"page": "index", "boot": preview.boot},
                  engine.current)


def preview_page(preview: Preview, letter: str, document: str) -> str:
    engine = preview.engine
    base = f"/output/{letter}/{letter}.{document}"
    html_file = preview.built_file(letter, document, "html")
    pdf_file = preview.built_file(letter, document, "pdf")
    others = "".join(
        f'<a href="/preview/{letter}/{html.escape(other)}"'
        f'{" aria-current=page" if other == document else ""}>{html.escape(other)}</a>'
        for other in preview.documents(letter))
    html_src = f"{base}.html?v={_version(html_file)}" if html_file else "about:blank"
    pdf_src = f"{base}.pdf?v={_version(pdf_file)}" if pdf_file else "about:blank"
    body = (
        f'<header><a href="/">All letters</a> <strong>{html.escape(letter)}</strong> '
        f'<nav>{others}</nav>'
        f'<span class="views"><button type="button" data-view="page" aria-pressed="true">'
        f'Web page</button><button type="button" data-view="pdf" aria-pressed="false">PDF'
        f'</button><button type="button" data-view="both" aria-pressed="false">Both</button>'
        f'</span> <a href="{html.escape(base)}.pdf" target="_blank" rel="noopener">open PDF</a>'
        f'</header><main class="view-page">'
        f'<div class="pane" id="pane-html">'
        + ("" if html_file else '<p class="none">not built yet: see the problems below</p>')
        + f'<iframe id="carta-html" title="web page" src="{html.escape(html_src)}" '
        f'sandbox="allow-same-origin allow-popups allow-popups-to-escape-sandbox"></iframe>'
        f'</div><div class="pane" id="pane-pdf"><iframe id="carta-pdf" title="PDF" '
        f'src="about:blank" data-src="{html.escape(pdf_src)}"></iframe></div></main>')
    return _frame(f"{letter} ({document}) — carta preview", body,
                  {"page": "preview", "boot": preview.boot, "html": f"{base}.html",
                   "pdf": f"{base}.pdf"}, engine.current)


PREVIEW_CSS = """\
html, body { margin: 0; height: 100%; font: 15px/1.4 system-ui, sans-serif; color: #222; }
body { display: flex; flex-direction: column; }
header { display: flex; gap: 1em; align-items: center; flex-wrap: wrap;
  padding: .5em 1em; background: #f3f1ec; border-bottom: 1px solid #ccc; }
header h1 { font-size: 1.2em; margin: 0; }
header nav a { margin-right: .5em; }
header nav a[aria-current] { font-weight: bold; }
button[aria-pressed="true"] { font-weight: bold; }
main { flex: 1; display: flex; min-height: 0; }
main > ol { padding: 1em 2.5em; overflow: auto; flex: 1; }
.letters h2 { font-size: 1.05em; margin: .8em 0 .2em; }
.files, .state, .none { color: #666; }
.bad { color: #a00; font-size: .85em; }
.pane { flex: 1; position: relative; min-width: 0; }
.pane iframe { position: absolute; inset: 0; width: 100%; height: 100%; border: 0;
  background: white; }
.pane iframe.loading { visibility: hidden; }
.pane .none { padding: 1em; }
main.view-page #pane-pdf, main.view-pdf #pane-html { display: none; }
main.view-both #pane-html { border-right: 1px solid #ccc; }
#carta-problems { position: fixed; left: 1em; right: 1em; bottom: 1em; max-height: 45vh;
  overflow: auto; background: #fff5f5; border: 2px solid #c00; border-radius: 6px;
  padding: .5em 1em; box-shadow: 0 4px 16px rgba(0,0,0,.25); z-index: 10; }
#carta-problems[hidden] { display: none; }
#carta-problems p { margin: .2em 0 .4em; }
#carta-problems ol { margin: 0; padding-left: 1.5em; }
#carta-problems code { font-weight: bold; }
"""

LIVE_JS = """\
// carta serve: reload the preview from server-sent events, keep the scroll position, show
// problems. Content reaches the page only as text (textContent), never as markup.
(() => {
  "use strict";
  const body = document.body;
  const data = body.dataset;
  let reloads = 0;

  function showProblems(problems) {
    const box = document.getElementById("carta-problems");
    const list = box.querySelector("ol");
    list.replaceChildren(...problems.map((problem) => {
      const item = document.createElement("li");
      const where = document.createElement("code");
      where.textContent = problem.where;
      item.append(where, " " + (problem.field ? problem.field + ": " : "") + problem.message);
      return item;
    }));
    const count = problems.length;
    box.querySelector(".count").textContent = count + (count === 1 ? " problem" : " problems");
    box.hidden = count === 0;
  }

  // Load the new version in a hidden frame, then swap: no blank flash, same scroll position.
  function swap(id, url) {
    const old = document.getElementById(id);
    const fresh = old.cloneNode(false);
    fresh.removeAttribute("id");
    fresh.classList.add("loading");
    fresh.addEventListener("load", () => {
      try {
        const from = old.contentWindow;
        fresh.contentWindow.scrollTo(from.scrollX, from.scrollY);
      } catch (error) { /* a PDF viewer keeps its own position */ }
      old.remove();
      fresh.classList.remove("loading");
      fresh.id = id;
      reloads += 1;
      body.dataset.reloads = String(reloads);
    }, { once: true });
    fresh.src = url;
    old.after(fresh);
    const placeholder = old.parentElement.querySelector(".none");
    if (placeholder) placeholder.remove();
  }

  function showPdf(url) {
    const frame = document.getElementById("carta-pdf");
    if (!frame) return;
    if (document.querySelector("main.view-page")) {
      frame.dataset.src = url;  // loaded when the PDF is shown
    } else {
      frame.dataset.src = "";
      frame.src = url;
    }
  }

  for (const button of document.querySelectorAll("button[data-view]")) {
    button.addEventListener("click", () => {
      const main = document.querySelector("main");
      main.className = "view-" + button.dataset.view;
      for (const other of document.querySelectorAll("button[data-view]")) {
        other.setAttribute("aria-pressed", String(other === button));
      }
      const frame = document.getElementById("carta-pdf");
      if (button.dataset.view !== "page" && frame.dataset.src) showPdf(frame.dataset.src);
    });
  }

  let pending = null;
  const source = new EventSource("/_carta/events");
  source.addEventListener("hello", (event) => {
    const hello = JSON.parse(event.data);
    if (hello.boot !== data.boot) { location.reload(); return; }  // a new server
    showProblems(hello.problems);
    body.dataset.live = "yes";
  });
  source.addEventListener("problems", (event) => {
    showProblems(JSON.parse(event.data).problems);
  });
  source.addEventListener("html", (event) => {
    const built = JSON.parse(event.data);
    if (data.page === "preview" && built.url === data.html) {
      swap("carta-html", built.url + "?v=" + built.version);
    }
  });
  source.addEventListener("pdf", (event) => {
    const built = JSON.parse(event.data);
    if (data.page === "preview" && built.url === data.pdf) {
      showPdf(built.url + "?v=" + built.version);
    }
  });
  source.addEventListener("cycle", () => {
    // The index lists what exists: read it again once a rebuild is over.
    if (data.page === "index") {
      clearTimeout(pending);
      pending = setTimeout(() => location.reload(), 200);
    }
  });
})();
"""

