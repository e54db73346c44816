"""Kill a writer process mid-session many times: the store stays sound and the session resumes.

A writer process opens the store, starts a session on the bundled faulty-kettle scenario (or
resumes it by replaying its committed choices), and records turn after turn as fast as it can,
printing each committed turn's number. The test reads those lines, kills the writer with SIGKILL
at a seeded-random moment (so the kill often lands inside a transaction), and checks the file.
The session is resumed by the next writer, so every kill also tests resuming after the last one.
"""

from __future__ import annotations

import random
import signal
import sqlite3
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from simulator.catalog import open_scenario
from simulator.engine import replay
from simulator.store import Store

# A route to the jargon loop, which can be repeated for ever: a session as long as we like.
ROUTE = [
    "sorry-tell-me",
    "probe-fault",
    "safety-advice",
    "ask-date-proof",
    "bank-statement-ok",
    "repeat-back",
    "go-to-manager",
    "brief-clearly",
    "recommend-refund-discount",
    "jargon-policy",
]
LOOP = "repeat-jargon"
KILLS = 36
MOST_TURNS_BEFORE_KILL = 25

WRITER = """
import sys
from pathlib import Path
from simulator.catalog import open_scenario
from simulator.engine import Session, replay
from simulator.store import Store

path, route, loop = Path(sys.argv[1]), sys.argv[2].split(","), sys.argv[3]
scenario = open_scenario("faulty-kettle").scenario
store = Store.open(path)
found = store.sessions(learner="Crash Test")
if found:
    record = store.session(found[0].id)
    session = replay(scenario, record.choices)
    if record.turns and record.turns[-1].variables != session.variables:
        sys.exit("resumed variables differ from the last committed turn")
    sid = record.id
else:
    sid = store.start_session(store.learner("Crash Test", "CT-1", "G1"), scenario, "practice")
    session = Session.start(scenario)
print("session", sid, len(session.steps), flush=True)
while True:
    taken = len(session.steps)
    session.choose(route[taken] if taken < len(route) else loop)
    store.record_steps(sid, session, session.steps[taken:], 1000 + taken)
    if taken % 7 == 3:
        store.add_note(sid, f"note after turn {taken + 1}")
    print(session.steps[-1].turn, flush=True)
"""


@contextmanager
def writer(path: Path) -> Iterator[subprocess.Popen[str]]:
    """Start a writer; whatever happens, it is gone and its pipes are closed afterwards."""
    proc = subprocess.Popen(
        [sys.executable, "-c", WRITER, str(path), ",".join(ROUTE), LOOP],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        cwd=Path(__file__).parent.parent,
    )
    try:
        yield proc
    finally:
        if proc.poll() is None:
            proc.kill()
        proc.wait(timeout=30)
        for pipe in (proc.stdout, proc.stderr):
            if pipe is not None:
                pipe.close()


def kill(proc: subprocess.Popen[str]) -> str:
    """SIGKILL the writer at once (no clean shutdown); return what it printed but was not read."""
    proc.send_signal(signal.SIGKILL)
    assert proc.stdout is not None
    rest = proc.stdout.read()  # through the buffer read_line uses, so no line is skipped
    assert proc.wait(timeout=30) == -signal.SIGKILL, "the writer was not killed"
    return rest


def read_line(proc: subprocess.Popen[str]) -> str:
    assert proc.stdout is not None
    line = proc.stdout.readline()
    if not line:  # the writer died by itself: show why
        assert proc.stderr is not None
        pytest.fail(f"the writer exited early ({proc.wait()}): {proc.stderr.read()}")
    return line.strip()


def check(path: Path, last_printed: int) -> int:
    """Check the file after a kill; return the number of turns stored."""
    raw = sqlite3.connect(path)  # a plain connection first: recovery from the WAL, then the check
    try:
        assert raw.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        assert raw.execute("PRAGMA foreign_key_check").fetchall() == []
    finally:
        raw.close()
    with Store.open(path) as store:
        (summary,) = store.sessions(learner="Crash Test")
        record = store.session(summary.id)
    assert record is not None
    seqs = [t.seq for t in record.turns]
    stored = len(seqs)
    assert seqs == list(range(1, stored + 1)), "the stored turns are not a contiguous 1..m prefix"
    # Every printed turn was committed; at most the one in flight was committed but not printed.
    assert last_printed <= stored <= last_printed + 1
    scenario = open_scenario("faulty-kettle").scenario
    resumed = replay(scenario, record.choices)
    assert len(resumed.steps) == stored
    assert [s.option for s in resumed.steps] == [t.option for t in record.turns]
    if record.turns:
        assert resumed.variables == record.turns[-1].variables
        assert [s.variables_after for s in resumed.steps] == [t.variables for t in record.turns]
    return stored


@pytest.mark.skipif(sys.platform == "win32", reason="SIGKILL is POSIX")
def test_killing_the_writer_mid_session_never_loses_a_committed_turn(tmp_path: Path) -> None:
    path = tmp_path / "crash.db"
    rng = random.Random(20240611)
    stored = 0
    for _ in range(KILLS):
        with writer(path) as proc:
            header = read_line(proc).split()
            assert header[0] == "session"
            assert int(header[2]) == stored, "the writer did not resume from the last turn stored"
            printed = stored
            for _ in range(rng.randint(1, MOST_TURNS_BEFORE_KILL)):
                printed = int(read_line(proc))
            for line in kill(proc).split():  # lines printed before it died
                printed = int(line)
        stored = check(path, printed)
    assert stored >= KILLS  # the session grew across every kill


@pytest.mark.skipif(sys.platform == "win32", reason="SIGKILL is POSIX")
def test_a_writer_killed_before_its_first_turn_leaves_a_sound_file(tmp_path: Path) -> None:
    path = tmp_path / "crash.db"
    with writer(path) as proc:
        assert read_line(proc).startswith("session")
        kill(proc)
    raw = sqlite3.connect(path)
    try:
        assert raw.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    finally:
        raw.close()
    with Store.open(path) as store:
        assert store.integrity_ok()
        assert len(store.sessions(learner="Crash Test")) == 1
