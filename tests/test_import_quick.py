"""Importing a store file the quick way writes what the slow way writes, and refuses what it
refuses with the same message.

`roleplay import other.sqlite3` reads the other store a part at a time in a few queries and copies
its stored JSON as it is once checked (`Store.import_store`); the slow way rebuilds each session as
an export and checks that (`Store.import_parts(other.export_parts())`). A tutor must not be able to
tell them apart except by the clock: same sessions, same results, same skips, same messages.
"""

from __future__ import annotations

import contextlib
import io
import json
import re
import sqlite3
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from simulator.cli import main
from simulator.commands import _refuse_crafted_store, import_file
from simulator.responses import CauseAssessment, LearnerResponses, PlanEntry, Review
from simulator.store import ENV_VAR, Store, StoreError

RUNS = [  # learner, group, options
    ("Amy Khan", "BTEC-1", "sorry-tell-me,probe-fault,safety-advice,ask-date-proof"),
    ("Amy Khan", "BTEC-1", "ask-receipt-first,defend-shop,threaten-leave"),
    ("Amy Khan", "BTEC-1", "sorry-tell-me,probe-fault"),
    ("Bo Li", None, "ask-receipt-first,defend-shop,threaten-leave"),
    ("Zoë Ñúñez 😀", "BTEC-2", "sorry-tell-me"),
]


@pytest.fixture(autouse=True)
def no_terminal(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setattr(sys, "stdin", io.StringIO(""))
    monkeypatch.setenv(ENV_VAR, str(tmp_path / "default" / "never.db"))


def cli(*args: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = main(list(args))
    return code, out.getvalue(), err.getvalue()


def build_store(path: Path) -> None:
    """A computer's store with everything a store can hold: finished, abandoned and unfinished
    sessions; notes, written responses, tutor's decisions; two results of one session (its own
    rubric's and a newer one of another rubric); a session with no rubric and two results; a
    session with no turns; two sessions started in one second; text outside ASCII."""
    for learner, group, options in RUNS:
        args = ["--group", group] if group else []
        code, _, err = cli(
            "run", "faulty-kettle", "--choose", options, "--rubric", "ocr-l2-unit7", "--save",
            "--learner", learner, *args, "--store", str(path), "--json",
        )  # fmt: skip
        assert code == 0, err
    with Store.open(path) as store:
        store.add_note(1, "kettle 12 days old")
        store.add_note(1, "second note: “quotes” and £")
        store.add_note(4, "Bo asked for a manager")
        store.record_decision(1, "P2", "achieved", "J. Tutor", "seen in class")
        store.record_decision(1, "M1", "not_yet", "J. Tutor", "")
        store.save_responses(
            1,
            LearnerResponses(
                cause_assessment=CauseAssessment("faulty product", ("angry",), ("raised voice",)),
                review=Review("calm 😀", "slow", "angry", "options sooner"),
                learning_plan=(PlanEntry("router scenario", "P2", "2026-12-15"),),
            ),
        )
        store.save_responses(2, LearnerResponses(review=Review("a", "b", "c", "d")))
        store.learner("Cy Empty", None, "BTEC-1")  # a learner with no sessions
    db = sqlite3.connect(path, isolation_level=None)
    db.executescript(
        """
        -- session 1: a newer result of another rubric (its own rubric's is still the one)
        INSERT INTO results SELECT session_id, 'other-rubric', 1, 'Merit', data,
            '2099-01-01T00:00:00+00:00' FROM results WHERE session_id = 1;
        -- session 2: no rubric, two results: the newer is exported
        UPDATE sessions SET rubric_id = NULL, rubric_version = NULL WHERE id = 2;
        INSERT INTO results SELECT session_id, 'other-rubric', 3, 'Pass', data,
            '2099-01-01T00:00:00+00:00' FROM results WHERE session_id = 2;
        -- session 3: abandoned with no turns; session 5 unfinished
        DELETE FROM turns WHERE session_id = 3;
        UPDATE sessions SET state = 'abandoned', ended = NULL, outcome = NULL WHERE id = 3;
        UPDATE sessions SET state = 'in_progress', ended = NULL WHERE id = 5;
        -- sessions 1 and 2 started in the same second
        UPDATE sessions SET started = (SELECT started FROM sessions WHERE id = 1) WHERE id = 2;
        """
    )
    db.close()


@pytest.fixture(scope="module")
def seed() -> Iterator[Path]:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "pc.sqlite3"
        old = sys.stdin
        sys.stdin = io.StringIO("")
        try:
            build_store(path)
        finally:
            sys.stdin = old
        yield path


def contents(store: Store) -> Any:
    """Everything in a store as an export holds it, without when the export was made."""
    data = store.export_all()
    return data["learners"]


def tables(path: Path) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of every table, as parsed values (stored JSON compared by meaning)."""
    db = sqlite3.connect(path)
    out = {}
    for table in ("learners", "sessions", "turns", "notes", "responses", "decisions", "results"):
        rows = []
        for row in db.execute(f"SELECT * FROM {table} ORDER BY rowid"):
            cells = []
            for cell in row:
                if isinstance(cell, str) and cell[:1] in "[{":
                    with contextlib.suppress(ValueError):
                        cell = json.loads(cell)
                cells.append(cell)
            rows.append(tuple(cells))
        out[table] = rows
    db.close()
    # learners' created times are copied; the import's own clock shows nowhere else
    return out


def import_both(source: Path, folder: Path, per_part: int = 2) -> tuple[Any, Any]:
    """Import ``source`` the quick way and the slow way into two new stores; return each
    outcome: the report and every table, or the error's kind and message."""
    outcomes = []
    for way in ("quick", "slow"):
        target = folder / f"{way}.sqlite3"
        try:
            with Store.open(target) as store, Store.open_to_read(source) as other:
                _refuse_crafted_store(other.db, source, other.version)
                if way == "quick":
                    report = store.import_store(other, str(source), per_part=per_part)
                else:
                    report = store.import_parts(other.export_parts(per_part), str(source))
            outcomes.append(
                ((report.sessions, report.already_there, report.new_learners), tables(target))
            )
        except (StoreError, sqlite3.Error, ValueError, TypeError, KeyError, IndexError) as exc:
            said = PLACE.sub("<place>", str(exc).replace(str(target), "TARGET"), count=1)
            outcomes.append((type(exc).__name__, said))
    return outcomes[0], outcomes[1]


PLACE = re.compile(
    r"(?<=: )(learners\[0\](\.sessions\[\d+\])?|session \d+ \([^)]*\)|the learner '[^']*')[.,]? ?"
)
"""Where a problem is: counted within the part read (the slow way) or by the store's own session
id and learner (the quick way, which says it as a tutor can find it); the rest must be equal."""


def test_the_quick_way_writes_every_row_the_slow_way_writes(
    seed: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    slow_reads = []
    real = Store._learner_export

    def counted(self: Store, *args: Any) -> Any:
        slow_reads.append(args[0].name)
        return real(self, *args)

    monkeypatch.setattr(Store, "_learner_export", counted)
    quick, slow = import_both(seed, tmp_path)
    assert quick == slow
    # the quick way read this store without once falling back on the slow way: only the slow
    # import rebuilt exports (one for each part: Amy's three sessions in two parts)
    assert sorted(slow_reads) == sorted(
        ["Amy Khan", "Amy Khan", "Bo Li", "Cy Empty", "Zoë Ñúñez 😀"]
    )
    report, rows = quick
    assert report == (5, 0, 4)
    assert len(rows["learners"]) == 4 and len(rows["sessions"]) == 5
    assert len(rows["notes"]) == 3 and len(rows["decisions"]) == 2
    assert len(rows["responses"]) == 4  # session 1: three parts; session 2: a review
    # one result for each session: session 1 its own rubric's, session 2 the newer one
    by_session = {r[0]: r for r in rows["results"]}
    assert len(rows["results"]) == 5
    assert by_session[1][1:4] == ("ocr-l2-unit7", 2, by_session[1][3])
    assert by_session[2][3] == "Pass"


@pytest.mark.parametrize("per_part", [1, 2, 1000])
def test_importing_a_store_twice_adds_nothing_the_second_time(
    seed: Path, tmp_path: Path, per_part: int
) -> None:
    target = tmp_path / "tutor.sqlite3"
    with Store.open(target) as store, Store.open_to_read(seed) as other:
        first = store.import_store(other, str(seed), per_part=per_part)
        second = store.import_store(other, str(seed), per_part=per_part)
        again = store.import_parts(other.export_parts(per_part), str(seed))
        assert (first.sessions, first.new_learners) == (5, 4)
        assert (second.sessions, second.already_there, second.new_learners) == (0, 5, 0)
        assert (again.sessions, again.already_there) == (0, 5)
        # sessions 1 and 2 started in one second and both went in: told apart by their turns
        assert len(store.sessions()) == 5


def test_a_session_twice_in_one_part_goes_in_once(seed: Path, tmp_path: Path) -> None:
    copy = tmp_path / "copy.sqlite3"
    copy.write_bytes(seed.read_bytes())
    db = sqlite3.connect(copy, isolation_level=None)
    db.executescript(
        """
        INSERT INTO sessions (id, learner_id, scenario_id, scenario_version, rubric_id,
            rubric_version, mode, started, ended, outcome, state)
            SELECT 99, learner_id, scenario_id, scenario_version, rubric_id, rubric_version,
            mode, started, ended, outcome, state FROM sessions WHERE id = 4;
        INSERT INTO turns SELECT 99, seq, node, option, line, behaviours, variables, auto,
            time_taken_ms, at FROM turns WHERE session_id = 4;
        -- and one with no turns at all beside session 3, which has none either
        INSERT INTO sessions (id, learner_id, scenario_id, scenario_version, rubric_id,
            rubric_version, mode, started, ended, outcome, state)
            SELECT 98, learner_id, scenario_id, scenario_version, rubric_id, rubric_version,
            mode, started, ended, outcome, state FROM sessions WHERE id = 3;
        """
    )
    db.close()
    quick, slow = import_both(copy, tmp_path, per_part=1000)
    assert quick == slow
    assert quick[0] == (5, 2, 4)


def _damage(seed: Path, folder: Path, sql: str, *args: object) -> Path:
    copy = folder / "damaged.sqlite3"
    copy.write_bytes(seed.read_bytes())
    db = sqlite3.connect(copy, isolation_level=None)
    db.execute(sql, args)
    db.close()
    return copy


@pytest.mark.parametrize(
    ("sql", "value", "message"),
    [
        ("UPDATE turns SET variables = ? WHERE session_id = 4 AND seq = 2",
         '{"mood": 99999999999999999999}', "a whole number too large to store"),
        ("UPDATE turns SET behaviours = ? WHERE session_id = 4 AND seq = 1",
         '["apologise", "\\ud800"]', "not valid Unicode (a lone surrogate)"),
        ("UPDATE results SET data = json_set(data, '$.deep', json(?)) WHERE session_id = 4",
         "[" * 70 + "]" * 70, "nested more than 64 levels deep"),
        ("UPDATE results SET data = json_set(data, '$.note', ?) WHERE session_id = 4",
         "\\udc00", None),  # SQLite escapes the backslash: ordinary text, imported
        ("UPDATE results SET data = replace(data, '\"grade\": ', '\"grade\": 7, \"x\": ') "
         "WHERE session_id = 4 AND ? = 1", 1, "'grade' must be text"),
        ("UPDATE results SET data = json_set(data, '$.criteria.P2.concerns[0].behaviour', ?) "
         "WHERE session_id = 4", 7, "concerns[0]: 'behaviour' must be text"),
        ("UPDATE results SET data = json_set(data, '$.criteria.P2.concerns[0].turn', ?) "
         "WHERE session_id = 4", "1", "concerns[0]: 'turn' must be a whole number"),
        ("UPDATE results SET data = json_set(data, '$.criteria.P2.status', json(?)) "
         "WHERE session_id = 4", "null", "'status' must be text"),
        ("UPDATE results SET data = json_set(data, '$.criteria.P2.feedback', json(?)) "
         "WHERE session_id = 4", "[]", "'feedback' must be text or null"),
        ("UPDATE results SET data = json_set(data, '$.grade_detail.label', json(?)) "
         "WHERE session_id = 4", "{}", "'label' must be text or null"),
        ("UPDATE results SET data = json_set(data, '$.criteria.P2.extra', json(?)) "
         "WHERE session_id = 4", "[" * 58 + "]" * 58, "nested more than 64 levels deep"),
        ("UPDATE results SET data = json_set(data, '$.criteria.P2.extra', json(?)) "
         "WHERE session_id = 4", "[" * 57 + "]" * 57, None),  # the deepest that goes in
        ("UPDATE results SET data = json_set(data, '$.criteria.P2.concerns[0].x', json(?)) "
         "WHERE session_id = 4", "[" * 56 + "]" * 56, "nested more than 64 levels deep"),
        ("UPDATE results SET data = replace(data, '\"turn\": 1', '\"turn\": ' || ?) "
         "WHERE session_id = 4", "9223372036854775808", "a whole number too large to store"),
        ("UPDATE results SET data = replace(data, '\"turn\": 1', '\"turn\": ' || ?) "
         "WHERE session_id = 4", "9223372036854775807", None),
        ("UPDATE turns SET auto = ? WHERE session_id = 4", "no", None),
        ("UPDATE turns SET seq = ? WHERE session_id = 4 AND seq = 2", 2.5,
         "'seq' must be a whole number"),
        ("UPDATE sessions SET mode = ? WHERE id = 4", "exam", "'mode' must be one of"),
        ("UPDATE sessions SET state = ? WHERE id = 4", "done", "'state' must be one of"),
        ("UPDATE turns SET variables = ? WHERE session_id = 4 AND seq = 2",
         '{"mood": "\\udfff"}', "not valid Unicode (a lone surrogate)"),
        ("UPDATE turns SET variables = ? WHERE session_id = 4 AND seq = 2",
         '{"\\ud83d\\ude00": "\\ud83d\\ude00"}', None),  # an emoji, escaped: fine
        ("UPDATE decisions SET note = ? WHERE code = 'M1'", b"5", "'note' must be text"),
        ("UPDATE responses SET data = ? WHERE session_id = 2", '{"strengths": 3}',
         "must be text"),
        ("UPDATE learners SET name = ? WHERE name = 'Bo Li'", "   ", "'name' is empty"),
        ("UPDATE turns SET variables = ? WHERE session_id = 4 AND seq = 1", "[]",
         "the stored variables are damaged"),
    ],
)  # fmt: skip
def test_what_the_quick_way_refuses_it_refuses_as_the_slow_way_does(
    seed: Path, tmp_path: Path, sql: str, value: object, message: str | None
) -> None:
    damaged = _damage(seed, tmp_path, sql, value)
    quick, slow = import_both(damaged, tmp_path)
    assert quick == slow
    if message is None:
        assert quick[0][0] == 5, quick  # imported, every session
    else:
        assert message in quick[1], quick
        target = tmp_path / "tutor.sqlite3"  # and as a tutor sees it: the file changed nothing
        code, _, err = cli("import", str(damaged), "--store", str(target))
        assert code == 1 and message in err and "Traceback" not in err
        with Store.open(target) as store:
            assert store.sessions() == [] and store.learners() == []


def test_the_command_takes_the_quick_way(
    seed: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    taken = []
    real = Store.import_store

    def spy(self: Store, other: Store, source: str, per_part: int = 1000) -> Any:
        taken.append(source)
        return real(self, other, source, per_part)

    monkeypatch.setattr(Store, "import_store", spy)
    with Store.open(tmp_path / "tutor.sqlite3") as store:
        report = import_file(store, seed)
    assert taken == [str(seed)] and report.sessions == 5


# -- any damage: the two ways agree ------------------------------------------------------------

TABLES = ("learners", "sessions", "turns", "notes", "responses", "decisions", "results")
CELL_VALUES = st.one_of(
    st.none(),
    st.integers(min_value=-(2**63), max_value=2**63 - 1),
    st.floats(allow_nan=False),
    st.text(max_size=20),
    st.binary(max_size=8),
    st.sampled_from(
        ['{"a": 1}', "[]", "null", "not json", '{"criteria": 7}', '["\\ud800"]',
         '{"x": 123456789012345678901}', "[" * 80 + "]" * 80, "practice", "finished",
         "achieved", '{"rubric": {"id": "r", "version": 1}, "grade": "Pass", "criteria": {}}']
    ),
)  # fmt: skip


@settings(
    deadline=None,
    max_examples=80,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
@given(data=st.data())
def test_whatever_a_store_file_holds_the_two_ways_agree(data: st.DataObject, seed: Path) -> None:
    with tempfile.TemporaryDirectory() as name:
        folder = Path(name)
        copy = folder / "pc.sqlite3"
        copy.write_bytes(seed.read_bytes())
        db = sqlite3.connect(copy, isolation_level=None)
        db.execute("PRAGMA foreign_keys = OFF")
        for _ in range(data.draw(st.integers(min_value=1, max_value=3))):
            table = data.draw(st.sampled_from(TABLES))
            columns = [row[1] for row in db.execute(f"PRAGMA table_info({table})")]
            rowids = [row[0] for row in db.execute(f"SELECT rowid FROM {table}")]
            column = data.draw(st.sampled_from(columns))
            with contextlib.suppress(sqlite3.Error):  # a constraint may refuse it: fine
                db.execute(
                    f"UPDATE {table} SET {column} = ? WHERE rowid = ?",
                    (data.draw(CELL_VALUES), data.draw(st.sampled_from(rowids))),
                )
        db.close()
        quick, slow = import_both(copy, folder, per_part=data.draw(st.sampled_from([1, 2, 50])))
        event("refused" if isinstance(quick[0], str) else "imported")
        assert quick == slow


def test_a_problem_in_a_store_file_is_placed_by_the_stores_own_session_and_learner(
    seed: Path, tmp_path: Path
) -> None:
    """Not "learners[0].sessions[0]", counted within a part of the file the tutor never sees."""
    damaged = _damage(
        seed, tmp_path,
        "UPDATE results SET data = json_set(data, '$.criteria.P2.status', 7) WHERE session_id = ?",
        4,
    )  # fmt: skip
    code, _, err = cli("import", str(damaged), "--store", str(tmp_path / "t.sqlite3"))
    assert code == 1
    assert f"{damaged}: session 4 (Bo Li), result.criteria.P2: 'status' must be text" in err
    damaged = _damage(seed, tmp_path, "UPDATE sessions SET mode = ? WHERE id = 2", "exam")
    code, _, err = cli("import", str(damaged), "--store", str(tmp_path / "t.sqlite3"))
    assert f"{damaged}: session 2 (Amy Khan): 'mode' must be one of" in err
    damaged = _damage(seed, tmp_path, "UPDATE learners SET name = ? WHERE name = 'Bo Li'", " ")
    code, _, err = cli("import", str(damaged), "--store", str(tmp_path / "t.sqlite3"))
    assert f"{damaged}: the learner ' ': 'name' is empty" in err
