"""The campaign site's Atom feed per locale (RFC 4287): each letter sent and each reply received.

Entry ids are `urn:uuid:` names made from the letter's or reply's id and the locale (UUID 5),
so they stay the same from build to build and wherever the site is published. Links are
relative to the feed unless carta.toml's `[site] url` gives the published address.
"""

from __future__ import annotations

import datetime
import uuid

from ..content import markdown
from ..core.model import pick_locale
from ..core.version import __version__
from ..localization import locales

# The namespace of every id carta mints for a feed (a fixed UUID, so ids never change).
NAMESPACE = uuid.UUID("5b0f2a56-7f7c-4d8e-9a49-6b2b8f3d2c11")


def feed_name(locale: str, first: bool) -> str:
    return "feed.atom" if first else f"feed.{locale}.atom"


def stable_id(*parts: str) -> str:
    return f"urn:uuid:{uuid.uuid5(NAMESPACE, '/'.join(parts))}"


def _moment(day: datetime.date) -> datetime.datetime:
    # A letter has a date, not a time: its midnight in UTC, the same on every build.
    return datetime.datetime.combine(day, datetime.time(), tzinfo=datetime.UTC)


def atom_feed(entries: list[dict], received, locale: str, phrases, senders: str,
              home: str, self_href: str, letter_href, regions=None) -> bytes:
    """The feed for `locale`. `entries`: the site's letters in this locale (site_context's
    "letters"), `received`: the replies, localized; `letter_href(entry)` the link of a
    letter's page; `home`, `self_href`: the index page's and the feed's own links; `regions`:
    carta.toml's [project] regions, for the feed's language tag."""
    from feedgen.feed import FeedGenerator  # only the site writes feeds

    feed = FeedGenerator()
    feed.id(stable_id("feed", senders, locale))
    feed.title(str(phrases.feed_title(senders)).strip())
    feed.author(name=senders)
    feed.link(href=home, rel="alternate", type="text/html")
    feed.link(href=self_href, rel="self", type="application/atom+xml")
    feed.language(locales.language_tag(locale, regions))
    feed.generator("carta", version=__version__)
    events = []
    for entry in entries:
        if entry["draft"]:
            continue  # not sent yet
        events.append((entry["date"], 0, {
            "id": stable_id("letter", entry["id"], locale), "title": entry["title"],
            "href": letter_href(entry),
            "summary": str(phrases.letter_to(locales.format_list(entry["recipients"], locale)))
            .strip() if entry["recipients"] else entry["title"]}))
    for response in received:
        if response.draft:
            continue
        who = pick_locale(response.sender.name, locale, response.language) or ""
        events.append((response.date, 1, {
            "id": stable_id("reply", response.id, locale),
            "title": str(phrases.reply_title(locales.format_date(response.date, locale), who))
            .strip(),
            "href": f"{home}#tracker-title",
            # The summary's Markdown as HTML (Atom's type="html"), footnote calls dropped.
            "summary": str(markdown.render_inline(response.summary, lambda label: "")),
            "html": True}))
    events.sort(key=lambda event: (event[0], event[1]))
    feed.updated(_moment(events[-1][0]) if events else _moment(datetime.date(1970, 1, 1)))
    for day, _, event in events:
        item = feed.add_entry(order="prepend")  # newest first, as readers list them
        item.id(event["id"])
        item.title(event["title"])
        item.link(href=event["href"], rel="alternate", type="text/html")
        item.published(_moment(day))
        item.updated(_moment(day))
        item.summary(event["summary"], type="html" if event.get("html") else None)
    return feed.atom_str(pretty=True)

