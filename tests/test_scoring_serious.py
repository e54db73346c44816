"""Serious errors, state-dependent evidence, the author's quality rating, strict order, endings.

Routes through tests/fixtures/scoring/scoring-serious.scenario.yaml (hubs ``call`` and
``account``, a ``desk`` where the tech desk speaks and one line is said to the customer), judged
against scoring-serious.yaml: P1 asks, P2 completes (resolved or escalated), M1 checks
understanding after an explanation, D1 follows up after the action (resolved or escalated), K1
is confirmed by the tutor; breaching data protection and misstating rights are critical.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import cache
from pathlib import Path

import pytest

from simulator.catalog import open_rubric, open_scenario
from simulator.decisions import TutorDecision
from simulator.engine import replay
from simulator.model import Rubric, Scenario
from simulator.scoring import SessionResult, apply_decisions, combine, score_session

FIXTURES = Path(__file__).parent / "fixtures" / "scoring"


@cache
def scenario() -> Scenario:
    return open_scenario(str(FIXTURES / "scoring-serious.scenario.yaml")).scenario


@cache
def rubric() -> Rubric:
    return open_rubric(str(FIXTURES / "scoring-serious.yaml"))


def play(route: str, session_id: str = "") -> SessionResult:
    s = scenario()
    session = replay(s, [c for c in route.split(",") if c])
    steps = [(st.node, st.option, st.auto) for st in session.steps]
    return score_session(rubric(), s, steps, outcome=session.outcome, session_id=session_id)


GOOD = "verify,ask,more,explain,check,book,to-desk,ask-desk,ring-customer,back,bye"
"""Every criterion the conversation decides, no error: Merit (K1, a Distinction criterion, is
the tutor's to confirm, and this route does not even evidence it)."""


def statuses(result: SessionResult, codes: Sequence[str]) -> dict[str, tuple[str, str | None]]:
    return {c: (result.criteria[c].status, result.criteria[c].reason) for c in codes}


# (id, route, expected grade, uncorrected critical errors, {code: (status, reason)})
ROUTES: list[tuple[str, str, str, tuple[str, ...], dict[str, tuple[str, str | None]]]] = [
    ("the model route", GOOD, "merit", (), {"P2": ("achieved", None), "D1": ("achieved", None),
                                             "K1": ("not_yet", "missing")}),
    ("a breach first rules out every band, whatever comes after",
     "read-address," + GOOD, "not_yet", ("breach_data_protection",),
     {"P1": ("achieved", None), "P2": ("achieved", None), "D1": ("achieved", None)}),
    ("a breach last rules it out too", GOOD.replace(",bye", ",back-to-call,read-address,more,bye"),
     "not_yet", ("breach_data_protection",), {}),
    ("booking before verifying is the breach, not the action",
     "ask,more,explain,check,book,to-desk,ask-desk,ring-customer,back,back-to-call,verify,more,bye",
     "not_yet", ("breach_data_protection",), {"P2": ("not_yet", "missing")}),
    ("a misstatement put right still earns a band, as a concern",
     "misstate,put-right," + GOOD, "merit", (), {"K1": ("needs_tutor", "tutor")}),
    ("a misstatement left standing earns nothing", "misstate," + GOOD, "not_yet",
     ("misstate_rights",), {}),
    ("a misstatement made again after the correction", "misstate,put-right,misstate," + GOOD,
     "not_yet", ("misstate_rights",), {}),
    ("a correction before any error corrects nothing", "put-right,misstate," + GOOD, "not_yet",
     ("misstate_rights",), {}),
    ("good behaviours of a poor line never count",
     GOOD.replace("verify,ask,", "verify,ask-everything,"), "not_yet", (),
     {"P1": ("not_yet", "missing")}),
    ("a check on the same line as the explanation is not a later check",
     GOOD.replace("explain,check,", "explain-and-check,"), "pass", (),
     {"M1": ("not_yet", "order")}),
    ("a check before any explanation", GOOD.replace("explain,check,", "check,explain,"), "pass",
     (), {"M1": ("not_yet", "order")}),
    ("follow-up before the action does not count",
     "verify,ask,more,explain,check,to-desk,ask-desk,ring-customer,back,book,bye", "merit", (),
     {"D1": ("not_yet", "order")}),
    ("a customer lost at the end earns no band",
     GOOD.replace(",bye", ",storm-off"), "not_yet", (),
     {"P2": ("not_yet", "outcome"), "D1": ("not_yet", "outcome"), "M1": ("achieved", None)}),
    ("an unfinished session has no grade", GOOD.replace(",back,bye", ""), "in_progress", (),
     {"P2": ("not_yet", "unfinished")}),
]  # fmt: skip


@pytest.mark.parametrize(
    ("route", "grade", "errors", "expected"),
    [row[1:] for row in ROUTES],
    ids=[row[0] for row in ROUTES],
)
def test_routes(
    route: str,
    grade: str,
    errors: tuple[str, ...],
    expected: dict[str, tuple[str, str | None]],
) -> None:
    result = play(route)
    assert statuses(result, list(expected)) == expected
    assert result.grade.value == grade
    assert result.grade.ruled_out_by == errors
    assert tuple(e.behaviour for e in result.open_errors) == errors


def test_the_critical_error_is_named_with_the_learners_line() -> None:
    result = play("read-address," + GOOD)
    (error,) = result.critical
    assert (error.behaviour, error.evidence.turn, error.evidence.option) == (
        "breach_data_protection", 1, "read-address",
    )  # fmt: skip
    assert error.evidence.line == "I've found you already: 14 Beaumont Road, is that right?"
    assert error.corrected_by is None
    data = result.to_dict()
    assert data["critical_errors"][0]["behaviour"] == "breach_data_protection"
    assert data["critical_errors"][0]["corrected"] is False
    assert data["grade_detail"]["ruled_out_by"] == ["breach_data_protection"]


def test_a_corrected_error_stays_on_the_record() -> None:
    result = play("misstate,put-right," + GOOD)
    (error,) = result.critical
    assert error.corrected_by is not None
    assert (error.evidence.option, error.corrected_by.option) == ("misstate", "put-right")
    assert result.to_dict()["critical_errors"][0]["corrected"] is True
    assert result.open_errors == ()


def test_the_same_booking_line_is_a_breach_or_an_action_by_the_state_it_is_said_in() -> None:
    unverified = play("ask,more,book,bye")
    verified = play("verify,ask,more,book,bye")
    assert [e.behaviour for e in unverified.critical] == ["breach_data_protection"]
    assert unverified.criteria["P2"].status == "not_yet"
    assert verified.critical == ()
    assert verified.criteria["P2"].status == "achieved"
    assert [e.option for e in verified.criteria["P2"].evidence] == ["book"]


def test_a_line_said_to_someone_other_than_the_speaker_records_whom() -> None:
    d1 = play(GOOD).criteria["D1"]
    assert {(e.option, e.to) for e in d1.evidence} == {
        ("ask-desk", "techdesk"), ("ring-customer", "customer"),
    }  # fmt: skip


def test_tutor_confirmed_criteria_are_supporting_evidence_for_the_tutor() -> None:
    result = play("misstate,put-right," + GOOD)
    k1 = result.criteria["K1"]
    assert (k1.status, k1.reason) == ("needs_tutor", "tutor")
    assert [e.option for e in k1.evidence] == ["put-right"]
    # the grade never counts it as achieved, and says what confirming it would give
    assert result.grade.value == "merit"
    assert result.grade.if_confirmed == "distinction"


def test_a_tutors_decision_replaces_the_verdict_and_the_grade_follows() -> None:
    result = play("misstate,put-right," + GOOD)
    decided = apply_decisions(
        rubric(), result, [TutorDecision("K1", "achieved", "Ms Patel", "2026-12-02T10:00:00Z")]
    )
    k1 = decided.criteria["K1"]
    assert (k1.status, k1.reason) == ("achieved", "tutor_decision")
    assert "Ms Patel" in k1.detail and "2026-12-02" in k1.detail
    assert k1.decision is not None and k1.to_dict()["decision"]["by"] == "Ms Patel"
    assert decided.grade.value == "distinction"
    overturned = apply_decisions(
        rubric(), play(GOOD),
        [TutorDecision("P1", "not_yet", "Ms Patel", "2026-12-02T10:00:00Z", "too quick")],
    )  # fmt: skip
    assert overturned.criteria["P1"].status == "not_yet"
    assert overturned.criteria["P1"].detail.endswith(": too quick")
    assert overturned.grade.value == "not_yet"


def test_a_decision_never_lifts_a_critical_error() -> None:
    ruled = play("read-address," + GOOD)
    decided = apply_decisions(
        rubric(), ruled, [TutorDecision("P1", "achieved", "Ms Patel", "2026-12-02T10:00:00Z")]
    )
    assert decided.grade.value == "not_yet"


def test_portfolio_counts_consistency_and_never_takes_a_ruled_out_session_as_evidence() -> None:
    sessions = [
        play(GOOD, "s1"),
        play("read-address," + GOOD, "s2"),
        play(GOOD.replace(",bye", ",storm-off"), "s3"),
    ]
    unit = combine(rubric(), sessions)
    p2 = unit.criteria["P2"]
    assert p2.status == "achieved"
    assert p2.consistency is not None
    assert (p2.consistency.achieved, p2.consistency.of) == (1, 3)
    assert (p2.consistency.latest, p2.consistency.latest_session) == ("not_yet", "s3")
    assert unit.critical_sessions == ("s2",)
    assert [(s, e.behaviour) for s, e in unit.critical] == [("s2", "breach_data_protection")]
    assert unit.session_grades == (("s1", "merit"), ("s2", "not_yet"), ("s3", "not_yet"))
    data = unit.to_dict()
    assert data["criteria"]["P2"]["consistency"] == {
        "achieved": 1, "of": 3, "latest": "not_yet", "latest_session": "s3",
    }  # fmt: skip
    assert data["sessions_with_critical_errors"] == ["s2"]
    only_ruled_out = combine(rubric(), [play("read-address," + GOOD, "s2")])
    assert only_ruled_out.criteria["P2"].status == "not_yet"
    assert only_ruled_out.criteria["P2"].reason == "ruled_out"
