"""One run at a time per project: a lock file in output/ held by archive, mail and build.

Two `carta archive` or `carta mail --send` runs at once would each read the manifest or the
delivery log, then append to it without seeing the other: entries are lost, mail goes out
twice. The lock is an advisory `flock` on output/.carta.lock, released by the kernel when the
process ends, even by kill -9, so a crashed run never leaves a stale lock behind.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import time
from pathlib import Path

from .errors import CartaError
from .write import open_no_follow, safe_folder

LOCK_NAME = ".carta.lock"
_HOLDER_WIDTH = 256
# Locks this process holds (path -> depth): a command that holds the lock may call another
# that takes it (mail builds, then sends), without locking itself out.
_HELD: dict[str, int] = {}


class ProjectBusy(CartaError):
    """Another carta run holds the project's lock."""


@contextlib.contextmanager
def project_lock(output: Path, command: str, wait: float = 0.0):
    """Hold the project's lock for the block, or raise ProjectBusy naming who holds it.

    `wait` seconds are spent retrying before giving up (0: give up at once). A process that
    holds the lock already (`carta mail` builds the PDFs it sends) goes on under it."""
    safe_folder(output.parent, output)
    path = output / LOCK_NAME
    held = str(path.resolve())
    if _HELD.get(held):
        _HELD[held] += 1
        try:
            yield
        finally:
            _HELD[held] -= 1
        return
    descriptor = open_no_follow(path, os.O_RDWR | os.O_CREAT)
    try:
        deadline = time.monotonic() + wait
        while True:
            try:
                fcntl.flock(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() >= deadline:
                    raise ProjectBusy(_busy_message(descriptor, path, command)) from None
                time.sleep(0.1)
        # Who holds it, for the message the other run prints. Written after locking, padded to
        # a fixed width in one write: a reader never sees it empty or half old, half new.
        holder = json.dumps({"pid": os.getpid(), "command": command}).encode()
        os.pwrite(descriptor, holder.ljust(_HOLDER_WIDTH), 0)
        _HELD[held] = 1
        try:
            yield
        finally:
            _HELD.pop(held, None)
    finally:
        os.close(descriptor)  # closing releases the lock


def _busy_message(descriptor: int, path: Path, command: str) -> str:
    holder = {}
    # The holder writes its name just after it locks: give it a moment to do so.
    for _ in range(20):
        try:
            holder = json.loads(os.pread(descriptor, _HOLDER_WIDTH, 0) or b"{}")
        except ValueError:
            holder = {}
        if holder:
            break
        time.sleep(0.025)
    who = (f"'carta {holder['command']}' (process {holder['pid']})"
           if isinstance(holder, dict) and {"command", "pid"} <= holder.keys()
           else "another carta run")
    return (f"cannot run 'carta {command}': {who} is working on this project ({path} is "
            "locked); wait for it to finish and try again")
