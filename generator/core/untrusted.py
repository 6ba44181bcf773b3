"""Reading a file a stranger sent in a child process limited in memory and time.

A reply's PDF, an e-mail, a DOCX a reviewer returned: carta did not make them, and a few
hundred kilobytes can inflate to gigabytes or send a parser into deep recursion. The reader
runs in a fresh child process (spawned, not forked: it inherits no threads, locks or memory of
the parent) which first limits its own address space and CPU time with resource.setrlimit;
the parent waits a bounded time, then kills it. Whatever goes wrong in the child comes back as
one `Unparsed` error with a message for the user, never a traceback.

This bounds resources; it is not a sandbox. The child runs as the same user, and its result is
handed back with pickle: a reader library exploited to run code is beyond what it can stop.
"""

from __future__ import annotations

import multiprocessing
import resource
import signal
from dataclasses import dataclass

MB = 1024 * 1024


@dataclass(frozen=True)
class Limits:
    """What one reading may take: its address space, CPU time, and time on the clock (which
    also covers the child's start, about a second on a busy machine)."""

    memory: int = 1024 * MB
    cpu_seconds: int = 60
    wall_seconds: int = 120


# Read at each call, so that a test can make them small.
LIMITS = Limits()


class Unparsed(Exception):
    """The file could not be read; the message says why, for the user. A reader raises it for
    what it refuses (a size over a limit), and the runner for what stopped the child."""


def run_limited(function, *args, limits: Limits | None = None):
    """`function(*args)` in a limited child process, and its result. `function` must be
    importable by name (a module-level function), its arguments and result picklable.
    Raises Unparsed when the child fails, runs out of memory or time, or dies."""
    limits = limits or LIMITS
    context = multiprocessing.get_context("spawn")
    receiver, sender = context.Pipe(duplex=False)
    child = context.Process(target=_child, args=(sender, limits, function, args), daemon=True)
    child.start()
    sender.close()  # the child holds the only sending end: its death reads as EOF here
    outcome = None
    try:
        if receiver.poll(limits.wall_seconds):
            try:
                outcome = receiver.recv()
            except (EOFError, OSError):
                outcome = None
        else:
            outcome = ("timeout",)
    finally:
        if child.is_alive():
            child.kill()
        child.join()
        receiver.close()
    if outcome is None:
        raise Unparsed(_death(child.exitcode, limits))
    if outcome[0] == "ok":
        return outcome[1]
    if outcome[0] == "timeout":
        raise Unparsed(f"reading it took more than {limits.wall_seconds} s; stopped")
    raise Unparsed(outcome[1])


def _death(code: int | None, limits: Limits) -> str:
    """Why the child ended without an answer, from its exit status."""
    if code in (-signal.SIGXCPU, -signal.SIGKILL):
        return f"reading it took more than {limits.cpu_seconds} s of processor time; stopped"
    # A C library that cannot allocate aborts (SIGABRT) or faults instead of raising.
    return (f"the reader stopped (exit status {code}): the file probably needs more than "
            f"{limits.memory // MB} MB of memory to read, or is damaged")


def _child(sender, limits: Limits, function, args) -> None:
    """In the child: set the limits first, then read, then send one answer."""
    resource.setrlimit(resource.RLIMIT_AS, (limits.memory, limits.memory))
    # The hard limit a second later: SIGXCPU first (a clear cause), SIGKILL if ignored.
    resource.setrlimit(resource.RLIMIT_CPU, (limits.cpu_seconds, limits.cpu_seconds + 1))
    try:
        answer = ("ok", function(*args))
    except Unparsed as error:
        answer = ("error", str(error))
    except MemoryError:
        answer = ("error", f"reading it needs more than {limits.memory // MB} MB of memory; "
                           "stopped")
    except RecursionError:
        answer = ("error", "it nests its parts too deeply to be read")
    except Exception as error:  # a damaged file: any reader error is a reason to report
        answer = ("error", f"it cannot be read ({type(error).__name__}: {error})")
    try:
        sender.send(answer)
    except MemoryError:
        sender.send(("error", f"what was read from it needs more than "
                              f"{limits.memory // MB} MB of memory; stopped"))
    finally:
        sender.close()
