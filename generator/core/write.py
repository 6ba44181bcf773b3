"""Write output files atomically, only inside the output folder, never through a symbolic link.

Every write goes through here: the temporary file is created with O_EXCL under a random name
(a link planted at a predictable name cannot redirect it), every folder below the project is
checked not to be a symbolic link, and logs are opened with O_NOFOLLOW|O_APPEND.
"""

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


def safe_folder(base: Path, folder: Path) -> Path:
    """Create `folder` (and the folders between) below `base`, refusing any that is a
    symbolic link or not a folder: output/site -> /etc must not turn a write into one there.

    `base` itself is trusted (the project root, or a folder the user named)."""
    base = Path(os.path.abspath(base))
    folder = Path(os.path.abspath(folder))
    if not folder.is_relative_to(base):
        raise BuildError(f"refusing to write in {folder}: it is outside {base}")
    current = base
    for part in folder.relative_to(base).parts:
        current = current / part
        try:
            os.mkdir(current)
        except FileExistsError:
            pass
        except OSError as error:
            raise BuildError(f"cannot create {current}: {_reason(error, current)}") from None
        if current.is_symlink():
            raise BuildError(f"refusing to write through {current}: it is a symbolic link "
                             "(to " + os.readlink(current) + "); carta writes only into real "
                             "folders. Remove the link and run again")
        if not current.is_dir():
            raise BuildError(f"cannot write in {current}: {current} is a file where a folder "
                             "is needed; move it away and run again")
    return folder


def open_no_follow(path: Path, flags: int, mode: int = 0o644) -> int:
    """os.open that refuses a symbolic link at `path` with a clear message."""
    try:
        return os.open(path, flags | os.O_NOFOLLOW | os.O_CLOEXEC, mode)
    except OSError as error:
        if error.errno == errno.ELOOP:
            raise BuildError(f"refusing to write {path}: it is a symbolic link; remove it and "
                             "run again") from None
        raise BuildError(f"cannot write {path}: {_reason(error, path)}") from None


def append_line(path: Path, line: str) -> None:
    """Append one line to a log and sync it, never through a symbolic link. Raises BuildError
    when the line could not be written whole (a full disk, say)."""
    descriptor = open_no_follow(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT)
    try:
        data = line.encode("utf-8")
        if os.write(descriptor, data) != len(data):
            raise OSError(errno.ENOSPC, "short write")
        os.fsync(descriptor)
    except OSError as error:
        raise BuildError(f"cannot write {path}: {_reason(error, path)}") from None
    finally:
        os.close(descriptor)


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

    The data goes to a temporary file first (a random name, created with O_EXCL, so a link
    planted beside it redirects nothing), then gets its final name by a hard link, which
    fails if the name is taken (even by a dangling symbolic link); so the final name only ever
    holds the complete file.
    """
    temporary = None
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        handle, name = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
        temporary = Path(name)
        with os.fdopen(handle, "wb") as stream:
            stream.write(data)
            stream.flush()
            os.fsync(stream.fileno())
        os.chmod(temporary, 0o644)
        os.link(temporary, path, follow_symlinks=False)
    except FileExistsError:
        raise BuildError(f"refusing to overwrite {path}: archived files are never replaced") \
            from None
    except OSError as error:
        raise BuildError(f"cannot write {path}: {_reason(error, path)}") from None
    finally:
        if temporary is not None:
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
