"""A real SMTP server on 127.0.0.1 for the tests (aiosmtpd), which can refuse, drop or stall."""

from __future__ import annotations

import asyncio
import socket
import threading
import time
from email import message_from_bytes, policy

from aiosmtpd.controller import Controller

# No test waits longer than this for anything: a stalled server lets go by itself.
LIMIT = 60.0


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def wait_until(condition, seconds: float = LIMIT, what: str = "the condition") -> None:
    """Poll `condition` until it holds; fail the test after `seconds`."""
    deadline = time.monotonic() + seconds
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"waited {seconds:.0f} s for {what}")
        time.sleep(0.05)


class Recorder:
    """Keeps every message received, with its envelope.

    The numbers are those of DATA commands, from 1: `refuse` answers 550; `drop_at` closes the
    connection once the message is received, without a reply and without keeping it; `stall_at`
    keeps the message, then gives no reply until `release` is set (or LIMIT passes), as a
    server does that has stored a message and hangs before saying so."""

    def __init__(self, refuse: set[int] = frozenset(), drop_at: int | None = None,
                 stall_at: set[int] = frozenset()):
        self.messages = []
        self.envelopes: list[tuple[str, list[str]]] = []  # (MAIL FROM, RCPT TO...)
        self.refuse = set(refuse)
        self.drop_at = drop_at
        self.stall_at = set(stall_at)
        self.release = threading.Event()
        self.attempts = 0

    async def handle_DATA(self, server, session, envelope):
        self.attempts += 1
        number = self.attempts
        if number in self.refuse:
            return "550 refused for the test"
        if number == self.drop_at:
            server.transport.close()
            return "421 closing"
        self.envelopes.append((envelope.mail_from, list(envelope.rcpt_tos)))
        self.messages.append(message_from_bytes(envelope.content, policy=policy.default))
        if number in self.stall_at:
            deadline = time.monotonic() + LIMIT
            while not self.release.is_set() and time.monotonic() < deadline:
                await asyncio.sleep(0.05)
        return "250 OK"

    def copies(self) -> dict[str, int]:
        """How many messages each address received (To and Cc, from the envelope)."""
        counts: dict[str, int] = {}
        for _, recipients in self.envelopes:
            for address in recipients:
                counts[address] = counts.get(address, 0) + 1
        return counts


class LocalSmtp:
    def __init__(self, handler: Recorder):
        self.handler = handler
        self.port = free_port()
        self.controller = Controller(handler, hostname="127.0.0.1", port=self.port)

    def __enter__(self):
        self.controller.start()
        return self

    def __exit__(self, *exc):
        self.handler.release.set()  # a stalled conversation must not hold up the stop
        self.controller.stop()
