"""Joining a lesson, driven by keys as a learner would: the join code, the lesson and its roster,
picking oneself (by name or by learner id), then the lesson's rubric, mode and scenarios."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
from textual.pilot import Pilot
from textual.widgets import DataTable, Input, OptionList, Select, Static

from simulator.lessons import Lesson, add_to_roster, create_lesson
from simulator.store import Store
from simulator.ui.app import RoleplayApp
from simulator.ui.screens.browser import BrowserScreen
from simulator.ui.screens.conversation import ConversationScreen
from simulator.ui.screens.lesson import JoinScreen
from simulator.ui.screens.start import StartScreen

SIZE = (80, 24)
MakeApp = Callable[..., RoleplayApp]
Drive = Callable[[Pilot[None]], Any]
CLASS = [
    ("22014", "Amy Khan"),
    ("22015", "Amir Hussain"),
    ("0012345", "Daniel Okafor"),
    *[(f"3{n:04d}", f"Learner {n:02d} Example") for n in range(27)],
]
"""Thirty learners, as a college's roster has them."""


def set_up(store_path: Path, **lesson: Any) -> Lesson:
    """A roster for BTEC-1 and a lesson for it (router-helpline, Unit 7, assessment practice)."""
    with Store.open(store_path) as store:
        add_to_roster(store, "BTEC-1", CLASS)
        settings: dict[str, Any] = {"rubric": "ocr-l2-unit7", "mode": "assessment"} | lesson
        return create_lesson(store, "BTEC-1", ["router-helpline"], **settings)


def message(app: RoleplayApp) -> str:
    return str(app.screen.query_one("#join-message", Static).render())


async def join(pilot: Pilot[None], drive: Drive, code: str) -> None:
    """From the start screen: Ctrl+L, type the join code, Enter."""
    me = drive(pilot)
    await me.start_screen_ready()
    await pilot.press("ctrl+l")
    await pilot.pause()
    assert isinstance(pilot.app.screen, JoinScreen)
    assert pilot.app.focused is pilot.app.screen.query_one("#join-code", Input)
    await me.type(code)
    await pilot.press("enter")
    await pilot.pause()


def names(app: RoleplayApp) -> list[str]:
    listing = app.screen.query_one("#roster-list", OptionList)
    return [str(listing.get_option_at_index(n).prompt) for n in range(listing.option_count)]


async def test_a_learner_joins_picks_themselves_and_plays_the_lessons_scenario(
    make_app: MakeApp, drive: Drive, store_path: Path
) -> None:
    made = set_up(store_path, title="Week 3: the helpline")
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await join(pilot, drive, made.code.lower())  # any case
        screen = app.screen
        about = str(screen.query_one("#lesson-about", Static).render())
        assert "Week 3: the helpline" in about and "BTEC-1" in about
        assert app.focused is screen.query_one("#find", Input)
        assert len(names(app)) == 30
        await drive(pilot).type("am")  # type-to-filter
        assert names(app) == ["Amir Hussain", "Amy Khan"]
        await drive(pilot).type("y")
        assert names(app) == ["Amy Khan"]
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, BrowserScreen)
        assert app.learner is not None
        assert (app.learner.name, app.learner.learner_ref, app.learner.group) == (
            "Amy Khan", "22014", "BTEC-1",
        )  # fmt: skip
        assert app.mode == "assessment" and app.rubric is not None
        assert app.rubric.id == "ocr-l2-unit7"
        table = app.screen.query_one(DataTable)
        first = table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value
        assert table.cursor_row == 0 and first == "router-helpline"  # the lesson's, first
        await pilot.press("enter")
        await pilot.pause()
        await drive(pilot).assess()
        assert isinstance(app.screen, ConversationScreen)
        assert app.screen.play.mode == "assessment"
    with sqlite3.connect(store_path) as db:
        rows = db.execute("SELECT scenario_id, mode, lesson_code FROM sessions").fetchall()
    assert rows == [("router-helpline", "assessment", made.code)]


async def test_picking_from_the_list_by_keys_alone(
    make_app: MakeApp, drive: Drive, store_path: Path
) -> None:
    made = set_up(store_path)
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await join(pilot, drive, made.code)
        await drive(pilot).type("am")
        await pilot.press("enter")  # two match: it says what to do
        await pilot.pause()
        assert isinstance(app.screen, JoinScreen)
        assert "2 names match" in message(app)
        await pilot.press("down")  # into the list, on the first
        assert app.focused is app.screen.query_one("#roster-list", OptionList)
        await pilot.press("down", "enter")
        await pilot.pause()
        assert isinstance(app.screen, BrowserScreen)
        assert app.learner is not None and app.learner.name == "Amy Khan"


async def test_a_learner_id_on_the_roster_signs_in_and_one_not_on_it_does_not(
    make_app: MakeApp, drive: Drive, store_path: Path
) -> None:
    made = set_up(store_path)
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await join(pilot, drive, made.code)
        await drive(pilot).type("99999")
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, JoinScreen) and app.learner is None
        assert "Learner id 99999 is not on the list for BTEC-1" in message(app)
        find = app.screen.query_one("#find", Input)
        find.value = ""
        await drive(pilot).type("Zed Nobody")
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, JoinScreen) and app.learner is None
        assert "Nobody called Zed Nobody is on the list" in message(app)
        find.value = ""
        await drive(pilot).type("0012345")
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, BrowserScreen)
        assert app.learner is not None
        assert (app.learner.name, app.learner.learner_ref) == ("Daniel Okafor", "0012345")


@pytest.mark.parametrize(
    ("dates", "says"),
    [
        ({"closes": (date.today() - timedelta(days=1)).isoformat()}, "closed on"),
        ({"opens": (date.today() + timedelta(days=1)).isoformat()}, "opens on"),
    ],
)
async def test_a_closed_lesson_gives_no_access(
    make_app: MakeApp, drive: Drive, store_path: Path, dates: dict[str, str], says: str
) -> None:
    made = set_up(store_path, **dates)
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await join(pilot, drive, made.code)
        assert says in message(app) and "ask your tutor" in message(app)
        assert not app.screen.query_one("#join-roster").display  # no names shown
        assert app.learner is None


async def test_a_wrong_code_gives_no_access_and_esc_goes_back(
    make_app: MakeApp, drive: Drive, store_path: Path
) -> None:
    set_up(store_path)
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await join(pilot, drive, "QQQQQQ")
        assert "There is no lesson with the join code 'QQQQQQ'" in message(app)
        assert not app.screen.query_one("#join-roster").display
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, StartScreen) and app.learner is None


async def test_a_lesson_without_a_roster_says_so(
    make_app: MakeApp, drive: Drive, store_path: Path
) -> None:
    with Store.open(store_path) as store:
        made = create_lesson(store, "NO-LIST", ["faulty-kettle"], None)
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await join(pilot, drive, made.code)
        assert "Group NO-LIST has no list of learners yet" in message(app)
        assert not app.screen.query_one("#join-roster").display


async def test_practising_alone_after_a_lesson_is_not_in_the_lesson(
    make_app: MakeApp, drive: Drive, store_path: Path
) -> None:
    made = set_up(store_path)
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await join(pilot, drive, made.code)
        await drive(pilot).type("Amy")
        await pilot.press("enter")
        await pilot.pause()
        assert app.lesson == made
        await pilot.press("escape")  # change learner
        await pilot.pause()
        me = drive(pilot)
        await me.start("faulty-kettle", name="Sam Jones")
        assert app.lesson is None and app.mode == "practice"
        assert isinstance(app.screen, ConversationScreen)
    with sqlite3.connect(store_path) as db:
        rows = db.execute("SELECT scenario_id, mode, lesson_code FROM sessions").fetchall()
    assert rows == [("faulty-kettle", "practice", None)]


async def test_a_lesson_without_a_rubric_lets_the_learner_choose_one_but_not_the_mode(
    make_app: MakeApp, drive: Drive, store_path: Path
) -> None:
    made = set_up(store_path, rubric=None, mode="practice")
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await join(pilot, drive, made.code)
        rubric = app.screen.query_one("#join-rubric", Select)
        assert isinstance(rubric.value, str)
        chosen = rubric.value
        assert not app.screen.query("#mode")  # no mode to choose: the lesson's applies
        await drive(pilot).type("Daniel")
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, BrowserScreen)
        assert app.rubric is not None and app.rubric.id == chosen and app.mode == "practice"


async def test_a_lesson_scenario_missing_here_is_named(
    make_app: MakeApp, drive: Drive, store_path: Path
) -> None:
    with Store.open(store_path) as store:
        add_to_roster(store, "BTEC-1", CLASS)
        made = create_lesson(store, "BTEC-1", ["tutors-own", "faulty-kettle"], "ocr-l2-unit7")
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await join(pilot, drive, made.code)
        await drive(pilot).type("Amy")
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, BrowserScreen)
        assert any("Not on this computer: tutors-own" in n.message for n in app._notifications)
        table = app.screen.query_one(DataTable)
        assert table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value == (
            "faulty-kettle"
        )


async def test_another_code_typed_after_a_lesson_was_found_hides_its_names(
    make_app: MakeApp, drive: Drive, store_path: Path
) -> None:
    made = set_up(store_path)
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await join(pilot, drive, made.code)
        assert app.screen.query_one("#join-roster").display
        await pilot.press("shift+tab")  # back to the code
        code = app.screen.query_one("#join-code", Input)
        assert app.focused is code
        code.value = ""
        await drive(pilot).type("QQQQQQ")
        await pilot.press("enter")
        await pilot.pause()
        assert "no lesson with the join code 'QQQQQQ'" in message(app)
        assert not app.screen.query_one("#join-roster").display
        assert isinstance(app.screen, JoinScreen) and app.screen.lesson is None


async def test_a_tutors_own_scenario_is_played_from_the_stores_copy_when_the_file_is_not_here(
    make_app: MakeApp, drive: Drive, store_path: Path, tmp_path: Path
) -> None:
    from simulator.cli import main

    own = tmp_path / "tutors-kettle.scenario.yaml"  # a tutor's own scenario: a bundled one renamed
    text = (Path(__file__).parent.parent / "scenarios" / "faulty-kettle.scenario.yaml").read_text()
    own.write_text(text.replace("id: faulty-kettle", "id: tutors-kettle", 1))
    with Store.open(store_path) as store:
        add_to_roster(store, "BTEC-1", CLASS)
    argv = ["lesson", "new", "--group", "BTEC-1", "--scenario", str(own), "--store"]
    assert main([*argv, str(store_path)]) == 0
    with Store.open(store_path) as store:
        (code,) = [r[0] for r in store.db.execute("SELECT code FROM lessons")]
    own.unlink()  # the learner's computer has no copy of the file
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await join(pilot, drive, code)
        await drive(pilot).type("Amy")
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, BrowserScreen)
        assert not any("Not on this computer" in n.message for n in app._notifications)
        table = app.screen.query_one(DataTable)
        assert table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value == (
            "tutors-kettle"
        )
        await pilot.press("enter")  # play it: on to the assessment of the situation
        await pilot.pause()
        from simulator.ui.screens.cause import CauseScreen

        assert isinstance(app.screen, CauseScreen)
        assert "Faulty kettle" in str(app.screen.query_one("#cause-brief", Static).render())
