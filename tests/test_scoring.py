"""Scoring behaviour: transcripts played through the engine, judged against purpose-built rubrics.

The fixtures in tests/fixtures/scoring are built so that any order of evidence can be made by
choosing option ids (almost every option loops back to its hub):

- ``scoring-shop`` (face to face, problem source customer): hubs ``counter`` and ``solution``
  (customer) and ``office`` (supervisor); ``desk`` has a once-only option and then an automatic
  fallback that shows empathy and calming language.
- ``scoring-phone`` (telephone, problem source organisation): no policy or alternatives, so
  scoring-unit's D1 is not covered there.
- ``scoring-unit`` (banded), ``scoring-competence`` and ``scoring-pass-only``.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import cache
from pathlib import Path
from typing import Any

import pytest

from simulator.catalog import open_rubric, open_scenario
from simulator.engine import replay
from simulator.model import Rubric, Scenario, SessionRule
from simulator.scoring import (
    Evidence,
    LearnerResponses,
    ResponseError,
    SessionResult,
    combine,
    coverable,
    score_session,
)

FIXTURES = Path(__file__).parent / "fixtures" / "scoring"
SESSION_CODES = ("P1", "P2", "P3", "M1", "M2", "M3", "D1")
ORDER = {
    "banded": ("not_yet", "pass", "merit", "distinction"),
    "competence": ("not_yet", "competent"),
    "pass_only": ("not_yet", "pass"),
}


@cache
def scenario(name: str) -> Scenario:
    return open_scenario(str(FIXTURES / f"scoring-{name}.scenario.yaml")).scenario


@cache
def rubric(name: str) -> Rubric:
    return open_rubric(str(FIXTURES / f"scoring-{name}.yaml"))


# Lines that show nothing, to take an unfinished route to its ending from where it stopped: an
# unfinished session has no grade, so routes built to test a criterion are closed off this way.
CLOSE = {
    "counter": ["to-solution", "goodbye"],
    "solution": ["goodbye"],
    "office": ["back-to-customer", "goodbye"],
    "call": ["phone-bye"],
    "team": ["phone-back", "phone-bye"],
}


def play(
    where: str,
    choices: Sequence[str],
    responses: dict[str, Any] | None = None,
    rubric_name: str = "unit",
    session_id: str = "",
    finish: bool = True,
) -> SessionResult:
    """Play choices through the engine, then (with ``finish``) close it off, and judge it."""
    s = scenario(where)
    session = replay(s, list(choices))
    if finish and not session.finished:
        for ref in CLOSE[session.node_id]:
            session.choose(ref)
    steps = [(step.node, step.option, step.auto) for step in session.steps]
    return score_session(
        rubric(rubric_name),
        s,
        steps,
        LearnerResponses.from_dict(responses),
        outcome=session.outcome,
        session_id=session_id,
    )


def csv(text: str) -> list[str]:
    return [c for c in text.split(",") if c]


# Routes through scoring-shop
SHOP_DISTINCTION = csv(
    "sorry,ask-what,ask-when,say-back,calm-words,calm-words,to-solution,explain-next,check-ok,"
    "give-policy,alternatives,fetch-manager,brief,list-options,recommend,back-to-customer,goodbye"
)
SHOP_MERIT = csv(  # everything but the policy and alternatives
    "sorry,ask-what,ask-when,calm-words,calm-words,to-solution,explain-next,check-ok,"
    "fetch-manager,brief,list-options,recommend,back-to-customer,goodbye"
)
SHOP_PASS = csv("sorry,ask-what,say-back,to-solution,fetch-manager,brief")
PHONE_MERIT = csv(
    "phone-sorry,phone-ask,phone-probe,phone-calm,phone-calm,phone-explain,phone-check,"
    "phone-hold,phone-brief,phone-options,phone-recommend,phone-back,phone-bye"
)
Expected = dict[str, tuple[str, str | None]]
ALL_ACHIEVED: Expected = {code: ("achieved", None) for code in SESSION_CODES}

WORDS = {
    "issue_words": "The kettle she bought is faulty and she wants her money back.",
    "challenge_words": "She is angry and frustrated: it nearly caused a fire.",
}
GOOD_CAUSE = {"cause_assessment": {"issue": "product_faulty", "indicators": ["angry"], **WORDS}}
FULL_REVIEW = {
    "review": {
        "strengths": "I said sorry first.",
        "weaknesses": "I interrupted her once.",
        "challenges": "She was shouting.",
        "improvements": "Let her finish.",
    }
}
GOOD_PLAN = {
    "learning_plan": [
        {"activity": "Practise open questions", "criterion": "P1", "target_date": "2026-12-04"}
    ]
}

# (id, scenario, choices, expected {code: (status, reason)}, expected session grade)
SESSION_ROWS: list[tuple[str, str, list[str], dict[str, tuple[str, str | None]], str]] = [
    ("distinction route", "shop", SHOP_DISTINCTION, ALL_ACHIEVED, "distinction"),
    ("merit route", "shop", SHOP_MERIT,
     {"M1": ("achieved", None), "M3": ("achieved", None), "D1": ("not_yet", "missing")}, "merit"),
    ("pass route", "shop", SHOP_PASS,
     {"P1": ("achieved", None), "P3": ("achieved", None), "M1": ("not_yet", "missing"),
      "M3": ("not_yet", "missing")}, "pass"),
    ("nothing said", "shop", [],
     {code: ("not_yet", "missing") for code in SESSION_CODES}, "not_yet"),
    # after: order
    ("check before explaining", "shop", csv("to-solution,check-ok,explain-next"),
     {"M1": ("not_yet", "order")}, "not_yet"),
    ("check without ever explaining", "shop", csv("to-solution,check-ok"),
     {"M1": ("not_yet", "order")}, "not_yet"),
    ("explain then check", "shop", csv("to-solution,explain-next,check-ok"),
     {"M1": ("achieved", None)}, "not_yet"),
    ("merit route, but checked before explaining", "shop",
     csv("sorry,ask-what,ask-when,calm-words,calm-words,to-solution,check-ok,explain-next,"
         "fetch-manager,brief,list-options,recommend"),
     {"P1": ("achieved", None), "M1": ("not_yet", "order"), "M2": ("achieved", None)}, "pass"),
    # blocked_by: a negative line cancels what came before; recovery afterwards counts
    ("sorry, then argues", "shop", csv("sorry,snap-back"), {"P2": ("not_yet", "blocked")},
     "not_yet"),
    ("argues, then sorry", "shop", csv("snap-back,sorry"), {"P2": ("achieved", None)}, "not_yet"),
    ("sorry, argues, sorry again", "shop", csv("sorry,snap-back,sorry"),
     {"P2": ("achieved", None)}, "not_yet"),
    ("pass route spoiled by arguing at the end", "shop",
     [*csv("ask-what,say-back,sorry,snap-back"), *csv("to-solution,fetch-manager,brief")],
     {"P1": ("achieved", None), "P2": ("not_yet", "blocked"), "P3": ("achieved", None)},
     "not_yet"),
    # to: the wrong addressee
    ("checks understanding with the manager only", "shop",
     csv("to-solution,explain-next,fetch-manager,manager-check"),
     {"M1": ("not_yet", "speaker")}, "not_yet"),
    # distinct and min
    ("one technique twice", "shop", csv("ask-what,ask-what"), {"P1": ("not_yet", "too_few")},
     "not_yet"),
    ("two techniques", "shop", csv("ask-what,ask-when"), {"P1": ("achieved", None)}, "not_yet"),
    ("calming once", "shop", csv("calm-words"), {"M3": ("not_yet", "too_few")}, "not_yet"),
    ("calming twice", "shop", csv("calm-words,calm-words"), {"M3": ("achieved", None)},
     "not_yet"),
    # all: one missing
    ("options without a recommendation", "shop", csv("to-solution,fetch-manager,list-options"),
     {"M2": ("not_yet", "missing")}, "not_yet"),
    ("recommendation without options", "shop", csv("to-solution,fetch-manager,recommend"),
     {"M2": ("not_yet", "missing")}, "not_yet"),
    ("policy without alternatives", "shop", csv("to-solution,give-policy"),
     {"D1": ("not_yet", "missing")}, "not_yet"),
    # weakened_by: still achieved
    ("gathers information but interrupts", "shop", csv("cut-in,ask-what"),
     {"P1": ("achieved", None)}, "not_yet"),
    ("quotes the policy coldly", "shop", csv("to-solution,quote-rules,alternatives"),
     {"D1": ("achieved", None)}, "not_yet"),
    # automatic fallback lines never count
    ("only the automatic line showed empathy and calm", "shop",
     csv("to-solution,busy-desk,desk-note,busy-desk"),
     {"P1": ("not_yet", "too_few"), "P2": ("not_yet", "missing"), "M3": ("not_yet", "missing")},
     "not_yet"),
    ("one calm line of the learner's own plus an automatic one", "shop",
     csv("to-solution,busy-desk,desk-note,busy-desk,back-to-counter,calm-words"),
     {"M3": ("not_yet", "too_few")}, "not_yet"),
    # not_covered: scoring-phone has no policy or alternatives
    ("phone: everything it can show", "phone", PHONE_MERIT,
     {**{c: ("achieved", None) for c in SESSION_CODES[:-1]}, "D1": ("not_covered", "not_covered")},
     "merit"),
    ("phone: nothing said", "phone", [],
     {"P1": ("not_yet", "missing"), "D1": ("not_covered", "not_covered")}, "not_yet"),
]  # fmt: skip


@pytest.mark.parametrize(
    ("where", "choices", "expected", "grade"),
    [row[1:] for row in SESSION_ROWS],
    ids=[row[0] for row in SESSION_ROWS],
)
def test_session_verdicts_and_grade(
    where: str,
    choices: list[str],
    expected: dict[str, tuple[str, str | None]],
    grade: str,
) -> None:
    result = play(where, choices)
    got = {code: (result.criteria[code].status, result.criteria[code].reason) for code in expected}
    assert got == expected
    assert result.grade.value == grade
    assert result.grade.over == SESSION_CODES
    bands = ORDER["banded"]
    assert result.grade.ceiling is not None
    assert bands.index(result.grade.value) <= bands.index(result.grade.ceiling)
    for verdict in result.criteria.values():  # every verdict explains itself
        assert verdict.detail


def test_a_criterion_the_scenario_cannot_cover_lowers_the_ceiling_not_the_learner() -> None:
    phone = play("phone", PHONE_MERIT)
    d1 = phone.criteria["D1"]
    assert (d1.status, d1.evidence) == ("not_covered", ())
    assert "explains the policy and why" in d1.detail and "offers alternatives" in d1.detail
    assert phone.grade.not_covered == ("D1",)
    assert (phone.grade.value, phone.grade.ceiling) == ("merit", "merit")
    shop = play("shop", SHOP_DISTINCTION)
    assert (shop.grade.not_covered, shop.grade.ceiling) == ((), "distinction")
    # not_covered is not a failure: in the JSON a learner sees it is not "not_yet"
    data = phone.to_dict()
    assert data["criteria"]["D1"]["status"] == "not_covered"
    assert data["grade_detail"]["ceiling"] == "merit"
    assert data["grade_detail"]["not_covered"] == ["D1"]


def test_fallback_only_behaviour_is_not_coverable() -> None:
    shop = scenario("shop")
    # summarise is shown only by the automatic desk line: no learner can ever evidence it
    assert coverable(SessionRule(any=("summarise",)), shop) == []
    covering = [o.id for o in coverable(SessionRule(any=("calming_language",)), shop)]
    assert covering == ["calm-words"]


def test_wrong_order_cites_the_early_line_and_names_what_it_must_follow() -> None:
    m1 = play("shop", csv("to-solution,check-ok,explain-next")).criteria["M1"]
    assert "explains the actions" in m1.detail
    assert [(e.option, e.turn) for e in m1.evidence] == [("check-ok", 2)]
    never = play("shop", csv("to-solution,check-ok")).criteria["M1"]
    assert "never" in never.detail


def test_blocked_evidence_cites_the_blocking_line_as_a_concern() -> None:
    p2 = play("shop", csv("sorry,snap-back")).criteria["P2"]
    assert [(c.turn, c.option, c.behaviour, c.line) for c in p2.concerns] == [
        (2, "snap-back", "argue", "Well, you must have used it wrong.")
    ]
    assert "turn 2" in p2.detail
    assert {e.option for e in p2.evidence} == {"sorry"}  # the evidence that was cancelled
    assert p2.feedback == "Show the customer you understand how they feel."


def test_recovery_counts_only_the_lines_after_the_negative_one() -> None:
    p2 = play("shop", csv("sorry,snap-back,sorry")).criteria["P2"]
    assert p2.status == "achieved"
    assert {e.turn for e in p2.evidence} == {3}
    assert p2.feedback == "You showed empathy."


def test_wrong_addressee_says_who_it_should_have_been() -> None:
    m1 = play("shop", csv("to-solution,explain-next,fetch-manager,manager-check")).criteria["M1"]
    assert "customer" in m1.detail
    assert [(e.option, e.to) for e in m1.evidence] == [("manager-check", "supervisor")]


def test_too_few_says_how_many_and_how_many_needed() -> None:
    p1 = play("shop", csv("ask-what,ask-what")).criteria["P1"]
    assert "1 different" in p1.detail and "2 needed" in p1.detail
    m3 = play("shop", csv("calm-words")).criteria["M3"]
    assert "1 reply counted" in m3.detail and "2 needed" in m3.detail


def test_all_with_one_missing_names_the_missing_behaviour() -> None:
    m2 = play("shop", csv("to-solution,fetch-manager,list-options")).criteria["M2"]
    assert "recommends an action with reasons" in m2.detail
    assert "identify options" not in m2.detail
    assert [e.option for e in m2.evidence] == ["list-options"]


def test_weakened_evidence_is_achieved_with_the_weakening_lines_as_concerns() -> None:
    p1 = play("shop", csv("cut-in,ask-what")).criteria["P1"]
    assert p1.status == "achieved"
    assert [(c.turn, c.option, c.behaviour) for c in p1.concerns] == [(1, "cut-in", "interrupt")]
    assert "1 concern" in p1.detail
    d1 = play("shop", csv("to-solution,quote-rules,alternatives")).criteria["D1"]
    assert [(c.option, c.behaviour) for c in d1.concerns] == [("quote-rules", "cold_policy_quote")]
    clean = play("shop", SHOP_DISTINCTION)
    assert all(not v.concerns for v in clean.criteria.values())


def test_automatic_lines_are_never_evidence() -> None:
    s = scenario("shop")
    choices = csv("to-solution,busy-desk,desk-note,busy-desk,back-to-counter,calm-words")
    session = replay(s, choices)
    assert [(st.option, st.auto) for st in session.steps if st.auto] == [("desk-auto", True)]
    result = play("shop", choices)
    cited = [e.option for v in result.criteria.values() for e in v.evidence + v.concerns]
    assert "desk-auto" not in cited
    assert "calm-words" in cited
    # the behaviours a portfolio sees are the learner's own too
    assert "summarise" not in result.facts.behaviours
    assert "note_taking" in result.facts.behaviours


def test_evidence_cites_the_learners_exact_line_option_node_and_turn() -> None:
    s = scenario("shop")
    result = play("shop", SHOP_DISTINCTION)
    session = replay(s, SHOP_DISTINCTION)
    turns: dict[str, set[int]] = {}
    for step in session.steps:
        turns.setdefault(step.option, set()).add(step.turn)
    assert result.criteria["P2"].evidence == (
        Evidence(1, "counter", "sorry", "I'm so sorry, that must have been frightening.",
                 "sympathy", "customer"),
        Evidence(1, "counter", "sorry", "I'm so sorry, that must have been frightening.",
                 "empathy", "customer"),
    )  # fmt: skip
    for verdict in result.criteria.values():
        for e in verdict.evidence:
            option = s.option(e.option)
            assert option is not None
            assert e.line == option.say
            assert e.node == option.node
            assert e.turn in turns[e.option]
            assert e.behaviour in option.shows
            assert e.to == s.nodes[e.node].speaker
    m2 = result.criteria["M2"].evidence
    assert [(e.option, e.node, e.to) for e in m2] == [
        ("list-options", "office", "supervisor"),
        ("recommend", "office", "supervisor"),
    ]
    assert result.criteria["P2"].evidence[0].to_dict() == {
        "turn": 1, "node": "counter", "option": "sorry",
        "line": "I'm so sorry, that must have been frightening.", "behaviour": "sympathy",
        "to": "customer",
    }  # fmt: skip


def test_turns_count_automatic_steps_like_the_transcript() -> None:
    choices = csv("to-solution,busy-desk,desk-note,busy-desk,back-to-counter,calm-words")
    m3 = play("shop", choices).criteria["M3"]
    assert [(e.option, e.turn) for e in m3.evidence] == [("calm-words", 7)]


def test_result_records_the_rubric_scenario_and_ending() -> None:
    finished = play("shop", SHOP_DISTINCTION)
    assert (finished.rubric, finished.rubric_version) == ("scoring-unit", 3)
    assert (finished.scenario, finished.scenario_version) == ("scoring-shop", 1)
    assert (finished.finished, finished.outcome) == (True, "resolved")
    partial = play("shop", csv("sorry"), finish=False)
    assert (partial.finished, partial.outcome) == (False, None)
    assert (partial.grade.value, partial.grade.label) == ("in_progress", "In progress")
    data = finished.to_dict()
    assert set(data) == {"rubric", "critical_errors", "criteria", "grade", "grade_detail"}
    assert data["rubric"] == {"id": "scoring-unit", "version": 3}
    assert list(data["criteria"]) == [c.code for c in rubric("unit").criteria]
    assert data["grade"] == "distinction"
    assert data["grade_detail"]["label"] == "Distinction"


# -- learner responses ----------------------------------------------------------------------------

# (id, responses, expected {code: (status, reason)}, fragment of the detail of the first code)
RESPONSE_ROWS: list[tuple[str, dict[str, Any] | None, dict[str, tuple[str, str | None]], str]] = [
    ("cause right, goes to the tutor", GOOD_CAUSE, {"P4": ("needs_tutor", "tutor")}, "angry"),
    ("a characteristic alone is not what makes her challenging", {"cause_assessment": {
        "issue": "product_faulty", "characteristics": ["external"], **WORDS}},
     {"P4": ("not_yet", "mismatch")}, "no indicator (angry, confused, ...) was named"),
    ("ticking every box", {"cause_assessment": {
        "issue": "product_faulty", **WORDS,
        "characteristics": ["gender", "age", "location", "language", "external", "disability"],
        "indicators": ["angry", "upset", "indecisive", "confused", "frustrated"]}},
     {"P4": ("not_yet", "mismatch")}, "more of what you picked is wrong (8) than right (3)"),
    ("picks right but nothing written in own words", {"cause_assessment": {
        "issue": "product_faulty", "indicators": ["angry"]}},
     {"P4": ("not_yet", "mismatch")}, "still to write in your own words"),
    ("one part written", {"cause_assessment": {
        "issue": "product_faulty", "indicators": ["angry"], "issue_words": "A faulty kettle."}},
     {"P4": ("not_yet", "mismatch")}, "what makes this customer challenging"),
    ("wrong issue", {"cause_assessment": {"issue": "goods_not_delivered", "indicators": ["angry"],
                                          **WORDS}},
     {"P4": ("not_yet", "mismatch")}, "the issue is not goods not delivered"),
    ("no issue named", {"cause_assessment": {"indicators": ["angry"], **WORDS}},
     {"P4": ("not_yet", "mismatch")}, "no issue was chosen"),
    ("right issue, wrong indicators", {"cause_assessment": {
        "issue": "product_faulty", "indicators": ["confused", "indecisive"], **WORDS}},
     {"P4": ("not_yet", "mismatch")}, "none of the indicators named"),
    ("nothing written", None,
     {"P4": ("not_yet", "missing"), "M4": ("not_yet", "missing"), "D2": ("not_yet", "missing")},
     "no cause assessment"),
    ("review complete", FULL_REVIEW, {"M4": ("needs_tutor", "tutor")}, "tutor"),
    ("review partial", {"review": {"strengths": "I said sorry.", "weaknesses": "  "}},
     {"M4": ("not_yet", "missing")}, "weaknesses, challenges, improvements"),
    ("plan with a valid entry", GOOD_PLAN, {"D2": ("needs_tutor", "tutor")}, "1 learning activity"),
    ("plan with a bad date", {"learning_plan": [
        {"activity": "Practise", "criterion": "P1", "target_date": "next week"}]},
     {"D2": ("not_yet", "missing")}, "target date"),
    ("plan with an impossible date", {"learning_plan": [
        {"activity": "Practise", "criterion": "P1", "target_date": "2026-02-30"}]},
     {"D2": ("not_yet", "missing")}, "target date"),
    ("plan entry without a criterion", {"learning_plan": [
        {"activity": "Practise", "target_date": "2026-12-04"}]},
     {"D2": ("not_yet", "missing")}, "criterion"),
    ("one bad entry and one good", {"learning_plan": [
        {"activity": "Practise", "criterion": "P1", "target_date": "soon"},
        *GOOD_PLAN["learning_plan"]]},
     {"D2": ("needs_tutor", "tutor")}, "1 learning activity"),
    ("everything", {**GOOD_CAUSE, **FULL_REVIEW, **GOOD_PLAN},
     {"P4": ("needs_tutor", "tutor"), "M4": ("needs_tutor", "tutor"), "D2": ("needs_tutor", "tutor"),
      "M5": ("needs_tutor", "tutor"), "P5": ("not_covered", "portfolio")}, ""),
]  # fmt: skip


@pytest.mark.parametrize(
    ("responses", "expected", "detail"),
    [row[1:] for row in RESPONSE_ROWS],
    ids=[row[0] for row in RESPONSE_ROWS],
)
def test_learner_responses(
    responses: dict[str, Any] | None,
    expected: dict[str, tuple[str, str | None]],
    detail: str,
) -> None:
    result = play("shop", SHOP_DISTINCTION, responses)
    got = {code: (result.criteria[code].status, result.criteria[code].reason) for code in expected}
    assert got == expected
    assert detail in result.criteria[next(iter(expected))].detail
    # written responses never change the session grade: it is over the session criteria only
    assert result.grade.value == "distinction"


def test_tutor_criterion_always_waits_for_the_tutor_with_its_guidance() -> None:
    m5 = play("shop", SHOP_DISTINCTION, {**GOOD_CAUSE, **FULL_REVIEW}).criteria["M5"]
    assert (m5.status, m5.reason, m5.detail) == (
        "needs_tutor",
        "tutor",
        "Oral questioning by the tutor.",
    )


# (id, data, fragment of the message)
MALFORMED: list[tuple[str, Any, str]] = [
    ("a list", [], "must be a JSON object"),
    ("a string", "review", "must be a JSON object"),
    ("unknown part", {"cause": {}}, "unknown part(s): cause"),
    ("cause not an object", {"cause_assessment": "angry"}, "cause_assessment must be an object"),
    ("issue not text", {"cause_assessment": {"issue": 3}}, "cause_assessment.issue must be text"),
    ("indicators not a list", {"cause_assessment": {"indicators": "angry"}},
     "cause_assessment.indicators must be a list"),
    ("indicators not text", {"cause_assessment": {"indicators": [1]}},
     "cause_assessment.indicators must be a list of text"),
    ("misspelt cause key", {"cause_assessment": {"isue": "product_faulty"}},
     "cause_assessment has unknown key(s): isue"),
    ("review not an object", {"review": ["good"]}, "review must be an object"),
    ("review part not text", {"review": {"strengths": 5}}, "review.strengths must be text"),
    ("misspelt review key", {"review": {"strenghts": "x"}}, "review has unknown key(s): strenghts"),
    ("plan not a list", {"learning_plan": {"activity": "x"}}, "learning_plan must be a list"),
    ("plan an empty object", {"learning_plan": {}}, "learning_plan must be a list"),
    ("plan an empty string", {"learning_plan": ""}, "learning_plan must be a list"),
    ("review an empty string", {"review": ""}, "review must be an object"),
    ("plan entry not an object", {"learning_plan": ["x"]}, "learning_plan[0] must be an object"),
    ("plan entry field not text", {"learning_plan": [{"activity": "x"}, {"activity": 1}]},
     "learning_plan[1].activity must be text"),
    ("misspelt plan key", {"learning_plan": [{"activity": "x", "target-date": "2026-01-01"}]},
     "learning_plan[0] has unknown key(s): target-date"),
]  # fmt: skip


@pytest.mark.parametrize(
    ("data", "message"), [row[1:] for row in MALFORMED], ids=[row[0] for row in MALFORMED]
)
def test_malformed_responses_are_refused_naming_the_part(data: Any, message: str) -> None:
    with pytest.raises(ResponseError) as raised:
        LearnerResponses.from_dict(data)
    assert message in str(raised.value)


def test_responses_round_trip_and_empty_input() -> None:
    everything = {**GOOD_CAUSE, **FULL_REVIEW, **GOOD_PLAN}
    responses = LearnerResponses.from_dict(everything)
    assert LearnerResponses.from_dict(responses.to_dict()) == responses
    assert LearnerResponses.from_dict(None) == LearnerResponses()
    assert LearnerResponses.from_dict({}) == LearnerResponses()
    assert LearnerResponses.from_dict({"review": None}).review is None


# -- other grading kinds --------------------------------------------------------------------------

# (id, rubric, scenario, choices, expected {code: (status, reason)}, grade, ceiling)
KIND_ROWS: list[tuple[str, str, str, list[str], dict[str, tuple[str, str | None]], str, str]] = [
    ("competent", "competence", "shop", csv("sorry,to-solution,fetch-manager,brief"),
     {"1.1": ("achieved", None), "1.2": ("achieved", None), "1.3": ("not_yet", "missing"),
      "1.4": ("needs_tutor", "tutor")}, "competent", "competent"),
    ("competence: one missing", "competence", "shop", csv("sorry"),
     {"1.1": ("achieved", None), "1.2": ("not_yet", "missing")}, "not_yet", "competent"),
    ("competence: blocked", "competence", "shop",
     csv("sorry,snap-back,to-solution,fetch-manager,brief"),
     {"1.1": ("not_yet", "blocked"), "1.2": ("achieved", None)}, "not_yet", "competent"),
    ("competence on the phone", "competence", "phone", csv("phone-sorry,phone-hold,phone-brief"),
     {"1.1": ("achieved", None), "1.2": ("achieved", None)}, "competent", "competent"),
    ("pass", "pass-only", "shop", csv("to-solution,give-policy,fetch-manager,list-options,recommend"),
     {"1": ("achieved", None), "2": ("achieved", None)}, "pass", "pass"),
    ("pass, coldly", "pass-only", "shop",
     csv("to-solution,quote-rules,fetch-manager,list-options,recommend"),
     {"1": ("achieved", None), "2": ("achieved", None)}, "pass", "pass"),
    ("pass only: one missing", "pass-only", "shop", csv("to-solution,give-policy"),
     {"1": ("achieved", None), "2": ("not_yet", "missing")}, "not_yet", "pass"),
    ("pass only on the phone: cannot cover the policy", "pass-only", "phone",
     csv("phone-hold,phone-options,phone-recommend"),
     {"1": ("not_covered", "not_covered"), "2": ("achieved", None)}, "not_yet", "not_yet"),
]  # fmt: skip


@pytest.mark.parametrize(
    ("rubric_name", "where", "choices", "expected", "grade", "ceiling"),
    [row[1:] for row in KIND_ROWS],
    ids=[row[0] for row in KIND_ROWS],
)
def test_competence_and_pass_only_grades(
    rubric_name: str,
    where: str,
    choices: list[str],
    expected: dict[str, tuple[str, str | None]],
    grade: str,
    ceiling: str,
) -> None:
    result = play(where, choices, rubric_name=rubric_name)
    got = {code: (result.criteria[code].status, result.criteria[code].reason) for code in expected}
    assert got == expected
    assert (result.grade.value, result.grade.ceiling) == (grade, ceiling)
    order = ORDER[rubric(rubric_name).grading]
    assert order.index(result.grade.value) <= order.index(ceiling)
    assert (
        result.grade.label
        == {"competent": "Competent", "pass": "Pass", "not_yet": "Not yet"}[grade]
    )


def test_pass_only_weakened_line_is_a_concern() -> None:
    result = play(
        "shop",
        csv("to-solution,quote-rules,fetch-manager,list-options,recommend"),
        rubric_name="pass-only",
    )
    assert [c.option for c in result.criteria["1"].concerns] == ["quote-rules"]


# -- portfolio ------------------------------------------------------------------------------------


def portfolio(*sessions: tuple[str, str, list[str], dict[str, Any] | None]) -> Any:
    """Combine sessions given as (session id, scenario, choices, responses)."""
    results = [play(where, choices, responses, session_id=sid) for sid, where, choices, responses
               in sessions]  # fmt: skip
    return combine(rubric("unit"), results)


SHOP_1 = ("shop-1", "shop", SHOP_DISTINCTION, None)
SHOP_2 = ("shop-2", "shop", SHOP_MERIT, None)
PHONE_1 = ("phone-1", "phone", PHONE_MERIT, None)
PHONE_COLD = ("phone-cold", "phone", csv("phone-ask,phone-probe,phone-hold,phone-brief"), None)


@pytest.mark.parametrize(
    ("sessions", "status", "detail"),
    [
        ([SHOP_1], "not_yet", "1 different scenario(s) so far; 2 needed"),
        ([SHOP_1, SHOP_2], "not_yet", "1 different scenario(s) so far; 2 needed"),
        ([SHOP_1, PHONE_COLD], "not_yet", "1 different scenario(s) so far; 2 needed"),
        ([SHOP_1, PHONE_1], "achieved", "shop-1, phone-1"),
        ([], "not_yet", "0 different scenario(s) so far"),
    ],
    ids=["one situation", "same situation twice", "second situation without empathy",
         "two situations", "no sessions"],
)  # fmt: skip
def test_portfolio_distinct_situations(
    sessions: list[tuple[str, str, list[str], dict[str, Any] | None]], status: str, detail: str
) -> None:
    p5 = portfolio(*sessions).criteria["P5"]
    assert p5.status == status
    assert detail in p5.detail
    if status == "not_yet":
        assert p5.reason == "portfolio"


@pytest.mark.parametrize(
    ("sessions", "status", "detail"),
    [
        ([SHOP_1], "not_yet", "no session yet with problem source: organisation"),
        ([PHONE_1], "not_yet", "no session yet with problem source: customer"),
        ([], "not_yet", "no session yet with problem source: customer, organisation"),
        ([SHOP_1, PHONE_1], "achieved", "shop-1, phone-1"),
    ],
    ids=["customer only", "organisation only", "none", "both"],
)
def test_portfolio_requirement_lists_what_is_still_missing(
    sessions: list[tuple[str, str, list[str], dict[str, Any] | None]], status: str, detail: str
) -> None:
    result = portfolio(*sessions)
    r1 = result.requirements["R1"]
    assert (r1.status, detail in r1.detail) == (status, True)
    assert ("R1" in result.missing) == (status != "achieved")
    if status != "achieved":
        assert result.grade.value == "not_yet"  # the unit cannot be graded until it is met


def test_cause_assessment_must_be_right_in_two_different_situations() -> None:
    wrong = {"cause_assessment": {"issue": "product_faulty", "indicators": ["angry"], **WORDS}}
    right_phone = {
        "cause_assessment": {"issue": "goods_not_delivered", "indicators": ["upset"], **WORDS}
    }
    shop = ("shop-1", "shop", SHOP_DISTINCTION, GOOD_CAUSE)
    one = portfolio(shop, ("phone-1", "phone", PHONE_MERIT, wrong)).criteria["P4"]
    assert (one.status, one.reason) == ("not_yet", "portfolio")
    assert "1 different scenario(s) so far; 2 needed" in one.detail
    two = portfolio(shop, ("phone-1", "phone", PHONE_MERIT, right_phone)).criteria["P4"]
    assert two.status == "needs_tutor"  # two situations; the tutor confirms the written work
    none = portfolio(("shop-1", "shop", SHOP_DISTINCTION, None)).criteria["P4"]
    assert (none.status, none.reason) == ("not_yet", "missing")


def test_unit_grade_waits_for_the_tutor_and_says_what_confirmation_would_give() -> None:
    written = {**FULL_REVIEW, **GOOD_PLAN}
    shop = ("shop-1", "shop", SHOP_DISTINCTION, {**GOOD_CAUSE, **written})
    phone_cause = {
        "cause_assessment": {"issue": "goods_not_delivered", "indicators": ["upset"], **WORDS}
    }
    phone = ("phone-1", "phone", PHONE_MERIT, phone_cause)
    result = portfolio(shop, phone)
    statuses = {code: v.status for code, v in result.criteria.items()}
    assert statuses == {
        "P1": "achieved", "P2": "achieved", "P3": "achieved", "P4": "needs_tutor",
        "P5": "achieved", "M1": "achieved", "M2": "achieved", "M3": "achieved",
        "M4": "needs_tutor", "M5": "needs_tutor", "D1": "achieved", "D2": "needs_tutor",
    }  # fmt: skip
    grade = result.grade
    assert (grade.value, grade.label) == ("not_yet", "Not yet")  # never silently passed
    assert grade.awaiting_tutor == ("P4", "M4", "M5", "D2")
    assert grade.if_confirmed == "distinction"
    assert grade.over == tuple(c.code for c in rubric("unit").criteria)
    assert result.missing == ()
    data = result.to_dict()
    assert data["grade"] == "not_yet"
    assert data["grade_detail"]["awaiting_tutor"] == ["P4", "M4", "M5", "D2"]
    assert data["grade_detail"]["if_confirmed"] == "distinction"
    assert data["sessions"] == ["shop-1", "phone-1"]


def test_unit_grade_without_written_work_lists_what_is_missing() -> None:
    result = portfolio(SHOP_1, PHONE_1)
    assert result.grade.value == "not_yet"  # P4 (a pass criterion) was never written
    assert result.grade.if_confirmed == "not_yet"
    assert result.grade.awaiting_tutor == ("M5",)
    assert result.missing == ("P4", "M4", "D2")


def test_a_session_criterion_achieved_in_any_session_counts_with_its_session_tagged() -> None:
    shop_wrong_order = (
        "shop-1", "shop",
        csv("sorry,to-solution,check-ok,explain-next,give-policy,alternatives"), None,
    )  # fmt: skip
    result = portfolio(shop_wrong_order, PHONE_1)
    m1 = result.criteria["M1"]  # not yet in the shop (order), achieved on the phone
    assert m1.status == "achieved"
    assert m1.detail.startswith("phone-1: ")
    assert [(e.session, e.option) for e in m1.evidence] == [("phone-1", "phone-check")]
    d1 = result.criteria["D1"]  # not covered on the phone never undoes the shop's evidence
    assert d1.status == "achieved"
    assert {e.session for e in d1.evidence} == {"shop-1"}
    assert d1.evidence[0].to_dict()["session"] == "shop-1"
    p2 = result.criteria["P2"]  # both achieved: the first session's evidence is cited
    assert {e.session for e in p2.evidence} == {"shop-1"}


def test_portfolio_keeps_the_blocking_concern_tagged() -> None:
    blocked = ("shop-1", "shop", csv("sorry,snap-back"), None)
    p2 = portfolio(blocked).criteria["P2"]
    assert (p2.status, p2.reason) == ("not_yet", "blocked")
    assert [(c.session, c.option) for c in p2.concerns] == [("shop-1", "snap-back")]


def test_criterion_no_session_could_cover_is_not_yet_in_the_portfolio() -> None:
    d1 = portfolio(PHONE_1).criteria["D1"]
    assert (d1.status, d1.reason) == ("not_yet", "missing")
    assert "could show it" in d1.detail


def test_portfolio_ignores_sessions_judged_against_another_rubric() -> None:
    other = play("phone", PHONE_MERIT, rubric_name="competence", session_id="phone-other")
    result = combine(rubric("unit"), [play("shop", SHOP_DISTINCTION, session_id="shop-1"), other])
    assert result.sessions == ("shop-1",)
    assert result.requirements["R1"].status == "not_yet"


def test_competence_unit_grade_awaits_the_tutor() -> None:
    sessions = [
        play("shop", csv("sorry,to-solution,fetch-manager,brief"), GOOD_CAUSE, "competence", "s1")
    ]
    result = combine(rubric("competence"), sessions)
    assert (result.grade.value, result.grade.if_confirmed) == ("not_yet", "competent")
    assert result.grade.awaiting_tutor == ("1.3", "1.4")  # the cause assessment, the tutor's own


def test_two_situations_count_as_achieved_only_once_the_tutor_confirmed_both() -> None:
    from simulator.decisions import TutorDecision
    from simulator.scoring import apply_decisions

    phone_cause = {
        "cause_assessment": {"issue": "goods_not_delivered", "indicators": ["upset"], **WORDS}
    }
    shop = play("shop", SHOP_DISTINCTION, GOOD_CAUSE, session_id="shop-1")
    phone = play("phone", PHONE_MERIT, phone_cause, session_id="phone-1")
    yes = TutorDecision("P4", "achieved", "Ms Patel", "2026-12-02T10:00:00Z")
    one = combine(rubric("unit"), [apply_decisions(rubric("unit"), shop, [yes]), phone])
    assert (one.criteria["P4"].status, one.criteria["P4"].reason) == ("needs_tutor", "tutor")
    assert "phone-1" in one.criteria["P4"].detail
    both = combine(
        rubric("unit"),
        [apply_decisions(rubric("unit"), r, [yes]) for r in (shop, phone)],
    )
    assert both.criteria["P4"].status == "achieved"
