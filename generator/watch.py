"""`carta watch`: rebuild what changed whenever content or templates change."""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path

from .errors import CartaError
from .project import Project


def snapshot(project: Project) -> dict[Path, tuple[int, int]]:
    """Size and modification time of every file a build reads."""
    files = {}
    roots = [project.content, *project.template_dirs(), project.root / "carta.toml"]
    for root in roots:
        paths = [root] if root.is_file() else root.rglob("*") if root.is_dir() else []
        for path in paths:
            try:
                stat = path.stat()
            except OSError:
                continue  # removed while we looked: the next look sees it gone
            if path.is_file():
                files[path] = (stat.st_mtime_ns, stat.st_size)
    return files


def watch(project: Project, build_once: Callable[[], object],
          report: Callable[[str], None], interval: float = 1.0,
          keep_going: Callable[[], bool] = lambda: True) -> int:
    """Build now, then again after every change, until `keep_going` says stop (or Ctrl-C).

    Builds are incremental, so each rebuild makes only what the change touched. A build that
    fails is reported and watching goes on: the author is in the middle of an edit.
    Returns how many builds ran."""
    builds = 0
    seen = None
    while keep_going():
        current = snapshot(project)
        if current != seen:
            seen = current
            builds += 1
            try:
                build_once()
            except CartaError as error:
                report(error.format_message())
            report("watching for changes (Ctrl-C to stop)")
        time.sleep(interval)
    return builds
