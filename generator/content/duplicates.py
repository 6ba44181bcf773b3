"""Likely duplicate signatories, for a person to decide: the same e-mail, the same name once
case, accents, punctuation, legal-form suffixes and leading articles are set aside, or names
close by fuzzy score (rapidfuzz's token-sort ratio, so "Pérez, Ana" meets "Ana Pérez").

Comparing every name with every other grows with the square of the list (10,000 signatories
are 50 million pairs), so names are compared only with those that share a word, the rarest
word of each name always counting: a near match that shares no word at all is not found."""

from __future__ import annotations

import re
import unicodedata
from collections import defaultdict
from dataclasses import dataclass

DEFAULT_THRESHOLD = 90.0

# Folded (see fold_name); removed from the end of a name, repeatedly ("Red X, A.C.").
LEGAL_FORMS = tuple(sorted((
    "a c", "ac", "asociacion civil", "s c", "sc", "sociedad civil", "i a p", "iap",
    "institucion de asistencia privada", "a b p", "abp", "s a de c v", "sa de cv", "s a",
    "s c de r l", "s de r l", "a r", "inc", "llc", "ltd",
    "ltda", "limited", "cic", "e v", "ev", "asbl", "aisbl", "ong", "ngo", "sarl", "sas",
    "association loi 1901", "gmbh",
), key=len, reverse=True))
LEADING_ARTICLES = ("el", "la", "los", "las", "lo", "the", "le", "les", "l", "un", "una",
                    "une", "a", "an")
_NOT_WORD = re.compile(r"[^\w]+")


def fold_name(text: str) -> str:
    """Lower case, no accents, punctuation as single spaces."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    bare = "".join(char for char in decomposed if not unicodedata.combining(char))
    return " ".join(_NOT_WORD.sub(" ", bare.replace("_", " ")).split())


def normalise_name(text: str) -> str:
    """A name as duplicates are judged: folded, without its legal form and leading article
    ("La Red Ejemplo, A.C." and "red ejemplo" are the same)."""
    name = fold_name(text)
    changed = True
    while changed:
        changed = False
        for form in LEGAL_FORMS:
            if name.endswith(" " + form) and len(name) > len(form) + 1:
                name = name[:-len(form) - 1].rstrip()
                changed = True
                break
    words = name.split()
    if len(words) > 1 and words[0] in LEADING_ARTICLES:
        words = words[1:]
    return " ".join(words)


@dataclass(frozen=True)
class Entry:
    """One signatory as the comparison sees it."""

    ident: str
    kind: str
    name: str
    email: str | None = None
    where: str = ""  # "content/signatories.yaml:12" or "export.csv row 7"


@dataclass(frozen=True)
class Pair:
    first: Entry
    second: Entry
    reasons: tuple[str, ...]  # "same e-mail", "same name", "similar name"
    score: float  # 100 for the same e-mail or name

    @property
    def key(self) -> frozenset[str]:
        return frozenset((self.first.ident, self.second.ident))


def find_pairs(entries: list[Entry], threshold: float = DEFAULT_THRESHOLD,
               not_duplicates: frozenset[frozenset[str]] = frozenset()) -> list[Pair]:
    """Every likely duplicate pair among `entries`, best score first; pairs a person marked
    "not a duplicate" are left out."""
    found: dict[tuple[int, int], tuple[set[str], float]] = {}

    def note(first: int, second: int, reason: str, score: float) -> None:
        pair = (min(first, second), max(first, second))
        reasons, best = found.get(pair, (set(), 0.0))
        reasons.add(reason)
        found[pair] = (reasons, max(best, score))

    by_email: dict[str, list[int]] = defaultdict(list)
    for index, entry in enumerate(entries):
        if entry.email:
            by_email[entry.email.strip().casefold()].append(index)
    for group in by_email.values():
        for position, first in enumerate(group):
            for second in group[position + 1:]:
                note(first, second, "same e-mail", 100.0)

    names = [normalise_name(entry.name) for entry in entries]
    by_name: dict[tuple[str, str], list[int]] = defaultdict(list)
    for index, name in enumerate(names):
        if name:
            by_name[(entries[index].kind, name)].append(index)
    for group in by_name.values():
        for position, first in enumerate(group):
            for second in group[position + 1:]:
                note(first, second, "same name", 100.0)

    # Near matches: only between names of the same kind that share the first four letters of
    # a word (a typo near a word's end still meets its original), and only keys that are not
    # in a large share of all names ("fund", "red"), except each name's rarest key, which
    # always counts. Each name is scored against its candidates in one call (rapidfuzz's
    # C loop); a pair met from both sides is noted once.
    from rapidfuzz import fuzz, process

    postings: dict[tuple[str, str], list[int]] = defaultdict(list)
    keys = [{(entries[index].kind, word[:4]) for word in name.split()}
            for index, name in enumerate(names)]
    for index, these in enumerate(keys):
        for key in these:
            postings[key].append(index)
    common = max(50, len(entries) // 50)
    for index, these in enumerate(keys):
        if not these:
            continue
        rarest = min(these, key=lambda key: (len(postings[key]), key))
        candidates: set[int] = set()
        for key in these:
            if key == rarest or len(postings[key]) <= common:
                candidates.update(postings[key])
        candidates.discard(index)
        others = [other for other in candidates if names[other] != names[index]]
        hits = process.extract(names[index], [names[other] for other in others],
                               scorer=fuzz.token_sort_ratio, processor=None,
                               score_cutoff=threshold, limit=None)
        for _, score, position in hits:
            other = others[position]
            if similarity(names[index], names[other], threshold):
                note(index, other, "similar name", score)

    pairs = []
    for (first, second), (reasons, score) in found.items():
        pair = Pair(entries[first], entries[second],
                    tuple(sorted(reasons, key=("same e-mail", "same name",
                                               "similar name").index)), round(score, 1))
        if pair.key not in not_duplicates:
            pairs.append(pair)
    pairs.sort(key=lambda pair: (-pair.score, pair.first.ident, pair.second.ident))
    return pairs


# How alike the words two names do not share must be (rapidfuzz's ratio): one typo in a
# word of four letters or more keeps it above (Lagri, Lagi: 89), another word falls below
# (Nube, Yunque: 40; Magnolia, Laguna: 57).
WORDS_ALIKE = 75.0


def similarity(first: str, second: str, threshold: float = 0.0) -> float:
    """How alike two normalised names are: their token-sort ratio, 0 to 100 (0 below
    `threshold`), or 0 when each has words the other lacks and those are not alike.
    Without that second rule, names made of the same common words ("Fundación Ejemplo Faro
    Nube", "Fundación Ejemplo Faro Yunque") score as near matches while their one telling
    word differs; with it, a typo ("Granito", "Granit") still scores high."""
    from rapidfuzz import fuzz

    score = fuzz.token_sort_ratio(first, second, score_cutoff=threshold)
    if not score:
        return 0.0
    words, others = first.split(), second.split()
    only_first = sorted(word for word in words if word not in others)
    only_second = sorted(word for word in others if word not in words)
    if only_first and only_second and fuzz.ratio(" ".join(only_first), " ".join(only_second),
                                                 score_cutoff=WORDS_ALIKE) == 0:
        return 0.0
    return score


def not_duplicates(listed: object) -> frozenset[frozenset[str]]:
    """The pairs a person marked "not a duplicate" (content/signatories-import.yaml's
    `not_duplicates: [[a, b], ...]`), as sets of two ids; anything else is ignored."""
    pairs = set()
    for item in listed if isinstance(listed, list) else ():
        if isinstance(item, list) and len(item) == 2 and all(isinstance(i, str) for i in item):
            pairs.add(frozenset(item))
    return frozenset(pairs)
