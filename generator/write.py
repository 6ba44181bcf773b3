"""Write output files atomically, and only inside the output folder."""

from __future__ import annotations

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
        os.replace(temporary, path)
    except BaseException as error:
        Path(temporary).unlink(missing_ok=True)
        if isinstance(error, OSError):
            raise BuildError(f"cannot write {path}: {error.strerror}; the earlier file, if any, "
                             "is untouched") from None
        raise
