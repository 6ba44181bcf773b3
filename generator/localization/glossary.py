"""The project glossary: the approved translation of each term, which translations must use.

content/glossary.yaml lists the terms of the language the letters are written in, each with
its approved translation per locale, what to add at the term's first use (a gloss), the
variants not to use, and notes. `carta check` reports a translated message that leaves out a
term's approved translation, uses a forbidden variant, or lacks a gloss at the term's first use
(warnings; errors with --strict); `carta i18n update` writes the entries a message holds as
`#.` comments beside it; `carta i18n stats` counts the findings per letter and locale.

How a term is found in a text:

- Case does not matter, accents do: "gobierno abierto" is "Gobierno Abierto", but "Nucleo" is
  not "Núcleo". Texts are compared in Unicode NFC, so composed and decomposed accents are
  equal, and a typographic apostrophe (’) counts as a straight one (').
- Whole words only: "STT" is not found in "STTs", nor "Plan" in "Planes". Any run of spaces or
  line breaks between the words of a term matches any other.
- There is no stemming. Plural and inflected forms count only when the glossary lists them:
  `forms` of a term (other ways the source writes it: "Planes de Acción", an acronym) and
  `forms` of a translation (other accepted ways to write it: "Action Plans"). Wherever any form
  of the term appears in the source, any one accepted form of its translation must appear in the
  translation.
- The longest match wins: inside "Tercer Plan de Acción" the shorter term "Plan de Acción" is
  not found again, so a specific term can be translated unlike the general one it contains.
- Footnote markers ([^id]) and web addresses are not text: "stt" in [^carta-stt] is no term.
- A forbidden variant is reported wherever it stands in a translation, unless it is part of an
  accepted form of some term there ("Third Action Plan" may be forbidden while "Action Plan" is
  accepted).
- The first use of a term is the first message, in reading order (the order of
  `catalogs.messages`: short fields such as the subject, then the body, then the notes), whose
  source holds it. A gloss is required there only; an untranslated first use is reported as
  untranslated, not as missing its gloss.

The glossary applies to letters written in its `language` (default: the first locale in
carta.toml); letters in other languages are not checked against it.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from dataclasses import dataclass, field

from babel.messages.catalog import Catalog

from ..content.load import SourceMap, load_content
from ..content.reader import Reader, describe
from ..core.errors import ContentError, Problem
from ..core.model import Letter
from ..core.project import Project
from . import catalogs
from .phrases import Occurrence, PhraseFinder, fold

GLOSSARY_FILE = "glossary.yaml"
TOP_FIELDS = ("language", "terms")
TERM_FIELDS = ("term", "forms", "note", "translations")
RULE_FIELDS = ("use", "forms", "gloss", "forbidden", "note", "lang")
# A term is a few words; a longer "term" is a sentence pasted in the wrong place.
MAX_PHRASE = 200
# A note is read by translators in their PO editor; a page of text belongs in the README.
MAX_NOTE = 1000
# A letters project's glossary holds tens of terms (this repository's: 26); a termbase of
# thousands is pasted data, and every term is looked for in every message of every letter.
MAX_TERMS = 2000
# The forms of a term, or the forms or forbidden variants of a translation: a few each.
MAX_PHRASES = 50


@dataclass(frozen=True)
class Rule:
    """How one term is translated into one locale."""

    locale: str
    use: str  # the approved translation
    forms: tuple[str, ...]  # every accepted form, `use` first
    gloss: str | None  # what the translation must also say where the term is first used
    forbidden: tuple[str, ...]
    note: str | None
    line: int | None  # where the rule stands in the glossary file
    # The language the approved translation is written in when it is not the locale's (a
    # name kept in Spanish: `lang: es`): every output marks it so (HTML lang, the PDF's /Lang,
    # the DOCX's w:lang), so that screen readers and spelling checkers take it as such.
    lang: str | None = None


@dataclass(frozen=True)
class Term:
    term: str
    forms: tuple[str, ...]  # every form the source may use, `term` first
    note: str | None
    rules: dict[str, Rule]
    line: int | None

    def rule(self, locale: str) -> Rule | None:
        """The rule for `locale`, or for its language ("en" serves "en_GB")."""
        return self.rules.get(locale) or self.rules.get(locale.split("_")[0])


@dataclass(frozen=True)
class Glossary:
    language: str
    terms: tuple[Term, ...]
    shown_as: str
    # The finder of each locale's translations, made at its first use.
    _cache: dict = field(default_factory=dict, compare=False, repr=False)

    def applies(self, letter: Letter, locale: str) -> bool:
        return bool(self.terms) and letter.language == self.language \
            and locale != letter.language

    def found(self, text: str) -> list[tuple[Term, str]]:
        """The terms in a source text, each once, in order of first appearance, with the form
        the text uses; the longest match wins where two overlap."""
        finder, owners = self._sources
        chosen: dict[int, tuple[Term, str]] = {}
        end = 0
        for occurrence in finder.occurrences(_plain(text)):  # by start, the longest first
            if occurrence.start >= end:
                for term, form in owners[occurrence.key]:
                    chosen.setdefault(id(term), (term, form))
                end = occurrence.end
        return list(chosen.values())

    @functools.cached_property
    def _sources(self) -> tuple[PhraseFinder, dict[str, list[tuple[Term, str]]]]:
        """One finder for every form of every term, and who owns each form."""
        owners: dict[str, list[tuple[Term, str]]] = {}
        for term in self.terms:
            for form in term.forms:
                owners.setdefault(fold(_normal(form)), []).append((term, form))
        return PhraseFinder(owners), owners

    def kept(self, letter: Letter, locale: str) -> dict[str, str]:
        """The phrases a translation of `letter` into `locale` keeps in another language,
        folded as PhraseFinder compares them, with that language: every accepted form of a
        rule with `lang`, and, when that is the glossary's own language, the term's own forms
        too ("Núcleo de Organizaciones de la Sociedad Civil", written out in a translation, is
        as Spanish as "Núcleo")."""
        if not self.applies(letter, locale):
            return {}
        kept = {}
        for term in self.terms:
            rule = term.rule(locale)
            if rule is None or not rule.lang:
                continue
            own = term.forms if rule.lang.split("_")[0] == self.language.split("_")[0] else ()
            for form in (*rule.forms, *own):
                kept.setdefault(fold(_normal(form)), rule.lang)
        return kept

    def _targets(self, locale: str) -> _Targets:
        """The finder for everything a translation into `locale` is searched for, built once."""
        if locale not in self._cache:
            rules = [rule for term in self.terms if (rule := term.rule(locale))]
            self._cache[locale] = _Targets(rules)
        return self._cache[locale]

    def where(self, line: int | None) -> str:
        return f"{self.shown_as}:{line}" if line else self.shown_as

    def check(self, letter: Letter, locale: str,
              translation: catalogs.Translation | None) -> list[Problem]:
        """Every glossary finding in the translated messages of `letter` in `locale`, located
        by PO file, line and msgctxt."""
        if not self.applies(letter, locale) or translation is None \
                or translation.catalog is None:
            return []
        targets = self._targets(locale)
        seen: set[int] = set()
        findings = []
        for message in catalogs.messages(letter):
            found = [(term, form, rule) for term, form in self.found(message.text)
                     if (rule := term.rule(locale))]
            first = {id(term) for term, _, _ in found if id(term) not in seen}
            seen |= first
            status, text = translation.status(message)
            if status != "translated":
                continue  # reported as untranslated, fuzzy or stale by the translation check
            entry = translation.entry(message)

            def finding(detail: str, line: int | None, entry=entry, message=message) -> None:
                findings.append(Problem(
                    translation.shown_as, entry.lineno if entry else None, None, message.field,
                    f"msgctxt \"{message.context}\": glossary: {detail} ({self.where(line)})"))

            occurrences = targets.finder.occurrences(_plain(text))
            present = {occurrence.key for occurrence in occurrences}
            for term, form, rule in found:
                if not any(fold(_normal(accepted)) in present for accepted in rule.forms):
                    finding(f"the source says \"{form}\"; translate it as "
                            f"{_either(rule.forms)}", rule.line)
                if id(term) in first and rule.gloss \
                        and fold(_normal(rule.gloss)) not in present:
                    finding(f"\"{form}\" is first used here, in reading order; add the gloss "
                            f"\"{rule.gloss}\"", rule.line)
            for rule, shown in targets.forbidden_in(occurrences):
                finding(f"\"{shown}\" is a forbidden variant in {rule.locale}; write "
                        f"{_either(rule.forms)}", rule.line)
        return findings

    def comments(self, letter: Letter, locale: str) -> dict[tuple[str, str], list[str]]:
        """The translator comments for each message, by (source text, context): one line per
        glossary entry the message holds, in the order the text uses them."""
        result: dict[tuple[str, str], list[str]] = {}
        if not self.applies(letter, locale):
            return result
        seen: set[int] = set()
        for message in catalogs.messages(letter):
            lines = []
            for term, form in self.found(message.text):
                first = id(term) not in seen
                seen.add(id(term))
                rule = term.rule(locale)
                parts = [f"\"{form}\" -> " + (_either(rule.forms) if rule else
                                              f"no {locale} translation in the glossary yet")]
                if rule and rule.gloss:
                    parts.append(f"First use: add \"{rule.gloss}\"" if first else
                                 "Glossed at its first use, earlier")
                if rule and rule.forbidden:
                    parts.append("Not " + ", ".join(f"\"{v}\"" for v in rule.forbidden))
                parts += [note for note in (term.note, rule.note if rule else None) if note]
                # One sentence per part, so that a PO editor shows a readable paragraph.
                lines.append("glossary: " + " ".join(
                    part if part[-1] in ".!?" else part + "." for part in parts))
            if lines:
                result[(message.text, message.context)] = lines
        return result


def _either(forms: tuple[str, ...]) -> str:
    return " or ".join(f"\"{form}\"" for form in forms)


# Matching ----------------------------------------------------------------------------------

_MARKERS = re.compile(r"\[\^[^\]\s]*\]|(?:https?:|mailto:)\S+")


def _normal(text: str) -> str:
    return unicodedata.normalize("NFC", text).replace("\u2019", "'")


def _plain(text: str) -> str:
    """The words of a Markdown text: footnote markers and addresses are not prose."""
    return _MARKERS.sub(" ", _normal(text))


class _Targets:
    """What translations into one locale are searched for: every accepted form, gloss and
    forbidden variant of its rules, in one finder."""

    def __init__(self, rules: list[Rule]):
        self.accepted = {fold(_normal(form)) for rule in rules for form in rule.forms}
        # A forbidden variant -> the rules that forbid it, in glossary order.
        self.forbidders: dict[str, list[tuple[int, int, Rule]]] = {}
        for number, rule in enumerate(rules):
            for index, variant in enumerate(rule.forbidden):
                self.forbidders.setdefault(fold(_normal(variant)), []).append(
                    (number, index, rule))
        self.finder = PhraseFinder([*self.accepted, *self.forbidders,
                                    *(_normal(rule.gloss) for rule in rules if rule.gloss)])

    def forbidden_in(self, occurrences: list[Occurrence]) -> list[tuple[Rule, str]]:
        """(rule, variant as written) for each forbidden variant that stands in the text
        outside every accepted form, at its first such place; in the glossary's order."""
        reach = -1  # the furthest end of an accepted form begun so far
        first: dict[str, str] = {}
        for occurrence in occurrences:  # by start, the longest first
            if occurrence.key in self.accepted:  # a form both accepted and forbidden is fine
                reach = max(reach, occurrence.end)
            elif occurrence.key in self.forbidders and occurrence.key not in first \
                    and occurrence.end > reach:
                first[occurrence.key] = occurrence.shown
        owners = sorted((number, index, key, rule) for key in first
                        for number, index, rule in self.forbidders[key])
        return [(rule, first[key]) for _, _, key, rule in owners]


# Reading content/glossary.yaml --------------------------------------------------------------

def load(project: Project) -> tuple[Glossary | None, list[Problem]]:
    """The project's glossary (None when there is none) and the problems in its file."""
    path = project.content / GLOSSARY_FILE
    if not path.exists() and not path.is_symlink():
        return None, []
    loaded = load_content(project, path)
    reader = _GlossaryReader(loaded.shown_as)
    glossary = reader.glossary(loaded.data, project.settings.locales[0]) \
        if loaded.data is not None else Glossary(project.settings.locales[0], (),
                                                 loaded.shown_as)
    problems = list(loaded.problems) + reader.problems
    return (None if problems else glossary), problems


def load_checked(project: Project) -> Glossary | None:
    """The project's glossary; a ContentError listing its problems if it has any."""
    glossary, problems = load(project)
    if problems:
        raise ContentError(problems)
    return glossary


class _GlossaryReader(Reader):
    """content/glossary.yaml, field by field, every problem with its line."""

    def glossary(self, data: object, default_language: str) -> Glossary:
        top = self.mapping(data, None, "", data, "a mapping with language and terms")
        if top is None:
            return Glossary(default_language, (), self.shown_as)
        self.check_keys(top, "", TOP_FIELDS, ("terms",))
        language = default_language
        if "language" in top:
            language = self.locale_code(top, "language", "language", top["language"]) \
                or default_language
        listed = self.items(top, "terms", "terms", top.get("terms"),
                            "a list of terms (- term: ...)") if "terms" in top else None
        if listed is not None and len(listed) > MAX_TERMS:
            # Over the limit nothing is read: reading and matching time is what it bounds.
            self.problem(top, "terms", "terms",
                         f"expected at most {MAX_TERMS:,} terms, found {len(listed):,}; keep "
                         "the terms translators of these letters need")
            listed = None
        terms = []
        sources: dict[str, int] = {}  # a source form, as compared, -> the line of its term
        for index, item in enumerate(listed or ()):
            field_name = f"terms[{index + 1}]"
            fields = self.mapping(listed, index, field_name, item,
                                  "a mapping with term and translations")
            if fields is None:
                continue
            self.check_keys(fields, field_name, TERM_FIELDS, ("term",))
            term = self.phrase(fields, "term", f"{field_name}.term")
            if term is None:
                continue
            line = listed.position(index)[0]
            forms = (term, *self.phrases(fields, "forms", f"{field_name}.forms"))
            for form in forms:
                key = _normal(" ".join(form.split())).lower()
                if key in sources:
                    self.problem(fields, "term" if form == term else "forms",
                                 f"{field_name}.forms" if form != term else f"{field_name}.term",
                                 f"'{form}' is already a term or form at line {sources[key]}; "
                                 "list each once")
                sources.setdefault(key, line)
            terms.append(Term(term, tuple(dict.fromkeys(forms)),
                              self.note(fields, "note", f"{field_name}.note"),
                              self.rules(fields, field_name, language), line))
        return Glossary(language, tuple(terms), self.shown_as)

    def rules(self, fields: SourceMap, field_name: str, language: str) -> dict[str, Rule]:
        if "translations" not in fields:
            return {}
        table = self.mapping(fields, "translations", f"{field_name}.translations",
                             fields["translations"],
                             "one translation per locale (en: ..., fr: ...)")
        rules = {}
        for locale, value in (table or {}).items():
            where = f"{field_name}.translations.{locale}"
            code = self.locale_code(table, locale, where, locale)
            if code is None:
                continue
            if code == language:
                self.problem(table, locale, where,
                             f"the terms are in {language}; give translations into other "
                             "locales only")
                continue
            line = table.position(locale)[0]
            if isinstance(value, str | int | float) and not isinstance(value, bool):
                use = self.phrase(table, locale, where)
                if use is not None:
                    rules[code] = Rule(code, use, (use,), None, (), None, line)
                continue
            rule = self.mapping(table, locale, where, value,
                                "the approved translation, or a mapping with use, forms, "
                                "gloss, forbidden and note")
            if rule is None:
                continue
            self.check_keys(rule, where, RULE_FIELDS, ("use",))
            use = self.phrase(rule, "use", f"{where}.use")
            if use is None:
                continue
            forms = tuple(dict.fromkeys((use, *self.phrases(rule, "forms", f"{where}.forms"))))
            forbidden = self.phrases(rule, "forbidden", f"{where}.forbidden")
            accepted = {_normal(form).lower() for form in forms}
            for variant in forbidden:
                if _normal(variant).lower() in accepted:
                    self.problem(rule, "forbidden", f"{where}.forbidden",
                                 f"'{variant}' is both accepted and forbidden; keep one")
            gloss = self.phrase(rule, "gloss", f"{where}.gloss") if "gloss" in rule else None
            lang = self.locale_code(rule, "lang", f"{where}.lang", rule["lang"]) \
                if "lang" in rule else None
            rules[code] = Rule(code, use, forms, gloss, forbidden,
                               self.note(rule, "note", f"{where}.note"), line, lang)
        return rules

    def phrase(self, mapping: SourceMap, key: object, field_name: str) -> str | None:
        """A term or translation: a few words on one line."""
        value = mapping.get(key)
        if isinstance(value, int | float) and not isinstance(value, bool):
            value = str(value)
        return self._phrase(mapping, key, field_name, value)

    def _phrase(self, container: object, key: object, field_name: str,
                value: object) -> str | None:
        if not isinstance(value, str) or not value.strip():
            self.problem(container, key, field_name, f"expected text, found {describe(value)}")
            return None
        text = " ".join(value.split())
        if len(text) > MAX_PHRASE:
            self.problem(container, key, field_name,
                         f"expected a term of at most {MAX_PHRASE} characters, found one of "
                         f"{len(text)}; a glossary lists words, not sentences")
            return None
        if not re.search(r"\w", text):
            self.problem(container, key, field_name,
                         f"expected a term with words in it, found {describe(value)}")
            return None
        return text

    def phrases(self, mapping: SourceMap, key: str, field_name: str) -> tuple[str, ...]:
        """One phrase, or a list of them."""
        if key not in mapping:
            return ()
        value = mapping[key]
        if isinstance(value, str):
            phrase = self._phrase(mapping, key, field_name, value)
            return (phrase,) if phrase else ()
        listed = self.items(mapping, key, field_name, value, "a text or a list of texts")
        if listed is not None and len(listed) > MAX_PHRASES:
            self.problem(mapping, key, field_name,
                         f"expected at most {MAX_PHRASES} entries, found {len(listed):,}")
            return ()
        found = [self._phrase(listed, index, f"{field_name}[{index + 1}]", item)
                 for index, item in enumerate(listed or ())]
        return tuple(phrase for phrase in found if phrase)

    def note(self, mapping: SourceMap, key: str, field_name: str) -> str | None:
        if key not in mapping:
            return None
        value = mapping[key]
        if not isinstance(value, str) or not value.strip():
            self.problem(mapping, key, field_name, f"expected text, found {describe(value)}")
            return None
        if len(value) > MAX_NOTE:
            self.problem(mapping, key, field_name,
                         f"expected a note of at most {MAX_NOTE} characters, found one of "
                         f"{len(value)}")
            return None
        return " ".join(value.split())


# Comments for translators --------------------------------------------------------------------

def annotator(project: Project) -> catalogs.Annotator:
    """What `catalogs.update` calls to add the glossary entries of each message to its `#.`
    comments (after the field path that the template gives it). The catalog's comments are
    rebuilt from the letter each time, so they follow the glossary as it changes and never
    pile up. The glossary is read at the first call; a ContentError if it has problems."""
    read: list[Glossary | None] = []

    def annotate(letter: Letter, locale: str, po: Catalog) -> None:
        if not read:
            read.append(load_checked(project))
        if read[0] is None:
            return
        notes = read[0].comments(letter, locale)
        for entry in po:
            if entry.id and (lines := notes.get((entry.id, entry.context))):
                entry.auto_comments = [*entry.auto_comments, *lines]

    return annotate
