"""`carta signatories import FILE`: a form export into content/signatories.yaml (and the
private contacts into content/private/signatories.yaml), with stable ids, so that importing
the same export again changes nothing, and a changed row changes a signatory only when asked.

Everything is read and checked first; then, when no row is wrong (or bad rows are to be
skipped) and this is not a dry run, each file is written atomically, round trip, so that the
comments and order of a hand-edited file survive."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from ...content.duplicates import Pair, fold_name
from ...core.errors import ContentError, Problem
from ...core.project import Project
from . import store
from .mapping import Mapping, check_complete, guess, parse_given, remembered_for
from .rows import Record, date_order, identity, read_record
from .sheets import Sheet, read_sheet

PUBLIC_ORDER = ("kind", "name", "affiliation", "place", "country", "url", "logo", "signed")
MAX_ID_WORDS_LENGTH = 60


@dataclass
class Change:
    ident: str
    record: Record
    fields: list[tuple[str, object, object]]  # field, before, after


@dataclass
class ImportResult:
    sheet: Sheet
    mapping: Mapping
    date_order: str
    added: list[tuple[str, Record]] = field(default_factory=list)
    changed: list[Change] = field(default_factory=list)
    unchanged: list[tuple[str, Record]] = field(default_factory=list)
    repeats: list[tuple[Record, int]] = field(default_factory=list)  # a row, its first row
    skipped: list[Problem] = field(default_factory=list)
    letter: str | None = None
    in_letter: list[str] = field(default_factory=list)  # ids added to the letter's list
    pairs: list[Pair] = field(default_factory=list)
    written: list[Path] = field(default_factory=list)
    mapping_saved: bool = False


def import_signatories(project: Project, path: Path, given: tuple[str, ...] = (),
                       kind: str | None = None, letter: str | None = None,
                       tier: str | None = None, update: bool = False, dry_run: bool = False,
                       skip_bad_rows: bool = False) -> ImportResult:
    sheet = read_sheet(path, _shown(project, path))
    memory = store.memory(project)
    mapping = _mapping(memory, sheet, given, kind)
    order = date_order(sheet, mapping, project.settings.locales)
    records: list[Record] = []
    problems: list[Problem] = []
    for row in sheet.rows:
        record, found = read_record(project, sheet, row, mapping, order)
        problems += found
        if record is not None:
            records.append(record)
    if problems and not skip_bad_rows:
        error = ContentError(problems)
        error.message += ("\nNothing was written: correct these rows in the export and import "
                          "it again, or pass --skip-bad-rows to import the other rows.")
        raise error
    letter_doc = store.letter(project, letter) if letter else None
    result = ImportResult(sheet, mapping, order, skipped=problems, letter=letter)

    public, private = store.signatories(project), store.private(project)
    known = _known_keys(public, memory)
    firsts: dict[str, int] = {}
    taken = {str(ident) for ident in public.data}
    for record in records:
        if record.key in firsts:
            result.repeats.append((record, firsts[record.key]))
            continue
        firsts[record.key] = record.row
        ident = known.get(record.key)
        if ident is None:
            ident = new_id(record.name, taken)
            taken.add(ident)
            result.added.append((ident, record))
            continue
        differences = _differences(public.data[ident], private.data.get(ident) or {}, record)
        if differences:
            result.changed.append(Change(ident, record, differences))
        else:
            result.unchanged.append((ident, record))

    _apply(result, public, private, memory, update)
    if letter_doc is not None:
        every = [ident for ident, _ in result.added] + [c.ident for c in result.changed] + \
            [ident for ident, _ in result.unchanged]
        result.in_letter = store.add_to_letter(letter_doc, every, tier)
    result.mapping_saved = _remember(memory, mapping)
    result.pairs = _pairs(project, public, private, memory, result)
    if not dry_run:
        for document in (public, private, memory, letter_doc):
            if document is not None and document.write():
                result.written.append(document.path)
    return result


def _shown(project: Project, path: Path) -> str:
    resolved = path.resolve()
    return project.shown(resolved) if resolved.is_relative_to(project.root) else str(path)


def _mapping(memory: store.Document, sheet: Sheet, given: tuple[str, ...],
             kind: str | None) -> Mapping:
    forms = memory.data.get("forms") or []
    mapping = remembered_for([form for form in forms if isinstance(form, dict)],
                             sheet.headers) or guess(sheet.headers)
    if given:
        for name, header in parse_given(given, sheet.headers, sheet.shown_as).items():
            # A column given for one field is no longer another's.
            mapping.columns = {key: value for key, value in mapping.columns.items()
                               if value != header}
            mapping.columns[name] = header
            mapping.ambiguous.pop(name, None)
        mapping.source = "given"
    if kind is not None:
        mapping.kind = kind
    problems = check_complete(mapping, sheet.headers, sheet.shown_as)
    if problems:
        raise ContentError(problems)
    return mapping


def _remember(memory: store.Document, mapping: Mapping) -> bool:
    """Keep the mapping for this form (the same columns), unless it is already kept."""
    from ruamel.yaml.comments import CommentedMap, CommentedSeq

    forms = memory.data.setdefault("forms", CommentedSeq())
    entry = CommentedMap(columns=CommentedMap(sorted(mapping.columns.items())))
    if mapping.kind and "kind" not in mapping.columns:
        entry["kind"] = mapping.kind
    headers = set(mapping.columns.values())
    for index, form in enumerate(forms):
        if isinstance(form, dict) and set((form.get("columns") or {}).values()) == headers:
            if dict(form.get("columns") or {}) == dict(entry["columns"]) \
                    and form.get("kind") == entry.get("kind"):
                return False
            forms[index] = entry
            return True
    forms.append(entry)
    return True


def _known_keys(public: store.Document, memory: store.Document) -> dict[str, str]:
    """Row identity -> signatory id: the rows imported before, then every signatory's own
    names (one typed by hand is found too)."""
    known: dict[str, str] = {}
    for key, ident in (memory.data.get("rows") or {}).items():
        if str(ident) in public.data:
            known[str(key)] = str(ident)
    for ident, entry in public.data.items():
        if not isinstance(entry, dict) or entry.get("kind") is None:
            continue
        names = entry.get("name")
        for name in (names.values() if isinstance(names, dict) else [names]):
            if isinstance(name, str):
                known.setdefault(identity(str(entry["kind"]), name), str(ident))
    return known


def new_id(name: str, taken: set[str]) -> str:
    """A slug of the name, accents folded ("Organización Ejemplo A" -> organizacion-ejemplo-a),
    with -2, -3... when taken."""
    words = "".join(char if char.isascii() and char.isalnum() else " "
                    for char in fold_name(name)).split()
    base = ""
    for word in words:
        if base and len(base) + 1 + len(word) > MAX_ID_WORDS_LENGTH:
            break
        base = f"{base}-{word}" if base else word[:MAX_ID_WORDS_LENGTH]
    base = base or "signatory"
    ident, number = base, 1
    while ident in taken:
        number += 1
        ident = f"{base}-{number}"
    return ident


def _same(before: object, after: object) -> bool:
    """A hand-edited value that holds the row's text (a name per locale, one of which is the
    row's) is the same."""
    if isinstance(before, dict) and isinstance(after, str):
        return after in (str(value) for value in before.values())
    if isinstance(before, dict) and isinstance(after, dict):
        return {k: str(v) for k, v in before.items()} == after
    return str(before) == str(after) if before is not None else False


def _differences(entry: dict, private: dict, record: Record) -> list[tuple[str, object, object]]:
    found = []
    for key, value in record.public.items():
        if not _same(entry.get(key), value):
            found.append((key, _plain(entry.get(key)), value))
    for key, value in record.private.items():
        if key != "source" and not _same(private.get(key), value):
            found.append((key, _plain(private.get(key)), value))
    return found


def _plain(value: object) -> object:
    if isinstance(value, dict):
        return {str(k): str(v) for k, v in value.items()}
    return None if value is None else str(value)


def _apply(result: ImportResult, public: store.Document, private: store.Document,
           memory: store.Document, update: bool) -> None:
    from ruamel.yaml.comments import CommentedMap

    rows = memory.data.setdefault("rows", CommentedMap())
    for ident, record in result.added:
        entry = CommentedMap()
        for key in PUBLIC_ORDER:
            if key in record.public:
                entry[key] = _yaml_value(record.public[key])
        public.data[ident] = entry
        if set(record.private) - {"source"}:
            private.data[ident] = CommentedMap(record.private)
        rows[record.key] = ident
    for change in result.changed if update else ():
        entry = public.data[change.ident]
        kept = private.data.get(change.ident)
        for key, _, after in change.fields:
            if key in change.record.public:
                entry[key] = _yaml_value(after)
            else:
                if kept is None:
                    kept = private.data[change.ident] = CommentedMap()
                kept[key] = after
        if kept is not None:
            kept["source"] = change.record.private["source"]
    for ident, record in result.unchanged + [(c.ident, c.record) for c in result.changed]:
        if rows.get(record.key) != ident:
            rows[record.key] = ident


def _yaml_value(value: object) -> object:
    from ruamel.yaml.comments import CommentedMap

    return CommentedMap(value) if isinstance(value, dict) else value


def _pairs(project: Project, public: store.Document, private: store.Document,
           memory: store.Document, result: ImportResult) -> list[Pair]:
    """Likely duplicates that involve a row of this import."""
    from .duplicates_report import pairs_among

    involved = {ident for ident, _ in result.added} | {c.ident for c in result.changed} | \
        {ident for ident, _ in result.unchanged}
    rows_of = {ident: f"{result.sheet.shown_as} row {record.row}"
               for ident, record in result.added + result.unchanged
               + [(c.ident, c.record) for c in result.changed]}
    return [pair for pair in pairs_among(project, public, private, memory, rows_of)
            if pair.first.ident in involved or pair.second.ident in involved]
