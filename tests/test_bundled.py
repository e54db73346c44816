"""The bundled scenarios are complete teaching material: checked, varied, and playable end to end."""

from __future__ import annotations

from pathlib import Path

import pytest

from simulator.catalog import bundled_scenario_paths, open_scenario
from simulator.engine import replay
from simulator.lint import check_scenario_file
from simulator.lint.graph import reachable_from
from simulator.model import Scenario

PATHS = bundled_scenario_paths()

# Routes a tutor can replay with `roleplay run ID --choose ...`, and where they must end.
ROUTES = {
    "faulty-kettle": [
        (
            "sorry-tell-me,probe-fault,look-at-kettle,ask-damage,safety-advice,ask-date-proof,"
            "bank-statement-ok,take-notes,repeat-back,go-to-manager,brief-clearly,list-options,"
            "recommend-refund-discount,policy-and-reasons,offer-three,recommend-clearview,"
            "justify-balance,check-understanding,correct-timing,fill-returns-form,"
            "check-with-returns,call-customer",
            "resolved",
        ),
        ("ask-receipt-first,defend-shop,threaten-leave", "customer_lost"),
        ("sorry-tell-me,straight-refund", "resolved"),
        ("calm-down-sir,offer-manager", "escalated"),
        (
            "manufacturer-brushoff,correct-myself,probe-fault,safety-advice,ask-date-proof,"
            "bank-statement-ok,repeat-back,flat-no,stand-firm",
            "unresolved",
        ),
    ],
    "router-helpline": [
        (
            "greet-verify,thank-verified,probe-phone,acknowledge-lifeline,ask-white-box,"
            "ask-grey-cable,ask-red-socket,ask-telecare,offer-battery-backup,offer-callback-tl,"
            "brief-tl,list-tl-options,recommend-visit,explain-no-engineer,offer-choices,"
            "recommend-thursday,justify-thursday,teach-back,correct-and-book,log-complaint,"
            "check-tech-desk,call-gloria",
            "resolved",
        ),
        ("skip-security,jargon-diag,repeat-jargon,wait-for-granddaughter", "unresolved"),
        (
            "skip-security,blame-her,repeat-back-problem,describe-everything,ask-white-box,"
            "ask-grey-cable,ask-red-socket,on-to-tablet,promise-engineer,leave-the-promise",
            "customer_lost",
        ),
        (
            "skip-security,repeat-back-problem,ask-white-box,ask-grey-cable,ask-red-socket,"
            "on-to-tablet,offer-callback-tl,tl-take-over",
            "escalated",
        ),
    ],
}


def _scenario(path: Path) -> Scenario:
    return open_scenario(str(path)).scenario


def test_both_required_scenarios_are_bundled() -> None:
    ids = {_scenario(p).id for p in PATHS}
    assert {"faulty-kettle", "router-helpline"} <= ids


@pytest.mark.parametrize("path", PATHS, ids=[p.name for p in PATHS])
def test_bundled_scenario_passes_strict_lint(path: Path) -> None:
    _, problems = check_scenario_file(path)
    assert [p.format() for p in problems] == []


@pytest.mark.parametrize("path", PATHS, ids=[p.name for p in PATHS])
def test_bundled_scenario_is_substantial(path: Path) -> None:
    s = _scenario(path)
    assert len(s.nodes) >= 15
    assert len({n.end for n in s.nodes.values() if n.is_end}) >= 3
    # a supervisor scene: the learner speaks to the person they refer to
    refer_to = s.context.organisation.refer_to
    assert refer_to is not None
    assert any(n.speaker == refer_to and n.options for n in s.nodes.values())
    # at least one loop
    assert any(
        n.id in reachable_from(s.nodes, nxt) for n in s.nodes.values() for nxt in n.successors()
    )
    # variables drive what the customer says and which options exist
    assert any(v.condition is not None for n in s.nodes.values() for v in n.say)
    assert any(o.condition is not None for n in s.nodes.values() for o in n.options)


@pytest.mark.parametrize(
    ("scenario_id", "choices", "outcome"),
    [(sid, choices, outcome) for sid, routes in ROUTES.items() for choices, outcome in routes],
)
def test_documented_routes_reach_their_endings(
    scenario_id: str, choices: str, outcome: str
) -> None:
    scenario = open_scenario(scenario_id).scenario
    session = replay(scenario, choices.split(","))
    assert session.outcome == outcome
