"""SVG snapshots of every screen at 80x24 and 120x40 (pytest-textual-snapshot).

Regenerate with ``pytest tests/test_ui_snapshots.py --snapshot-update`` and look at every changed
image before committing it. Each app plays on a fresh store in tmp_path, so nothing from the
machine (names, earlier sessions, settings) shows; cursors are kept still and notifications are
cleared before the picture is taken.
"""

from __future__ import annotations

import sqlite3
import time
from collections.abc import Awaitable, Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from textual.pilot import Pilot
from textual.widgets import Input, TextArea

from simulator.ui.app import RoleplayApp
from simulator.ui.screens.start import StartScreen

PARCEL = Path(__file__).parent / "fixtures" / "ui" / "parcel-call.scenario.yaml"
"""A small call judged against Unit 7, with a serious error (kept still while the bundled
scenarios change)."""

SIZES = pytest.mark.parametrize("size", [(80, 24), (120, 40)], ids=["80x24", "120x40"])

MakeApp = Callable[..., RoleplayApp]
Drive = Callable[[Pilot[None]], Any]
Steps = Callable[[Pilot[None]], Awaitable[None]]


@pytest.fixture(autouse=True)
def utc_clock(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Times show in the learner's time zone: the pictures are taken in UTC, wherever they run."""
    monkeypatch.setenv("TZ", "UTC")
    time.tzset()
    yield
    monkeypatch.undo()
    time.tzset()


async def steady(pilot: Pilot[None]) -> None:
    """Stop cursors blinking and clear notifications, so the picture is the same every run."""
    app = pilot.app
    await pilot.pause()
    while isinstance(app.screen, StartScreen) and not app.screen.query("#rubric"):
        await pilot.pause()  # the qualifications load just after the first frame
    for screen in app.screen_stack:
        for widget in [*screen.query(Input), *screen.query(TextArea)]:
            widget.cursor_blink = False
    app.clear_notifications()
    await pilot.pause()


def then_steady(steps: Steps) -> Steps:
    """Run the steps, then steady the screen."""

    async def run(pilot: Pilot[None]) -> None:
        await steps(pilot)
        await steady(pilot)

    return run


@SIZES
def test_start(snap_compare: Any, make_app: MakeApp, size: tuple[int, int]) -> None:
    """Who is playing: an empty name box with the cursor in it."""
    assert snap_compare(make_app(), terminal_size=size, run_before=steady)


@SIZES
def test_browser(snap_compare: Any, make_app: MakeApp, drive: Drive, size: tuple[int, int]) -> None:
    """The scenario list with the first scenario's preview."""

    async def steps(pilot: Pilot[None]) -> None:
        await drive(pilot).sign_in("Amy Khan")

    assert snap_compare(make_app(), terminal_size=size, run_before=then_steady(steps))


@SIZES
def test_cause(snap_compare: Any, make_app: MakeApp, drive: Drive, size: tuple[int, int]) -> None:
    """P1 before the conversation, with the issue chosen and two indicators ticked."""

    async def steps(pilot: Pilot[None]) -> None:
        me = drive(pilot)
        await me.sign_in("Amy Khan")
        await me.open_scenario("faulty-kettle")
        await me.assess("product_faulty", indicators=["angry", "frustrated"], begin=False)

    assert snap_compare(make_app(), terminal_size=size, run_before=then_steady(steps))


async def assess_in_own_words(pilot: Pilot[None], drive: Drive) -> None:
    """Open the parcel call and assess it: picks, then both boxes written."""
    me = drive(pilot)
    await me.sign_in("Amy Khan")
    await me.open_scenario("parcel-call")
    await me.assess("goods_not_delivered", characteristics=["age"], indicators=["upset"],
                    begin=False)  # fmt: skip
    await pilot.press("tab")
    await me.type("Her parcel was due on Monday and has not come")
    await pilot.press("tab")
    await me.type("She is upset and unsure what happens next")


@SIZES
def test_cause_own_words(
    snap_compare: Any, make_app: MakeApp, drive: Drive, size: tuple[int, int]
) -> None:
    """P1 kept back in the list; on the cause screen, both boxes written in the learner's words."""

    async def steps(pilot: Pilot[None]) -> None:
        await assess_in_own_words(pilot, drive)

    app = make_app(scenario=str(PARCEL))
    assert snap_compare(app, terminal_size=size, run_before=then_steady(steps))


@SIZES
def test_results_serious_error(
    snap_compare: Any, make_app: MakeApp, drive: Drive, size: tuple[int, int]
) -> None:
    """No grade: a data-protection breach never put right, first; a misstated right put right."""

    async def steps(pilot: Pilot[None]) -> None:
        await assess_in_own_words(pilot, drive)
        await pilot.press("ctrl+s")
        await pilot.pause()
        await drive(pilot).say("read-address", "misstate", "put-right", "send-new")

    app = make_app(scenario=str(PARCEL))
    assert snap_compare(app, terminal_size=size, run_before=then_steady(steps))


async def two_replies(pilot: Pilot[None], drive: Drive) -> None:
    """Reach the faulty kettle in practice mode and say two things."""
    me = drive(pilot)
    await me.sign_in("Amy Khan")
    await me.open_scenario("faulty-kettle")
    await me.assess()
    await me.say("sorry-tell-me", "probe-fault")


@SIZES
def test_conversation(
    snap_compare: Any, make_app: MakeApp, drive: Drive, size: tuple[int, int]
) -> None:
    """The conversation after two replies, with practice feedback and the meters."""

    async def steps(pilot: Pilot[None]) -> None:
        await two_replies(pilot, drive)

    assert snap_compare(make_app(), terminal_size=size, run_before=then_steady(steps))


@SIZES
def test_conversation_notes_high_contrast(
    snap_compare: Any, make_app: MakeApp, drive: Drive, size: tuple[int, int]
) -> None:
    """The high-contrast theme (F2), with the notes panel open and a note saved."""

    async def steps(pilot: Pilot[None]) -> None:
        await two_replies(pilot, drive)
        await pilot.press("f2", "n")
        await drive(pilot).type("12 days old")
        await pilot.press("enter")

    assert snap_compare(make_app(), terminal_size=size, run_before=then_steady(steps))


@SIZES
def test_policy_card(
    snap_compare: Any, make_app: MakeApp, drive: Drive, size: tuple[int, int]
) -> None:
    """The policy and authority card over the conversation."""

    async def steps(pilot: Pilot[None]) -> None:
        await two_replies(pilot, drive)
        await pilot.press("p")

    assert snap_compare(make_app(), terminal_size=size, run_before=then_steady(steps))


@SIZES
def test_help(snap_compare: Any, make_app: MakeApp, drive: Drive, size: tuple[int, int]) -> None:
    """Every key, over the conversation."""

    async def steps(pilot: Pilot[None]) -> None:
        await two_replies(pilot, drive)
        await pilot.press("question_mark")

    assert snap_compare(make_app(), terminal_size=size, run_before=then_steady(steps))


@SIZES
def test_results(
    snap_compare: Any,
    make_app: MakeApp,
    drive: Drive,
    distinction_route: list[str],
    size: tuple[int, int],
) -> None:
    """The results of the faulty kettle played to a Distinction in practice mode."""

    async def steps(pilot: Pilot[None]) -> None:
        me = drive(pilot)
        await me.sign_in("Amy Khan")
        await me.open_scenario("faulty-kettle")
        await me.assess()
        await me.say(*distinction_route)

    assert snap_compare(make_app(), terminal_size=size, run_before=then_steady(steps))


@SIZES
def test_results_poor_route(
    snap_compare: Any, make_app: MakeApp, drive: Drive, poor_route: list[str], size: tuple[int, int]
) -> None:
    """A poor route: not yet, with concerns, scrolled to the route recap with stronger options."""

    async def steps(pilot: Pilot[None]) -> None:
        me = drive(pilot)
        await me.sign_in("Amy Khan")
        await me.open_scenario("faulty-kettle")
        await me.assess()
        await me.say(*poor_route)
        await pilot.press("end")

    assert snap_compare(make_app(), terminal_size=size, run_before=then_steady(steps))


@SIZES
def test_review(
    snap_compare: Any, make_app: MakeApp, drive: Drive, poor_route: list[str], size: tuple[int, int]
) -> None:
    """The review form with the first box typed in."""

    async def steps(pilot: Pilot[None]) -> None:
        me = drive(pilot)
        await me.sign_in("Amy Khan")
        await me.open_scenario("faulty-kettle")
        await me.assess()
        await me.say(*poor_route)
        await pilot.press("r")
        await me.type("I kept calm")

    assert snap_compare(make_app(), terminal_size=size, run_before=then_steady(steps))


@SIZES
def test_resume_dialog(
    snap_compare: Any, make_app: MakeApp, drive: Drive, size: tuple[int, int]
) -> None:
    """Choosing a scenario with an unfinished session asks whether to resume it."""

    async def steps(pilot: Pilot[None]) -> None:
        await two_replies(pilot, drive)
        await pilot.press("escape")
        await steady(pilot)  # the "Saved" notification would stay on the list behind the dialog
        await drive(pilot).open_scenario("faulty-kettle")

    assert snap_compare(make_app(), terminal_size=size, run_before=then_steady(steps))


@SIZES
def test_my_sessions(
    snap_compare: Any,
    make_app: MakeApp,
    drive: Drive,
    poor_route: list[str],
    store_path: Path,
    size: tuple[int, int],
) -> None:
    """My sessions: one finished without a review, one left unfinished."""

    async def steps(pilot: Pilot[None]) -> None:
        me = drive(pilot)
        await me.sign_in("Amy Khan")
        await me.open_scenario("faulty-kettle")
        await me.assess()
        await me.say(*poor_route)
        await pilot.press("escape")
        await pilot.pause()
        await me.open_scenario("router-helpline")
        await me.assess("lack_of_understanding")
        await pilot.press("escape")
        await pilot.pause()
        with sqlite3.connect(store_path) as db:  # fixed times, so the picture is the same
            db.execute("UPDATE sessions SET started = '2026-11-30T10:1' || id || ':00+00:00'")
        await pilot.press("s")

    assert snap_compare(make_app(), terminal_size=size, run_before=then_steady(steps))


def _observe_app(store_path: Path) -> Any:
    """The observer's screen on a new observed session of the parcel call."""
    from simulator.catalog import open_rubric, open_scenario
    from simulator.observe_commands import begin_observation
    from simulator.store import Store
    from simulator.ui.observe import ObserveApp

    store = Store.open(store_path)
    scenario = open_scenario(str(PARCEL)).scenario
    play = begin_observation(
        store, scenario, None, open_rubric("ocr-l2-unit7"), "Amy Khan", None, None, "R. Patel"
    )
    return ObserveApp(play, "R. Patel")


@SIZES
def test_observe(snap_compare: Any, store_path: Path, size: tuple[int, int]) -> None:
    """Observing: the customer's line to read out, the agent's replies and "something else"."""
    assert snap_compare(_observe_app(store_path), terminal_size=size, run_before=steady)


@SIZES
def test_observe_own_words(snap_compare: Any, store_path: Path, size: tuple[int, int]) -> None:
    """After "something else" and the agent's words: which reply was it closest to?"""

    async def steps(pilot: Pilot[None]) -> None:
        await pilot.press("0")
        await pilot.pause()
        await pilot.press(*"Sorry, what's your postcode?", "enter")

    assert snap_compare(_observe_app(store_path), terminal_size=size, run_before=then_steady(steps))


def _lesson_app(store_path: Path, make_app: MakeApp, monkeypatch: pytest.MonkeyPatch) -> Any:
    """The app on a store with BTEC-1's roster of thirty and a lesson for it, code K7QX3M."""
    from simulator import lessons
    from simulator.store import Store

    monkeypatch.setattr(lessons, "new_code", lambda taken=(): "K7QX3M")
    with Store.open(store_path) as store:
        lessons.add_to_roster(
            store,
            "BTEC-1",
            [("22014", "Amy Khan"), ("22015", "Amir Hussain"), ("0012345", "Daniel Okafor")]
            + [(f"3{n:04d}", f"Learner {n:02d} Example") for n in range(27)],
        )
        lessons.create_lesson(
            store, "BTEC-1", ["router-helpline"], "ocr-l2-unit7", "assessment",
            title="Week 3: the helpline",
        )  # fmt: skip
    return make_app()


@SIZES
def test_join_lesson_wrong_code(
    snap_compare: Any,
    make_app: MakeApp,
    store_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    size: tuple[int, int],
) -> None:
    """Joining a lesson: a join code that is no lesson's, and what the learner is told."""

    async def steps(pilot: Pilot[None]) -> None:
        await steady(pilot)
        await pilot.press("ctrl+l")
        await pilot.pause()
        await pilot.press(*"K7QX3N", "enter")

    app = _lesson_app(store_path, make_app, monkeypatch)
    assert snap_compare(app, terminal_size=size, run_before=then_steady(steps))


@SIZES
def test_join_lesson_roster(
    snap_compare: Any,
    make_app: MakeApp,
    store_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    size: tuple[int, int],
) -> None:
    """Joining a lesson: the lesson found, and its roster of thirty to pick oneself from."""

    async def steps(pilot: Pilot[None]) -> None:
        await steady(pilot)
        await pilot.press("ctrl+l")
        await pilot.pause()
        await pilot.press(*"k7qx3m", "enter")

    app = _lesson_app(store_path, make_app, monkeypatch)
    assert snap_compare(app, terminal_size=size, run_before=then_steady(steps))


@SIZES
def test_join_lesson_filtered(
    snap_compare: Any,
    make_app: MakeApp,
    store_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    size: tuple[int, int],
) -> None:
    """Joining a lesson: "am" typed, two names left, and Enter said what to do."""

    async def steps(pilot: Pilot[None]) -> None:
        await steady(pilot)
        await pilot.press("ctrl+l")
        await pilot.pause()
        await pilot.press(*"k7qx3m", "enter")
        await pilot.pause()
        await pilot.press("a", "m", "enter")

    app = _lesson_app(store_path, make_app, monkeypatch)
    assert snap_compare(app, terminal_size=size, run_before=then_steady(steps))


# -- the projector debrief (roleplay debrief) ---------------------------------------------------
def _debrief_app(tmp_path: Path) -> Any:
    """The debrief of a small class: three learners, one with a repeat visit."""
    from simulator.catalog import open_rubric
    from simulator.debrief import build_debrief
    from simulator.lint import bundled_behaviours
    from simulator.store import Store
    from simulator.ui.debrief import DebriefApp
    from tests.test_debrief import KETTLE, save

    with Store.open(tmp_path / "debrief.sqlite3") as store:
        save(store, "Amy Khan", "BTEC-1", ["ask-receipt-first", "defend-shop", "threaten-leave"])
        save(store, "Ben Ode", "BTEC-1", ["ask-receipt-first", "listen-properly"])
        save(store, "Cal Reyes", "BTEC-1", ["sorry-tell-me", "probe-fault"])
        records = store.sessions(group="BTEC-1", full=True)
    rubric = open_rubric("ocr-l2-unit7")
    return DebriefApp(build_debrief(KETTLE, records, "group BTEC-1", rubric, bundled_behaviours()))


@SIZES
def test_debrief_choices(snap_compare: Any, tmp_path: Path, size: tuple[int, int]) -> None:
    """The first decision point: what the customer said, bars and counts, the question."""
    assert snap_compare(_debrief_app(tmp_path), terminal_size=size)


@SIZES
def test_debrief_feedback(snap_compare: Any, tmp_path: Path, size: tuple[int, int]) -> None:
    """The first decision point's feedback on each reply."""
    assert snap_compare(_debrief_app(tmp_path), terminal_size=size, press=["right"])


@SIZES
def test_debrief_hardest(snap_compare: Any, tmp_path: Path, size: tuple[int, int]) -> None:
    """The last screen: the criteria the class found hardest."""
    assert snap_compare(_debrief_app(tmp_path), terminal_size=size, press=["end"])


# -- the tutor's live view (roleplay watch) ------------------------------------------------------
def _watch_app(tmp_path: Path) -> Any:
    """The live view of test_watch's class, at a fixed moment, reading only when told."""
    from test_watch import classroom, make_class_store

    from simulator.ui.watch import WatchApp

    return WatchApp(classroom(make_class_store(tmp_path / "class.sqlite3")), interval=0)


@SIZES
def test_watch_class(snap_compare: Any, tmp_path: Path, size: tuple[int, int]) -> None:
    """The class: a serious error first, then the learner waiting longest, those not started,
    the finished with their grades; the summary line above."""
    assert snap_compare(_watch_app(tmp_path), terminal_size=size)


@SIZES
def test_watch_transcript(snap_compare: Any, tmp_path: Path, size: tuple[int, int]) -> None:
    """Enter on the top learner: her serious error, then her conversation so far."""
    assert snap_compare(_watch_app(tmp_path), terminal_size=size, press=["enter"])
