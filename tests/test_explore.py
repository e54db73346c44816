"""`simulator.explore` against brute force: every choice sequence replayed through the engine.

The brute-force enumerator below knows nothing of explore's states: it starts a real
`simulator.engine.Session`, tries every available option at every point (breadth first, level by
level, up to a depth or a budget of sessions) and scores every finished route with
`simulator.scoring.score_session`. On acyclic scenarios it enumerates every route, so endings,
exact route counts, never-chosen options, dead states, achievable criteria and grades (with the
length of the shortest route to each) must all equal explore's. On cyclic scenarios it cannot
finish, so the comparison is by depth: a finite count must be what brute force finds once the
depth passes the number of states (no simple route is longer), and an infinite one must keep
growing as the depth grows. The values conditions take (`explore(..., conditions=True)`, which
`roleplay lint --search` reads) are compared with every value the engine computes on the way.

Then the bundled scenarios, `roleplay explore` and `roleplay lint --search` (W120-W123).
"""

from __future__ import annotations

import json
import re
import shlex
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, ClassVar

import pytest
import yaml
from hypothesis import HealthCheck, assume, event, given, note, settings
from hypothesis import strategies as st

from simulator import cli, expr, yamlsource
from simulator.catalog import bundled_scenario_paths, open_rubric, open_scenario, scenario_id_of
from simulator.engine import Session
from simulator.explore import Exploration, explore
from simulator.lint import check_scenario_file, search
from simulator.lint.content import check_todo
from simulator.lint.context import LintContext
from simulator.loader import load_rubric_file, load_scenario_document, load_scenario_file
from simulator.model import Node, Option, Rubric, Scenario, YamlPath
from simulator.scoring import score_session
from simulator.yamlsource import parse_document

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "explore"


def _rubric() -> Rubric:
    loaded = load_rubric_file(FIXTURES / "explore-unit.yaml")
    assert loaded.rubric is not None and not loaded.problems, loaded.problems
    return loaded.rubric


RUBRIC = _rubric()
"""A small banded rubric with one session criterion per rule feature."""


def load_text(text: str, name: str = "gen") -> Scenario:
    """Build a scenario from YAML text; the loader must accept it."""
    doc, problems = parse_document(text, f"{name}.scenario.yaml")
    assert doc is not None and not problems, problems
    loaded = load_scenario_document(doc)
    assert loaded.scenario is not None and not loaded.problems, [
        p.format() for p in loaded.problems
    ]
    return loaded.scenario


def load_fixture(name: str) -> Scenario:
    return load_text((FIXTURES / f"{name}.scenario.yaml").read_text(), name)


# -- brute force ----------------------------------------------------------------------------------


class Recording(Session):
    """A session that notes every condition value the engine computes, where it computes it.

    The engine tries a node's say-variants in order on entering it (`Session.line_for`) and
    tests options with `Session.holds` (never once an option is used up); explore records
    condition values at the same points.
    """

    seen: ClassVar[dict[YamlPath, set[bool]]] = {}

    def note(self, where: YamlPath, value: bool) -> bool:
        self.seen.setdefault(where, set()).add(value)
        return value

    def line_for(self, node: Node) -> str:
        for variant in node.say:
            cond = variant.condition
            if cond is None or self.note(cond.where, bool(expr.evaluate(cond.expr, self))):
                return variant.text
        return ""

    def holds(self, option: Option) -> bool:
        if option.once and self.chosen(option.id):
            return False
        cond = option.condition
        return cond is None or self.note(cond.where, bool(expr.evaluate(cond.expr, self)))


def clone(s: Session) -> Session:
    """A copy of a session's state, so each option is tried from the same point."""
    return type(s)(
        s.scenario, s.node_id, dict(s.variables), dict(s.visit_counts), dict(s.choice_counts),
        list(s.steps), list(s.transcript), s.stuck_reason,
    )  # fmt: skip


@dataclass
class Brute:
    """What replaying every choice sequence of at most ``depth`` choices found."""

    depth: int
    """Deepest level fully enumerated."""
    complete: bool
    """True if no session was still going after ``depth`` choices (every route was found)."""
    routes: dict[str, Counter[int]] = field(default_factory=dict)
    """Ending node -> number of routes of each length."""
    stuck: dict[str, int] = field(default_factory=dict)
    """Node -> fewest choices to a stuck session there."""
    traps: set[str] = field(default_factory=set)
    """Nodes of unfinished sessions no continuation ends (only when complete)."""
    chosen: set[str] = field(default_factory=set)
    """Every option taken, by the learner or automatically."""
    criteria: dict[str, int] = field(default_factory=dict)
    """Criterion -> fewest choices of a finished route achieving it."""
    grades: dict[str, int] = field(default_factory=dict)
    """Grade -> fewest choices of a finished route earning it."""
    conditions: dict[YamlPath, set[bool]] = field(default_factory=dict)
    """Where each condition is written -> the values it had wherever its node was entered."""

    def count(self, ending: str, depth: int | None = None) -> int:
        """Routes to ``ending`` with at most ``depth`` choices."""
        by_length = self.routes.get(ending, Counter())
        return sum(n for length, n in by_length.items() if depth is None or length <= depth)

    def shortest(self, ending: str) -> int | None:
        by_length = self.routes.get(ending)
        return min(by_length) if by_length else None


def brute_force(
    scenario: Scenario, rubric: Rubric | None, max_depth: int, budget: int = 200_000
) -> Brute:
    """Replay every choice sequence level by level until ``max_depth``, or until the choices
    replayed (a session of ``d`` choices counts ``d``) pass ``budget``."""
    Recording.seen = {}
    start = Recording.start(scenario)
    # each entry: (session, index of its parent entry)
    levels: list[list[tuple[Session, int]]] = [[(start, -1)]]
    ended_from: list[set[int]] = [set()]  # per level: entries with an ending below them
    out = Brute(depth=0, complete=False)
    spent = 1

    def record(session: Session, length: int) -> None:
        out.chosen.update(step.option for step in session.steps)
        if session.ended:
            out.routes.setdefault(session.node_id, Counter())[length] += 1
            if rubric is not None:
                steps = [(s.node, s.option, s.auto) for s in session.steps]
                result = score_session(rubric, scenario, steps, outcome=session.outcome)
                for code, verdict in result.criteria.items():
                    # a tutor-confirmed criterion with its evidence found goes to the tutor
                    if verdict.status == "achieved" or verdict.reason == "tutor":
                        out.criteria[code] = min(out.criteria.get(code, length), length)
                grade = result.grade.value
                out.grades[grade] = min(out.grades.get(grade, length), length)
        elif session.stuck_reason is not None or not session.available_options():
            out.stuck[session.node_id] = min(out.stuck.get(session.node_id, length), length)

    record(start, 0)
    while True:
        frontier = levels[-1]
        if not any(not s.finished and s.available_options() for s, _ in frontier):
            out.complete = True
            break
        if len(levels) > max_depth or spent > budget:
            break
        nxt: list[tuple[Session, int]] = []
        for i, (session, _) in enumerate(frontier):
            for option in session.available_options():
                child = clone(session)
                child.choose(option.id)
                record(child, len(levels))
                nxt.append((child, i))
        spent += len(nxt) * len(levels)  # replaying and scoring a route costs its length
        levels.append(nxt)
        ended_from.append(set())
    out.depth = len(levels) - 1
    out.conditions = Recording.seen
    if out.complete:
        # a session is a trap if it is still going and nothing below it ends
        for d in range(len(levels) - 1, -1, -1):
            for i, (session, parent) in enumerate(levels[d]):
                if session.ended:
                    ended_from[d].add(i)
                if i in ended_from[d] and d > 0:
                    ended_from[d - 1].add(parent)
        for d, level in enumerate(levels):
            for i, (session, _) in enumerate(level):
                if not session.finished and session.available_options() and i not in ended_from[d]:
                    out.traps.add(session.node_id)
    return out


# -- comparing ------------------------------------------------------------------------------------


def dead_nodes(result: Exploration, kind: str) -> set[str]:
    return {d.node for d in result.dead if d.kind == kind}


def assert_same_as_complete_brute_force(result: Exploration, brute: Brute) -> None:
    """Every route is known: everything explore reports must equal brute force exactly."""
    assert result.complete
    assert brute.complete
    for ending in result.endings:
        assert ending.routes == brute.count(ending.node), ending.node
        if ending.shortest is None:
            assert brute.shortest(ending.node) is None
        else:
            assert len(ending.shortest) == brute.shortest(ending.node), ending.node
    all_options = {o.id for n in result_scenario(result).nodes.values() for o in n.options}
    assert set(result.never_chosen) == all_options - brute.chosen
    assert {n: len(d.route) for n, d in _by_node(result, "stuck").items()} == brute.stuck
    assert dead_nodes(result, "trap") == brute.traps
    if result.rubric is not None:
        assert_same_scores(result, brute)
    assert result.condition_values == {w: frozenset(v) for w, v in brute.conditions.items()}


def assert_same_scores(result: Exploration, brute: Brute) -> None:
    achievable = {code: len(route) for code, route in result.criteria.items() if route is not None}
    assert achievable == brute.criteria
    assert {g: len(r) for g, r in result.grades.items()} == brute.grades
    order = result.grade_order
    found = sorted(brute.grades, key=order.index)
    assert result.best_grade == (found[-1] if found else None)
    assert result.worst_grade == (found[0] if found else None)


_SCENARIOS: dict[str, Scenario] = {}


def result_scenario(result: Exploration) -> Scenario:
    return _SCENARIOS[result.scenario]


def _by_node(result: Exploration, kind: str) -> dict[str, Any]:
    return {d.node: d for d in result.dead if d.kind == kind}


def run_both(
    scenario: Scenario, rubric: Rubric | None = RUBRIC, max_depth: int = 40, budget: int = 20_000
) -> tuple[Exploration, Brute]:
    _SCENARIOS[scenario.id] = scenario
    result = explore(scenario, rubric, conditions=True)
    return result, brute_force(scenario, rubric, max_depth, budget)


# -- random scenarios -----------------------------------------------------------------------------

BEHAVIOURS = (
    "open_question", "probing_question", "empathy", "argue", "explain_actions",
    "check_understanding", "brief_appropriate_person", "explain_policy", "offer_alternatives",
    "breach_data_protection", "calming_language", "misstate_rights",
)  # fmt: skip
"""Everything the fixture rubric's rules read, good and bad."""
OUTCOMES = ("resolved", "escalated", "customer_lost", "unresolved")


def scenario_text(data: dict[str, Any]) -> str:
    return yaml.safe_dump(data, sort_keys=False)


@st.composite
def conditions(draw: st.DrawFn, nodes: list[str], options: list[str], hi: int) -> str:
    """A condition on the int `x`, the bool `flag`, turns, visits and choices."""
    k = draw(st.integers(0, hi))
    atoms = [
        f"x >= {k}", f"x < {k}", f"x == {k}", f"x != {k}", "flag", "not flag",
        f"turns >= {draw(st.integers(1, 4))}", f"turns < {draw(st.integers(1, 4))}",
        f"visited('{draw(st.sampled_from(nodes))}')",
        f"visits('{draw(st.sampled_from(nodes))}') >= {draw(st.integers(1, 3))}",
        f"chosen('{draw(st.sampled_from(options))}')",
        # counts compared with a variable or with arithmetic on it
        "turns > x", f"turns - x >= {draw(st.integers(0, 2))}",
        f"visits('{draw(st.sampled_from(nodes))}') + x > {draw(st.integers(1, hi + 2))}",
        f"x - turns <= {draw(st.integers(-2, 1))}",
    ]  # fmt: skip
    first = draw(st.sampled_from(atoms))
    if draw(st.integers(0, 3)) == 0:
        op = draw(st.sampled_from(["and", "or"]))
        return f"{first} {op} {draw(st.sampled_from(atoms))}"
    return first


@st.composite
def random_scenarios(draw: st.DrawFn, cyclic: bool, max_nodes: int = 8) -> Scenario:
    """A random small scenario: options, `once`, conditions, effects, a fallback, endings.

    Acyclic unless ``cyclic``: then options may lead back to any node (and `once` options and
    conditions on counts decide how often a loop can be taken).
    """
    n = draw(st.integers(3, max_nodes))
    n_end = draw(st.integers(1, min(3, n - 1)))
    ids = [f"n{i}" for i in range(n)]
    inner = n - n_end
    hi = draw(st.integers(1, 4))
    kinds = ["options" if i == 0 else draw(st.sampled_from(["options"] * 4 + ["next"]))
             for i in range(inner)]  # fmt: skip
    counts = [draw(st.integers(1, 3)) if k == "options" else 0 for k in kinds]
    option_ids = [f"o{i}-{m}" for i in range(inner) for m in range(counts[i])]
    fallbacks = [draw(st.booleans()) if k == "options" else False for k in kinds]
    all_options = option_ids + [f"f{i}" for i in range(inner) if fallbacks[i]]

    def target(i: int) -> str:
        if cyclic:
            return draw(st.sampled_from(ids))
        return draw(st.sampled_from(ids[i + 1 :]))

    def maybe_condition() -> str | None:
        if draw(st.integers(0, 2)) == 0:
            return draw(conditions(ids, all_options, hi))
        return None

    def effects() -> dict[str, Any] | None:
        choice = draw(st.integers(0, 4))
        if choice == 0:
            return {"x": draw(st.sampled_from([1, 2, -1, -2, 5]))}
        if choice == 1:
            return {"set": {"x": draw(st.integers(0, hi))}}
        if choice == 2:
            return {"flag": draw(st.booleans())}
        return None

    # acyclic scenarios may leave x unbounded: counts compared with it then never saturate
    x_range = {} if not cyclic and draw(st.integers(0, 3)) == 0 else {"min": 0, "max": hi}
    nodes: dict[str, Any] = {}
    for i, node_id in enumerate(ids):
        node: dict[str, Any] = {"speaker": draw(st.sampled_from(["customer", "sup", "narrator"]))}
        cond = maybe_condition()
        node["say"] = [{"if": cond, "text": "A"}, {"text": "B"}] if cond else f"Line {i}"
        if i >= inner:
            node["end"] = draw(st.sampled_from(OUTCOMES))
        elif kinds[i] == "next":
            nxt = target(i)
            node["next"] = nxt if nxt != node_id else ids[-1]  # no node that is its own next
        else:
            opts = []
            for m in range(counts[i]):
                o: dict[str, Any] = {"id": f"o{i}-{m}", "say": f"Say {i}.{m}"}
                shows = draw(st.lists(st.sampled_from(BEHAVIOURS), max_size=2, unique=True))
                if draw(st.integers(0, 4)) == 0:  # what the line shows depends on the state
                    other = draw(st.lists(st.sampled_from(BEHAVIOURS), max_size=2, unique=True))
                    o["shows"] = [
                        {"if": draw(conditions(ids, all_options, hi)), "shows": shows},
                        {"shows": other},
                    ]
                elif shows:
                    o["shows"] = shows
                if draw(st.integers(0, 3)) == 0:
                    o["quality"] = "poor"  # its good behaviours never count
                if draw(st.integers(0, 4)) == 0:
                    o["to"] = draw(st.sampled_from(["customer", "sup"]))
                if draw(st.integers(0, 5)) == 0:
                    o["corrects"] = ["misstate_rights"]
                eff = effects()
                if eff:
                    o["effects"] = eff
                cond = maybe_condition()
                if cond:
                    o["if"] = cond
                if draw(st.integers(0, 3)) == 0:
                    o["once"] = True
                o["next"] = target(i)
                opts.append(o)
            if fallbacks[i]:
                f: dict[str, Any] = {"id": f"f{i}", "say": "Fallback", "fallback": True}
                eff = effects()
                if eff:
                    f["effects"] = eff
                cond = maybe_condition()
                if cond:
                    f["if"] = cond
                f["next"] = target(i)
                opts.append(f)
            node["options"] = opts
        nodes[node_id] = node
    data = {
        "format": 1, "id": "gen", "version": 1, "title": "Generated",
        "context": {"issue": "product_faulty", "channel": "telephone"},
        "cast": {"customer": {"name": "Ann"}, "sup": {"name": "Dev", "role": "Supervisor"}},
        "variables": {
            "x": {"type": "int", "default": draw(st.integers(0, hi)), **x_range},
            "flag": {"type": "bool", "default": draw(st.booleans())},
        },
        "start": "n0",
        "nodes": nodes,
    }  # fmt: skip
    text = scenario_text(data)
    note(text)
    return load_text(text)


EXPLORE_SETTINGS = settings(
    max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)


@EXPLORE_SETTINGS
@given(random_scenarios(cyclic=False))
def test_random_dags_equal_brute_force(scenario: Scenario) -> None:
    result, brute = run_both(scenario, budget=200_000)
    assert brute.complete, "an acyclic scenario of 8 nodes has few routes"
    assert_same_as_complete_brute_force(result, brute)


def assert_agrees_by_depth(result: Exploration, brute: Brute) -> str:
    """On a cyclic scenario, brute force to depth ``d`` agrees with explore as far as it can.

    With ``S`` states, a route to an ending whose count is finite never repeats a state, so it
    makes fewer than ``S`` choices: from depth ``S`` on brute force must count them all and then
    find no more. Where explore says infinitely many, a route goes round a loop of at most ``S``
    choices that it reaches and leaves in fewer than ``2 S``: from depth ``3 S`` on, brute force
    must find new routes within every further ``S`` choices.
    """
    assert result.complete
    d, s = brute.depth, result.states
    for ending in result.endings:
        node = ending.node
        if ending.shortest is None:
            assert brute.count(node) == 0, node
            continue
        found = brute.shortest(node)
        if len(ending.shortest) <= d:
            assert found == len(ending.shortest), node
        else:
            assert found is None, node
        if ending.routes is not None:
            assert brute.count(node) <= ending.routes, node
            if d >= s:
                assert brute.count(node, s) == ending.routes == brute.count(node), node
        elif d >= 3 * s:
            assert brute.count(node, d) > brute.count(node, d - s), node
        if brute.complete:
            assert ending.routes == brute.count(node), node
    if d >= s:
        all_options = {o.id for n in result_scenario(result).nodes.values() for o in n.options}
        assert set(result.never_chosen) == all_options - brute.chosen
        assert {n: len(r.route) for n, r in _by_node(result, "stuck").items()} == brute.stuck
        if result.rubric is not None:
            assert_same_scores(result, brute)
        assert result.condition_values == {w: frozenset(v) for w, v in brute.conditions.items()}
    return f"depth {'>= 3S' if d >= 3 * s else '>= S' if d >= s else '< S'}"


@settings(EXPLORE_SETTINGS, max_examples=150)
@given(random_scenarios(cyclic=True, max_nodes=6), st.booleans())
def test_random_cyclic_scenarios_agree_with_brute_force_by_depth(
    scenario: Scenario, with_rubric: bool
) -> None:
    _SCENARIOS[scenario.id] = scenario
    rubric = RUBRIC if with_rubric else None
    result = explore(scenario, rubric, max_states=5_000, conditions=True)
    assume(result.complete)
    brute = brute_force(scenario, rubric, 3 * result.states + 1, budget=300_000)
    event(assert_agrees_by_depth(result, brute))


# -- hand-written scenarios -----------------------------------------------------------------------

ENGINE = Path(__file__).resolve().parent / "fixtures" / "engine"


def load_engine_fixture(name: str) -> Scenario:
    return load_text((ENGINE / f"{name}.scenario.yaml").read_text(), name)


def endings(result: Exploration) -> dict[str, int | None]:
    return {e.node: e.routes for e in result.endings}


def test_diamond_counted_by_hand() -> None:
    result, brute = run_both(load_fixture("diamond"), rubric=None)
    assert endings(result) == {"good": 2, "bad": 3}
    assert {e.node: e.shortest for e in result.endings} == {
        "good": ("a2", "b1"),
        "bad": ("a1", "b2"),
    }
    assert result.never_chosen == ["b3", "d2"]
    assert result.dead == []
    assert_same_as_complete_brute_force(result, brute)


def test_a_loop_makes_routes_infinite_but_not_where_it_cannot_lead() -> None:
    scenario = load_fixture("hub-loop")
    _SCENARIOS[scenario.id] = scenario
    result = explore(scenario, RUBRIC, conditions=True)
    assert endings(result) == {"thanks": None, "gone": 1}
    brute = brute_force(scenario, RUBRIC, 3 * result.states + 1, budget=200_000)
    assert brute.depth >= 3 * result.states
    assert_agrees_by_depth(result, brute)
    # routes to `thanks` keep coming as the depth grows; `gone` stays at one
    counts = [brute.count("thanks", d) for d in range(3, brute.depth + 1, 2)]
    assert counts == sorted(set(counts)) and counts[0] == 1  # ask, back, done; then ever more
    assert {brute.count("gone", d) for d in range(1, brute.depth + 1)} == {1}


def test_counts_compared_with_a_variable_are_not_cut_off() -> None:
    """`turns > x` with no literal at all: turns must still be told apart up to x's maximum."""
    result, brute = run_both(load_fixture("counts"), rubric=None)
    assert endings(result) == {"good": 1, "bad": 2}
    assert "win" not in result.never_chosen
    assert_same_as_complete_brute_force(result, brute)


def test_stuck_and_trapped() -> None:
    result, brute = run_both(load_fixture("dead"), rubric=None, max_depth=30)
    assert {(d.node, d.kind, d.route) for d in result.dead} == {
        ("s", "stuck", ("to-s",)),
        ("t", "trap", ("to-t",)),
        ("t2", "trap", ("to-t", "round")),
    }
    assert endings(result) == {"end": 1}
    assert result.never_chosen == ["out"]
    assert brute.depth == 30 and not brute.complete  # going round t and t2 never ends
    assert_agrees_by_depth(result, brute)
    assert brute.stuck == {"s": 1}


@pytest.mark.parametrize("name", ["chain", "effects", "once-fallback", "stuck", "loops"])
def test_engine_fixtures_agree_with_brute_force(name: str) -> None:
    scenario = load_engine_fixture(name)
    result, brute = run_both(scenario, max_depth=60, budget=100_000)
    if brute.complete:
        assert_same_as_complete_brute_force(result, brute)
    else:
        assert_agrees_by_depth(result, brute)


def test_once_options_on_a_loop_give_finite_counts() -> None:
    result = explore(load_engine_fixture("once-fallback"))
    assert endings(result) == {"done": 2}
    assert result.never_chosen == []  # the fallback is taken automatically


def test_a_stopped_search_reports_no_traps_it_did_not_search() -> None:
    """States left unexpanded when the limit stops the search might lead anywhere."""
    scenario = open_scenario("faulty-kettle").scenario
    for limit in (1, 5, 20, 50):
        result = explore(scenario, max_states=limit)
        assert not result.complete
        assert [d for d in result.dead if d.kind == "trap"] == []


def test_max_states_just_enough_is_complete() -> None:
    scenario = load_fixture("diamond")
    full = explore(scenario)
    assert explore(scenario, max_states=full.states).complete


# -- the bundled scenarios ------------------------------------------------------------------------

BUNDLED = [scenario_id_of(p) for p in bundled_scenario_paths()]
UNIT7 = "ocr-l2-unit7"


@pytest.fixture(scope="module")
def unit7() -> Rubric:
    return open_rubric(UNIT7)


@pytest.mark.parametrize("sid", BUNDLED)
def test_bundled_scenarios_explore_completely_and_reach_every_ending(
    sid: str, unit7: Rubric
) -> None:
    scenario = open_scenario(sid).scenario
    assert scenario.rubric == UNIT7
    result = explore(scenario, unit7)
    assert result.complete
    assert all(e.shortest is not None for e in result.endings), result.endings
    assert result.dead == []
    assert result.never_chosen == []
    assert result.best_grade == "distinction"
    assert result.worst_grade == "not_yet"
    assert all(route is not None for route in result.criteria.values()), result.criteria


@pytest.mark.parametrize("sid", BUNDLED)
def test_each_grade_route_replays_to_exactly_that_grade(
    sid: str, unit7: Rubric, capsys: pytest.CaptureFixture[str]
) -> None:
    result = explore(open_scenario(sid).scenario, unit7)
    assert set(result.grades) == {"not_yet", "pass", "merit", "distinction"}
    for grade, route in result.grades.items():
        argv = ["run", sid, "--choose", ",".join(route), "--rubric", UNIT7, "--json"]
        assert cli.main(argv) == 0
        out = json.loads(capsys.readouterr().out)
        assert out["ending"] is not None
        assert out["grade"] == grade, (grade, route)


@pytest.mark.parametrize("sid", BUNDLED)
def test_each_criterion_route_achieves_it(sid: str, unit7: Rubric) -> None:
    scenario = open_scenario(sid).scenario
    result = explore(scenario, unit7)
    for code, route in result.criteria.items():
        assert route is not None
        session = Session.start(scenario)
        for choice in route:
            session.choose(choice)
        steps = [(s.node, s.option, s.auto) for s in session.steps]
        scored = score_session(unit7, scenario, steps, outcome=session.outcome)
        assert session.ended and scored.criteria[code].status == "achieved", code


@pytest.mark.parametrize("sid", BUNDLED)
def test_search_answers_do_not_depend_on_condition_tracking(sid: str, unit7: Rubric) -> None:
    """Recording condition values adds what say-variants read to the state, nothing else."""
    scenario = open_scenario(sid).scenario
    plain, traced = explore(scenario, unit7), explore(scenario, unit7, conditions=True)
    assert traced.states >= plain.states
    assert plain.condition_values == {}
    assert traced.condition_values
    for field_name in ("endings", "never_chosen", "dead", "criteria", "grades"):
        assert getattr(plain, field_name) == getattr(traced, field_name), field_name


# -- the command line -----------------------------------------------------------------------------


def run_cli(argv: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    code = cli.main(argv)
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def test_explore_json_keys(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run_cli(["explore", "faulty-kettle", "--json"], capsys)
    assert code == 0
    data = json.loads(out)
    assert set(data) == {
        "scenario", "rubric", "complete", "stopped_by", "limit", "states", "transitions",
        "seconds", "endings", "never_chosen", "dead_states", "criteria", "not_covered",
        "best_grade", "worst_grade", "grades", "strategies",
    }  # fmt: skip
    assert data["stopped_by"] is None and data["limit"] is None  # complete: no limit reached
    assert set(data["strategies"]) == {"longest", "courteous", "one_deviation"}
    assert all(s["grade"] == "not_yet" for s in data["strategies"].values())
    assert data["scenario"] == "faulty-kettle" and data["rubric"] == UNIT7
    assert data["complete"] is True
    assert data["best_grade"] == "distinction" and data["worst_grade"] == "not_yet"
    for ending in data["endings"]:
        assert set(ending) == {"node", "outcome", "reachable", "routes", "shortest"}
        assert ending["routes"] == "infinite" or ending["routes"].isdigit()
    assert all(set(c) == {"achievable", "route"} for c in data["criteria"].values())


def test_explore_json_without_rubric(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run_cli(["explore", "router-helpline", "--no-rubric", "--json"], capsys)
    assert code == 0
    data = json.loads(out)
    assert data["rubric"] is None and data["criteria"] == {} and data["grades"] == {}
    assert data["best_grade"] is None


def test_explore_text(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run_cli(["explore", "faulty-kettle"], capsys)
    assert code == 0
    assert "Endings" in out and "INCOMPLETE" not in out
    assert "best grade Distinction, worst Not yet" in out
    assert "roleplay run faulty-kettle --rubric ocr-l2-unit7 --choose " in out


@pytest.mark.parametrize("by_path", [False, True], ids=["bundled id", "file path"])
def test_explore_suggests_commands_that_earn_each_grade(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, by_path: bool
) -> None:
    ref = "faulty-kettle"
    if by_path:  # a scenario that is not bundled: the suggestion must name its file
        ref = str(tmp_path / "my kettle" / "faulty-kettle.scenario.yaml")
        Path(ref).parent.mkdir()
        Path(ref).write_text(open_scenario("faulty-kettle").path.read_text())
    code, out, _ = run_cli(["explore", ref], capsys)
    assert code == 0
    suggested = {
        label.strip(): shlex.split(command)
        for label, command in (
            line.split(": ", 1) for line in out.splitlines() if ": roleplay run " in line
        )
    }
    assert list(suggested) == ["Distinction", "Merit", "Pass", "Not yet"]  # best first
    for label, words in suggested.items():
        assert words[:3] == ["roleplay", "run", ref]
        code, out, err = run_cli([*words[1:], "--json"], capsys)
        assert code == 0, err
        assert json.loads(out)["grade_detail"]["label"] == label


def test_explore_max_states_reports_incomplete_and_exits_1(
    capsys: pytest.CaptureFixture[str],
) -> None:
    code, out, _ = run_cli(["explore", "faulty-kettle", "--max-states", "10"], capsys)
    assert code == 1
    assert "INCOMPLETE: stopped at the limit of 10 states; raise --max-states" in out
    assert "NEVER REACHED" not in out and "not reached within the limit" in out
    assert re.search(r"\): at least [\d,]+ routes?;", out)  # counts of a partial search
    code, out, _ = run_cli(["explore", "faulty-kettle", "--max-states", "10", "--json"], capsys)
    assert code == 1
    data = json.loads(out)
    assert data["complete"] is False and data["states"] <= 10
    assert (data["stopped_by"], data["limit"]) == ("states", "10 states")


@pytest.mark.parametrize(
    ("limits", "stopped_by", "said", "flag"),
    [
        ({"max_seconds": 0.0}, "time", "0 s", "--max-seconds"),
        ({"max_memory_mb": 1.0}, "memory", "1 MB", "--max-memory"),
    ],
)
def test_explore_stops_cleanly_at_a_time_or_memory_limit(
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    limits: dict[str, float],
    stopped_by: str,
    said: str,
    flag: str,
) -> None:
    """Performance review finding 8: explore was bounded only by states (33-47 s, 870 MB)."""
    import simulator.explore as explore_module

    monkeypatch.setattr(explore_module, "CHECK_EVERY", 5)  # look after every 5 states
    scenario = open_scenario("faulty-kettle").scenario
    whole = explore(scenario)
    cut = explore(scenario, **limits)  # type: ignore[arg-type]
    assert cut.complete is False and (cut.stopped_by, cut.limit) == (stopped_by, said)
    assert 5 <= cut.states < whole.states
    assert whole.complete and whole.stopped_by is None
    args = ["--max-seconds", "0"] if stopped_by == "time" else ["--max-memory", "1"]
    code, out, _ = run_cli(["explore", "faulty-kettle", *args], capsys)
    assert code == 1
    assert f"INCOMPLETE: stopped at the limit of {said}; raise {flag}" in out
    assert "NEVER REACHED" not in out and "NOT reachable" not in out


def test_explore_tells_how_it_is_going(monkeypatch: pytest.MonkeyPatch) -> None:
    import simulator.explore as explore_module

    monkeypatch.setattr(explore_module, "CHECK_EVERY", 100)
    told: list[tuple[int, int, float]] = []
    result = explore(
        open_scenario("faulty-kettle").scenario,
        open_rubric("ocr-l2-unit7"),
        progress=lambda found, expanded, seconds: told.append((found, expanded, seconds)),
    )
    assert result.complete and len(told) == (result.states - 1) // 100
    assert [t[1] for t in told] == [100 * (k + 1) for k in range(len(told))]
    assert all(found >= expanded for found, expanded, _ in told)
    assert [t[2] for t in told] == sorted(t[2] for t in told)


def test_explore_shows_progress_on_a_terminal_only(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    import simulator.explore as explore_module
    from simulator import commands

    monkeypatch.setattr(explore_module, "CHECK_EVERY", 10)
    clock = iter(range(1_000_000))
    monkeypatch.setattr(explore_module.time, "perf_counter", lambda: float(next(clock)))
    code, _, err = run_cli(["explore", "faulty-kettle"], capsys)
    assert code == 0 and "exploring:" not in err  # not a terminal: nothing on stderr
    monkeypatch.setattr(commands.sys.stderr, "isatty", lambda: True)
    code, _, err = run_cli(["explore", "faulty-kettle"], capsys)
    assert code == 0
    assert re.search(
        r"\rexploring: [\d,]+ states \([\d,]+ expanded\), [\d,]+ states/s, [\d.]+ s", err
    )
    assert err.endswith("\r\x1b[K")  # cleared before the report


def test_explore_unknown_scenario_exits_1(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run_cli(["explore", "no-such-scenario"], capsys)
    assert code == 1 and out == ""
    assert "no scenario file or bundled scenario called 'no-such-scenario'" in err


def test_explore_unknown_rubric_exits_1(capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run_cli(["explore", "faulty-kettle", "--rubric", "no-such-rubric"], capsys)
    assert code == 1
    assert "no rubric file or bundled rubric called 'no-such-rubric'" in err


def test_explore_scenario_with_errors_exits_1(capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run_cli(["explore", str(FIXTURES / "dead.scenario.yaml")], capsys)
    assert code == 1
    assert "has errors and cannot be played" in err and "[E041]" in err


def test_explore_usage_error_exits_2(capsys: pytest.CaptureFixture[str]) -> None:
    code, _, _ = run_cli(["explore", "faulty-kettle", "--max-states", "lots"], capsys)
    assert code == 2


# -- lint --search --------------------------------------------------------------------------------

LINT = Path(__file__).resolve().parent / "fixtures" / "lint"


def test_bundled_scenarios_pass_strict_lint_with_the_search(
    capsys: pytest.CaptureFixture[str],
) -> None:
    """Every route of every bundled scenario: no unreachable ending or criterion, no condition
    that is always true or always false, no line that can never be said."""
    root = Path(__file__).resolve().parent.parent
    code, out, _ = run_cli(
        ["lint", "--search", "--strict", "--format", "json", str(root / "scenarios")], capsys
    )
    assert json.loads(out) == []
    assert code == 0


def test_lint_search_flag(capsys: pytest.CaptureFixture[str]) -> None:
    path = str(LINT / "w122-condition-always-true.scenario.yaml")
    assert run_cli(["lint", "--strict", path], capsys)[0] == 0
    code, out, _ = run_cli(["lint", "--strict", "--search", path], capsys)
    assert code == 1
    assert ":34:14: warning: the condition 'mood < 0' of option 'rude'" in out
    assert out.rstrip().endswith("[W122]")


def search_codes(text: str, tmp_path: Path, name: str = "gen") -> list[tuple[str, int]]:
    path = tmp_path / f"{name}.scenario.yaml"
    path.write_text(text)
    return [(p.code, p.line) for p in check_scenario_file(path, search=True)[1]]


def test_search_checks_skip_an_unfinished_search(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    text = (LINT / "w122-condition-always-true.scenario.yaml").read_text()
    name = "w122-condition-always-true"
    assert search_codes(text, tmp_path, name) == [("W122", 34)]
    monkeypatch.setattr(search, "MAX_STATES", 3)
    assert search_codes(text, tmp_path, name) == []


def test_search_checks_skip_scenarios_with_errors(tmp_path: Path) -> None:
    text = (LINT / "w122-condition-always-true.scenario.yaml").read_text()
    broken = text.replace("next: middle", "next: midle")
    assert [c for c, _ in search_codes(broken, tmp_path, "w122-condition-always-true")] == ["E021"]


def test_an_ending_behind_an_always_false_option_is_one_problem(tmp_path: Path) -> None:
    text = (LINT / "w121-ending-unreachable-by-search.scenario.yaml").read_text()
    text = text.replace(
        "        fallback: true\n        next: manager",
        '        if: "mood > 4"\n        next: manager',
    )
    assert search_codes(text, tmp_path, "w121-ending-unreachable-by-search") == [("W123", 54)]


def test_search_warnings_need_the_rubric_to_be_searched(tmp_path: Path) -> None:
    """W120 speaks only of criteria the scenario could evidence (not_covered ones are not)."""
    text = (LINT / "w120-criterion-unreachable.scenario.yaml").read_text()
    fixed = text.replace("shows: [empathy, check_understanding]", "shows: [empathy]")
    assert search_codes(fixed, tmp_path, "w120-criterion-unreachable") == []


# -- lint's fast paths (see benchmarks/bench_lint.py) ---------------------------------------------
# Reading a file in one pass when it is plainly within the limits, and skipping the TODO walk when
# the text never mentions one, must change nothing: same data, marks and problems as the full path.

SEEDS = [
    *sorted((Path(__file__).resolve().parent.parent / "scenarios").glob("*.scenario.yaml")),
    *sorted(LINT.glob("*.scenario.yaml")),
    *sorted(FIXTURES.glob("*.yaml")),
]
SNIPPETS = [
    "[", "]", "{", "}", ": ", "- ", "? ", "'", '"', "\\", "\t", "#", "!!str ", "!!int ", "!!binary ",
    "&a ", "*a", "\n", "\n  ", "TODO", "[[[[", "{a: [b, {c: d}]}", "\n- - - x", "? [a]\n: b\n",
]  # fmt: skip


@settings(max_examples=300, deadline=None, suppress_health_check=list(HealthCheck))
@given(st.sampled_from(SEEDS), st.lists(st.tuples(st.integers(0), st.sampled_from(SNIPPETS))))
def test_one_pass_reading_equals_the_checked_path(seed: Path, edits: list[tuple[int, str]]) -> None:
    text = seed.read_text(encoding="utf-8")
    for at, snippet in edits:
        i = at % (len(text) + 1)
        text = text[:i] + snippet + text[i:]
    fast = yamlsource._parse_simple(text, seed.name)
    event("one pass" if fast is not None else "checked path")
    if fast is not None:
        assert fast == yamlsource._parse_checked(text, seed.name)


def test_one_pass_reading_leaves_the_limits_to_the_checked_path() -> None:
    deep = "a:\n" + "".join("  " * i + f"k{i}:\n" for i in range(1, 70)) + "  " * 70 + "v\n"
    for text in (
        deep,  # nested past MAX_DEPTH: the checked path says where
        "title: " + "[" * 400 + "]" * 400 + "\n",  # could crash libyaml's composer
        "a: &x [1, 2]\nb: *x\n",  # an alias
        "? [a, b]\n: c\n",  # a key that is a list
        "",  # no document
        "a: [\n",  # a syntax error
    ):
        assert yamlsource._parse_simple(text, "x.yaml") is None, text
    assert yamlsource._parse_simple("a: 1\n", "x.yaml") is not None


@pytest.mark.parametrize("path", SEEDS, ids=lambda p: p.name)
def test_todo_check_without_the_walk_finds_the_same(path: Path) -> None:
    loaded = load_scenario_file(path)
    if loaded.scenario is None or loaded.document is None:
        return
    doc = loaded.document
    ctx = LintContext(loaded.scenario, doc, {}, frozenset())
    with_text = list(check_todo(ctx))
    doc.text = ""  # unknown source: always walks every string
    assert list(check_todo(ctx)) == with_text
