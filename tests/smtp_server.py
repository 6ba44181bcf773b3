"""A real SMTP server on 127.0.0.1 for the tests (aiosmtpd), which can refuse on purpose."""

from __future__ import annotations

import socket
from email import message_from_bytes, policy

from aiosmtpd.controller import Controller


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class Recorder:
    """Keeps every message received; refuses the messages whose numbers are in `refuse`, or
    drops the connection at message `drop_at`."""

    def __init__(self, refuse: set[int] = frozenset(), drop_at: int | None = None):
        self.messages = []
        self.refuse = set(refuse)
        self.drop_at = drop_at
        self.attempts = 0

    async def handle_DATA(self, server, session, envelope):
        self.attempts += 1
        if self.attempts in self.refuse:
            return "550 refused for the test"
        if self.attempts == self.drop_at:
            server.transport.close()
            return "421 closing"
        self.messages.append(message_from_bytes(envelope.content, policy=policy.default))
        return "250 OK"


class LocalSmtp:
    def __init__(self, handler: Recorder):
        self.handler = handler
        self.port = free_port()
        self.controller = Controller(handler, hostname="127.0.0.1", port=self.port)

    def __enter__(self):
        self.controller.start()
        return self

    def __exit__(self, *exc):
        self.controller.stop()
