"""Which column of a form export holds which signatory field: guessed from the header in
Spanish, English or French where the header says so unambiguously, given with --map, and
remembered per form so that the next export of the same form imports with no options."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field

from ...core.errors import ContentError, Problem

# Public fields go into content/signatories.yaml and may be printed; the others go into
# content/private/signatories.yaml and never into any output.
PUBLIC_FIELDS = ("kind", "name", "affiliation", "place", "country", "url", "logo", "signed")
PRIVATE_FIELDS = ("email", "authorised_by", "authorised_role", "authorised_email",
                  "authorised_on", "authorised_how", "evidence")
FIELDS = PUBLIC_FIELDS + PRIVATE_FIELDS

# Header words per field, folded (no accents, lower case, single spaces). The more specific
# fields come first: a header claimed by one is not offered to the ones after it, so
# "Correo de quien autoriza" is the authoriser's e-mail, not the signatory's.
_HEADER_WORDS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("authorised_email", ("correo de quien autoriza", "email de quien autoriza",
                          "authoriser email", "authorizer email", "authorised by email",
                          "authorized by email", "courriel de la personne qui autorise",
                          "e-mail de la personne qui autorise")),
    ("authorised_role", ("cargo de quien autoriza", "cargo", "puesto", "authoriser role",
                         "authorizer role", "role", "position", "fonction", "poste")),
    ("authorised_on", ("fecha de autorizacion", "autorizado el", "authorised on",
                       "authorized on", "date of authorisation", "date of authorization",
                       "date d autorisation", "autorise le")),
    ("authorised_how", ("medio de autorizacion", "como autorizo", "authorised how",
                        "authorized how", "how authorised", "how authorized",
                        "moyen d autorisation")),
    ("authorised_by", ("quien autoriza", "autorizado por", "nombre de quien autoriza",
                       "persona que autoriza", "authorised by", "authorized by",
                       "authoriser", "authorizer", "autorise par", "personne qui autorise")),
    ("evidence", ("evidencia", "comprobante", "evidence", "preuve", "justificatif")),
    ("signed", ("marca temporal", "marca de tiempo", "fecha de firma", "fecha", "timestamp",
                "submitted at", "submission date", "date signed", "signed on", "horodateur",
                "date de signature", "date")),
    ("email", ("direccion de correo electronico", "correo electronico", "correo", "email",
               "e mail", "email address", "courriel", "adresse e mail", "adresse courriel",
               "mail")),
    ("logo", ("logotipo", "logo", "archivo del logo", "logo file", "fichier du logo")),
    ("url", ("sitio web", "pagina web", "pagina", "web", "website", "url", "site web",
             "site internet", "site")),
    ("country", ("pais", "country", "pays")),
    ("place", ("ciudad", "localidad", "municipio", "ciudad o region", "region", "city",
               "town", "place", "city or region", "ville", "lieu", "commune")),
    ("kind", ("tipo", "tipo de firmante", "firma como", "kind", "type", "signing as",
              "sign as", "signe en tant que", "type de signataire")),
    ("affiliation", ("afiliacion", "organizacion a la que pertenece", "institucion",
                     "affiliation", "organisation affiliation", "organization affiliation",
                     "rattachement")),
    ("name", ("nombre de la organizacion", "organizacion", "nombre completo",
              "nombre y apellidos", "nombre", "name", "full name", "organization name",
              "organisation name", "organization", "organisation", "nom de l organisation",
              "organisation", "nom complet", "nom et prenom", "nom")),
)
# A name header that says which kind signs: an organisation's form or a person's.
_ORGANISATION_WORDS = ("organizacion", "organization", "organisation", "colectivo",
                       "institucion")
_PERSON_WORDS = ("completo", "apellidos", "full name", "complet", "prenom", "persona",
                 "person", "personne")
_WORDS = re.compile(r"[^\w]+")


def fold(text: str) -> str:
    """Lower case, no accents, punctuation as single spaces: how headers are compared."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    bare = "".join(char for char in decomposed if not unicodedata.combining(char))
    return " ".join(_WORDS.sub(" ", bare).split())


@dataclass
class Mapping:
    """field -> header, and the kind a form's rows are when no column says so."""

    columns: dict[str, str] = field(default_factory=dict)
    kind: str | None = None
    # What the guess could not decide: field -> the headers it might be.
    ambiguous: dict[str, list[str]] = field(default_factory=dict)
    source: str = "guessed"  # "guessed", "remembered", "given"


def guess(headers: tuple[str, ...]) -> Mapping:
    """The fields the headers name unambiguously."""
    claims: dict[str, list[str]] = {}
    for header in headers:
        folded = fold(header)
        for name, words in _HEADER_WORDS:
            if any(_says(folded, word) for word in words):
                claims.setdefault(name, []).append(header)
                break
    mapping = Mapping()
    names = claims.get("name", [])
    if len(names) == 2 and "affiliation" not in claims:
        # A person's form asks for the name and the organisation: the organisation is the
        # affiliation.
        people = [h for h in names if any(w in fold(h) for w in _PERSON_WORDS)]
        groups = [h for h in names if any(w in fold(h) for w in _ORGANISATION_WORDS)]
        if len(people) == 1 and len(groups) == 1 and people != groups:
            claims["name"], claims["affiliation"] = people, groups
    for name, found in claims.items():
        if len(found) == 1:
            mapping.columns[name] = found[0]
        else:
            mapping.ambiguous[name] = found
    if "name" in mapping.columns and "kind" not in mapping.columns:
        said = fold(mapping.columns["name"])
        if any(word in said for word in _ORGANISATION_WORDS):
            mapping.kind = "organization"
        elif any(word in said for word in _PERSON_WORDS):
            mapping.kind = "individual"
    return mapping


def _says(folded: str, words: str) -> bool:
    """The header is these words, or holds them as whole words ("Ciudad o municipio")."""
    return folded == words or re.search(rf"(^| ){re.escape(words)}( |$)", folded) is not None


def parse_given(given: tuple[str, ...], headers: tuple[str, ...],
                shown_as: str) -> dict[str, str]:
    """--map field=Header options, checked against the fields and the file's headers."""
    from ...content.reader import did_you_mean

    columns: dict[str, str] = {}
    problems = []
    for option in given:
        name, sep, header = option.partition("=")
        name, header = name.strip(), header.strip()
        if not sep or not name:
            problems.append(Problem("--map", None, None, option,
                                    "expected field=Column, such as --map "
                                    "name=\"Nombre de la organización\""))
        elif name not in FIELDS:
            problems.append(Problem("--map", None, None, option,
                                    f"unknown field '{name}'; expected one of "
                                    f"{', '.join(FIELDS)}" + did_you_mean(name, FIELDS)))
        elif header not in headers:
            problems.append(Problem("--map", None, None, option,
                                    f"no column '{header}' in {shown_as}; its columns are: "
                                    + ", ".join(headers) + did_you_mean(header, headers)))
        else:
            columns[name] = header
    if problems:
        raise ContentError(problems)
    return columns


def remembered_for(forms: list[dict], headers: tuple[str, ...]) -> Mapping | None:
    """The remembered mapping of the form this export comes from: every column it names is
    in the header (the one naming the most columns, when several fit)."""
    fitting = []
    for form in forms:
        columns = form.get("columns") or {}
        if columns and all(isinstance(h, str) and h in headers for h in columns.values()) \
                and all(name in FIELDS for name in columns):
            fitting.append(form)
    if not fitting:
        return None
    best = max(fitting, key=lambda form: len(form["columns"]))
    kind = best.get("kind")
    return Mapping(dict(best["columns"]), kind if isinstance(kind, str) else None,
                   source="remembered")


def check_complete(mapping: Mapping, headers: tuple[str, ...], shown_as: str) -> list[Problem]:
    """A mapping must find the name, and the kind (a column, or one kind for the form)."""
    problems = []
    if "name" not in mapping.columns:
        maybe = mapping.ambiguous.get("name")
        hint = (f"it could be any of: {', '.join(maybe)}" if maybe
                else f"its columns are: {', '.join(headers)}")
        problems.append(Problem(shown_as, 1, None, "name",
                                f"no column found for the signatory's name; {hint}; say "
                                "which with --map name=\"Column\""))
    if "kind" not in mapping.columns and mapping.kind is None:
        problems.append(Problem(shown_as, 1, None, "kind",
                                "cannot tell whether the rows are organisations or people; "
                                "pass --kind organization (or individual), or map a column "
                                "with --map kind=\"Column\""))
    return problems
