"""The interface when the store or the scenario fails under it (attack report B10, B11): a clear
message, the learner's work as the store has it, and the app still running; never a traceback."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

from simulator.catalog import open_scenario
from simulator.playthrough import Playthrough
from simulator.store import Store
from simulator.ui.screens.browser import BrowserScreen
from simulator.ui.screens.conversation import ConversationScreen
from simulator.ui.screens.dialogs import ResumeDialog
from simulator.ui.screens.results import ResultsScreen
from simulator.ui.screens.sessions import SessionsScreen
from simulator.ui.screens.start import StartScreen
from tests.test_ui import SIZE, Drive, MakeApp, option_ids, toasts, transcript

FIXTURES = Path(__file__).parent / "fixtures" / "ui"


def turns_stored(store_path: Path) -> list[str]:
    """The options recorded for the newest session, in order."""
    with Store.open(store_path) as store:
        record = store.sessions()[0]
        full = store.session(record.id)
        assert full is not None
        return [t.option for t in full.turns]


async def test_a_learner_erased_while_playing_is_told_and_signed_out(
    make_app: MakeApp, drive: Drive, store_path: Path
) -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        me = drive(pilot)
        await me.start(name="Delme")
        await me.say("sorry-tell-me")
        with Store.open(store_path) as other:  # a tutor runs delete-learner meanwhile
            assert other.delete_learner("Delme") == 1
        await me.say("probe-fault")
        await pilot.pause()
        assert isinstance(app.screen, StartScreen)
        assert app.learner is None
        assert any("no longer in the store" in t and "erased" in t for t in toasts(app))
        assert app.is_running
    with Store.open(store_path) as store:
        assert store.sessions() == []  # nothing written after the erasure


async def test_a_session_continued_in_another_window_is_not_overwritten(
    make_app: MakeApp, drive: Drive, store_path: Path
) -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        me = drive(pilot)
        await me.start(name="Twin")
        await me.say("sorry-tell-me")
        screen = app.screen
        assert isinstance(screen, ConversationScreen)
        # a second window resumes the same session and replies there
        with Store.open(store_path) as other:
            record = other.session(screen.play.session_id)
            assert record is not None
            elsewhere = Playthrough.resume(other, record, screen.play.scenario, None)
            elsewhere.choose("probe-fault")
        await me.say("take-notes")
        await pilot.pause()
        assert isinstance(app.screen, BrowserScreen)
        assert any("continued in another window" in t for t in toasts(app))
        assert app.is_running
    assert turns_stored(store_path) == ["sorry-tell-me", "probe-fault"]


async def test_an_undo_does_not_take_back_a_reply_made_in_another_window(
    make_app: MakeApp, drive: Drive, store_path: Path
) -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        me = drive(pilot)
        await me.start(name="Twin")
        await me.say("sorry-tell-me")
        screen = app.screen
        assert isinstance(screen, ConversationScreen)
        with Store.open(store_path) as other:
            record = other.session(screen.play.session_id)
            assert record is not None
            Playthrough.resume(other, record, screen.play.scenario, None).choose("probe-fault")
        await pilot.press("u")
        await pilot.pause()
        assert isinstance(app.screen, BrowserScreen)
        assert any("continued in another window" in t for t in toasts(app))
    assert turns_stored(store_path) == ["sorry-tell-me", "probe-fault"]


async def test_a_busy_store_keeps_the_reply_unsaid_until_it_can_be_saved(
    make_app: MakeApp, drive: Drive, store_path: Path
) -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        me = drive(pilot)
        await me.start()
        await me.say("sorry-tell-me")
        lines, options = transcript(app), option_ids(app)
        app.store.db.execute("PRAGMA busy_timeout = 50")  # not the 10 s a learner would wait
        importer = sqlite3.connect(store_path, isolation_level=None)  # a long import
        importer.execute("BEGIN IMMEDIATE")
        await me.say("probe-fault")
        assert isinstance(app.screen, ConversationScreen)
        assert any("is busy" in t and "nothing was saved" in t for t in toasts(app))
        assert transcript(app) == lines and option_ids(app) == options  # not said
        assert app.screen.play.session.chosen_path() == ["sorry-tell-me"]
        await pilot.press("n")  # a note cannot be saved either: it stays in the box
        await me.type("call back")
        await pilot.press("enter")
        await pilot.pause()
        assert app.screen.query_one("#note-input").value == "call back"  # type: ignore[attr-defined]
        await pilot.press("escape")
        importer.execute("COMMIT")
        importer.close()
        await me.say("probe-fault")  # the same reply, once the import is over
        assert transcript(app)[len(lines)][1] != lines[-1][1]
    assert turns_stored(store_path) == ["sorry-tell-me", "probe-fault"]


async def test_a_resume_whose_choices_no_longer_play_is_refused_with_a_message(
    make_app: MakeApp, drive: Drive, store_path: Path
) -> None:
    scenario = open_scenario("faulty-kettle").scenario
    with Store.open(store_path) as store:  # an imported session naming an option not there
        learner = store.learner("Amy")
        sid = store.start_session(learner, scenario, "practice")
        store.db.execute(
            "INSERT INTO turns (session_id, seq, node, option, line, behaviours, variables, "
            "auto, at) VALUES (?, 1, ?, 'no-such-option', 'x', '[]', ?, 0, '2026-12-01')",
            (sid, scenario.start, json.dumps({})),
        )
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        me = drive(pilot)
        await me.sign_in("Amy")
        await me.open_scenario("faulty-kettle")
        assert isinstance(app.screen, ResumeDialog)
        await pilot.press("r")
        await pilot.pause()
        assert isinstance(app.screen, BrowserScreen)
        assert any(f"session {sid} cannot be resumed" in t for t in toasts(app))
        await pilot.press("s")  # My sessions: the same session, the same message
        await pilot.pause()
        assert isinstance(app.screen, SessionsScreen)
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, SessionsScreen)
        assert sum(f"session {sid} cannot be resumed" in t for t in toasts(app)) == 2
        assert app.is_running


async def test_a_scenario_stuck_at_its_first_node_says_so_then_goes_to_the_results(
    make_app: MakeApp, drive: Drive, store_path: Path
) -> None:
    app = make_app(scenario=str(FIXTURES / "stuck-start.scenario.yaml"))
    async with app.run_test(size=SIZE) as pilot:
        me = drive(pilot)
        await me.sign_in("Amy")
        await me.open_scenario("stuck-start")
        await me.assess(issue="other")
        await pilot.pause()
        assert isinstance(app.screen, ConversationScreen)  # what the customer said, first
        assert any("cannot go on" in t and "tell your tutor" in t for t in toasts(app))
        await pilot.press("enter")  # the one item: see your results
        await pilot.pause()
        assert isinstance(app.screen, ResultsScreen)
        assert app.is_running
    assert app.return_code in (0, None)


async def test_the_app_does_not_crash_when_a_reply_comes_after_the_end(
    make_app: MakeApp, drive: Drive
) -> None:
    """Keys already typed when the conversation ends (a fast typist) are ignored."""
    app = make_app(scenario=str(FIXTURES / "stuck-start.scenario.yaml"))
    async with app.run_test(size=SIZE) as pilot:
        me = drive(pilot)
        await me.sign_in("Amy")
        await me.open_scenario("stuck-start")
        await me.assess(issue="other", begin=False)
        await pilot.press("ctrl+s", "1", "enter")
        await pilot.pause()
        assert isinstance(app.screen, ResultsScreen)
        assert app.is_running
