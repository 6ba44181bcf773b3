"""What each output was made from, recorded as it was read, so a rebuild skips what is unchanged.

Sphinx-style (`note_dependency`): the loader, the validator and the renderer note every file
they read or look for — the letter, every letter of its campaign chain, the shared content
files, carta.toml, the catalog, every template and template catalog looked up (found or not:
a project template created later must count), every logo and image. The state file keeps,
per output, those files' hashes and a key for everything else (tool versions, options, paper,
locale). An output is skipped only if its key is the same and every file it was made from is
unchanged; nothing is listed by hand after the fact.
"""

from __future__ import annotations

import functools
import hashlib
import json
from collections.abc import Iterable
from importlib import metadata
from pathlib import Path

from ..core.project import Project
from ..core.version import __version__
from ..core.write import write_atomic

STATE_FILE = ".carta-build.json"
STATE_VERSION = 2
_TOOLS = ("weasyprint", "pydyf", "fonttools", "font-source-serif-pro", "font-source-sans-pro",
          "jinja2", "babel", "markdown-it-py", "mdit-py-plugins")
MISSING = "missing"


def state_path(output: Path) -> Path:
    """Where the build state of an output folder is kept."""
    return output / STATE_FILE


def _read_outputs(output: Path) -> dict[str, dict] | None:
    """The state file's entries, by output path relative to the folder; None when there is no
    state file, or one that cannot be read or is of another version."""
    try:
        state = json.loads(state_path(output).read_text("utf-8"))
        recorded = state["outputs"] if state.get("version") == STATE_VERSION else None
    except (OSError, ValueError, AttributeError, KeyError, TypeError):
        return None
    return recorded if isinstance(recorded, dict) else None


def recorded_files(output: Path) -> dict[str, list[str]] | None:
    """For each recorded output (its path relative to `output`), the files it was made from;
    None when there is no state file that can be read (nothing was built yet)."""
    recorded = _read_outputs(output)
    if recorded is None:
        return None
    files = {name: entry.get("files") if isinstance(entry, dict) else None
             for name, entry in recorded.items()}
    return {name: list(found) if isinstance(found, dict) else []
            for name, found in files.items()}


@functools.cache
def _tool_versions() -> dict[str, str | None]:
    """The versions of carta and of the tools whose upgrade changes an output. Read once per
    process: each look-up parses a package's metadata (about 2 ms), the code that runs is the
    one imported at the start however the packages change meanwhile, and `carta serve` builds
    at every save."""
    versions: dict[str, str | None] = {"carta": __version__}
    for tool in _TOOLS:
        try:
            versions[tool] = metadata.version(tool)
        except metadata.PackageNotFoundError:
            versions[tool] = None
    return versions


class BuildState:
    """The recorded dependencies of one output folder, and the checks against them."""

    def __init__(self, project: Project, output: Path, options: dict):
        self.project = project
        self.state_path = state_path(output)
        self.output = output
        # None yet, or an older format: everything is built once.
        self.recorded: dict[str, dict] = _read_outputs(output) or {}
        self._common = json.dumps([_tool_versions(), options, project.settings.paper],
                                  sort_keys=True)
        self._hashes: dict[Path, str] = {}

    def key(self, name: str, locale: str, extension: str) -> str:
        """Everything an output depends on that is not a file."""
        return hashlib.sha256(f"{self._common}\0{name}\0{locale}\0{extension}".encode()) \
            .hexdigest()

    def file_hash(self, path: Path) -> str:
        """The file's SHA-256, or MISSING; hashed once per build."""
        if path not in self._hashes:
            try:
                self._hashes[path] = hashlib.sha256(path.read_bytes()).hexdigest() \
                    if path.is_file() else MISSING
            except OSError:
                self._hashes[path] = MISSING
        return self._hashes[path]

    def unchanged(self, path: Path, key: str) -> bool:
        entry = self.recorded.get(self._key(path))
        if not (path.is_file() and isinstance(entry, dict) and entry.get("key") == key):
            return False
        files = entry.get("files")
        return isinstance(files, dict) and bool(files) and all(
            self.file_hash(Path(name)) == digest for name, digest in files.items())

    def remember(self, path: Path, key: str, files: Iterable[Path]) -> None:
        # Files already hashed while planning keep that hash: an edit made during the build
        # then differs from what is recorded, and rebuilds next time.
        self.recorded[self._key(path)] = {
            "key": key, "files": {str(file): self.file_hash(file) for file in sorted(set(files))}}

    def save(self) -> None:
        data = json.dumps({"version": STATE_VERSION, "outputs": self.recorded}, indent=1,
                          sort_keys=True) + "\n"
        write_atomic(self.state_path, data.encode("utf-8"))

    def _key(self, path: Path) -> str:
        return path.relative_to(self.output).as_posix()
