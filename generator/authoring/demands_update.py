"""`carta demands update FILE.csv --letter LETTER`: many demands' status and progress at once.

Each row of the CSV names a demand raised earlier in LETTER's campaign and gives its `status`,
and optionally its `completion` (the IRM's scale), a `note`, a `source` (a letter's or reply's
id, or a web address) and a `date`. LETTER, a follow-up, gets each row in its `demand_status`
block: the item updated, or added when the letter does not report that demand yet. A row
with a source also records a milestone (its date, default the letter's; its note as text).
Every row is checked first and every problem reported with its row and column; nothing is
written unless all rows are good, and `--dry-run` writes nothing at all. The letter's file
keeps its comments and layout (ruamel.yaml's round trip).
"""

from __future__ import annotations

import csv
import datetime
import io
from collections.abc import Collection
from dataclasses import dataclass
from pathlib import Path

from ..campaign import chains, responses
from ..campaign.assemble import validate
from ..content.progress import source_problem
from ..content.reader import did_you_mean
from ..core.errors import CartaError, ContentError, Problem
from ..core.model import COMPLETION_LEVELS, DEMAND_STATUSES
from ..core.project import Project, Unreadable, read_content_file
from ..core.write import write_atomic

COLUMNS = ("id", "status", "completion", "note", "source", "date")
REQUIRED = ("id", "status")
MAX_CSV_BYTES = 5 * 1024 * 1024


@dataclass(frozen=True)
class Row:
    line: int
    id: str
    status: str
    completion: str | None
    note: str | None
    source: str | None
    date: datetime.date | None


@dataclass(frozen=True)
class Change:
    demand: str
    added: bool  # the letter did not report this demand yet
    fields: dict  # what it now says: status, completion, note
    milestone: dict | None


def read_rows(path: Path, shown: str, known: set[str], letters: Collection[str] = (),
              replies: Collection[str] = ()) -> tuple[list[Row], list[Problem]]:
    """The CSV's rows, each checked; `known`: the demand ids the letter may report;
    `letters` and `replies`: the ids a row's source may name."""
    problems: list[Problem] = []
    try:
        data = read_content_file(path, (path.parent,), MAX_CSV_BYTES, "a CSV file")
        text = data.decode("utf-8-sig")  # a spreadsheet's export may begin with a BOM
    except (Unreadable, UnicodeDecodeError) as error:
        message = str(error) if isinstance(error, Unreadable) else \
            "expected UTF-8 text (export the sheet as CSV UTF-8)"
        raise ContentError([Problem(shown, None, None, "", message)]) from None
    reader = csv.reader(io.StringIO(text, newline=""))
    header = [cell.strip().lower() for cell in next(reader, [])]
    for number, name in enumerate(header, start=1):
        if name not in COLUMNS:
            problems.append(Problem(shown, 1, number, name or f"column {number}",
                                    f"unknown column; expected: {', '.join(COLUMNS)}"
                                    + did_you_mean(name, COLUMNS)))
    missing = [name for name in REQUIRED if name not in header]
    if missing or not header:
        problems.append(Problem(shown, 1, None, "", "expected a header row naming the columns "
                                f"{', '.join(COLUMNS)} (id and status at least); missing: "
                                f"{', '.join(missing or REQUIRED)}"))
        return [], problems
    rows, seen = [], {}
    for line, cells in enumerate(reader, start=2):
        if not any(cell.strip() for cell in cells):
            continue
        values = {name: (cells[index].strip() if index < len(cells) else "")
                  for index, name in enumerate(header)}

        def problem(name: str, message: str, line=line) -> None:
            problems.append(Problem(shown, line, header.index(name) + 1, name, message))

        ident, good = values["id"], True
        if ident not in known:
            problem("id", f"unknown demand '{ident}'; expected a demand raised in this "
                    f"letter's campaign ({', '.join(sorted(known)) or 'none'})"
                    + did_you_mean(ident, known))
            good = False
        elif ident in seen:
            problem("id", f"'{ident}' is updated twice (first on line {seen[ident]})")
            good = False
        seen.setdefault(ident, line)
        if values["status"] not in DEMAND_STATUSES:
            problem("status", f"expected one of {', '.join(DEMAND_STATUSES)}, found "
                    f"'{values['status']}'")
            good = False
        completion = values.get("completion") or None
        if completion and completion not in COMPLETION_LEVELS:
            problem("completion", f"expected one of {', '.join(COMPLETION_LEVELS)} (or "
                    f"nothing), found '{completion}'")
            good = False
        source = values.get("source") or None
        wrong = source and source_problem(source, letters, replies)
        if wrong:
            problem("source", wrong)
            good = False
        date = None
        if values.get("date"):
            try:
                date = datetime.date.fromisoformat(values["date"])
            except ValueError:
                problem("date", f"expected a date as YYYY-MM-DD, found '{values['date']}'")
                good = False
        if date and not source:
            problem("date", "a date is the date of a milestone: give its source too")
            good = False
        if source and not values.get("note"):
            problem("source", "a source records a milestone, whose text is the note: give "
                    "the note too")
            good = False
        if good:
            rows.append(Row(line, ident, values["status"], completion,
                            values.get("note") or None, source, date))
    return rows, problems


def update_demands(project: Project, csv_path: Path, letter_id: str,
                   dry_run: bool = False) -> list[Change]:
    """Apply the CSV to LETTER's demand_status block (unless `dry_run`); the changes made."""
    content = validate(project, drafts=True)
    letters = {letter.id: letter for letter in content.letters}
    if letter_id not in letters:
        raise CartaError(f"no letter '{letter_id}'; expected one of: {', '.join(sorted(letters))}")
    letter = letters[letter_id]
    if not letter.follows:
        raise CartaError(f"{letter.shown_as}: '{letter_id}' follows no letter, so it reports no "
                         "demand's status; name a follow-up (carta followup writes one)")
    earlier = chains.chain(letter, letters)[:-1]
    known = {demand.id for each in earlier for demand in each.demands()}
    # A source names any letter or reply of the project (a reply with problems of its own
    # still exists: `carta check` reports those).
    rows, problems = read_rows(csv_path, project.shown(csv_path), known,
                               {path.stem for path in project.letter_files()},
                               {path.stem for path in responses.response_files(project)})
    if problems:
        raise ContentError(problems)
    document, yaml = _load(letter.source)
    items = _status_items(document)
    changes = []
    for row in rows:
        item = next((each for each in items if each.get("id") == row.id), None)
        added = item is None
        if added:
            item = _new_item(row.id)
            items.append(item)
        item["status"] = row.status
        for key in ("completion", "note"):
            if getattr(row, key):
                item[key] = getattr(row, key)
        milestone = None
        if row.source:
            milestone = {"date": (row.date or letter.date).isoformat(),
                         "text": row.note, "source": row.source}
            if milestone not in [dict(each) for each in item.get("milestones", [])]:
                item.setdefault("milestones", []).append(milestone)
        changes.append(Change(row.id, added, {key: item[key] for key in
                                              ("status", "completion", "note") if key in item},
                              milestone))
    if not dry_run and changes:
        stream = io.StringIO()
        yaml.dump(document, stream)
        write_atomic(letter.source, stream.getvalue().encode("utf-8"))
        validate(project, (letter_id,), drafts=True)  # what was written reads back
    return changes


def _load(path: Path):
    from ruamel.yaml import YAML  # only this command rewrites a letter's file

    yaml = YAML()  # round trip: comments, order and quoting kept
    yaml.width = 4096  # never rewrap the author's lines
    yaml.preserve_quotes = True
    yaml.indent(mapping=2, sequence=4, offset=2)
    return yaml.load(path.read_text(encoding="utf-8")), yaml


def _status_items(document):
    """The items of the letter's first demand_status block, added at the end of the body
    when it has none."""
    from ruamel.yaml.comments import CommentedMap, CommentedSeq

    for block in document["body"]:
        if isinstance(block, dict) and "demand_status" in block:
            return block["demand_status"]
    block = CommentedMap(demand_status=CommentedSeq())
    document["body"].append(block)
    return block["demand_status"]


def _new_item(ident: str):
    from ruamel.yaml.comments import CommentedMap

    return CommentedMap(id=ident)
