"""The learner walkthrough's findings, driven as a learner would: every consequence seen, no
accidental reply, nothing typed lost, a shared computer safe (tests/test_ui.py has the rest)."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from test_ui import text_of
from textual.pilot import Pilot
from textual.widgets import Button, DataTable, Input, OptionList, Static

from simulator.store import Store
from simulator.ui.app import RoleplayApp
from simulator.ui.screens.conversation import RESULTS, ConversationScreen
from simulator.ui.screens.dialogs import TextCard
from simulator.ui.screens.results import ResultsScreen
from simulator.ui.screens.review import ReviewScreen
from simulator.ui.screens.sessions import SessionsScreen
from simulator.ui.widgets.meter import Meter
from simulator.ui.widgets.transcript import Message

SIZE = (80, 24)
MakeApp = Callable[..., RoleplayApp]
Drive = Callable[[Pilot[None]], Any]
WALK_OUT = "heads for the door"
"""From the kettle customer's last line when he walks out."""


def chat(app: RoleplayApp) -> str:
    """Every line of the conversation on screen, as one text."""
    return "\n".join(m.line.text for m in app.screen.query(Message))


def stored(store_path: Path) -> Any:
    with Store.open(store_path) as store:
        records = store.sessions()
        return store.session(records[0].id) if records else None


# -- 1. every consequence is seen ---------------------------------------------------------------
async def test_the_last_line_and_its_feedback_show_before_the_results(
    make_app: MakeApp, drive: Drive, poor_route: list[str]
) -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        me = drive(pilot)
        await me.start()
        await me.say(*poor_route, to_results=False)
        screen = app.screen
        assert isinstance(screen, ConversationScreen)  # not the results yet
        assert WALK_OUT in chat(app)
        feedback = screen.query_one("#feedback")
        assert feedback.display and text_of(screen.query_one("#feedback-text", Static))
        items = screen.query_one("#options", OptionList)
        assert items.option_count == 1 and items.get_option_at_index(0).id == RESULTS
        await pilot.press("3")  # a number does nothing now
        await pilot.pause()
        assert isinstance(app.screen, ConversationScreen)
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, ResultsScreen)


async def test_the_reply_that_ended_it_can_be_undone_from_the_last_line(
    make_app: MakeApp, drive: Drive, store_path: Path, poor_route: list[str]
) -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        me = drive(pilot)
        await me.start()
        await me.say(*poor_route, to_results=False)
        assert stored(store_path).state == "finished"
        await pilot.press("u")
        await pilot.pause()
        assert WALK_OUT not in chat(app)
        assert "threaten-leave" in [o.id for o in app.screen.play.options()]  # type: ignore[attr-defined]
        record = stored(store_path)
        assert record.state == "in_progress" and len(record.turns) == len(poor_route) - 1


async def test_assessment_mode_shows_the_meters_and_the_whole_debrief_at_the_end(
    make_app: MakeApp, drive: Drive, poor_route: list[str]
) -> None:
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        me = drive(pilot)
        await me.start(mode="assessment")
        assert not any(m.display for m in app.screen.query(Meter))
        await me.say(*poor_route, to_results=False)
        assert WALK_OUT in chat(app)
        assert all(m.display for m in app.screen.query(Meter))  # the end: the meters show
        assert not app.screen.query_one("#feedback").display  # feedback waits for the debrief
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, ResultsScreen)
        summary = text_of(app.screen.query_one("#summary", Static))
        assert summary.startswith("Assessment practice")
        recap = text_of(app.screen.query_one("#recap", Static))
        play = app.screen.play
        for item in play.recap():
            if item.chosen.feedback:
                assert item.chosen.feedback.split()[0] in recap
        assert "Feedback:" in recap and "Stronger:" in recap


# -- 2. feedback always fits ------------------------------------------------------------------
async def test_long_feedback_says_so_and_f_shows_all_of_it(make_app: MakeApp, drive: Drive) -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        me = drive(pilot)
        await me.start()
        await me.say("ask-receipt-first")
        screen = app.screen
        text = text_of(screen.query_one("#feedback-text", Static))
        panel = screen.query_one("#feedback")
        assert panel.max_scroll_y > 0  # this feedback does not fit at 80x24 ...
        assert "f shows all" in str(panel.border_title)  # ... and the panel names the key
        await pilot.press("f")
        await pilot.pause()
        assert isinstance(app.screen, TextCard)
        card = app.screen.query_one(Static)
        assert text_of(card) == text
        assert card.region.height >= len(text) // 70  # laid out in full, not cut
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, ConversationScreen)


# -- 6. no accidental replies -----------------------------------------------------------------
class Clock:
    """The reply guard's clock, moved on by the test: a slow machine never changes a result."""

    def __init__(self) -> None:
        self.now = 1000.0

    def monotonic(self) -> float:
        return self.now


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> Clock:
    from simulator.ui.screens import conversation

    fake = Clock()
    monkeypatch.setattr(conversation, "time", fake)  # only the guard's clock, not asyncio's
    return fake


async def test_a_key_pressed_twice_says_one_reply(
    make_app: MakeApp, drive: Drive, store_path: Path, clock: Clock
) -> None:
    app = make_app(guard=True)  # the guard as a learner has it
    async with app.run_test(size=SIZE) as pilot:
        me = drive(pilot)
        await me.start()
        await pilot.press(me.number_of("sorry-tell-me"))  # before the first options are read
        await pilot.pause()
        assert stored(store_path).turns == ()
        clock.now += app.reply_guard + 0.1
        number = me.number_of("sorry-tell-me")
        await pilot.press(number, number)  # as fast as a double press
        await pilot.pause()
        assert [t.option for t in stored(store_path).turns] == ["sorry-tell-me"]
        clock.now += app.reply_guard + 0.1  # once the new options have been seen
        await pilot.press(me.number_of("probe-fault"))
        await pilot.pause()
        assert [t.option for t in stored(store_path).turns] == ["sorry-tell-me", "probe-fault"]


async def test_enter_pressed_twice_does_not_skip_the_last_line(
    make_app: MakeApp, drive: Drive, poor_route: list[str], clock: Clock
) -> None:
    app = make_app(guard=True)
    async with app.run_test(size=SIZE) as pilot:
        me = drive(pilot)
        await me.start()
        for option_id in poor_route[:-1]:
            clock.now += app.reply_guard + 0.1
            await me.say(option_id)
        clock.now += app.reply_guard + 0.1
        await pilot.press(me.number_of(poor_route[-1]), "enter")  # the reply, and Enter at once
        await pilot.pause()
        assert isinstance(app.screen, ConversationScreen)
        assert WALK_OUT in chat(app)


# -- 9. notes stay reachable and are shown again ----------------------------------------------
async def test_a_long_note_leaves_the_box_in_reach_and_notes_show_on_results_and_review(
    make_app: MakeApp, drive: Drive, poor_route: list[str]
) -> None:
    long_note = "He bought it twelve days ago and has the bank app. " * 22  # ~1,100 characters
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        me = drive(pilot)
        await me.start()
        await pilot.press("n")
        box = app.screen.query_one("#note-input")
        box.value = long_note  # as pasted
        await pilot.press("enter")
        await me.type("second note")
        await pilot.press("enter")
        await pilot.pause()
        panel = app.screen.query_one("#notes-panel")
        assert box.region.height == 3 and panel.region.contains_region(box.region)
        assert app.focused is box
        assert "second note" in text_of(app.screen.query_one("#notes-list", Static))
        scroll = app.screen.query_one("#notes-scroll")
        assert scroll.scroll_y == scroll.max_scroll_y > 0  # the newest note in view
        await pilot.press("escape")
        await me.say(*poor_route)
        assert isinstance(app.screen, ResultsScreen)
        notes = text_of(app.screen.query_one("#results-notes", Static))
        assert "second note" in notes and "twelve days ago" in notes
        await pilot.press("r")
        await pilot.pause()
        assert isinstance(app.screen, ReviewScreen)
        assert "second note" in text_of(app.screen.query_one("#review-notes", Static))


# -- 22. the learner's own sheet --------------------------------------------------------------
async def test_w_on_the_results_saves_the_sheet_and_says_where(
    make_app: MakeApp, drive: Drive, poor_route: list[str], tmp_path: Path
) -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        me = drive(pilot)
        await me.start()
        await me.say(*poor_route)
        await pilot.press("w")
        await pilot.pause()
        said = " ".join(str(n.message) for n in app._notifications)
    html = sorted((tmp_path / "sheets").glob("*.html"))
    assert html[0].name == "session-1-faulty-kettle.html"  # named as the learner knows it
    assert len(html) == 1 and str(html[0]) in said
    assert WALK_OUT in html[0].read_text(encoding="utf-8")  # the sheet has the final line
    assert html[0].with_suffix(".md").exists()


# -- 10. a shared computer is safe ------------------------------------------------------------
async def test_the_next_learner_is_not_signed_in_as_the_last(
    make_app: MakeApp, drive: Drive, poor_route: list[str]
) -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:  # learner A plays and reviews
        me = drive(pilot)
        await me.start(name="Amy Khan", mode="assessment")
        await me.say(*poor_route)
        await me.review("A's strengths", "A's weaknesses")
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:  # learner B sits down at the same computer
        me = drive(pilot)
        await me.start_screen_ready()
        screen = app.screen
        assert "Continue as Amy Khan" in str(screen.query_one("#continue-as", Button).label)
        assert not screen.query(Input)  # nothing of A's is in a box to sign in with
        await pilot.press("tab", "enter")  # Someone else
        await pilot.pause()
        name = screen.query_one("#name", Input)
        assert app.focused is name and name.value == ""
        assert screen.query_one("#learner-ref", Input).value == ""
        assert screen.query_one("#group", Input).value == ""
        assert screen.query_one("#practice").value is True  # A's mode was A's
        await me.type("Ben Ode")
        await pilot.press("enter")
        await pilot.pause()
        assert app.learner is not None and app.learner.name == "Ben Ode"
        await pilot.press("s")  # My sessions: B's, and none of A's
        await pilot.pause()
        assert isinstance(app.screen, SessionsScreen)
        assert app.screen.records() == []
    prefs = json.loads((app.store.prefs_path).read_text())
    assert prefs["name"] == "Ben Ode" and prefs["learner_ref"] == ""


async def test_continue_as_signs_the_last_learner_back_in(
    make_app: MakeApp, drive: Drive, poor_route: list[str]
) -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        me = drive(pilot)
        await me.start(name="Amy Khan")
        await me.say(*poor_route)
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        me = drive(pilot)
        await me.sign_in(name=None)  # Enter on "Continue as Amy Khan"
        assert app.learner is not None and app.learner.name == "Amy Khan"
        await pilot.press("s")
        await pilot.pause()
        assert len(app.screen.records()) == 1  # type: ignore[attr-defined]


# -- 23. the list keeps your place ------------------------------------------------------------
async def test_back_from_a_conversation_the_list_is_where_it_was(
    make_app: MakeApp, drive: Drive
) -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        me = drive(pilot)
        await me.start("router-helpline")
        await pilot.press("escape")  # leave; resume later
        await pilot.pause()
        table = app.screen.query_one(DataTable)
        assert table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value == (
            "router-helpline"
        )


# -- 14. the header shows mode and qualification, whatever the name ------------------------------
async def test_the_header_names_mode_and_qualification_before_a_long_name(
    make_app: MakeApp, drive: Drive
) -> None:
    long_name = "[bold]Zoë[/] O'Brien-[red]Ñandú[/red] Featherstonehaugh-Cholmondeley the Third"
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        me = drive(pilot)
        await me.sign_in(long_name, mode="assessment")
        header = f"{app.title} — {app.screen.sub_title}"
        assert header.index("Assessment practice · OCR Unit 7") + 33 < 70  # fits at 80 columns
        assert header.endswith(long_name)  # the name last: it is what gets cut
        await me.open_scenario("faulty-kettle")
        await me.assess()
        assert app.screen.sub_title.startswith("Assessment practice · OCR Unit 7 · Faulty kettle")


# -- 17. on and off differ by glyph ------------------------------------------------------------
async def test_chosen_buttons_and_ticks_show_a_glyph_not_only_a_colour(
    make_app: MakeApp, drive: Drive
) -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        me = drive(pilot)
        await me.start_screen_ready()
        practice, assessment = (
            app.screen.query_one("#practice"),
            app.screen.query_one("#assessment"),
        )
        assert "▐●▌" in str(practice.render()) and "▐ ▌" in str(assessment.render())
        await me.sign_in()
        await me.open_scenario("faulty-kettle")
        await me.assess("product_faulty", ["external"], ["angry"], begin=False)
        screen = app.screen
        issue = screen.query_one("#issue-product_faulty")
        other = screen.query_one("#issue-other")
        assert "▐●▌" in str(issue.render()) and "▐ ▌" in str(other.render())
        ticks = screen.query_one("#indicators")
        rows = [ticks.render_line(y).text for y in range(3)]
        angry = next(r for r in rows if "angry" in r)
        assert angry.startswith("▐X▌")
        assert all(r.startswith("▐ ▌") for r in rows if r.strip() and "angry" not in r)


# -- 20. My sessions in the learner's own time, with outcome and grade -------------------------
async def test_my_sessions_shows_local_time_outcome_and_grade(
    make_app: MakeApp, drive: Drive, poor_route: list[str], monkeypatch: Any, store_path: Path
) -> None:
    import datetime
    import time

    monkeypatch.setenv("TZ", "Asia/Kolkata")  # UTC+5:30, so a UTC time cannot pass for it
    time.tzset()
    try:
        app = make_app()
        async with app.run_test(size=SIZE) as pilot:
            me = drive(pilot)
            await me.start()
            await me.say(*poor_route)
            await pilot.press("escape")
            await pilot.pause()
            await pilot.press("s")
            await pilot.pause()
            table = app.screen.query_one(DataTable)
            headers = [str(c.label) for c in table.columns.values()]
            assert headers == ["When", "Scenario", "Outcome", "Grade", "Written", "Mode"]
            row = [str(c) for c in table.get_row_at(0)]
        started = datetime.datetime.fromisoformat(stored(store_path).started).astimezone()
        assert row[0] == f"{started.day} {started:%b %H:%M}"
        assert row[2:] == ["Customer lost", "Not yet", "–", "Practice"]
    finally:
        monkeypatch.delenv("TZ")
        time.tzset()
