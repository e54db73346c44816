"""Exhaustive exploration of a scenario's state space, for authors.

A state is what decides the rest of a conversation: the node, every variable, the ``once``
options used, what ``chosen()``, ``visits()`` and ``turns`` conditions can still tell apart, and
the evidence each session criterion of a rubric has gathered so far. Equal states are merged,
so the search visits each state once and never enumerates routes one by one; route counts are
computed on the state graph afterwards (exactly, with Python integers, or "infinite" where a loop
lets a route repeat).

The stepping rules are the engine's (`simulator.engine`); tests check exploration against
brute-force replays through the engine on small scenarios.
"""

from __future__ import annotations

import time
from array import array
from collections import deque
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

from simulator import expr
from simulator.model import Node, Option, Rubric, Scenario, SessionRule
from simulator.scoring.session import addressee_matches, coverable, grade_for, grade_label

MAX_AUTO_STEPS = 1000
DEFAULT_MAX_STATES = 2_000_000

# -- compiling conditions ---------------------------------------------------------------------

Getter = Callable[[tuple[Any, ...]], Any]


class _Layout:
    """Where each piece of the state lives in the state tuple."""

    def __init__(self, scenario: Scenario, rubric: Rubric | None) -> None:
        self.scenario = scenario
        self.var_names = list(scenario.variables)
        self.var_index = {name: i for i, name in enumerate(self.var_names)}
        calls = [c for cond in _conditions(scenario) for c in expr.calls(cond)]
        names = {n for cond in _conditions(scenario) for n in expr.names(cond)}
        cap = _count_cap(scenario)
        self.cap = cap
        self.visit_nodes = sorted({c.arg for c in calls if c.func in ("visited", "visits")})
        self.visit_index = {n: i for i, n in enumerate(self.visit_nodes)}
        self.chosen_options = sorted({c.arg for c in calls if c.func == "chosen"})
        self.chosen_bit = {o: 1 << i for i, o in enumerate(self.chosen_options)}
        once = [o.id for n in scenario.nodes.values() for o in n.options if o.once]
        self.once_bit = {o: 1 << i for i, o in enumerate(once)}
        self.track_turns = "turns" in names
        self.rules: list[tuple[str, SessionRule]] = []
        if rubric is not None:
            for c in rubric.session_criteria:
                if c.rule is not None and coverable(c.rule, scenario):
                    self.rules.append((c.code, c.rule))

    # state tuple: (node, vars tuple, once bits, chosen bits, visits tuple, turns, evidence tuple)


def _conditions(scenario: Scenario) -> Iterator[expr.Expr]:
    for node in scenario.nodes.values():
        for variant in node.say:
            if variant.condition is not None:
                yield variant.condition.expr
        for option in node.options:
            if option.condition is not None:
                yield option.condition.expr


def _literals(e: expr.Expr) -> Iterator[int]:
    if isinstance(e, expr.Literal) and not isinstance(e.value, bool):
        yield abs(int(e.value))
    elif isinstance(e, expr.Unary):
        yield from _literals(e.operand)
    elif isinstance(e, expr.Binary):
        yield from _literals(e.left)
        yield from _literals(e.right)


def _count_cap(scenario: Scenario) -> int:
    """Counts above this cannot be told apart by any condition (saturation point)."""
    return sum(v for cond in _conditions(scenario) for v in _literals(cond)) + 1


def compile_condition(e: expr.Expr, layout: _Layout) -> Getter:
    """Turn a checked expression into a function of the state tuple (no AST walk per call)."""
    if isinstance(e, expr.Literal):
        value = e.value
        return lambda st: value
    if isinstance(e, expr.Name):
        if e.name == "turns":
            return lambda st: st[5]
        i = layout.var_index[e.name]
        return lambda st: st[1][i]
    if isinstance(e, expr.Call):
        if e.func == "chosen":
            bit = layout.chosen_bit.get(e.arg, 0)
            return lambda st: bool(st[3] & bit)
        vi = layout.visit_index.get(e.arg)
        if vi is None:
            return lambda st: False if e.func == "visited" else 0
        if e.func == "visited":
            return lambda st: st[4][vi] > 0
        return lambda st: st[4][vi]
    if isinstance(e, expr.Unary):
        inner = compile_condition(e.operand, layout)
        if e.op == "not":
            return lambda st: not inner(st)
        return lambda st: -inner(st)
    left = compile_condition(e.left, layout)
    right = compile_condition(e.right, layout)
    ops: dict[str, Getter] = {
        "and": lambda st: bool(left(st)) and bool(right(st)),
        "or": lambda st: bool(left(st)) or bool(right(st)),
        "+": lambda st: left(st) + right(st),
        "-": lambda st: left(st) - right(st),
        "==": lambda st: left(st) == right(st),
        "!=": lambda st: left(st) != right(st),
        "<": lambda st: left(st) < right(st),
        "<=": lambda st: left(st) <= right(st),
        ">": lambda st: left(st) > right(st),
        ">=": lambda st: left(st) >= right(st),
    }
    return ops[e.op]


# -- results ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class EndingReport:
    """How one ending can be reached."""

    node: str
    """The end node."""
    outcome: str
    """Its outcome."""
    routes: int | None
    """Distinct routes (learner choice sequences) reaching it; None means infinitely many."""
    shortest: tuple[str, ...] | None
    """One shortest route (option ids), or None if it cannot be reached."""


@dataclass(frozen=True)
class DeadState:
    """A reachable state the learner cannot get out of."""

    node: str
    """Where it is."""
    kind: str
    """``stuck`` (no option available) or ``trap`` (options, but no ending is reachable)."""
    route: tuple[str, ...]
    """One shortest route into it."""


@dataclass
class Exploration:
    """Everything the search found."""

    scenario: str
    """Scenario id."""
    rubric: str | None
    """Rubric id the evidence was tracked for."""
    states: int = 0
    """Distinct states visited."""
    transitions: int = 0
    """Choices examined."""
    complete: bool = True
    """False if the state limit stopped the search."""
    seconds: float = 0.0
    """Time the search took."""
    endings: list[EndingReport] = field(default_factory=list)
    """Every end node, reachable or not."""
    never_chosen: list[str] = field(default_factory=list)
    """Options no route can choose (or take automatically)."""
    dead: list[DeadState] = field(default_factory=list)
    """States with no way out."""
    criteria: dict[str, tuple[str, ...] | None] = field(default_factory=dict)
    """Session criterion -> a shortest route achieving it, or None if none does."""
    not_covered: list[str] = field(default_factory=list)
    """Session criteria the scenario has no option for at all."""
    grades: dict[str, tuple[str, ...]] = field(default_factory=dict)
    """Grade value -> a shortest route earning it (finished sessions)."""
    grade_order: list[str] = field(default_factory=list)
    """Grade values from worst to best."""
    labels: dict[str, str] = field(default_factory=dict)
    """Grade value -> label."""

    @property
    def best_grade(self) -> str | None:
        """The best grade any finished route earns."""
        found = [g for g in self.grade_order if g in self.grades]
        return found[-1] if found else None

    @property
    def worst_grade(self) -> str | None:
        """The worst grade any finished route earns."""
        found = [g for g in self.grade_order if g in self.grades]
        return found[0] if found else None

    @property
    def states_per_second(self) -> float:
        """Search speed."""
        return self.states / self.seconds if self.seconds else 0.0

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form (``roleplay explore --json``)."""
        return {
            "scenario": self.scenario,
            "rubric": self.rubric,
            "complete": self.complete,
            "states": self.states,
            "transitions": self.transitions,
            "seconds": round(self.seconds, 3),
            "endings": [
                {
                    "node": e.node,
                    "outcome": e.outcome,
                    "reachable": e.shortest is not None,
                    # JSON numbers lose precision past 2**53, so counts travel as strings
                    "routes": "infinite" if e.routes is None else str(e.routes),
                    "shortest": list(e.shortest) if e.shortest is not None else None,
                }
                for e in self.endings
            ],
            "never_chosen": self.never_chosen,
            "dead_states": [
                {"node": d.node, "kind": d.kind, "route": list(d.route)} for d in self.dead
            ],
            "criteria": {
                code: {"achievable": route is not None, "route": list(route) if route else None}
                for code, route in self.criteria.items()
            },
            "not_covered": self.not_covered,
            "best_grade": self.best_grade,
            "worst_grade": self.worst_grade,
            "grades": {g: list(r) for g, r in self.grades.items()},
        }


# -- the search -------------------------------------------------------------------------------


class _Explorer:
    def __init__(self, scenario: Scenario, rubric: Rubric | None, max_states: int) -> None:
        self.s = scenario
        self.rubric = rubric
        self.layout = _Layout(scenario, rubric)
        self.max_states = max_states
        self.node_ids = list(scenario.nodes)
        self.node_index = {n: i for i, n in enumerate(self.node_ids)}
        self.options = [o for n in scenario.nodes.values() for o in n.options]
        self.option_index = {o.id: i for i, o in enumerate(self.options)}
        self.used: set[str] = set()
        self.effects: dict[str, tuple[LineEffect, ...]] = {}
        self.compiled = {
            o.id: compile_condition(o.condition.expr, self.layout)
            for o in self.options
            if o.condition is not None
        }

    # state helpers ------------------------------------------------------------------------
    def start_state(self) -> tuple[Any, ...]:
        lay = self.layout
        values = tuple(v.default for v in self.s.variables.values())
        evidence = tuple((False, False, 0, frozenset[str]()) for _ in lay.rules)
        return (None, values, 0, 0, tuple(0 for _ in lay.visit_nodes), 0, evidence)

    def holds(self, option: Option, state: tuple[Any, ...]) -> bool:
        bit = self.layout.once_bit.get(option.id, 0)
        if bit and state[2] & bit:
            return False
        test = self.compiled.get(option.id)
        return test is None or bool(test(state))

    def available(self, node: Node, state: tuple[Any, ...]) -> list[Option]:
        return [o for o in node.options if not o.fallback and self.holds(o, state)]

    def take(
        self, option: Option, node: Node, state: tuple[Any, ...], auto: bool
    ) -> tuple[Any, ...]:
        """Apply an option: effects, once/chosen bits, turns, evidence (learner lines only)."""
        lay = self.layout
        node_i, values, once, chosen, visits, turns, evidence = state
        if option.effects:
            vals = list(values)
            for eff in option.effects:
                i = lay.var_index[eff.variable]
                var = self.s.variables[eff.variable]
                new = (
                    eff.value
                    if (eff.assign or var.type == "bool")
                    else int(vals[i]) + int(eff.value)
                )
                vals[i] = var.clamp(new)
            values = tuple(vals)
        once |= lay.once_bit.get(option.id, 0)
        chosen |= lay.chosen_bit.get(option.id, 0)
        if lay.track_turns:
            turns = min(turns + 1, lay.cap)
        if not auto and lay.rules:
            effects = self.effects.get(option.id)
            if effects is None:
                effects = tuple(line_effect(rule, option, node, self.s) for _, rule in lay.rules)
                self.effects[option.id] = effects
            evidence = tuple(
                _advance(rule, ev, eff)
                for (_, rule), ev, eff in zip(lay.rules, evidence, effects, strict=True)
            )
        return (node_i, values, once, chosen, visits, turns, evidence)

    def enter(self, node_id: str, state: tuple[Any, ...]) -> tuple[tuple[Any, ...], str]:
        """Follow the engine from entering ``node_id`` to the next decision; return (state, kind).

        kind is ``decide``, ``end`` or ``stuck``.
        """
        lay = self.layout
        for _ in range(MAX_AUTO_STEPS):
            node = self.s.nodes[node_id]
            vi = lay.visit_index.get(node_id)
            visits = state[4]
            if vi is not None and visits[vi] < lay.cap:
                visits = (*visits[:vi], visits[vi] + 1, *visits[vi + 1 :])
            state = (
                self.node_index[node_id],
                state[1],
                state[2],
                state[3],
                visits,
                state[5],
                state[6],
            )
            if node.is_end:
                return state, "end"
            if node.next is not None:
                node_id = node.next
                continue
            if self.available(node, state):
                return state, "decide"
            fallback = next((o for o in node.options if o.fallback and self.holds(o, state)), None)
            if fallback is None or fallback.next is None:
                return state, "stuck"
            self.used.add(fallback.id)
            state = self.take(fallback, node, state, auto=True)
            node_id = fallback.next
        return state, "stuck"

    # search ---------------------------------------------------------------------------------
    def run(self) -> Exploration:
        began = time.perf_counter()
        result = Exploration(self.s.id, self.rubric.id if self.rubric else None)
        index: dict[tuple[Any, ...], int] = {}
        states: list[tuple[Any, ...]] = []
        kinds: list[str] = []
        parent = array("q")
        parent_option = array("q")
        edge_src = array("q")
        edge_dst = array("q")

        def intern(state: tuple[Any, ...], kind: str, from_state: int, via: int) -> int:
            found = index.get(state)
            if found is not None:
                return found
            i = len(states)
            index[state] = i
            states.append(state)
            kinds.append(kind)
            parent.append(from_state)
            parent_option.append(via)
            return i

        first, kind = self.enter(self.s.start, self.start_state())
        intern(first, kind, -1, -1)
        queue = deque([0])
        while queue:
            i = queue.popleft()
            if kinds[i] != "decide":
                continue
            state = states[i]
            node = self.s.nodes[self.node_ids[state[0]]]
            for option in self.available(node, state):
                self.used.add(option.id)
                after = self.take(option, node, state, auto=False)
                nxt, nkind = (
                    self.enter(option.next or "", after) if option.next else (after, "stuck")
                )
                before = len(states)
                j = intern(nxt, nkind, i, self.option_index[option.id])
                edge_src.append(i)
                edge_dst.append(j)
                result.transitions += 1
                if j == before:
                    queue.append(j)
                    if len(states) >= self.max_states:
                        result.complete = False
                        queue.clear()
                        break
        result.states = len(states)

        def route(i: int) -> tuple[str, ...]:
            out = []
            while parent[i] >= 0:
                out.append(self.options[parent_option[i]].id)
                i = parent[i]
            return tuple(reversed(out))

        self.summarise(result, states, kinds, edge_src, edge_dst, route)
        result.seconds = time.perf_counter() - began
        return result

    def summarise(
        self,
        result: Exploration,
        states: list[tuple[Any, ...]],
        kinds: list[str],
        edge_src: array[int],
        edge_dst: array[int],
        route: Callable[[int], tuple[str, ...]],
    ) -> None:
        n = len(states)
        succ: list[list[int]] = [[] for _ in range(n)]
        pred: list[list[int]] = [[] for _ in range(n)]
        for a, b in zip(edge_src, edge_dst, strict=True):
            succ[a].append(b)
            pred[b].append(a)
        cyclic = _cyclic_states(succ)
        ends = [i for i in range(n) if kinds[i] == "end"]
        # endings: counts and shortest routes (BFS discovery order = shortest first)
        by_node: dict[str, list[int]] = {}
        for i in ends:
            by_node.setdefault(self.node_ids[states[i][0]], []).append(i)
        for node in self.s.nodes.values():
            if not node.is_end:
                continue
            targets = by_node.get(node.id, [])
            if not targets:
                result.endings.append(EndingReport(node.id, node.end or "", 0, None))
                continue
            count = _count_routes(targets, pred, succ, cyclic)
            result.endings.append(EndingReport(node.id, node.end or "", count, route(min(targets))))
        result.never_chosen = [o.id for o in self.options if o.id not in self.used]
        # dead states: stuck, or no ending reachable
        can_end = _backward({i for i in ends}, pred)
        for i in range(n):
            if kinds[i] == "stuck":
                result.dead.append(DeadState(self.node_ids[states[i][0]], "stuck", route(i)))
            elif kinds[i] == "decide" and i not in can_end:
                result.dead.append(DeadState(self.node_ids[states[i][0]], "trap", route(i)))
        result.dead = _first_per_node(result.dead)
        if self.rubric is None:
            return
        rubric = self.rubric
        order = ["not_yet", *[b.id for b in rubric.bands]] if rubric.grading == "banded" else [
            "not_yet", "competent" if rubric.grading == "competence" else "pass"
        ]  # fmt: skip
        result.grade_order = order
        result.labels = {g: grade_label(rubric, g) for g in order}
        session = rubric.session_criteria
        tracked = [code for code, _ in self.layout.rules]
        result.not_covered = [c.code for c in session if c.code not in tracked]
        result.criteria = {c.code: None for c in session}
        for i in ends:  # ascending i = BFS order = shortest routes first
            achieved = {
                code
                for (code, rule), ev in zip(self.layout.rules, states[i][6], strict=True)
                if _achieved(rule, ev)
            }
            for code in achieved:
                if result.criteria.get(code) is None:
                    result.criteria[code] = route(i)
            grade = grade_for(rubric, session, achieved)
            if grade not in result.grades:
                result.grades[grade] = route(i)


LineEffect = tuple[bool, bool, bool, frozenset[str], bool]
"""What one learner line means to one rule: rules out, shows `after`, blocks, hits, right addressee."""


def line_effect(rule: SessionRule, option: Option, node: Node, scenario: Scenario) -> LineEffect:
    """Classify a line once for a rule, so the search only combines flags."""
    shows = set(option.shows)
    return (
        bool(shows & set(rule.ruled_out_by)),
        bool(rule.after and shows & set(rule.after)),
        bool(shows & set(rule.blocked_by)),
        frozenset(shows & set(rule.behaviours)),
        addressee_matches(node.speaker, rule.to, scenario),
    )


def _advance(
    rule: SessionRule, ev: tuple[bool, bool, int, frozenset[str]], effect: LineEffect
) -> tuple[bool, bool, int, frozenset[str]]:
    """The evidence one learner line adds to a criterion, as `scoring.session.judge_rule` counts it."""
    rules_out, shows_after, blocks, hits, to_ok = effect
    ruled_out, after_seen, count, seen = ev
    ruled_out = ruled_out or rules_out
    after_seen = after_seen or shows_after
    if blocks:
        return (ruled_out, after_seen, 0, frozenset())
    if hits and to_ok and (not rule.after or after_seen):
        count = min(count + 1, rule.min)
        if rule.all or rule.distinct:
            seen = seen | hits
    return (ruled_out, after_seen, count, seen)


def _achieved(rule: SessionRule, ev: tuple[bool, bool, int, frozenset[str]]) -> bool:
    ruled_out, _, count, seen = ev
    if ruled_out or count == 0:
        return False
    if rule.all and not set(rule.all) <= seen:
        return False
    if count < rule.min:
        return False
    return not (rule.distinct and len(seen) < rule.distinct)


def _backward(targets: set[int], pred: list[list[int]]) -> set[int]:
    seen = set(targets)
    stack = list(targets)
    while stack:
        for p in pred[stack.pop()]:
            if p not in seen:
                seen.add(p)
                stack.append(p)
    return seen


def _cyclic_states(succ: list[list[int]]) -> set[int]:
    """States on a cycle (iterative Tarjan: strongly connected components of size > 1 or loops)."""
    n = len(succ)
    index = [-1] * n
    low = [0] * n
    on_stack = [False] * n
    stack: list[int] = []
    cyclic: set[int] = set()
    counter = 0
    for root in range(n):
        if index[root] != -1:
            continue
        work = [(root, 0)]
        while work:
            v, pos = work[-1]
            if pos == 0:
                index[v] = low[v] = counter
                counter += 1
                stack.append(v)
                on_stack[v] = True
            if pos < len(succ[v]):
                work[-1] = (v, pos + 1)
                w = succ[v][pos]
                if index[w] == -1:
                    work.append((w, 0))
                elif on_stack[w]:
                    low[v] = min(low[v], index[w])
                continue
            work.pop()
            if work:
                u = work[-1][0]
                low[u] = min(low[u], low[v])
            if low[v] == index[v]:
                component = []
                while True:
                    w = stack.pop()
                    on_stack[w] = False
                    component.append(w)
                    if w == v:
                        break
                if len(component) > 1 or v in succ[v]:
                    cyclic.update(component)
    return cyclic


def _count_routes(
    targets: list[int], pred: list[list[int]], succ: list[list[int]], cyclic: set[int]
) -> int | None:
    """Routes from state 0 to any of ``targets``; None if a loop makes them infinite."""
    relevant = _backward(set(targets), pred)
    if 0 not in relevant:
        return 0
    if relevant & cyclic:
        return None
    # count paths from 0 in the DAG restricted to `relevant`, in topological order (Kahn)
    indegree = {v: 0 for v in relevant}
    for v in relevant:
        for w in succ[v]:
            if w in relevant:
                indegree[w] += 1
    ways = dict.fromkeys(relevant, 0)
    ways[0] = 1
    ready = [v for v, d in indegree.items() if d == 0]
    target_set = set(targets)
    total = 0
    while ready:
        v = ready.pop()
        if v in target_set:
            total += ways[v]
        for w in succ[v]:
            if w in relevant:
                ways[w] += ways[v]
                indegree[w] -= 1
                if indegree[w] == 0:
                    ready.append(w)
    return total


def _first_per_node(dead: list[DeadState]) -> list[DeadState]:
    seen: dict[tuple[str, str], DeadState] = {}
    for d in dead:
        key = (d.node, d.kind)
        if key not in seen or len(d.route) < len(seen[key].route):
            seen[key] = d
    return list(seen.values())


def explore(
    scenario: Scenario, rubric: Rubric | None = None, max_states: int = DEFAULT_MAX_STATES
) -> Exploration:
    """Search every reachable state of ``scenario`` (tracking ``rubric`` evidence if given)."""
    return _Explorer(scenario, rubric, max_states).run()
