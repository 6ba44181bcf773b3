"""What `carta site` publishes beside its pages so that the campaign can be followed, shared
and reused: the share images and the tags of each letter's page, the timeline, an Atom feed
and an iCalendar file of deadlines per locale, campaign.json with its schema, sitemap.xml.

generator/delivery/site.py calls it at each step of its own work; the files it writes are its
own, and so is clearing those a removed letter or locale leaves behind.
"""

from __future__ import annotations

import datetime
import os
from collections.abc import Callable
from pathlib import Path
from urllib.parse import quote

from ..campaign.deadlines import Calendar
from ..core.model import Content, pick_locale
from ..core.write import safe_folder, write_atomic
from ..localization import locales
from ..pipeline.plan import Job
from ..rendering.render import Renderer, letter_title
from . import calendar, campaign_data, feeds, social, timeline

PHRASES_TEMPLATE = "feeds.txt"
SHARE_FOLDER = "share"


class SiteExtras:
    def __init__(self, project, content: Content, jobs: list[Job], pages: dict[str, Path],
                 site: Path, letters_folder: Path, renderer: Renderer,
                 report: Callable[[Path], None], today: datetime.date):
        self.project, self.content, self.jobs, self.pages = project, content, jobs, pages
        self.site, self.letters_folder, self.renderer = site, letters_folder, renderer
        self.report, self.today = report, today
        self.calendar = Calendar.of(project.settings)
        self.first = next(iter(pages))
        self.url = project.settings.site_url  # None: everything stays relative
        self.written: set[Path] = set()

    def _phrases(self, locale: str):
        return self.renderer.environment(locale).get_template(PHRASES_TEMPLATE).module

    def _write(self, path: Path, data: bytes) -> None:
        self.written.add(path)
        if path.is_file() and path.read_bytes() == data:
            return  # unchanged: left as it was (feed readers and caches see no change)
        write_atomic(path, data)
        self.report(path)

    def _href(self, path: Path, start: Path) -> str:
        return quote(os.path.relpath(path, start).replace(os.sep, "/"))

    def _absolute(self, path: Path) -> str | None:
        return self.url + self._href(path, self.site) if self.url else None

    def _feed(self, locale: str) -> Path:
        return self.site / feeds.feed_name(locale, locale == self.first)

    def _senders(self, locale: str) -> str:
        names = dict.fromkeys(pick_locale(job.letter.sender.name, locale, job.letter.language)
                              for job in self.jobs if job.locale == locale)
        return locales.format_list([name for name in names if name], locale)

    def share_path(self, job: Job) -> Path:
        return self.site / SHARE_FOLDER / f"{job.letter.id}.{job.locale}.png"

    def share_images(self, pdf_of: Callable[[Job], Path], made_since: Callable) -> None:
        """A share image per letter and locale, in that locale's words, from its PDF;
        `made_since(image, pdf)` tells one still made from the PDF as it is (its title,
        sender and date are the PDF's too), which is kept."""
        safe_folder(self.project.root, self.site / SHARE_FOLDER)
        for job in self.jobs:
            path = self.share_path(job)
            if path in self.written:
                continue  # a merged letter: its first copy in the locale stands for all
            if made_since(path, pdf_of(job)):
                self.written.add(path)
                continue
            sender = pick_locale(job.letter.sender.name, job.locale, job.letter.language) or ""
            self._write(path, social.share_image(
                pdf_of(job), letter_title(job.letter, job.locale), sender,
                locales.format_date(job.letter.date, job.locale)))

    def _gettext(self, locale: str, message: str) -> str:
        return locales.template_translations(locale, self.renderer.catalog_dirs).gettext(message)

    def letter_page(self, job: Job, html: str, target: Path) -> str:
        """A letter's site page with its card tags and the link to its locale's feed."""
        image = self.share_path(job)
        names = [pick_locale(r.name, job.locale, job.letter.language) or ""
                 for r in job.letter.recipients]
        description = job.letter.subject if job.letter.title and job.letter.subject else \
            (str(self._phrases(job.locale).letter_to(locales.format_list(names, job.locale)))
             .strip() if names else None)
        feed = self._feed(job.locale if job.locale in self.pages else self.first)
        senders = self._senders(job.locale)
        return social.with_head(html, social.head_tags(
            letter_title(job.letter, job.locale), description, job.locale,
            image=self._absolute(image) or self._href(image, target.parent),
            image_alt=self._gettext(job.locale, "Page 1 of the letter, with its title and sender"),
            url=self._absolute(target), feed=self._href(feed, target.parent),
            feed_title=str(self._phrases(job.locale).feed_title(senders)).strip(),
            site_name=senders))

    def index_context(self, locale: str, context: dict, received) -> dict:
        """What the index page of `locale` adds to the site's context: the timeline and the
        links to follow the campaign."""
        return {
            "timeline": timeline.timeline(self.content, context["letters"], received, locale,
                                          self._phrases(locale), self.calendar, self.today,
                                          self.project.settings.regions),
            "follow": {"feed": self._href(self._feed(locale), self.site),
                       "calendar": self._href(self.site / calendar.calendar_name(
                           locale, locale == self.first), self.site),
                       "data": campaign_data.DATA_NAME},
        }

    def index_page(self, locale: str, html: str) -> str:
        senders = self._senders(locale)
        phrases = self._phrases(locale)
        return social.with_head(html, social.head_tags(
            str(phrases.feed_title(senders)).strip(), None, locale,
            url=self._absolute(self.pages[locale]), feed=self._href(self._feed(locale), self.site),
            feed_title=str(phrases.feed_title(senders)).strip(), site_name=senders))

    def write_files(self, contexts: dict[str, dict], received: dict[str, list]) -> None:
        """The feeds, calendars, campaign.json and its schema, sitemap.xml; then clear what
        an earlier run wrote for a letter or locale that is gone."""
        localized = {locale: {job.letter.id: job.letter for job in self.jobs
                              if job.locale == locale} for locale in self.pages}
        jobs: dict[tuple[str, str | None], Job] = {}
        for job in self.jobs:
            jobs.setdefault((job.letter.id, job.locale), job)
            jobs.setdefault((job.letter.id, None), job)
        for locale, page in self.pages.items():
            phrases, senders = self._phrases(locale), self._senders(locale)
            feed = self._feed(locale)

            def letter_href(entry, locale=locale):
                # Its copy in this locale, else its first (a merged letter's recipients may
                # read other languages only).
                job = jobs.get((entry["id"], locale)) or jobs[entry["id"], None]
                path = job.output(self.letters_folder, "html")
                return self._absolute(path) or self._href(path, self.site)

            self._write(feed, feeds.atom_feed(
                contexts[locale]["letters"], received[locale], locale, phrases, senders,
                home=self._absolute(page) or self._href(page, self.site),
                self_href=self._absolute(feed) or self._href(feed, self.site),
                letter_href=letter_href, regions=self.project.settings.regions))
            self._write(self.site / calendar.calendar_name(locale, locale == self.first),
                        calendar.deadlines_calendar(self.content, localized[locale], locale,
                                                    self.calendar, phrases, senders))
        data = campaign_data.campaign_data(self.content, self.jobs, tuple(self.pages),
                                           self.calendar, self.letters_folder, self.site)
        self._write(self.site / campaign_data.DATA_NAME, campaign_data.campaign_json(data))
        schema = campaign_data.schema_path()
        if schema.is_file():
            self._write(self.site / campaign_data.SCHEMA_NAME, schema.read_bytes())
        if self.url:
            urls = [(self._absolute(page), None) for page in self.pages.values()]
            urls += [(self._absolute(job.output(self.letters_folder, "html")),
                      job.letter.date.isoformat()) for job in self.jobs]
            self._write(self.site / "sitemap.xml", social.sitemap(list(dict.fromkeys(urls))))
        mine = [*self.site.glob("feed*.atom"), *self.site.glob("deadlines*.ics"),
                *(self.site / SHARE_FOLDER).glob("*.png"), self.site / "sitemap.xml"]
        for stale in mine:
            if stale.is_file() and stale not in self.written:
                stale.unlink()
