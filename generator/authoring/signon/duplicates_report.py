"""`carta signatories duplicates`: the likely duplicate pairs among the signatories (or one
letter's), each with its score and where both come from, and `--not-duplicate A B`, which
remembers a pair a person has judged different."""

from __future__ import annotations

from ...content.duplicates import DEFAULT_THRESHOLD, Entry, Pair, find_pairs, not_duplicates
from ...core.errors import ContentError, Problem
from ...core.project import Project
from . import store


def pairs_among(project: Project, public: store.Document, private: store.Document,
                memory: store.Document, rows_of: dict[str, str] | None = None,
                only: set[str] | None = None) -> list[Pair]:
    """The pairs among the signatories as the documents hold them now (an import's new ones
    included before they are written)."""
    rows_of = rows_of or {}
    entries = []
    for ident, entry in public.data.items():
        ident = str(ident)
        if not isinstance(entry, dict) or (only is not None and ident not in only):
            continue
        name = entry.get("name")
        if isinstance(name, dict):
            name = next(iter(name.values()), "")
        kept = private.data.get(ident) or {}
        line = _line(public.data, ident)
        source = rows_of.get(ident) or kept.get("source")
        where = " ".join(part for part in (f"{public.shown_as}:{line}" if line else "",
                                           f"({source})" if line and source else source)
                         if part) or public.shown_as
        entries.append(Entry(ident, str(entry.get("kind", "")), str(name or ""),
                             str(kept["email"]) if kept.get("email") else None, where))
    threshold = getattr(project.settings, "duplicate_threshold", DEFAULT_THRESHOLD)
    return find_pairs(entries, threshold, not_duplicates(memory.data.get("not_duplicates")))


def _line(data, key) -> int | None:
    try:
        return data.lc.key(key)[0] + 1
    except (AttributeError, KeyError, TypeError):
        return None  # added by this run: no line yet


def duplicates(project: Project, letter: str | None = None) -> list[Pair]:
    only = None
    if letter is not None:
        only = store.letter_members(store.letter(project, letter))
    return pairs_among(project, store.signatories(project), store.private(project),
                       store.memory(project), only=only)


def mark_not_duplicate(project: Project, first: str, second: str) -> bool:
    """Remember that `first` and `second` are different signatories; False when it was
    remembered already."""
    from ruamel.yaml.comments import CommentedSeq

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
    pairs = memory.data.setdefault("not_duplicates", CommentedSeq())
    if frozenset((first, second)) in not_duplicates(pairs):
        return False
    entry = CommentedSeq(sorted((first, second)))
    entry.fa.set_flow_style()
    pairs.append(entry)
    memory.write()
    return True
