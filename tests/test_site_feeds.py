"""The campaign site followed and shared: an Atom feed per locale (feedparser, RFC 4287's
required elements, stable ids), linked from every page; an iCalendar file of deadlines
(icalendar); share images at 1200×630 with Open Graph and Twitter tags; campaign.json valid
against docs/campaign.schema.json (jsonschema); sitemap.xml with `[site] url`; the timeline,
checked by axe-core in Chromium at both widths. And the seed campaign's own site.

Every organisation, person and event in the sample project is fictional."""

from __future__ import annotations

import datetime
import json
import re
from pathlib import Path

import feedparser
import icalendar
import jsonschema
import pytest
from accounting_helpers import BODIES, CHROMIUM, axe_violations, blank_pdf, chromium
from click.testing import CliRunner
from conftest import REPO, SEED_ID
from PIL import Image
from test_html_pages import WIDTHS

from generator.app.cli import cli

LETTER = "content/letters/carta-prueba.yaml"
REPLY = """\
id: respuesta-b
date: 2024-03-20
from: organismo-b
replies_to: carta-prueba
document: responses/respuesta-b.pdf
summary: El Organismo Ejemplo B responde de forma *ficticia*.
demands:
  - id: demanda-a
    status: partially-met
"""


def run(root, *args, env=None):
    return CliRunner().invoke(cli, ["--project", str(root), *args], env=env)


def make_site(root, today="2024-04-15"):
    result = run(root, "site", "--allow-untranslated", "--jobs", "2",
                 env={"CARTA_TODAY": today})
    assert result.exit_code == 0, result.output
    return root / "output" / "site"


@pytest.fixture
def campaign(sample):
    """A letter of 1 March 2024 in es and en to two bodies, due by 31 March; B replied on
    20 March, A did not."""
    sample.write("carta.toml", '[project]\nlocales = ["es", "en"]\n')
    sample.write("content/recipients.yaml", BODIES)
    sample.replace(LETTER, "recipients: [organismo-ejemplo]",
                   "recipients: [organismo-ejemplo, organismo-b]\n"
                   "subject: Calendario de trabajo ficticio\nreply_by: 30 days")
    sample.replace(LETTER, "      - id: demanda-a\n", "      - id: demanda-a\n"
                   "        reply_by: 2024-04-30\n")
    blank_pdf(sample.root / "content/responses/respuesta-b.pdf")
    sample.write("content/responses/respuesta-b.yaml", REPLY)
    return sample


@pytest.fixture
def site(campaign):
    return make_site(campaign.root)


def test_the_feed_is_valid_atom_with_stable_ids_linked_from_every_page(site, campaign):
    feed = feedparser.parse((site / "feed.atom").read_bytes())
    assert not feed.bozo, feed.bozo_exception
    assert feed.version == "atom10"
    # RFC 4287 4.1.1: a feed has an id, a title, an updated date and an author (here at the
    # feed level, for every entry); 4.1.2: each entry an id, a title, an updated date, and
    # with no content an alternate link.
    assert feed.feed.id.startswith("urn:uuid:") and feed.feed.title == \
        "Cartas de Coalición Ejemplo" and feed.feed.updated and feed.feed.author
    assert feed.feed.language == "es-ES"  # "es" without a region: CLDR's likely one
    titles = [entry.title for entry in feed.entries]
    assert titles == ["Respuesta del 20 de marzo de 2024 de Organismo Ejemplo B",
                      "Calendario de trabajo ficticio"]
    for entry in feed.entries:
        assert entry.id.startswith("urn:uuid:") and entry.updated and entry.link
    letter = feed.entries[1]
    assert letter.link == "letters/carta-prueba/carta-prueba.es.html"
    assert (site / letter.link).is_file()
    assert letter.summary == "A Organismo Ejemplo A y Organismo Ejemplo B."
    assert feed.entries[0].summary == "El Organismo Ejemplo B responde de forma " \
                                      "<em>ficticia</em>."
    english = feedparser.parse((site / "feed.en.atom").read_bytes())
    assert english.feed.title == "Letters of Example Coalition"
    assert english.entries[0].title == "Reply of March 20, 2024 from Example Body B"
    # The same ids on the next build; other ids in the other locale.
    ids = [entry.id for entry in feed.entries]
    (site / "feed.atom").unlink()
    make_site(campaign.root)
    assert [entry.id for entry in feedparser.parse((site / "feed.atom").read_bytes())
            .entries] == ids
    assert not set(ids) & {entry.id for entry in english.entries}
    # Every page of the site names its locale's feed.
    for page, href in [("index.html", "feed.atom"), ("index.en.html", "feed.en.atom"),
                       ("letters/carta-prueba/carta-prueba.es.html", "../../feed.atom"),
                       ("letters/carta-prueba/carta-prueba.en.html", "../../feed.en.atom")]:
        assert f'<link rel="alternate" type="application/atom+xml" href="{href}"' in \
            (site / page).read_text(), page


def test_the_calendar_has_each_deadline_and_says_who_replied(site):
    calendar = icalendar.Calendar.from_ical((site / "deadlines.en.ics").read_bytes())
    events = {str(event["summary"]): event for event in calendar.walk("VEVENT")}
    assert set(events) == {
        "Reply due from Example Body A: Calendario de trabajo ficticio",
        "Reply due from Example Body B: Calendario de trabajo ficticio",
        "Answer due on a request: Calendario de trabajo ficticio"}
    due = events["Reply due from Example Body A: Calendario de trabajo ficticio"]
    assert due.decoded("dtstart") == datetime.date(2024, 3, 31)  # an all-day event
    assert "description" not in due
    replied = events["Reply due from Example Body B: Calendario de trabajo ficticio"]
    assert str(replied["description"]) == "Replied on March 20, 2024."
    assert events["Answer due on a request: Calendario de trabajo ficticio"] \
        .decoded("dtstart") == datetime.date(2024, 4, 30)
    assert len({str(event["uid"]) for event in events.values()}) == 3
    spanish = icalendar.Calendar.from_ical((site / "deadlines.ics").read_bytes())
    assert "Plazo de respuesta de Organismo Ejemplo A: Calendario de trabajo ficticio" in \
        [str(event["summary"]) for event in spanish.walk("VEVENT")]


def test_share_images_and_card_tags_per_letter_and_locale(site):
    for locale in ("es", "en"):
        image = site / "share" / f"carta-prueba.{locale}.png"
        with Image.open(image) as opened:
            assert opened.size == (1200, 630)
        page = (site / f"letters/carta-prueba/carta-prueba.{locale}.html").read_text()
        assert f'<meta property="og:image" content="../../share/carta-prueba.{locale}.png">' \
            in page
        assert '<meta property="og:image:width" content="1200">' in page
        assert '<meta name="twitter:card" content="summary_large_image">' in page
        assert '<meta property="og:title" content="Calendario de trabajo ficticio">' in page
    assert '<meta property="og:locale" content="en_US">' in \
        (site / "letters/carta-prueba/carta-prueba.en.html").read_text()
    assert '<meta property="og:description" content="A Organismo Ejemplo A y Organismo ' \
           'Ejemplo B.">' in (site / "letters/carta-prueba/carta-prueba.es.html").read_text()
    # The cards differ by locale: the date is printed in each language.
    es, en = ((site / "share" / f"carta-prueba.{locale}.png").read_bytes()
              for locale in ("es", "en"))
    assert es != en


def test_campaign_json_validates_against_its_schema(site):
    schema = json.loads((REPO / "docs" / "campaign.schema.json").read_text())
    data = json.loads((site / "campaign.json").read_text())
    jsonschema.validate(data, schema, cls=jsonschema.Draft202012Validator)
    assert json.loads((site / "campaign.schema.json").read_text()) == schema
    [letter] = data["letters"]
    assert letter["title"] == {"es": "Calendario de trabajo ficticio",
                               "en": "Calendario de trabajo ficticio"}
    assert (site / letter["documents"]["en"]["pdf"]).is_file()
    demands = {demand["id"]: demand for demand in data["demands"]}
    assert demands["demanda-a"]["status"] == "partially-met"
    assert demands["demanda-a"]["set_by"] == "respuesta-b"
    assert demands["demanda-b"]["completion"] == "complete"
    assert data["deadlines"] == [
        {"letter": "carta-prueba", "recipient": "organismo-ejemplo", "demand": None,
         "date": "2024-03-31", "reply": None},
        {"letter": "carta-prueba", "recipient": "organismo-b", "demand": None,
         "date": "2024-03-31", "reply": "respuesta-b"},
        {"letter": "carta-prueba", "recipient": None, "demand": "demanda-a",
         "date": "2024-04-30", "reply": None}]
    assert data["replies"][0]["statuses"] == [
        {"demand": "demanda-a", "status": "partially-met", "note": None}]
    # A wrong file does not validate: the schema says something.
    data["demands"][0]["completion"] = "halfway"
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(data, schema, cls=jsonschema.Draft202012Validator)


def test_the_timeline_judges_deadlines_by_the_clock(campaign):
    before = make_site(campaign.root, today="2024-03-25")
    html = before / "index.en.html"
    events = re.findall(r'<li data-kind="([a-z-]+)"><time datetime="([0-9-]+)">',
                        html.read_text())
    assert events == [("letter", "2024-03-01"), ("reply", "2024-03-20"),
                      ("deadline", "2024-03-31")]
    assert "Reply due from Example Body A" in html.read_text()
    after = make_site(campaign.root, today="2024-04-15")
    text = (after / "index.en.html").read_text()
    assert '<li data-kind="deadline-passed"><time datetime="2024-03-31">' in text
    assert "Reply deadline passed without a reply from Example Body A" in text
    assert '<a href="feed.en.atom" type="application/atom+xml">Feed of these letters (Atom)' \
        in text


def test_sitemap_and_absolute_cards_with_a_site_url(campaign):
    campaign.write("carta.toml", '[project]\nlocales = ["es", "en"]\n\n[site]\n'
                   'url = "https://example.org/campana"\n')
    site = make_site(campaign.root)
    sitemap = (site / "sitemap.xml").read_text()
    assert "<loc>https://example.org/campana/index.html</loc>" in sitemap
    assert ("<loc>https://example.org/campana/letters/carta-prueba/carta-prueba.en.html</loc>"
            "<lastmod>2024-03-01</lastmod>") in sitemap
    page = (site / "letters/carta-prueba/carta-prueba.es.html").read_text()
    assert '<meta property="og:image" content="https://example.org/campana/share/' \
           'carta-prueba.es.png">' in page
    assert '<meta property="og:url" content="https://example.org/campana/letters/' \
           'carta-prueba/carta-prueba.es.html">' in page
    feed = feedparser.parse((site / "feed.atom").read_bytes())
    assert feed.entries[1].link == \
        "https://example.org/campana/letters/carta-prueba/carta-prueba.es.html"
    # Without the url again: no sitemap is left behind.
    campaign.write("carta.toml", '[project]\nlocales = ["es", "en"]\n')
    assert not (make_site(campaign.root) / "sitemap.xml").exists()


def test_a_wrong_site_url_is_located(sample):
    sample.write("carta.toml", '[project]\nlocales = ["es"]\n\n[site]\nurl = "example.org"\n')
    result = run(sample.root, "check")
    assert result.exit_code == 1
    assert "carta.toml:5: site.url: expected the address the site is published at, such " \
           "as \"https://example.org/campaign/\", found 'example.org'" in result.output


@pytest.mark.skipif(not CHROMIUM.is_file(), reason="Debian's chromium is not installed at "
                    "/usr/bin/chromium (.ci/run installs it)")
def test_axe_finds_no_violation_with_the_timeline(site):
    def fits(page):
        if page.url.rsplit("/", 1)[-1].startswith("index"):
            assert page.locator(".events li").count() == 3
        # Nothing wider than the screen at a phone's width.
        assert page.evaluate("document.documentElement.scrollWidth") <= \
            page.viewport_size["width"]

    with chromium() as browser:
        for path in (site / "index.html", site / "index.en.html",
                     site / "letters/carta-prueba/carta-prueba.en.html"):
            for width in WIDTHS:
                violations, requests = axe_violations(browser, path, width, fits)
                assert violations == [], f"{path.name} at {width}px"
                assert all(url.startswith(("file://", "data:")) for url in requests)


def test_the_seed_campaign_publishes_feed_images_calendar_and_data(seed_copy: Path):
    """The seed letter states no reply deadline: its site has no deadline to show, and
    `carta status` says the Steering Committee's reply has none (never an invented date)."""
    site = make_site(seed_copy)
    for locale, feed_name in (("es", "feed.atom"), ("en", "feed.en.atom")):
        feed = feedparser.parse((site / feed_name).read_bytes())
        assert not feed.bozo and len(feed.entries) == 1
        with Image.open(site / "share" / f"{SEED_ID}.{locale}.png") as image:
            assert image.size == (1200, 630)
    assert "Steering Committee" in feedparser.parse(
        (site / "feed.en.atom").read_bytes()).entries[0].summary
    assert list(icalendar.Calendar.from_ical((site / "deadlines.ics").read_bytes())
                .walk("VEVENT")) == []
    schema = json.loads((REPO / "docs" / "campaign.schema.json").read_text())
    data = json.loads((site / "campaign.json").read_text())
    jsonschema.validate(data, schema, cls=jsonschema.Draft202012Validator)
    assert data["deadlines"] == []
    status = json.loads(run(seed_copy, "status", "--json", "--today", "2018-01-01").output)
    [committee] = status["letters"][0]["recipients"]
    assert (committee["state"], committee["reply_by"]) == ("no-deadline", None)
