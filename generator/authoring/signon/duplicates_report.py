"""`carta signatories duplicates`: the likely duplicate pairs among the signatories (or one
letter's), each with its score and where both come from, and `--not-duplicate A B`, which
remembers a pair a person has judged different."""

from __future__ import annotations

from ...content.duplicates import DEFAULT_THRESHOLD, Entry, Pair, find_pairs, not_duplicates
from ...core.errors import ContentError, Problem
from ...core.project import Project
from . import store


def pairs_among(project: Project, public: dict, private: dict, memory: dict,
                rows_of: dict[str, str] | None = None, shown_as: str = "",
                line_of=lambda ident: None, only: set[str] | None = None) -> list[Pair]:
    """The pairs among the signatories `public` holds (an import's new ones included before
    they are written), with the e-mails of `private`, less the pairs `memory` marks."""
    rows_of = rows_of or {}
    entries = []
    for ident, entry in public.items():
        ident = str(ident)
        if not isinstance(entry, dict) or (only is not None and ident not in only):
            continue
        name = entry.get("name")
        if isinstance(name, dict):
            name = next(iter(name.values()), "")
        kept = private.get(ident) or {}
        line = line_of(ident)
        source = rows_of.get(ident) or kept.get("source")
        where = " ".join(part for part in (f"{shown_as}:{line}" if line else "",
                                           f"({source})" if line and source else source)
                         if part) or shown_as
        entries.append(Entry(ident, str(entry.get("kind", "")), str(name or ""),
                             str(kept["email"]) if kept.get("email") else None, where))
    threshold = getattr(project.settings, "duplicate_threshold", DEFAULT_THRESHOLD)
    return find_pairs(entries, threshold, not_duplicates(memory.get("not_duplicates")))


def duplicates(project: Project, letter: str | None = None) -> list[Pair]:
    only = None
    if letter is not None:
        only = store.letter_members(store.letter(project, letter))
    public = store.signatories(project)
    return pairs_among(project, public.data, store.private(project).data,
                       store.memory(project).data, shown_as=public.shown_as,
                       line_of=public.line, only=only)


def mark_not_duplicate(project: Project, first: str, second: str) -> bool:
    """Remember that `first` and `second` are different signatories; False when it was
    remembered already."""
    public = store.signatories(project)
    problems = [Problem("--not-duplicate", None, None, ident,
                        f"no signatory '{ident}' in {public.shown_as}")
                for ident in (first, second) if ident not in public.data]
    if first == second:
        problems.append(Problem("--not-duplicate", None, None, first,
                                "expected two different signatory ids"))
    if problems:
        raise ContentError(problems)
    memory = store.memory(project)
    data = store.plain(memory.data)
    pairs = data.setdefault("not_duplicates", [])
    if frozenset((first, second)) in not_duplicates(pairs):
        return False
    pairs.append(sorted((first, second)))
    store.write_memory(memory, data)
    return True
