"""The machine's cache: files derived only from installed packages, made once, kept by recipe.

Something that costs seconds and depends on nothing in a project (the web fonts' WOFF2
subsets) is made once per machine and kept in `<cache>/<kind>/<recipe>/`, where the recipe is
a digest of everything the files' bytes depend on. The cache folder is the user's
(`platformdirs.user_cache_dir("carta")`), or the folder named by CARTA_CACHE_DIR.

Many builds may share it at once, and it is only an optimisation, so:
- an entry appears whole or not at all: it is written into a private temporary folder, with a
  manifest of each file's SHA-256 written last, and renamed into place in one step; a reader
  checks every file against the manifest, so a partly written or altered file is never used;
- nothing below the cache folder is reached through a symbolic link: every folder and file is
  opened relative to its parent's descriptor with O_NOFOLLOW, so a link planted in the cache
  leads nowhere (the cache folder itself may be a link: where it lives is the user's choice);
- any failure (a read-only home, a full disk, a planted link) makes the entry absent and the
  caller makes the files itself, as it would without a cache.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import re
import secrets
import shutil
import stat
from pathlib import Path

ENVIRONMENT = "CARTA_CACHE_DIR"
MANIFEST = "MANIFEST.json"
LIMIT = 64 * 1024 * 1024  # bytes in one entry: anything larger is not what carta wrote
_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,127}")  # kinds, recipes and file names
_FOLDER = os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW | os.O_CLOEXEC


def folder() -> Path:
    """Where the cache lives: CARTA_CACHE_DIR if set, else the user's cache folder."""
    configured = os.environ.get(ENVIRONMENT, "").strip()
    if configured:
        return Path(configured).expanduser()
    import platformdirs  # only a build that misses its in-process copy needs it

    return Path(platformdirs.user_cache_dir("carta", appauthor=False))


def load(kind: str, recipe: str) -> dict[str, bytes] | None:
    """The files kept for `recipe`, or None when there is no whole, unaltered entry."""
    if not (_NAME.fullmatch(kind) and _NAME.fullmatch(recipe)):
        return None
    try:
        with _opened(folder()) as root, \
                _folder_at(root, kind, create=False) as kind_fd, \
                _folder_at(kind_fd, recipe, create=False) as entry:
            return _read_entry(entry)
    except (OSError, ValueError, UnicodeDecodeError):
        return None


def store(kind: str, recipe: str, files: dict[str, bytes]) -> bool:
    """Keep `files` for `recipe`, unless an entry is there already. Returns whether the entry
    is there afterwards; never raises for what the file system does."""
    if not (_NAME.fullmatch(kind) and _NAME.fullmatch(recipe)
            and all(_NAME.fullmatch(name) and name != MANIFEST for name in files)):
        raise ValueError("cache names are plain file names")
    try:
        root_path = folder()
        root_path.mkdir(parents=True, exist_ok=True)
        with _opened(root_path) as root, \
                _folder_at(root, kind, create=True) as kind_fd:
            temporary = f".tmp-{secrets.token_hex(8)}"
            os.mkdir(temporary, 0o755, dir_fd=kind_fd)  # a fresh name: no one else's folder
            try:
                with _folder_at(kind_fd, temporary, create=False) as entry:
                    for name, data in files.items():
                        _write_new(entry, name, data)
                    # Last: an entry with a manifest is whole.
                    manifest = {name: hashlib.sha256(data).hexdigest()
                                for name, data in files.items()}
                    _write_new(entry, MANIFEST, json.dumps(manifest, sort_keys=True).encode())
                    os.fsync(entry)
                if _rename(kind_fd, temporary, recipe):
                    os.fsync(kind_fd)
                    return True
                return _valid(kind_fd, recipe)
            finally:
                _remove(kind_fd, temporary)
    except OSError:
        return False


def _rename(kind_fd: int, temporary: str, recipe: str) -> bool:
    """Put the whole entry in place in one step. An entry that is there already stays, if it
    is whole (another build finished first); a broken one, or a link or file planted under
    its name, is moved aside first."""
    try:
        os.rename(temporary, recipe, src_dir_fd=kind_fd, dst_dir_fd=kind_fd)
        return True
    except OSError:
        if _valid(kind_fd, recipe):
            return False
    aside = f".old-{secrets.token_hex(8)}"
    with contextlib.suppress(OSError):
        os.rename(recipe, aside, src_dir_fd=kind_fd, dst_dir_fd=kind_fd)  # a link: the link
    _remove(kind_fd, aside)
    try:
        os.rename(temporary, recipe, src_dir_fd=kind_fd, dst_dir_fd=kind_fd)
        return True
    except OSError:
        return False


def _valid(kind_fd: int, recipe: str) -> bool:
    try:
        with _folder_at(kind_fd, recipe, create=False) as entry:
            return _read_entry(entry) is not None
    except (OSError, ValueError, UnicodeDecodeError):
        return False


def _read_entry(entry: int) -> dict[str, bytes] | None:
    manifest = json.loads(_read(entry, MANIFEST, 1024 * 1024))
    if not isinstance(manifest, dict):
        return None
    files, total = {}, 0
    for name, digest in manifest.items():
        if not (isinstance(name, str) and _NAME.fullmatch(name) and isinstance(digest, str)):
            return None
        data = _read(entry, name, LIMIT - total)
        total += len(data)
        if hashlib.sha256(data).hexdigest() != digest:
            return None  # altered, or not the file the manifest was written for
        files[name] = data
    return files


def _read(folder_fd: int, name: str, limit: int) -> bytes:
    descriptor = os.open(name, os.O_RDONLY | os.O_NOFOLLOW | os.O_CLOEXEC, dir_fd=folder_fd)
    try:
        info = os.fstat(descriptor)
        if not stat.S_ISREG(info.st_mode) or info.st_size > limit:
            raise ValueError(f"{name} is not a file carta wrote")
        with os.fdopen(os.dup(descriptor), "rb") as stream:
            return stream.read(limit + 1)
    finally:
        os.close(descriptor)


def _write_new(folder_fd: int, name: str, data: bytes) -> None:
    descriptor = os.open(name, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW
                         | os.O_CLOEXEC, 0o644, dir_fd=folder_fd)
    with os.fdopen(descriptor, "wb") as stream:
        stream.write(data)
        stream.flush()
        os.fsync(stream.fileno())


def _remove(folder_fd: int, name: str) -> None:
    """Remove `name` in the folder, whatever it is: a link is unlinked, never followed."""
    try:
        info = os.stat(name, dir_fd=folder_fd, follow_symlinks=False)
    except OSError:
        return
    with contextlib.suppress(OSError):
        if stat.S_ISDIR(info.st_mode):
            shutil.rmtree(name, dir_fd=folder_fd)  # does not follow links inside
        else:
            os.unlink(name, dir_fd=folder_fd)


@contextlib.contextmanager
def _opened(path: Path):
    """The cache folder itself, which may be a link: where it lives is the user's choice."""
    descriptor = os.open(path, os.O_RDONLY | os.O_DIRECTORY | os.O_CLOEXEC)
    try:
        yield descriptor
    finally:
        os.close(descriptor)


@contextlib.contextmanager
def _folder_at(parent_fd: int, name: str, create: bool):
    """A folder in the folder `parent_fd`, opened without following a link (ELOOP if it is
    one, ENOTDIR if it is a file)."""
    if create:
        with contextlib.suppress(FileExistsError):
            os.mkdir(name, 0o755, dir_fd=parent_fd)
    descriptor = os.open(name, _FOLDER, dir_fd=parent_fd)
    try:
        yield descriptor
    finally:
        os.close(descriptor)
