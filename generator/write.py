"""Write output files atomically, and only inside the output folder."""

from __future__ import annotations

import contextlib
import errno
import os
import tempfile
from pathlib import Path

from .errors import BuildError


def output_path(output: Path, letter_id: str, locale: str, extension: str,
                copy: str | None = None) -> Path:
    """output/<id>/<id>.<locale>.<ext>, or <id>.<recipient>.<locale>.<ext> for one recipient's
    copy, refusing any name that would land outside output/."""
    stem = f"{letter_id}.{copy}.{locale}" if copy else f"{letter_id}.{locale}"
    path = (output / letter_id / f"{stem}.{extension}").resolve()
    if not path.is_relative_to(output.resolve()):
        raise BuildError(f"refusing to write {path}: it is outside {output}")
    return path


def write_atomic(path: Path, data: bytes) -> None:
    """Write to a temporary file beside `path`, then rename: never a half-written file."""
    with staged(path, data):
        pass


@contextlib.contextmanager
def staged(path: Path, data: bytes):
    """Write `data` to a temporary file beside `path` now, and rename it into place when the
    block ends without error. Lets a caller finish other work between the slow part (writing,
    syncing) and the instant the new file appears."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.",
                                             suffix=".tmp")
    except OSError as error:
        raise BuildError(f"cannot write {path}: {_reason(error, path)}") from None
    try:
        with os.fdopen(handle, "wb") as stream:
            stream.write(data)
            stream.flush()
            os.fsync(stream.fileno())
        os.chmod(temporary, 0o644)
        yield
        os.replace(temporary, path)
    except BaseException as error:
        Path(temporary).unlink(missing_ok=True)
        if isinstance(error, OSError):
            raise BuildError(f"cannot write {path}: {_reason(error, path)}; the earlier file, "
                             "if any, is untouched") from None
        raise


def write_new(path: Path, data: bytes) -> None:
    """Write a file that must not exist yet, atomically: the archive never overwrites.

    The data goes to a temporary file first, then gets its final name by a hard link, which
    fails if the name is taken; so the final name only ever holds the complete file.
    """
    temporary = path.with_name(f".{path.name}.tmp")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        with open(temporary, "wb") as stream:
            stream.write(data)
            stream.flush()
            os.fsync(stream.fileno())
        os.link(temporary, path)
    except FileExistsError:
        raise BuildError(f"refusing to overwrite {path}: archived files are never replaced") \
            from None
    except OSError as error:
        raise BuildError(f"cannot write {path}: {_reason(error, path)}") from None
    finally:
        temporary.unlink(missing_ok=True)


def _reason(error: OSError, path: Path) -> str:
    """Why a write failed, with the next step where the user can take one."""
    if error.errno in (errno.EEXIST, errno.ENOTDIR, errno.EISDIR):
        if path.is_dir():
            return f"a folder has the file's name; move {path} away and build again"
        blocker = next((place for place in path.parents if place.is_file()), None)
        if blocker is not None:
            return f"{blocker} is a file where a folder is needed; move it away and build again"
    if error.errno in (errno.ENOSPC, errno.EDQUOT):
        return "no space left on the disk; free some space and build again"
    if error.errno == errno.EFBIG:
        return "the file is larger than this system allows (a file size limit)"
    if error.errno in (errno.EACCES, errno.EPERM, errno.EROFS):
        return f"{error.strerror}; check that the output folder can be written to"
    return error.strerror or str(error)
