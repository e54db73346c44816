"""The store through the command line: run --save, sessions, delete-learner, export."""

from __future__ import annotations

import io
import json
import os
import sqlite3
import sys
from pathlib import Path

import pytest

from simulator.catalog import open_scenario
from simulator.cli import main
from simulator.store import ENV_VAR, Store

SOME = "sorry-tell-me,probe-fault,safety-advice"
LOST = "manufacturer-brushoff,insist-manufacturer"


def run_cli(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    """Run ``roleplay ARGS`` in process; return the exit code, stdout and stderr."""
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture
def db(tmp_path: Path) -> Path:
    return tmp_path / "s.db"


@pytest.fixture(autouse=True)
def no_terminal(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """No tty on stdin, and never the user's real store."""
    monkeypatch.setattr(sys, "stdin", io.StringIO(""))
    monkeypatch.setenv(ENV_VAR, str(tmp_path / "default" / "never.db"))


def save(
    capsys: pytest.CaptureFixture[str], db: Path, learner: str, *extra: str, choose: str = SOME
) -> int:
    """Store a headless session; return its id."""
    code, out, err = run_cli(
        capsys, "run", "faulty-kettle", "--choose", choose, "--save", "--learner", learner,
        "--store", str(db), "--json", *extra,
    )  # fmt: skip
    assert code == 0, err
    return int(json.loads(out)["session"])


def count(db: Path, table: str) -> int:
    raw = sqlite3.connect(db)
    try:
        return int(raw.execute(f"SELECT COUNT(*) FROM {table}").fetchone()[0])
    finally:
        raw.close()


# -- run --save -------------------------------------------------------------------------------
def test_save_without_a_learner_is_a_usage_error(
    capsys: pytest.CaptureFixture[str], db: Path
) -> None:
    code, out, err = run_cli(capsys, "run", "faulty-kettle", "--choose", SOME, "--save", "--store", str(db))  # fmt: skip
    assert code == 2
    assert "--learner" in err and out == ""
    assert not db.exists()


def test_save_with_a_blank_learner_is_a_usage_error(
    capsys: pytest.CaptureFixture[str], db: Path
) -> None:
    code, _, err = run_cli(capsys, "run", "faulty-kettle", "--save", "--learner", "  ", "--store", str(db))  # fmt: skip
    assert code == 2 and "--learner" in err


def test_save_json_has_the_session_and_it_is_stored(
    capsys: pytest.CaptureFixture[str], db: Path
) -> None:
    code, out, err = run_cli(
        capsys, "run", "faulty-kettle", "--choose", SOME, "--save", "--learner", "Ann Lee",
        "--learner-id", "L001", "--group", "G1", "--store", str(db), "--json",
    )  # fmt: skip
    assert code == 0, err
    data = json.loads(out)
    sid = data["session"]
    assert isinstance(sid, int)
    with Store.open(db) as store:
        record = store.session(sid)
    assert record is not None
    assert (record.learner.name, record.learner.learner_ref, record.learner.group) == (
        "Ann Lee",
        "L001",
        "G1",
    )
    assert record.choices == SOME.split(",")
    assert record.mode == "headless"
    assert record.rubric_id == "ocr-l2-unit7"  # the scenario's own rubric judges it
    assert record.grade == data["grade"]
    assert [t.variables for t in record.turns][-1] == data["variables"]


def test_save_text_prints_the_session_id(capsys: pytest.CaptureFixture[str], db: Path) -> None:
    code, out, _ = run_cli(capsys, "run", "faulty-kettle", "--choose", SOME, "--save", "--learner", "Ann", "--store", str(db))  # fmt: skip
    assert code == 0
    assert out.rstrip().splitlines()[-1] == "Session: 1"
    code, out, _ = run_cli(capsys, "run", "faulty-kettle", "--save", "--learner", "Ann", "--store", str(db))  # fmt: skip
    assert code == 0
    assert "Session: 2" in out


def test_a_finished_saved_run_is_recorded_finished(
    capsys: pytest.CaptureFixture[str], db: Path
) -> None:
    sid = save(capsys, db, "Ann", "--mode", "assessment", choose=LOST)
    with Store.open(db) as store:
        record = store.session(sid)
    assert record is not None
    assert (record.state, record.outcome, record.mode) == (
        "finished",
        "customer_lost",
        "assessment",
    )


def test_an_unavailable_option_keeps_the_turns_before_it(
    capsys: pytest.CaptureFixture[str], db: Path
) -> None:
    code, out, _ = run_cli(
        capsys, "run", "faulty-kettle", "--choose", "sorry-tell-me,no-such-option", "--save",
        "--learner", "Ann", "--store", str(db), "--json",
    )  # fmt: skip
    assert code == 3
    sid = json.loads(out)["session"]
    with Store.open(db) as store:
        record = store.session(sid)
    assert record is not None and record.choices == ["sorry-tell-me"]


def test_the_store_comes_from_the_environment(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    path = tmp_path / "from-env" / "store.db"
    monkeypatch.setenv(ENV_VAR, str(path))
    code, out, err = run_cli(capsys, "run", "faulty-kettle", "--choose", SOME, "--save", "--learner", "Ann", "--json")  # fmt: skip
    assert code == 0, err
    assert path.is_file()
    code, out, _ = run_cli(capsys, "sessions", "--json")
    assert code == 0
    assert [r["learner"] for r in json.loads(out)] == ["Ann"]
    # --store wins over the environment
    code, out, _ = run_cli(capsys, "sessions", "--json", "--store", str(tmp_path / "other.db"))
    assert code == 0 and json.loads(out) == []


# -- sessions ---------------------------------------------------------------------------------
@pytest.fixture
def classroom(capsys: pytest.CaptureFixture[str], db: Path) -> dict[str, int]:
    fallback = str(Path(__file__).parent / "fixtures" / "engine" / "once-fallback.scenario.yaml")
    ids = {
        "ann": save(capsys, db, "Ann Lee", "--learner-id", "L001", "--group", "G1"),
        "bob": save(capsys, db, "Bob Ray", "--learner-id", "L002", "--group", "G1", choose=LOST),
        "cat": save(capsys, db, "Cat Kim", "--group", "G2"),
    }
    code, out, err = run_cli(
        capsys, "run", fallback, "--choose", "ask-name", "--save", "--learner", "Ann Lee",
        "--learner-id", "L001", "--store", str(db), "--json",
    )  # fmt: skip
    assert code == 0, err
    ids["ann-fallback"] = json.loads(out)["session"]
    return ids


def listed(capsys: pytest.CaptureFixture[str], db: Path, *filters: str) -> list[int]:
    code, out, err = run_cli(capsys, "sessions", "--store", str(db), "--json", *filters)
    assert code == 0, err
    return [r["session"] for r in json.loads(out)]


def test_sessions_lists_newest_first_with_filters(
    capsys: pytest.CaptureFixture[str], db: Path, classroom: dict[str, int]
) -> None:
    ids = classroom
    assert listed(capsys, db) == [ids["ann-fallback"], ids["cat"], ids["bob"], ids["ann"]]
    assert listed(capsys, db, "--learner", "Ann Lee") == [ids["ann-fallback"], ids["ann"]]
    assert listed(capsys, db, "--learner", "L002") == [ids["bob"]]
    assert listed(capsys, db, "--group", "G1") == [ids["ann-fallback"], ids["bob"], ids["ann"]]
    assert listed(capsys, db, "--scenario", "once-fallback") == [ids["ann-fallback"]]
    assert listed(capsys, db, "--group", "G1", "--scenario", "faulty-kettle") == [
        ids["bob"],
        ids["ann"],
    ]
    assert listed(capsys, db, "--learner", "Nobody") == []


def test_sessions_json_rows(
    capsys: pytest.CaptureFixture[str], db: Path, classroom: dict[str, int]
) -> None:
    code, out, _ = run_cli(capsys, "sessions", "--store", str(db), "--json", "--learner", "L002")
    assert code == 0
    (row,) = json.loads(out)
    assert row["session"] == classroom["bob"]
    assert (row["learner"], row["learner_id"], row["group"]) == ("Bob Ray", "L002", "G1")
    assert (row["scenario"], row["state"], row["outcome"]) == (
        "faulty-kettle",
        "finished",
        "customer_lost",
    )
    assert row["grade"] and row["started"] and row["ended"]


def test_sessions_text_table(
    capsys: pytest.CaptureFixture[str], db: Path, classroom: dict[str, int]
) -> None:
    code, out, _ = run_cli(capsys, "sessions", "--store", str(db), "--group", "G1")
    assert code == 0
    lines = out.splitlines()
    assert lines[0].split()[:3] == ["id", "learner", "group"]
    assert len(lines) == 4
    assert "Ann Lee (L001)" in out and "Bob Ray (L002)" in out and "Cat Kim" not in out


def test_sessions_when_there_are_none(capsys: pytest.CaptureFixture[str], db: Path) -> None:
    code, out, err = run_cli(capsys, "sessions", "--store", str(db))
    assert (code, out) == (0, "")
    assert "no sessions" in err


# -- delete-learner ---------------------------------------------------------------------------
def test_delete_learner_without_yes_and_no_terminal_erases_nothing(
    capsys: pytest.CaptureFixture[str], db: Path, classroom: dict[str, int]
) -> None:
    code, out, err = run_cli(capsys, "delete-learner", "Ann Lee", "--store", str(db))
    assert code == 2
    assert "--yes" in err and "2 session(s)" in err
    assert out == ""
    assert len(listed(capsys, db, "--learner", "Ann Lee")) == 2


def test_delete_learner_with_yes_erases_everything(
    capsys: pytest.CaptureFixture[str], db: Path, classroom: dict[str, int]
) -> None:
    before = {t: count(db, t) for t in ("learners", "sessions", "turns", "responses", "results")}
    code, out, err = run_cli(capsys, "delete-learner", "Ann Lee", "--store", str(db), "--yes")
    assert code == 0, err
    assert "erased Ann Lee" in out and "2 session(s)" in out
    assert listed(capsys, db, "--learner", "Ann Lee") == []
    assert listed(capsys, db) == [classroom["cat"], classroom["bob"]]
    assert count(db, "learners") == before["learners"] - 1
    assert count(db, "sessions") == before["sessions"] - 2
    raw = sqlite3.connect(db)
    try:
        for table in ("turns", "notes", "responses", "results"):
            orphans = raw.execute(
                f"SELECT COUNT(*) FROM {table} WHERE session_id NOT IN (SELECT id FROM sessions)"
            ).fetchone()[0]
            assert orphans == 0
        assert (
            raw.execute("SELECT COUNT(*) FROM learners WHERE name = 'Ann Lee'").fetchone()[0] == 0
        )
    finally:
        raw.close()
    code, _, err = run_cli(capsys, "export", "--learner", "Ann Lee", "--store", str(db))
    assert code == 1


def test_export_and_erasure_refuse_a_name_that_is_also_someone_elses_learner_id(
    capsys: pytest.CaptureFixture[str], db: Path, classroom: dict[str, int]
) -> None:
    # Bob Ray was imported with the learner id "Ann Lee" (a typo in another college's records)
    code, _, err = run_cli(
        capsys, "run", "faulty-kettle", "--choose", SOME, "--learner", "Bob Ray",
        "--learner-id", "Ann Lee", "--save", "--store", str(db),
    )  # fmt: skip
    assert code == 0, err
    for args in (["export", "--learner", "Ann Lee"], ["delete-learner", "Ann Lee", "--yes"]):
        code, out, err = run_cli(capsys, *args, "--store", str(db))
        assert code == 1, args
        assert "'Ann Lee' matches 2 learners" in err and "Bob Ray (Ann Lee)" in err
        assert out == ""
    assert len(listed(capsys, db, "--learner", "Ann Lee")) == 3  # nobody was erased


def test_delete_learner_by_learner_id(
    capsys: pytest.CaptureFixture[str], db: Path, classroom: dict[str, int]
) -> None:
    code, _, err = run_cli(capsys, "delete-learner", "L002", "--store", str(db), "--yes")
    assert code == 0, err
    assert classroom["bob"] not in listed(capsys, db)


@pytest.mark.parametrize(
    ("remembered", "erase", "forgotten"),
    [
        ({"name": "Ann Lee"}, "Ann Lee", True),
        ({"name": "ann lee "}, "Ann Lee", True),  # as typed on the start screen
        ({"name": "Bob", "learner_ref": "L002"}, "L002", True),
        ({"name": "Cat Kim"}, "Ann Lee", False),  # someone else played last
    ],
)
def test_delete_learner_forgets_them_in_the_remembered_settings(
    capsys: pytest.CaptureFixture[str],
    db: Path,
    classroom: dict[str, int],
    remembered: dict[str, str],
    erase: str,
    forgotten: bool,
) -> None:
    """The simulator remembers who played last beside the store; erasure must reach it."""
    prefs = db.parent / "prefs.json"
    settings = {"rubric": "ocr-l2-unit7", "mode": "practice", "high_contrast": True}
    prefs.write_text(json.dumps({**remembered, "group": "BTEC-1", **settings}))
    code, _, err = run_cli(capsys, "delete-learner", erase, "--store", str(db), "--yes")
    assert code == 0, err
    kept = json.loads(prefs.read_text())
    if forgotten:
        assert kept == settings  # the name, id and group are gone; the rest stays
    else:
        assert kept["name"] == remembered["name"] and kept["group"] == "BTEC-1"


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


@pytest.mark.parametrize(("answer", "erased"), [("y", True), ("yes", True), ("n", False), ("", False)])  # fmt: skip
def test_delete_learner_asks_at_a_terminal(
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    db: Path,
    classroom: dict[str, int],
    answer: str,
    erased: bool,
) -> None:
    monkeypatch.setattr(sys, "stdin", Terminal())
    asked: list[str] = []
    monkeypatch.setattr("builtins.input", lambda prompt: asked.append(prompt) or answer)
    code, _, _ = run_cli(capsys, "delete-learner", "Cat Kim", "--store", str(db))
    assert code == 0
    assert asked and "Cat Kim" in asked[0]
    assert (classroom["cat"] not in listed(capsys, db)) is erased


def test_delete_an_unknown_learner(
    capsys: pytest.CaptureFixture[str], db: Path, classroom: dict[str, int]
) -> None:
    code, out, err = run_cli(capsys, "delete-learner", "Nobody", "--store", str(db), "--yes")
    assert code == 1
    assert "no learner called 'Nobody'" in err and out == ""
    assert len(listed(capsys, db)) == 4


# -- export -----------------------------------------------------------------------------------
def test_export_prints_everything_about_the_learner(
    capsys: pytest.CaptureFixture[str], db: Path, classroom: dict[str, int]
) -> None:
    code, out, err = run_cli(capsys, "export", "--learner", "L001", "--store", str(db))
    assert code == 0, err
    data = json.loads(out)
    (learner,) = data["learners"]
    assert (learner["name"], learner["learner_id"], learner["group"]) == ("Ann Lee", "L001", "G1")
    sessions = learner["sessions"]
    assert [s["session"] for s in sessions] == [classroom["ann"], classroom["ann-fallback"]]
    kettle = open_scenario("faulty-kettle").scenario
    turns = sessions[0]["turns"]
    assert [t["option"] for t in turns] == SOME.split(",")
    for turn in turns:
        option = kettle.option(turn["option"])
        assert option is not None
        assert turn["line"] == option.say
    assert "Bob Ray" not in out and "Cat Kim" not in out


def test_export_to_a_file(
    capsys: pytest.CaptureFixture[str], db: Path, tmp_path: Path, classroom: dict[str, int]
) -> None:
    target = tmp_path / "ann.json"
    code, out, err = run_cli(capsys, "export", "--learner", "Ann Lee", "--store", str(db), "-o", str(target))  # fmt: skip
    assert code == 0, err
    assert out == "" and str(target) in err
    data = json.loads(target.read_text(encoding="utf-8"))
    assert len(data["learners"][0]["sessions"]) == 2


def test_export_to_an_unwritable_place(
    capsys: pytest.CaptureFixture[str], db: Path, tmp_path: Path, classroom: dict[str, int]
) -> None:
    code, _, err = run_cli(capsys, "export", "--learner", "Ann Lee", "--store", str(db), "-o", str(tmp_path))  # fmt: skip
    assert code == 1
    assert "cannot write" in err and "Traceback" not in err


def test_export_an_unknown_learner(capsys: pytest.CaptureFixture[str], db: Path) -> None:
    code, out, err = run_cli(capsys, "export", "--learner", "Nobody", "--store", str(db))
    assert code == 1
    assert "no learner called 'Nobody'" in err and out == ""


# -- a store that cannot be used --------------------------------------------------------------
def bad_stores(tmp_path: Path) -> dict[str, Path]:
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    garbage = tmp_path / "garbage.db"
    garbage.write_bytes(b"\x00\x01 not sqlite at all " * 200)
    return {"folder": tmp_path, "under a file": blocker / "s.db", "not sqlite": garbage}


COMMANDS = [
    ["run", "faulty-kettle", "--choose", SOME, "--save", "--learner", "Ann"],
    ["sessions"],
    ["delete-learner", "Ann", "--yes"],
    ["export", "--learner", "Ann"],
]


@pytest.mark.parametrize("kind", ["folder", "under a file", "not sqlite"])
@pytest.mark.parametrize("command", COMMANDS, ids=lambda c: c[0])
def test_an_unusable_store_is_a_message_not_a_traceback(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, kind: str, command: list[str]
) -> None:
    path = bad_stores(tmp_path)[kind]
    code, out, err = run_cli(capsys, *command, "--store", str(path))
    assert code == 1
    assert out == ""
    assert err.startswith("roleplay: ") and str(path) in err
    assert "Traceback" not in err


@pytest.mark.skipif(
    sys.platform == "win32" or os.geteuid() == 0, reason="needs POSIX permissions and not root"
)
def test_a_read_only_folder_is_a_message(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    locked = tmp_path / "locked"
    locked.mkdir()
    locked.chmod(0o500)
    try:
        code, out, err = run_cli(capsys, "run", "faulty-kettle", "--save", "--learner", "Ann", "--store", str(locked / "s.db"))  # fmt: skip
    finally:
        locked.chmod(0o700)
    assert code == 1
    assert out == "" and "roleplay: " in err and "Traceback" not in err
