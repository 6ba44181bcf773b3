"""Validate once, localize, and list every document to make: the build's plan, writing nothing."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from ..campaign.assemble import validate
from ..core.errors import CartaError, ContentError, Notice, Problem
from ..core.model import Content, Letter, Recipient
from ..core.project import Project
from ..core.write import output_path
from ..localization import catalogs
from ..localization.locales import parse_locale, template_catalog


@dataclass(frozen=True)
class Job:
    """One document to make, the plan's unit of work: a letter, already in the words of one
    locale; for a merged letter, one recipient's copy. (What a build worker is given, the
    outputs of a job that are out of date, is a `run.Assignment`.)"""

    letter: Letter
    locale: str  # for a combined document, its locales joined by "+": "en+es"
    recipient: Recipient | None = None
    # A document with the letter's versions one after the other (`combine:`): (locale, letter)
    # per version, in order. Empty for the ordinary document in one locale.
    versions: tuple[tuple[str, Letter], ...] = ()

    @property
    def name(self) -> str:
        """How messages name this document: "letter-id (es)", "letter-id, inai (es)"."""
        copy = f", {self.recipient.id}" if self.recipient else ""
        return f"{self.letter.id}{copy} ({self.locale})"

    def output(self, folder: Path, extension: str) -> Path:
        return output_path(folder, self.letter.id, self.locale, extension,
                           self.recipient.id if self.recipient else None)

    def depends(self, project: Project) -> set[Path]:
        """The files read to plan this document: the letter, its campaign, the shared content,
        carta.toml and the catalog of its locale (even if there is none yet)."""
        locales = [locale for locale, _ in self.versions] or [self.locale]
        return {*self.letter.depends,
                *(catalogs.catalog_path(project, self.letter.id, locale) for locale in locales)}


@dataclass
class Plan:
    jobs: list[Job] = field(default_factory=list)
    warnings: list[Notice] = field(default_factory=list)
    # With plan(partial=True): every problem found, and what it keeps from being made
    # ("letter-id (all)", "letter-id (en)").
    problems: list[Problem] = field(default_factory=list)
    not_planned: list[str] = field(default_factory=list)
    # What was validated to plan it: callers built on a plan (archive, site) reuse it.
    content: Content | None = None


def plan(project: Project, letters: tuple[str, ...] = (), locales: tuple[str, ...] = (),
         allow_untranslated: bool = False, drafts: bool = False,
         partial: bool = False, content: Content | None = None) -> Plan:
    """Check content and translations, and list every document to make; write nothing.

    Every problem of every letter and locale is collected before one error is raised. With
    `partial`, nothing is raised: the plan holds every document that can be made (a letter
    with problems is left out, and a stale translation leaves out only its own locale) and
    `Plan.problems` and `Plan.not_planned` say what was left out and why. `content`, when
    the caller has validated already (`carta check`), is not validated again.
    """
    if content is None:
        content = validate(project, letters, drafts, partial=partial)
    elif content.problems and not partial:
        raise ContentError(list(content.problems))
    chosen = locales or project.settings.locales
    result = Plan(not_planned=[f"{ident} (all)" for ident in content.not_valid], content=content)
    problems: list[Problem] = list(content.problems)
    for locale in chosen:
        try:
            parse_locale(locale)
        except CartaError as error:
            problems.append(Problem("--locale" if locales else "carta.toml", None, None,
                                    "locales", error.message))
    if problems and not (partial and content.letters):
        # Bad --locale codes, or nothing at all that can be built.
        raise ContentError(problems)
    catalog_dirs = tuple(path / "locale" for path in project.template_dirs())
    for locale in chosen:
        if locale.split("_")[0] != "en" and template_catalog(locale, catalog_dirs) is None:
            message = (f"no catalog of template phrases for {locale} (looked in "
                       f"{', '.join(project.shown(d) for d in catalog_dirs)}); page labels and "
                       "closings would stay in English")
            if allow_untranslated:
                result.warnings.append(Notice(message, "untranslated"))
            else:
                problems.append(Problem("templates", None, None, "", message +
                                        "; add templates/locale/" + locale +
                                        "/LC_MESSAGES/carta.po or use --allow-untranslated"))
    for letter in content.letters:
        localized = {}
        for locale in chosen:
            translation, found = catalogs.open_translation(project, letter, locale)
            localized[locale], more, warned = catalogs.localize(letter, locale, translation,
                                                               allow_untranslated)
            result.warnings += warned
            if found or more:
                problems += found + more
                if partial:  # this locale of this letter waits; the others go on
                    del localized[locale]
                    result.not_planned.append(f"{letter.id} ({locale})")
        built = [locale for locale in chosen if locale in localized] if partial else chosen
        # The parallel versions, when every locale they need is built.
        combined = (tuple((locale, localized[locale]) for locale in letter.combine)
                    if letter.combine and set(letter.combine) <= set(built) else ())
        if letter.combine and not combined:
            result.warnings.append(Notice(
                f"{letter.id}: no combined {'+'.join(letter.combine)} document: it needs "
                f"every one of {', '.join(letter.combine)} among the locales built", "left-out"))
        if not letter.merge:
            result.jobs += [Job(localized[locale], locale) for locale in built]
            if combined:
                result.jobs.append(Job(combined[0][1], "+".join(letter.combine),
                                       versions=combined))
            continue
        for recipient in letter.recipients:
            # Each recipient gets its copy in the languages it reads, among those built.
            wanted = [locale for locale in built
                      if not recipient.locales or locale in recipient.locales]
            if not wanted:
                result.warnings.append(Notice(
                    f"{letter.id}: {recipient.id} reads {', '.join(recipient.locales)}, none of "
                    f"which is built ({', '.join(chosen)}); no copy for it", "left-out"))
            result.jobs += [Job(localized[locale], locale, recipient) for locale in wanted]
            if combined:
                result.jobs.append(Job(combined[0][1], "+".join(letter.combine), recipient,
                                       combined))
    if problems and not partial:
        raise ContentError(problems)
    result.problems = problems
    return result
