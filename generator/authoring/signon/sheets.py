"""Read a form export (CSV in any common dialect and encoding, XLSX, ODS) into rows of text.

Every cell comes back as text, as the spreadsheet shows it: nothing is evaluated (a formula
cell of a CSV is the formula's text; of an XLSX or ODS, the value its program last saved), and
every row keeps the number a spreadsheet program gives it (the header is row 1), so a problem
can name the row a person will look for.
"""

from __future__ import annotations

import csv
import datetime
import io
from dataclasses import dataclass
from pathlib import Path

from ...core.errors import ContentError, Problem

# A form export of 10,000 signatories with a dozen columns is about 3 MB.
MAX_SHEET_BYTES = 50 * 1024 * 1024
SPREADSHEETS = (".xlsx", ".xlsm", ".xls", ".ods")
CSV_DELIMITERS = ",;\t|"


@dataclass(frozen=True)
class Row:
    number: int  # as a spreadsheet program numbers it: the header is row 1
    cells: dict[str, str]  # header -> text, stripped


@dataclass(frozen=True)
class Sheet:
    shown_as: str  # the file as messages name it
    headers: tuple[str, ...]
    rows: tuple[Row, ...]
    described: str  # "CSV, semicolon-separated, Windows-1252" or "XLSX, sheet 'Respuestas'"


def read_sheet(path: Path, shown_as: str) -> Sheet:
    """The first sheet of `path`, blank rows left out; ContentError when it cannot be read."""
    def fail(message: str) -> ContentError:
        return ContentError([Problem(shown_as, None, None, "", message)])

    try:
        size = path.stat().st_size
    except OSError as error:
        raise fail(f"cannot read the file: {error.strerror}") from None
    if size > MAX_SHEET_BYTES:
        raise fail(f"expected a form export of at most {MAX_SHEET_BYTES // 2**20} MB, found "
                   f"{size / 2**20:.1f} MB")
    if path.suffix.lower() in SPREADSHEETS:
        grid, described = _read_workbook(path, fail)
    else:
        grid, described = _read_csv(path.read_bytes(), fail)
    return _sheet(grid, shown_as, described, fail)


def _sheet(grid: list[list[str]], shown_as: str, described: str, fail) -> Sheet:
    numbered = [(number, [cell.strip() for cell in cells])
                for number, cells in enumerate(grid, start=1)]
    numbered = [(number, cells) for number, cells in numbered if any(cells)]
    if not numbered:
        raise fail("expected a header row and one row per signatory, found an empty sheet")
    header_number, header = numbered[0]
    problems = []
    seen: dict[str, int] = {}
    headers = []
    for index, name in enumerate(header):
        if not name:
            headers.append("")
            continue
        if name in seen:
            problems.append(Problem(shown_as, header_number, index + 1, name,
                                    f"column name used twice (first in column {seen[name]}); "
                                    "rename one of them in the export"))
        seen.setdefault(name, index + 1)
        headers.append(name)
    if problems:
        raise ContentError(problems)
    rows = []
    for number, cells in numbered[1:]:
        values = {}
        for index, text in enumerate(cells):
            if index < len(headers) and headers[index] and text:
                values[headers[index]] = text
            elif text:  # a value under no header would be dropped without a word
                problems.append(Problem(
                    shown_as, number, index + 1, "",
                    f"a value in column {index + 1}, which has no header: "
                    f"{text[:40]!r}; give the column a name in the header row"))
        rows.append(Row(number, values))
    if problems:
        raise ContentError(problems)
    return Sheet(shown_as, tuple(name for name in headers if name), tuple(rows), described)


def _read_csv(data: bytes, fail) -> tuple[list[list[str]], str]:
    text, encoding = _decode(data, fail)
    sample = text[:65536]
    try:
        dialect = csv.Sniffer().sniff(sample, delimiters=CSV_DELIMITERS)
        delimiter = dialect.delimiter
    except csv.Error:
        # One column, or a sample the sniffer cannot decide on: the header line tells.
        first = sample.splitlines()[0] if sample else ""
        delimiter = max(CSV_DELIMITERS, key=first.count)
        if not first.count(delimiter):
            delimiter = ","
    try:
        grid = list(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter,
                               quotechar='"', doublequote=True, strict=False))
    except csv.Error as error:
        raise fail(f"expected a CSV file, found one that cannot be read ({error})") from None
    names = {",": "comma", ";": "semicolon", "\t": "tab", "|": "bar"}
    return grid, f"CSV, {names[delimiter]}-separated, {encoding}"


def _decode(data: bytes, fail) -> tuple[str, str]:
    """UTF-8 (with or without the byte-order mark Excel and Google write), UTF-16 with its
    mark, else Windows-1252, which older Excel writes for "CSV" in Western locales."""
    if data.startswith(b"\xef\xbb\xbf"):
        return data[3:].decode("utf-8", errors="strict"), "UTF-8 with BOM"
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return data.decode("utf-16"), "UTF-16"
    if b"\x00" in data[:4096]:
        raise fail("expected a CSV, XLSX or ODS file, found binary data; export the sheet "
                   "as CSV, or give the file its .xlsx or .ods name")
    try:
        return data.decode("utf-8"), "UTF-8"
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("cp1252"), "Windows-1252"
    except UnicodeDecodeError as error:
        raise fail(f"expected text in UTF-8 or Windows-1252, found byte "
                   f"0x{data[error.start]:02x} at offset {error.start}; export it again as "
                   "\"CSV UTF-8\"") from None


def _read_workbook(path: Path, fail) -> tuple[list[list[str]], str]:
    from python_calamine import CalamineWorkbook

    try:
        book = CalamineWorkbook.from_path(str(path))
        if not book.sheet_names:
            raise fail("expected a workbook with a sheet, found none")
        sheet = book.get_sheet_by_index(0)
        grid = sheet.to_python(skip_empty_area=False)
    except ContentError:
        raise
    except Exception as error:  # the reader's own errors name no common class
        raise fail(f"expected a {path.suffix.lstrip('.').upper()} workbook, found one that "
                   f"cannot be read ({type(error).__name__}: {error})") from None
    kind = path.suffix.lstrip(".").upper()
    return [[_cell_text(value) for value in row] for row in grid], \
        f"{kind}, sheet '{book.sheet_names[0]}'"


def _cell_text(value: object) -> str:
    """A cell as the spreadsheet shows it: 12 not 12.0, a date as YYYY-MM-DD."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else repr(value)
    if isinstance(value, datetime.datetime):
        return value.isoformat(sep=" ", timespec="seconds")
    if isinstance(value, datetime.date | datetime.time):
        return value.isoformat()
    if isinstance(value, datetime.timedelta):
        return str(value)
    return str(value)
