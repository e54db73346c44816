"""`roleplay watch`: the tutor's live view of a class, read while learners write to the store."""

from __future__ import annotations

import asyncio
import os
import re
import sqlite3
import subprocess
import sys
import textwrap
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from textual.widgets import OptionList, Static

from simulator import lessons
from simulator.catalog import open_rubric
from simulator.classroom import (
    FINISHED,
    NOT_STARTED,
    PLAYING,
    Classroom,
    WatchError,
    check_scope,
)
from simulator.cli import main
from simulator.engine import Session
from simulator.lessons import resolve_scope
from simulator.loader import load_scenario_file
from simulator.model import Scenario
from simulator.scoring import score_session
from simulator.store import Learner, Store, StoreError, name_key
from simulator.ui.watch import TranscriptScreen, WatchApp, row_key

ROOT = Path(__file__).resolve().parent.parent
PARCEL = ROOT / "tests" / "fixtures" / "ui" / "parcel-call.scenario.yaml"
"""A small call judged against Unit 7: ``read-address`` breaches data protection (nothing puts
it right); ``misstate`` gets her rights wrong and ``put-right`` corrects it."""
NOW = datetime(2026, 12, 4, 14, 0, 0, tzinfo=UTC)


def parcel() -> Scenario:
    scenario = load_scenario_file(PARCEL).scenario
    assert scenario is not None
    return scenario


def begin(
    store: Store, learner: Learner, *, started: datetime = NOW, lesson_code: str | None = None
) -> int:
    """A session on the parcel call, with its text stored as the app stores it."""
    scenario = parcel()
    sid = store.start_session(
        learner, scenario, "practice", "ocr-l2-unit7", 2,
        scenario_text=PARCEL.read_text(encoding="utf-8"), lesson_code=lesson_code,
    )  # fmt: skip
    with store.transaction() as db:
        db.execute("UPDATE sessions SET started = ? WHERE id = ?", (started.isoformat(), sid))
    return sid


def say(store: Store, sid: int, *choices: str, at: datetime = NOW) -> None:
    """Add the learner's replies to a stored session, each committed as the app commits it."""
    scenario = parcel()
    record = store.session(sid)
    assert record is not None
    session = Session.start(scenario)
    for option in record.choices:
        session.choose(option)
    for option in choices:
        before = len(session.steps)
        session.choose(option)
        store.record_steps(sid, session, session.steps[before:], 1500)
    with store.transaction() as db:
        db.execute("UPDATE turns SET at = ? WHERE session_id = ?", (at.isoformat(), sid))
    if session.finished:
        rubric = open_rubric("ocr-l2-unit7")
        steps = [(s.node, s.option, s.auto) for s in session.steps]
        store.save_result(sid, score_session(rubric, scenario, steps, outcome=session.outcome))


@pytest.fixture
def class_store(tmp_path: Path) -> Path:
    """The class of `make_class_store`."""
    return make_class_store(tmp_path / "class.sqlite3")


def make_class_store(path: Path) -> Path:
    """A group CS-L2-A on its roster: one learner stuck, one with an error, one who put an error
    right and finished, one who finished cleanly, one who played yesterday and one who never
    played (the snapshots use it too)."""
    with Store(path) as store:
        lessons.add_to_roster(
            store,
            "CS-L2-A",
            [("1001", "Amy Khan"), ("1002", "Ben Ode"), ("1003", "Cara Lee"),
             ("1004", "Dev Rao"), ("1005", "Eve Moss"), ("1006", "Finn Ng")],
        )  # fmt: skip
        amy = store.learner("Amy Khan", "1001", "CS-L2-A")
        ben = store.learner("Ben Ode", "1002", "CS-L2-A")
        cara = store.learner("Cara Lee", "1003", "CS-L2-A")
        dev = store.learner("Dev Rao", "1004", "CS-L2-A")
        eve = store.learner("Eve Moss", "1005", "CS-L2-A")
        other = store.learner("Olu Ade", None, "BTEC-1")
        say(store, begin(store, amy), "verify", at=NOW - timedelta(minutes=6))
        say(store, begin(store, ben), "read-address", at=NOW - timedelta(seconds=20))
        say(store, begin(store, cara), "verify", "misstate", "put-right", "send-new")
        say(store, begin(store, dev), "verify", "explain", "send-new")
        say(store, begin(store, eve, started=NOW - timedelta(days=1)), "verify")
        say(store, begin(store, other), "verify")
    return path


def classroom(path: Path, group: str | None = "CS-L2-A", lesson: str | None = None) -> Classroom:
    store = Store.open_live(path)
    return Classroom(
        store,
        resolve_scope(store, lesson, group),
        since="2026-12-04T00:00:00+00:00",
        clock=lambda: NOW,
    )


def test_the_class_as_the_tutor_needs_it(class_store: Path) -> None:
    """Who needs the tutor first: the serious error not put right, then the learner waiting
    longest, then those not started, then the finished; each with what the view shows."""
    room = classroom(class_store)
    view = room.read()
    names = [r.name for r in view.rows]
    assert names == ["Ben Ode", "Amy Khan", "Eve Moss", "Finn Ng", "Cara Lee", "Dev Rao"]
    ben, amy, eve, finn, cara, dev = view.rows
    assert ben.state == PLAYING and [e.behaviour for e in ben.open_errors] == [
        "breach_data_protection"
    ]
    assert ben.errors[0].label == "Breaches data protection" and ben.errors[0].turn == 1
    assert amy.state == PLAYING and amy.turn == 1 and amy.idle == 360 and not amy.errors
    assert amy.mood is not None and amy.mood.label == "mood" and amy.mood.value == -1
    assert amy.scenario_title == "Parcel missing: an upset, confused caller"
    assert eve.state == NOT_STARTED  # her session was yesterday: not this lesson
    assert finn.state == NOT_STARTED and finn.learner_id is None and finn.learner_ref == "1006"
    # put right at turn 3: shown, but not what puts her first
    assert cara.state == FINISHED and cara.errors and not cara.open_errors
    assert cara.errors[0].corrected_at == 3 and cara.outcome == "resolved"
    assert cara.grade and dev.grade and dev.state == FINISHED
    assert view.counts == {
        "learners": 6, "started": 4, "playing": 2, "finished": 2, "errors": 1,
    }  # fmt: skip
    assert "Olu Ade" not in names  # another group


def test_new_turns_are_read_as_they_are_written(class_store: Path) -> None:
    """A second read sees the turns committed since the first, and judges them again."""
    room = classroom(class_store)
    assert next(r for r in room.read().rows if r.name == "Amy Khan").turn == 1
    with Store(class_store) as store:
        amy = store.find_learners("Amy Khan")[0]
        say(store, store.sessions_of(amy.id)[0], "misstate", at=NOW)
    amy_row = next(r for r in room.read().rows if r.name == "Amy Khan")
    assert amy_row.turn == 2 and amy_row.idle == 0
    assert [e.behaviour for e in amy_row.open_errors] == ["misstate_rights"]
    # two with an error not put right, Ben first: he has waited longer since his last reply
    assert [r.name for r in room.read().rows[:2]] == ["Ben Ode", "Amy Khan"]


def test_an_undo_is_read_too(class_store: Path) -> None:
    """Turns taken back (undo in practice) leave the view as well."""
    room = classroom(class_store)
    assert room.read().counts["errors"] == 1
    with Store(class_store) as store:
        ben = store.find_learners("Ben Ode")[0]
        store.truncate(store.sessions_of(ben.id)[0], 0)
    ben_row = next(r for r in room.read().rows if r.name == "Ben Ode")
    assert ben_row.turn == 0 and not ben_row.errors


def test_a_lesson_covers_its_sessions(class_store: Path) -> None:
    """A lesson shows its group's learners on its scenarios, and anyone who joined by its code."""
    with Store(class_store) as store:
        code = lessons.create_lesson(store, "CS-L2-A", ["faulty-kettle"], "ocr-l2-unit7").code
        olu = store.find_learners("Olu Ade")[0]
        begin(store, olu, lesson_code=code)
    view = classroom(class_store, None, code).read()
    rows = {r.name: r for r in view.rows}
    assert view.title.startswith(f"Lesson {code}")
    assert rows["Olu Ade"].state == PLAYING  # joined by the code, from another group
    assert rows["Amy Khan"].state == NOT_STARTED  # parcel-call is not this lesson's scenario
    assert len(rows) == 7


def test_a_group_nobody_is_in_is_refused_with_the_nearest(class_store: Path) -> None:
    store = Store.open_live(class_store)
    with pytest.raises(WatchError, match=r"group 'CS-L2' .*did you mean 'CS-L2-A'"):
        check_scope(store, resolve_scope(store, None, "CS-L2"))
    check_scope(store, resolve_scope(store, None, " cs-l2-a "))  # case and spacing ignored


def test_the_watching_connection_cannot_write(class_store: Path) -> None:
    """The live view reads only: a write through it fails, and a writer is never held up."""
    store = Store.open_live(class_store)
    with pytest.raises(sqlite3.OperationalError):
        store.db.execute("DELETE FROM sessions")
    store.db.execute("BEGIN")
    store.db.execute("SELECT COUNT(*) FROM turns").fetchone()  # a read in progress ...
    with Store(class_store) as writer:  # ... does not stop a writer committing
        writer.learner("Gus Pym", "1007", "CS-L2-A")
    store.db.execute("COMMIT")
    assert "Gus Pym" in [r.name for r in classroom(class_store).read().rows]


def test_a_missing_store_is_refused(tmp_path: Path) -> None:
    with pytest.raises(StoreError, match="no session store"):
        Store.open_live(tmp_path / "none.sqlite3")
    assert not (tmp_path / "none.sqlite3").exists()


@pytest.mark.parametrize(
    ("args", "code", "message"),
    [
        (["--group", "CS-L2"], 1, r"no learner, roster or lesson for group 'CS-L2' .*did you mean 'CS-L2-A'"),
        (["--lesson", "ZZZ999"], 1, r"no lesson with join code 'ZZZ999'"),
        ([], 2, r"give --lesson CODE or --group G"),
    ],
)  # fmt: skip
def test_watch_refuses_bad_input_before_starting(
    class_store: Path, capsys: pytest.CaptureFixture[str], args: list[str], code: int, message: str
) -> None:
    assert main(["watch", "--store", str(class_store), *args]) == code
    err = capsys.readouterr().err
    assert re.search(message, err), err
    assert "Traceback" not in err


def test_watch_without_a_store_says_so(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    missing = tmp_path / "nowhere.sqlite3"
    assert main(["watch", "--store", str(missing), "--group", "CS-L2-A"]) == 1
    assert f"no session store at {missing}" in capsys.readouterr().err
    assert not missing.exists()  # nothing was made


def test_the_core_loads_no_interface() -> None:
    """The data part of watch is core: no Textual, no Jinja2."""
    code = (
        "import sys, simulator.classroom; print('textual' in sys.modules, 'jinja2' in sys.modules)"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=ROOT
    ).stdout
    assert out.split() == ["False", "False"]


# -- the app, driven by keys while another process writes ----------------------------------------
WRITER = textwrap.dedent(
    """
    import sys, time
    from pathlib import Path
    from simulator.engine import Session
    from simulator.loader import load_scenario_file
    from simulator.store import Store

    path, sid, scenario_file = Path(sys.argv[1]), int(sys.argv[2]), Path(sys.argv[3])
    scenario = load_scenario_file(scenario_file).scenario
    store = Store(path)
    session = Session.start(scenario)
    for option in store.session(sid).choices:
        session.choose(option)
    for option in sys.argv[4:]:
        time.sleep(0.2)
        before = len(session.steps)
        session.choose(option)
        store.record_steps(sid, session, session.steps[before:], 900)
        print(option, flush=True)
    store.close()
    """
)


def shown(app: WatchApp, name: str) -> str:
    """A learner's line on the screen, as plain text."""
    assert app.view is not None
    row = next(r for r in app.view.rows if r.name == name)
    return app.line(row_key(row))


async def until(condition: object, pilot: object, seconds: float = 20.0) -> None:
    """Wait (letting the app run) until ``condition()`` holds."""
    deadline = asyncio.get_running_loop().time() + seconds
    while not condition():  # type: ignore[operator]
        assert asyncio.get_running_loop().time() < deadline, "the view never showed it"
        await pilot.pause(0.05)  # type: ignore[attr-defined]


async def test_the_view_follows_a_writer_process(class_store: Path, tmp_path: Path) -> None:
    """While another process commits Amy's turns, the view shows each one; Enter opens her
    conversation so far (it follows too), Esc goes back to the class."""
    with Store(class_store) as store:
        amy_session = store.sessions_of(store.find_learners("Amy Khan")[0].id)[0]
    room = classroom(class_store)
    room.clock = lambda: datetime.now(UTC)
    app = WatchApp(room, interval=0.05)
    async with app.run_test(size=(80, 24)) as pilot:
        await until(lambda: app.view is not None and app.screen.query("#class"), pilot)
        assert re.match(
            r"Amy Khan +Parcel mis…\s+1 -1\s+\d+h\d\dm playing",
            shown(app, "Amy Khan"),
        )
        summary = str(app.query_one("#summary", Static).render())
        assert summary.startswith(
            "6 learners: 4 started, 2 playing, 2 finished, 1 serious error · "
        )
        writer = subprocess.Popen(
            [sys.executable, "-c", WRITER, str(class_store), str(amy_session), str(PARCEL),
             "misstate", "put-right"],
            cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
            env={**os.environ, "PYTHONPATH": str(ROOT)},
        )  # fmt: skip
        try:
            await until(lambda: re.search(r"…\s+2 -2 ", shown(app, "Amy Khan")), pilot)
            assert shown(app, "Amy Khan").endswith(" ⚠ rights wrong")
            assert app.view is not None
            assert [r.name for r in app.view.rows[:2]] == ["Ben Ode", "Amy Khan"]
            await pilot.press("down", "enter")  # Enter on her row opens her conversation
            await pilot.pause()
            assert isinstance(app.screen, TranscriptScreen)
            lines = app.screen.query_one("#lines", Static)
            await until(lambda: "I put that badly" in str(lines.render()), pilot)
            head = str(app.screen.query_one("#who", Static).render())
            assert "Gets the customer's rights wrong (put right at turn 3)" in head
            assert "Not until it has been missing for thirty days" in str(lines.render())
            await pilot.press("escape")
            await pilot.pause()
            assert not isinstance(app.screen, TranscriptScreen)
            assert shown(app, "Amy Khan").endswith(" put right")
        finally:
            out, err = writer.communicate(timeout=30)
        assert writer.returncode == 0, err
        assert out.split() == ["misstate", "put-right"]


async def test_the_cursor_stays_on_its_learner(class_store: Path) -> None:
    """The rows are sorted again at every read; the cursor keeps to the learner it was on."""
    app = WatchApp(classroom(class_store), interval=0)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("down", "down")
        table = app.query_one("#class", OptionList)
        on = table.highlighted_option.id if table.highlighted_option else None
        assert on is not None and on.startswith("learner:")
        with Store(class_store) as store:  # Dev (finished, last) makes an error: up to second
            dev = store.find_learners("Dev Rao")[0]
            sid = store.sessions_of(dev.id)[0]
            store.truncate(sid, 0)
            say(store, sid, "read-address")
        await pilot.press("r")
        await pilot.pause()
        assert table.highlighted_option is not None and table.highlighted_option.id == on
        assert app.view is not None
        assert [r.name for r in app.view.rows[:2]] == ["Ben Ode", "Dev Rao"]


async def test_enter_on_a_learner_who_has_not_started(class_store: Path) -> None:
    app = WatchApp(classroom(class_store), interval=0)
    async with app.run_test(size=(80, 24)) as pilot:
        assert app.view is not None
        finn = [r.name for r in app.view.rows].index("Finn Ng")
        await pilot.press(*["down"] * finn, "enter")
        await pilot.pause()
        assert not isinstance(app.screen, TranscriptScreen)
        assert any("Finn Ng (1006) has not started yet" in n.message for n in app._notifications)


def test_the_benchmark_section_runs(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """`make bench` still runs the watch section (no figure is judged here)."""
    from benchmarks import bench_watch

    monkeypatch.setattr(bench_watch, "LEARNERS", 3)
    monkeypatch.setattr(bench_watch, "SECONDS", 2.0)
    out = bench_watch.run()
    assert out.startswith("## The tutor's live view")
    assert re.search(r"\| refresh \(read the store, redraw the table\) \| [\d.]+ ms median", out)


def test_learners_replying_steadily_keep_their_places(class_store: Path) -> None:
    """Among those playing, only a learner waiting two minutes or more moves up: the others stay
    in name order whoever replied last, so the list does not jump at every reply."""
    room = classroom(class_store)
    with Store(class_store) as store:
        eve = store.find_learners("Eve Moss")[0]
        say(store, begin(store, eve), "verify", at=NOW - timedelta(seconds=90))  # today this time
        with store.transaction() as db:  # Amy replied half a minute ago
            db.execute("UPDATE turns SET at = ?", ((NOW - timedelta(seconds=30)).isoformat(),))
            db.execute("UPDATE turns SET at = ? WHERE session_id = (SELECT MAX(id) FROM sessions)",
                       ((NOW - timedelta(seconds=90)).isoformat(),))  # fmt: skip
    playing = [r.name for r in room.read().rows if r.state == PLAYING and not r.open_errors]
    assert playing == ["Amy Khan", "Eve Moss"]  # Eve waited longer, but not two minutes
    room.clock = lambda: NOW + timedelta(minutes=2)
    playing = [r.name for r in room.read().rows if r.state == PLAYING and not r.open_errors]
    assert playing == ["Eve Moss", "Amy Khan"]  # now both are waiting: the longest first


async def test_a_failed_read_is_shown_and_the_last_view_kept(
    class_store: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    room = classroom(class_store)
    app = WatchApp(room, interval=0)
    async with app.run_test(size=(80, 24)) as pilot:
        before = app.line(row_key(app.view.rows[0]))  # type: ignore[union-attr]

        def busy() -> None:
            raise sqlite3.OperationalError("database is locked")

        monkeypatch.setattr(room, "read", busy)
        await pilot.press("r")
        await pilot.pause()
        summary = str(app.query_one("#summary", Static).render())
        assert summary == "the store could not be read (database is locked); trying again"
        assert app.line(row_key(app.view.rows[0])) == before  # type: ignore[union-attr]
        monkeypatch.undo()
        await pilot.press("r")
        await pilot.pause()
        assert str(app.query_one("#summary", Static).render()).startswith("6 learners")


def test_a_roster_learner_who_typed_only_their_name_is_one_line(class_store: Path) -> None:
    """Finn is on the roster (1006) but signed in with his name alone: one line, playing."""
    with Store(class_store) as store:
        finn = store.learner(" finn  ng", None, "CS-L2-A")
        say(store, begin(store, finn), "verify")
    rows = [r for r in classroom(class_store).read().rows if name_key(r.name) == "finn ng"]
    assert [r.state for r in rows] == [PLAYING]
