"""The app in a real terminal (a pseudo-terminal), closed under it as a window or an SSH session is.

Performance review finding 9: a `roleplay` whose terminal closed lived on, its input thread
reading the ended input again and again at most of a core, for hours. Now it ends as on Ctrl+Q.
These tests start the real command in a pseudo-terminal and close it; "gone" is checked with a
generous bound that only guards against a hang (the time it takes is in docs/performance.md).
"""

from __future__ import annotations

import os
import re
import select
import signal
import sys
import time
from pathlib import Path

import pytest

from simulator.store import Store

pty = pytest.importorskip("pty", reason="needs POSIX pseudo-terminals")

ROLEPLAY = Path(sys.executable).with_name("roleplay")
HANG_GUARD_S = 20.0
"""Far longer than the app needs (well under a second): only a hang reaches it."""
CODES = re.compile(rb"\x1b\[[0-9;?<>=]*[a-zA-Z~]")


def start(store: Path, ignore_hangup: bool = False) -> tuple[int, int]:
    """`roleplay play` in a new pseudo-terminal; return its pid and the terminal's fd."""
    pid, fd = pty.fork()
    if pid == 0:  # the child: becomes roleplay
        try:
            if ignore_hangup:  # as `nohup roleplay` would
                signal.signal(signal.SIGHUP, signal.SIG_IGN)
            os.environ.update(ROLEPLAY_STORE=str(store), TERM="xterm-256color")
            os.execv(str(ROLEPLAY), [str(ROLEPLAY), "play"])
        finally:
            os._exit(127)
    return pid, fd


def read_until(fd: int, text: str) -> bytes:
    """What the app drew, up to a screen that shows ``text``."""
    seen = b""
    end = time.monotonic() + HANG_GUARD_S
    while time.monotonic() < end:
        ready, _, _ = select.select([fd], [], [], 0.2)
        if ready:
            try:
                seen += os.read(fd, 65536)
            except OSError:
                break
            if text.encode() in CODES.sub(b"", seen):
                return seen
    raise AssertionError(f"never showed {text!r}: {CODES.sub(b'', seen)[-400:]!r}")


def wait_gone(pid: int) -> int:
    """The exit status once the process has ended; fails (and kills it) if it never does."""
    end = time.monotonic() + HANG_GUARD_S
    while time.monotonic() < end:
        done, status = os.waitpid(pid, os.WNOHANG)
        if done:
            return os.waitstatus_to_exitcode(status)
        time.sleep(0.05)
    os.kill(pid, signal.SIGKILL)
    os.waitpid(pid, 0)
    raise AssertionError("the app was still running long after its terminal closed")


def signed_in(store: Path, ignore_hangup: bool = False) -> tuple[int, int]:
    pid, fd = start(store, ignore_hangup)
    read_until(fd, "Who is playing")
    os.write(fd, b"Amy Khan\r")
    read_until(fd, "My sessions")  # the scenario list
    return pid, fd


@pytest.mark.skipif(not ROLEPLAY.exists(), reason="the roleplay command is not installed")
@pytest.mark.parametrize("ignore_hangup", [False, True], ids=["hang-up", "hang-up ignored"])
def test_closing_the_terminal_ends_the_app_and_keeps_the_store(
    tmp_path: Path, ignore_hangup: bool
) -> None:
    store = tmp_path / "s.sqlite3"
    pid, fd = signed_in(store, ignore_hangup)
    os.close(fd)  # the window closes
    assert wait_gone(pid) == 128 + signal.SIGHUP
    assert not Path(f"{store}-wal").exists()  # closed as on Ctrl+Q, not killed mid-write
    with Store.open(store) as opened:
        assert opened.integrity_ok()
        assert [learner.name for learner in opened.learners()] == ["Amy Khan"]


@pytest.mark.skipif(not ROLEPLAY.exists(), reason="the roleplay command is not installed")
def test_sigterm_ends_the_app_as_ctrl_q_does_and_gives_the_terminal_back(tmp_path: Path) -> None:
    pid, fd = signed_in(tmp_path / "s.sqlite3")
    os.kill(pid, signal.SIGTERM)
    rest = b""
    end = time.monotonic() + HANG_GUARD_S
    while time.monotonic() < end:
        ready, _, _ = select.select([fd], [], [], 0.2)
        if ready:
            try:
                rest += os.read(fd, 65536)
            except OSError:  # the app has ended, and the terminal's other end with it
                break
    os.close(fd)
    assert wait_gone(pid) == 128 + signal.SIGTERM
    assert b"\x1b[?1049l" in rest  # the alternate screen left: the terminal is as it was
