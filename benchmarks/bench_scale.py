"""A store for a college: 100,000 sessions (100 learners x 1,000), and the commands that read it.

The store is built from real sessions: routes played at random through the bundled scenarios
(each stored by the real store, scored by the real rubric, a quarter with a written review and
learning plan), copied to every learner with SQL. Each command then runs as a learner or tutor
would run it, in a fresh process, timed from launch to exit, with its peak memory. The scenario
list and My sessions are timed in the app, headless, for a learner with 1,000 sessions.
"""

from __future__ import annotations

import json
import os
import random
import sqlite3
import subprocess
import sys
import tempfile
import textwrap
import time
from pathlib import Path

from simulator.catalog import open_rubric, open_scenario
from simulator.engine import Session
from simulator.scoring import LearnerResponses, PlanEntry, Review, score_session
from simulator.store import Store, name_key

LEARNERS, PER_LEARNER, GROUP = 100, 1000, 30
"""The college store; GROUP of the learners are one class (group BIG)."""
IMPORT_LEARNERS, IMPORT_PER_LEARNER = 200, 1000
"""The store file imported: 200,000 short sessions, as in the attack report's B8."""
ROUTES = 120
"""Routes played at random through each scenario, copied to make the sessions."""
MAX_TURNS = 24
SCENARIOS = ("faulty-kettle", "router-helpline")
TARGETS = {
    "sessions --learner": 1.0,
    "scenario list": 1.0,
    "my sessions": 1.0,
    "class-report": 5.0,
    "import": 60.0,
}
MEMORY_TARGET_MB = 300
RESPONSES = LearnerResponses(
    review=Review(
        "I stayed calm and said sorry early.",
        "I took too long to offer options.",
        "The customer kept interrupting.",
        "Offer the choices sooner.",
    ),
    learning_plan=(PlanEntry("Practise the router call again", "P5", "2027-01-15"),),
)

PEAK = textwrap.dedent(
    """
    import resource

    def peak_kb():
        # this process's own high-water mark (VmHWM): Linux keeps ru_maxrss across exec, so
        # a small command would be given the size of the benchmark that started it
        with open("/proc/self/status") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1])
        return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    """
)

RUN = PEAK + textwrap.dedent(
    """
    import json, sys, time
    start = time.perf_counter()
    from simulator.cli import main
    code = main(sys.argv[2:])
    took = time.perf_counter() - start
    peak = peak_kb()
    with open(sys.argv[1], "w") as out:
        json.dump({"code": code, "seconds": took, "peak_kb": peak}, out)
    """
)

APP = PEAK + textwrap.dedent(
    """
    import asyncio, json, sys, time
    from pathlib import Path
    from textual.widgets import DataTable
    from simulator.ui.app import RoleplayApp

    out, store, name, ref, rows = sys.argv[1], Path(sys.argv[2]), sys.argv[3], sys.argv[4], int(
        sys.argv[5]
    )

    async def filled(pilot, screen_name, at_least):
        while True:
            await pilot.pause()
            screen = pilot.app.screen
            if type(screen).__name__ == screen_name:
                tables = screen.query(DataTable)
                if tables and tables.first().row_count >= at_least:
                    return

    async def main():
        app = RoleplayApp(store_path=store)
        async with app.run_test(size=(80, 24)) as pilot:
            while not app.screen.query("#rubric"):
                await pilot.pause()
            await pilot.press(*["space" if c == " " else c for c in name], "tab", *ref)
            start = time.perf_counter()
            await pilot.press("ctrl+s")
            await filled(pilot, "BrowserScreen", 1)
            browser = time.perf_counter() - start
            start = time.perf_counter()
            await pilot.press("s")
            await filled(pilot, "SessionsScreen", rows)
            mine = time.perf_counter() - start
            start = time.perf_counter()
            await pilot.press("escape")
            await filled(pilot, "BrowserScreen", 1)
            back = time.perf_counter() - start
        peak = peak_kb()
        Path(out).write_text(json.dumps(
            {"browser": browser, "mine": mine, "back": back, "peak_kb": peak}
        ))

    asyncio.run(main())
    """
)


def _play(scenario_id: str, rng: random.Random, store: Store, n: int, max_turns: int) -> None:
    """Store one random route through a scenario, scored; every fourth with written parts."""
    scenario = open_scenario(scenario_id).scenario
    rubric = open_rubric(scenario.rubric or "")
    session = Session.start(scenario)
    while not session.ended and session.turns < max_turns:
        options = session.available_options()
        if not options:
            break
        session.choose(rng.choice(options).id)
    learner = store.learner("Template", f"T-{n}", "templates")
    sid = store.start_session(learner, scenario, "practice", rubric.id, rubric.version)
    store.record_steps(sid, session, session.steps, 1500)
    responses = RESPONSES if n % 4 == 0 else LearnerResponses()
    if n % 4 == 0:
        store.save_responses(sid, responses)
    steps = [(s.node, s.option, s.auto) for s in session.steps]
    store.save_result(
        sid,
        score_session(
            rubric, scenario, steps, responses, outcome=session.outcome, session_id=f"session {sid}"
        ),
    )


def templates(path: Path, short: bool = False) -> int:
    """A store of ROUTES random routes per scenario (routes of at most 4 turns if ``short``)."""
    rng = random.Random(7)
    with Store.open(path) as store:
        n = 0
        for scenario_id in SCENARIOS:
            for _ in range(ROUTES):
                _play(scenario_id, rng, store, n, 4 if short else MAX_TURNS)
                n += 1
        return n


def judging(tpl: Path) -> float:
    """Median seconds to judge one stored session again (the longest template), unremembered."""
    from simulator.report.views import rescore

    with Store.open(tpl) as store:
        longest = max(store.sessions(full=True), key=lambda r: len(r.turns))
    scenario = open_scenario(longest.scenario_id).scenario
    rubric = open_rubric(longest.rubric_id or "")
    times = []
    for _ in range(20):
        start = time.perf_counter()
        rescore(longest, scenario, rubric)
        times.append(time.perf_counter() - start)
    return sorted(times)[len(times) // 2]


def build(
    path: Path, tpl: Path, learners: int, per_learner: int, group: int, results: bool = True
) -> float:
    """Fill a new store at ``path`` with copies of the template sessions; return seconds."""
    start = time.perf_counter()
    with Store.open(path):
        pass  # the schema, as the app makes it
    db = sqlite3.connect(path, isolation_level=None)
    db.execute("PRAGMA synchronous = OFF")
    db.execute("ATTACH DATABASE ? AS t", (str(tpl),))
    ids = [r[0] for r in db.execute("SELECT id FROM t.sessions ORDER BY id")]
    rng = random.Random(11)
    db.execute("BEGIN")
    db.executemany(
        "INSERT INTO learners (id, name, learner_ref, group_name, created, name_key, group_key) "
        "VALUES (?,?,?,?,?,?,?)",
        [
            (
                n + 1,
                f"Learner {n:03d}",
                f"L{n:05d}",
                "BIG" if n < group else f"OTHER-{n % 7}",
                "2026-09-01T09:00:00+00:00",
                name_key(f"Learner {n:03d}"),  # as the store matches names and groups
                name_key("BIG" if n < group else f"OTHER-{n % 7}"),
            )
            for n in range(learners)
        ],
    )
    db.execute("CREATE TEMP TABLE m (new INTEGER PRIMARY KEY, tpl INTEGER, learner INTEGER)")
    db.executemany(
        "INSERT INTO m VALUES (?,?,?)",
        (
            (n * per_learner + k + 1, rng.choice(ids), n + 1)
            for n in range(learners)
            for k in range(per_learner)
        ),
    )
    db.execute(
        "INSERT INTO sessions (id, learner_id, scenario_id, scenario_version, rubric_id, "
        "rubric_version, mode, started, ended, outcome, state) "
        "SELECT m.new, m.learner, s.scenario_id, s.scenario_version, s.rubric_id, "
        "s.rubric_version, s.mode, strftime('%Y-%m-%dT%H:%M:%S+00:00', 1788000000 + m.new * 60, "
        "'unixepoch'), s.ended, s.outcome, s.state FROM m JOIN t.sessions s ON s.id = m.tpl "
        "ORDER BY m.new"
    )
    for table, columns in (
        ("turns", "seq, node, option, line, behaviours, variables, auto, time_taken_ms, at"),
        ("responses", "kind, data, at"),
        *([("results", "rubric_id, rubric_version, grade, data, at")] if results else []),
    ):
        db.execute(
            f"INSERT INTO {table} (session_id, {columns}) SELECT m.new, {columns} "
            f"FROM m JOIN t.{table} x ON x.session_id = m.tpl ORDER BY m.new"
        )
    db.execute(
        "INSERT INTO notes (session_id, text, at) SELECT new, 'Said sorry twice; slow to offer "
        "options.', '2026-10-01T10:00:00+00:00' FROM m WHERE new % 5 = 0"
    )
    db.execute("COMMIT")
    db.close()
    return time.perf_counter() - start


def command(folder: Path, *args: str) -> dict[str, float]:
    """Run one roleplay command in a fresh process; return its exit code, seconds and peak KB."""
    out = folder / "figures.json"
    subprocess.run(
        [sys.executable, "-c", RUN, str(out), *args],
        check=True,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    figures: dict[str, float] = json.loads(out.read_text())
    return figures


def app(folder: Path, store: Path, name: str, ref: str, rows: int) -> dict[str, float]:
    """Time the scenario list and My sessions in the app, headless, in a fresh process."""
    out = folder / "app.json"
    subprocess.run(
        [sys.executable, "-c", APP, str(out), str(store), name, ref, str(rows)],
        check=True,
        stdout=subprocess.DEVNULL,
    )
    figures: dict[str, float] = json.loads(out.read_text())
    return figures


def _mb(kb: float) -> str:
    return f"{kb / 1024:.0f} MB"


def _verdict(seconds: float, peak_kb: float, target: float | None) -> str:
    parts = []
    if target is not None:
        parts.append(f"{'met' if seconds < target else 'NOT met'} (< {target:g} s)")
    parts.append("memory " + ("met" if peak_kb / 1024 < MEMORY_TARGET_MB else "NOT met"))
    return ", ".join(parts)


def run() -> str:
    """Build the stores, measure, and return the markdown section."""
    rows: list[tuple[str, str, str, str]] = []
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        tpl, short_tpl = folder / "templates.db", folder / "short.db"
        routes = templates(tpl)
        templates(short_tpl, short=True)
        judge = judging(tpl)
        big = folder / "college.db"
        built = build(big, tpl, LEARNERS, PER_LEARNER, min(GROUP, LEARNERS))
        os.sync()  # the store just built reaches the disk before anything is timed
        total = LEARNERS * PER_LEARNER
        group = min(GROUP, LEARNERS)
        size_mb = big.stat().st_size / 1024 / 1024
        store = ("--store", str(big))
        pick = min(7, LEARNERS - 1)
        one = f"Learner {pick:03d}"

        def measure(label: str, key: str | None, *args: str) -> None:
            figures = command(folder, *args)
            assert figures["code"] == 0, (label, figures)
            target = TARGETS.get(key) if key else None
            rows.append(
                (
                    label,
                    f"{figures['seconds']:.2f} s",
                    _mb(figures["peak_kb"]),
                    _verdict(figures["seconds"], figures["peak_kb"], target),
                )
            )

        measure(f"`sessions --learner` (one learner's {PER_LEARNER:,})", "sessions --learner",
                "sessions", "--learner", one, *store)  # fmt: skip
        measure(f"`sessions` (all {total:,})", None, "sessions", *store)
        measure(
            f"`class-report --format csv`, group of {group} ({group * PER_LEARNER:,} sessions)",
            "class-report", "class-report", "--group", "BIG", "--format", "csv",
            "-o", str(folder / "class.csv"), *store,
        )  # fmt: skip
        measure(
            "`class-report` (HTML), the same group", "class-report", "class-report",
            "--group", "BIG", "-o", str(folder / "class.html"), *store,
        )  # fmt: skip
        measure(f"`portfolio` of one learner ({PER_LEARNER:,} sessions)", None,
                "portfolio", one, "-o", str(folder / "p.txt"), *store)  # fmt: skip
        measure(f"`export --learner` ({PER_LEARNER:,} sessions in full)", None,
                "export", "--learner", one, "-o", str(folder / "e.json"), *store)  # fmt: skip
        ui = app(folder, big, one, f"L{pick:05d}", PER_LEARNER)
        for label, key, seconds in (
            ("app: signing in to the scenario list", "scenario list", ui["browser"]),
            (f"app: My sessions ({PER_LEARNER:,} rows)", "my sessions", ui["mine"]),
            ("app: back from My sessions to the scenario list", "scenario list", ui["back"]),
        ):
            rows.append(
                (label, f"{seconds:.2f} s", _mb(ui["peak_kb"]),
                 _verdict(seconds, ui["peak_kb"], TARGETS[key]))
            )  # fmt: skip
        imported = IMPORT_LEARNERS * IMPORT_PER_LEARNER
        for kind, learners, results in (
            ("unscored", IMPORT_LEARNERS, False),
            ("unscored, all one learner's,", 1, False),  # the attack report's own file
            ("scored", IMPORT_LEARNERS, True),
        ):
            source = folder / "other-computer.db"
            build(source, short_tpl, learners, imported // learners, 0, results)
            if results:  # the worst case: every stored result a different text
                db = sqlite3.connect(source, isolation_level=None)
                db.execute(
                    "UPDATE results SET data = "
                    "'{\"copy\": ' || session_id || ', ' || substr(data, 2)"
                )
                db.close()
            os.sync()  # the file just written reaches the disk first, not during the import
            source_mb = source.stat().st_size / 1024 / 1024
            tutor = folder / "tutor.db"
            measure(
                f"`import` of a store file of {imported:,} short {kind} sessions "
                f"({source_mb:,.0f} MB) into an empty store", "import", "import", str(source),
                "--store", str(tutor),
            )  # fmt: skip
            measure(
                "the same file again (every session already there)", "import", "import",
                str(source), "--store", str(tutor),
            )  # fmt: skip
            source.unlink()
            tutor.unlink()
    table = [
        "| command | time | peak memory | target |",
        "|---|---|---|---|",
        *(f"| {a} | {b} | {c} | {d} |" for a, b, c, d in rows),
    ]
    return "\n".join(
        [
            "## A store for a college",
            "",
            f"{LEARNERS} learners x {PER_LEARNER:,} sessions = {total:,} sessions "
            f"({size_mb:,.0f} MB; built in {built:.0f} s), copied from {routes} routes played at "
            f"random through {', '.join(SCENARIOS)} (up to {MAX_TURNS} turns, each scored, a "
            "quarter with a written review and plan), every fifth with a note. Each command "
            "runs in a fresh process, timed from launch to exit (Python's start and imports "
            "included); peak memory is the process's maximum resident set. Targets: listing "
            "one learner and the app's lists under 1 s, a class report of 30 learners under "
            f"5 s, importing 200,000 sessions under 60 s, and under {MEMORY_TARGET_MB} MB for "
            "any command.",
            "",
            *table,
            "",
            "A class report judges every session again against the rubric; a session that took "
            "the same route with the same writing as one already judged in that report takes "
            f"its result instead (at most 2,000 are kept), so the {group * PER_LEARNER:,} "
            f"sessions here, copied from {routes} routes, are judged about {routes} times. "
            f"Judging one session of {MAX_TURNS} turns takes {judge * 1000:.1f} ms (median of "
            f"20), so a class in which no two of the {group * PER_LEARNER:,} sessions were "
            f"alike would take about {judge * group * PER_LEARNER:.0f} s more. "
            "Reports read one learner's sessions at a time, so memory does not grow with the "
            "class. The imported file holds sessions of at most 4 turns (as in the attack "
            "report's 200,000-session file of 24 MB), 200 learners' 1,000 each or one "
            "learner's 200,000 (as there), unscored (no stored result, as there) or each with "
            "its stored result (about 7 KB of JSON, every one a different text). "
            "Import reads a store file a thousand sessions at a time in six queries and copies "
            "its stored JSON as it is once checked; each distinct text of a turn's behaviours "
            "and variables (the same few recur in every class) and of a result is parsed and "
            "checked once, so the stored results, all different here, are the work.",
            "",
        ]
    )
