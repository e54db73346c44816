"""Criteria about keeping to the rules: one breach rules them out, whatever the learner does next."""

from __future__ import annotations

from simulator.catalog import open_rubric, open_scenario
from simulator.engine import replay
from simulator.scoring import score_session

ROUTE = (
    "greet-verify,thank-verified,probe-phone,acknowledge-lifeline,ask-white-box,ask-grey-cable,"
    "ask-red-socket,ask-telecare,offer-battery-backup,offer-callback-tl,brief-tl,list-tl-options,"
    "recommend-visit,explain-no-engineer,offer-choices,recommend-thursday,justify-thursday,"
    "teach-back,correct-and-book,log-complaint,check-tech-desk,call-gloria"
)
GOOD_ROUTE = ROUTE.split(",")


def _verdict(choices: list[str]) -> tuple[str, str | None, list[str]]:
    scenario = open_scenario("router-helpline").scenario
    rubric = open_rubric("pearson-resolve-problems-l3")
    session = replay(scenario, choices)
    steps = [(s.node, s.option, s.auto) for s in session.steps]
    verdict = score_session(rubric, scenario, steps, outcome=session.outcome).criteria["2.9"]
    return verdict.status, verdict.reason, [e.option for e in verdict.concerns]


def test_adherence_is_achieved_on_the_good_route() -> None:
    assert _verdict(GOOD_ROUTE)[:2] == ("achieved", None)


def test_skipping_security_rules_out_adherence_even_after_a_good_recovery() -> None:
    # the learner skips the security check, is pulled up by the team leader, verifies later and
    # then does everything else well, to a resolved ending
    at = GOOD_ROUTE.index("recommend-visit") + 1
    # (the free battery back-up needs a verified account, so this caller is moved on to the tablet)
    before = ",".join(GOOD_ROUTE[2:at]).replace("ask-telecare,offer-battery-backup", "on-to-tablet")
    recovery = ["skip-security", *before.split(","), "verify-now", *GOOD_ROUTE[at:]]
    scenario = open_scenario("router-helpline").scenario
    assert replay(scenario, recovery).outcome == "resolved"
    status, reason, concerns = _verdict(recovery)
    assert (status, reason) == ("not_yet", "ruled_out")
    assert concerns == ["skip-security"]
