"""`carta site`: the campaign site over the seed letter and a follow-up, statically and in a
real headless Chromium."""

from __future__ import annotations

import re
import shutil
import struct
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pytest
from browser import CHROMIUM, chromium
from click.testing import CliRunner
from conftest import SEED_ID

from generator.app.cli import cli

FOLLOWUP_ID = "2017-11-20-seguimiento"
FOLLOWUP_FILE = f"content/letters/{FOLLOWUP_ID}.yaml"
DEMANDS = ("excusar-gobierno-comite", "reagendar-mision", "mecanismo-respuesta-rapida")
# Where a developer looks at the screenshot; absent elsewhere (CI), and then skipped.
SCRATCH = Path("/work/scratch")


def run(*args: str):
    return CliRunner().invoke(cli, list(args))


def follow_up(root: Path) -> None:
    """A draft follow-up of the seed letter, of 2017-11-20, as `carta followup` writes it."""
    result = run("--project", str(root), "followup", SEED_ID, "--date", "2017-11-20")
    assert result.exit_code == 0, result.output


def build_site(root: Path, *options: str):
    result = run("--project", str(root), "site", "--jobs", "2", *options)
    assert result.exit_code == 0, result.output
    return result


class Page(HTMLParser):
    """What the checks need from one page: links, headings, images, the tracker's statuses."""

    def __init__(self, path: Path):
        super().__init__()
        self.lang = None
        self.links: list[str] = []
        self.ids: set[str] = set()
        self.headings: list[int] = []
        self.images: list[dict] = []
        self.switch: list[dict] = []
        self.mains = self.captions = 0
        self.header_scopes: list[str | None] = []
        self.rows: list[list[str | None]] = []  # per tracker row: each cell's data-status
        self._in_body = self._in_nav = False
        self.feed(path.read_text(encoding="utf-8"))
        self.text = path.read_text(encoding="utf-8")

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if "id" in attrs:
            self.ids.add(attrs["id"])
        if tag == "html":
            self.lang = attrs.get("lang")
        elif tag in ("a", "link") and "href" in attrs:
            self.links.append(attrs["href"])
            if self._in_nav:
                self.switch.append(attrs)
        elif tag == "img":
            self.links.append(attrs["src"])
            self.images.append(attrs)
        elif tag in ("h1", "h2", "h3", "h4", "h5", "h6"):
            self.headings.append(int(tag[1]))
        elif tag == "main":
            self.mains += 1
        elif tag == "nav":
            self._in_nav = True
        elif tag == "caption":
            self.captions += 1
        elif tag == "th":
            self.header_scopes.append(attrs.get("scope"))
        elif tag == "tbody":
            self._in_body = True
        elif tag == "tr" and self._in_body:
            self.rows.append([])
        elif tag == "td" and self._in_body:
            self.rows[-1].append(None)
        elif tag == "span" and "data-status" in attrs and self._in_body:
            self.rows[-1][-1] = attrs["data-status"]

    def handle_endtag(self, tag):
        if tag == "tbody":
            self._in_body = False
        elif tag == "nav":
            self._in_nav = False


def test_site_lists_both_letters_with_working_links_and_the_tracker(seed_copy: Path):
    follow_up(seed_copy)
    # The follow-up reports progress: one demand met, one partly met with a note. The note is
    # new text with no English translation yet, which --allow-untranslated lets through.
    draft = seed_copy / FOLLOWUP_FILE
    text = draft.read_text(encoding="utf-8")
    text = text.replace("- id: excusar-gobierno-comite\n        status: pending",
                        "- id: excusar-gobierno-comite\n        status: met", 1)
    text = text.replace("- id: reagendar-mision\n        status: pending",
                        "- id: reagendar-mision\n        status: partially-met\n"
                        "        note: Nota ficticia de prueba.", 1)
    draft.write_text(text, encoding="utf-8")

    result = build_site(seed_copy, "--allow-untranslated")
    assert result.output.splitlines()[-1] == "campaign site: output/site/index.html"
    site = seed_copy / "output" / "site"
    pages = {"es": Page(site / "index.html"), "en": Page(site / "index.en.html")}

    for locale, page in pages.items():
        assert page.lang == {"es": "es-MX", "en": "en-US"}[locale]  # carta.toml's regions
        assert page.mains == 1
        assert page.headings[0] == 1
        assert all(b - a <= 1 for a, b in zip(page.headings, page.headings[1:], strict=False))
        assert page.images and all(image.get("alt") for image in page.images)
        assert {link["hreflang"] for link in page.switch} == {"es-MX", "en-US"}
        assert all(link["lang"] == link["hreflang"] for link in page.switch)
        # Every link works from the folder itself: relative, to a file that exists.
        for href in page.links:
            assert urlsplit(href).scheme in ("", "data"), href
            if href.startswith("#"):
                assert href[1:] in page.ids, href
            elif not href.startswith("data:"):
                assert (site / unquote(href)).resolve().is_file(), href
        for letter in (SEED_ID, FOLLOWUP_ID):
            for copy in ("es", "en"):
                for extension in ("html", "pdf"):
                    assert f"letters/{letter}/{letter}.{copy}.{extension}" in page.links
        # The tracker: the three demands, each with a status in both letters.
        assert page.captions == 1
        assert set(page.header_scopes) == {"col", "row"}
        assert page.rows == [["pending", "met"], ["pending", "partially-met"],
                             ["pending", "pending"]]

    es, en = pages["es"].text, pages["en"].text
    assert "19 de septiembre de 2017" in es and "September 19, 2017" in en
    assert "Da seguimiento a la carta del 19 de septiembre de 2017" in es
    assert "Follows the letter of September 19, 2017" in en
    assert "atendida en parte" in es and "partially met" in en
    assert "BORRADOR" in es and "DRAFT" in en
    # Demands in each page's language; the untranslated note says which language it is in.
    assert "Que exprese al Gobierno Mexicano" in es
    assert "Convey to the Mexican government our request" in en
    assert '<span class="note" lang="es-MX">Nota ficticia de prueba.</span>' in en
    assert "<dt>Still open</dt><dd>2</dd>" in en  # all but the one met

    thumbnails = sorted((site / "thumbnails").iterdir())
    assert [path.name for path in thumbnails] == [
        f"{letter}.{copy}.png" for letter in (SEED_ID, FOLLOWUP_ID) for copy in ("en", "es")]
    for path in thumbnails:
        data = path.read_bytes()
        assert data[:8] == b"\x89PNG\r\n\x1a\n"
        width, height = struct.unpack(">II", data[16:24])
        assert 200 <= width <= 1000 and 1.3 < height / width < 1.5  # an A4 page

    # The site built the letters as `carta build` does, so neither builds them again; and a
    # second run clears what a locale or a letter that is gone left behind.
    built = run("--project", str(seed_copy), "build", "--draft", "--allow-untranslated")
    assert "built 0, skipped 8 unchanged" in built.output
    (site / "index.fr.html").write_text("stale", encoding="utf-8")
    (site / "thumbnails" / "gone.es.png").write_bytes(b"stale")
    again = run("--project", str(seed_copy), "-v", "site", "--allow-untranslated")
    assert again.exit_code == 0, again.output
    assert f"wrote output/{SEED_ID}" not in again.output
    assert not (site / "index.fr.html").exists()
    assert not (site / "thumbnails" / "gone.es.png").exists()


def test_the_site_validates_once_and_remakes_nothing_the_build_left_unchanged(
        seed_copy: Path, validations):
    calls = validations
    build_site(seed_copy)
    assert len(calls) == 1
    site = seed_copy / "output" / "site"
    made = {path: path.stat().st_mtime_ns for path in site.rglob("*") if path.is_file()}
    again = run("--project", str(seed_copy), "-v", "site")
    assert again.exit_code == 0, again.output
    assert len(calls) == 2
    assert "wrote output/site/thumbnails" not in again.output
    # The index pages are written again (they are cheap, and list everything); the letters'
    # copies, thumbnails and share images, made from outputs the build left unchanged, are
    # not; nor are the feeds, calendars and campaign.json, whose bytes are the same.
    kept = {path for path, when in made.items() if path.stat().st_mtime_ns == when}
    assert {path for path in made if path.parent != site} <= kept
    assert kept & set(site.glob("index*.html")) == set()
    assert {site / "feed.atom", site / "deadlines.ics", site / "campaign.json"} <= kept


def test_the_site_folder_can_be_published_alone(seed_copy: Path, tmp_path: Path):
    """Copied anywhere without the rest of output/, every link of every page still works."""
    result = build_site(seed_copy)
    assert result.exit_code == 0, result.output
    published = tmp_path / "publicado"
    shutil.copytree(seed_copy / "output" / "site", published)
    shutil.rmtree(seed_copy / "output")
    pages = [path for path in published.rglob("*.html")]
    assert len(pages) >= 4  # two indexes, the letter in two languages
    for path in pages:
        for href in re.findall(r'(?:href|src)="([^"]+)"', path.read_text("utf-8")):
            if href.startswith(("data:", "http:", "https:", "mailto:")):
                continue
            target = unquote(urlsplit(href).path)
            if not target:  # "#anchor" in the same page
                continue
            assert (path.parent / target).resolve().is_file(), f"{path.name}: {href}"
            assert (path.parent / target).resolve().is_relative_to(published), href


@pytest.mark.skipif(not CHROMIUM.is_file(),
                    reason="Debian's chromium is not installed at /usr/bin/chromium "
                           "(.ci/run installs it)")
def test_site_and_a_letter_in_headless_chromium(seed_copy: Path, tmp_path: Path):
    follow_up(seed_copy)
    build_site(seed_copy)
    index = seed_copy / "output" / "site" / "index.html"
    errors: list[str] = []
    requests: list[str] = []
    with chromium() as browser:
        page = browser.new_page(viewport={"width": 1280, "height": 900})
        page.on("console", lambda message: message.type == "error"
                and errors.append(message.text))
        page.on("pageerror", lambda error: errors.append(str(error)))
        page.on("request", lambda request: requests.append(request.url))

        page.goto(index.as_uri(), wait_until="load")
        assert page.evaluate(
            "[...document.images].every(image => image.complete && image.naturalWidth > 0)")
        page.screenshot(path=tmp_path / "site.png", full_page=True)

        # As a reader would: switch to English, then open the first letter's web page.
        page.click('nav a[hreflang="en-US"]')
        page.wait_for_load_state("load")
        assert page.evaluate("document.documentElement.lang") == "en-US"
        page.click(f'a[href="letters/{SEED_ID}/{SEED_ID}.en.html"]')
        page.wait_for_load_state("load")
        assert page.url.endswith(f"/{SEED_ID}/{SEED_ID}.en.html")
        assert "Steering Committee" in page.inner_text("main")
        page.screenshot(path=tmp_path / "letter.png")

    assert errors == []
    assert len(requests) >= 4  # two index pages, their thumbnails, the letter
    assert all(url.startswith(("file://", "data:")) for url in requests), requests
    assert (tmp_path / "site.png").stat().st_size > 10_000
    if SCRATCH.is_dir():
        shutil.copy(tmp_path / "site.png", SCRATCH / "site.png")
