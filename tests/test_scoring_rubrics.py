"""The bundled rubrics judging the bundled scenarios: what a tutor would see for known routes.

Each row plays a route through the engine and checks a few criteria and the session grade. The
issue's acceptance for OCR Unit 7: both bundled scenarios can reach a Distinction-level session,
both have routes that end Not yet, and both can cover every Unit 7 session criterion.
"""

from __future__ import annotations

import json
from functools import cache
from typing import Any

import pytest

from simulator.catalog import bundled_rubric_paths, open_rubric, open_scenario
from simulator.cli import main
from simulator.engine import replay
from simulator.errors import Severity
from simulator.lint import check_rubric_file
from simulator.model import Rubric, Scenario
from simulator.scoring import LearnerResponses, SessionResult, combine, coverable, score_session

RUBRICS = ("ocr-l2-unit7", "ocr-c3", "pearson-resolve-problems-l3", "pearson-l3-unit4")
SCENARIOS = ("faulty-kettle", "router-helpline")
BUNDLED = {p.stem: p for p in bundled_rubric_paths()}


def csv(text: str) -> list[str]:
    return [c for c in text.split(",") if c]


KETTLE_DISTINCTION = csv(
    "sorry-tell-me,probe-fault,look-at-kettle,ask-damage,safety-advice,ask-date-proof,"
    "bank-statement-ok,take-notes,repeat-back,go-to-manager,brief-clearly,list-options,"
    "recommend-refund-discount,policy-and-reasons,offer-three,recommend-clearview,justify-balance,"
    "check-understanding,correct-timing,fill-returns-form,check-with-returns,call-customer"
)
KETTLE_POOR = csv("ask-receipt-first,defend-shop,threaten-leave")
KETTLE_BRUSHOFF = csv(
    "manufacturer-brushoff,correct-myself,probe-fault,safety-advice,ask-date-proof,"
    "bank-statement-ok,repeat-back,flat-no,stand-firm"
)
ROUTER_DISTINCTION = csv(
    "greet-verify,thank-verified,probe-phone,acknowledge-lifeline,ask-white-box,ask-grey-cable,"
    "ask-red-socket,ask-telecare,offer-battery-backup,offer-callback-tl,brief-tl,list-tl-options,"
    "recommend-visit,explain-no-engineer,offer-choices,recommend-thursday,justify-thursday,"
    "teach-back,correct-and-book,log-complaint,check-tech-desk,call-gloria"
)
ROUTER_POOR = csv("skip-security,jargon-diag,repeat-jargon,wait-for-granddaughter")


def swap(route: list[str], old: str, new: str) -> list[str]:
    """Return the route with one choice replaced by one or more (comma-separated)."""
    assert old in route, old
    i = route.index(old)
    return [*route[:i], *csv(new), *route[i + 1 :]]


def drop(route: list[str], *gone: str) -> list[str]:
    assert all(g in route for g in gone), gone
    return [c for c in route if c not in gone]


# Variations on the Distinction routes, each changing one thing a learner might do differently
KETTLE_NO_CHECK = swap(
    drop(KETTLE_DISTINCTION, "correct-timing"), "check-understanding", "summary-make-sense"
)  # a summary and "Does that all make sense?"
KETTLE_NO_FOLLOW_UP = swap(drop(KETTLE_DISTINCTION, "call-customer"), "check-with-returns",
                           "assume-done")  # fmt: skip
KETTLE_COLD_POLICY = swap(KETTLE_DISTINCTION, "policy-and-reasons", "cold-policy")
KETTLE_JARGON_THEN_PLAIN = swap(KETTLE_DISTINCTION, "policy-and-reasons",
                                "jargon-policy,say-it-plainly")  # fmt: skip
KETTLE_ARGUE_THEN_JUSTIFY = swap(KETTLE_DISTINCTION, "justify-balance",
                                 "take-it-or-leave-it,justify-balance")  # fmt: skip
ROUTER_IS_THAT_OK = swap(swap(ROUTER_DISTINCTION, "teach-back", "is-that-ok"), "correct-and-book",
                         "book-and-confirm")  # fmt: skip
ROUTER_NO_JUSTIFICATION = swap(ROUTER_DISTINCTION, "justify-thursday", "best-i-can")
ROUTER_NO_CONSENT = swap(ROUTER_DISTINCTION, "correct-and-book", "book-no-consent")
ROUTER_JARGON_THEN_PLAIN = swap(drop(ROUTER_DISTINCTION, "acknowledge-lifeline"), "probe-phone",
                                "jargon-diag,rephrase-plainly")  # fmt: skip

Expected = dict[str, tuple[str, str | None]]
A: tuple[str, None] = ("achieved", None)
MISSING = ("not_yet", "missing")
TUTOR = (
    "needs_tutor",
    "tutor",
)  # Unit 4's knowledge criteria: the session supports, a tutor judges

# (id, rubric, scenario, choices, expected {code: (status, reason)}, session grade)
ROWS: list[tuple[str, str, str, list[str], Expected, str]] = [
    # -- OCR Unit 7 (banded) -------------------------------------------------------------------
    ("unit7 kettle distinction", "ocr-l2-unit7", "faulty-kettle", KETTLE_DISTINCTION,
     {"P2": A, "P3": A, "M1": A, "M2": A, "D1": A, "D2": A, "P1": MISSING, "P8": MISSING},
     "distinction"),
    ("unit7 kettle receipt first", "ocr-l2-unit7", "faulty-kettle", KETTLE_POOR,
     {"P2": MISSING, "P3": MISSING, "P7": MISSING}, "not_yet"),
    ("unit7 kettle manufacturer brush-off", "ocr-l2-unit7", "faulty-kettle", KETTLE_BRUSHOFF,
     {"P2": A, "P3": MISSING, "P6": MISSING}, "not_yet"),
    ("unit7 kettle skips the check", "ocr-l2-unit7", "faulty-kettle", KETTLE_NO_CHECK,
     {"M2": MISSING, "D1": A, "D2": A}, "pass"),
    ("unit7 kettle no follow-up", "ocr-l2-unit7", "faulty-kettle", KETTLE_NO_FOLLOW_UP,
     {"M2": A, "D2": MISSING}, "merit"),
    ("unit7 kettle cold policy", "ocr-l2-unit7", "faulty-kettle", KETTLE_COLD_POLICY,
     {"P6": MISSING, "M3": A}, "not_yet"),
    ("unit7 kettle jargon then plain words", "ocr-l2-unit7", "faulty-kettle",
     KETTLE_JARGON_THEN_PLAIN, {"P5": A, "P6": A}, "distinction"),
    ("unit7 kettle argues then justifies", "ocr-l2-unit7", "faulty-kettle",
     KETTLE_ARGUE_THEN_JUSTIFY, {"D1": A}, "distinction"),
    ("unit7 router distinction", "ocr-l2-unit7", "router-helpline", ROUTER_DISTINCTION,
     {"P2": A, "P3": A, "M1": A, "M2": A, "D1": A, "D2": A, "P1": MISSING}, "distinction"),
    ("unit7 router jargon and gives up", "ocr-l2-unit7", "router-helpline", ROUTER_POOR,
     {"P2": MISSING, "P5": MISSING}, "not_yet"),
    ("unit7 router 'is that OK?'", "ocr-l2-unit7", "router-helpline", ROUTER_IS_THAT_OK,
     {"M2": MISSING, "P7": A}, "pass"),
    ("unit7 router no justification", "ocr-l2-unit7", "router-helpline", ROUTER_NO_JUSTIFICATION,
     {"D1": MISSING, "M3": A}, "merit"),
    ("unit7 router books without consent", "ocr-l2-unit7", "router-helpline", ROUTER_NO_CONSENT,
     {"P7": MISSING, "D2": ("not_yet", "order")}, "not_yet"),
    ("unit7 router jargon then plain words", "ocr-l2-unit7", "router-helpline",
     ROUTER_JARGON_THEN_PLAIN, {"P2": A, "P5": A}, "distinction"),
    # -- OCR C3 (competence) -------------------------------------------------------------------
    ("c3 kettle distinction route", "ocr-c3", "faulty-kettle", KETTLE_DISTINCTION,
     {"1.1": A, "2.2": A, "3.3": A, "1.3": ("needs_tutor", "tutor")}, "competent"),
    ("c3 kettle receipt first", "ocr-c3", "faulty-kettle", KETTLE_POOR,
     {"1.1": MISSING, "3.2": MISSING}, "not_yet"),
    ("c3 kettle brush-off", "ocr-c3", "faulty-kettle", KETTLE_BRUSHOFF,
     {"1.1": A, "2.2": MISSING}, "not_yet"),
    ("c3 kettle alternatives count without the policy explained first", "ocr-c3",
     "faulty-kettle", KETTLE_COLD_POLICY, {"2.5": A}, "competent"),
    ("c3 kettle no follow-up", "ocr-c3", "faulty-kettle", KETTLE_NO_FOLLOW_UP,
     {"3.3": MISSING, "3.5": MISSING}, "not_yet"),
    ("c3 router distinction route", "ocr-c3", "router-helpline", ROUTER_DISTINCTION,
     {"1.1": A, "3.1": A, "3.6": A}, "competent"),
    ("c3 router poor", "ocr-c3", "router-helpline", ROUTER_POOR, {"1.2": MISSING}, "not_yet"),
    ("c3 router books without consent", "ocr-c3", "router-helpline", ROUTER_NO_CONSENT,
     {"3.2": MISSING}, "not_yet"),
    ("c3 router 'is that OK?'", "ocr-c3", "router-helpline", ROUTER_IS_THAT_OK,
     {"3.1": MISSING}, "not_yet"),
    # -- Resolve customers' problems L3 (competence) ---------------------------------------------
    ("rcp kettle distinction route", "pearson-resolve-problems-l3", "faulty-kettle",
     KETTLE_DISTINCTION, {"2.1": A, "2.6": A, "2.9": A, "2.8": MISSING}, "competent"),
    ("rcp kettle receipt first", "pearson-resolve-problems-l3", "faulty-kettle", KETTLE_POOR,
     {"2.1": MISSING, "2.9": MISSING}, "not_yet"),
    ("rcp kettle cold policy", "pearson-resolve-problems-l3", "faulty-kettle", KETTLE_COLD_POLICY,
     {"2.9": MISSING}, "not_yet"),
    ("rcp router distinction route", "pearson-resolve-problems-l3", "router-helpline",
     ROUTER_DISTINCTION, {"2.1": A, "2.7": A, "2.9": A}, "competent"),
    ("rcp router poor", "pearson-resolve-problems-l3", "router-helpline", ROUTER_POOR,
     {"2.1": MISSING}, "not_yet"),
    ("rcp router books without consent", "pearson-resolve-problems-l3", "router-helpline",
     ROUTER_NO_CONSENT, {"2.9": ("not_yet", "ruled_out")}, "not_yet"),
    ("rcp router no justification", "pearson-resolve-problems-l3", "router-helpline",
     ROUTER_NO_JUSTIFICATION, {"2.6": MISSING}, "not_yet"),
    # -- Pearson BTEC L3 Unit 4 (pass only) ------------------------------------------------------
    ("unit4 kettle distinction route", "pearson-l3-unit4", "faulty-kettle", KETTLE_DISTINCTION,
     {"3.2": TUTOR, "3.4": TUTOR, "1.1": TUTOR}, "not_yet"),
    ("unit4 kettle receipt first", "pearson-l3-unit4", "faulty-kettle", KETTLE_POOR,
     {"3.2": MISSING, "3.4": MISSING}, "not_yet"),
    ("unit4 kettle skips the check", "pearson-l3-unit4", "faulty-kettle", KETTLE_NO_CHECK,
     {"3.2": TUTOR, "3.4": TUTOR}, "not_yet"),  # the summary concludes it
    ("unit4 router distinction route", "pearson-l3-unit4", "router-helpline", ROUTER_DISTINCTION,
     {"3.2": TUTOR, "3.4": TUTOR}, "not_yet"),
    ("unit4 router poor", "pearson-l3-unit4", "router-helpline", ROUTER_POOR,
     {"3.2": MISSING}, "not_yet"),
    ("unit4 router no justification", "pearson-l3-unit4", "router-helpline",
     ROUTER_NO_JUSTIFICATION, {"3.2": MISSING}, "not_yet"),
]  # fmt: skip


def _needs(rubric_id: str) -> pytest.MarkDecorator:
    return pytest.mark.skipif(
        rubric_id not in BUNDLED, reason=f"rubrics/{rubric_id}.yaml is not bundled yet"
    )


@cache
def rubric(rubric_id: str) -> Rubric:
    return open_rubric(rubric_id)


@cache
def scenario(scenario_id: str) -> Scenario:
    return open_scenario(scenario_id).scenario


def play(
    rubric_id: str,
    scenario_id: str,
    choices: list[str],
    responses: dict[str, Any] | None = None,
    session_id: str = "",
) -> SessionResult:
    s = scenario(scenario_id)
    session = replay(s, choices)
    steps = [(st.node, st.option, st.auto) for st in session.steps]
    return score_session(
        rubric(rubric_id),
        s,
        steps,
        LearnerResponses.from_dict(responses),
        outcome=session.outcome,
        session_id=session_id,
    )


@pytest.mark.parametrize("rubric_id", [pytest.param(r, marks=_needs(r)) for r in RUBRICS])
def test_bundled_rubric_lints_clean(rubric_id: str) -> None:
    _, problems = check_rubric_file(BUNDLED[rubric_id])
    assert [p.format() for p in problems if p.severity is Severity.ERROR] == []


@pytest.mark.parametrize(
    ("rubric_id", "scenario_id", "choices", "expected", "grade"),
    [pytest.param(*row[1:], id=row[0], marks=_needs(row[1])) for row in ROWS],
)
def test_bundled_route_verdicts_and_grade(
    rubric_id: str, scenario_id: str, choices: list[str], expected: Expected, grade: str
) -> None:
    result = play(rubric_id, scenario_id, choices)
    got = {code: (result.criteria[code].status, result.criteria[code].reason) for code in expected}
    assert got == expected
    assert result.grade.value == grade
    assert result.grade.not_covered == ()  # the bundled scenarios can show every session criterion
    for verdict in result.criteria.values():
        if verdict.status == "achieved":  # achieved always cites the learner's own lines
            assert verdict.evidence
            assert all(e.option in choices for e in verdict.evidence)


@_needs("ocr-l2-unit7")
@pytest.mark.parametrize(
    ("scenario_id", "distinction", "not_yet"),
    [
        ("faulty-kettle", KETTLE_DISTINCTION, [KETTLE_POOR, KETTLE_BRUSHOFF]),
        ("router-helpline", ROUTER_DISTINCTION, [ROUTER_POOR]),
    ],
)
def test_unit7_acceptance_both_scenarios_reach_distinction_and_not_yet(
    scenario_id: str, distinction: list[str], not_yet: list[list[str]]
) -> None:
    best = play("ocr-l2-unit7", scenario_id, distinction)
    assert (best.grade.value, best.grade.label) == ("distinction", "Distinction")
    assert best.grade.ceiling == "distinction"
    assert best.finished and best.outcome == "resolved"
    for route in not_yet:
        poor = play("ocr-l2-unit7", scenario_id, route)
        assert (poor.grade.value, poor.grade.label) == ("not_yet", "Not yet")
        assert poor.finished


@_needs("ocr-l2-unit7")
def test_unit7_session_grade_is_over_the_session_criteria_only() -> None:
    result = play("ocr-l2-unit7", "faulty-kettle", KETTLE_DISTINCTION)
    assert set(result.grade.over) == {
        "P2", "P3", "P4", "P5", "P6", "P7", "M1", "M2", "M3", "D1", "D2",
    }  # fmt: skip


@_needs("ocr-l2-unit7")
@pytest.mark.parametrize("scenario_id", SCENARIOS)
def test_unit7_coverage_every_session_criterion_can_be_shown(
    scenario_id: str, capsys: pytest.CaptureFixture[str]
) -> None:
    code = main(["coverage", scenario_id, "--rubric", "ocr-l2-unit7", "--json"])
    data = json.loads(capsys.readouterr().out)
    assert code == 0
    session_codes = [c.code for c in rubric("ocr-l2-unit7").session_criteria]
    assert {c: data["criteria"][c]["status"] for c in session_codes} == {
        c: "can" for c in session_codes
    }
    assert all(data["criteria"][c]["options"] for c in session_codes)
    # and the scenario's default rubric is Unit 7, so --rubric is not needed
    assert main(["coverage", scenario_id, "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["rubric"] == "ocr-l2-unit7"


@pytest.mark.parametrize(
    ("rubric_id", "scenario_id"),
    [pytest.param(r, s, marks=_needs(r)) for r in RUBRICS for s in SCENARIOS],
)
def test_every_session_criterion_is_coverable_in_both_scenarios(
    rubric_id: str, scenario_id: str
) -> None:
    s = scenario(scenario_id)
    uncovered = [
        c.code
        for c in rubric(rubric_id).session_criteria
        if c.rule is not None and not coverable(c.rule, s)
    ]
    assert uncovered == []


@_needs("ocr-l2-unit7")
def test_unit7_portfolio_of_both_distinction_sessions_awaits_the_tutor() -> None:
    written = {
        "review": {
            "strengths": "I stayed calm.",
            "weaknesses": "I was slow to ask for proof.",
            "challenges": "He was shouting.",
            "improvements": "Ask the customer to say the plan back.",
        },
        "learning_plan": [
            {"activity": "Role-play briefing a manager", "criterion": "P3",
             "target_date": "2026-12-04"},
        ],
    }  # fmt: skip
    kettle = play(
        "ocr-l2-unit7", "faulty-kettle", KETTLE_DISTINCTION,
        {"cause_assessment": {"issue": "product_faulty", "indicators": ["angry"],
                              "issue_words": "His new kettle leaked and tripped the power.",
                              "challenge_words": "He is angry and frightened."}, **written},
        "kettle-1",
    )  # fmt: skip
    router = play(
        "ocr-l2-unit7", "router-helpline", ROUTER_DISTINCTION,
        {"cause_assessment": {"issue": "lack_of_understanding", "indicators": ["confused"],
                              "issue_words": "She can't get the new hub working.",
                              "challenge_words": "She is confused and her phone is her lifeline."}},
        "router-1",
    )  # fmt: skip
    only_kettle = combine(rubric("ocr-l2-unit7"), [kettle])
    p1 = only_kettle.criteria["P1"]
    assert (p1.status, p1.reason) == ("not_yet", "portfolio")  # two different situations needed
    both = combine(rubric("ocr-l2-unit7"), [kettle, router])
    assert both.criteria["P1"].status == "needs_tutor"  # two situations; the tutor reads them
    assert (
        both.grade.value == "not_yet"
    )  # P1, P8 and P9 (pass) wait for the tutor: never silently passed
    assert set(both.grade.awaiting_tutor) == {"P1", "P8", "P9", "M4"}
    assert both.grade.if_confirmed == "distinction"
    assert both.missing == ()
