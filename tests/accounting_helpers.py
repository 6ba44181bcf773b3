"""What the tests of issue 26 share (deadlines, status, reminders, progress, the site's feeds):
a reply's stand-in document, and axe-core run in the system's Chromium."""

from __future__ import annotations

from pathlib import Path

import pypdf
from browser import CHROMIUM, chromium
from test_html_pages import open_page

__all__ = ["BODIES", "CHROMIUM", "axe_violations", "blank_pdf", "chromium", "write_reply"]

# Three fictional bodies a letter can write to (content/recipients.yaml).
BODIES = """\
organismo-ejemplo:
  name: {es: Organismo Ejemplo A, en: Example Body A}
organismo-b:
  name: {es: Organismo Ejemplo B, en: Example Body B}
organismo-c:
  name: {es: Organismo Ejemplo C, en: Example Body C}
"""


def blank_pdf(path: Path) -> Path:
    """A one-page PDF: a reply's document, whose contents these tests never read."""
    writer = pypdf.PdfWriter()
    writer.add_blank_page(width=595, height=842)
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "wb") as stream:
        writer.write(stream)
    return path


def axe_violations(browser, path: Path, width: int, check=None) -> tuple[list[str], list[str]]:
    """axe-core's violations on `path` at `width`, and the requests the page made;
    `check(page)` looks at the page first."""
    from axe_playwright_python.base import AXE_SCRIPT  # axe-core's axe.min.js, bundled

    page, requests = open_page(browser, path, width)
    try:
        if check:
            check(page)
        page.evaluate(AXE_SCRIPT)
        return page.evaluate("() => axe.run().then(results => results.violations.map(v => "
                             "`${v.id}: ${v.nodes.map(n => n.target).join(', ')}`))"), requests
    finally:
        page.close()


def write_reply(root: Path, ident: str, date: str, sender: str, letter: str) -> None:
    """A fictional reply `ident` from `sender` to `letter`, its document a blank page."""
    blank_pdf(root / f"content/responses/{ident}.pdf")
    (root / f"content/responses/{ident}.yaml").write_text(
        f"id: {ident}\ndate: {date}\nfrom: {sender}\nreplies_to: {letter}\n"
        f"document: responses/{ident}.pdf\n"
        "summary: El organismo responde de forma ficticia.\n", encoding="utf-8")
