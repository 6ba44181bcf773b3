"""Read the content every letter draws on: senders, recipients, signatories."""

from __future__ import annotations

import os
from pathlib import Path

from ..core.addresses import check_address, check_header_text
from ..core.errors import Problem
from ..core.model import SIGNATORY_KINDS, Consent, Recipient, Sender, Signatory
from ..core.project import Project
from .load import SourceMap, YamlFile
from .reader import Reader, describe, did_you_mean

SENDER_FIELDS = ("name", "logo", "address", "email", "url")
RECIPIENT_FIELDS = ("name", "salutation", "role", "organization", "address", "email", "locales",
                    "tags")
SIGNATORY_FIELDS = ("kind", "name", "place", "country", "url", "logo", "affiliation", "sort_as",
                    "signed", "withdrawn")
LOGO_TYPES = (".png", ".jpg", ".jpeg", ".gif", ".svg", ".webp")
MAX_LOGO_BYTES = 2 * 1024 * 1024
# Judged from the image's header before anything decodes it: a 50 KB PNG can declare
# 20,000 x 20,000 pixels, which the PDF engine would inflate to gigabytes. A logo printed
# 5 cm wide at 600 dpi is about 1,200 pixels across.
MAX_LOGO_PIXELS = 5000 * 5000


def read_senders(project: Project, loaded: YamlFile) -> tuple[dict[str, Sender], list[Problem]]:
    reader = Reader(loaded.shown_as)
    senders: dict[str, Sender] = {}
    top = reader.top_mapping(loaded, "one entry per sender id")
    for ident, entry in (top or {}).items():
        if reader.slug(top, ident, str(ident), ident) is None:
            continue
        fields = reader.mapping(top, ident, str(ident), entry, "a mapping with name, logo, ...")
        if fields is None:
            continue
        reader.check_keys(fields, ident, SENDER_FIELDS, ("name",))
        logo = _logo(project, reader, fields, f"{ident}.logo")
        # The name goes into the e-mail subject and the address into From.
        name, email = _mail_name_and_address(reader, fields, ident)
        senders[ident] = Sender(
            id=ident,
            name=name,
            logo=logo,
            address=reader.lines(fields, "address", f"{ident}.address"),
            email=email,
            url=reader.optional_text(fields, "url", f"{ident}.url"),
        )
    return senders, reader.problems + list(loaded.problems)


def _logo(project: Project, reader: Reader, fields: SourceMap, field: str) -> Path | None:
    """A logo path, relative to content/, that must be an image file inside the project."""
    if "logo" not in fields:
        return None
    name = reader.text(fields, "logo", field)
    if name is None:
        return None
    given = project.content / name
    try:
        # resolve() follows symlinks, so a link that points out of content/ is caught here too.
        path = given.resolve()
    except (OSError, RuntimeError, ValueError):  # a symlink loop, a NUL byte
        reader.problem(fields, "logo", field,
                       f"expected an image file relative to content/, found {describe(name)}, "
                       "which leads to no file (a symbolic link loop or a character not "
                       "allowed in file names)")
        return None
    if not path.is_relative_to(project.content.resolve()):
        # Inside content/ by its name but not in fact: a symbolic link points out.
        by_name = Path(os.path.normpath(given)).is_relative_to(project.content)
        what = "a symbolic link that leads" if by_name else "a path that leads"
        reader.problem(fields, "logo", field,
                       f"expected an image file inside content/, found '{name}', {what} "
                       "outside it")
        return None
    if not path.is_file():
        found = "a folder" if path.is_dir() else "no such file"
        reader.problem(fields, "logo", field,
                       f"expected an image file relative to content/, found {found} at "
                       f"'{project.shown(path)}'")
        return None
    if path.suffix.lower() not in LOGO_TYPES:
        reader.problem(fields, "logo", field,
                       f"expected an image ({', '.join(LOGO_TYPES)}), found '{name}'")
        return None
    if path.stat().st_size > MAX_LOGO_BYTES:
        reader.problem(fields, "logo", field,
                       f"expected an image of at most {MAX_LOGO_BYTES // (1024 * 1024)} MB, "
                       f"found {path.stat().st_size / (1024 * 1024):.1f} MB at '{name}'")
        return None
    pixels = _image_pixels(path)
    if pixels is None:
        # Caught here, the file is named; caught by the PDF engine, its bytes were printed.
        reader.problem(fields, "logo", field,
                       f"expected an image file, found '{name}', which is not a readable "
                       f"{path.suffix.lower().lstrip('.').upper()} image")
        return None
    if pixels and (not pixels[0] or pixels[0] * pixels[1] > MAX_LOGO_PIXELS):
        width, height = pixels
        found = f"{width:,} x {height:,} pixels" if width else f"more than {height:,} pixels"
        reader.problem(fields, "logo", field,
                       f"expected an image of at most {MAX_LOGO_PIXELS:,} pixels (5,000 x "
                       f"5,000), found {found} in '{name}'; scale it down (a logo needs about "
                       "1,200 pixels across)")
        return None
    return path


def _image_pixels(path: Path) -> tuple[int, int] | None:
    """The width and height a raster image declares, read from its header without decoding
    it ((0, n) for one of over n pixels, too large even to open); () for an SVG that looks
    like one; None for a file that is not a readable image of its kind (Pillow checks the
    raster formats)."""
    if path.suffix.lower() == ".svg":
        head = path.read_bytes()[:4096].lstrip(b"\xef\xbb\xbf \t\r\n").lower()
        return () if head.startswith(b"<") and b"<svg" in head else None
    import warnings

    from PIL import Image, UnidentifiedImageError

    try:
        with warnings.catch_warnings():
            # Pillow warns of a "decompression bomb" past 89 million pixels and refuses past
            # twice that: the size is judged here, against a far smaller limit.
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)
            with Image.open(path) as image:
                size = image.size
                if size[0] * size[1] > MAX_LOGO_PIXELS:
                    return size
                image.verify()  # the file's structure and checksums, still without decoding
        return size
    except Image.DecompressionBombError:
        return (0, 2 * (Image.MAX_IMAGE_PIXELS or 0))
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError):
        return None


def read_recipients(loaded: YamlFile) -> tuple[dict[str, Recipient], list[Problem]]:
    reader = Reader(loaded.shown_as)
    recipients: dict[str, Recipient] = {}
    top = reader.top_mapping(loaded, "one entry per recipient id")
    for ident, entry in (top or {}).items():
        if reader.slug(top, ident, str(ident), ident) is None:
            continue
        fields = reader.mapping(top, ident, str(ident), entry,
                                "a mapping with name, salutation, ...")
        if fields is None:
            continue
        reader.check_keys(fields, ident, RECIPIENT_FIELDS, ("name",))
        locales: tuple[str, ...] = ()
        if "locales" in fields:
            listed = reader.items(fields, "locales", f"{ident}.locales", fields["locales"],
                                  "a list of locale codes such as [es, en]")
            if listed is not None:
                locales = tuple(
                    code for index in range(len(listed))
                    if (code := reader.locale_code(listed, index, f"{ident}.locales[{index + 1}]",
                                                   listed[index]))
                )
        # The name goes into the e-mail subject and the address into To or Cc.
        name, email = _mail_name_and_address(reader, fields, ident)
        recipients[ident] = Recipient(
            id=ident,
            name=name,
            salutation=reader.optional_localized(fields, "salutation", ident),
            role=reader.optional_localized(fields, "role", ident),
            organization=reader.optional_localized(fields, "organization", ident),
            address=reader.lines(fields, "address", f"{ident}.address"),
            email=email,
            locales=locales,
            tags=reader.slugs(fields, "tags", f"{ident}.tags", "tag"),
        )
    return recipients, reader.problems + list(loaded.problems)


def _mail_name_and_address(reader: Reader, fields: SourceMap,
                           ident: str) -> tuple[dict[str, str], str | None]:
    """A sender's or recipient's name (one line in every locale) and e-mail (exactly one
    address): both become mail headers, where a line break or a second address would write
    headers of its own or add a recipient."""
    name = reader.localized(fields, "name", f"{ident}.name") if "name" in fields else {}
    for locale, text in name.items():
        if problem := check_header_text(text):
            reader.problem(fields["name"] if locale else fields, locale or "name",
                           f"{ident}.name" + (f".{locale}" if locale else ""), problem)
    email = reader.optional_text(fields, "email", f"{ident}.email")
    if email is not None and (problem := check_address(email)):
        reader.problem(fields, "email", f"{ident}.email", problem)
        email = None
    return name, email


def read_signatories(project: Project,
                     loaded: YamlFile) -> tuple[dict[str, Signatory], list[Problem]]:
    """content/signatories.yaml: organisations and people who sign letters."""
    reader = Reader(loaded.shown_as)
    found: dict[str, Signatory] = {}
    top = reader.top_mapping(loaded, "one entry per signatory id")
    for ident, entry in (top or {}).items():
        if reader.slug(top, ident, str(ident), ident) is None:
            continue
        fields = reader.mapping(top, ident, str(ident), entry,
                                "a mapping with kind and name")
        if fields is None:
            continue
        reader.check_keys(fields, ident, SIGNATORY_FIELDS, ("kind", "name"))
        kind = fields.get("kind")
        if "kind" in fields and kind not in SIGNATORY_KINDS:
            reader.problem(fields, "kind", f"{ident}.kind",
                           f"expected {' or '.join(SIGNATORY_KINDS)}, found {describe(kind)}")
        name = reader.optional_localized(fields, "name", ident)
        if kind not in SIGNATORY_KINDS or not name:
            continue
        found[ident] = Signatory(
            id=ident, kind=kind, name=name,
            country=reader.optional_localized(fields, "country", ident),
            url=reader.optional_text(fields, "url", f"{ident}.url"),
            logo=_logo(project, reader, fields, f"{ident}.logo"),
            affiliation=reader.optional_localized(fields, "affiliation", ident),
            place=reader.optional_localized(fields, "place", ident),
            sort_as=reader.optional_localized(fields, "sort_as", ident),
            signed=reader.date(fields, "signed", f"{ident}.signed") if "signed" in fields
            else None,
            **_withdrawal(reader, fields, ident),
        )
    return found, reader.problems + list(loaded.problems)


def _withdrawal(reader: Reader, fields: SourceMap, ident: str) -> dict:
    """`withdrawn: 2024-05-01`, or `withdrawn: {date: 2024-05-01, reason: ...}`."""
    if "withdrawn" not in fields:
        return {}
    value = fields["withdrawn"]
    if isinstance(value, SourceMap):
        reader.check_keys(value, f"{ident}.withdrawn", ("date", "reason"), ("date",))
        when = reader.date(value, "date", f"{ident}.withdrawn.date") if "date" in value \
            else None
        return {"withdrawn": when,
                "withdrawn_reason": reader.optional_text(value, "reason",
                                                         f"{ident}.withdrawn.reason")}
    return {"withdrawn": reader.date(fields, "withdrawn", f"{ident}.withdrawn")}


PRIVATE_SIGNATORIES = "private/signatories.yaml"  # under content/
CONSENT_FIELDS = ("email", "authorised_by", "authorised_role", "authorised_email",
                  "authorised_on", "authorised_how", "evidence", "source")


def read_consents(project: Project, loaded: YamlFile,
                  known: dict[str, Signatory]) -> tuple[dict[str, Consent], list[Problem]]:
    """content/private/signatories.yaml: each signatory's contact and who authorised the
    signature. Kept apart so that a public repository can leave it out (.gitignore)."""
    reader = Reader(loaded.shown_as)
    found: dict[str, Consent] = {}
    top = reader.top_mapping(loaded, "one entry per signatory id")
    for ident, entry in (top or {}).items():
        if reader.slug(top, ident, str(ident), ident) is None:
            continue
        if ident not in known:
            reader.problem(top, ident, str(ident),
                           "unknown signatory; expected an id from content/signatories.yaml"
                           + did_you_mean(ident, known))
            continue
        fields = reader.mapping(top, ident, str(ident), entry,
                                "a mapping with email, authorised_by, ...")
        if fields is None:
            continue
        reader.check_keys(fields, ident, CONSENT_FIELDS, ())
        emails = {}
        for key in ("email", "authorised_email"):
            email = reader.optional_text(fields, key, f"{ident}.{key}")
            if email is not None and (problem := check_address(email)):
                reader.problem(fields, key, f"{ident}.{key}", problem)
                email = None
            emails[key] = email
        evidence = None
        if "evidence" in fields:
            name = reader.text(fields, "evidence", f"{ident}.evidence")
            path = (project.content / name).resolve() if name else None
            if path is not None and not (path.is_relative_to(project.content.resolve())
                                         and path.is_file()):
                reader.problem(fields, "evidence", f"{ident}.evidence",
                               f"expected a file inside content/ (the form row, the e-mail "
                               f"as .eml), found {describe(name)}, which is "
                               + ("outside it" if not path.is_relative_to(
                                   project.content.resolve()) else "no such file"))
                path = None
            evidence = path
        found[ident] = Consent(
            id=ident, email=emails["email"],
            authorised_by=reader.optional_text(fields, "authorised_by",
                                               f"{ident}.authorised_by"),
            authorised_role=reader.optional_text(fields, "authorised_role",
                                                 f"{ident}.authorised_role"),
            authorised_email=emails["authorised_email"],
            authorised_on=reader.date(fields, "authorised_on", f"{ident}.authorised_on")
            if "authorised_on" in fields else None,
            authorised_how=reader.optional_text(fields, "authorised_how",
                                                f"{ident}.authorised_how"),
            evidence=evidence,
            source=reader.optional_text(fields, "source", f"{ident}.source"),
        )
    return found, reader.problems + list(loaded.problems)


def logo_file(project: Project, name: str) -> tuple[Path | None, list[str]]:
    """A logo named outside a YAML file (a form export's cell), judged by the same rule as
    signatories.yaml's: the path inside content/, or the messages saying what is wrong."""
    reader = Reader("")
    fields = SourceMap({"logo": name})
    path = _logo(project, reader, fields, "logo")
    return path, [problem.message for problem in reader.problems]
