"""Where a letters project lives: its folders, its carta.toml settings, the built-in design."""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from pathlib import Path

from .errors import ContentError, Problem

SETTINGS_FILE = "carta.toml"
PAPER_SIZES = ("A4", "Letter")
_PACKAGE_DIR = Path(__file__).resolve().parent


def builtin_templates() -> Path:
    """The default design: inside the wheel when installed, at the repository top when not."""
    installed = _PACKAGE_DIR / "templates"
    return installed if installed.is_dir() else _PACKAGE_DIR.parent / "templates"


@dataclass(frozen=True)
class Settings:
    locales: tuple[str, ...] = ("es",)
    paper: str = "A4"
    archive: str = "output/archive"  # relative to the project root
    mail: dict = field(default_factory=dict)  # from, host, port, user, starttls


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
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as error:
        raise ContentError([
            Problem(SETTINGS_FILE, None, None, "", f"not valid TOML: {error}")]) from None
    problems: list[Problem] = []
    known = {"project", "archive", "mail"}
    for key in data:
        if key not in known:
            problems.append(Problem(SETTINGS_FILE, None, None, key,
                                    f"unknown section; expected: {', '.join(sorted(known))}"))
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
    for key in section:
        if key not in {"locales", "paper"}:
            problems.append(Problem(SETTINGS_FILE, None, None, f"project.{key}",
                                    "unknown setting; expected locales or paper"))
    archive = data.get("archive", {})
    folder = archive.get("folder", settings.archive) if isinstance(archive, dict) else None
    if not isinstance(folder, str) or not folder.strip():
        problems.append(Problem(SETTINGS_FILE, None, None, "archive.folder",
                                f"expected a folder path such as \"output/archive\", "
                                f"found {folder!r}"))
        folder = settings.archive
    for key in archive if isinstance(archive, dict) else ():
        if key != "folder":
            problems.append(Problem(SETTINGS_FILE, None, None, f"archive.{key}",
                                    "unknown setting; expected folder"))
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
    if problems:
        raise ContentError(problems)
    return Settings(locales=tuple(locales), paper=paper, archive=folder, mail=dict(mail))
