"""Render a letter in one locale to one HTML document, for the web page as for the PDF."""

from __future__ import annotations

import base64
import contextlib
import dataclasses
import mimetypes
import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import jinja2
from markupsafe import Markup

from ..content import blocks, markdown
from ..core.dependencies import Dependencies
from ..core.errors import BuildError
from ..core.model import Letter, Recipient, pick_locale
from ..core.project import Project
from ..core.version import __version__
from ..core.write import output_path
from ..localization import glossary, locales
from . import typography, webfonts
from .language_parts import KeptPhrases

LETTER_TEMPLATE = "letter.html"
FOOTNOTES_TEMPLATE = "footnotes.html"
VERSION_TEMPLATE = "parts/version.html"
COMBINED_TEMPLATE = "combined.html"
SIGNATORY_PHRASES_TEMPLATE = "parts/signatory_phrases.html"


class RecordingLoader(jinja2.FileSystemLoader):
    """A template loader that remembers every place it looked for a template, found or not:
    what a document depends on. A project template created later under a name the built-in
    design answered must count as a change too, so the places looked at are kept, not only the
    file found."""

    def __init__(self, searchpath, folders, note: Callable[[Path], None]):
        super().__init__(searchpath)
        self.folders = folders  # every place a template of that name could be
        self.note = note

    def get_source(self, environment, template):
        for folder in self.folders:
            self.note(folder / template)
        return super().get_source(environment, template)


@dataclass(frozen=True)
class Note:
    number: int
    id: str
    html: Markup
    lang: str | None = None  # a BCP 47 tag, set when the note is not in the page's language
    style: str = "numeric"  # the letter's `notes`: how `marker` writes the number
    link: bool = False  # a link's address as a footnote (`links: footnote`), on paper only
    prefix: str = ""  # before its ids in the page: "es-" in a combined document's versions

    @property
    def anchor(self) -> str:
        """What its ids are made of (note-<anchor>, fn-<anchor>): unique in the document."""
        return self.prefix + self.id

    # The symbols of `notes: symbols`, in order; the same list as @counter-style carta-symbols
    # in templates/letter.css, which prints them in the PDF.
    SYMBOLS = ("*", "†", "‡", "§", "‖", "¶")

    @property
    def marker(self) -> str:
        """The note's mark as the HTML shows it, the one the PDF prints: 1 2 3; * † ‡ § ‖ ¶,
        then ** †† and so on (CSS's symbolic system); [1] [2]."""
        if self.style == "symbols":
            turn, index = divmod(self.number - 1, len(self.SYMBOLS))
            return self.SYMBOLS[index] * (turn + 1)
        if self.style == "brackets":
            return f"[{self.number}]"
        return str(self.number)


class Renderer:
    """One Jinja environment per locale, with the project's templates over the built-in ones."""

    def __init__(self, project: Project, dependencies: Dependencies | None = None):
        self.project = project
        self.template_dirs = project.template_dirs()
        self.catalog_dirs = tuple(path / "locale" for path in self.template_dirs)
        self._environments: dict[str, jinja2.Environment] = {}
        # What the documents rendered so far read or looked for: templates, template
        # catalogs, logos. (Jinja caches templates, so this covers all documents this renderer
        # made: a safe superset for each.) The project's templates/ counts even before it
        # exists: creating it is a change.
        self.dependencies = dependencies if dependencies is not None else Dependencies()
        self._folders = (project.templates, *self.template_dirs)
        self.loader = RecordingLoader(self.template_dirs, self._folders, self.dependencies.note)

    def environment(self, locale: str) -> jinja2.Environment:
        if locale not in self._environments:
            env = jinja2.Environment(
                loader=self.loader,
                # HTML is escaped everywhere; the plain-text mail template needs no escaping.
                autoescape=jinja2.select_autoescape(default_for_string=True, default=True,
                                                    disabled_extensions=("txt",)),
                undefined=jinja2.StrictUndefined,
                extensions=["jinja2.ext.i18n"],
                trim_blocks=True,
                lstrip_blocks=True,
            )
            for folder in self._folders:
                self.dependencies.note(folder / "locale" / locale / "LC_MESSAGES"
                                       / f"{locales.TEMPLATE_DOMAIN}.po")
            env.install_gettext_translations(
                locales.template_translations(locale, self.catalog_dirs), newstyle=True)
            # Dates and numbers in the locale's region ("es" of a Mexican project: es_MX).
            env.filters.update(locales.filters(
                locales.with_region(locale, self.project.settings.regions)))
            env.filters["css_content"] = css_content
            self._environments[locale] = env
        return self._environments[locale]

    def render(self, letter: Letter, locale: str, recipient: Recipient | None = None,
               site: str | None = None) -> str:
        """The letter as a complete HTML document in `locale`; with `recipient`, that
        recipient's copy of a merged letter; with `site`, a page that links to the campaign
        site at that relative address."""
        env = self.environment(locale)
        with template_errors(LETTER_TEMPLATE, letter.id):
            template = env.get_template(LETTER_TEMPLATE)
            footnotes = env.get_template(FOOTNOTES_TEMPLATE).module
            context = letter_context(letter, locale, self.project, recipient, footnotes.call,
                                     self.dependencies.note, site=site)
            # The page's every text, the letter's and the templates', in its language's rules.
            return typography.typeset_html(template.render(context), context["lang"])

    def render_versions(self, versions, recipient: Recipient | None = None) -> str:
        """One HTML document with the letter's versions one after the other (`combine:`): each
        version rendered in its own locale (its template phrases, dates, hyphenation), each in
        an <article lang>, and the signatory lists once, after the last version, in the
        language of every version."""
        rendered = []
        lists = []  # each version's signatory lists, its template phrases, its language tag
        with template_errors(COMBINED_TEMPLATE, versions[0][1].id):
            for locale, letter in versions:
                env = self.environment(locale)
                # Ids stay unique across versions: "en-demand-x", "es-demand-x".
                context = letter_context(letter, locale, self.project, recipient,
                                         env.get_template(FOOTNOTES_TEMPLATE).module.call,
                                         self.dependencies.note, id_prefix=f"{locale}-")
                context["combined"] = True
                rendered.append({
                    "locale": locale, "lang": context["lang"], "title": context["title"],
                    "label": locales.language_name(locale),
                    # Each version's pages say "Page 1 of 2" in its own language.
                    "page_label": Markup(env.from_string(
                        '{{ _("Page {page} of {pages}")|css_content }}').render()),
                    "html": Markup(env.get_template(VERSION_TEMPLATE).render(context))})
                lists.append((context["signatures"],
                              env.get_template(SIGNATORY_PHRASES_TEMPLATE).module,
                              context["lang"]))
            locale, letter = versions[0]
            env = self.environment(locale)
            context = letter_context(letter, locale, self.project, recipient,
                                     env.get_template(FOOTNOTES_TEMPLATE).module.call,
                                     self.dependencies.note)
            # One list for every version, not one per version: a sign-on list of 150 names
            # printed twice would add pages. Each reader finds its heading, count and names in
            # their own language, beside the others' (parts/signatories.html).
            page_lang = context["lang"]
            context.update(combined=True, versions=rendered,
                           title=" / ".join(dict.fromkeys(v["title"] for v in rendered)),
                           signatures=_signatures_in_each_language(lists, page_lang),
                           signatory_phrases=PhrasesInEachLanguage(
                               [(phrases, lang) for _, phrases, lang in lists], page_lang))
            # Each version's text in its own language's rules (its <article lang>).
            return typography.typeset_html(env.get_template(COMBINED_TEMPLATE).render(context),
                                           page_lang)

    def render_text(self, template_name: str, context: dict, locale: str) -> str:
        """A plain-text template (such as the e-mail cover text) in `locale`."""
        try:
            text = self.environment(locale).get_template(template_name).render(context)
        except jinja2.TemplateError as error:
            raise BuildError(f"template {template_name} failed: {error}") from None
        lang = locales.language_tag(locale, self.project.settings.regions)
        if template_name.endswith(".html"):
            return typography.typeset_html(text, lang)
        return typography.typeset_text(text, lang)


@contextlib.contextmanager
def template_errors(template_name: str, letter_id: str):
    """Template mistakes (a project's own templates are the likely source) as BuildErrors that
    name the template, its line, and the letter."""
    try:
        yield
    except jinja2.TemplateSyntaxError as error:
        raise BuildError(
            f"{error.filename or error.name}:{error.lineno}: template syntax error: "
            f"{error.message}") from None
    except jinja2.TemplateError as error:
        raise BuildError(
            f"template {template_name} (or one it includes) failed for letter "
            f"'{letter_id}': {error}") from None


def css_content(text: str) -> Markup:
    """A translated phrase as a CSS `content` value: "Page {page} of {pages}" becomes
    "Page " counter(page) " of " counter(pages). Safe inside <style>: no quote or "<" escapes."""
    parts = re.split(r"\{(page|pages)\}", str(text))
    values = []
    for index, part in enumerate(parts):
        if index % 2:
            values.append(f"counter({part})")
        elif part:
            escaped = part.replace("\\", "\\\\").replace('"', '\\"').replace("<", "\\3c ")
            values.append(f'"{escaped}"')
    return Markup(" ".join(values) or '""')


def letter_context(letter: Letter, locale: str, project: Project,
                   recipient: Recipient | None = None, call=None,
                   note: Callable[[Path], None] = lambda path: None, id_prefix: str = "",
                   site: str | None = None) -> dict:
    """Everything the letter template shows, already localized and rendered to HTML.

    `call(note, first)` gives the markup of one footnote call (the macro `call` of
    templates/footnotes.html); `note` is told each file read (logos); `site` is the
    campaign site's address relative to the page, when the page is published with one."""
    if recipient is not None:
        letter = dataclasses.replace(
            letter, body=tuple(block for _, block in blocks_in_copy(letter.body, recipient)),
            postscript=tuple(block for _, block in blocks_in_copy(letter.postscript, recipient)))
    source = letter.language
    sender_name = pick_locale(letter.sender.name, locale, source)
    regions = project.settings.regions

    def tag(lang: str | None) -> str | None:
        # Every language tag of the page with its region: the page's, and any part's.
        return _tag(lang, regions)

    kept = _kept_phrases(letter, locale, project, note, tag)
    notes = _notes(letter, id_prefix, regions, kept)
    cited: set[str] = set()
    # Every footnote of the page in the order of its call: the PDF's footnote counter counts
    # them so, links' notes included, and each note is numbered here to match it.
    called: list[Note] = []

    def cite(label: str) -> str:
        first = label not in cited
        cited.add(label)
        if first:
            notes[label] = dataclasses.replace(notes[label], number=len(called) + 1)
            called.append(notes[label])
        return str(call(notes[label], first))

    def link_note(href: str) -> str:
        # An id no reference can have (theirs are lowercase slugs): the PDF's check of
        # misplaced footnotes names notes by id.
        note = Note(len(called) + 1, f"link_{len(called) + 1}",
                    Markup('<a href="{0}">{0}</a>').format(href), None, letter.note_style,
                    link=True, prefix=id_prefix)
        called.append(note)
        return str(call(note, True))

    def inline(text: str) -> Markup:
        # Only the letter's texts: a link in a note cannot have a note (CSS prints its URL).
        footnoted = (letter.link_style or project.settings.links) == "footnote"
        return Markup(kept.mark(markdown.render_inline(text, cite,
                                                       link_note if footnoted else None, tag)))

    numbers: dict[str, int] = {}  # the last number given, per kind of numbered list

    def rendered(part) -> list[dict]:
        result = []
        for block in part:
            declared = blocks.declaration_of(block)
            context = declared.render(block, inline, tag)
            if getattr(block, "to_recipient", None):
                # A list addressed to a recipient by id: that recipient's name in this locale.
                context["to"] = pick_locale(block.to_names, locale, source)
            if declared.numbered:
                if getattr(block, "numbering", "continue") == "restart":
                    numbers[declared.kind] = 0
                context["start"] = numbers.get(declared.kind, 0) + 1
                numbers[declared.kind] = numbers.get(declared.kind, 0) + len(block.items)
            result.append(context)
        return result

    body_blocks = rendered(letter.body)
    postscript_blocks = rendered(letter.postscript)

    addressed = (recipient,) if recipient is not None else letter.recipients
    recipients = [_recipient(r, locale, source) for r in addressed]
    return {
        "lang": tag(locale),
        "title": letter_title(letter, locale),
        "headline": letter.title,
        "letterhead": letter.letterhead,
        "subject": letter.subject,
        "date": letter.date,
        "place": letter.place,
        "sender": {"name": sender_name, "logo": _data_url(letter.sender.logo, note),
                   "address": letter.sender.address, "email": letter.sender.email,
                   "url": letter.sender.url},
        "recipients": recipients,
        "address_label": letter.address_label,
        "salutation": salutation(letter, recipient, locale),
        "cc": [_recipient(r, locale, source) for r in letter.cc],
        "signatures": _signatures(letter, locale, note, regions),
        "follows_date": letter.follows_date,
        "since_followed": letter.date - letter.follows_date if letter.follows_date else None,
        "draft": letter.draft,
        "signatures_logos": bool(letter.signatures and letter.signatures.logos),
        "blocks": body_blocks,
        "postscript": postscript_blocks,
        "notes": list(notes.values()),  # in citation order, numbered as called
        "note_style": letter.note_style,
        "link_style": letter.link_style or project.settings.links,
        # None: no closing formula; "": the template's ("Atentamente,"); else the text.
        "closing": (letter.closing or "") if letter.show_closing else None,
        "signer": letter.signer,
        "signers": [{"name": signer.name,
                     "role": pick_locale(signer.role, locale, source) if signer.role else None}
                    for signer in letter.signers],
        "paper": project.settings.paper,
        "generator": f"carta {__version__}",
        # Who writes, to whom, which letter: what an archivist searches for.
        "keywords": [sender_name, *(r["name"] for r in recipients), letter.id],
        "letter_id": letter.id,
        "combined": False,  # True inside a document of several versions (`combine:`)
        "id_prefix": id_prefix,  # before every id: versions in one document keep theirs apart
        "links": _links(letter, locale, project, recipient, site),
        "webfonts": webfonts.faces(),  # the PDF's faces, as files beside the page
    }


def blocks_in_copy(part, recipient: Recipient | None) -> list[tuple[int, object]]:
    """The blocks of a body (or postscript) that a copy holds, each with its number in the
    letter (from 1, what its field paths name): a recipient's copy only those meant for it
    (`only_for`); the copy to all recipients (None) every block."""
    return [(index, block) for index, block in enumerate(part, start=1)
            if recipient is None or not block.only_for or recipient.matches(block.only_for)]


def salutation(letter: Letter, recipient: Recipient | None, locale: str) -> str | None:
    """The salutation of a copy in `locale`: None for none (`salutation: false`, or no one
    addressed); "" for the template's formula ("Dear Sir or Madam,"); else the letter's own
    text, or the one its recipients give in `locale` when exactly one does."""
    if letter.salutation is False:
        return None
    if isinstance(letter.salutation, str):
        return letter.salutation
    addressed = (recipient,) if recipient is not None else letter.recipients
    given = [text for text in (_own_salutation(r, locale) for r in addressed) if text]
    if len(given) == 1:
        return given[0]
    return "" if addressed else None


def _own_salutation(recipient: Recipient, locale: str) -> str | None:
    # A salutation in another language would be wrong: the template's formula serves.
    return pick_locale(recipient.salutation, locale, None)


def _links(letter: Letter, locale: str, project: Project, recipient: Recipient | None,
           site: str | None) -> dict:
    """Where the web page leads, as addresses relative to it (the files sit side by side in
    output/<id>/): its own PDF, the same copy in the project's other languages (for a merged
    letter, those its recipient reads), and the campaign site when there is one."""
    copy = recipient.id if recipient else None

    def name(other: str, extension: str) -> str:
        return output_path(project.output, letter.id, other, extension, copy).name

    others = [other for other in project.settings.locales if other != locale
              and (recipient is None or not recipient.locales or other in recipient.locales)]
    return {
        "pdf": name(locale, "pdf"),
        "languages": [{"lang": _tag(other, project.settings.regions),
                       "name": locales.language_name(other), "href": name(other, "html")}
                      for other in others],
        "site": site,
    }


def _kept_phrases(letter: Letter, locale: str, project: Project,
                  note: Callable[[Path], None], tag) -> KeptPhrases:
    """The names a translation keeps in the letters' language, as the glossary says (`lang`
    on a rule), to be marked in that language wherever they stand. A glossary with problems
    marks nothing: `carta check` reports them."""
    note(project.content / glossary.GLOSSARY_FILE)
    found, problems = glossary.load(project)
    return KeptPhrases(found.kept(letter, locale) if found and not problems else {}, tag)


def _notes(letter: Letter, id_prefix: str = "", regions=None,
           kept: KeptPhrases | None = None) -> dict[str, Note]:
    order = markdown.citation_order(blocks.markdown_texts(letter))
    by_id = {reference.id: reference for reference in letter.references}

    def no_nested_citations(label: str) -> str:
        return ""

    def tag(lang: str) -> str | None:
        return _tag(lang, regions)

    def html(text: str) -> str:
        rendered = markdown.render_inline(text, no_nested_citations, None, tag)
        return kept.mark(rendered) if kept else rendered

    return {
        label: Note(number, label, Markup(html(by_id[label].text)),
                    _tag(by_id[label].lang, regions), letter.note_style, prefix=id_prefix)
        for number, label in enumerate(order, start=1)
    }


def _signatures(letter: Letter, locale: str, note: Callable[[Path], None],
                regions=None) -> list[dict]:
    """The signatory tiers, each with its organisations and people, in the letter's order or
    in the collation of `locale` (so that "Ángel" sorts with "A", and people by family name)."""
    if letter.signatures is None:
        return []

    def text(texts: dict[str, str]) -> str | None:
        return pick_locale(texts, locale, letter.language) if texts else None

    def sort_text(member) -> str:
        if member.sort_as:
            return text(member.sort_as)
        name = text(member.name)
        words = name.split()
        if member.kind == "organization" or len(words) < 2:
            return name
        # "Ana María Ejemplo" sorts as "Ejemplo, Ana María"; the comma sorts before any letter,
        # so "Ruiz, Ana" comes before "Ruizo, Bea".
        return f"{words[-1]}, {' '.join(words[:-1])}"

    key = locales.sort_key(locale) if letter.signatures.order == "alphabetical" else None
    tiers = []
    for tier in letter.signatures.tiers:
        members = sorted(tier.members, key=lambda m: key(sort_text(m))) if key else tier.members
        entries = []
        for member in members:
            where = ", ".join(filter(None, (text(member.place), text(member.country))))
            affiliation = text(member.affiliation) if member.kind == "individual" else None
            entries.append({
                "id": member.id,
                "name": text(member.name),
                "kind": member.kind,
                "affiliation": affiliation,
                "where": where or None,  # "place, country", either alone, or None
                # The columns layout's line under the name.
                "detail": " · ".join(filter(None, (affiliation, where))) or None,
                "url": member.url,
                "logo": _data_url(member.logo, note) if member.logo else None,
            })
        tiers.append({
            "title": tier.title, "lang": _tag(tier.lang, regions), "entries": entries,
            "layout": letter.signatures.layout, "count": tier.count,
            "organizations": sum(1 for e in entries if e["kind"] == "organization"),
            "individuals": sum(1 for e in entries if e["kind"] == "individual"),
            "affiliated": any(e["affiliation"] for e in entries),
            # The table's place column is headed "Place" once any signatory gives one.
            "places": any(member.place for member in members),
            "headers": _headers({**letter.signatures.headers, **tier.headers},
                                any(member.place for member in members), text),
        })
    return tiers


def _headers(named: dict[str, dict[str, str]], places: bool, text) -> dict[str, str | None]:
    """The table's column headers the letter names (a tier's own over the letter's), by
    column of parts/signatories.html; None where the template's phrase stands. The place
    column is headed by `place` when some signatory gives a place, by `country` when they
    give only countries; either alone heads it in both cases."""
    where = ("place", "country") if places else ("country", "place")
    found = next((named[key] for key in where if key in named), None)
    return {"name": text(named["name"]) if "name" in named else None,
            "affiliation": text(named["affiliation"]) if "affiliation" in named else None,
            "where": text(found) if found else None}


# The texts of a signatory entry that differ between languages.
_ENTRY_TEXTS = ("name", "affiliation", "where", "detail")


def _signatures_in_each_language(lists, page_lang: str) -> list[dict]:
    """The signatory tiers of a combined document, once for all its versions: the first
    version's tiers, in its order, with each title and each entry's name, affiliation and
    place in the language of every version (see `in_each_language`)."""
    first = lists[0][0]
    tiers = []
    for number, tier in enumerate(first):
        versions = [(signatures[number], lang) for signatures, _, lang in lists]
        by_id = [({entry["id"]: entry for entry in other["entries"]}, lang)
                 for other, lang in versions]
        entries = []
        for entry in tier["entries"]:
            entries.append({**entry, **{
                field: in_each_language([(entries_of[entry["id"]][field], lang)
                                         for entries_of, lang in by_id], page_lang)
                for field in _ENTRY_TEXTS}})
        title = in_each_language([(other["title"], other["lang"] or lang)
                                  for other, lang in versions], page_lang)
        # Each title carries its own language now; a plain one is in the page's.
        tiers.append({**tier, "title": title, "lang": None, "entries": entries,
                      "headers": _headers_in_each_language(tier, number, lists, page_lang)})
    return tiers


# Each column of a table, with the macro of parts/signatory_phrases.html that heads it when
# the letter names no header of its own.
_HEADER_PHRASES = {"name": "name_header", "affiliation": "affiliation_header",
                   "where": "where_header"}


def _headers_in_each_language(tier: dict, number: int, lists, page_lang: str) -> dict:
    """A combined document's column headers: where some version names a column's header,
    every version's (its own, else its template phrase) side by side; None where none does,
    so that the template's phrases stand as in any letter."""
    headers = {}
    for column, macro in _HEADER_PHRASES.items():
        if not any(signatures[number]["headers"][column] for signatures, _, _ in lists):
            headers[column] = None
            continue
        texts = []
        for signatures, phrases, lang in lists:
            own = signatures[number]
            args = (own,) if column == "where" else ()
            texts.append((own["headers"][column] or getattr(phrases, macro)(*args), lang))
        headers[column] = in_each_language(texts, page_lang)
    return headers


def in_each_language(texts: list[tuple[str | None, str | None]], page_lang: str):
    """One text in each version's language, for parts/signatories.html to print side by side:
    the text itself when it is in the page's language and every version says the same (a name
    with no translation, or None), else a list of {text, lang} with each different text once
    (lang None where it is the page's)."""
    distinct: dict[str, str | None] = {}
    for text, lang in texts:
        if text and text not in distinct:
            distinct[text] = None if lang == page_lang else lang
    if not distinct:
        return None
    if len(distinct) == 1 and None in distinct.values():
        return next(iter(distinct))
    return [{"text": text, "lang": lang} for text, lang in distinct.items()]


class PhrasesInEachLanguage:
    """The signatory lists' template phrases (the macros of parts/signatory_phrases.html) in
    every version's language: each macro is called in each version's environment, so each
    phrase comes from that version's catalog; the results are given as `in_each_language`
    gives them."""

    def __init__(self, versions: list[tuple[object, str]], page_lang: str):
        self._versions = versions  # (the phrases template's module, its language tag)
        self._page_lang = page_lang

    def __getattr__(self, name: str):
        if name.startswith("_"):  # Jinja and markupsafe probe for __html__ and the like
            raise AttributeError(name)

        def in_each(*args):
            return in_each_language([(getattr(module, name)(*args), lang)
                                     for module, lang in self._versions], self._page_lang)
        return in_each


def _tag(lang: str | None, regions=None) -> str | None:
    return locales.language_tag(lang, regions) if lang else None


def _recipient(recipient, locale: str, source: str) -> dict:
    return {
        "name": pick_locale(recipient.name, locale, source),
        "role": pick_locale(recipient.role, locale, source) if recipient.role else None,
        "organization": pick_locale(recipient.organization, locale, source)
        if recipient.organization else None,
        "address": recipient.address,
        "salutation": _own_salutation(recipient, locale),
    }


def letter_title(letter: Letter, locale: str) -> str:
    """What the document is called (HTML <title>, PDF title, site heading, e-mail subject):
    the headline, else the subject, else who writes to whom and when."""
    if letter.title or letter.subject:
        return letter.title or letter.subject
    return default_title(letter, locale, pick_locale(letter.sender.name, locale, letter.language))


def default_title(letter: Letter, locale: str, sender_name: str) -> str:
    # Built from the content only: who writes to whom, and when; never an empty part.
    to = ", ".join(pick_locale(r.name, locale, letter.language) for r in letter.recipients)
    parts = [part for part in (sender_name, to, locales.format_date(letter.date, locale)) if part]
    return " — ".join(parts)


def _data_url(logo: Path | None, note: Callable[[Path], None]) -> str | None:
    """A logo inlined, so that the HTML page travels as one file."""
    if logo is None:
        return None
    note(Path(logo))
    mime = mimetypes.guess_type(logo.name)[0] or "application/octet-stream"
    payload = base64.b64encode(Path(logo).read_bytes()).decode("ascii")
    return f"data:{mime};base64,{payload}"

