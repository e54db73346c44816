"""`roleplay import`: a class's sessions from several computers gathered into one store.

Each learner plays on their own computer (their own store); the tutor imports the stores, or
the learners' `roleplay export` files, and makes one class report.
"""

from __future__ import annotations

import hashlib
import io
import json
import sqlite3
import sys
from pathlib import Path
from typing import Any

import pytest

from simulator.catalog import open_scenario
from simulator.cli import main
from simulator.responses import LearnerResponses, PlanEntry, Review
from simulator.store import ENV_VAR, Store, StoreError

DISTINCTION = (
    "sorry-tell-me,probe-fault,safety-advice,ask-date-proof,bank-statement-ok,take-notes,"
    "repeat-back,go-to-manager,brief-clearly,list-options,recommend-refund-discount,"
    "policy-and-reasons,offer-three,recommend-clearview,justify-balance,check-understanding,"
    "correct-timing,fill-returns-form,"
    "check-with-returns,call-customer"
)
LOST = "ask-receipt-first,defend-shop,threaten-leave"


@pytest.fixture(autouse=True)
def no_terminal(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """No tty on stdin, and never the user's real store."""
    monkeypatch.setattr(sys, "stdin", io.StringIO(""))
    monkeypatch.setenv(ENV_VAR, str(tmp_path / "default" / "never.db"))


def run_cli(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


def play(
    capsys: pytest.CaptureFixture[str], store: Path, learner: str, choose: str, group: str
) -> int:
    """A session saved on one computer's store; returns its id there."""
    code, out, err = run_cli(
        capsys, "run", "faulty-kettle", "--choose", choose, "--rubric", "ocr-l2-unit7",
        "--save", "--learner", learner, "--group", group, "--store", str(store), "--json",
    )  # fmt: skip
    assert code == 0, err
    return int(json.loads(out)["session"])


@pytest.fixture
def computers(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> dict[str, Path]:
    """Two computers in a classroom: Amy on one (with a note, a review and a plan), Bo on the
    other."""
    pc1, pc2 = tmp_path / "pc1.sqlite3", tmp_path / "pc2.sqlite3"
    amy = play(capsys, pc1, "Amy Khan", DISTINCTION, "BTEC-1")
    play(capsys, pc2, "Bo Li", LOST, "BTEC-1")
    with Store.open(pc1) as store:
        store.add_note(amy, "kettle 12 days old")
        store.save_responses(
            amy,
            LearnerResponses(
                review=Review("calm", "slow", "angry", "options sooner"),
                learning_plan=(PlanEntry("router scenario", "P2", "2026-12-15"),),
            ),
        )
    return {"pc1": pc1, "pc2": pc2, "tutor": tmp_path / "tutor.sqlite3"}


def exported(store: Path, who: str) -> dict[str, Any]:
    with Store.open(store) as opened:
        return opened.export_learner(who)


def comparable(data: dict[str, Any]) -> list[dict[str, Any]]:
    """An export without what differs between stores: when and where, and the local ids."""
    learners = []
    for learner in data["learners"]:
        sessions = [{k: v for k, v in s.items() if k != "session"} for s in learner["sessions"]]
        learners.append(
            {**{k: v for k, v in learner.items() if k != "created"}, "sessions": sessions}
        )
    return learners


def test_a_class_report_gathers_two_computers(
    capsys: pytest.CaptureFixture[str], computers: dict[str, Path], tmp_path: Path
) -> None:
    bo = tmp_path / "bo.json"
    code, _, err = run_cli(capsys, "export", "--learner", "Bo Li", "--store", str(computers["pc2"]), "-o", str(bo))  # fmt: skip
    assert code == 0, err
    tutor = str(computers["tutor"])
    code, out, err = run_cli(capsys, "import", str(computers["pc1"]), str(bo), "--store", tutor)
    assert code == 0, err
    assert out.splitlines() == [
        f"{computers['pc1']}: imported 1 session(s), 1 new learner(s)",
        f"{bo}: imported 1 session(s), 1 new learner(s)",
    ]
    code, out, err = run_cli(capsys, "class-report", "--group", "BTEC-1", "--format", "csv", "--store", tutor)  # fmt: skip
    assert code == 0, err
    rows = {line.split(",")[0]: line for line in out.splitlines()[1:]}
    assert set(rows) == {'"Amy Khan"', '"Bo Li"'}
    assert '"Distinction"' in rows['"Amy Khan"'] and '"Not yet"' in rows['"Bo Li"']
    # an imported session makes a feedback sheet: the lines chosen, what was written, the notes
    with Store.open(computers["tutor"]) as store:
        [amy] = store.sessions(learner="Amy Khan")
    code, out, err = run_cli(capsys, "sheet", str(amy.id), "--format", "md", "--store", tutor)
    assert code == 0, err
    assert "tell me exactly what happened this morning." in out
    assert "kettle 12 days old" in out and "options sooner" in out


def test_an_import_carries_everything_and_twice_adds_nothing(
    capsys: pytest.CaptureFixture[str], computers: dict[str, Path]
) -> None:
    tutor = str(computers["tutor"])
    before = hashlib.sha256(computers["pc1"].read_bytes()).hexdigest()
    assert run_cli(capsys, "import", str(computers["pc1"]), "--store", tutor)[0] == 0
    # everything about Amy, as her own computer had it: turns, notes, responses, result
    assert comparable(exported(computers["tutor"], "Amy Khan")) == comparable(
        exported(computers["pc1"], "Amy Khan")
    )
    code, out, _ = run_cli(capsys, "import", str(computers["pc1"]), "--store", tutor)
    assert code == 0
    assert out.strip().endswith("imported 0 session(s); 1 already here")
    with Store.open(computers["tutor"]) as store:
        assert len(store.sessions()) == 1 and len(store.learners()) == 1
    # a store is read from a copy: the learner's own file is not changed
    assert hashlib.sha256(computers["pc1"].read_bytes()).hexdigest() == before


def test_a_store_still_open_on_its_computer_imports_its_latest_turns(
    capsys: pytest.CaptureFixture[str], computers: dict[str, Path]
) -> None:
    """Until the last connection closes, SQLite keeps recent commits in the -wal file."""
    with Store.open(computers["pc1"]) as still_open:
        still_open.db.execute("PRAGMA wal_autocheckpoint = 0")  # keep what follows in the WAL
        [amy] = still_open.learners()
        still_open.start_session(amy, open_scenario("faulty-kettle").scenario, "practice")
        assert Path(f"{computers['pc1']}-wal").stat().st_size > 0
        code, out, err = run_cli(capsys, "import", str(computers["pc1"]), "--store", str(computers["tutor"]))  # fmt: skip
        assert code == 0, err
        assert "imported 2 session(s)" in out
    with Store.open(computers["tutor"]) as store:
        assert [r.state for r in store.sessions()] == ["in_progress", "finished"]


def test_two_sessions_started_in_the_same_second_both_import(
    capsys: pytest.CaptureFixture[str], computers: dict[str, Path]
) -> None:
    pc1 = computers["pc1"]
    second = play(capsys, pc1, "Amy Khan", LOST, "BTEC-1")
    with sqlite3.connect(pc1) as db:  # start times are to the second: make them the same
        db.execute("UPDATE sessions SET started = (SELECT started FROM sessions WHERE id = 1)")
    code, out, err = run_cli(capsys, "import", str(pc1), "--store", str(computers["tutor"]))
    assert code == 0, err
    assert "imported 2 session(s)" in out
    with Store.open(computers["tutor"]) as store:
        assert len(store.sessions(learner="Amy Khan")) == 2
    assert second == 2


def test_the_same_learner_from_two_computers_is_one_learner(
    capsys: pytest.CaptureFixture[str], computers: dict[str, Path]
) -> None:
    play(capsys, computers["pc2"], "Amy Khan", LOST, "BTEC-1")  # Amy moved computer
    tutor = str(computers["tutor"])
    code, _, err = run_cli(capsys, "import", str(computers["pc1"]), str(computers["pc2"]), "--store", tutor)  # fmt: skip
    assert code == 0, err
    with Store.open(computers["tutor"]) as store:
        assert sorted(learner.name for learner in store.learners()) == ["Amy Khan", "Bo Li"]
        assert len(store.sessions(learner="Amy Khan")) == 2


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ('{"learners": [', ":1:15: not valid JSON: Expecting value"),
        ("[]", ": the file: must be a JSON object"),
        (
            '{"exported": "x"}',
            ": the file: 'learners' is missing (is this a 'roleplay export' file?)",
        ),
        (
            '{"learners": [{"name": "X", "learner_id": null, "group": null,'
            ' "sessions": [{"scenario": 3}]}]}',
            ": learners[0].sessions[0]: 'scenario' must be text",
        ),
        ("\x00\xff not text", ": neither an export (JSON) nor a session store"),
    ],
)
def test_a_bad_file_says_where_and_changes_nothing(
    capsys: pytest.CaptureFixture[str],
    computers: dict[str, Path],
    tmp_path: Path,
    content: str,
    message: str,
) -> None:
    bad = tmp_path / "bad.json"
    bad.write_bytes(content.encode("latin-1"))
    tutor = str(computers["tutor"])
    code, out, err = run_cli(capsys, "import", str(bad), str(computers["pc1"]), "--store", tutor)
    assert code == 1
    assert f"roleplay: {bad}{message}" in err, err
    assert "1 of 2 file(s) not imported" in err and "Traceback" not in err
    assert "imported 1 session(s)" in out  # the good file still went in


def test_a_broken_session_deep_in_a_file_imports_none_of_it(
    capsys: pytest.CaptureFixture[str], computers: dict[str, Path], tmp_path: Path
) -> None:
    data = exported(computers["pc1"], "Amy Khan")
    data["learners"][0]["sessions"].append(
        json.loads(json.dumps(data["learners"][0]["sessions"][0]))
    )
    data["learners"][0]["sessions"][1]["started"] = "2026-01-01T00:00:00+00:00"
    data["learners"][0]["sessions"][1]["turns"][3]["auto"] = "no"
    bad = tmp_path / "amy.json"
    bad.write_text(json.dumps(data))
    code, _, err = run_cli(capsys, "import", str(bad), "--store", str(computers["tutor"]))
    assert code == 1
    assert "learners[0].sessions[1].turns[3]: 'auto' must be true or false" in err
    with Store.open(computers["tutor"]) as store:
        assert store.sessions() == [] and store.learners() == []


def test_a_store_from_a_newer_version_is_refused_by_its_own_name(
    capsys: pytest.CaptureFixture[str], computers: dict[str, Path]
) -> None:
    with sqlite3.connect(computers["pc2"]) as db:
        db.execute("PRAGMA user_version = 99")
    code, _, err = run_cli(capsys, "import", str(computers["pc2"]), "--store", str(computers["tutor"]))  # fmt: skip
    assert code == 1
    assert (
        f"roleplay: {computers['pc2']} was written by a newer version of customer-roleplay" in err
    )


def _hostile_exports(data: dict[str, Any]) -> dict[str, str]:
    """Exports a store could not hold (attack report B4), as JSON text, by what is wrong."""
    out = {}
    big = json.loads(json.dumps(data))
    big["learners"][0]["sessions"][0]["turns"][0]["seq"] = 2**63
    out["a number of 2**63"] = json.dumps(big)
    surrogate = json.dumps(data).replace('"Amy Khan"', '"Amy \\ud800 Khan"', 1)
    out["a lone surrogate"] = surrogate
    out["100,000 levels deep"] = "[" * 100_000 + "]" * 100_000
    return out


@pytest.mark.parametrize(
    ("case", "message"),
    [
        ("a number of 2**63", "turns[0].seq: a whole number too large to store"),
        ("a lone surrogate", "not valid Unicode (a lone surrogate)"),
        ("100,000 levels deep", "nested too deeply to be an export"),
    ],
)
def test_values_no_store_can_hold_are_refused_and_the_next_file_still_goes_in(
    capsys: pytest.CaptureFixture[str],
    computers: dict[str, Path],
    tmp_path: Path,
    case: str,
    message: str,
) -> None:
    bad = tmp_path / "bad.json"
    bad.write_text(_hostile_exports(exported(computers["pc1"], "Amy Khan"))[case])
    tutor = str(computers["tutor"])
    code, out, err = run_cli(capsys, "import", str(bad), str(computers["pc2"]), "--store", tutor)
    assert code == 1
    assert message in err, err
    assert "Traceback" not in err and "1 of 2 file(s) not imported" in err
    assert "imported 1 session(s)" in out  # the good file after it still went in


def test_a_store_file_with_damaged_turns_is_reported_and_the_next_still_goes_in(
    capsys: pytest.CaptureFixture[str], computers: dict[str, Path]
) -> None:
    with sqlite3.connect(computers["pc1"]) as db:
        db.execute("UPDATE turns SET behaviours = 'not json' WHERE seq = 2")
    tutor = str(computers["tutor"])
    code, out, err = run_cli(
        capsys, "import", str(computers["pc1"]), str(computers["pc2"]), "--store", tutor
    )
    assert code == 1
    assert "turn 2: the stored behaviours are damaged" in err and "Traceback" not in err
    assert "imported 1 session(s)" in out
    # and the damaged store itself: every command says so, none gives a traceback
    for args in (["export", "--learner", "Amy Khan"], ["sheet", "1"], ["portfolio", "Amy Khan"]):
        code, _, err = run_cli(capsys, *args, "--store", str(computers["pc1"]))
        assert code == 1, args
        assert "the stored behaviours are damaged" in err and "Traceback" not in err


def test_a_crafted_store_whose_learners_are_an_endless_view_is_refused_at_once(
    capsys: pytest.CaptureFixture[str], computers: dict[str, Path], tmp_path: Path
) -> None:
    """Attack report B7: `import` ran for ever, filling the temporary folder."""
    crafted = tmp_path / "crafted.sqlite3"
    with Store.open(crafted):
        pass
    db = sqlite3.connect(crafted)
    db.executescript(
        "PRAGMA foreign_keys = OFF; DROP TABLE learners; "
        "CREATE VIEW learners AS WITH RECURSIVE c(id, name, learner_ref, group_name, created) AS "
        "(SELECT 1, 'x', NULL, NULL, 't' UNION ALL SELECT id + 1, 'x', NULL, NULL, 't' FROM c) "
        "SELECT * FROM c;"
    )
    db.close()
    tutor = str(computers["tutor"])
    code, out, err = run_cli(
        capsys, "import", str(crafted), str(computers["pc2"]), "--store", tutor
    )
    assert code == 1
    assert f"{crafted}: not a session store made by roleplay ('learners' is a view)" in err
    assert "imported 1 session(s)" in out


def _result_broken(data: dict[str, Any], how: str) -> dict[str, Any]:
    data = json.loads(json.dumps(data))
    result = data["learners"][0]["sessions"][0]["result"]
    if how == "no criteria":
        del result["criteria"]
    elif how == "criteria a list":
        result["criteria"] = [1, 2]
    elif how == "evidence turn text":
        verdict = next(v for v in result["criteria"].values() if v["evidence"])
        verdict["evidence"][0]["turn"] = "abc"
    elif how == "grade_detail text":
        result["grade_detail"] = "Distinction"
    return data


@pytest.mark.parametrize(
    ("how", "where"),
    [
        ("no criteria", ".result.criteria: must be a JSON object"),
        ("criteria a list", ".result.criteria: must be a JSON object"),
        ("evidence turn text", ".evidence[0]: 'turn' must be a whole number"),
        ("grade_detail text", ".result.grade_detail: must be a JSON object"),
    ],
)
def test_an_imported_result_of_the_wrong_shape_is_refused_where_it_is_wrong(
    capsys: pytest.CaptureFixture[str],
    computers: dict[str, Path],
    tmp_path: Path,
    how: str,
    where: str,
) -> None:
    """Attack report B5: these imported, then `sheet` died with KeyError or AttributeError."""
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps(_result_broken(exported(computers["pc1"], "Amy Khan"), how)))
    code, _, err = run_cli(capsys, "import", str(bad), "--store", str(computers["tutor"]))
    assert code == 1
    assert where in err and "Traceback" not in err, err


def test_a_sheet_of_a_session_with_stored_meters_of_the_wrong_type_has_no_traceback(
    capsys: pytest.CaptureFixture[str], computers: dict[str, Path], tmp_path: Path
) -> None:
    data = exported(computers["pc1"], "Amy Khan")
    session = data["learners"][0]["sessions"][0]
    session["scenario_version"] = 999  # not replayable here: the stored values are shown
    for turn in session["turns"]:
        turn["variables"]["mood"] = "abc"
    good = tmp_path / "odd.json"
    good.write_text(json.dumps(data))
    tutor = str(computers["tutor"])
    assert run_cli(capsys, "import", str(good), "--store", tutor)[0] == 0
    code, out, err = run_cli(capsys, "sheet", "1", "--format", "md", "--store", tutor)
    assert code == 0, err
    assert "Traceback" not in err and "cannot be replayed" in out


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_importing_a_store_makes_no_copy_and_leaves_the_file_as_it_was(
    capsys: pytest.CaptureFixture[str],
    computers: dict[str, Path],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Attack report B9: a killed import left a full copy of another computer's store in /tmp."""
    scratch = tmp_path / "scratch"
    scratch.mkdir()
    monkeypatch.setattr("tempfile.tempdir", str(scratch))
    before = _digest(computers["pc1"])
    code, out, err = run_cli(capsys, "import", str(computers["pc1"]), "--store", str(computers["tutor"]))  # fmt: skip
    assert code == 0, err
    assert "imported 1 session(s)" in out
    assert list(scratch.iterdir()) == []  # nothing was copied to the temporary folder
    assert _digest(computers["pc1"]) == before
    # and nothing was left beside it (a read-only connection leaves an empty WAL and its index)
    assert sorted(p.name for p in computers["pc1"].parent.glob("pc1.sqlite3*")) == ["pc1.sqlite3"]


def test_a_store_from_an_older_version_is_read_as_it_is_not_upgraded(
    capsys: pytest.CaptureFixture[str], computers: dict[str, Path]
) -> None:
    with sqlite3.connect(computers["pc1"]) as db:  # as the first release left it
        db.executescript(
            "DROP TABLE decisions; DROP INDEX sessions_identity; PRAGMA user_version = 1;"
        )
    before = _digest(computers["pc1"])
    code, out, err = run_cli(capsys, "import", str(computers["pc1"]), "--store", str(computers["tutor"]))  # fmt: skip
    assert code == 0, err
    assert "imported 1 session(s), 1 new learner(s)" in out
    assert _digest(computers["pc1"]) == before  # still schema 1: its own computer upgrades it
    with Store.open(computers["tutor"]) as tutor:
        assert [s.learner.name for s in tutor.sessions()] == ["Amy Khan"]


def test_a_store_in_a_folder_no_one_may_write_to_is_still_imported(
    capsys: pytest.CaptureFixture[str], computers: dict[str, Path], tmp_path: Path
) -> None:
    """A store on a read-only share: SQLite cannot make its shared-memory file beside it."""
    share = tmp_path / "share"
    share.mkdir()
    copied = share / "pc1.sqlite3"
    copied.write_bytes(computers["pc1"].read_bytes())
    share.chmod(0o555)
    try:
        code, out, err = run_cli(capsys, "import", str(copied), "--store", str(computers["tutor"]))  # fmt: skip
    finally:
        share.chmod(0o755)
    assert code == 0, err
    assert "imported 1 session(s)" in out


def test_an_sqlite_file_that_is_not_a_store_is_refused_by_name(
    capsys: pytest.CaptureFixture[str], computers: dict[str, Path], tmp_path: Path
) -> None:
    other = tmp_path / "contacts.db"
    with sqlite3.connect(other) as db:
        db.execute("CREATE TABLE contacts (name TEXT)")
    before = _digest(other)
    code, out, err = run_cli(
        capsys, "import", str(other), str(computers["pc2"]), "--store", str(computers["tutor"])
    )
    assert code == 1
    assert f"roleplay: {other}: an SQLite file, but not a session store made by roleplay" in err
    assert "imported 1 session(s)" in out and _digest(other) == before


def test_a_store_file_read_in_parts_goes_in_whole_or_not_at_all(
    capsys: pytest.CaptureFixture[str], computers: dict[str, Path]
) -> None:
    """A store file is imported a part at a time (so a college's store fits in memory), but as
    one transaction: damage in a late part leaves nothing of the earlier parts behind."""
    pc1 = computers["pc1"]
    play(capsys, pc1, "Amy Khan", LOST, "BTEC-1")
    last = play(capsys, pc1, "Amy Khan", "sorry-tell-me,probe-fault", "BTEC-1")
    with sqlite3.connect(pc1) as db:
        db.execute("UPDATE turns SET variables = '[]' WHERE session_id = ?", (last,))
    with Store.open_to_read(pc1) as other, Store.open(computers["tutor"]) as tutor:
        parts = other.export_parts(per_part=1)
        with pytest.raises(StoreError, match="the stored variables are damaged"):
            tutor.import_parts(parts, str(pc1))
        assert tutor.sessions() == [] and tutor.learners() == []
    with sqlite3.connect(pc1) as db:
        db.execute("UPDATE turns SET variables = '{}' WHERE session_id = ?", (last,))
    with Store.open_to_read(pc1) as other, Store.open(computers["tutor"]) as tutor:
        report = tutor.import_parts(other.export_parts(per_part=1), str(pc1))
        assert (report.sessions, report.new_learners) == (3, 1)
        assert [len(p["learners"][0]["sessions"]) for p in other.export_parts(per_part=2)] == [
            2,
            1,
        ]


@pytest.mark.parametrize(
    ("damage", "message"),
    [
        ("ALTER TABLE turns DROP COLUMN line", "its 'turns' table has no column line"),
        ("DROP TABLE notes", "it has no 'notes' table"),
    ],
)
def test_a_store_file_missing_part_of_the_schema_is_refused_by_what_is_missing(
    capsys: pytest.CaptureFixture[str], computers: dict[str, Path], damage: str, message: str
) -> None:
    """Attack report 5.16 and 5.18: "No item with that key", "no such table: learners"."""
    with sqlite3.connect(computers["pc1"]) as db:
        db.execute(damage)
    code, out, err = run_cli(
        capsys, "import", str(computers["pc1"]), str(computers["pc2"]),
        "--store", str(computers["tutor"]),
    )  # fmt: skip
    assert code == 1
    assert f"{computers['pc1']}: not a whole session store ({message}); it is not imported" in err
    assert "imported 1 session(s)" in out


def test_a_problem_after_a_session_with_decisions_is_placed_at_its_own_session(
    capsys: pytest.CaptureFixture[str], computers: dict[str, Path], tmp_path: Path
) -> None:
    """The decisions' place once overwrote the learner's, so the next session's problem was
    reported at "learners[0].sessions[0].decisions[0].sessions[1]"."""
    data = exported(computers["pc1"], "Amy Khan")
    first = data["learners"][0]["sessions"][0]
    first["decisions"] = [{"code": "P2", "verdict": "achieved", "by": "J. Tutor", "at": "x"}]
    second = json.loads(json.dumps(first))
    second["started"], second["mode"] = "2026-01-01T00:00:00+00:00", "exam"
    data["learners"][0]["sessions"].append(second)
    bad = tmp_path / "amy.json"
    bad.write_text(json.dumps(data))
    code, _, err = run_cli(capsys, "import", str(bad), "--store", str(computers["tutor"]))
    assert code == 1
    assert f"{bad}: learners[0].sessions[1]: 'mode' must be one of" in err, err
