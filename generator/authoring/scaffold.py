"""`carta init`: a new letters project, copied from the example shipped in the package."""

from __future__ import annotations

import shutil
from pathlib import Path

from ..core.errors import CartaError

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
    ignore = directory / ".gitignore"
    if not ignore.exists():  # a repository's own .gitignore is left as it is
        ignore.write_text(GITIGNORE, encoding="utf-8")
        targets.append(ignore)
    return targets


# What carta makes is rebuilt from the content at any time, and output/ holds logs with
# e-mail addresses: it stays out of the repository. The archive, when it is kept in output/,
# is copied elsewhere on purpose (see the README).
GITIGNORE = """\
# Made by carta from content/: rebuild with 'carta build'.
output/
# Signatories' contacts and consent (carta signatories import): private, never published.
content/private/
"""
