"""`carta init`: a new letters project, copied from the example shipped in the package."""

from __future__ import annotations

import shutil
from pathlib import Path

from .errors import CartaError

EXAMPLE = Path(__file__).resolve().parent / "new_project"


def create_project(directory: Path) -> list[Path]:
    """Copy the example project into `directory`; never overwrite a file that is there."""
    sources = sorted(path for path in EXAMPLE.rglob("*") if path.is_file())
    targets = [directory / path.relative_to(EXAMPLE) for path in sources]
    existing = [target for target in targets if target.exists()]
    if existing:
        raise CartaError(
            f"{directory} already holds {', '.join(str(p) for p in existing)}; "
            "choose an empty folder so nothing is overwritten")
    for source, target in zip(sources, targets, strict=True):
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(source, target)
    (directory / "output").mkdir(exist_ok=True)
    return targets
