"""The letters' web pages stand alone and read well: the PDF's fonts served beside them, links
to their PDF, their other languages and the campaign site, a printable form in a browser, and
no axe-core violation, in a real Chromium at desktop and phone widths."""

from __future__ import annotations

import re
import shutil
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urlsplit

import font_source_serif_pro
import pypdf
import pytest
from browser import CHROMIUM, chromium
from click.testing import CliRunner
from conftest import REPO, SEED_ID
from fontTools.ttLib import TTFont
from pdftext import normalize

from generator.app.cli import cli
from generator.rendering import webfonts

needs_chromium = pytest.mark.skipif(
    not CHROMIUM.is_file(),
    reason="Debian's chromium is not installed at /usr/bin/chromium (.ci/run installs it)")
# Where a developer looks at the screenshots; absent elsewhere (CI), and then skipped.
SCRATCH = Path("/work/scratch")
FOLLOWUP_ID = "2017-11-20-seguimiento"
EXAMPLES = sorted(path.name for path in (REPO / "examples").iterdir()
                  if (path / "content").is_dir())
WIDTHS = (1280, 390)  # a desktop, and a phone


def run(*args: str):
    result = CliRunner().invoke(cli, list(args))
    assert result.exit_code == 0, result.output
    return result


@pytest.fixture(scope="module")
def projects(tmp_path_factory) -> dict[str, Path]:
    """The seed with a draft follow-up, published as a campaign site, and every example,
    built once for the whole module."""
    base = tmp_path_factory.mktemp("pages")
    seed = base / "seed"
    shutil.copytree(REPO / "content", seed / "content")
    shutil.copy(REPO / "carta.toml", seed / "carta.toml")
    run("--project", str(seed), "followup", SEED_ID, "--date", "2017-11-20")
    run("--project", str(seed), "site")
    roots = {"seed": seed}
    for name in EXAMPLES:
        shutil.copytree(REPO / "examples" / name, base / name,
                        ignore=shutil.ignore_patterns("output"))
        run("--project", str(base / name), "build")
        roots[name] = base / name
    return roots


def letter_pages(projects: dict[str, Path]) -> dict[str, Path]:
    """Every letter page: the seed's (as built and as the site publishes it) and the examples'."""
    seed = projects["seed"] / "output"
    pages = {f"seed/{locale}": seed / SEED_ID / f"{SEED_ID}.{locale}.html"
             for locale in ("es", "en")}
    pages["site/letters/seed.en"] = seed / "site" / "letters" / SEED_ID / f"{SEED_ID}.en.html"
    pages["site/letters/followup.es"] = (seed / "site" / "letters" / FOLLOWUP_ID
                                         / f"{FOLLOWUP_ID}.es.html")
    for name in EXAMPLES:
        for page in sorted((projects[name] / "output").glob("*/*.html")):
            pages[f"{name}/{page.name}"] = page
    return pages


class Links(HTMLParser):
    """The page's links, the links of its nav, and its font URLs."""

    def __init__(self, path: Path):
        super().__init__()
        self.nav: list[dict] = []
        self.hrefs: list[str] = []
        self._in_nav = False
        text = path.read_text("utf-8")
        self.fonts = re.findall(r'url\("([^"]+)"\) format\("woff2"\)', text)
        self.feed(text)

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "nav" and "letter-links" in attrs.get("class", ""):
            self._in_nav = True
        elif tag == "a" and "href" in attrs:
            self.hrefs.append(attrs["href"])
            if self._in_nav:
                self.nav.append(attrs)

    def handle_endtag(self, tag):
        if tag == "nav":
            self._in_nav = False


def test_every_page_has_the_pdf_faces_beside_it(projects):
    for name, page in letter_pages(projects).items():
        links = Links(page)
        assert len(links.fonts) == len(webfonts.FACES), name
        for url in links.fonts:
            assert not urlsplit(url).scheme and not url.startswith("/"), url  # relative
            data = (page.parent / url).read_bytes()
            assert data[:4] == b"wOF2", url
    folder = projects["seed"] / "output" / SEED_ID / webfonts.FOLDER
    regular = TTFont(folder / "CartaSerif-Regular.woff2")
    # A modified version of the font: the licence's Reserved Font Name "Source" is not used.
    assert regular["name"].getDebugName(1) == "Carta Serif"
    assert not any("Source" in (regular["name"].getDebugName(number) or "")
                   for number in (1, 3, 4, 6, 16, 17))
    # The fixed Latin set, whatever the page's own text: Spanish, French, Polish and
    # Vietnamese letters, punctuation and the notes' symbols (the serif has no "‖", the sans
    # sets the symbols, as in the PDF).
    cmap = regular.getBestCmap()
    assert all(ord(char) in cmap for char in "áéíóúñ¿¡àçœ€łżđươ–—“”«»…†‡§¶№ÅØ")
    assert ord("‖") in TTFont(folder / "CartaSans-Semibold.woff2").getBestCmap()
    # A subset: what the font has outside those ranges stays out.
    full = TTFont(Path(font_source_serif_pro.font_directory) / "SourceSerifPro-Regular.ttf")
    wanted = {code for first, last in webfonts.UNICODE_RANGES for code in range(first, last + 1)}
    assert set(cmap) == set(full.getBestCmap()) & wanted
    # The licence travels with the fonts, in each file and beside them.
    assert "Open Font License" in regular["name"].getDebugName(13)
    assert (folder / "LICENSE-source-serif-pro.txt").is_file()
    assert (folder / "LICENSE-source-sans-pro.txt").is_file()


def test_a_design_without_the_fonts_gets_none(sample):
    sample.write("templates/letter.css", "body { font-family: serif; }\n")
    run("--project", str(sample.root), "build")
    assert (sample.root / "output" / "carta-prueba" / "carta-prueba.es.html").is_file()
    assert not (sample.root / "output" / "carta-prueba" / webfonts.FOLDER).exists()


def test_fonts_are_kept_and_made_again_only_when_gone(projects, tmp_path):
    root = tmp_path / "seed"
    shutil.copytree(projects["seed"] / "content", root / "content")
    shutil.copy(projects["seed"] / "carta.toml", root / "carta.toml")
    first = run("--project", str(root), "build", "--draft", "--locale", "es")
    assert "built 4," in first.output
    fonts = root / "output" / SEED_ID / webfonts.FOLDER
    made = {path.name: path.read_bytes() for path in fonts.iterdir()}
    assert run("--project", str(root), "build", "--draft", "--locale", "es").output \
        .splitlines()[-1].startswith("built 0, skipped 4 unchanged")
    # A deleted fonts/ is written again, with the same bytes: the page beside it is made
    # again, not its PDF, nor the follow-up, whose folder kept its fonts.
    shutil.rmtree(fonts)
    again = run("--project", str(root), "-v", "build", "--draft", "--locale", "es")
    assert again.output.splitlines()[-1].startswith("built 1, skipped 3 unchanged")
    assert f"wrote output/{SEED_ID}/{SEED_ID}.es.html" in again.output
    assert {path.name: path.read_bytes() for path in fonts.iterdir()} == made
    # WeasyPrint never reaches for them: a strict build (a refused file fails it) passes.
    run("--project", str(root), "build", "--draft", "--locale", "es", "--force", "--strict")


def test_each_page_links_to_its_pdf_its_other_languages_and_the_site(projects):
    pages = letter_pages(projects)
    es = Links(pages["seed/es"])
    assert [link["href"] for link in es.nav] == [f"{SEED_ID}.es.pdf", f"{SEED_ID}.en.html"]
    assert es.nav[1]["hreflang"] == es.nav[1]["lang"] == "en-US"  # carta.toml's region
    # Built into output/<id>/, a page has no site beside it; the site's copy leads back to it.
    site_copy = Links(pages["site/letters/seed.en"])
    assert [link["href"] for link in site_copy.nav] == [
        "../../index.en.html", f"{SEED_ID}.en.pdf", f"{SEED_ID}.es.html"]
    assert Links(pages["site/letters/followup.es"]).nav[0]["href"] == "../../index.html"
    # A project in one language: the PDF alone.
    open_letter = next(page for page in pages.values() if page.name.endswith("data.en.html"))
    assert [link["href"] for link in Links(open_letter).nav] == [
        "2025-05-10-open-letter-data.en.pdf"]
    for name, page in pages.items():
        for href in Links(page).hrefs:
            if urlsplit(href).scheme or href.startswith("#"):
                continue
            assert (page.parent / unquote(href)).is_file(), f"{name}: {href}"


@pytest.fixture(scope="module")
def browser(projects):
    """One headless Chromium for the module, started after every build (no fork after it)."""
    if not CHROMIUM.is_file():
        pytest.skip("Debian's chromium is not installed at /usr/bin/chromium (.ci/run "
                    "installs it)")
    with chromium() as launched:
        yield launched


def open_page(browser, path: Path, width: int):
    """A tab at `width` with `path` loaded and its fonts ready; every request it made."""
    page = browser.new_page(viewport={"width": width, "height": 900})
    requests: list[str] = []
    page.on("request", lambda request: requests.append(request.url))
    page.goto(path.as_uri(), wait_until="load")
    page.evaluate("document.fonts.ready.then(() => true)")
    return page, requests


def shoot(page, name: str) -> None:
    if SCRATCH.is_dir():
        page.screenshot(path=SCRATCH / f"{name}.png", full_page=True)


@needs_chromium
@pytest.mark.parametrize("width", WIDTHS)
def test_pages_render_in_the_pdf_fonts_and_load_nothing_from_elsewhere(projects, browser, width):
    for name, path in letter_pages(projects).items():
        page, requests = open_page(browser, path, width)
        try:
            loaded = page.evaluate("[...document.fonts].filter(f => f.status === 'loaded')"
                                   ".map(f => f.family.replace(/\"/g, ''))")
            assert {"Carta Serif", "Carta Sans"} <= set(loaded), name
            # The text is set in them, not in a fallback.
            assert page.evaluate("document.fonts.check('1em \"Carta Serif\"')")
            assert all(url.startswith(("file://", "data:")) for url in requests), requests
            assert page.evaluate("document.documentElement.scrollWidth") <= width, name
            shoot(page, f"letter-{name.replace('/', '-')}-{width}")
        finally:
            page.close()


@needs_chromium
def test_printed_from_chromium_the_notes_are_numbered_endnotes(projects, browser, tmp_path):
    path = letter_pages(projects)["seed/es"]
    page, _ = open_page(browser, path, 1280)
    try:
        page.emulate_media(media="print")
        shown = page.evaluate("""() => Object.fromEntries(
            ['.footnote', '.notes', '.note-ref', '.letter-links', 'h1'].map(selector =>
              [selector, getComputedStyle(document.querySelector(selector)).display]))""")
        page.pdf(path=tmp_path / "printed.pdf", prefer_css_page_size=True)
    finally:
        page.close()
    assert shown == {".footnote": "none", ".notes": "block", ".note-ref": "inline",
                     ".letter-links": "none", "h1": "none"}
    text = normalize(" ".join(sheet.extract_text()
                              for sheet in pypdf.PdfReader(tmp_path / "printed.pdf").pages))
    note = "Ver el reporte informe técnico de CitizenLab"
    # Each note's text once, in the list after the letter, not run into the sentence.
    assert text.count(note) == 1
    assert text.index("Notas") < text.index(note)
    assert text.index("Atentamente") < text.index("Notas")
    assert "3PNA.Ver" not in text.replace(" ", "")
    # The page label of @page, in the page's language, from page 2 (page 1 has none).
    assert "Página 2 de" in text and "Página 1 de" not in text
    assert "English" not in text  # the page's links stay on screen


@needs_chromium
@pytest.mark.parametrize("width", WIDTHS)
def test_the_site_tracker_and_buttons_fit_a_phone(projects, browser, width):
    index = projects["seed"] / "output" / "site" / "index.html"
    page, requests = open_page(browser, index, width)
    try:
        assert page.evaluate("document.documentElement.scrollWidth") <= width
        # The tracker shows its every column: nothing scrolled out of view.
        for scroll, client in page.evaluate("[...document.querySelectorAll('.table-scroll')]"
                                            ".map(e => [e.scrollWidth, e.clientWidth])"):
            assert scroll <= client
        # A copy's two buttons (web page, PDF) stay on one line.
        tops = page.evaluate("[...document.querySelectorAll('.copies li')].map(li => [...li"
                             ".querySelectorAll('a')].map(a => a.getBoundingClientRect().top))")
        assert tops and all(len(set(pair)) == 1 for pair in tops), tops
        assert all(url.startswith(("file://", "data:")) for url in requests), requests
        shoot(page, f"site-{width}")
    finally:
        page.close()


def axe_cases() -> list:
    cases = [pytest.param(name, id=name) for name in (
        "seed/es", "seed/en", "site/letters/seed.en", "site/letters/followup.es",
        "site/index.html", "site/index.en.html")]
    for name in EXAMPLES:
        for page in sorted((REPO / "examples" / name / "content" / "letters").glob("*.yaml")):
            cases.append(pytest.param(f"{name}/{page.stem}", id=f"{name}/{page.stem}"))
    cases.append(pytest.param("parallel-statement/combined", id="parallel-statement/combined"))
    return cases


def axe_target(projects, case: str) -> list[Path]:
    site = projects["seed"] / "output" / "site"
    if case.startswith("site/index"):
        return [site / case.removeprefix("site/")]
    if case.startswith(("seed/", "site/letters/")):
        return [letter_pages(projects)[case]]
    name, stem = case.split("/")
    pages = sorted((projects[name] / "output").glob("*/*.html"))
    if stem == "combined":
        return [page for page in pages if "+" in page.name]
    return [page for page in pages if page.name.startswith(stem + ".") and "+" not in page.name]


@needs_chromium
@pytest.mark.parametrize("width", WIDTHS)
@pytest.mark.parametrize("case", axe_cases())
def test_axe_finds_no_violation(projects, browser, case, width):
    from axe_playwright_python.base import AXE_SCRIPT  # axe-core's axe.min.js, bundled

    targets = axe_target(projects, case)
    assert targets, case
    for path in targets:
        page, _ = open_page(browser, path, width)
        try:
            page.evaluate(AXE_SCRIPT)
            violations = page.evaluate("""() => axe.run().then(results => results.violations
                .map(v => `${v.id} (${v.impact}): ${v.nodes.map(n => n.target).join(', ')}`))""")
        finally:
            page.close()
        assert violations == [], f"{path.name} at {width}px"
