"""What `carta check` says about a sign-on letter's signatories: likely duplicates not yet
decided (a warning; an error with --strict), signatories on its list who signed after its date
and so are not printed on it (a warning), and with --strict, every organisation without an
authorisation on record in content/private/signatories.yaml."""

from __future__ import annotations

from ..core.errors import Problem
from ..core.model import Consent, Letter
from ..core.project import Project
from .duplicates import DEFAULT_THRESHOLD, Entry, find_pairs, not_duplicates
from .load import load_content
from .shared import PRIVATE_SIGNATORIES, read_consents

MEMORY = "signatories-import.yaml"  # under content/: the import's memory, not_duplicates


def read_private(project: Project, known: dict) -> tuple[dict[str, Consent], list[Problem]]:
    """The private consent records, when the file is there."""
    path = project.content / PRIVATE_SIGNATORIES
    if not path.exists():
        return {}, []
    return read_consents(project, load_content(project, path), known)


def signatory_findings(project: Project, letters: tuple[Letter, ...], known: dict,
                       strict: bool = False) -> tuple[list[Problem], list[Problem]]:
    """(warnings, problems): undecided likely duplicates on each letter are warnings (problems
    with `strict`); with `strict`, an organisation with no authorisation is a problem."""
    consents, problems = read_private(project, known)
    memory_path = project.content / MEMORY
    marked = frozenset()
    if memory_path.exists():
        loaded = load_content(project, memory_path)
        problems += loaded.problems
        if isinstance(loaded.data, dict):
            marked = not_duplicates(loaded.data.get("not_duplicates"))
    threshold = getattr(project.settings, "duplicate_threshold", DEFAULT_THRESHOLD)
    warnings: list[Problem] = []
    for letter in letters:
        if letter.signatures is None:
            continue
        # Who signed after the letter's date is on its list too, for the next follow-up.
        members = [member for tier in letter.signatures.tiers for member in tier.members]
        members += letter.signatures.since
        line, column = letter.positions.get("signatories", (None, None))
        if letter.signatures.since:
            warnings.append(late_signatories(letter, line, column))
        entries = [Entry(member.id, member.kind, next(iter(member.name.values()), ""),
                         consents[member.id].email if member.id in consents else None)
                   for member in members]
        for pair in find_pairs(entries, threshold, marked):
            warnings.append(Problem(
                letter.shown_as, line, column, "signatories",
                f"likely duplicate signatories '{pair.first.ident}' and '{pair.second.ident}' "
                f"({', '.join(pair.reasons)}, score {pair.score:g}); keep one, or mark them "
                f"with 'carta signatories duplicates --not-duplicate {pair.first.ident} "
                f"{pair.second.ident}'"))
        if strict:
            for member in members:
                consent = consents.get(member.id)
                if member.kind == "organization" and (consent is None
                                                      or not consent.authorised_by):
                    problems.append(Problem(
                        letter.shown_as, line, column, f"signatories: {member.id}",
                        "no authorisation on record for this organisation; add who "
                        f"authorised it (authorised_by) to {member.id} in "
                        f"content/{PRIVATE_SIGNATORIES}"))
    if strict:
        return [], problems + warnings
    return warnings, problems


def late_signatories(letter: Letter, line, column) -> Problem:
    """The letter's date counts as the day it was sent: who signed after it is kept for the
    next follow-up, not printed. Said, because a letter still being collected would otherwise
    lose its newest names without a word."""
    late = letter.signatures.since
    names = ", ".join(f"'{member.id}' ({member.signed.isoformat()})" for member in late[:5])
    more = f" and {len(late) - 5} more" if len(late) > 5 else ""
    return Problem(
        letter.shown_as, line, column, "signatories",
        f"{len(late)} on the list signed after the letter's date ({letter.date.isoformat()}) "
        f"and are not printed on it: {names}{more}; if the letter is not sent yet, set its "
        "date to the day it goes out; if it is, they are kept for the next follow-up")
