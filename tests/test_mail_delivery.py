"""Sending exactly once, as far as SMTP allows: real processes, kill -9, a full disk at the log.

Each test runs a real SMTP conversation with a local aiosmtpd server; the concurrency and crash
tests run `carta mail --send` as real processes and kill them by PID.
"""

from __future__ import annotations

import errno
import json
import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import REPO, SEED_ID
from smtp_server import LIMIT, LocalSmtp, Recorder, wait_until
from test_mail import LOG, mail
from test_recipients import merged_seed

ADDRESSES = ["comite-directivo@example.org", "inai@example.org", "sfp@example.org"]


def start(root: Path, port: int, *args: str) -> subprocess.Popen:
    """`carta mail --send` as a process of its own (this checkout's code, not an installed one)."""
    env = {**os.environ, "CARTA_SMTP_HOST": "127.0.0.1", "CARTA_SMTP_PORT": str(port),
           "CARTA_SMTP_STARTTLS": "0", "PYTHONPATH": str(REPO)}
    env.pop("CARTA_SMTP_USER", None)
    return subprocess.Popen(
        [sys.executable, "-m", "generator", "--project", str(root), "mail", SEED_ID, "--send",
         *args], cwd=root, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def stop(runs: list[subprocess.Popen]) -> None:
    """Kill (by PID) whatever a failed test left running."""
    for run in runs:
        if run.poll() is None:
            os.kill(run.pid, signal.SIGKILL)
            run.wait(timeout=LIMIT)


def test_two_concurrent_sends_deliver_each_message_once(seed_copy):
    merged_seed(seed_copy)
    # Build the PDFs first, so that both runs reach the sending step at about the same time.
    assert mail(seed_copy, None).exit_code == 0
    # The server keeps the first message and holds its reply: whichever run got there first
    # is mid-conversation, holding the project lock, while the other one tries to send.
    with LocalSmtp(Recorder(stall_at={1})) as server:
        runs = [start(seed_copy, server.port), start(seed_copy, server.port)]
        try:
            wait_until(lambda: any(run.poll() is not None for run in runs), what="a run to end")
            server.handler.release.set()
            outputs = {run.pid: run.communicate(timeout=LIMIT) for run in runs}
        finally:
            stop(runs)
    loser = next(run for run in runs if run.returncode != 0)
    winner = next(run for run in runs if run is not loser)
    assert winner.returncode == 0, outputs[winner.pid]
    assert loser.returncode == 1
    loser_says = outputs[loser.pid][1]
    # Refused at the lock, while building or while sending, naming the run that holds it.
    assert f"(process {winner.pid}) is working on this project" in loser_says
    assert "Traceback" not in loser_says
    assert server.handler.copies() == {address: 1 for address in ADDRESSES}

    with LocalSmtp(Recorder()) as server:
        again = mail(seed_copy, server.port, "--send")
    assert again.exit_code == 0, again.output
    assert server.handler.messages == []


def test_a_run_killed_after_the_server_stored_a_message_does_not_send_it_again(seed_copy):
    merged_seed(seed_copy)
    with LocalSmtp(Recorder(stall_at={1})) as server:
        run = start(seed_copy, server.port)
        try:
            wait_until(lambda: server.handler.messages or run.poll() is not None,
                       what="the first message")
            assert run.poll() is None, run.communicate()
            # Stored by the server, no reply yet: the worst moment to die.
            os.kill(run.pid, signal.SIGKILL)
            run.wait(timeout=LIMIT)
        finally:
            stop([run])
    assert run.returncode == -signal.SIGKILL
    stored = server.handler.messages
    assert [m["To"] for m in stored] == ["comite-directivo@example.org"]

    # The kernel released the lock with the process; the rerun sends the rest, not that one.
    with LocalSmtp(Recorder()) as server:
        rerun = mail(seed_copy, server.port, "--send")
    assert rerun.exit_code == 1
    assert [m["To"] for m in server.handler.messages] == ["inai@example.org", "sfp@example.org"]
    assert f"unknown {SEED_ID}.ogp-steering-committee: handed to the server on" in rerun.output
    assert f"with Message-ID {stored[0]['Message-ID']}" in rerun.output
    assert "run again with --resend-unknown" in rerun.output
    assert "sent 2, skipped 0 already delivered, unknown 1, failed 0" in rerun.output

    with LocalSmtp(Recorder()) as server:
        resend = mail(seed_copy, server.port, "--send", "--resend-unknown")
    assert resend.exit_code == 0, resend.output
    assert [m["Message-ID"] for m in server.handler.messages] == [stored[0]["Message-ID"]]


def fail_log_write(monkeypatch, number: int, short: bool = False) -> None:
    """Make the `number`th write to the delivery log fail as on a full disk: raise ENOSPC, or
    (`short`) write only half the line, as a disk that fills up midway does."""
    real_write = os.write
    count = 0

    def write(descriptor: int, data: bytes) -> int:
        nonlocal count
        if os.readlink(f"/proc/self/fd/{descriptor}").endswith("delivery-log.jsonl"):
            count += 1
            if count == number:
                if short:
                    return real_write(descriptor, data[:len(data) // 2])
                raise OSError(errno.ENOSPC, "No space left on device")
        return real_write(descriptor, data)

    monkeypatch.setattr(os, "write", write)


def test_a_full_disk_after_the_server_accepted_stops_and_nothing_is_sent_twice(
        seed_copy, monkeypatch):
    merged_seed(seed_copy)
    fail_log_write(monkeypatch, 2)  # 1: the first intent; 2: its result, after the 250
    with LocalSmtp(Recorder()) as server:
        result = mail(seed_copy, server.port, "--send")
    monkeypatch.undo()
    assert result.exit_code == 1
    assert "stopped: the delivery log could not be written" in result.output
    assert "no space left on the disk" in result.output
    assert f"Sent in this run: {SEED_ID}.ogp-steering-committee." in result.output
    assert (f"The server accepted {SEED_ID}.ogp-steering-committee, but the log could not "
            "record it: the next run shows it as unknown" in result.output)
    assert f"Not sent yet: {SEED_ID}.inai, {SEED_ID}.sfp." in result.output
    assert len(server.handler.messages) == 1  # stopped before the next message

    for _ in range(2):  # retrying, again and again, never sends the first message twice
        with LocalSmtp(Recorder()) as server:
            rerun = mail(seed_copy, server.port, "--send")
        assert f"unknown {SEED_ID}.ogp-steering-committee" in rerun.output
        assert "comite-directivo@example.org" not in server.handler.copies()
    assert rerun.exit_code == 1


def test_a_half_written_intent_stops_before_the_message_and_the_log_stays_readable(
        seed_copy, monkeypatch):
    merged_seed(seed_copy)
    fail_log_write(monkeypatch, 3, short=True)  # 3: the second message's intent
    with LocalSmtp(Recorder()) as server:
        result = mail(seed_copy, server.port, "--send")
    monkeypatch.undo()
    assert result.exit_code == 1
    assert f"{SEED_ID}.inai was not sent" in result.output
    assert f"Not sent yet: {SEED_ID}.sfp." in result.output
    assert [m["To"] for m in server.handler.messages] == ["comite-directivo@example.org"]

    with LocalSmtp(Recorder()) as server:
        rerun = mail(seed_copy, server.port, "--send")
    assert rerun.exit_code == 0, rerun.output
    assert server.handler.copies() == {"inai@example.org": 1, "sfp@example.org": 1}
    # The cut line is the only unreadable one: the next record began on a line of its own.
    lines = (seed_copy / LOG).read_text().split("\n")
    unreadable = []
    for line in filter(None, lines):
        try:
            json.loads(line)
        except ValueError:
            unreadable.append(line)
    assert len(unreadable) == 1 and unreadable[0].startswith('{"event": "intent"')


@pytest.mark.parametrize("target", ["log", "folder"])
def test_the_log_and_the_mail_folder_are_never_followed_through_a_link(seed_copy, tmp_path,
                                                                        target):
    merged_seed(seed_copy)
    startup = tmp_path / "bashrc"
    startup.write_text("# a shell startup file\n")
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (seed_copy / "output").mkdir()
    if target == "log":
        (seed_copy / "output/mail").mkdir()
        (seed_copy / LOG).symlink_to(startup)
    else:
        (seed_copy / "output/mail").symlink_to(elsewhere)
    with LocalSmtp(Recorder()) as server:
        result = mail(seed_copy, server.port, "--send")
    assert result.exit_code == 1
    assert "symbolic link" in result.output
    assert "Traceback" not in result.output
    assert server.handler.messages == []
    assert startup.read_text() == "# a shell startup file\n"
    assert list(elsewhere.iterdir()) == []
