"""One row of a form export to one signatory record: each cell checked for the field it fills,
each problem located by file, row and column name."""

from __future__ import annotations

import datetime
import re
from dataclasses import dataclass, field

from ...content.duplicates import fold_name
from ...content.reader import did_you_mean
from ...core.addresses import check_address
from ...core.errors import Problem
from ...core.project import Project
from .countries import country_code, country_names, known_names
from .mapping import PRIVATE_FIELDS, Mapping, fold
from .sheets import Row, Sheet

# A name is a line in a list of signatories; a place or an affiliation a short line under it.
MAX_CELL = {"name": 200, "url": 2_000, "logo": 500, "evidence": 500}
MAX_OTHER = 300
KINDS = {
    "organization": ("organization", "organisation", "organizacion", "org", "organismo",
                     "colectivo", "institucion", "asociacion", "ong", "ngo", "entidad",
                     "association", "collectif", "red", "network"),
    "individual": ("individual", "persona", "person", "personne", "individuo", "individu",
                   "particular", "particulier", "a titulo personal", "a titre personnel",
                   "persona fisica", "ciudadano", "ciudadana", "people"),
}
_KIND_OF = {word: kind for kind, words in KINDS.items() for word in words}
_YMD = re.compile(r"(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})\b")
_DMY = re.compile(r"(\d{1,2})[-/.](\d{1,2})[-/.](\d{4})\b")
_URL = re.compile(r"https?://[^\s/$.?#][^\s]*\Z", re.IGNORECASE)


@dataclass
class Record:
    """What one row says about one signatory."""

    row: int
    key: str  # kind and folded name: the same row imported again finds the same signatory
    name: str
    kind: str
    public: dict = field(default_factory=dict)  # field -> value as signatories.yaml holds it
    private: dict = field(default_factory=dict)  # field -> value for the private file


def identity(kind: str, name: str) -> str:
    return f"{kind}:{fold_name(name)}"


def date_order(sheet: Sheet, mapping: Mapping, locales: tuple[str, ...]) -> str:
    """"dmy" or "mdy" for the dates of the form written day and month first: what the
    column's own values show (a 25 can only be a day), else the project's first locale."""
    orders = set()
    for name in ("signed", "authorised_on"):
        header = mapping.columns.get(name)
        for row in sheet.rows if header else ():
            if match := _DMY.match(row.cells.get(header, "")):
                first, second = int(match.group(1)), int(match.group(2))
                if first > 12:
                    orders.add("dmy")
                elif second > 12:
                    orders.add("mdy")
    if len(orders) == 1:
        return orders.pop()
    return "mdy" if locales[0] in ("en", "en_US") else "dmy"


def read_record(project: Project, sheet: Sheet, row: Row, mapping: Mapping,
                order: str) -> tuple[Record | None, list[Problem]]:
    problems: list[Problem] = []
    locales = project.settings.locales

    def problem(name: str, message: str) -> None:
        header = mapping.columns[name]
        problems.append(Problem(sheet.shown_as, row.number, sheet.headers.index(header) + 1,
                                header, message))

    cells = {}
    for name, header in mapping.columns.items():
        text = row.cells.get(header, "")
        if not text:
            continue
        if text.startswith("="):
            # A formula exported as its text: never evaluated, and never a name to print.
            problem(name, f"a formula ({text[:50]}), taken as text and not evaluated; put the "
                          "value itself in the cell")
            continue
        limit = MAX_CELL.get(name, MAX_OTHER)
        if len(text) > limit:
            problem(name, f"expected at most {limit} characters, found {len(text):,}")
            continue
        if "\n" in text and name != "evidence":
            text = " ".join(text.split())
        cells[name] = text

    kind = mapping.kind
    if "kind" in cells:
        kind = _KIND_OF.get(fold(cells["kind"]))
        if kind is None:
            problem("kind", f"expected organisation or person (organización/persona, "
                            f"organisation/personne), found '{cells['kind']}'")
    name = cells.get("name")
    if name is None and "name" not in problems_fields(problems, mapping):
        problems.append(Problem(sheet.shown_as, row.number,
                                sheet.headers.index(mapping.columns["name"]) + 1,
                                mapping.columns["name"],
                                "missing name: every signatory needs one; fill it in, or "
                                "delete the row"))
    public: dict = {}
    private: dict = {}
    for key in ("affiliation", "place"):
        if key in cells:
            public[key] = cells[key]
    if "country" in cells:
        code = country_code(cells["country"], locales)
        if code is None:
            problem("country", f"unknown country '{cells['country']}'; expected a country's "
                               "name in Spanish, English or French, or its two-letter code"
                               + did_you_mean(cells["country"], known_names(locales)))
        else:
            names = country_names(code, locales)
            public["country"] = names[locales[0]] if len(set(names.values())) == 1 \
                else names
    if "url" in cells:
        url = cells["url"]
        if not url.lower().startswith(("http://", "https://")) and "." in url \
                and " " not in url:
            url = "https://" + url
        if not _URL.match(url):
            problem("url", f"expected a web address such as https://example.org, found "
                           f"'{cells['url']}'")
        else:
            public["url"] = url
    if "logo" in cells:
        from ...content.shared import logo_file

        path, messages = logo_file(project, cells["logo"])
        for message in messages:
            problem("logo", message)
        if path is not None:
            public["logo"] = cells["logo"]
    for key in ("signed", "authorised_on"):
        if key in cells:
            when = parse_date(cells[key], order)
            if when is None:
                problem(key, f"expected a date (YYYY-MM-DD, or day/month/year as the form "
                             f"writes it), found '{cells[key]}'")
            else:
                (public if key == "signed" else private)[key] = when.isoformat()
    for key in ("email", "authorised_email"):
        if key in cells:
            if message := check_address(cells[key]):
                problem(key, message)
            else:
                private[key] = cells[key]
    for key in ("authorised_by", "authorised_role", "authorised_how"):
        if key in cells:
            private[key] = cells[key]
    if "evidence" in cells:
        target = (project.content / cells["evidence"]).resolve()
        if not target.is_relative_to(project.content.resolve()) or not target.is_file():
            problem("evidence", f"expected a file inside content/ (such as "
                                f"private/evidence/row-7.eml), found '{cells['evidence']}'")
        else:
            private["evidence"] = cells["evidence"]
    if problems or name is None or kind is None:
        return None, problems
    private["source"] = f"{sheet.shown_as} row {row.number}"
    return Record(row.number, identity(kind, name), name, kind,
                  {"kind": kind, "name": name, **public}, private), []


def problems_fields(problems: list[Problem], mapping: Mapping) -> set[str]:
    """The fields the problems so far are about."""
    headers = {header: name for name, header in mapping.columns.items()}
    return {headers.get(problem.field, "") for problem in problems}


def parse_date(text: str, order: str) -> datetime.date | None:
    """A form's timestamp or date: 2024-03-05, 2024/03/05 10:11:12, or 05/03/2024 as the
    column writes it (`order`: "dmy" or "mdy")."""
    try:
        if match := _YMD.match(text):
            return datetime.date(*map(int, match.groups()))
        if match := _DMY.match(text):
            first, second, year = map(int, match.groups())
            day, month = (first, second) if order == "dmy" else (second, first)
            return datetime.date(year, month, day)
    except ValueError:
        return None
    return None


def is_private(name: str) -> bool:
    return name in PRIVATE_FIELDS
