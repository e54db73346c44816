"""``roleplay observe``: the observer records a live role-play with the keyboard (Pilot), the
session is stored as observed with the observer and the notes, scored by the same engine, and its
sheet is an observation record to be signed."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest
from textual.pilot import Pilot
from textual.widgets import Input

from simulator.catalog import open_rubric, open_scenario
from simulator.cli import main
from simulator.observe_commands import begin_observation
from simulator.store import Store
from simulator.ui.observe import ObserveApp, WordsScreen

PARCEL = Path(__file__).parent / "fixtures" / "ui" / "parcel-call.scenario.yaml"


def observe_app(store: Store, observer: str = "R. Patel") -> ObserveApp:
    """The observer's screen on a new observed session of the parcel call (Amy as the agent)."""
    opened = open_scenario(str(PARCEL))
    play = begin_observation(
        store, opened.scenario, PARCEL.read_text(encoding="utf-8"), open_rubric("ocr-l2-unit7"),
        "Amy Khan", "A123", "BTEC-1", observer,
    )  # fmt: skip
    return ObserveApp(play, observer)


async def pick(pilot: Pilot[None], option_id: str) -> None:
    """Press the number the reply has on screen."""
    app = pilot.app
    assert isinstance(app, ObserveApp)
    ids = [o.id for o in app.offered]
    assert option_id in ids, ids
    await pilot.press(str(ids.index(option_id) + 1))
    await pilot.pause()


async def test_observed_to_an_ending_is_stored_scored_and_its_sheet_is_an_observation_record(
    tmp_path: Path,
) -> None:
    db = tmp_path / "s.db"
    store = Store.open(db)
    app = observe_app(store)
    async with app.run_test(size=(100, 30)) as pilot:
        said = str(app.query_one("#said").query("Static").first().render())
        assert "read this out" in said and "My parcel never came" in said
        await pick(pilot, "verify")
        # something else: the agent's own words (with a digit, which must not pick reply 1)
        await pilot.press("0")
        await pilot.pause()
        assert isinstance(app.screen, WordsScreen)
        await pilot.press(*"You get 1 refund or a new one", "enter")
        await pilot.pause()
        assert not isinstance(app.screen, WordsScreen)
        assert app.play.session.node_id == "rights"  # not yet recorded: which was it closest to?
        assert "They said" in str(app.query_one("#prompt").render())
        await pick(pilot, "explain")
        await pilot.press("n")
        await pilot.pause()
        await pilot.press(*"calm tone", "enter")
        await pilot.pause()
        await pick(pilot, "send-new")
        assert app.play.session.ended
        assert not app.query_one("#replies").display
        assert "has ended: Resolved" in str(app.query_one("#prompt").render())
        await pilot.press("q")
    store.close()

    with Store.open(db) as again:
        (record,) = again.sessions(full=True)
        observer = again.db.execute("SELECT observer FROM sessions").fetchone()[0]
    assert record.mode == "observed" and observer == "R. Patel"
    assert record.state == "finished" and record.outcome == "resolved"
    assert record.choices == ["verify", "explain", "send-new"]
    notes = [text for _, text in record.notes]
    assert notes == [
        "Turn 2: the agent's own words: “You get 1 refund or a new one” (recorded as closest to "
        "'explain')",
        "Turn 3: calm tone",
    ]
    assert record.result is not None and record.grade  # scored by the same engine

    out = tmp_path / "record.html"
    sheet = ["sheet", str(record.id), "--store", str(db), "-o", str(out)]
    assert main([*sheet, "--scenarios", str(PARCEL)]) == 0
    html = out.read_text(encoding="utf-8")
    assert "Observation record" in html
    assert "evidence, not an assessment decision" in html
    assert "PRACTICE FEEDBACK" not in html
    assert "observer: R. Patel" in html and "Amy Khan" in html
    assert html.count("Signature: ______") == 2 and html.count("Date: ______") == 2
    assert "You get 1 refund or a new one" in html and "Turn 3: calm tone" in html
    assert "(played by a learner)" in html and "A new parcel, please." in html
    assert "P2" in html or "P3" in html  # the criteria table of the rubric


async def test_escape_from_something_else_records_nothing(tmp_path: Path) -> None:
    store = Store.open(tmp_path / "s.db")
    app = observe_app(store)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("0")
        await pilot.pause()
        app.screen.query_one(Input).value = "half a thought"
        await pilot.press("escape")
        await pilot.pause()
        assert app.own_words is None and app.play.session.node_id == "call"
        await pilot.press("0")  # and Esc drops words already kept, before the reply is picked
        await pilot.pause()
        await pilot.press(*"hello", "enter", "escape")
        await pilot.pause()
        assert app.own_words is None
        assert "(0: something else)" in str(app.query_one("#prompt").render())
        await pilot.press("q")
    with store:
        assert store.session(app.play.session_id).notes == ()  # type: ignore[union-attr]


async def test_finishing_early_leaves_an_unfinished_record(tmp_path: Path) -> None:
    db = tmp_path / "s.db"
    store = Store.open(db)
    app = observe_app(store)
    async with app.run_test(size=(80, 24)) as pilot:
        await pick(pilot, "read-address")
        await pilot.press("q")
    store.close()
    out = tmp_path / "r.html"
    sheet = ["sheet", str(app.play.session_id), "--store", str(db), "-o", str(out)]
    assert main([*sheet, "--scenarios", str(PARCEL)]) == 0
    html = out.read_text(encoding="utf-8")
    assert "the role-play was not finished" in html
    assert "Serious errors" in html  # read the address to an unchecked caller


def test_observe_refuses_without_a_terminal(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db = tmp_path / "s.db"
    code = main(
        ["observe", "faulty-kettle", "--learner", "Amy", "--observer", "Sam", "--store", str(db)]
    )
    assert code == 2
    assert "needs a terminal" in capsys.readouterr().err
    assert not db.exists()  # refused before the store is opened: no empty session is left


@pytest.mark.parametrize(
    ("args", "code", "says"),
    [
        (["observe", "no-such", "--learner", "Amy", "--observer", "Sam"], 1, "no-such"),
        (["observe", "faulty-kettle", "--learner", "Amy", "--observer", " "], 2, "--observer"),
        (["observe", "faulty-kettle", "--learner", " ", "--observer", "Sam"], 2, "--learner"),
        (["observe", "faulty-kettle", "--learner", "Amy"], 2, "--observer"),
        (
            [
                "observe",
                "faulty-kettle",
                "--learner",
                "Amy",
                "--observer",
                "Sam",
                "--rubric",
                "nope",
            ],
            1,
            "nope",
        ),
    ],
    ids=["unknown scenario", "blank observer", "blank learner", "no observer", "unknown rubric"],
)
def test_observe_errors(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], args: list[str], code: int, says: str
) -> None:
    assert main([*args, "--store", str(tmp_path / "s.db")]) == code
    err = capsys.readouterr().err
    assert says in err and "Traceback" not in err


@pytest.fixture
def observed_store(tmp_path: Path) -> tuple[Path, int]:
    """A store with one observed session of the parcel call, played to its end with a note."""
    db = tmp_path / "s.db"
    with Store.open(db) as store:
        app = observe_app(store)
        play = app.play
        for option in ("verify", "explain", "send-new"):
            play.choose(option)
        play.add_note("Turn 3: calm tone")
        play.result()
    return db, play.session_id


def test_the_observation_record_in_markdown(
    observed_store: tuple[Path, int], capsys: pytest.CaptureFixture[str]
) -> None:
    db, sid = observed_store
    assert main(["sheet", str(sid), "--store", str(db), "--format", "md"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("# Observation record: Parcel missing")
    assert "evidence, not an assessment decision" in out and "PRACTICE FEEDBACK" not in out
    assert "| Observer | R. Patel |" in out and "Turn 3: calm tone" in out
    assert "| Observer | R. Patel | | |" in out and "| Learner | Amy Khan | | |" in out


def test_the_observation_record_prints_to_a4_in_chromium(
    observed_store: tuple[Path, int], tmp_path: Path
) -> None:
    chromium = shutil.which("chromium")
    if chromium is None:
        if os.environ.get("CI"):
            pytest.fail("chromium is not installed, and CI must run the browser tests")
        pytest.skip("chromium not installed (Debian package chromium); CI installs it")
    db, sid = observed_store
    page = tmp_path / "record.html"
    assert main(["sheet", str(sid), "--store", str(db), "-o", str(page)]) == 0
    pdf = tmp_path / "record.pdf"
    done = subprocess.run(
        [
            chromium, "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
            "--disable-background-networking", "--disable-component-update", "--disable-sync",
            f"--user-data-dir={tmp_path / 'profile'}", f"--print-to-pdf={pdf}",
            "--no-pdf-header-footer", page.as_uri(),
        ],
        capture_output=True, text=True, timeout=60, check=False,
    )  # fmt: skip
    assert pdf.is_file(), done.stderr[-2000:]
    boxes = re.findall(rb"/MediaBox\s*\[\s*0\s+0\s+([\d.]+)\s+([\d.]+)\s*\]", pdf.read_bytes())
    assert boxes
    for width, height in boxes:
        assert abs(float(width) - 595.0) <= 2 and abs(float(height) - 842.0) <= 2, boxes


async def test_a_pick_the_store_cannot_save_is_not_recorded(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from simulator.store import StoreError

    store = Store.open(tmp_path / "s.db")
    app = observe_app(store)

    def fails(*args: object, **kwargs: object) -> None:
        raise StoreError("the disk is full")

    async with app.run_test(size=(80, 24)) as pilot:
        monkeypatch.setattr(store, "record_steps", fails)
        await pick(pilot, "verify")
        assert app.play.session.node_id == "call" and app.play.session.steps == []
        assert any("the disk is full" in str(n.message) for n in app._notifications)
        monkeypatch.undo()
        await pick(pilot, "verify")  # and once the store works again, the pick is kept
        assert app.play.session.node_id == "rights"
        await pilot.press("q")
    with store:
        assert store.session(app.play.session_id).choices == ["verify"]  # type: ignore[union-attr]
