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
from .store import plain

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
    # Rows imported before whose signatory a person has since deleted (a duplicate resolved
    # by hand, a name taken off): left out, never brought back.
    removed: list[tuple[str, Record]] = field(default_factory=list)
    skipped: list[Problem] = field(default_factory=list)
    letter: str | None = None
    in_letter: list[str] = field(default_factory=list)  # ids added to the letter's list
    pairs: list[Pair] = field(default_factory=list)
    written: list[Path] = field(default_factory=list)
    mapping_saved: bool = False


def import_signatories(project: Project, path: Path, given: tuple[str, ...] = (),
                       kind: str | None = None, letter: str | None = None,
                       tier: str | None = None, update: bool = False, dry_run: bool = False,
                       skip_bad_rows: bool = False, on_mapping=None) -> ImportResult:
    """`on_mapping(sheet, mapping, date_order)` is called once the columns are known, before
    the rows are read: the mapping is worth seeing even when rows are wrong."""
    sheet = read_sheet(path, _shown(project, path))
    memory = store.memory(project)
    mapping = _mapping(memory, sheet, given, kind)
    order = date_order(sheet, mapping, project.settings.locales)
    if on_mapping is not None:
        on_mapping(sheet, mapping, order)
    letter_file = store.letter(project, letter) if letter else None  # a wrong id, at once
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
    result = ImportResult(sheet, mapping, order, skipped=problems, letter=letter)

    public, private = store.signatories(project), store.private(project)
    known = _known_keys(public.data, memory.data)
    firsts: dict[str, int] = {}
    # An id once given stays that signatory's, even after it was deleted by hand.
    taken = {str(ident) for ident in public.data} | set(known.values())
    for record in records:
        if record.key in firsts:
            result.repeats.append((record, firsts[record.key]))
            continue
        firsts[record.key] = record.row
        ident = known.get(record.key)
        if ident is not None and ident not in public.data:
            result.removed.append((ident, record))
            continue
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

    remembered = _memory(memory.data, mapping, result)
    result.mapping_saved = plain(memory.data.get("forms")) != remembered["forms"]
    if letter_file is not None:
        present = store.letter_members(letter_file)
        every = [ident for ident, _ in result.added] + [c.ident for c in result.changed] + \
            [ident for ident, _ in result.unchanged]
        result.in_letter = [ident for ident in dict.fromkeys(every) if ident not in present]
    result.pairs = _pairs(project, public, private, remembered, result)
    if not dry_run:
        _write(result, public, private, update)
        if store.write_memory(memory, remembered):
            result.written.append(memory.path)
        if result.in_letter:
            document = store.round_trip(letter_file)
            store.add_to_letter(document, result.in_letter, tier)
            if document.write():
                result.written.append(letter_file.path)
    return result


def _write(result: ImportResult, public: store.Plain, private: store.Plain,
           update: bool) -> None:
    """New signatories appended; with `update`, the changed ones rewritten round trip."""
    new_public = {ident: _public_entry(record) for ident, record in result.added}
    new_private = {ident: dict(record.private) for ident, record in result.added
                   if set(record.private) - {"source"}}
    if not (update and result.changed):
        for document, entries in ((public, new_public), (private, new_private)):
            if document.append(entries):
                result.written.append(document.path)
        return
    from ruamel.yaml.comments import CommentedMap

    kept_public, kept_private = store.round_trip(public), store.round_trip(private)
    for change in result.changed:
        entry = kept_public.data[change.ident]
        secret = kept_private.data.get(change.ident)
        for key, _, after in change.fields:
            if key in change.record.public:
                entry[key] = CommentedMap(after) if isinstance(after, dict) else after
            else:
                if secret is None:
                    secret = kept_private.data[change.ident] = CommentedMap()
                secret[key] = after
        if secret is not None:
            secret["source"] = change.record.private["source"]
    for document, entries in ((kept_public, new_public), (kept_private, new_private)):
        for ident, entry in entries.items():
            document.data[ident] = entry
        if document.write():
            result.written.append(document.path)


def _public_entry(record: Record) -> dict:
    return {key: record.public[key] for key in PUBLIC_ORDER if key in record.public}


def _shown(project: Project, path: Path) -> str:
    resolved = path.resolve()
    return project.shown(resolved) if resolved.is_relative_to(project.root) else str(path)


def _mapping(memory: store.Plain, sheet: Sheet, given: tuple[str, ...],
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


def _memory(data: dict, mapping: Mapping, result: ImportResult) -> dict:
    """The import's memory after this import: the form's mapping (one per set of columns),
    and which signatory each row became."""
    forms = [form for form in plain(data.get("forms") or []) if isinstance(form, dict)]
    entry: dict = {"columns": dict(sorted(mapping.columns.items()))}
    if mapping.kind and "kind" not in mapping.columns:
        entry["kind"] = mapping.kind
    headers = set(mapping.columns.values())
    for index, form in enumerate(forms):
        if set((form.get("columns") or {}).values()) == headers:
            forms[index] = entry
            break
    else:
        forms.append(entry)
    rows = plain(data.get("rows") or {})
    rows = rows if isinstance(rows, dict) else {}
    for ident, record in result.added + result.unchanged + \
            [(change.ident, change.record) for change in result.changed]:
        rows[record.key] = ident
    remembered = {"forms": forms, "rows": rows}
    if data.get("not_duplicates"):
        remembered["not_duplicates"] = plain(data["not_duplicates"])
    return remembered


def _known_keys(public: dict, memory: dict) -> dict[str, str]:
    """Row identity -> signatory id: the rows imported before (their signatory may have been
    deleted since), then every signatory's own names (one typed by hand is found too)."""
    known = {str(key): str(ident) for key, ident in (memory.get("rows") or {}).items()}
    for ident, entry in public.items():
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


def _pairs(project: Project, public: store.Plain, private: store.Plain, remembered: dict,
           result: ImportResult) -> list[Pair]:
    """Likely duplicates that involve a row of this import, the new rows included."""
    from .duplicates_report import pairs_among

    rows = result.added + result.unchanged + [(c.ident, c.record) for c in result.changed]
    involved = {ident for ident, _ in rows}
    rows_of = {ident: f"{result.sheet.shown_as} row {record.row}" for ident, record in rows}
    names = {**public.data, **{ident: _public_entry(record) for ident, record in result.added}}
    emails = {**private.data, **{ident: record.private for ident, record in result.added}}
    return [pair for pair in pairs_among(project, names, emails, remembered, rows_of,
                                         public.shown_as, public.line)
            if pair.first.ident in involved or pair.second.ident in involved]
