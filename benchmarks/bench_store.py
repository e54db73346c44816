"""The session store: committing a turn, loading a long session, listing a class's sessions.

Also the reports read from the store: 1,000 HTML feedback sheets and a class report.
"""

from __future__ import annotations

import statistics
import tempfile
import time
from pathlib import Path

from benchmarks.common import best_of, ms
from simulator.catalog import open_rubric, open_scenario
from simulator.engine import Session
from simulator.model import Scenario
from simulator.scoring import score_session
from simulator.store import Store

# A route into the jargon loop of faulty-kettle, which repeats for ever: sessions of any length.
ROUTE = [
    "sorry-tell-me",
    "probe-fault",
    "safety-advice",
    "ask-date-proof",
    "bank-statement-ok",
    "repeat-back",
    "go-to-manager",
    "brief-clearly",
    "recommend-refund-discount",
    "jargon-policy",
]
LOOP = "repeat-jargon"
COMMITS = 200
LONG = 300
LEARNERS, PER_LEARNER, TURNS_EACH = 30, 20, 12
SHEETS = 1000
SHEETS_TARGET_S = 2.0
"""1,000 feedback sheets in under this (performance review finding 4)."""
SHEET_RUNS = 5
"""The 1,000 sheets are made this many times; the figure is the median, with the spread."""
# Routes of different lengths and endings, so stored sessions (and sheets) differ.
ROUTES = [
    [*ROUTE, *[LOOP] * (TURNS_EACH - len(ROUTE))],
    [*ROUTE[:9], "policy-and-reasons", "offer-three", "recommend-clearview", "justify-balance",
     "check-understanding", "correct-timing", "fill-returns-form", "check-with-returns",
     "call-customer"],
    ["manufacturer-brushoff", "insist-manufacturer"],
    ["calm-down-sir", "listen-properly", "take-notes", "straight-refund"],
]  # fmt: skip


def us(seconds: float) -> str:
    """Format seconds as microseconds (a commit is well under a millisecond)."""
    return f"{seconds * 1_000_000:.0f} µs"


def table(rows: list[tuple[str, str, str]]) -> list[str]:
    """Return a markdown table of (operation, best, median) rows."""
    out = ["| operation | best | median |", "|---|---|---|"]
    return out + [f"| {name} | {best} | {median} |" for name, best, median in rows]


def record(store: Store, sid: int, session: Session) -> float:
    """Make the next choice on the long route and commit it; return the commit's wall time."""
    taken = len(session.steps)
    session.choose(ROUTE[taken] if taken < len(ROUTE) else LOOP)
    start = time.perf_counter()
    store.record_steps(sid, session, session.steps[taken:], 1500)
    return time.perf_counter() - start


def commits(store: Store, scenario: Scenario) -> list[float]:
    """Return the wall time of each of COMMITS single-turn commits."""
    learner = store.learner("Bench Commit", "B-0", "bench")
    sid = store.start_session(learner, scenario, "practice")
    session = Session.start(scenario)
    return [record(store, sid, session) for _ in range(COMMITS)]


def long_session(store: Store, scenario: Scenario) -> int:
    """Store a LONG-turn session; return its id."""
    learner = store.learner("Bench Long", "B-1", "bench")
    sid = store.start_session(learner, scenario, "practice")
    session = Session.start(scenario)
    for _ in range(LONG):
        record(store, sid, session)
    return sid


def classroom(store: Store, scenario: Scenario, learners: int, group: str) -> None:
    """Store ``learners`` x PER_LEARNER scored sessions (ROUTES in turn), each with a note."""
    rubric = open_rubric(scenario.rubric or "")
    played = []
    for route in ROUTES:
        session = Session.start(scenario)
        for choice in route:
            session.choose(choice)
        steps = [(s.node, s.option, s.auto) for s in session.steps]
        played.append((session, score_session(rubric, scenario, steps, outcome=session.outcome)))
    for n in range(learners):
        learner = store.learner(f"{group} learner {n:02d}", f"{group}-{n:03d}", group)
        for k in range(PER_LEARNER):
            session, result = played[(n + k) % len(played)]
            sid = store.start_session(learner, scenario, "practice", rubric.id, rubric.version)
            store.record_steps(sid, session, session.steps, 1200)
            store.add_note(sid, "A note about the session.")
            store.save_result(sid, result)


def reports(store: Store, scenario: Scenario) -> list[str]:
    """Time SHEETS HTML feedback sheets and a LEARNERS x PER_LEARNER class report."""
    try:
        return _reports(store, scenario)
    except Exception as exc:  # the report package is newer than this benchmark: say so, go on
        return ["### Reports", "", f"Not measured: the report package failed ({exc!r}).", ""]


def _reports(store: Store, scenario: Scenario) -> list[str]:
    from simulator import report

    classroom(store, scenario, (SHEETS - LEARNERS * PER_LEARNER) // PER_LEARNER, "other")
    records = store.sessions(full=True)[:SHEETS]
    library = report.Library()
    report.render("sheet.html", report.sheet_view(records[0], library)[0])  # warm the caches
    runs = []
    for _ in range(SHEET_RUNS):
        start = time.perf_counter()
        size = 0
        for stored in records:
            view, _ = report.sheet_view(stored, library)
            size += len(report.render("sheet.html", view))
        runs.append(time.perf_counter() - start)
    total = statistics.median(runs)
    over = sum(r >= SHEETS_TARGET_S for r in runs)
    rows = [
        (
            f"{len(records):,} HTML feedback sheets (replay, render), in all; "
            f"{SHEET_RUNS} runs, slowest {max(runs):.2f} s, {over} of {SHEET_RUNS} over",
            f"{min(runs):.2f} s",
            f"{total:.2f} s ({'met' if total < SHEETS_TARGET_S else 'NOT met'}: "
            f"< {SHEETS_TARGET_S:.0f} s)",
        ),
        ("the same, per sheet", ms(min(runs) / len(records)), ms(total / len(records))),
    ]
    group = store.sessions(group="class", full=True)
    rubric = report.load_rubric(scenario.rubric or "")

    def class_report() -> str:
        return str(report.render("class-report.html", report.class_view(group, library, rubric)))

    best, median = best_of(class_report, repeat=3)
    rows.append(
        (
            f"class report (HTML), {LEARNERS} learners x {PER_LEARNER} sessions, rescored",
            ms(best),
            ms(median),
        )
    )
    best, median = best_of(lambda: store.sessions(group="class", full=True), repeat=3)
    rows.append(("loading those sessions in full for it", ms(best), ms(median)))
    return [
        "### Reports",
        "",
        f"From the sessions above; a sheet averages {size // len(records) // 1024} KB of HTML. "
        "Each rubric and scenario is read, parsed and checked once in a process (while its "
        "file is unchanged), so the sheets of a portfolio or a class share them. Target: 1,000 "
        "sheets under "
        f"{SHEETS_TARGET_S:.0f} s.",
        "",
        *table(rows),
        "",
    ]


def run() -> str:
    """Measure and return the markdown section."""
    scenario = open_scenario("faulty-kettle").scenario
    rows: list[tuple[str, str, str]] = []
    with tempfile.TemporaryDirectory() as tmp, Store.open(Path(tmp) / "bench.db") as store:
        times = sorted(commits(store, scenario))
        rows.append(
            (
                f"commit one turn (its own transaction), over {COMMITS} commits",
                us(times[0]),
                us(statistics.median(times)),
            )
        )
        rows.append(("the same, 95th percentile", "", us(times[int(len(times) * 0.95)])))
        sid = long_session(store, scenario)
        best, median = best_of(lambda: store.session(sid), repeat=20)
        rows.append((f"load a {LONG}-turn session with everything about it", ms(best), ms(median)))
        classroom(store, scenario, LEARNERS, "class")
        total = LEARNERS * PER_LEARNER
        best, median = best_of(lambda: store.sessions(), repeat=20)
        rows.append((f"`sessions()`: all {total + 2} sessions, newest first", ms(best), ms(median)))
        best, median = best_of(lambda: store.sessions(group="class"), repeat=20)
        rows.append((f"`sessions(group=...)`: the {total} of the class", ms(best), ms(median)))
        best, median = best_of(lambda: store.sessions(learner="class-007"), repeat=20)
        rows.append((f"`sessions(learner=...)`: one learner's {PER_LEARNER}", ms(best), ms(median)))
        best, median = best_of(lambda: store.export_learner("class-007"), repeat=20)
        rows.append((f"`export_learner`: {PER_LEARNER} sessions in full", ms(best), ms(median)))
        tail = reports(store, scenario)
    out = [
        "## Session store",
        "",
        "SQLite in WAL mode with `synchronous = NORMAL` (no fsync per commit, still safe when the",
        "process is killed), in a temporary folder; each turn is its own transaction. The class",
        f"is {LEARNERS} learners x {PER_LEARNER} scored sessions (routes of 2 to 16 turns), each",
        "with a note.",
        "",
        *table(rows),
        "",
        *tail,
    ]
    return "\n".join(out)
