"""The xAPI statements of a stored session: their order, shapes and actor, and the queue commands."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from simulator.cli import main
from simulator.lrs import queue_session, queue_status
from simulator.store import Store
from simulator.xapi import (
    EXT_BEHAVIOURS,
    EXT_CRITERIA,
    EXT_OUTCOME,
    XapiConfig,
    XapiConfigError,
    statements_for,
)

HOME = "https://college.example.ac.uk"
ROUTE = (
    "sorry-tell-me,probe-fault,look-at-kettle,ask-damage,safety-advice,ask-date-proof,"
    "bank-statement-ok,take-notes,repeat-back,go-to-manager,brief-clearly,list-options,"
    "recommend-refund-discount,policy-and-reasons,offer-three,recommend-clearview,"
    "justify-balance,check-understanding,correct-timing,fill-returns-form,check-with-returns,"
    "call-customer"
)


def play(store: Path, choose: str = ROUTE, learner: str = "Amy Khan", ref: str = "A123") -> int:
    """Play faulty-kettle headless with --save, as a learner would be recorded; the session id."""
    before = _ids(store)
    assert (
        main(
            [
                "run",
                "faulty-kettle",
                "--rubric",
                "ocr-l2-unit7",
                "--choose",
                choose,
                "--learner",
                learner,
                "--learner-id",
                ref,
                "--group",
                "G1",
                "--save",
                "--store",
                str(store),
            ]
        )
        == 0
    )
    (new,) = _ids(store) - before
    return new


def _ids(path: Path) -> set[int]:
    if not path.exists():
        return set()
    with Store.open(path) as store:
        return {r.id for r in store.sessions()}


def test_a_finished_session_is_initialized_answers_completed_terminated(tmp_path: Path) -> None:
    db = tmp_path / "s.db"
    sid = play(db)
    with Store.open(db) as store:
        record = store.session(sid)
        assert record is not None
        statements = statements_for(record, XapiConfig(HOME))
    verbs = [s["verb"]["id"].rsplit("/", 1)[1] for s in statements]
    assert verbs == ["initialized"] + ["answered"] * len(record.turns) + ["completed", "terminated"]
    first = statements[1]
    assert first["object"]["id"] == f"{HOME}/roleplay/scenarios/faulty-kettle/nodes/opening"
    assert first["object"]["definition"]["interactionType"] == "choice"
    assert first["result"]["response"] == "sorry-tell-me"
    assert "empathy" in first["result"]["extensions"][EXT_BEHAVIOURS]
    completed = statements[-2]["result"]
    assert completed["completion"] is True
    assert "success" not in completed
    assert completed["extensions"][EXT_OUTCOME] == "resolved"
    criteria = completed["extensions"][EXT_CRITERIA]
    assert criteria["P2"]["status"] == "achieved"
    assert criteria["P2"]["evidence"][0] == {
        "turn": 1, "node": "opening", "option": "sorry-tell-me", "behaviour": "open_question",
    }  # fmt: skip
    # one session, one registration; the statement ids are all different
    assert len({s["context"]["registration"] for s in statements}) == 1
    assert len({s["id"] for s in statements}) == len(statements)


def test_the_actor_is_an_account_never_a_name_unless_asked(tmp_path: Path) -> None:
    db = tmp_path / "s.db"
    sid = play(db)
    with Store.open(db) as store:
        record = store.session(sid)
        assert record is not None
        plain = statements_for(record, XapiConfig(HOME))
        named = statements_for(record, XapiConfig(HOME, actor_name=True))
    assert plain[0]["actor"] == {
        "objectType": "Agent", "account": {"homePage": HOME, "name": "A123"},
    }  # fmt: skip
    assert "Amy Khan" not in json.dumps(plain)
    assert named[0]["actor"]["name"] == "Amy Khan"


def test_an_unfinished_session_has_no_completed_yet(tmp_path: Path) -> None:
    db = tmp_path / "s.db"
    sid = play(db, "sorry-tell-me,probe-fault")
    with Store.open(db) as store:
        record = store.session(sid)
        assert record is not None
        verbs = [s["verb"]["display"]["en-US"] for s in statements_for(record, XapiConfig(HOME))]
    assert verbs == ["initialized", "answered", "answered"]


def test_the_college_url_must_be_absolute() -> None:
    with pytest.raises(XapiConfigError):
        XapiConfig("college.example.ac.uk")


def test_queueing_a_session_twice_adds_nothing(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db = tmp_path / "s.db"
    sid = play(db)
    capsys.readouterr()
    args = ["lrs", "queue", str(sid), "--home-page", HOME, "--store", str(db)]
    assert main(args) == 0
    assert capsys.readouterr().out.startswith("25 statements queued from 1 session")
    assert main(args) == 0
    assert capsys.readouterr().out.startswith("0 statements queued")
    group = ["lrs", "queue", "--group", "G1", "--home-page", HOME, "--store", str(db)]
    assert main(group) == 0
    assert capsys.readouterr().out.startswith("0 statements queued from 1 session")
    with Store.open(db) as store:
        assert queue_session(store, sid, XapiConfig(HOME)) == 0
        assert queue_status(store).queued == 25
    assert main(["lrs", "status", "--json", "--store", str(db)]) == 0
    status = json.loads(capsys.readouterr().out)
    assert status["queued"] == 25 and status["sent"] == 0 and status["failed"] == 0
    assert status["oldest_waiting"]


def test_lrs_commands_explain_what_is_missing(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("ROLEPLAY_LRS_HOME_PAGE", raising=False)
    monkeypatch.delenv("ROLEPLAY_LRS_URL", raising=False)
    db = tmp_path / "s.db"
    sid = play(db, "sorry-tell-me")
    capsys.readouterr()
    assert main(["lrs", "queue", str(sid), "--store", str(db)]) == 1
    assert "--home-page URL" in capsys.readouterr().err
    assert main(["lrs", "queue", str(sid), "--home-page", HOME, "--store", str(db)]) == 1
    assert "has not ended yet" in capsys.readouterr().err
    assert main(["lrs", "queue", "99", "--home-page", HOME, "--store", str(db)]) == 1
    assert "there is no session 99" in capsys.readouterr().err
    assert main(["lrs", "send", "--store", str(db)]) == 1
    assert "--lrs URL" in capsys.readouterr().err
    assert main(["lrs", "send", "--lrs", "ftp://x", "--store", str(db)]) == 1
    assert "http(s) URL" in capsys.readouterr().err
