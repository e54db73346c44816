"""The projector debrief: counts of first choices at each decision point, the criteria the class
found hardest, its errors, and its screens driven by keys."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from simulator.catalog import open_rubric, open_scenario
from simulator.cli import main
from simulator.debrief import Debrief, build_debrief, conversation_order, discussion_prompt
from simulator.debrief import ReplyCount as Reply
from simulator.engine import Session
from simulator.lessons import create_lesson
from simulator.lint import bundled_behaviours
from simulator.store import Store
from simulator.ui.debrief import DebriefApp
from tests.conftest import DISTINCTION_ROUTE

KETTLE = open_scenario("faulty-kettle").scenario


def save(
    store: Store,
    name: str,
    group: str,
    choices: list[str],
    lesson: str | None = None,
    version: int | None = None,
) -> int:
    """Store a session of the faulty kettle played by ``name`` with these choices."""
    learner = store.learner(name, None, group)
    sid = store.start_session(learner, KETTLE, "practice", "ocr-l2-unit7", 1, lesson_code=lesson)
    session = Session.start(KETTLE)
    for choice in choices:
        before = len(session.steps)
        session.choose(choice)
        store.record_steps(sid, session, session.steps[before:], 1000)
    if version is not None:
        store.db.execute("UPDATE sessions SET scenario_version = ? WHERE id = ?", (version, sid))
        store.db.commit()
    return sid


@pytest.fixture
def class_store(tmp_path: Path) -> Iterator[Path]:
    """Group BTEC-1: Amy twice (a repeat visit in her first session), Ben, Cal to a
    Distinction; Dee in another group; Eve on an older version of the scenario."""
    path = tmp_path / "class.sqlite3"
    with Store.open(path) as store:
        # Amy: opening -> vent-again (defend-shop) -> vent-again again (threaten-leave)
        save(store, "Amy Khan", "BTEC-1", ["ask-receipt-first", "defend-shop", "threaten-leave"])
        save(store, "Ben Ode", "BTEC-1", ["ask-receipt-first", "listen-properly"])
        save(store, "Cal Reyes", "BTEC-1", DISTINCTION_ROUTE)
        # Amy again: her first visit to the opening was in her first session, so not counted
        save(store, "Amy Khan", "BTEC-1", ["sorry-tell-me", "probe-fault"])
        save(store, "Dee Nash", "BTEC-2", ["calm-down-sir"])
        save(store, "Eve Ames", "BTEC-1", ["calm-down-sir"], version=1)
    yield path


def debrief_json(store: Path, *args: str) -> tuple[int, dict[str, object]]:
    """Run ``roleplay debrief ... --json``; return the exit code and the parsed output."""
    import contextlib
    import io

    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        code = main(["debrief", "faulty-kettle", "--store", str(store), *args, "--json"])
    return code, json.loads(out.getvalue()) if out.getvalue() else {}


def counts(data: dict[str, object], node: str) -> dict[str, int]:
    """Option id -> count at a node, for the options chosen at least once."""
    points = data["points"]
    assert isinstance(points, list)
    point = next(p for p in points if p["node"] == node)
    return {r["option"]: r["count"] for r in point["replies"] if r["count"]}


def test_first_visits_only_each_learner_once(
    class_store: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, data = debrief_json(class_store, "--group", "btec-1")  # any case: the group key
    assert code == 0
    assert data["learners"] == 3 and data["sessions"] == 4  # Eve's session is left out
    assert data["scope"] == "group BTEC-1"  # as the learners have it, not as typed
    assert "left out session 6: played on version 1" in capsys.readouterr().err
    # Amy's second session reached the opening again: she counts once, with her first choice
    assert counts(data, "opening") == {"ask-receipt-first": 2, "sorry-tell-me": 1}
    # vent-again: Amy's second visit (threaten-leave) does not count; Cal never reached it
    assert counts(data, "vent-again") == {"defend-shop": 1, "listen-properly": 1}
    points = {p["node"]: p for p in data["points"]}  # type: ignore[attr-defined]
    assert points["opening"]["reached"] == 3
    assert points["vent-again"]["reached"] == 2
    # what-happened: Cal, and Amy in her second session (her first visit there); Ben never
    assert counts(data, "what-happened") == {"probe-fault": 2}
    # every reply of a point is listed, chosen or not, most chosen first
    opening = [r["option"] for r in points["opening"]["replies"]]
    assert opening[:2] == ["ask-receipt-first", "sorry-tell-me"]
    assert set(opening) == {o.id for o in KETTLE.nodes["opening"].options if not o.fallback}
    assert [r["letter"] for r in points["opening"]["replies"]] == ["A", "B", "C", "D", "E"]


def test_no_names_in_the_debrief(class_store: Path) -> None:
    _, data = debrief_json(class_store, "--group", "BTEC-1")
    text = json.dumps(data)
    for name in ("Amy Khan", "Ben Ode", "Cal Reyes", "Dee Nash"):
        assert name not in text


def test_points_in_conversation_order_and_only_where_someone_chose(class_store: Path) -> None:
    _, data = debrief_json(class_store, "--group", "BTEC-1")
    nodes = [p["node"] for p in data["points"]]  # type: ignore[attr-defined]
    order = conversation_order(KETTLE)
    assert nodes == sorted(nodes, key=order.index)
    assert nodes[0] == "opening"
    assert "manufacturer-row" not in nodes  # nobody in the class went there


def test_hardest_criteria_count_learners(class_store: Path) -> None:
    _, data = debrief_json(class_store, "--group", "BTEC-1")
    criteria = {c["code"]: c for c in data["criteria"]}  # type: ignore[attr-defined]
    # only Cal followed up (D2); each learner counts once, whatever their number of sessions
    assert criteria["D2"]["achieved"] == 1 and criteria["D2"]["judged"] == 3
    # what the learner writes (P1 cause assessment, the review) is not a conversation criterion
    assert "P1" not in criteria and "P8" not in criteria
    shares = [c["achieved"] / c["judged"] for c in data["criteria"]]  # type: ignore[attr-defined]
    assert shares == sorted(shares)  # hardest first


def test_lesson_counts_only_its_sessions(tmp_path: Path) -> None:
    path = tmp_path / "s.sqlite3"
    with Store.open(path) as store:
        lesson = create_lesson(store, "BTEC-1", ["faulty-kettle"], "ocr-l2-unit7")
        save(store, "Amy Khan", "BTEC-1", ["calm-down-sir"], lesson=lesson.code)
        save(store, "Ben Ode", "BTEC-1", ["sorry-tell-me"])  # same group, not in the lesson
    code, data = debrief_json(path, "--lesson", lesson.code.lower())
    assert code == 0
    assert data["learners"] == 1
    assert counts(data, "opening") == {"calm-down-sir": 1}
    assert data["scope"] == f"lesson {lesson.code} (BTEC-1)"


def test_no_sessions_in_scope_exits_1_with_a_message(
    class_store: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code = main(["debrief", "faulty-kettle", "--group", "Nobody", "--store", str(class_store)])
    assert code == 1
    err = capsys.readouterr().err
    assert "no sessions of 'faulty-kettle'" in err and "group Nobody" in err
    assert "Traceback" not in err
    # another scenario the class never played
    code = main(["debrief", "router-helpline", "--group", "BTEC-1", "--store", str(class_store)])
    assert code == 1


def test_errors_are_clear(class_store: Path, capsys: pytest.CaptureFixture[str]) -> None:
    store = ["--store", str(class_store)]
    assert main(["debrief", "faulty-kettel", "--group", "BTEC-1", *store]) == 1
    assert "did you mean 'faulty-kettle'" in capsys.readouterr().err
    assert main(["debrief", "faulty-kettle", "--lesson", "ZZZZZZ", *store]) == 1
    assert "no lesson with join code 'ZZZZZZ'" in capsys.readouterr().err
    assert main(["debrief", "faulty-kettle", *store]) == 2  # neither --lesson nor --group
    assert main(["debrief", "faulty-kettle", "--group", "BTEC-1", "--rubric", "nope", *store]) == 1
    assert "rubric 'nope'" in capsys.readouterr().err
    # not a terminal (as under pytest): the screens need one; the counts do not
    assert main(["debrief", "faulty-kettle", "--group", "BTEC-1", *store]) == 2
    assert "needs a terminal" in capsys.readouterr().err


def test_prompts_follow_what_the_class_chose() -> None:
    def r(letter: str, count: int, quality: str) -> Reply:
        return Reply(letter, letter.lower(), "", count, quality, "")

    most_poor = discussion_prompt([r("A", 3, "poor"), r("B", 1, "strong")], 4, "Mr Nowak")
    assert most_poor.startswith("Most of you chose A. How would Mr Nowak feel")
    some_poor = discussion_prompt([r("A", 3, "strong"), r("B", 1, "poor")], 4, "Mr Nowak")
    assert some_poor.startswith("1 of 4 chose a reply that makes things worse")
    missed = discussion_prompt([r("A", 4, "fair"), r("B", 0, "strong")], 4, "Mr Nowak")
    assert missed.startswith("Nobody chose B.")
    everyone = discussion_prompt([r("A", 4, "strong"), r("B", 0, "fair")], 4, "Mr Nowak")
    assert everyone.startswith("Everyone chose A.")


def make_debrief(class_store: Path) -> Debrief:
    with Store.open(class_store) as store:
        records = [r for r in store.sessions(group="BTEC-1", full=True)]
    return build_debrief(
        KETTLE, records, "group BTEC-1", open_rubric("ocr-l2-unit7"), bundled_behaviours()
    )


async def test_keys_move_through_the_screens(class_store: Path) -> None:
    debrief = make_debrief(class_store)
    app = DebriefApp(debrief)
    total = len(debrief.points)
    async with app.run_test(size=(80, 24)) as pilot:
        header = app.query_one("#where")
        assert f"decision 1 of {total}" in str(header.render())
        body = " ".join(str(s.render()) for s in app.query_one("#body").query("Static"))
        assert "MR TOMASZ NOWAK SAID" in body
        assert "3 of 3 learners chose here" in body
        assert "Most of you chose A." in body
        await pilot.press("right")
        assert "decision 1 of" in str(header.render()) and "feedback" in str(header.render())
        await pilot.press("space", "pagedown")
        assert f"decision 2 of {total} · feedback" in str(header.render())
        await pilot.press("left")
        assert f"decision 2 of {total}" in str(header.render())
        assert "feedback" not in str(header.render())
        await pilot.press("pageup")
        await pilot.press("end")
        assert "what the class found hardest" in str(header.render())
        await pilot.press("right")  # nothing after the last screen
        assert "what the class found hardest" in str(header.render())
        await pilot.press("home")
        assert f"decision 1 of {total}" in str(header.render())
        await pilot.press("left")  # nothing before the first
        assert f"decision 1 of {total}" in str(header.render())
        await pilot.press("q")
    assert app.return_code == 0


async def test_up_and_down_scroll_a_long_screen(class_store: Path) -> None:
    app = DebriefApp(make_debrief(class_store))
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("right")  # the opening's feedback: longer than 24 lines
        body = app.query_one("#body")
        await pilot.pause()
        assert body.scroll_y == 0
        await pilot.press("down", "down")
        await pilot.pause()
        assert body.scroll_y > 0
        await pilot.press("right", "left")  # another screen starts at its top
        await pilot.pause()
        assert body.scroll_y == 0


async def test_escape_quits(class_store: Path) -> None:
    app = DebriefApp(make_debrief(class_store))
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("escape")
        await pilot.pause()
    assert not app.is_running


async def test_a_hostile_line_is_shown_as_text(class_store: Path) -> None:
    debrief = make_debrief(class_store)
    point = debrief.points[0]
    evil = "[bold red]boom[/] \x1b]0;title\x07"
    hostile = type(debrief)(**{**debrief.__dict__, "points": (
        type(point)(**{**point.__dict__, "said": evil}),
    )})  # fmt: skip
    app = DebriefApp(hostile)
    async with app.run_test(size=(80, 24)):
        shown = " ".join(str(s.render()) for s in app.query_one("#body").query("Static"))
        assert "[bold red]boom[/]" in shown and "\x1b" not in shown and "␛" in shown


def test_the_counting_is_pure() -> None:
    """simulator.debrief is core: it loads neither Textual nor Jinja2."""
    import subprocess
    import sys

    code = (
        "import sys, simulator.debrief; "
        "assert 'textual' not in sys.modules and 'jinja2' not in sys.modules"
    )
    subprocess.run([sys.executable, "-c", code], check=True)
