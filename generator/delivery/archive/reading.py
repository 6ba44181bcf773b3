"""Reading an archive's files as if hostile: never through a link, never past a size limit."""

from __future__ import annotations

import errno
import hashlib
import os
import stat
from pathlib import Path

from ...core.errors import CartaError

# Limits past which a file is refused unread: a letter's PDF is a few megabytes, and a hostile
# archive (a 6 GB sparse file, a compressed bomb inside a PDF) must not exhaust memory or time.
MAX_PDF_BYTES = 1 << 30
CHUNK = 1 << 20


def open_regular(path: Path, what: str) -> int | None:
    """A descriptor on `path` if it is a regular file (never through a symbolic link, never
    blocking on a FIFO); None if there is nothing there. Raises CartaError otherwise."""
    try:
        descriptor = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_CLOEXEC)
    except FileNotFoundError:
        return None
    except OSError as error:
        if error.errno == errno.ELOOP:
            raise CartaError(f"{path}: refusing to read {what}: it is a symbolic link (to "
                             f"{link_target(path)}); the archive holds only real files. "
                             "Replace it with the file itself") from None
        raise CartaError(f"{path}: cannot read {what}: {error.strerror}") from None
    if not stat.S_ISREG(os.fstat(descriptor).st_mode):
        os.close(descriptor)
        raise CartaError(f"{path}: expected {what}, found a folder, device or pipe")
    return descriptor


def read_bounded(path: Path, limit: int, what: str, follow: bool = False) -> bytes | None:
    """The bytes of a small file, or None if there is none; its size is checked first."""
    if follow and path.is_symlink():
        path = path.resolve()  # a key file may live behind a link (a secrets mount)
    descriptor = open_regular(path, what)
    if descriptor is None:
        return None
    with os.fdopen(descriptor, "rb") as stream:
        size = os.fstat(descriptor).st_size
        if size > limit:
            raise CartaError(f"{path}: expected {what} of at most {limit} bytes, found "
                             f"{size} bytes; not read")
        data = stream.read(limit + 1)
    if len(data) > limit:
        raise CartaError(f"{path}: expected {what} of at most {limit} bytes, found more")
    return data


def hash_stream(stream) -> str:
    digest = hashlib.sha256()
    while chunk := stream.read(CHUNK):
        digest.update(chunk)
    return digest.hexdigest()


def regular_file_hash(path: Path) -> str | None:
    """SHA-256 of a regular file read in chunks; None for a link, folder or oversized file."""
    try:
        descriptor = open_regular(path, "a file")
    except CartaError:
        return None
    if descriptor is None:
        return None
    with os.fdopen(descriptor, "rb") as stream:
        if os.fstat(descriptor).st_size > MAX_PDF_BYTES:
            return None
        return hash_stream(stream)


def link_target(path: Path) -> str:
    try:
        return os.readlink(path)
    except OSError:
        return "?"
