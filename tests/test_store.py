"""Behaviour tests of the session store: learners, turns as they happen, undo, erasure, resume."""

from __future__ import annotations

import json
import multiprocessing
import sqlite3
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from simulator.catalog import open_rubric, open_scenario
from simulator.engine import Session, replay
from simulator.model import Scenario
from simulator.scoring import (
    CauseAssessment,
    LearnerResponses,
    PlanEntry,
    Review,
    SessionResult,
    score_session,
)
from simulator.store import (
    APP_DIR,
    ENV_VAR,
    FILE_NAME,
    MIGRATIONS,
    SCHEMA_VERSION,
    Store,
    StoreError,
    default_path,
)

FIXTURES = Path(__file__).parent / "fixtures" / "engine"
BEST = [
    "sorry-tell-me",
    "probe-fault",
    "safety-advice",
    "ask-date-proof",
    "bank-statement-ok",
    "repeat-back",
    "go-to-manager",
    "brief-clearly",
    "list-options",
    "recommend-refund-discount",
    "policy-and-reasons",
    "offer-three",
    "recommend-clearview",
    "justify-balance",
    "check-understanding",
    "correct-timing",
    "fill-returns-form",
    "check-with-returns",
    "call-customer",
]
LOST = ["manufacturer-brushoff", "insist-manufacturer"]
RESPONSES = LearnerResponses(
    cause_assessment=CauseAssessment(
        issue="product_faulty",
        characteristics=("external",),
        indicators=("angry", "frustrated"),
        notes="Kettle leaked and tripped the electrics.",
    ),
    review=Review("Stayed calm", "Jargon once", "Saying no to the upgrade", "Plain words"),
    learning_plan=(PlanEntry("Read the Consumer Rights Act guide", "P6", "2030-01-31"),),
)


@pytest.fixture(scope="module")
def kettle() -> Scenario:
    return open_scenario("faulty-kettle").scenario


@pytest.fixture(scope="module")
def fallback() -> Scenario:
    return open_scenario(str(FIXTURES / "once-fallback.scenario.yaml")).scenario


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    with Store.open(tmp_path / "s.db") as opened:
        yield opened


def play(store: Store, sid: int, session: Session, *choices: str, ms: int | None = None) -> None:
    """Make each choice and commit the steps it produced, as the simulator does."""
    for choice in choices:
        before = len(session.steps)
        session.choose(choice)
        store.record_steps(sid, session, session.steps[before:], ms)


def new_session(
    store: Store, scenario: Scenario, name: str = "Ann Lee", **kw: str | None
) -> tuple[int, Session]:
    learner = store.learner(name, kw.get("ref"), kw.get("group"))
    sid = store.start_session(learner, scenario, kw.get("mode") or "practice")
    return sid, Session.start(scenario)


def scored(scenario: Scenario, session: Session) -> SessionResult:
    rubric = open_rubric(scenario.rubric or "")
    steps = [(s.node, s.option, s.auto) for s in session.steps]
    return score_session(rubric, scenario, steps, RESPONSES, outcome=session.outcome)


def count(store: Store, sql: str, *args: object) -> int:
    return int(store.db.execute(sql, args).fetchone()[0])


# -- learners ---------------------------------------------------------------------------------
def test_same_name_and_id_reuses_the_learner_and_updates_the_group(store: Store) -> None:
    first = store.learner("Ann Lee", "L001", "BTEC-1")
    again = store.learner("  Ann Lee ", "L001", "BTEC-2")
    assert again.id == first.id
    assert again.group == "BTEC-2"
    kept = store.learner("Ann Lee", "L001")  # no group given: the stored one stays
    assert (kept.id, kept.group) == (first.id, "BTEC-2")
    assert store.learners(group="BTEC-1") == []
    assert [lr.id for lr in store.learners(group="BTEC-2")] == [first.id]
    assert count(store, "SELECT COUNT(*) FROM learners") == 1


def test_a_different_learner_id_or_none_is_a_different_learner(store: Store) -> None:
    a = store.learner("Ann Lee", "L001")
    b = store.learner("Ann Lee", "L002")
    c = store.learner("Ann Lee")
    assert len({a.id, b.id, c.id}) == 3
    assert store.learner("Ann Lee").id == c.id
    assert [lr.id for lr in store.find_learners("Ann Lee")] == [a.id, b.id, c.id]
    assert [lr.id for lr in store.find_learners("L002")] == [b.id]
    assert a.display == "Ann Lee (L001)" and c.display == "Ann Lee"


def test_a_learner_needs_a_name(store: Store) -> None:
    with pytest.raises(StoreError, match="needs a name"):
        store.learner("   ")


def test_an_unknown_mode_is_refused(store: Store, kettle: Scenario) -> None:
    learner = store.learner("Ann")
    with pytest.raises(StoreError, match="unknown mode 'exam'"):
        store.start_session(learner, kettle, "exam")


# -- sessions and turns -----------------------------------------------------------------------
def test_a_new_session_is_stored_in_progress(store: Store, kettle: Scenario) -> None:
    learner = store.learner("Ann Lee", "L001", "G1")
    sid = store.start_session(learner, kettle, "assessment", "ocr-l2-unit7", 1)
    record = store.session(sid)
    assert record is not None
    assert record.learner == learner
    assert (record.scenario_id, record.scenario_version) == ("faulty-kettle", kettle.version)
    assert (record.rubric_id, record.rubric_version, record.mode) == (
        "ocr-l2-unit7",
        1,
        "assessment",
    )
    assert (record.state, record.ended, record.outcome) == ("in_progress", None, None)
    assert record.turns == () and record.notes == () and record.result is None
    assert record.started
    assert store.session(sid + 100) is None


def test_each_turn_is_committed_as_it_happens(tmp_path: Path, kettle: Scenario) -> None:
    path = tmp_path / "s.db"
    with Store.open(path) as writer, Store.open(path) as reader:
        sid, session = new_session(writer, kettle)
        for seq, choice in enumerate(BEST[:3], 1):
            play(writer, sid, session, choice, ms=1000 * seq)
            seen = reader.session(sid)  # another connection sees it at once
            assert seen is not None
            assert [t.option for t in seen.turns] == BEST[:seq]


def test_turns_read_back_in_order_with_everything_recorded(store: Store, kettle: Scenario) -> None:
    sid, session = new_session(store, kettle)
    play(store, sid, session, *BEST[:5], ms=2500)
    record = store.session(sid)
    assert record is not None
    assert [t.seq for t in record.turns] == [1, 2, 3, 4, 5]
    assert [t.option for t in record.turns] == BEST[:5]
    assert [t.node for t in record.turns] == [s.node for s in session.steps]
    first = record.turns[0]
    option = kettle.option("sorry-tell-me")
    assert option is not None
    assert first.line == option.say
    assert first.behaviours == ("sympathy", "empathy", "open_question")
    assert {k: first.variables[k] for k in ("mood", "trust", "has_proof")} == {
        "mood": -1, "trust": 0, "has_proof": False,
    }  # fmt: skip
    assert first.variables["has_proof"] is False  # booleans survive as booleans
    assert (first.auto, first.time_taken_ms) == (False, 2500)
    assert first.at.endswith("+00:00")
    assert [t.variables for t in record.turns] == [s.variables_after for s in session.steps]
    assert record.choices == BEST[:5]
    assert record.steps() == [(s.node, s.option, s.auto) for s in session.steps]


def test_automatic_steps_are_stored_with_the_choice_that_caused_them(
    store: Store, fallback: Scenario
) -> None:
    sid, session = new_session(store, fallback)
    play(store, sid, session, "ask-name", ms=1200)
    play(store, sid, session, "ask-order", ms=800)  # nothing left: the fallback is taken
    record = store.session(sid)
    assert record is not None
    assert [(t.option, t.auto, t.time_taken_ms) for t in record.turns] == [
        ("ask-name", False, 1200),
        ("ask-order", False, 800),
        ("out-of-questions", True, None),
    ]
    assert record.turns[-1].variables == {"asked": 2, "wrapped": True}
    assert record.choices == ["ask-name", "ask-order"]  # the automatic step is replayed, not chosen


def test_a_finished_session_records_its_outcome(store: Store, kettle: Scenario) -> None:
    sid, session = new_session(store, kettle)
    play(store, sid, session, *BEST)
    record = store.session(sid)
    assert record is not None
    assert (record.state, record.outcome) == ("finished", "resolved")
    assert record.ended is not None
    assert len(record.turns) == len(BEST)


def test_notes_are_kept_in_order(store: Store, kettle: Scenario) -> None:
    sid, _ = new_session(store, kettle)
    store.add_note(sid, "He calmed down after the apology.")
    store.add_note(sid, "Remember: a bank statement is proof of purchase.")
    record = store.session(sid)
    assert record is not None
    assert [text for _, text in record.notes] == [
        "He calmed down after the apology.",
        "Remember: a bank statement is proof of purchase.",
    ]
    assert all(at for at, _ in record.notes)


def test_responses_round_trip_and_a_part_is_replaced(store: Store, kettle: Scenario) -> None:
    sid, _ = new_session(store, kettle)
    store.save_responses(sid, RESPONSES)
    record = store.session(sid)
    assert record is not None
    assert record.responses == RESPONSES
    review = Review("Better", "Still jargon", "The upgrade", "Practise plain words")
    store.save_responses(sid, LearnerResponses(RESPONSES.cause_assessment, review))
    record = store.session(sid)
    assert record is not None
    assert record.responses.review == review
    assert record.responses.cause_assessment == RESPONSES.cause_assessment
    assert count(store, "SELECT COUNT(*) FROM responses WHERE session_id = ? AND kind = 'review'", sid) == 1  # fmt: skip


def test_no_responses_read_back_as_empty(store: Store, kettle: Scenario) -> None:
    sid, _ = new_session(store, kettle)
    store.save_responses(sid, LearnerResponses())
    record = store.session(sid)
    assert record is not None
    assert record.responses == LearnerResponses()


def test_a_result_is_saved_and_replaced(store: Store, kettle: Scenario) -> None:
    sid, session = new_session(store, kettle)
    play(store, sid, session, *BEST)
    first = scored(kettle, session)
    store.save_result(sid, first)
    record = store.session(sid)
    assert record is not None
    assert record.grade == first.grade.value == "distinction"
    assert record.result == json.loads(json.dumps(first.to_dict()))
    lost = replay(kettle, LOST)
    second = scored(kettle, lost)
    store.save_result(sid, second)
    record = store.session(sid)
    assert record is not None
    assert record.grade == second.grade.value != first.grade.value
    assert record.result == json.loads(json.dumps(second.to_dict()))
    assert count(store, "SELECT COUNT(*) FROM results WHERE session_id = ?", sid) == 1


# -- undo -------------------------------------------------------------------------------------
def test_truncate_removes_later_turns_and_the_result(store: Store, kettle: Scenario) -> None:
    sid, session = new_session(store, kettle)
    play(store, sid, session, *BEST)
    store.save_result(sid, scored(kettle, session))
    store.truncate(sid, 3)
    record = store.session(sid)
    assert record is not None
    assert [t.option for t in record.turns] == BEST[:3]
    assert (record.state, record.ended, record.outcome) == ("in_progress", None, None)
    assert record.result is None and record.grade is None
    assert count(store, "SELECT COUNT(*) FROM results WHERE session_id = ?", sid) == 0


def test_undo_then_a_new_choice_is_stored_in_its_place(store: Store, kettle: Scenario) -> None:
    sid, session = new_session(store, kettle)
    play(store, sid, session, *BEST[:4])
    assert session.undo()
    store.truncate(sid, len(session.steps))
    play(store, sid, session, "take-notes")
    record = store.session(sid)
    assert record is not None
    assert record.choices == [*BEST[:3], "take-notes"]
    assert [t.seq for t in record.turns] == [1, 2, 3, 4]
    resumed = replay(kettle, record.choices)
    assert (resumed.node_id, resumed.variables) == (session.node_id, session.variables)


def test_undo_of_a_choice_with_automatic_steps_removes_them_too(
    store: Store, fallback: Scenario
) -> None:
    sid, session = new_session(store, fallback)
    play(store, sid, session, "ask-name", "ask-order")
    assert session.undo()
    store.truncate(sid, len(session.steps))
    record = store.session(sid)
    assert record is not None
    assert [t.option for t in record.turns] == ["ask-name"]


# -- resume -----------------------------------------------------------------------------------
@pytest.mark.parametrize("count_", [0, 1, 5, 9, len(BEST)])
def test_replaying_the_stored_choices_resumes_the_live_session(
    tmp_path: Path, kettle: Scenario, count_: int
) -> None:
    path = tmp_path / "s.db"
    with Store.open(path) as store:
        sid, live = new_session(store, kettle)
        play(store, sid, live, *BEST[:count_])
    with Store.open(path) as store:  # a new process, as after a crash
        record = store.session(sid)
    assert record is not None
    resumed = replay(kettle, record.choices)
    assert resumed.node_id == live.node_id
    assert resumed.variables == live.variables
    if record.turns:
        assert record.turns[-1].variables == resumed.variables


def test_resuming_with_automatic_steps(store: Store, fallback: Scenario) -> None:
    sid, live = new_session(store, fallback)
    play(store, sid, live, "ask-order", "ask-name")
    record = store.session(sid)
    assert record is not None
    resumed = replay(fallback, record.choices)
    assert [s.option for s in resumed.steps] == [t.option for t in record.turns]
    assert (resumed.node_id, resumed.variables) == (live.node_id, live.variables)


# -- listing ----------------------------------------------------------------------------------
@pytest.fixture
def classroom(store: Store, kettle: Scenario, fallback: Scenario) -> dict[str, int]:
    ids = {}
    ann = store.learner("Ann Lee", "L001", "G1")
    bob = store.learner("Bob Ray", "L002", "G1")
    cat = store.learner("Cat Kim", "L003", "G2")
    for key, learner, scenario in [
        ("ann-kettle", ann, kettle),
        ("bob-kettle", bob, kettle),
        ("ann-fallback", ann, fallback),
        ("cat-kettle", cat, kettle),
    ]:
        ids[key] = store.start_session(learner, scenario, "practice")
    session = replay(kettle, BEST)
    store.record_steps(ids["bob-kettle"], session, session.steps, None)
    store.save_result(ids["bob-kettle"], scored(kettle, session))
    return ids


def test_sessions_are_listed_newest_first(store: Store, classroom: dict[str, int]) -> None:
    assert [r.id for r in store.sessions()] == sorted(classroom.values(), reverse=True)


@pytest.mark.parametrize(
    ("filters", "expected"),
    [
        ({"learner": "Ann Lee"}, ["ann-fallback", "ann-kettle"]),
        ({"learner": "L002"}, ["bob-kettle"]),
        ({"group": "G1"}, ["ann-fallback", "bob-kettle", "ann-kettle"]),
        ({"group": "G2"}, ["cat-kettle"]),
        ({"scenario": "faulty-kettle"}, ["cat-kettle", "bob-kettle", "ann-kettle"]),
        ({"scenario": "once-fallback"}, ["ann-fallback"]),
        ({"group": "G1", "scenario": "faulty-kettle"}, ["bob-kettle", "ann-kettle"]),
        ({"learner": "Ann Lee", "scenario": "faulty-kettle"}, ["ann-kettle"]),
        ({"learner": "Nobody"}, []),
        ({"group": "G9"}, []),
    ],
)
def test_sessions_filters(
    store: Store, classroom: dict[str, int], filters: dict[str, str], expected: list[str]
) -> None:
    assert [r.id for r in store.sessions(**filters)] == [classroom[k] for k in expected]


def test_sessions_summary_has_the_grade_and_full_has_the_turns(
    store: Store, classroom: dict[str, int]
) -> None:
    (summary,) = store.sessions(learner="Bob Ray")
    assert (summary.grade, summary.state, summary.outcome) == (
        "distinction",
        "finished",
        "resolved",
    )
    assert summary.turns == ()
    (full,) = store.sessions(learner="Bob Ray", full=True)
    assert full.choices == BEST


def test_a_summary_says_what_the_full_record_says_in_one_query(
    store: Store, classroom: dict[str, int], kettle: Scenario
) -> None:
    """The listing (My sessions, `sessions`) reads one query, whatever the number of sessions,
    and shows the same grade, serious-error flag and written parts as the full record."""
    sid = classroom["ann-kettle"]
    session = replay(kettle, BEST)
    store.record_steps(sid, session, session.steps, None)
    store.save_responses(sid, RESPONSES)
    store.save_result(sid, scored(kettle, session))
    with store.db:  # a stored result whose grade a serious error ruled out
        store.db.execute(
            "UPDATE results SET data = json_set(data, '$.grade_detail.ruled_out_by', "
            "json('[\"misstate_rights\"]')) WHERE session_id = ?",
            (classroom["bob-kettle"],),
        )
    statements: list[str] = []
    store.db.set_trace_callback(statements.append)
    summaries = store.sessions()
    store.db.set_trace_callback(None)
    assert len(statements) == 1, statements
    fulls = {r.id: r for r in store.sessions(full=True)}
    for summary in summaries:
        full = fulls[summary.id]
        assert summary.summary and not full.summary
        assert (summary.grade, summary.ruled_out, summary.written) == (
            full.grade,
            full.ruled_out,
            full.written,
        )
    by_id = {r.id: r for r in summaries}
    assert by_id[classroom["bob-kettle"]].ruled_out is True
    assert by_id[sid].written == ("cause_assessment", "learning_plan", "review")
    assert by_id[classroom["cat-kettle"]].written == ()


def test_a_damaged_stored_result_lists_as_no_serious_error_not_a_crash(
    store: Store, classroom: dict[str, int]
) -> None:
    with store.db:
        store.db.execute("UPDATE results SET data = 'not json'")
    (bob,) = store.sessions(learner="Bob Ray")
    assert bob.grade == "distinction" and bob.ruled_out is False


def test_latest_sessions_gives_each_scenarios_newest_of_one_learner(
    store: Store, classroom: dict[str, int], kettle: Scenario
) -> None:
    ann = store.learner("Ann Lee", "L001", "G1")
    again = store.start_session(ann, kettle, "practice")
    latest = store.latest_sessions(ann.id)
    assert {k: r.id for k, r in latest.items()} == {
        "faulty-kettle": again,
        "once-fallback": classroom["ann-fallback"],
    }


def test_learner_batches_give_each_learner_of_a_group_in_full_one_at_a_time(
    store: Store, classroom: dict[str, int]
) -> None:
    batches = list(store.learner_batches("G1"))
    assert [[r.id for r in batch] for batch in batches] == [
        [classroom["ann-kettle"], classroom["ann-fallback"]],
        [classroom["bob-kettle"]],
    ]
    assert batches[1][0].choices == BEST
    assert store.count_sessions("G1") == 3 and store.count_sessions() == 4


def test_records_to_judge_carry_the_route_writing_and_decisions_of_the_full_ones(
    store: Store, classroom: dict[str, int]
) -> None:
    """A class report reads each learner's sessions in five queries, not five per session:
    whatever judging needs must be the same as in the full record."""
    bob = classroom["bob-kettle"]
    store.save_responses(bob, RESPONSES)
    store.record_decision(bob, "P2", "achieved", "J. Tutor", "seen in class")
    full = [r for batch in store.learner_batches("G1") for r in batch]
    light = [r for batch in store.learner_batches("G1", to_judge=True) for r in batch]
    assert [r.id for r in light] == [r.id for r in full]
    for a, b in zip(light, full, strict=True):
        assert a.steps() == b.steps() and [t.line for t in a.turns] == [t.line for t in b.turns]
        assert (a.responses, a.decisions, a.outcome, a.written) == (
            b.responses,
            b.decisions,
            b.outcome,
            b.written,
        )
        assert a.result is None and all(t.variables == {} for t in a.turns)
        assert [t.seq for t in a.turns] == [t.seq for t in b.turns]
        assert (a.learner, a.scenario_id, a.scenario_version, a.started, a.state) == (
            b.learner,
            b.scenario_id,
            b.scenario_version,
            b.started,
            b.state,
        )


def test_scenario_rubrics_count_a_groups_sessions_by_scenario_and_rubric(
    store: Store, classroom: dict[str, int], kettle: Scenario, fallback: Scenario
) -> None:
    """A class report picks its rubric from these counts (one query), not a listing of every
    session: G1 has Ann's two sessions and Bob's one; Cat's (G2) is not counted. These were
    started naming no rubric (None: the report takes the scenario's own)."""
    assert store.scenario_rubrics("G1") == {(kettle.id, None): 2, (fallback.id, None): 1}
    assert store.scenario_rubrics() == {(kettle.id, None): 3, (fallback.id, None): 1}
    assert store.scenario_rubrics("nobody") == {}


def _plans(store: Store, run: Callable[[], object]) -> dict[str, str]:
    """EXPLAIN QUERY PLAN of every SELECT that ``run`` makes, by statement."""
    statements: list[str] = []
    store.db.set_trace_callback(statements.append)
    run()
    store.db.set_trace_callback(None)
    plans = {}
    for sql in statements:
        if sql.lstrip().upper().startswith("SELECT"):
            rows = store.db.execute(f"EXPLAIN QUERY PLAN {sql}").fetchall()
            plans[sql] = "\n".join(str(row[3]) for row in rows)
    assert plans, "nothing was read"
    return plans


@pytest.mark.parametrize(
    "operation",
    [
        "sessions of one learner by name",
        "sessions of one learner by learner id",
        "sessions of one learner in full",
        "sessions of a group",
        "sessions of a scenario",
        "the latest session of each scenario (the scenario list)",
        "my sessions (by the learner's row)",
        "one session",
        "a group's learners one at a time (class report)",
        "de-duplicating an import",
        "counting a group's sessions by scenario and rubric",
    ],
)
def test_every_filtered_read_finds_its_rows_by_an_index(
    store: Store, classroom: dict[str, int], operation: str
) -> None:
    """Attack report B12: at 100,000 sessions a scan of every session, turn or note per listed
    session took minutes. No read for one learner, group, scenario or session may scan a table
    (SQLite says SCAN for a full table read; SEARCH ... USING INDEX is what is wanted)."""
    ann = store.learner("Ann Lee", "L001", "G1")
    exported = store.export_learner("Ann Lee")
    runs: dict[str, Callable[[], object]] = {
        "sessions of one learner by name": lambda: store.sessions(learner="Ann Lee"),
        "sessions of one learner by learner id": lambda: store.sessions(learner="L001"),
        "sessions of one learner in full": lambda: store.sessions(learner="Ann Lee", full=True),
        "sessions of a group": lambda: store.sessions(group="G1"),
        "sessions of a scenario": lambda: store.sessions(scenario="faulty-kettle"),
        "the latest session of each scenario (the scenario list)": lambda: store.latest_sessions(
            ann.id
        ),
        "my sessions (by the learner's row)": lambda: store.sessions(learner_id=ann.id),
        "one session": lambda: store.session(classroom["bob-kettle"]),
        "a group's learners one at a time (class report)": lambda: list(
            store.learner_batches("G1", to_judge=True)
        ),
        "de-duplicating an import": lambda: store.import_export(exported, "again.json"),
        "counting a group's sessions by scenario and rubric": lambda: store.scenario_rubrics("G1"),
    }
    for sql, plan in _plans(store, runs[operation]).items():
        scans = [line for line in plan.splitlines() if line.startswith("SCAN")]
        assert not scans, f"{sql}\n{plan}"


# -- erasure and access -----------------------------------------------------------------------
def fill(store: Store, scenario: Scenario, name: str, ref: str, note: str) -> int:
    sid, session = new_session(store, scenario, name, ref=ref, group="G1")
    play(store, sid, session, *BEST, ms=900)
    store.add_note(sid, note)
    store.save_responses(sid, RESPONSES)
    store.save_result(sid, scored(scenario, session))
    return sid


TABLES = ("turns", "notes", "responses", "results")


def test_delete_learner_erases_everything_about_them(store: Store, kettle: Scenario) -> None:
    ann = [fill(store, kettle, "Ann Lee", "L001", f"Ann's note {i}") for i in range(2)]
    bob = fill(store, kettle, "Bob Ray", "L002", "Bob's note")
    bob_rows = {t: count(store, f"SELECT COUNT(*) FROM {t} WHERE session_id = ?", bob) for t in TABLES}  # fmt: skip
    assert store.delete_learner("Ann Lee") == 1
    assert count(store, "SELECT COUNT(*) FROM learners WHERE name = 'Ann Lee'") == 0
    marks = ",".join("?" * len(ann))
    assert count(store, f"SELECT COUNT(*) FROM sessions WHERE id IN ({marks})", *ann) == 0
    for table in TABLES:
        assert count(store, f"SELECT COUNT(*) FROM {table} WHERE session_id IN ({marks})", *ann) == 0  # fmt: skip
    # nothing orphaned anywhere, and the other learner is untouched
    assert count(store, "SELECT COUNT(*) FROM sessions WHERE learner_id NOT IN (SELECT id FROM learners)") == 0  # fmt: skip
    for table in TABLES:
        assert count(store, f"SELECT COUNT(*) FROM {table} WHERE session_id NOT IN (SELECT id FROM sessions)") == 0  # fmt: skip
        assert count(store, f"SELECT COUNT(*) FROM {table} WHERE session_id = ?", bob) == bob_rows[table]  # fmt: skip
    assert [r.id for r in store.sessions()] == [bob]
    assert store.integrity_ok()


def test_delete_learner_by_learner_id_and_unknown(store: Store, kettle: Scenario) -> None:
    fill(store, kettle, "Ann Lee", "L001", "note")
    assert store.delete_learner("Nobody") == 0
    assert store.delete_learner("L001") == 1
    assert store.sessions() == [] and store.learners() == []
    assert all(count(store, f"SELECT COUNT(*) FROM {t}") == 0 for t in TABLES)


def test_delete_learner_removes_the_same_name_with_every_learner_id(
    store: Store, kettle: Scenario
) -> None:
    fill(store, kettle, "Ann Lee", "L001", "note")
    fill(store, kettle, "Ann Lee", "L009", "note")
    with pytest.raises(StoreError, match="'Ann Lee' matches 2 learners"):
        store.delete_learner("Ann Lee")  # two people share the name: erase nobody
    assert len(store.learners()) == 2
    assert store.delete_learner("L009") == 1  # the learner id names exactly one
    assert [learner.learner_ref for learner in store.learners()] == ["L001"]


def test_erasure_never_takes_a_learner_whose_id_is_the_name_given(
    store: Store, kettle: Scenario
) -> None:
    fill(store, kettle, "Sam Lee", None, "note")
    fill(store, kettle, "Bob Ray", "Sam Lee", "note")  # an imported id that equals a name
    with pytest.raises(StoreError, match=r"Bob Ray \(Sam Lee\), Sam Lee|Sam Lee, Bob Ray"):
        store.delete_learner("Sam Lee")
    assert {learner.name for learner in store.learners()} == {"Sam Lee", "Bob Ray"}


def test_erasure_with_another_reader_open_says_it_is_not_finished(
    tmp_path: Path, kettle: Scenario
) -> None:
    path = tmp_path / "s.db"
    with Store.open(path) as store:
        fill(store, kettle, "Zed Quorn", "ZQ-1", "Xylophonic note")
    reader = sqlite3.connect(path)
    reader.execute("BEGIN")
    reader.execute("SELECT count(*) FROM turns").fetchone()  # a read transaction held open
    try:
        with Store.open(path) as store:
            with pytest.raises(StoreError, match=r"another program has .* open"):
                store.delete_learner("ZQ-1")
            assert store.find_learners("ZQ-1") == []  # gone from the records
    finally:
        reader.rollback()
        reader.close()
    with Store.open(path):  # the last connection to close checkpoints: then it is in no file
        pass
    for name in ("s.db", "s.db-wal"):
        f = tmp_path / name
        assert not f.exists() or b"Xylophonic" not in f.read_bytes(), name


def test_an_erased_learner_leaves_no_trace_in_the_files(tmp_path: Path, kettle: Scenario) -> None:
    path = tmp_path / "s.db"
    with Store.open(path) as store:  # some data reaches the main file
        fill(store, kettle, "Zebedee Quartermaine", "ZQ-77", "Xylophonic first note")
    with Store.open(path) as store:  # and some is still only in the write-ahead log
        sid = store.find_learners("ZQ-77")[0]
        again, session = new_session(store, kettle, sid.name, ref="ZQ-77")
        play(store, again, session, *BEST[:2])
        store.add_note(again, "Xylophonic second note")
        assert store.delete_learner("ZQ-77") == 1
        # erased on disk at once, while the store is still open (the simulator keeps it open)
        for file in tmp_path.iterdir():
            data = file.read_bytes()
            for secret in (b"Zebedee", b"ZQ-77", b"Xylophonic"):
                assert secret not in data, f"{secret!r} is still in {file.name}"


def test_export_contains_everything_about_the_learner(store: Store, kettle: Scenario) -> None:
    first = fill(store, kettle, "Ann Lee", "L001", "First note")
    second = fill(store, kettle, "Ann Lee", "L001", "Second note")
    fill(store, kettle, "Bob Ray", "L002", "Bob's note")
    data = store.export_learner("L001")
    assert json.loads(json.dumps(data)) == data  # JSON-ready
    assert data["store"] == str(store.path) and data["exported"]
    (learner,) = data["learners"]
    assert (learner["name"], learner["learner_id"], learner["group"]) == ("Ann Lee", "L001", "G1")
    assert learner["created"]
    assert [s["session"] for s in learner["sessions"]] == [first, second]
    one = learner["sessions"][0]
    assert [t["option"] for t in one["turns"]] == BEST
    option = kettle.option(BEST[0])
    assert option is not None
    assert one["turns"][0]["line"] == option.say
    assert one["turns"][0]["behaviours"] == list(option.shows)
    assert one["turns"][0]["time_taken_ms"] == 900
    assert [n["text"] for n in one["notes"]] == ["First note"]
    assert one["responses"] == RESPONSES.to_dict()
    assert one["grade"] == "distinction" and one["result"]["grade"] == "distinction"
    assert (one["scenario"], one["mode"], one["state"], one["outcome"]) == (
        "faulty-kettle",
        "practice",
        "finished",
        "resolved",
    )
    assert "Bob" not in json.dumps(data)


def test_export_of_an_unknown_learner_is_empty(store: Store) -> None:
    assert store.export_learner("Nobody")["learners"] == []


# -- the file ---------------------------------------------------------------------------------
def test_the_store_is_in_wal_mode_at_the_current_schema(tmp_path: Path) -> None:
    path = tmp_path / "deep" / "folder" / "s.db"  # missing folders are created
    with Store.open(path) as store:
        assert store.db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        assert store.db.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
        assert store.db.execute("PRAGMA foreign_keys").fetchone()[0] == 1
        assert store.integrity_ok()
    raw = sqlite3.connect(path)
    try:
        assert raw.execute("PRAGMA journal_mode").fetchone()[0] == "wal"  # persistent
        assert raw.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
    finally:
        raw.close()


def test_reopening_keeps_the_data(tmp_path: Path, kettle: Scenario) -> None:
    path = tmp_path / "s.db"
    with Store.open(path) as store:
        sid = fill(store, kettle, "Ann Lee", "L001", "note")
    with Store.open(path) as store:
        record = store.session(sid)
        assert record is not None and record.choices == BEST


def test_a_store_from_a_newer_version_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "s.db"
    raw = sqlite3.connect(path)
    raw.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 3}")
    raw.close()
    before = path.read_bytes()
    with pytest.raises(StoreError) as caught:
        Store.open(path)
    message = str(caught.value)
    assert f"schema {SCHEMA_VERSION + 3}" in message
    assert f"up to {SCHEMA_VERSION}" in message
    assert "newer version" in message and str(path) in message
    assert path.read_bytes() == before  # left as it was


def test_a_file_that_is_not_sqlite_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "s.db"
    path.write_bytes(b"this is not a database, just some notes\n" * 100)
    with pytest.raises(StoreError, match="cannot open the session store"):
        Store.open(path)


def test_a_folder_in_place_of_the_file_is_refused(tmp_path: Path) -> None:
    with pytest.raises(StoreError, match="cannot open"):
        Store.open(tmp_path)


def test_a_file_in_place_of_the_folder_is_refused(tmp_path: Path) -> None:
    blocker = tmp_path / "data"
    blocker.write_text("a file, not a folder")
    with pytest.raises(StoreError, match="cannot create"):
        Store.open(blocker / "s.db")


def test_an_empty_version_0_database_is_migrated(tmp_path: Path, kettle: Scenario) -> None:
    path = tmp_path / "s.db"
    sqlite3.connect(path).close()
    raw = sqlite3.connect(path)
    raw.execute("VACUUM")  # make it a real (empty) SQLite file at user_version 0
    assert raw.execute("PRAGMA user_version").fetchone()[0] == 0
    raw.close()
    with Store.open(path) as store:
        assert store.db.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
        tables = {
            r[0] for r in store.db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")
        }
        assert {"learners", "sessions", "turns", "notes", "responses", "results"} <= tables
        sid = fill(store, kettle, "Ann Lee", "L001", "note")
        assert store.session(sid) is not None


def test_every_migration_runs_once(tmp_path: Path) -> None:
    path = tmp_path / "s.db"
    Store.open(path).close()
    Store.open(path).close()  # opening again must not re-run migration 1 (tables exist)
    raw = sqlite3.connect(path)
    try:
        assert raw.execute("PRAGMA user_version").fetchone()[0] == len(MIGRATIONS)
    finally:
        raw.close()


def test_default_path_honours_the_environment(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setattr("sys.platform", "linux")
    monkeypatch.setenv(ENV_VAR, str(tmp_path / "mine.db"))
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg"))
    assert default_path() == tmp_path / "mine.db"
    monkeypatch.setenv(ENV_VAR, "~/stores/mine.db")
    assert default_path() == Path.home() / "stores" / "mine.db"
    monkeypatch.delenv(ENV_VAR)
    assert default_path() == tmp_path / "xdg" / APP_DIR / FILE_NAME
    monkeypatch.setenv(ENV_VAR, "")  # empty means unset
    assert default_path() == tmp_path / "xdg" / APP_DIR / FILE_NAME
    monkeypatch.delenv("XDG_DATA_HOME")
    assert default_path() == Path.home() / ".local" / "share" / APP_DIR / FILE_NAME
    monkeypatch.setenv("XDG_DATA_HOME", "relative/data")  # invalid by the XDG spec: ignored
    assert default_path() == Path.home() / ".local" / "share" / APP_DIR / FILE_NAME


def test_store_open_uses_the_default_path(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv(ENV_VAR, str(tmp_path / "env" / "s.db"))
    with Store.open() as store:
        assert store.path == tmp_path / "env" / "s.db"
    assert (tmp_path / "env" / "s.db").is_file()


def test_saving_responses_replaces_parts_the_learner_cleared(tmp_path: Path) -> None:
    store = Store.open(tmp_path / "r.db")
    scenario = open_scenario("faulty-kettle").scenario
    learner = store.learner("Lee")
    sid = store.start_session(learner, scenario, "practice")
    plan = (PlanEntry("Practise open questions", "P2", "2026-12-04"),)
    store.save_responses(
        sid, LearnerResponses(review=Review("a", "b", "c", "d"), learning_plan=plan)
    )
    store.save_responses(sid, LearnerResponses(review=Review("a", "b", "c", "d")))
    record = store.session(sid)
    assert record is not None
    assert record.responses.learning_plan == ()
    assert record.responses.review == Review("a", "b", "c", "d")
    store.close()


def test_an_abandoned_session_is_kept_but_no_longer_in_progress(tmp_path: Path) -> None:
    store = Store.open(tmp_path / "a.db")
    scenario = open_scenario("faulty-kettle").scenario
    sid = store.start_session(store.learner("Kim"), scenario, "practice")
    store.abandon(sid)
    record = store.session(sid)
    assert record is not None and record.state == "abandoned" and record.ended is not None
    store.close()


def test_import_de_duplication_finds_a_session_by_index(tmp_path: Path) -> None:
    """Attack report B8: each imported session was checked by a scan of the learner's sessions."""
    with Store.open(tmp_path / "s.db") as store:
        plan = store.db.execute(
            "EXPLAIN QUERY PLAN SELECT id FROM sessions "
            "WHERE learner_id = ? AND scenario_id = ? AND started = ?",
            (1, "faulty-kettle", "2026-12-02T10:00:00+00:00"),
        ).fetchall()
    detail = " ".join(str(row[-1]) for row in plan)
    assert "INDEX sessions_identity (learner_id=? AND scenario_id=? AND started=?)" in detail


def _open_at_once(path: str, barrier: Any, errors: Any) -> None:
    """One program of a class starting together: wait for the others, then open the store."""
    barrier.wait()
    try:
        Store.open(Path(path)).close()
    except Exception as exc:  # every failure is what the test counts
        errors.put(f"{type(exc).__name__}: {exc}")


def test_many_programs_may_create_a_store_at_the_same_moment(tmp_path: Path) -> None:
    """Performance review finding 6: 10 processes opening a store that did not exist yet failed
    9, 9, 2, 9 and 9 times in 5 trials ("table learners already exists", "database is locked");
    under textual-serve, learners got a blank page."""
    context = multiprocessing.get_context("fork")
    errors = context.Queue()
    for trial in range(20):
        path = str(tmp_path / f"new-{trial}.sqlite3")
        barrier = context.Barrier(10)
        programs = [
            context.Process(target=_open_at_once, args=(path, barrier, errors)) for _ in range(10)
        ]
        for program in programs:
            program.start()
        for program in programs:
            program.join(60)
            assert program.exitcode == 0, f"trial {trial}: a program did not end cleanly"
        with Store.open(Path(path)) as store:
            assert store.version == SCHEMA_VERSION and store.integrity_ok()
    failures = []
    while not errors.empty():
        failures.append(errors.get())
    assert failures == []
