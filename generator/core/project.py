"""Where a letters project lives: its folders, its carta.toml settings, the built-in design."""

from __future__ import annotations

import dataclasses
import errno
import os
import re
import stat
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

from .errors import ContentError, Problem, Rank
from .model import LINK_STYLES, PAPER_SIZES

SETTINGS_FILE = "carta.toml"
_PACKAGE_DIR = Path(__file__).resolve().parent.parent  # generator/


def builtin_templates() -> Path:
    """The default design: inside the wheel when installed, at the repository top when not."""
    installed = _PACKAGE_DIR / "templates"
    return installed if installed.is_dir() else _PACKAGE_DIR.parent / "templates"


@dataclass(frozen=True)
class SigningSettings:
    """[signing]: the certificate that signs PDFs (PAdES), and how. The passphrase is never
    here: it comes from CARTA_SIGNING_PASSPHRASE or a prompt."""

    certificate: str  # PKCS#12 (.p12/.pfx), or PEM certificate and chain when `key` is set
    key: str | None = None  # PEM private key
    reason: str | None = None
    location: str | None = None
    contact: str | None = None
    timestamp_url: str | None = None  # RFC 3161: B-T instead of B-B
    outputs: tuple[str, ...] = ("archive",)  # what is signed: "archive", "mail"
    stamp: str = "invisible"  # or "visible": a stamp where the signer block is
    trust: str | None = None  # PEM root certificate(s) that carta verify trusts
    # "now", or "letter-date": the signature claims noon UTC on the letter's date, and the
    # same PDF signs to the same bytes (B-B only).
    signing_time: str = "now"


SIGNED_OUTPUTS = ("archive", "mail")
STAMPS = ("invisible", "visible")
SIGNING_TIMES = ("now", "letter-date")


@dataclass(frozen=True)
class Settings:
    locales: tuple[str, ...] = ("es",)
    paper: str = "A4"
    # How links show on paper, unless a letter says otherwise: the URL in small type after the
    # link text (a link whose text is its URL stays as it is).
    links: str = "url-after"
    # The region of each language written without one ({"es": "MX"}): its tag ("es-MX"), its
    # hyphenation, its Babel formats and its quotation marks. Unset: CLDR's likely region.
    regions: dict = field(default_factory=dict)
    archive: str = "output/archive"  # relative to the project root
    mail: dict = field(default_factory=dict)  # from, host, port, user, starttls
    # Ed25519 keys (PEM files, relative to the project root) that sign and check the
    # archive manifest's head; the private key must never be committed.
    signing_key: str | None = None
    public_key: str | None = None
    # Seconds one document may take to build before it is stopped and named ([build]
    # document_timeout): the letters carta knows build in seconds, so a document at two minutes
    # is stuck, and the others are made meanwhile.
    document_timeout: float = 120.0
    pdf_signing: SigningSettings | None = None  # [signing]
    # How alike two signatories' names must be (rapidfuzz's token-sort ratio, 0 to 100) to be
    # shown as a likely duplicate ([signatories] duplicate_threshold).
    duplicate_threshold: float = 90.0
    # [deadlines]: the days "30 working days" skips besides the weekend (public holidays), and
    # the weekend itself, as ISO weekday numbers (Monday 1 ... Sunday 7).
    holidays: tuple = ()
    weekend: tuple[int, ...] = (6, 7)
    # [site] url: where output/site/ is published ("https://example.org/campaign/"), for what
    # needs absolute addresses (sitemap.xml, the share images of Open Graph cards); None:
    # the site stays relative and sitemap.xml is not written.
    site_url: str | None = None


@dataclass(frozen=True)
class Project:
    root: Path
    settings: Settings

    @property
    def content(self) -> Path:
        return self.root / "content"

    @property
    def letters_dir(self) -> Path:
        return self.content / "letters"

    @property
    def settings_file(self) -> Path:
        return self.root / SETTINGS_FILE

    @property
    def templates(self) -> Path:
        return self.root / "templates"

    @property
    def output(self) -> Path:
        return self.root / "output"

    @property
    def archive(self) -> Path:
        return (self.root / self.settings.archive).resolve()

    def template_dirs(self) -> tuple[Path, ...]:
        """Where templates are looked up: the project's own first, then the built-in ones."""
        return tuple(path for path in (self.templates, builtin_templates()) if path.is_dir())

    def shown(self, path: Path) -> str:
        """A path as the user should read it: relative to the project when inside it."""
        try:
            return path.resolve().relative_to(self.root).as_posix()
        except (ValueError, RuntimeError, OSError):  # outside, or a symlink loop (3.11)
            return str(path)

    def letter_files(self) -> list[Path]:
        return sorted(self.letters_dir.glob("*.yaml")) + sorted(self.letters_dir.glob("*.yml"))


class Unreadable(Exception):
    """A content file that carta will not read; the message says why, for the user."""


class TooLarge(Unreadable):
    """A content file over its size limit (a pasted blob, /dev/zero behind a link)."""


def read_content_file(path: Path, inside: tuple[Path, ...], max_bytes: int,
                      expected: str = "a file", head: int | None = None) -> bytes:
    """The bytes of `path`, read only if it is a regular file whose real path (symbolic links
    resolved) is inside one of the folders `inside`, and of at most `max_bytes`. With `head`,
    only its first `head` bytes (to tell a large file's kind without reading it all).

    This is the one rule for every content file (letters, shared YAML, catalogs, logos): a link
    to /proc/self/environ, a FIFO that would block forever or /dev/zero that never ends are
    refused before a byte is read. Raises FileNotFoundError when there is no file at all, and
    Unreadable with a message otherwise."""
    try:
        real = path.resolve(strict=True)
    except FileNotFoundError:
        if path.is_symlink():
            raise Unreadable(f"expected {expected}, found a symbolic link to a missing file "
                             f"('{os.readlink(path)}')") from None
        raise
    except (OSError, RuntimeError) as error:  # a loop of links
        raise Unreadable(f"expected {expected}, found a path that leads nowhere ({error})") \
            from None
    if not any(real.is_relative_to(folder.resolve()) for folder in inside):
        raise Unreadable(f"expected {expected} inside the project, found a symbolic link to "
                         f"'{real}'; copy the file into the project instead")
    try:
        # O_NONBLOCK: opening a FIFO must not wait for a writer; the type is checked next.
        descriptor = os.open(real, os.O_RDONLY | os.O_NONBLOCK | os.O_NOFOLLOW | os.O_CLOEXEC)
    except OSError as error:
        if error.errno == errno.ELOOP:
            raise Unreadable(f"expected {expected}, found a symbolic link") from None
        raise Unreadable(f"cannot read the file: {error.strerror}") from None
    info = os.fstat(descriptor)
    if not stat.S_ISREG(info.st_mode):
        os.close(descriptor)
        found = "a folder" if stat.S_ISDIR(info.st_mode) else \
            "a device, pipe or socket, not a regular file"
        raise Unreadable(f"expected {expected}, found {found}")
    with os.fdopen(descriptor, "rb") as stream:
        if info.st_size > max_bytes:
            raise TooLarge(f"expected {expected} of at most {size_text(max_bytes)}, found "
                             f"{size_text(info.st_size)}; split it, or remove pasted data")
        try:
            if head is not None:
                return stream.read(head)
            data = stream.read(max_bytes + 1)
        except OSError as error:
            raise Unreadable(f"cannot read the file: {error.strerror}") from None
    if len(data) > max_bytes:  # it grew while being read
        raise TooLarge(f"expected {expected} of at most {size_text(max_bytes)}, found more")
    return data


def _line_of(text: str, field: str) -> int | None:
    """The line of carta.toml where `field` ("mail.port", "project") is set: the key in its
    section, else the section's header."""
    section, _, key = field.rpartition(".")
    current, header = "", None
    for number, line in enumerate(text.splitlines(), start=1):
        stripped = line.strip()
        if stripped.startswith("["):
            current = stripped.strip("[] ")
            if current == (section or key):
                header = number
        elif key and current == section and re.match(rf"{re.escape(key)}\s*=", stripped):
            return number
    return header


def size_text(size: int) -> str:
    return f"{size / (1024 * 1024):.1f} MB" if size >= 1024 * 1024 else f"{size / 1024:.0f} KB"


def load_project(root: Path | str = ".") -> Project:
    """Open the project at `root`, reading carta.toml when there is one."""
    root = Path(root).resolve()
    if not (root / "content").is_dir():
        raise ContentError([Problem(
            str(root), None, None, "",
            "expected a carta project here (a folder with content/), found none; "
            "pass --project DIR, or create one with 'carta init DIR'")])
    return Project(root, _read_settings(root / SETTINGS_FILE))


def _read_settings(path: Path) -> Settings:
    if not path.is_file():
        return Settings()
    try:
        text = read_content_file(path, (path.parent,), 1024 * 1024, "a settings file") \
            .decode("utf-8")
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        line = re.search(r"line (\d+)", str(error))
        raise ContentError([Problem(SETTINGS_FILE, int(line.group(1)) if line else None, None,
                                    "", f"not valid TOML: {error}", rank=Rank.UNREADABLE)]) \
            from None
    except (UnicodeDecodeError, Unreadable) as error:
        message = str(error) if isinstance(error, Unreadable) else "expected UTF-8 text"
        raise ContentError([Problem(SETTINGS_FILE, None, None, "", message,
                                    rank=Rank.UNREADABLE)]) from None
    problems: list[Problem] = []
    # In the order messages list them: the first three alphabetically, as they always were.
    known = dict.fromkeys(("archive", "mail", "project", "build", "signing", "signatories",
                           "deadlines", "site"))
    for key in data:
        if key not in known:
            problems.append(Problem(SETTINGS_FILE, None, None, key,
                                    f"unknown section; expected: {', '.join(known)}"))
    for key in known.keys() & data.keys():
        if not isinstance(data[key], dict):
            problems.append(Problem(SETTINGS_FILE, None, None, key,
                                    f"expected a [{key}] section, found {data[key]!r}"))
            data = {name: value for name, value in data.items() if name != key}
    section = data.get("project", {})
    settings = Settings()
    locales = section.get("locales", list(settings.locales))
    if not (isinstance(locales, list) and locales and all(isinstance(x, str) for x in locales)):
        problems.append(Problem(SETTINGS_FILE, None, None, "project.locales",
                                f"expected a list of locale codes such as [\"es\", \"en\"], "
                                f"found {locales!r}"))
        locales = list(settings.locales)
    paper = section.get("paper", settings.paper)
    if paper not in PAPER_SIZES:
        problems.append(Problem(SETTINGS_FILE, None, None, "project.paper",
                                f"expected one of {', '.join(PAPER_SIZES)}, found {paper!r}"))
        paper = settings.paper
    links = section.get("links", settings.links)
    if links not in LINK_STYLES:
        problems.append(Problem(SETTINGS_FILE, None, None, "project.links",
                                f"expected one of {', '.join(LINK_STYLES)}, found {links!r}"))
        links = settings.links
    regions = section.get("regions", {})
    problems.extend(_region_problems(regions))
    if any(problem.field == "project.regions" for problem in problems):
        regions = {}
    for key in section:
        if key not in {"locales", "paper", "links", "regions"}:
            problems.append(Problem(SETTINGS_FILE, None, None, f"project.{key}",
                                    "unknown setting; expected locales, paper, links or "
                                    "regions"))
    archive = data.get("archive", {})
    folder = archive.get("folder", settings.archive) if isinstance(archive, dict) else None
    if not isinstance(folder, str) or not folder.strip():
        problems.append(Problem(SETTINGS_FILE, None, None, "archive.folder",
                                f"expected a folder path such as \"output/archive\", "
                                f"found {folder!r}"))
        folder = settings.archive
    keys: dict[str, str | None] = {"signing_key": None, "public_key": None}
    for key in archive if isinstance(archive, dict) else ():
        if key in keys:
            value = archive[key]
            if isinstance(value, str) and value.strip():
                keys[key] = value
            else:
                problems.append(Problem(SETTINGS_FILE, None, None, f"archive.{key}",
                                        "expected the path of a PEM key file outside the "
                                        "project, such as \"~/.config/carta/archive.key\", "
                                        f"found {value!r}"))
        elif key != "folder":
            problems.append(Problem(SETTINGS_FILE, None, None, f"archive.{key}",
                                    "unknown setting; expected folder, signing_key or "
                                    "public_key"))
    build = data.get("build", {})
    timeout = build.get("document_timeout", settings.document_timeout)
    # At most a day: a number the timer takes (TOML also allows inf and nan).
    if isinstance(timeout, bool) or not isinstance(timeout, int | float) \
            or not 0 < timeout <= 86_400:
        problems.append(Problem(SETTINGS_FILE, None, None, "build.document_timeout",
                                "expected a number of seconds above 0 and at most 86400 (a "
                                f"day), such as 120, found {timeout!r}"))
        timeout = settings.document_timeout
    for key in build:
        if key != "document_timeout":
            problems.append(Problem(SETTINGS_FILE, None, None, f"build.{key}",
                                    "unknown setting; expected document_timeout"))
    signon = data.get("signatories", {})
    threshold = signon.get("duplicate_threshold", settings.duplicate_threshold)
    if isinstance(threshold, bool) or not isinstance(threshold, int | float) \
            or not 50 <= threshold <= 100:
        problems.append(Problem(SETTINGS_FILE, None, None, "signatories.duplicate_threshold",
                                "expected a score from 50 to 100 (how alike two names must "
                                f"be to be shown as likely duplicates), such as 90, found "
                                f"{threshold!r}"))
        threshold = settings.duplicate_threshold
    for key in signon:
        if key != "duplicate_threshold":
            problems.append(Problem(SETTINGS_FILE, None, None, f"signatories.{key}",
                                    "unknown setting; expected duplicate_threshold"))
    mail = data.get("mail", {})
    mail_keys = {"from": str, "host": str, "port": int, "user": str, "starttls": bool}
    if not isinstance(mail, dict):
        problems.append(Problem(SETTINGS_FILE, None, None, "mail",
                                "expected a [mail] section with from, host, port, user, starttls"))
        mail = {}
    for key, value in mail.items():
        if key not in mail_keys:
            problems.append(Problem(SETTINGS_FILE, None, None, f"mail.{key}",
                                    f"unknown setting; expected one of: {', '.join(mail_keys)}"
                                    + ("; the password goes only in CARTA_SMTP_PASSWORD"
                                       if key == "password" else "")))
        elif not isinstance(value, mail_keys[key]):
            problems.append(Problem(SETTINGS_FILE, None, None, f"mail.{key}",
                                    f"expected {mail_keys[key].__name__}, found {value!r}"))
        elif key in ("from", "host", "user"):
            # `from` becomes the From header and the envelope sender: exactly one address.
            # host and user go into SMTP commands, where a line break starts a new command.
            from .addresses import check_address, check_header_text
            problem = check_address(value) if key == "from" else check_header_text(value)
            if problem:
                problems.append(Problem(SETTINGS_FILE, None, None, f"mail.{key}", problem))
    pdf_signing = _read_signing(data.get("signing"), problems)
    holidays, weekend = _deadlines(data.get("deadlines", {}), problems)
    site_url = _site_url(data.get("site", {}), problems)
    if problems:
        # tomllib keeps no positions: each problem's line is found from its key.
        raise ContentError([dataclasses.replace(problem, line=_line_of(text, problem.field),
                                                rank=Rank.SETTINGS) for problem in problems])
    return Settings(locales=tuple(locales), paper=paper, links=links,
                    regions={str(key): str(value).upper() for key, value in regions.items()},
                    archive=folder,
                    mail=dict(mail),
                    signing_key=keys["signing_key"], public_key=keys["public_key"],
                    document_timeout=float(timeout), pdf_signing=pdf_signing,
                    duplicate_threshold=float(threshold),
                    holidays=holidays, weekend=weekend, site_url=site_url)


def _region_problems(regions) -> list[Problem]:
    """What is wrong with [project] regions: a table of language = "REGION" that Babel knows
    ({es = "MX"} is es_MX)."""
    if not isinstance(regions, dict):
        return [Problem(SETTINGS_FILE, None, None, "project.regions",
                        'expected a table of language = "REGION", such as '
                        f'{{ es = "MX", en = "US" }}, found {regions!r}')]
    from babel import Locale, UnknownLocaleError

    found = []
    for language, region in regions.items():
        where = "project.regions"  # its line: regions is one inline table
        if not (isinstance(region, str) and (region.isalpha() and len(region) == 2
                                             or region.isdigit() and len(region) == 3)):
            found.append(Problem(SETTINGS_FILE, None, None, where,
                                 f'{language}: expected a region code such as "MX", "US" or '
                                 f'"419", found {region!r}'))
            continue
        try:
            Locale.parse(language)
            # ZZ is CLDR's "unknown region": no region at all.
            known = region.upper() in Locale("en").territories and region.upper() != "ZZ"
        except (UnknownLocaleError, ValueError):
            known = False
        if not known:
            found.append(Problem(SETTINGS_FILE, None, None, where,
                                 f"{language}: no locale {language}_{region.upper()} is known; "
                                 'expected a language with one of its regions, such as '
                                 'es = "MX"'))
    return found


def _read_signing(section: dict | None, problems: list[Problem]) -> SigningSettings | None:
    """[signing], each wrong setting a problem naming it; None when there is no section."""
    if section is None:
        return None
    texts = ("certificate", "key", "reason", "location", "contact", "timestamp_url", "trust")
    values: dict = {}
    for key, value in section.items():
        where = f"signing.{key}"
        if key in texts:
            if isinstance(value, str) and value.strip():
                values[key] = value
            else:
                problems.append(Problem(SETTINGS_FILE, None, None, where,
                                        f"expected a text, found {value!r}"))
        elif key == "sign":
            if isinstance(value, list) and value and all(x in SIGNED_OUTPUTS for x in value):
                values["outputs"] = tuple(dict.fromkeys(value))
            else:
                problems.append(Problem(SETTINGS_FILE, None, None, where,
                                        "expected a list of what to sign: [\"archive\"] or "
                                        f"[\"archive\", \"mail\"], found {value!r}"))
        elif key in ("stamp", "signing_time"):
            choices = STAMPS if key == "stamp" else SIGNING_TIMES
            if value in choices:
                values[key] = value
            else:
                problems.append(Problem(SETTINGS_FILE, None, None, where,
                                        f"expected \"{choices[0]}\" or \"{choices[1]}\", "
                                        f"found {value!r}"))
        else:
            problems.append(Problem(
                SETTINGS_FILE, None, None, where,
                "unknown setting; expected one of: certificate, key, reason, location, "
                "contact, timestamp_url, sign, stamp, signing_time, trust"
                + ("; the passphrase goes only in CARTA_SIGNING_PASSPHRASE (or is asked for)"
                   if key in ("passphrase", "password") else "")))
    url = values.get("timestamp_url")
    if url is not None and not re.fullmatch(r"https?://[^\s]+", url):
        problems.append(Problem(SETTINGS_FILE, None, None, "signing.timestamp_url",
                                "expected the http:// or https:// address of an RFC 3161 "
                                f"timestamp authority, found {url!r}"))
    if url is not None and values.get("signing_time") == "letter-date":
        problems.append(Problem(SETTINGS_FILE, None, None, "signing.signing_time",
                                "\"letter-date\" is for signatures without a timestamp (B-B): "
                                "with timestamp_url the authority says when it was signed; "
                                "remove one of the two"))
    if "certificate" not in values:
        if "certificate" not in section:
            problems.append(Problem(SETTINGS_FILE, None, None, "signing.certificate",
                                    "expected the path of the signing certificate: a PKCS#12 "
                                    "file (.p12), or a PEM certificate with key = \"...\""))
        return None
    return SigningSettings(**values)




def _site_url(section: dict, problems: list[Problem]) -> str | None:
    """[site] url = "https://example.org/campaign/": the published site's address."""
    for key in section:
        if key != "url":
            problems.append(Problem(SETTINGS_FILE, None, None, f"site.{key}",
                                    "unknown setting; expected url"))
    url = section.get("url")
    if url is None:
        return None
    if not isinstance(url, str) or not re.fullmatch(r"https?://[^\s/?#]+(/[^\s?#]*)?", url):
        problems.append(Problem(SETTINGS_FILE, None, None, "site.url",
                                "expected the address the site is published at, such as "
                                f"\"https://example.org/campaign/\", found {url!r}"))
        return None
    return url if url.endswith("/") else url + "/"


WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")


def _deadlines(section: dict, problems: list[Problem]) -> tuple[tuple, tuple[int, ...]]:
    """[deadlines] holidays = [2024-12-25, ...] and weekend = ["saturday", "sunday"]."""
    import datetime

    holidays = []
    given = section.get("holidays", [])
    if not isinstance(given, list):
        given = [given]
    for index, value in enumerate(given, start=1):
        day = value if isinstance(value, datetime.date) \
            and not isinstance(value, datetime.datetime) else None
        if isinstance(value, str):
            try:
                day = datetime.date.fromisoformat(value.strip())
            except ValueError:
                day = None
        if day is None:
            problems.append(Problem(SETTINGS_FILE, None, None, "deadlines.holidays",
                                    f"holiday {index}: expected a date such as 2024-12-25, "
                                    f"found {value!r}"))
        else:
            holidays.append(day)
    weekend = section.get("weekend", ["saturday", "sunday"])
    if not isinstance(weekend, list) or not all(
            isinstance(day, str) and day.lower() in WEEKDAYS for day in weekend):
        problems.append(Problem(SETTINGS_FILE, None, None, "deadlines.weekend",
                                "expected a list of days such as [\"saturday\", \"sunday\"], "
                                f"found {weekend!r}"))
        weekend = ["saturday", "sunday"]
    if len({day.lower() for day in weekend}) == len(WEEKDAYS):
        problems.append(Problem(SETTINGS_FILE, None, None, "deadlines.weekend",
                                "expected some working days; every day of the week is listed"))
        weekend = ["saturday", "sunday"]
    for key in section:
        if key not in ("holidays", "weekend"):
            problems.append(Problem(SETTINGS_FILE, None, None, f"deadlines.{key}",
                                    "unknown setting; expected holidays or weekend"))
    return (tuple(sorted(set(holidays))),
            tuple(sorted({WEEKDAYS.index(day.lower()) + 1 for day in weekend})))
