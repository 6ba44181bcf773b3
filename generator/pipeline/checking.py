"""What `carta check` runs: the whole plan of a build, with the glossary's review of it."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from ..campaign.assemble import validate
from ..content.signon_checks import signatory_findings
from ..core.errors import CartaError, ContentError, Problem
from ..core.project import Project
from ..localization import catalogs, glossary
from ..localization.locales import parse_locale
from .plan import plan


@dataclass(frozen=True)
class Checked:
    """What a check that found no problem says: how many letters would be built, and how
    many glossary findings were reported as warnings."""

    letters: int
    glossary_warnings: int


def check(project: Project, letters: tuple[str, ...] = (), locales: tuple[str, ...] = (),
          drafts: bool = False, strict: bool = False,
          warn: Callable[[Problem], None] = lambda finding: None) -> Checked:
    """Check the content, its translations and the glossary as `carta build` would; raise one
    ContentError listing every problem. A broken glossary file is a problem like any content;
    what the glossary finds in translations is a warning, given to `warn` before the plan is
    made (a problem with `strict`)."""
    terms, problems = glossary.load(project)
    content = validate(project, letters, drafts, partial=True)
    findings: list[Problem] = []
    if terms is not None:
        # Letters or catalogs with problems of their own are skipped: the plan reports those.
        for letter in content.letters:
            for locale in locales or project.settings.locales:
                try:
                    parse_locale(locale)
                except CartaError:
                    continue
                translation, _ = catalogs.open_translation(project, letter, locale)
                findings += terms.check(letter, locale, translation)
    # Undecided likely duplicates are warnings like the glossary's findings, problems with
    # strict; they are not counted as glossary warnings.
    warned, found = signatory_findings(project, content.letters, content.signatories, strict)
    problems += found
    for finding in warned:
        warn(finding)
    if strict:
        problems += findings
    else:
        for finding in sorted(findings, key=lambda found: (found.file, found.line or 0)):
            warn(finding)
    try:
        planned = plan(project, letters, locales, drafts=drafts, content=content)
    except ContentError as error:
        raise ContentError(error.problems + problems) from None
    if problems:
        raise ContentError(problems)
    return Checked(len({job.letter.id for job in planned.jobs}), len(findings))
