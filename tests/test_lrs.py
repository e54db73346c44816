"""Statements reach a real learning record store: Ralph (ralph-malph, the dev extra) on loopback,
with its file backend; none is lost and none sent twice when the LRS goes down and comes back."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import pytest

from simulator.cli import main
from simulator.lrs import Lrs, send_queue
from simulator.store import Store
from tests.test_xapi import HOME, play

# only what the test itself uses: importing ralph.api here would start an LRS backend in pytest
for module in ("ralph.models.xapi", "ralph.backends.data.fs", "fastapi", "uvicorn"):
    pytest.importorskip(
        module, reason="Ralph (ralph-malph[lrs], in the dev extra) is not installed"
    )
bcrypt = pytest.importorskip("bcrypt", reason="Ralph's lrs extra (bcrypt) is not installed")

USER, PASSWORD = "tutor", "s3cret-for-tests"
# Ralph 5.1's file backend writes each request with operation "create", which refuses a file that
# already exists: the second statement would fail with 500. The LRS is started with "append".
LAUNCH = """
import sys, uvicorn
from ralph.backends.data.base import BaseOperationType
from ralph.backends.data.fs import FSDataBackend
FSDataBackend.default_operation_type = BaseOperationType.APPEND
from ralph.api import app
uvicorn.run(app, host="127.0.0.1", port=int(sys.argv[1]), log_level="warning")
"""


class Ralph:
    """A Ralph LRS this test starts on a loopback port, stopped and started again at will."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            self.port = s.getsockname()[1]
        (folder / "data").mkdir()
        hashed = bcrypt.hashpw(PASSWORD.encode(), bcrypt.gensalt()).decode()
        (folder / "auth.json").write_text(
            json.dumps(
                [
                    {
                        "agent": {"mbox": "mailto:tutor@example.ac.uk"},
                        "scopes": ["all"],
                        "username": USER,
                        "hash": hashed,
                    }
                ]
            )
        )
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/xAPI"

    def start(self) -> None:
        env = dict(
            os.environ,
            RALPH_RUNSERVER_BACKEND="fs",
            RALPH_AUTH_FILE=str(self.folder / "auth.json"),
            RALPH_BACKENDS__DATA__FS__DEFAULT_DIRECTORY_PATH=str(self.folder / "data"),
            RALPH_BACKENDS__LRS__FS__DEFAULT_DIRECTORY_PATH=str(self.folder / "data"),
            RALPH_APP_DIR=str(self.folder / "app"),
        )
        self.process = subprocess.Popen(
            [sys.executable, "-c", LAUNCH, str(self.port)], cwd=self.folder / "data", env=env
        )
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            assert self.process.poll() is None, "Ralph stopped while starting"
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=0.2).close()
                return
            except OSError:
                time.sleep(0.1)
        raise AssertionError("Ralph did not start within 30 s")

    def stop(self) -> None:
        if self.process is not None:
            self.process.terminate()
            self.process.wait(timeout=10)
            self.process = None

    def stored(self) -> list[dict[str, object]]:
        """Every statement Ralph holds, read from its file backend (one line each)."""
        lines: list[dict[str, object]] = []
        for path in sorted((self.folder / "data").rglob("*.jsonl")):
            lines += [json.loads(line) for line in path.read_text().splitlines() if line.strip()]
        return lines


@pytest.fixture
def ralph(tmp_path: Path) -> Iterator[Ralph]:
    folder = tmp_path / "ralph"
    folder.mkdir()
    lrs = Ralph(folder)
    lrs.start()
    try:
        yield lrs
    finally:
        lrs.stop()


def _send(db: Path, lrs: Ralph) -> int:
    return main(
        ["lrs", "send", "--lrs", lrs.url, "--lrs-user", USER, "--lrs-password", PASSWORD,
         "--store", str(db)]
    )  # fmt: skip


def _queue(db: Path, sid: int) -> None:
    assert main(["lrs", "queue", str(sid), "--home-page", HOME, "--store", str(db)]) == 0


def test_a_played_session_arrives_and_validates_against_ralphs_models(
    tmp_path: Path, ralph: Ralph, capsys: pytest.CaptureFixture[str]
) -> None:
    from ralph.models.xapi.base.statements import BaseXapiStatement

    db = tmp_path / "s.db"
    sid = play(db)
    _queue(db, sid)
    capsys.readouterr()
    assert _send(db, ralph) == 0
    assert capsys.readouterr().out.strip() == "25 sent, 0 still waiting"
    stored = ralph.stored()
    with Store.open(db) as store:
        queued = [
            json.loads(r[0])
            for r in store.db.execute("SELECT statement FROM xapi_queue ORDER BY id")
        ]
    assert sorted(s["id"] for s in stored) == sorted(q["id"] for q in queued)
    for statement in stored:
        BaseXapiStatement(**statement)  # raises if the LRS holds anything not valid xAPI
    verbs = [str(s["verb"]["id"]).rsplit("/", 1)[1] for s in stored]  # type: ignore[index]
    assert Counter(verbs) == {"initialized": 1, "answered": 22, "completed": 1, "terminated": 1}
    assert main(["lrs", "status", "--json", "--store", str(db)]) == 0
    status = json.loads(capsys.readouterr().out)
    assert (status["sent"], status["waiting"], status["oldest_waiting"]) == (25, 0, None)


def test_a_wrong_password_is_refused_and_the_statements_wait(
    tmp_path: Path, ralph: Ralph, capsys: pytest.CaptureFixture[str]
) -> None:
    db = tmp_path / "s.db"
    _queue(db, play(db))
    capsys.readouterr()
    args = ["lrs", "send", "--lrs", ralph.url, "--lrs-user", USER, "--lrs-password", "wrong"]
    assert main([*args, "--store", str(db)]) == 1
    err = capsys.readouterr().err
    assert "refused it: 401" in err
    assert ralph.stored() == []
    assert _send(db, ralph) == 0
    assert len(ralph.stored()) == 25


def test_the_lrs_down_mid_way_every_statement_arrives_once(
    tmp_path: Path, ralph: Ralph, capsys: pytest.CaptureFixture[str]
) -> None:
    db = tmp_path / "s.db"
    first = play(db)
    _queue(db, first)
    with Store.open(db) as store:  # some go, then the LRS goes down
        report = send_queue(store, Lrs(ralph.url, USER, PASSWORD), limit=10)
        assert (report.sent, report.waiting) == (10, 15)
    ralph.stop()
    second = play(db, learner="Ben Osei", ref="B456")
    _queue(db, second)
    capsys.readouterr()
    assert _send(db, ralph) == 1
    captured = capsys.readouterr()
    assert "0 sent, 40 still waiting" in captured.out
    assert "cannot reach the LRS" in captured.err
    assert main(["lrs", "status", "--json", "--store", str(db)]) == 0
    status = json.loads(capsys.readouterr().out)
    assert (status["sent"], status["waiting"]) == (10, 40)
    assert status["failed"] >= 1 and "cannot reach the LRS" in status["last_error"]
    # a send that reached the LRS but whose "sent" mark was lost (a crash) goes again: once held
    with Store.open(db) as store, store.transaction() as tx:
        tx.execute("UPDATE xapi_queue SET sent = NULL WHERE id = 1")
    ralph.start()
    assert _send(db, ralph) == 0
    ids = Counter(str(s["id"]) for s in ralph.stored())
    with Store.open(db) as store:
        queued = [r[0] for r in store.db.execute("SELECT statement_id FROM xapi_queue")]
    assert len(queued) == 50
    assert ids == Counter(queued)  # every statement, exactly once
    assert _send(db, ralph) == 0
    assert len(ralph.stored()) == 50
