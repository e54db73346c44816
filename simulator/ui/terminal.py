"""Noticing that the app's terminal has gone: a closed window, a dropped SSH or tmux session.

Without this a `roleplay` whose terminal closes lives on: Textual's input thread finds its input
at an end and reads it again and again, at most of a core, for hours (the performance review's
finding 9). The app instead ends as it does on Ctrl+Q when it is sent SIGHUP or SIGTERM, or when
its terminal hangs up even though SIGHUP never came (a process started with ``nohup``, or an SSH
session that died without one). Every turn is already committed when it is played, so nothing
of a learner's session is lost; it can be continued from the scenario list next time.
"""

from __future__ import annotations

import asyncio
import os
import select
import signal
import sys
import threading
from collections.abc import Callable

GONE = select.POLLHUP | select.POLLERR | select.POLLNVAL
"""What poll() says of a terminal (or pipe) whose other end has closed."""
POLL_MS = 200
"""How often the watch looks, in milliseconds: it sleeps in poll() in between, using no CPU."""
DEADLINE_S = 1.0
"""If the app has not ended this long after its terminal went, the process ends regardless."""
EXIT_HUNG_UP = 128 + signal.SIGHUP
"""The exit status when the terminal went away (as a shell reports a hang-up); 128 + SIGTERM
when the app was told to end."""


def terminal_fds() -> list[int]:
    """The file descriptors of the terminal the app reads and draws on."""
    fds = []
    for stream in (sys.__stdin__, sys.__stdout__):
        try:
            if stream is not None and os.isatty(stream.fileno()):
                fds.append(stream.fileno())
        except (OSError, ValueError):  # closed, or not a real file
            continue
    return sorted(set(fds))


def watch(loop: asyncio.AbstractEventLoop, gone: Callable[[int], None]) -> threading.Event:
    """Call ``gone`` in ``loop`` (once, with the exit status to end with) when the terminal goes
    away or the app is told to end; return an event that stops the watch when set.

    SIGHUP and SIGTERM are handled in the loop itself; a thread sleeps in poll() on the
    terminal for the hang-up that comes without a signal.
    """
    stop = threading.Event()
    called = threading.Event()

    def once(status: int) -> None:
        if not called.is_set():
            called.set()
            gone(status)

    for number in (signal.SIGHUP, signal.SIGTERM):
        loop.add_signal_handler(number, once, 128 + number)
    fds = terminal_fds()
    if fds:
        poller = select.poll()
        for fd in fds:
            poller.register(fd, 0)  # no events asked for: poll() still reports a hang-up

        def look() -> None:
            while not stop.is_set():
                try:
                    events = poller.poll(POLL_MS)
                except OSError:
                    return
                if any(mask & GONE for _, mask in events):
                    if not stop.is_set():
                        loop.call_soon_threadsafe(once, EXIT_HUNG_UP)
                    return

        threading.Thread(target=look, name="terminal-watch", daemon=True).start()
    return stop


def end_regardless(status: int = EXIT_HUNG_UP, after: float | None = None) -> None:
    """End the process ``after`` seconds (`DEADLINE_S`) from now if it is still running."""
    after = DEADLINE_S if after is None else after

    def end() -> None:
        os._exit(status)

    timer = threading.Timer(after, end)
    timer.daemon = True
    timer.start()


def silence(driver: object) -> None:
    """Send what is left to draw to nowhere: the terminal is gone.

    Textual writes to the terminal from a thread of its own, which ends at the first write that
    fails; the app's shutdown then waits for ever for room in that thread's queue (its last
    frame and the codes that restore the terminal). A fresh writer to the null device takes
    them instead. Best effort, on Textual's private attributes: if they change, the app still
    ends through `end_regardless`.
    """
    try:
        from textual.drivers._writer_thread import WriterThread

        old = getattr(driver, "_writer_thread", None)
        if old is None:
            return
        writer = WriterThread(open(os.devnull, "w"))  # noqa: SIM115 - lives as long as the process
        writer.start()
        driver._writer_thread = writer  # type: ignore[attr-defined]
        while True:  # what the old writer never wrote
            try:
                old._queue.get_nowait()
            except Exception:
                break
    except Exception:  # Textual changed: the deadline still ends the process
        return
