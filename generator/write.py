"""Write output files atomically, and only inside the output folder."""

from __future__ import annotations

import contextlib
import os
import tempfile
from pathlib import Path

from .errors import BuildError


def output_path(output: Path, letter_id: str, locale: str, extension: str) -> Path:
    """output/<id>/<id>.<locale>.<ext>, refusing any name that would land outside output/."""
    path = (output / letter_id / f"{letter_id}.{locale}.{extension}").resolve()
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
        raise BuildError(f"cannot write {path}: {error.strerror}") from None
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
            raise BuildError(f"cannot write {path}: {error.strerror}; the earlier file, if any, "
                             "is untouched") from None
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
        raise BuildError(f"cannot write {path}: {error.strerror}") from None
    finally:
        temporary.unlink(missing_ok=True)
