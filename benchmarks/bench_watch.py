"""The tutor's live view (``roleplay watch``) while a class writes: 30 learners, a turn a second
each, from another process; every refresh of the view is timed, and so is every writer's commit,
before and while the view reads."""

from __future__ import annotations

import asyncio
import json
import os
import statistics
import subprocess
import sys
import tempfile
import textwrap
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from benchmarks.common import ms
from simulator import lessons
from simulator.catalog import open_scenario
from simulator.classroom import Classroom
from simulator.engine import Session
from simulator.lessons import resolve_scope
from simulator.store import Store

LEARNERS = 30
"""The class."""
SECONDS = 30.0
"""How long the class writes; the view reads for the second two thirds of it."""
EVERY = 0.25
"""The view is refreshed this often here (the app reads once a second: four times harsher)."""
EARLIER = 10
"""Sessions each learner played on earlier days (the view passes over them)."""
TARGET = 0.2
"""A refresh under this (the 95th percentile)."""
GROUP = "BENCH-1"
ROUTE = [
    "sorry-tell-me", "probe-fault", "safety-advice", "ask-date-proof", "bank-statement-ok",
    "repeat-back", "go-to-manager", "brief-clearly", "recommend-refund-discount", "jargon-policy",
]  # fmt: skip
"""Into faulty-kettle's jargon loop, which repeats for ever: a session as long as the run."""
LOOP = "repeat-jargon"

WRITER = textwrap.dedent(
    """
    import json, sys, time
    from pathlib import Path
    from simulator.catalog import open_scenario
    from simulator.engine import Session
    from simulator.store import Store

    path, learners, seconds = Path(sys.argv[1]), int(sys.argv[2]), float(sys.argv[3])
    route, loop = json.loads(sys.argv[4]), sys.argv[5]
    opened = open_scenario("faulty-kettle")
    text = opened.path.read_text(encoding="utf-8")
    scenario = opened.scenario
    store = Store(path)
    people = [l for l in store.learners() if l.group == "BENCH-1"][:learners]
    playing = []
    for learner in people:
        sid = store.start_session(learner, scenario, "practice", "ocr-l2-unit7", 2,
                                  scenario_text=text)
        playing.append([sid, Session.start(scenario), 0])
    print("ready", flush=True)
    commits = []
    start = time.monotonic()
    n = 0
    while time.monotonic() - start < seconds:
        due = start + n / learners  # learners x one turn a second, spread evenly
        pause = due - time.monotonic()
        if pause > 0:
            time.sleep(pause)
        entry = playing[n % learners]
        sid, session, count = entry
        option = route[count] if count < len(route) else loop
        before = len(session.steps)
        session.choose(option)
        began = time.perf_counter()
        store.record_steps(sid, session, session.steps[before:], 2000)
        commits.append((time.time(), time.perf_counter() - began))
        entry[2] = count + 1
        n += 1
    store.close()
    print(json.dumps(commits), flush=True)
    """
)


def _class_store(path: Path) -> None:
    """The class on its roster, each with earlier sessions from other days."""
    opened = open_scenario("faulty-kettle")
    scenario = opened.scenario
    text = opened.path.read_text(encoding="utf-8")
    earlier = (datetime.now(UTC) - timedelta(days=7)).isoformat(timespec="seconds")
    with Store(path) as store:
        lessons.add_to_roster(
            store, GROUP, [(f"{2000 + n}", f"Learner {n:02d}") for n in range(LEARNERS)]
        )
        for n in range(LEARNERS):
            learner = store.learner(f"Learner {n:02d}", f"{2000 + n}", GROUP)
            for _ in range(EARLIER):
                sid = store.start_session(
                    learner, scenario, "practice", "ocr-l2-unit7", 2, scenario_text=text
                )
                session = Session.start(scenario)
                for option in ROUTE:
                    before = len(session.steps)
                    session.choose(option)
                    store.record_steps(sid, session, session.steps[before:], 1000)
                with store.transaction() as db:
                    db.execute("UPDATE sessions SET started = ? WHERE id = ?", (earlier, sid))


async def _watch(path: Path, until: float) -> dict[str, object]:
    """Refresh the view every EVERY seconds until ``until`` (wall clock); time each refresh
    from the read to the table painted."""
    from simulator.ui.watch import WatchApp

    store = Store.open_live(path)
    room = Classroom(store, resolve_scope(store, None, GROUP))
    app = WatchApp(room, interval=0)  # refreshed here, not by its timer
    times: list[float] = []
    first = 0.0
    rows = 0
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        started = time.time()
        while time.time() < until:
            began = time.perf_counter()
            app.reload()
            await app.screen.wait_for_refresh()  # laid out and painted
            spent = time.perf_counter() - began
            times.append(spent)
            await asyncio.sleep(max(0.0, EVERY - spent))
        assert app.view is not None
        first = app.refresh_times[0]  # at start, before the first frame
        reads = app.read_times[1:]
        rows = len(app.view.rows)
        playing = app.view.counts["playing"]
        turns = max((r.turn for r in app.view.rows), default=0)
    store.close()
    return {
        "times": times, "reads": reads, "first": first, "rows": rows, "playing": playing,
        "turns": turns, "started": started,
    }  # fmt: skip


def _p95(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[max(0, int(len(ordered) * 0.95) - 1)]


def run() -> str:
    """Measure and return the markdown section."""
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "class.sqlite3"
        _class_store(path)
        writer = subprocess.Popen(
            [sys.executable, "-c", WRITER, str(path), str(LEARNERS), str(SECONDS),
             json.dumps(ROUTE), LOOP],
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
            cwd=Path(__file__).resolve().parent.parent,
            env={**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parent.parent)},
        )  # fmt: skip
        assert writer.stdout is not None
        ready = writer.stdout.readline().strip()
        assert ready == "ready", writer.stderr.read() if writer.stderr else ready
        begun = time.time()
        time.sleep(SECONDS / 3)  # the writers alone first
        watched = asyncio.run(_watch(path, begun + SECONDS - 0.5))
        out, err = writer.communicate(timeout=SECONDS + 60)
        assert writer.returncode == 0, err
        commits = [tuple(c) for c in json.loads(out.strip().splitlines()[-1])]
    times = list(watched["times"])  # type: ignore[call-overload]
    reads = list(watched["reads"])  # type: ignore[call-overload]
    watch_from = float(watched["started"])  # type: ignore[arg-type]
    alone = [c[1] for c in commits if c[0] < watch_from]
    with_view = [c[1] for c in commits if c[0] >= watch_from]
    median, p95 = statistics.median(times), _p95(times)
    met = "met" if p95 < TARGET else "NOT met"
    rate = len(commits) / SECONDS

    def us(values: list[float]) -> str:
        if not values:
            return "–"
        return f"{statistics.median(values) * 1e6:.0f} µs median, {_p95(values) * 1e6:.0f} µs p95"

    return "\n".join(
        [
            "## The tutor's live view",
            "",
            f"`roleplay watch` on a class of {LEARNERS} (on the roster, each with {EARLIER} "
            f"earlier sessions of {len(ROUTE)} turns from other days), while another process "
            f"writes a turn a second for each learner ({rate:.0f} commits a second, each its "
            f"own transaction, into faulty-kettle's loop) for {SECONDS:.0f} s. For the last two "
            f"thirds the view, headless at 80x24, is refreshed every {EVERY} s (the app "
            "refreshes once a second); a refresh is timed from reading the store to the table "
            "laid out and painted. "
            f"Target: a refresh under {TARGET * 1000:.0f} ms (95th percentile).",
            "",
            "| measurement | figure |",
            "|---|---|",
            f"| refresh (read the store, redraw the table) | {ms(median)} median, {ms(p95)} p95, "
            f"{ms(max(times))} most, over {len(times)} ({met}: < {TARGET * 1000:.0f} ms) |",
            f"| of which reading the store (every learner's row and serious errors) | "
            f"{ms(statistics.median(reads))} median, {ms(_p95(reads))} p95 |",
            f"| the first read, as the view opens (loads and checks the scenario and rubric) | "
            f"{ms(float(watched['first']))} |",  # type: ignore[arg-type]
            f"| rows on the view; playing at the end; longest session | {watched['rows']}; "
            f"{watched['playing']}; {watched['turns']} turns |",
            f"| a writer's commit, before the view opened | {us(alone)} |",
            f"| a writer's commit, while the view reads | {us(with_view)} |",
            "",
            "The view reads through a read-only connection to the WAL, one short read "
            "transaction per refresh: it never takes a write lock, so the writers' commits take "
            "the same time while it reads. Only the turns added since the last refresh are "
            "read, and a learner's serious errors are judged again only when their route has "
            "grown.",
            "",
        ]
    )
