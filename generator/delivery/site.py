"""`carta site`: a static campaign site over the built letters, one index page per locale."""

from __future__ import annotations

import datetime
import io
import os
from collections.abc import Callable
from pathlib import Path
from urllib.parse import quote

from babel import Locale
from markupsafe import Markup

from ..campaign import chains, progress, responses
from ..content import markdown
from ..core.errors import BuildError
from ..core.model import CarriedDemand, Letter, pick_locale
from ..core.project import Project
from ..core.version import __version__
from ..core.write import safe_folder, write_atomic
from ..localization import locales
from ..pipeline.plan import Job
from ..pipeline.run import build
from ..rendering import webfonts
from ..rendering.render import Renderer, letter_title
from .site_extras import SiteExtras
from .site_signatories import signatures_summary

SITE_TEMPLATE = "site.html"
# Pixels across: sharp at the 170 CSS pixels the page shows, on a high-density screen too.
THUMBNAIL_WIDTH = 340


def build_site(project: Project, report: Callable[[Path], None] = lambda path: None,
               warn: Callable[[str], None] = lambda message: None, jobs: int = 1,
               allow_untranslated: bool = False, today: datetime.date | None = None) -> Path:
    """Build every letter (drafts too, watermarked), then write output/site/: a thumbnail of
    each letter's first page and an index page per locale. Returns the first locale's page.

    `report` hears of every file written, the letters' included. `today`: the clock the
    timeline judges deadlines by (default: the real date)."""
    # Drafts are let through, not asked for: only an unfinished letter's outputs are made
    # differently (its own state says so), so a finished letter's outputs are those of a
    # plain `carta build`, and neither command makes them again.
    result = build(project, drafts=True, jobs=jobs, allow_untranslated=allow_untranslated,
                   report=lambda kind, what: report(what) if kind == "wrote" else None,
                   warn=warn)
    if result.failed:
        raise BuildError("\n".join(result.failed))
    planned = result.plan  # the documents the build checked and made: no second plan
    content = planned.content  # and what it validated: the content is validated once
    unchanged = set(result.skipped)
    # The site lists each letter per language; a combined document (combine:) is one more
    # file beside them, linked from nowhere yet.
    jobs = [job for job in planned.jobs if not job.versions]
    output = project.output.resolve()
    # output/site must be a real folder: a link there would send the pages anywhere.
    site = safe_folder(project.root, project.output / "site")
    safe_folder(project.root, site / "thumbnails")
    languages = project.settings.locales
    pages = {locale: site / ("index.html" if number == 0 else f"index.{locale}.html")
             for number, locale in enumerate(languages)}

    thumbnails: dict[tuple[str, str], Path] = {}
    for job in jobs:
        key = (job.letter.id, job.locale)
        if key not in thumbnails:  # a merged letter: its first copy in the locale stands for all
            thumbnails[key] = site / "thumbnails" / f"{job.letter.id}.{job.locale}.png"
            pdf = job.output(output, "pdf")
            if not _made_since(thumbnails[key], pdf, pdf in unchanged):
                write_atomic(thumbnails[key], thumbnail(pdf))
                report(thumbnails[key])

    # The letters are copied into the site, so that output/site/ can be published alone: every
    # link stays inside it. A letter page's own files (its web fonts) come along.
    letters = safe_folder(project.root, site / "letters")
    renderer = Renderer(project)
    # Share images, card tags, timeline, feeds, calendars, campaign.json (site_extras.py).
    extras = SiteExtras(project, content, jobs, pages, site, letters, renderer, report,
                        today or datetime.date.today())
    extras.share_images(lambda job: job.output(output, "pdf"),
                        lambda made, pdf: _made_since(made, pdf, pdf in unchanged))
    copied: set[Path] = set()
    for job in jobs:
        for extension in ("pdf", "html"):
            source, target = job.output(output, extension), job.output(letters, extension)
            copied.add(target)
            if _made_since(target, source, source in unchanged):
                continue
            safe_folder(project.root, target.parent)
            if extension == "html":
                # The site's copy of a page also leads back to the site, in its language (a
                # page built into output/<id>/ has no site beside it to lead to), so it is
                # rendered again: the build's page cannot carry that link.
                home = os.path.relpath(pages.get(job.locale, pages[languages[0]]), target.parent)
                data = extras.letter_page(job, renderer.render(
                    job.letter, job.locale, job.recipient,
                    site=quote(home.replace(os.sep, "/"))), target).encode("utf-8")
            else:
                data = source.read_bytes()
            write_atomic(target, data)
        page = job.output(output, "html")
        for extra in sorted((output / job.letter.id).glob("fonts/*")):
            target = letters / job.letter.id / "fonts" / extra.name
            if target not in copied:
                copied.add(target)
                if not _made_since(target, extra, page in unchanged):
                    safe_folder(project.root, target.parent)
                    write_atomic(target, extra.read_bytes())

    # The letters' typefaces, as the same WOFF2 subsets their pages use, in site/fonts/.
    for path in webfonts.write(site):
        report(path)
    contexts, replies = {}, {}
    for locale, page in pages.items():
        # The responses received, their summaries and notes in this locale where translated.
        received = [responses.localized(project, response, locale)
                    for response in content.responses]
        context = site_context(jobs, locale, pages, thumbnails, letters, site,
                               content.recipients, received, project.settings.regions)
        context["webfonts"] = webfonts.faces()
        context.update(extras.index_context(locale, context, received))
        contexts[locale], replies[locale] = context, received
        html = extras.index_page(locale, renderer.render_text(SITE_TEMPLATE, context, locale))
        write_atomic(page, html.encode("utf-8"))
        report(page)
    extras.write_files(contexts, replies)
    # What an earlier run wrote for a letter or a locale that is gone would linger, linked
    # from nowhere but published all the same.
    for stale in [*site.glob("index.*.html"), *site.glob("thumbnails/*.png"),
                  *(path for path in letters.rglob("*") if path.is_file())]:
        if stale not in pages.values() and stale not in thumbnails.values() \
                and stale not in copied:
            stale.unlink()
    return pages[languages[0]]


def _made_since(made: Path, source: Path, unchanged: bool) -> bool:
    """Whether `made` (a thumbnail, a site copy) was made from `source` as it is: the build
    left `source` `unchanged`, and `made` is no older than it. Anything else is made again."""
    if not unchanged:
        return False
    try:
        return made.stat().st_mtime >= source.stat().st_mtime
    except OSError:
        return False


def thumbnail(pdf: Path) -> bytes:
    """Page 1 of `pdf` as PNG bytes, THUMBNAIL_WIDTH pixels wide."""
    import pypdfium2  # only the site needs it

    document = pypdfium2.PdfDocument(pdf)
    try:
        page = document[0]
        image = page.render(scale=THUMBNAIL_WIDTH / page.get_width()).to_pil()
        data = io.BytesIO()
        image.save(data, format="PNG", optimize=True)
        return data.getvalue()
    finally:
        document.close()


def site_context(jobs: list[Job], locale: str, pages: dict[str, Path],
                 thumbnails: dict[tuple[str, str], Path], output: Path, site: Path,
                 recipients: dict | None = None, received=(), regions=None) -> dict:
    """What the site template shows in `locale`, every text already in that locale; its
    language tags with the project's `regions`, as the letters' pages have them."""

    def lang_of(locale: str | None) -> str | None:
        return tag(locale, regions)

    def link(path: Path) -> str:
        return quote(os.path.relpath(path, site).replace(os.sep, "/"))

    copies: dict[str, list[Job]] = {}
    for job in jobs:
        copies.setdefault(job.letter.id, []).append(job)
    # Each letter in the words of this locale; one with no copy in it (a merged letter whose
    # recipients read other languages) in those of its first copy, which `foreign` names.
    chosen = [next((job for job in found if job.locale == locale), found[0])
              for found in copies.values()]
    foreign = {job.letter.id: None if job.locale == locale else job.locale for job in chosen}
    letters = [job.letter for job in chosen]
    letters.sort(key=lambda letter: (letter.date, letter.id))
    by_id = {letter.id: letter for letter in letters}

    entries = []
    for letter in reversed(letters):  # newest first
        # This locale's copies first: the thumbnail and its link show the first one.
        found = sorted(copies[letter.id], key=lambda job: job.locale != locale)
        earlier = by_id.get(letter.follows)
        entries.append({
            "id": letter.id,
            "title": letter_title(letter, locale),
            "title_lang": lang_of(foreign[letter.id]) if letter.title or letter.subject else None,
            "date": letter.date,
            "draft": letter.draft,
            "recipients": [pick_locale(r.name, locale, letter.language)
                           for r in letter.recipients],
            "follows": {"id": earlier.id, "date": earlier.date} if earlier else None,
            "thumbnail": link(thumbnails[letter.id, found[0].locale]),
            "pdf": link(found[0].output(output, "pdf")),
            "copies": [{
                "lang": lang_of(job.locale), "language": _autonym(job.locale),
                "recipient": pick_locale(job.recipient.name, locale, letter.language)
                if job.recipient else None,
                "html": link(job.output(output, "html")),
                "pdf": link(job.output(output, "pdf")),
                "kilobytes": max(1, round(job.output(output, "pdf").stat().st_size / 1024)),
            } for job in found],
            "signatures": signatures_summary(letter, locale),
        })

    trackers = _trackers(letters, by_id, foreign, locale, recipients or {}, received, regions)
    return {
        "lang": lang_of(locale),
        "senders": list(dict.fromkeys(pick_locale(letter.sender.name, locale, letter.language)
                                      for letter in letters)),
        "languages": [{"lang": lang_of(other), "name": _autonym(other), "href": link(page),
                       "current": other == locale} for other, page in pages.items()],
        "letters": entries,
        "trackers": trackers,
        "requests": sum(len(table["rows"]) for table in trackers),
        "open": sum(row["open"] for table in trackers for row in table["rows"]),
        "generator": f"carta {__version__}",
    }


def _trackers(letters: list[Letter], by_id: dict[str, Letter],
              foreign: dict[str, str | None], locale: str, recipients: dict,
              received_responses=(), regions=None) -> list[dict]:
    """One demand-by-letter table per campaign (a first letter and those that follow it),
    each demand with whom it is addressed to. A reply received to one of its letters is a
    column of its own, in date order: a status it set is shown where it was set."""
    campaigns: dict[str, list[Letter]] = {}
    for letter in letters:
        campaigns.setdefault(chains.chain(letter, by_id)[0].id, []).append(letter)
    tables = []
    for members in campaigns.values():
        langs = {demand.id: demand.lang or foreign[letter.id]
                 for letter in members for demand in letter.demands()}
        notes = {(letter.id, item.id): _note(item, foreign[letter.id], regions)
                 for letter in members for item in letter.carried()}
        received = responses.responses_to_campaign(received_responses, members)
        notes.update({(reply.column, item.id): _note(item, None, regions)
                      for reply in received for item in reply.demands})
        columns = [{"key": letter.id, "id": letter.id, "date": letter.date,
                    "draft": letter.draft, "reply": None} for letter in members]
        columns += [{"key": reply.column, "id": reply.id, "date": reply.date, "draft": reply.draft,
                     "reply": {"from": pick_locale(reply.sender.name, locale, reply.language)}}
                    for reply in received]
        columns = [column for _, _, column in sorted(
            ((column["date"], column["reply"] is not None, column) for column in columns),
            key=lambda each: each[:2])]
        steps = progress.progress(members)
        # `to:` named a recipient by id, or gave a name as text.
        named = {ident: pick_locale(r.name, locale, members[0].language)
                 for ident, r in recipients.items()}
        rows = [{
            "text": Markup(markdown.render_inline(row["text"], lambda label: "")),
            "lang": tag(langs[row["id"]], regions),
            "to": named.get(row["to"], row["to"]),
            "first_date": row["first_date"],
            "cells": [{"status": row["statuses"].get(column["key"]),
                       "note": notes.get((column["key"], row["id"])),
                       "reply": column["reply"] is not None} for column in columns],
            "open": list(row["statuses"].values())[-1] not in chains.CLOSED_STATUSES,
            **steps.get(row["id"], {"completion": None, "milestones": []}),
        } for row in chains.tracker(members, received)]
        if rows:
            tables.append({"since": members[0].date, "rows": rows, "letters": columns})
    return tables


def _note(carried: CarriedDemand, foreign: str | None, regions=None) -> dict | None:
    """A status note (a letter's, or a reply's: both have `note` and `note_lang`)."""
    if not carried.note:
        return None
    return {"html": Markup(markdown.render_inline(carried.note, lambda label: "")),
            "lang": tag(carried.note_lang or foreign, regions)}


def tag(locale: str | None, regions=None) -> str | None:
    """A locale's language tag, with its region (carta.toml's `regions`, else CLDR's)."""
    return locales.language_tag(locale, regions) if locale else None


def _autonym(locale: str) -> str:
    """A language's name in itself, as a language switch shows it: "Español", "English"."""
    name = Locale.parse(locale).get_display_name(locale) or locale
    return name[:1].upper() + name[1:]
