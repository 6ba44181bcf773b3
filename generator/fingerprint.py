"""Fingerprints of everything an output depends on, so that a rebuild skips what is unchanged."""

from __future__ import annotations

import hashlib
import json
from importlib import metadata
from pathlib import Path

from . import __version__, catalog
from .model import Letter
from .project import Project
from .write import write_atomic

STATE_FILE = ".carta-build.json"
_TOOLS = ("weasyprint", "pydyf", "fonttools", "font-source-serif-pro", "font-source-sans-pro",
          "jinja2", "babel", "markdown-it-py", "mdit-py-plugins")


def _hash_files(digest, paths) -> None:
    for path in sorted(paths):
        digest.update(str(path).encode())
        digest.update(b"\0")
        digest.update(path.read_bytes() if path.is_file() else b"(missing)")
        digest.update(b"\0")


class Fingerprints:
    """Computes fingerprints for one build and remembers those of the outputs written."""

    def __init__(self, project: Project, output: Path, options: dict):
        self.project = project
        self.state_path = output / STATE_FILE
        self.output = output
        try:
            self.recorded: dict[str, str] = json.loads(self.state_path.read_text("utf-8"))
        except (OSError, ValueError):
            self.recorded = {}
        common = hashlib.sha256()
        # Every template file counts, but the campaign site's own: a changed letter template
        # or catalog rebuilds every letter.
        template_files = [path for folder in project.template_dirs()
                          for path in folder.rglob("*")
                          if path.is_file() and not path.name.startswith("site.")]
        _hash_files(common, template_files)
        # Shared content: senders, recipients, their logos and the project settings.
        shared = [path for path in project.content.glob("*") if path.is_file()]
        shared.append(project.root / "carta.toml")
        _hash_files(common, shared)
        versions = {"carta": __version__}
        for tool in _TOOLS:
            try:
                versions[tool] = metadata.version(tool)
            except metadata.PackageNotFoundError:
                versions[tool] = None
        common.update(json.dumps([versions, options, project.settings.paper],
                                 sort_keys=True).encode())
        self._common = common

    def of(self, letter: Letter, locale: str, extension: str) -> str:
        digest = self._common.copy()
        files = [letter.source, catalog.catalog_path(self.project, letter.id, locale)]
        if letter.sender.logo:
            files.append(letter.sender.logo)
        _hash_files(digest, files)
        digest.update(f"{locale}\0{extension}".encode())
        return digest.hexdigest()

    def unchanged(self, path: Path, fingerprint: str) -> bool:
        return path.is_file() and self.recorded.get(self._key(path)) == fingerprint

    def remember(self, path: Path, fingerprint: str) -> None:
        self.recorded[self._key(path)] = fingerprint

    def save(self) -> None:
        data = json.dumps(self.recorded, indent=1, sort_keys=True) + "\n"
        write_atomic(self.state_path, data.encode("utf-8"))

    def _key(self, path: Path) -> str:
        return path.relative_to(self.output).as_posix()
