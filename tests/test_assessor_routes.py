"""The routes of the assessor review (shared/reviews/assessor-review-2026-12.md), judged again.

Each row is a route the review quoted (findings 1-8, 10 and 15), rebuilt on the reworked bundled
scenarios (or on the review's probe, tests/fixtures/scoring/late-disaster.scenario.yaml), with the
verdict an assessor would sign: a serious error outweighs every good line, the ending counts, one
line is not evidence of separate steps, and no route earns what the session did not show.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Any

import pytest

from simulator.catalog import open_rubric, open_scenario
from simulator.engine import replay
from simulator.model import Rubric, Scenario
from simulator.scoring import LearnerResponses, SessionResult, combine, score_session

PROBE = str(Path(__file__).parent / "fixtures" / "scoring" / "late-disaster.scenario.yaml")


@cache
def scenario(ref: str) -> Scenario:
    return open_scenario(ref).scenario


@cache
def unit7() -> Rubric:
    return open_rubric("ocr-l2-unit7")


def play(
    ref: str, route: str, responses: dict[str, Any] | None = None, session_id: str = ""
) -> SessionResult:
    s = scenario(ref)
    session = replay(s, route.split(","))
    steps = [(st.node, st.option, st.auto) for st in session.steps]
    return score_session(
        unit7(), s, steps, LearnerResponses.from_dict(responses), outcome=session.outcome,
        session_id=session_id,
    )  # fmt: skip


KETTLE = "faulty-kettle"
ROUTER = "router-helpline"
KD = (
    "sorry-tell-me,probe-fault,look-at-kettle,ask-damage,safety-advice,ask-date-proof,"
    "bank-statement-ok,take-notes,repeat-back,go-to-manager,brief-clearly,list-options,"
    "recommend-refund-discount,policy-and-reasons,offer-three,recommend-clearview,justify-balance,"
    "check-understanding,correct-timing,fill-returns-form,check-with-returns,call-customer"
)
KW = (  # finding 1: nine poor behaviours, every criterion's evidence there
    "ask-receipt-first,defend-shop,listen-properly,probe-fault,kettles-do-that,suggest-electrician,"
    "ask-date-proof,no-receipt-no-refund,hold-the-line,take-notes,repeat-back,agree-upgrade,"
    "brief-credit-note,list-options,recommend-refund-discount,jargon-policy,repeat-jargon,"
    "say-it-plainly,offer-three,recommend-clearview,take-it-or-leave-it,justify-balance,"
    "check-understanding,correct-timing,fill-returns-form,check-with-returns,call-customer"
)
RD = (
    "greet-verify,thank-verified,probe-phone,acknowledge-lifeline,ask-white-box,ask-grey-cable,"
    "ask-red-socket,ask-telecare,offer-battery-backup,offer-callback-tl,brief-tl,list-tl-options,"
    "recommend-visit,explain-no-engineer,offer-choices,recommend-thursday,justify-thursday,"
    "teach-back,correct-and-book,log-complaint,check-tech-desk,call-gloria"
)
RW = (  # finding 2: reads her address to an unverified caller first, then does well
    "skip-security,probe-phone,acknowledge-lifeline,ask-white-box,ask-grey-cable,ask-red-socket,"
    "ask-telecare,verify-for-backup,offer-battery-backup,offer-callback-tl,brief-tl,"
    "list-tl-options,recommend-visit,explain-no-engineer,offer-choices,recommend-thursday,"
    "justify-thursday,teach-back,correct-and-book,log-complaint,check-tech-desk,call-gloria"
)
UNVERIFIED = (  # finding 4: never verified, books the visit and changes the account
    "jargon-opener,rephrase-plainly,ask-white-box,ask-grey-cable,ask-red-socket,on-to-tablet,"
    "offer-callback-tl,brief-tl,list-tl-options,recommend-visit,cold-policy-2,offer-choices,"
    "recommend-thursday,justify-thursday,teach-back,correct-and-book,log-complaint,"
    "check-tech-desk,call-gloria"
)
A: tuple[str, None] = ("achieved", None)

# (id, scenario, route, grade, uncorrected critical errors (first named first), {code: verdict})
ROWS: list[tuple[str, str, str, str, tuple[str, ...], dict[str, tuple[str, str | None]]]] = [
    ("1: nine poor behaviours earn no band, whatever else the session shows", KETTLE, KW,
     "not_yet", ("misstate_rights", "misstate_rights", "exceed_authority", "misstate_rights"),
     {"P2": A, "P3": A, "P4": A, "P7": A, "D2": A}),
    ("1: the model route", KETTLE, KD, "distinction", (), {}),
    ("1: a misstatement put right at once still earns the band", KETTLE,
     KD.replace("bank-statement-ok", "no-receipt-no-refund,correct-credit-note"), "distinction",
     (), {}),
    ("2: a breach first earns no band, however well the rest goes", ROUTER, RW, "not_yet",
     ("breach_data_protection",), {"P2": A, "D2": A}),
    ("2: the model route", ROUTER, RD, "distinction", (), {}),
    ("4: booking on an unverified account is the breach, not P7", ROUTER, UNVERIFIED, "not_yet",
     ("breach_data_protection",), {"P7": ("not_yet", "missing")}),
    ("5: consistent closed questions and a repeat-back earn P2", ROUTER,
     UNVERIFIED.replace("cold-policy-2", "verify-now,explain-no-engineer"), "distinction", (),
     {"P2": A}),
    ("6: options listed to the customer are P4; M1 needs them first", ROUTER,
     RD.replace("probe-phone,acknowledge-lifeline", "repeat-back-problem")
       .replace("offer-callback-tl,brief-tl,list-tl-options", "hold-for-tl,brief-tl"),
     "pass", (), {"P4": A, "M1": ("not_yet", "order")}),
    ("7: an unfinished session has no grade", KETTLE,
     KD.removesuffix(",check-with-returns,call-customer"), "in_progress", (),
     {"P7": ("not_yet", "unfinished")}),
    ("7: the probe: a customer lost at the end earns no band", PROBE,
     "ask,brief,explain,followup,insult", "not_yet", (),
     {"P7": ("not_yet", "outcome"), "D2": ("not_yet", "outcome")}),
    ("8: the probe: one line is not evidence of separate later steps", PROBE,
     "ask,brief,explain,followup,thank", "pass", (),
     {"P5": A, "M2": ("not_yet", "order"), "D1": ("not_yet", "order"), "M1": ("not_yet", "order"),
      "D2": A}),
    ("15: D1 needs a solution selected before the justification", ROUTER,
     RD.replace("recommend-thursday,justify-thursday", "try-password-now,leave-it-to-her,"
                "justify-thursday"), "merit", (), {"M3": A, "D1": ("not_yet", "order")}),
]  # fmt: skip


@pytest.mark.parametrize(
    ("ref", "route", "grade", "errors", "expected"),
    [row[1:] for row in ROWS],
    ids=[row[0] for row in ROWS],
)
def test_assessor_routes(
    ref: str,
    route: str,
    grade: str,
    errors: tuple[str, ...],
    expected: dict[str, tuple[str, str | None]],
) -> None:
    result = play(ref, route)
    got = {code: (result.criteria[code].status, result.criteria[code].reason) for code in expected}
    assert got == expected
    assert tuple(e.behaviour for e in result.open_errors) == errors
    assert result.grade.value == grade
    assert result.grade.ruled_out_by == tuple(dict.fromkeys(errors))


def test_the_breach_is_named_with_the_line_that_made_it() -> None:
    result = play(ROUTER, RW)
    first = result.to_dict()["critical_errors"][0]
    assert (first["behaviour"], first["line"]["turn"], first["line"]["option"]) == (
        "breach_data_protection", 1, "skip-security",
    )  # fmt: skip
    assert "Beaumont Road" in first["line"]["line"]
    assert first["corrected"] is False


def test_a_corrected_misstatement_stays_on_the_record() -> None:
    result = play(
        KETTLE, KD.replace("bank-statement-ok", "no-receipt-no-refund,correct-credit-note")
    )
    (error,) = result.critical
    assert (error.behaviour, error.evidence.option) == ("misstate_rights", "no-receipt-no-refund")
    assert error.corrected_by is not None and error.corrected_by.option == "correct-credit-note"


def test_5_an_inappropriate_open_question_is_not_evidence() -> None:
    result = play(
        ROUTER,
        RD.replace("probe-phone,acknowledge-lifeline", "repeat-back-problem,describe-everything"),
    )
    cited = {e.option for e in result.criteria["P2"].evidence}
    assert "describe-everything" not in cited
    assert scenario(ROUTER).option("describe-everything").quality == "poor"  # type: ignore[union-attr]


def test_15_each_follow_up_line_records_whom_it_was_said_to() -> None:
    d2 = play(KETTLE, KD).criteria["D2"]
    to = {e.option: e.to for e in d2.evidence}
    assert to["call-customer"] == "customer"
    assert to["check-with-returns"] != "customer"


CAUSE_WORDS = {
    "issue_words": "His twelve-day-old kettle leaked and tripped the electrics.",
    "challenge_words": "He is angry and frightened, and wants more than the law gives him.",
}


@pytest.mark.parametrize(
    ("picks", "status"),
    [
        ({"characteristics": ["external"]}, "not_yet"),
        ({"characteristics": list(("gender", "age", "location", "language", "ethnicity",
                                   "internal", "external", "cultural", "religious", "specialist",
                                   "disability")),
          "indicators": list(("angry", "upset", "indecisive", "confused", "unreasonable",
                              "confrontational", "frustrated", "specialist_equipment"))},
         "not_yet"),
        ({"indicators": ["angry", "frustrated"]}, "needs_tutor"),
    ],
    ids=["3: external alone", "3: ticking every box", "3: the right indicators, in own words"],
)  # fmt: skip
def test_3_p1_is_assessed_not_copied(picks: dict[str, Any], status: str) -> None:
    responses = {"cause_assessment": {"issue": "product_faulty", **picks, **CAUSE_WORDS}}
    assert play(KETTLE, KD, responses).criteria["P1"].status == status


def test_10_the_portfolio_shows_failures_not_only_the_best() -> None:
    gamer = [
        play(KETTLE, KW, session_id="s1"),
        play(ROUTER, RW, session_id="s2"),
        play(KETTLE, "ask-receipt-first,defend-shop,threaten-leave", session_id="s3"),
        play(ROUTER, "skip-security,blame-her,repeat-back-problem,describe-everything,"
             "ask-white-box,ask-grey-cable,ask-red-socket,ask-telecare,reassure-alarm,"
             "promise-engineer,leave-the-promise", session_id="s4"),
    ]  # fmt: skip
    unit = combine(unit7(), gamer)
    assert unit.critical_sessions == ("s1", "s2", "s4")
    assert all(grade == "not_yet" for _, grade in unit.session_grades)
    p3 = unit.criteria["P3"]
    assert p3.status == "not_yet"  # only ruled-out sessions ever briefed the manager
    assert p3.consistency is not None and p3.consistency.achieved == 0
    assert unit.grade.value == "not_yet"


def test_a_criterion_the_session_ended_before_says_so() -> None:
    """Learner walkthrough finding 19: when the customer walked out at turn 3, the follow-up
    criterion says the learner never got that far, not that their replies failed to show it;
    a criterion whose replies were offered and passed over says that instead."""
    result = play(KETTLE, "ask-receipt-first,defend-shop,threaten-leave")
    d2 = result.criteria["D2"]
    assert d2.status == "not_yet"
    assert d2.detail.startswith("you didn't reach this part: the conversation ended before")
    p2 = result.criteria["P2"]  # an open question was offered at the first turn
    assert p2.status == "not_yet" and p2.detail.startswith("none of your replies showed")
    unfinished = play(KETTLE, "sorry-tell-me")
    unfinished_d2 = unfinished.criteria["D2"]
    assert unfinished_d2.detail == "the conversation has not reached this part yet"
