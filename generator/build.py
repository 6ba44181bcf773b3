"""The pipeline: validate, localize and plan every document, then render, make and write each."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from . import catalog, i18n
from .errors import CartaError, ContentError, Problem
from .model import Letter
from .project import Project, builtin_templates
from .render import Renderer
from .validate import validate
from .write import output_path, write_atomic

FORMATS = ("pdf", "html")


@dataclass(frozen=True)
class Job:
    """One document to make: a letter, already in the words of one locale."""

    letter: Letter
    locale: str


@dataclass
class Plan:
    jobs: list[Job] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)


def plan(project: Project, letters: tuple[str, ...] = (), locales: tuple[str, ...] = (),
         allow_untranslated: bool = False) -> Plan:
    """Check content and translations, and list every document to make; write nothing.

    Every problem of every letter and locale is collected before one error is raised.
    """
    content = validate(project, letters)
    chosen = locales or project.settings.locales
    result = Plan()
    problems: list[Problem] = []
    for locale in chosen:
        try:
            i18n.parse_locale(locale)
        except CartaError as error:
            problems.append(Problem("--locale" if locales else "carta.toml", None, None,
                                    "locales", error.message))
    if problems:
        raise ContentError(problems)
    catalog_dirs = tuple(path / "locale" for path in project.template_dirs())
    for locale in chosen:
        if locale.split("_")[0] != "en" and i18n.template_catalog(locale, catalog_dirs) is None:
            message = (f"no catalog of template phrases for {locale} (looked in "
                       f"{', '.join(project.shown(d) for d in catalog_dirs)}); page labels and "
                       "closings would stay in English")
            if allow_untranslated:
                result.warnings.append(message)
            else:
                problems.append(Problem("templates", None, None, "", message +
                                        "; add templates/locale/" + locale +
                                        "/LC_MESSAGES/carta.po or use --allow-untranslated"))
    for letter in content.letters:
        for locale in chosen:
            translation, found = load_translation(project, letter, locale)
            problems += found
            localized, found, warned = catalog.localize(letter, locale, translation,
                                                        allow_untranslated)
            problems += found
            result.warnings += warned
            result.jobs.append(Job(localized, locale))
    if problems:
        raise ContentError(problems)
    return result


def load_translation(project: Project, letter: Letter,
                     locale: str) -> tuple[catalog.Translation | None, list[Problem]]:
    if locale == letter.language:
        return None, []
    path = catalog.catalog_path(project, letter.id, locale)
    found, problems = catalog.read_catalog(path, locale, project.shown(path))
    return catalog.Translation(letter, locale, found, project.shown(path)), problems


def build(project: Project, letters: tuple[str, ...] = (), locales: tuple[str, ...] = (),
          formats: tuple[str, ...] = FORMATS, output: Path | None = None,
          allow_untranslated: bool = False,
          report: Callable[[Path], None] = lambda path: None,
          warn: Callable[[str], None] = lambda message: None) -> list[Path]:
    """Build PDF and HTML for the chosen letters and locales; return the files written."""
    planned = plan(project, letters, locales, allow_untranslated)
    for message in planned.warnings:
        warn(message)
    output = output or project.output
    renderer = Renderer(project)
    pdf_maker = None
    if "pdf" in formats:
        from .pdf import PdfMaker  # WeasyPrint costs a second to import: only when needed

        pdf_maker = PdfMaker((project.content, project.templates, builtin_templates()))
    written = []
    for job in planned.jobs:
        html = renderer.render(job.letter, job.locale)
        name = f"{job.letter.id} ({job.locale})"
        outputs = {}
        if "html" in formats:
            outputs["html"] = html.encode("utf-8")
        if pdf_maker is not None:
            outputs["pdf"] = pdf_maker.make(html, job.letter.source.parent, name)
        for extension, data in outputs.items():
            path = output_path(output, job.letter.id, job.locale, extension)
            write_atomic(path, data)
            report(path)
            written.append(path)
    return written
