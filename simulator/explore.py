"""Exhaustive exploration of a scenario's state space, for authors.

A state is what decides the rest of a conversation: the node, every variable, the ``once``
options used, what ``chosen()``, ``visits()`` and ``turns`` conditions can still tell apart, and
the evidence each session criterion of a rubric has gathered so far. Equal states are merged,
so the search visits each state once and never enumerates routes one by one; route counts are
computed on the state graph afterwards (exactly, with Python integers, or "infinite" where a loop
lets a route repeat).

Three reductions keep the number of states down without changing any answer:

* counts saturate: a count of turns or visits above what any comparison can tell apart is
  stored as that bound (see `_count_caps`), and never saturates where a comparison could tell
  larger counts apart (then a loop makes the search endless and it reports itself incomplete);
* what no condition ahead can read is forgotten: a state at a node keeps only the variables,
  ``once`` and ``chosen`` marks, visit counts and turn count that some condition at a node still
  reachable from there reads (see `_Layout`), so conversations that differ only in the past
  merge, and a state stays short however large the scenario is;
* evidence no line ahead can change settles to "achieved" or "not achieved", and so does
  achieved evidence no line ahead can undo (see `_Rule.settle`).

Say-variant conditions choose a line's text, never a route, so they are not part of the state
unless their values are asked for (``conditions=True``, which `roleplay lint --search` uses).

The stepping rules are the engine's (`simulator.engine`); tests check exploration against
brute-force replays through the engine on small scenarios.
"""

from __future__ import annotations

import marshal
import os
import sys
import time
from array import array
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from operator import itemgetter
from typing import Any

from simulator import expr
from simulator.model import Node, Option, Rubric, Scenario, SessionRule, YamlPath
from simulator.scoring.session import addressee_matches, coverable, grade_for, grade_label

MAX_AUTO_STEPS = 1000
DEFAULT_MAX_STATES = 2_000_000
DEFAULT_MAX_MEMORY_MB = 1000
"""`roleplay explore` stops when the process has used this much memory (a shared classroom
server must not be filled by one author's search)."""
PACKED = 2
"""The marshal version a state's key in the index is packed with: version 2 has no
back-references, so equal states always pack alike."""
CHECK_EVERY = 4096
"""States expanded between looks at the clock and the memory (and a progress report)."""

Progress = Callable[[int, int, float], None]
"""Told now and then how a search is going: states found, states expanded, seconds so far."""
UNBOUNDED = 1 << 62
"""A count cap that never saturates: some comparison can tell every count apart."""

State = tuple[Any, ...]
"""A flat tuple: node index, once bits, chosen bits, evidence per tracked criterion, then the
variables, visit counts and turn count kept at that node (see `_Layout`)."""
Getter = Callable[[State], Any]

_DECIDE, _END, _STUCK = 0, 1, 2
_COMPARISONS = ("==", "!=", "<", "<=", ">", ">=")
_FLIPPED = {"==": "==", "!=": "!=", "<": ">", "<=": ">=", ">": "<", ">=": "<="}

# -- what conditions read ---------------------------------------------------------------------


def _node_conditions(node: Node, say: bool) -> Iterator[expr.Expr]:
    if say:
        for variant in node.say:
            if variant.condition is not None:
                yield variant.condition.expr
    for option in node.options:
        if option.condition is not None:
            yield option.condition.expr
        # what a line shows can depend on the state it is said in: that decides evidence
        for shown in option.shows_variants:
            if shown.condition is not None:
                yield shown.condition.expr


def _walk(e: expr.Expr) -> Iterator[expr.Expr]:
    stack = [e]
    while stack:
        node = stack.pop()
        yield node
        if isinstance(node, expr.Unary):
            stack.append(node.operand)
        elif isinstance(node, expr.Binary):
            stack.extend((node.left, node.right))


Linear = tuple[dict[str, int], int | None]
"""An int expression as {count: coefficient} plus a bound on the absolute value of the rest
(None: unbounded, from an int variable without min or max)."""

TURNS_KEY = "turns"


def _visits_key(node: str) -> str:
    return f"visits:{node}"


def _linear(e: expr.Expr, scenario: Scenario) -> Linear | None:
    """Split an int expression into counts (turns, visits) and the rest; None if not an int."""
    if isinstance(e, expr.Literal):
        return None if isinstance(e.value, bool) else ({}, abs(e.value))
    if isinstance(e, expr.Name):
        if e.name == expr.TURNS:
            return {TURNS_KEY: 1}, 0
        var = scenario.variables.get(e.name)
        if var is None or var.type != "int":
            return None
        if var.min is None or var.max is None:
            return {}, None
        return {}, max(abs(var.min), abs(var.max))
    if isinstance(e, expr.Call):
        return ({_visits_key(e.arg): 1}, 0) if e.func == "visits" else None
    if isinstance(e, expr.Unary):
        if e.op == "not":
            return None
        inner = _linear(e.operand, scenario)
        return None if inner is None else ({k: -v for k, v in inner[0].items()}, inner[1])
    if e.op not in ("+", "-"):
        return None
    left, right = _linear(e.left, scenario), _linear(e.right, scenario)
    if left is None or right is None:
        return None
    sign = 1 if e.op == "+" else -1
    coefs = dict(left[0])
    for k, v in right[0].items():
        coefs[k] = coefs.get(k, 0) + sign * v
    bound = None if left[1] is None or right[1] is None else left[1] + right[1]
    return coefs, bound


def _count_caps(conds: list[expr.Expr], scenario: Scenario) -> dict[str, int]:
    """For each count (``turns``, ``visits:<node>``): the value above which no condition tells it apart.

    Every comparison is read as ``sum(a_k * count_k) + rest`` against zero, where ``rest`` (the
    literals and bounded int variables) lies within ``[-b, b]``. If every count in it has a
    coefficient of the same sign, a count at ``b + 1`` or more decides the comparison whatever
    the others are, so its counts can saturate at ``b + 1``. Otherwise (``visits('a') ==
    visits('b')``, ``turns > x`` with ``x`` unbounded) they never saturate. ``visited()`` only
    tells 0 from more, so 1 is every count's least cap.
    """
    caps: dict[str, int] = {}
    for cond in conds:
        for node in _walk(cond):
            if isinstance(node, expr.Call) and node.func in ("visited", "visits"):
                caps.setdefault(_visits_key(node.arg), 1)
            elif isinstance(node, expr.Name) and node.name == expr.TURNS:
                caps.setdefault(TURNS_KEY, 1)
            if not (isinstance(node, expr.Binary) and node.op in _COMPARISONS):
                continue
            left, right = _linear(node.left, scenario), _linear(node.right, scenario)
            if left is None or right is None:
                continue  # comparing true/false values
            coefs = dict(left[0])
            for k, v in right[0].items():
                coefs[k] = coefs.get(k, 0) - v
            keys = [k for k, v in coefs.items() if v]
            if not keys:
                continue
            mixed = len({coefs[k] > 0 for k in keys}) > 1
            if mixed or left[1] is None or right[1] is None:
                cap = UNBOUNDED
            else:
                cap = left[1] + right[1] + 1
            for k in keys:
                caps[k] = max(caps.get(k, 1), cap)
    return caps


class _Layout:
    """What the search tracks, and where it sits in each node's state tuple.

    A state at node ``n`` is ``(n, once bits, chosen bits, evidence_1 .. evidence_R, slots...)``
    where the slots are the variables, visit counts and turn count still *live* at ``n``: read by
    a condition at ``n`` or at a node reachable from it (conditions ignored). Whatever is not live
    cannot change what happens next, so it is left out and states differing only there merge;
    the state tuple also stays short however large the scenario is. ``once`` bits are kept while
    their option's node is reachable, ``chosen`` bits while a condition ahead reads them.
    """

    def __init__(self, scenario: Scenario, rubric: Rubric | None, say: bool) -> None:
        self.scenario = scenario
        self.say = say
        nodes = list(scenario.nodes.values())
        self.node_index = {n.id: i for i, n in enumerate(nodes)}
        conds = [c for n in nodes for c in _node_conditions(n, say)]
        self.caps = _count_caps(conds, scenario)
        self.chosen_bit: dict[str, int] = {}
        for cond in conds:
            for call in expr.calls(cond):
                if call.func == "chosen":
                    self.chosen_bit.setdefault(call.arg, 1 << len(self.chosen_bit))
        once = [o.id for n in nodes for o in n.options if o.once]
        self.once_bit = {o: 1 << i for i, o in enumerate(once)}
        self.rules: list[tuple[str, SessionRule]] = []
        self.rule_objs: list[_Rule | _Critical] = []
        if rubric is not None:
            for c in rubric.session_criteria:
                if c.rule is not None and coverable(c.rule, scenario):
                    self.rules.append((c.code, c.rule))
                    self.rule_objs.append(_Rule.of(c.code, c.rule, c.tutor_confirms))
            shown = {b for n in nodes for o in n.options if not o.fallback for b in o.shows}
            for behaviour in rubric.critical:
                if behaviour in shown:  # only errors some learner line can make are tracked
                    self.rule_objs.append(_Critical(f"critical:{behaviour}", behaviour))
        self.fixed = 3 + len(self.rule_objs)
        # every slot some condition reads, with its starting value
        self.defaults: dict[str, Any] = {}
        local = [0] * len(nodes)
        local_chosen = [0] * len(nodes)
        slot_bit: dict[str, int] = {}
        for i, node in enumerate(nodes):
            for cond in _node_conditions(node, say):
                for key in _reads(cond):
                    if key.startswith("chosen:"):
                        local_chosen[i] |= self.chosen_bit[key[7:]]
                        continue
                    if key not in slot_bit:
                        slot_bit[key] = len(slot_bit)
                        var = scenario.variables.get(key[4:]) if key.startswith("var:") else None
                        self.defaults[key] = var.default if var is not None else 0
                    local[i] |= 1 << slot_bit[key]
        self.slots = list(slot_bit)
        local_once = [0] * len(nodes)
        local_change = [0] * len(nodes)  # criteria a learner line here can change / undo
        local_undo = [0] * len(nodes)
        for i, node in enumerate(nodes):
            for option in node.options:
                local_once[i] |= self.once_bit.get(option.id, 0)
                if option.fallback:
                    continue  # never evidence
                for r, rule in enumerate(self.rule_objs):
                    changes, undoes = _line_effect(rule, option, node, scenario)
                    local_change[i] |= changes << r
                    local_undo[i] |= undoes << r
        succ = [sorted({self.node_index[m] for m in n.successors() if m in self.node_index})
                for n in nodes]  # fmt: skip
        live, live_once, live_chosen = list(local), list(local_once), list(local_chosen)
        change, undo = list(local_change), list(local_undo)
        below = [1 << i for i in range(len(nodes))]  # bit m of below[n]: n reaches m
        for component in _components(succ):  # sinks first
            slots = once_bits = chosen_bits = reached = changing = undoing = 0
            for v in component:
                slots |= local[v]
                once_bits |= local_once[v]
                chosen_bits |= local_chosen[v]
                reached |= below[v]
                changing |= local_change[v]
                undoing |= local_undo[v]
                for w in succ[v]:
                    slots |= live[w]
                    once_bits |= live_once[w]
                    chosen_bits |= live_chosen[w]
                    reached |= below[w]
                    changing |= change[w]
                    undoing |= undo[w]
            for v in component:
                live[v], live_once[v], live_chosen[v] = slots, once_bits, chosen_bits
                below[v], change[v], undo[v] = reached, changing, undoing
        # criteria evidence a line ahead can still change, and undo (the start: all of them)
        self.change = [*change, (1 << len(self.rule_objs)) - 1]
        self.undo = undo
        self.keep_once, self.keep_chosen = live_once, live_chosen
        # A slot is only kept where it may differ from its starting value: after the node it
        # counts visits to, after an option that changes the variable, after any option (turns).
        changed = dict.fromkeys(self.slots, 0)
        for i, node in enumerate(nodes):
            if _visits_key(node.id) in changed:
                changed[_visits_key(node.id)] |= below[i]
            for option in node.options:
                if TURNS_KEY in changed:
                    changed[TURNS_KEY] |= below[i]
                for eff in option.effects:
                    if f"var:{eff.variable}" in changed:
                        changed[f"var:{eff.variable}"] |= below[i]
        # positions: one map per node, plus one (last) for the start, where everything is
        self.positions: list[dict[str, int]] = []
        for i, mask in enumerate(live):
            kept = [k for k in self.slots if mask >> slot_bit[k] & 1 and changed[k] >> i & 1]
            self.positions.append({k: self.fixed + j for j, k in enumerate(kept)})
        self.positions.append({k: self.fixed + j for j, k in enumerate(self.slots)})
        self.before_start = len(nodes)

    def start(self) -> State:
        """The state before the start node is entered (in the all-slots layout)."""
        return (-1, 0, 0, *[0] * len(self.rule_objs), *[self.defaults[k] for k in self.slots])

    def picker(self, src: int, dst: int) -> Callable[[State], tuple[Any, ...]]:
        """Evidence and the slots kept at ``dst``, taken from a state laid out for ``src``.

        A slot ``dst`` keeps but ``src`` does not still has its starting value: it is appended to
        the source state before picking.
        """
        have = self.positions[src]
        width = self.fixed + len(have)
        extra = [k for k in self.positions[dst] if k not in have]
        at = {**have, **{k: width + j for j, k in enumerate(extra)}}
        wanted = [*range(3, self.fixed), *(at[k] for k in self.positions[dst])]
        if not wanted:
            return lambda st: ()
        if len(wanted) == 1:
            only = wanted[0]
            getter: Callable[[State], Any] = lambda st: (st[only],)  # noqa: E731
        else:
            getter = itemgetter(*wanted)
        if extra:
            constants = tuple(self.defaults[k] for k in extra)
            plain = getter
            getter = lambda st: plain(st + constants)  # noqa: E731
        settling = [
            (r, rule)
            for r, rule in enumerate(self.rule_objs)
            if self.change[src] >> r & 1 and not self.change[dst] >> r & 1
        ]
        if not settling:
            return getter
        picked = getter

        def settle(st: State) -> tuple[Any, ...]:
            out = list(picked(st))
            for r, rule in settling:
                out[r] = rule.settle(out[r])
            return tuple(out)

        return settle


def _reads(cond: expr.Expr) -> Iterator[str]:
    """The slot keys a condition reads: ``var:x``, ``visits:node``, ``turns``, ``chosen:option``."""
    for leaf in _walk(cond):
        if isinstance(leaf, expr.Name):
            yield TURNS_KEY if leaf.name == expr.TURNS else f"var:{leaf.name}"
        elif isinstance(leaf, expr.Call):
            yield f"chosen:{leaf.arg}" if leaf.func == "chosen" else _visits_key(leaf.arg)


# -- compiling conditions ---------------------------------------------------------------------


def _position(e: expr.Expr, pos: dict[str, int]) -> int | None:
    """The state position an int-valued leaf reads directly, if it is one (and is kept)."""
    if isinstance(e, expr.Name):
        return pos.get(TURNS_KEY if e.name == expr.TURNS else f"var:{e.name}")
    if isinstance(e, expr.Call) and e.func == "visits":
        return pos.get(_visits_key(e.arg))
    return None


def _compare(op: str, p: int, k: Any) -> Getter:
    """``st[p] <op> k`` as one closure (the common shape ``mood >= 2``)."""
    if op == "==":
        return lambda st: st[p] == k
    if op == "!=":
        return lambda st: st[p] != k
    if op == "<":
        return lambda st: st[p] < k
    if op == "<=":
        return lambda st: st[p] <= k
    if op == ">":
        return lambda st: st[p] > k
    return lambda st: st[p] >= k


def compile_condition(
    e: expr.Expr, pos: dict[str, int], chosen_bit: dict[str, int], defaults: dict[str, Any]
) -> Getter:
    """Turn a checked expression into a function of a state laid out by ``pos``.

    A slot the layout leaves out still has its starting value (in ``defaults``) there.
    """
    if isinstance(e, expr.Literal):
        value = e.value
        return lambda st: value
    if isinstance(e, expr.Call) and e.func == "chosen":
        bit = chosen_bit[e.arg]
        return lambda st: st[2] & bit != 0
    if isinstance(e, expr.Name | expr.Call):
        if isinstance(e, expr.Call):
            key, visited = _visits_key(e.arg), e.func == "visited"
        else:
            key, visited = TURNS_KEY if e.name == expr.TURNS else f"var:{e.name}", False
        p = pos.get(key)
        if p is None:
            constant = defaults[key] > 0 if visited else defaults[key]
            return lambda st: constant
        if visited:
            return lambda st: st[p] > 0
        return lambda st: st[p]
    if isinstance(e, expr.Unary):
        inner = compile_condition(e.operand, pos, chosen_bit, defaults)
        if e.op == "not":
            return lambda st: not inner(st)
        return lambda st: -inner(st)
    op = e.op
    if op in _COMPARISONS:
        for leaf, other, o in ((e.left, e.right, op), (e.right, e.left, _FLIPPED[op])):
            at = _position(leaf, pos)
            if at is not None and isinstance(other, expr.Literal):
                return _compare(o, at, other.value)
    left = compile_condition(e.left, pos, chosen_bit, defaults)
    right = compile_condition(e.right, pos, chosen_bit, defaults)
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
    return ops[op]


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
    """False if a limit stopped the search."""
    stopped_by: str | None = None
    """Which limit stopped it (``states``, ``time`` or ``memory``), or None when complete."""
    limit: str = ""
    """That limit as a reader would say it ("2,000,000 states", "30 s", "1,000 MB")."""
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
    condition_values: dict[YamlPath, frozenset[bool]] = field(default_factory=dict)
    """With ``conditions=True``: where each condition (option or say-variant ``if``) is written
    -> the values it took in the states where its node was entered. Conditions at nodes no route
    enters are absent."""

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
            "stopped_by": self.stopped_by,
            "limit": self.limit or None,
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
            "grades": {g: list(self.grades[g]) for g in self.grade_order if g in self.grades},
        }


# -- evidence ---------------------------------------------------------------------------------
# A criterion's evidence is one int: bit 0 ruled out, then one bit per `after` behaviour seen on
# a line so far, then the count of qualifying lines (up to the rule's `min`), then one bit per
# behaviour of the rule seen on a qualifying line (kept only when `all` or `distinct` needs it).
# A ruled-out criterion can never be achieved again, so its evidence is just bit 0. A critical
# error's slot is 1 while an error of it is open (made and not corrected), else 0.

_RULED_OUT, _AFTER_SHIFT = 1, 1


@dataclass(frozen=True)
class _Rule:
    code: str
    rule: SessionRule
    after_bits: dict[str, int]
    after_mask: int
    count_shift: int
    count_mask: int
    seen_shift: int
    bits: dict[str, int]
    all_mask: int
    final: int
    """Evidence standing for "achieved, and nothing can undo it": every line after it leaves it
    as it is."""
    tutor_confirms: bool = False
    """Achieved evidence goes to the tutor: it never counts towards a session grade."""

    @classmethod
    def of(cls, code: str, rule: SessionRule, tutor_confirms: bool = False) -> _Rule:
        after_bits = {b: 1 << (_AFTER_SHIFT + i) for i, b in enumerate(rule.after)}
        after_mask = sum(after_bits.values())
        count_shift = _AFTER_SHIFT + len(rule.after)
        width = rule.min.bit_length()
        bits = {b: 1 << i for i, b in enumerate(rule.behaviours)}
        all_mask = 0
        for b in rule.all:
            all_mask |= bits[b]
        seen_shift = count_shift + width
        final = after_mask | rule.min << count_shift | ((1 << len(bits)) - 1) << seen_shift
        return cls(
            code, rule, after_bits, after_mask, count_shift, (1 << width) - 1, seen_shift, bits,
            all_mask, final, tutor_confirms,
        )  # fmt: skip

    def settle(self, ev: int) -> int:
        """Evidence no line can change any more: only whether it is achieved still matters."""
        return self.final if self.achieved(ev) else 0

    def achieved(self, ev: int, outcome: str | None = None) -> bool:
        """As `scoring.session.judge_rule` would judge a session with this evidence.

        Without ``outcome`` the rule's `outcomes` are not checked (the evidence alone).
        """
        if ev & _RULED_OUT:
            return False
        count = (ev >> self.count_shift) & self.count_mask
        if count == 0 or count < self.rule.min:
            return False
        seen = ev >> self.seen_shift
        if seen & self.all_mask != self.all_mask:
            return False
        if self.rule.distinct and seen.bit_count() < self.rule.distinct:
            return False
        return outcome is None or not self.rule.outcomes or outcome in self.rule.outcomes


@dataclass(frozen=True)
class _Critical:
    code: str
    behaviour: str

    def settle(self, ev: int) -> int:
        """Whether an error is open still matters when nothing ahead can change it."""
        return ev

    def achieved(self, ev: int, outcome: str | None = None) -> bool:
        """True when no error of this behaviour is open."""
        return ev == 0


def _variants(option: Option) -> list[tuple[expr.Expr | None, tuple[str, ...]]]:
    """What the line can show: (condition, behaviours) per ``shows`` variant, or the plain list."""
    if not option.shows_variants:
        return [(None, option.shows)]
    return [(v.condition.expr if v.condition else None, v.shows) for v in option.shows_variants]


def _line_effect(
    r: _Rule | _Critical, option: Option, node: Node, scenario: Scenario
) -> tuple[bool, bool]:
    """Whether a learner line can change a criterion's evidence, and whether it can undo it."""
    if isinstance(r, _Critical):
        touches = r.behaviour in option.shows or r.behaviour in option.corrects
        return touches, touches
    changes = undoes = False
    for _, shows in _variants(option):
        c, u = _shows_effect(r, option, shows, node, scenario)
        changes, undoes = changes or c, undoes or u
    return changes, undoes


def _shows_effect(
    r: _Rule, option: Option, shows: tuple[str, ...], node: Node, scenario: Scenario
) -> tuple[bool, bool]:
    rule = r.rule
    shown = set(shows)
    counts = set() if option.quality == "poor" else shown
    undoes = bool(shown & (set(rule.ruled_out_by) | set(rule.blocked_by)))
    changes = (
        undoes
        or bool(counts & set(rule.after))
        or (
            bool(counts & set(rule.behaviours))
            and addressee_matches(option.addressee(node.speaker), rule.to, scenario)
        )
    )
    return changes, undoes


def _line_advance(
    r: _Rule | _Critical,
    option: Option,
    shows: tuple[str, ...],
    node: Node,
    scenario: Scenario,
    final: bool,
) -> Callable[[int], int] | None:
    """What one learner line (showing ``shows``) does to a criterion's evidence; None: nothing.

    With ``final`` (no line from here on can undo the criterion), achieved evidence settles.
    """
    if isinstance(r, _Critical):
        if r.behaviour in shows:
            return lambda ev: 1
        if r.behaviour in option.corrects:
            return lambda ev: 0
        return None
    if not _shows_effect(r, option, shows, node, scenario)[0]:
        return None
    rule = r.rule
    shown = set(shows)
    counted = set() if option.quality == "poor" else shown
    rules_out = bool(shown & set(rule.ruled_out_by))
    after_bits = 0
    for b in counted & set(rule.after):
        after_bits |= r.after_bits[b]
    after_mask = r.after_mask
    blocks = bool(shown & set(rule.blocked_by))
    hits = counted & set(rule.behaviours)
    counts = bool(hits) and addressee_matches(option.addressee(node.speaker), rule.to, scenario)
    step = 1 << r.count_shift
    limit = rule.min << r.count_shift
    count_bits = r.count_mask << r.count_shift
    seen_bits = 0
    if rule.all or rule.distinct:
        for b in hits:
            seen_bits |= r.bits[b]
    seen_bits <<= r.seen_shift
    achieved, settled = r.achieved, r.final

    def advance(ev: int) -> int:
        if rules_out or ev & _RULED_OUT:
            return _RULED_OUT
        if blocks:  # cancels the evidence before it, and this line's own
            return (ev & after_mask) | after_bits
        # `after` behaviours count only on an earlier line: test before adding this line's
        if counts and ev & after_mask == after_mask:
            if ev & count_bits < limit:
                ev += step
            ev |= seen_bits
        ev |= after_bits
        if final and achieved(ev):
            return settled
        return ev

    return advance


# -- the search -------------------------------------------------------------------------------

Picker = Callable[[State], tuple[Any, ...]]


@dataclass
class _Opt:
    """An option, ready for the search (positions in its node's layout)."""

    option: Option
    index: int
    once_bit: int
    chosen_bit: int
    test: Getter | None
    effects: list[tuple[int, bool, Any, int, int]]
    """(position, assign, value, low, high) per effect on a live variable."""
    turns: int
    """Position of the turn count, or -1 if no condition ahead reads it."""
    next: int
    pick: Picker
    """What the next node keeps of the state."""
    evidence: list[tuple[int, Callable[[int], int]]]
    """(position, advance) per criterion the line changes (a line with one ``shows``)."""
    plain: bool
    """True if taking it changes nothing the search tracks."""
    variants: list[tuple[Getter | None, list[tuple[int, Callable[[int], int]]]]] = field(
        default_factory=list
    )
    """For ``shows`` variants: (test, evidence) each, tested in the state before the line."""


@dataclass
class _NodeInfo:
    node: Node
    is_end: bool
    next: int
    pick_next: Picker | None
    choices: list[_Opt]
    """Options offered (not fallbacks)."""
    fallbacks: list[_Opt]
    """Fallback options: the engine takes the first whose condition holds."""
    visit_pos: int
    visit_cap: int
    keep_once: int
    keep_chosen: int
    say: list[tuple[YamlPath | None, Getter | None]] = field(default_factory=list)
    """Say-variants (condition, test); the last has none."""
    conditions: list[YamlPath] = field(default_factory=list)
    """Where every condition here is written."""
    watch: bool = False
    """True while some condition here has not been seen both true and false."""


class _Full(Exception):
    """The state limit is reached."""


class _Explorer:
    def __init__(
        self,
        scenario: Scenario,
        rubric: Rubric | None,
        max_states: int,
        conditions: bool,
        max_seconds: float | None = None,
        max_memory_mb: float | None = None,
        progress: Progress | None = None,
    ) -> None:
        self.s = scenario
        self.rubric = rubric
        self.lay = lay = _Layout(scenario, rubric, say=conditions)
        self.max_states = max_states
        self.max_seconds = max_seconds
        self.max_memory_mb = max_memory_mb
        self.progress = progress
        self.conditions = conditions
        self.values: dict[YamlPath, set[bool]] = {}
        # per node, a state's packed values: its number (a dict per node rather than one for all:
        # a dict has room for up to three times its entries just after it grows, and many small
        # ones are on average fuller than one large one)
        self.index: list[dict[bytes, int]] = [{} for _ in self.s.nodes]
        self.node_ids = list(scenario.nodes)
        self.rules = lay.rule_objs
        self.options: list[Option] = []
        self.used: set[int] = set()
        self.info: list[_NodeInfo] = []
        self.turns_cap = turns_cap = lay.caps.get(TURNS_KEY, 1)
        for i, node in enumerate(scenario.nodes.values()):
            pos = lay.positions[i]
            choices: list[_Opt] = []
            fallbacks: list[_Opt] = []
            for option in node.options:
                opt = self._opt(option, node, i, pos, turns_cap)
                (fallbacks if option.fallback else choices).append(opt)
            nxt = lay.node_index.get(node.next, -1) if node.next else -1
            info = _NodeInfo(
                node, node.is_end, nxt, lay.picker(i, nxt) if nxt >= 0 else None, choices,
                fallbacks, pos.get(_visits_key(node.id), -1),
                lay.caps.get(_visits_key(node.id), 1), lay.keep_once[i], lay.keep_chosen[i],
            )  # fmt: skip
            if conditions:
                info.say = [
                    (None, None) if v.condition is None else (
                        v.condition.where,
                        compile_condition(v.condition.expr, pos, lay.chosen_bit, lay.defaults),
                    )
                    for v in node.say
                ]  # fmt: skip
                info.conditions = [w for w, _ in info.say if w is not None] + [
                    o.condition.where for o in node.options if o.condition is not None
                ]
                info.watch = bool(info.conditions)
            self.info.append(info)

    def _opt(
        self, option: Option, node: Node, at: int, pos: dict[str, int], turns_cap: int
    ) -> _Opt:
        lay = self.lay
        effects = []
        for eff in option.effects:
            p = pos.get(f"var:{eff.variable}")
            if p is None:
                continue  # nothing ahead reads it
            var = self.s.variables[eff.variable]
            assign = eff.assign or var.type == "bool"
            lo = var.min if var.min is not None else -UNBOUNDED
            hi = var.max if var.max is not None else UNBOUNDED
            effects.append((p, assign, eff.value, lo, hi))

        def evidence_of(shows: tuple[str, ...]) -> list[tuple[int, Callable[[int], int]]]:
            out = []
            for r, rule in enumerate(self.rules):
                final = not lay.undo[at] >> r & 1
                advance = _line_advance(rule, option, shows, node, self.s, final)
                if advance is not None:
                    out.append((3 + r, advance))
            return out

        evidence = []
        variants: list[tuple[Getter | None, list[tuple[int, Callable[[int], int]]]]] = []
        if option.shows_variants and self.rules and not option.fallback:
            for cond, shows in _variants(option):
                test = (
                    compile_condition(cond, pos, lay.chosen_bit, lay.defaults)
                    if cond is not None
                    else None
                )
                variants.append((test, evidence_of(shows)))
        elif self.rules:
            evidence = evidence_of(option.shows)
        nxt = lay.node_index.get(option.next, -1) if option.next else -1
        once_bit = lay.once_bit.get(option.id, 0)
        chosen_bit = lay.chosen_bit.get(option.id, 0)
        turns = pos.get(TURNS_KEY, -1)
        opt = _Opt(
            option, len(self.options), once_bit, chosen_bit,
            compile_condition(option.condition.expr, pos, lay.chosen_bit, lay.defaults)
            if option.condition else None,
            effects, turns, nxt, lay.picker(at, nxt) if nxt >= 0 else lay.picker(at, at),
            evidence,
            not (effects or once_bit or chosen_bit or turns >= 0 or evidence or variants),
            variants,
        )  # fmt: skip
        self.options.append(option)
        return opt

    # stepping ---------------------------------------------------------------------------------
    def take(self, opt: _Opt, state: State, auto: bool) -> State:
        """Apply an option: effects, once/chosen marks, turns, evidence (learner lines only)."""
        if opt.plain:
            return state
        evidence = opt.evidence
        if opt.variants and not auto:  # what the line shows is decided before its effects
            evidence = next((ev for test, ev in opt.variants if test is None or test(state)), [])
        st = list(state)
        for p, assign, value, lo, hi in opt.effects:
            if assign:
                st[p] = value
            else:
                new = st[p] + value
                st[p] = lo if new < lo else hi if new > hi else new
        st[1] |= opt.once_bit
        st[2] |= opt.chosen_bit
        if opt.turns >= 0 and st[opt.turns] < self.turns_cap:
            st[opt.turns] += 1
        if not auto:
            for p, advance in evidence:
                st[p] = advance(st[p])
        return tuple(st)

    def _holds(self, o: _Opt, state: State) -> bool:
        return not (o.once_bit & state[1]) and (o.test is None or bool(o.test(state)))

    def _watch(self, info: _NodeInfo, state: State) -> None:
        """Record the conditions the engine evaluates on entering a node, as it evaluates them.

        Say-variants are tried in order until one holds; every option not used up is tested;
        fallbacks only when no other option is available, in order until one holds.
        """
        values = self.values
        tested: list[tuple[YamlPath, bool]] = []
        for where, test in info.say:
            if where is None or test is None:
                break
            value = bool(test(state))
            tested.append((where, value))
            if value:
                break
        once = state[1]
        offered = False
        for o in info.choices:
            if o.once_bit & once:
                continue
            value = True if o.test is None else bool(o.test(state))
            if o.test is not None and o.option.condition is not None:
                tested.append((o.option.condition.where, value))
            offered = offered or value
        if not offered:
            for o in info.fallbacks:
                if o.once_bit & once:
                    continue
                value = True if o.test is None else bool(o.test(state))
                if o.test is not None and o.option.condition is not None:
                    tested.append((o.option.condition.where, value))
                if value:
                    break
        for where, value in tested:
            values.setdefault(where, set()).add(value)
        info.watch = any(len(values.get(w, ())) < 2 for w in info.conditions)

    def enter(
        self, node: int, state: State, pick: Picker, intern: Callable[[State, int, bytes], int]
    ) -> int:
        """Follow the engine from entering ``node`` to the next decision; return the state's id."""
        for _ in range(MAX_AUTO_STEPS):
            info = self.info[node]
            state = (node, state[1] & info.keep_once, state[2] & info.keep_chosen, *pick(state))
            vp = info.visit_pos
            if vp >= 0 and state[vp] < info.visit_cap:
                state = (*state[:vp], state[vp] + 1, *state[vp + 1 :])
            if info.watch:
                self._watch(info, state)
            if info.is_end:
                return intern(state, _END, marshal.dumps(state, PACKED))
            if info.pick_next is not None:
                node, pick = info.next, info.pick_next
                continue
            key = marshal.dumps(state, PACKED)
            known = self.index[node].get(key)  # a decision or stuck state seen before
            if known is not None:
                return known
            once = state[1]
            if any(
                not (o.once_bit & once) and (o.test is None or o.test(state)) for o in info.choices
            ):
                return intern(state, _DECIDE, key)
            fb = next((o for o in info.fallbacks if self._holds(o, state)), None)
            if fb is None or fb.next < 0:
                return intern(state, _STUCK, key)
            self.used.add(fb.index)
            state = self.take(fb, state, auto=True)
            node, pick = fb.next, fb.pick
        # a runaway loop of automatic steps: the engine gives up
        return intern(state, _STUCK, marshal.dumps(state, PACKED))

    # search ---------------------------------------------------------------------------------
    def run(self) -> Exploration:
        began = time.perf_counter()
        result = Exploration(self.s.id, self.rubric.id if self.rubric else None)
        index = self.index
        states: list[State] = []
        kinds = bytearray()
        code = _ids_code(
            self.max_states, 1 + max((len(n.options) for n in self.s.nodes.values()), default=0)
        )
        parent = array(code)
        parent_option = array(code)
        first_edge = array(code)  # edges of state i: edge_dst[first_edge[i]:first_edge[i + 1]]
        edge_dst = array(code)
        origin = [-1, -1]

        nodes = array(code)  # the node of each state
        ends: dict[int, State] = {}  # the ending states, whole

        def intern(state: State, kind: int, key: bytes) -> int:
            # a state is kept whole only until it is expanded; the index keeps its key, its
            # values packed (`PACKED`), which is under half a tuple's memory
            shard = index[state[0]]
            found = shard.get(key)
            if found is not None:
                return found
            i = len(states)
            if i >= limit:
                raise _Full
            shard[key] = i
            states.append(state)
            nodes.append(state[0])
            kinds.append(kind)
            if kind == _END:
                ends[i] = state
            parent.append(origin[0])
            parent_option.append(origin[1])
            return i

        limit = max(1, self.max_states)
        lay = self.lay
        start = lay.node_index.get(self.s.start)
        if start is None:
            raise ValueError(f"scenario '{self.s.id}' has no start node '{self.s.start}'")
        self.enter(start, lay.start(), lay.picker(lay.before_start, start), intern)
        used = self.used
        take, enter = self.take, self.enter
        i = 0
        expanded = 0
        watch = (self.max_seconds, self.max_memory_mb, self.progress) != (None, None, None)
        try:
            while i < len(states):
                if watch and i % CHECK_EVERY == 0 and i:
                    stop = self._limit_reached(began, len(states), i)
                    if stop is not None:
                        result.complete = False
                        result.stopped_by, result.limit = stop
                        break
                first_edge.append(len(edge_dst))
                state = states[i]
                states[i] = ()  # expanded: from here on only its key in the index is needed
                if kinds[i] == _DECIDE:
                    info = self.info[state[0]]
                    once = state[1]
                    origin[0] = i
                    for o in info.choices:
                        if o.once_bit & once or (o.test is not None and not o.test(state)):
                            continue
                        used.add(o.index)
                        origin[1] = o.index
                        after = take(o, state, False)
                        if o.next >= 0:
                            j = enter(o.next, after, o.pick, intern)
                        else:
                            j = intern(after, _STUCK, marshal.dumps(after, PACKED))
                        edge_dst.append(j)
                i += 1
                expanded = i
        except _Full:
            result.complete = False
            result.stopped_by, result.limit = "states", f"{limit:,} states"
            del first_edge[i + 1 :]
        while len(first_edge) < len(states) + 1:
            first_edge.append(len(edge_dst))
        result.states = len(states)
        result.transitions = len(edge_dst)

        def route(i: int) -> tuple[str, ...]:
            out = []
            while parent[i] >= 0:
                out.append(self.options[parent_option[i]].id)
                i = parent[i]
            return tuple(reversed(out))

        # the summary needs each state's node and the ending states whole; the index goes
        # first, so the summary's work reuses its memory
        for shard in self.index:
            shard.clear()
        states.clear()
        self.summarise(result, nodes, ends, kinds, first_edge, edge_dst, expanded, route)
        if self.conditions:
            result.condition_values = {w: frozenset(v) for w, v in self.values.items()}
        result.seconds = time.perf_counter() - began
        return result

    def _limit_reached(self, began: float, found: int, expanded: int) -> tuple[str, str] | None:
        """Report progress; return (limit, as said) if the time or memory limit is reached."""
        seconds = time.perf_counter() - began
        if self.progress is not None:
            self.progress(found, expanded, seconds)
        if self.max_seconds is not None and seconds > self.max_seconds:
            return "time", f"{self.max_seconds:g} s"
        if self.max_memory_mb is not None:
            used = memory_mb()
            if used is not None and used > self.max_memory_mb:
                return "memory", f"{self.max_memory_mb:,.0f} MB"
        return None

    def summarise(
        self,
        result: Exploration,
        nodes: array[int],
        end_states: dict[int, State],
        kinds: bytearray,
        first_edge: array[int],
        edge_dst: array[int],
        expanded: int,
        route: Callable[[int], tuple[str, ...]],
    ) -> None:
        n = len(nodes)
        pred_first, pred_src = _reverse(n, first_edge, edge_dst)
        ways, looped = _count_paths(n, first_edge, edge_dst, pred_first)
        ends = sorted(end_states)
        by_node: dict[int, list[int]] = {}
        for i in ends:
            by_node.setdefault(nodes[i], []).append(i)
        for index, node in enumerate(self.s.nodes.values()):
            if not node.is_end:
                continue
            targets = by_node.get(index, [])
            if not targets:
                result.endings.append(EndingReport(node.id, node.end or "", 0, None))
                continue
            count = None if any(looped[t] for t in targets) else sum(ways[t] for t in targets)
            result.endings.append(EndingReport(node.id, node.end or "", count, route(targets[0])))
        result.never_chosen = [o.id for i, o in enumerate(self.options) if i not in self.used]
        # dead states: stuck, or no ending reachable; states never expanded (the search stopped
        # first) might lead anywhere, so they count as able to end
        able = bytearray(n)
        for i in range(n):
            if kinds[i] == _END or i >= expanded:
                able[i] = 1
        _backward(able, pred_first, pred_src)
        seen: set[tuple[int, str]] = set()
        for i in range(n):  # ascending i = breadth-first order = shortest routes first
            kind = "stuck" if kinds[i] == _STUCK else "trap" if not able[i] else ""
            if not kind or (nodes[i], kind) in seen:
                continue
            seen.add((nodes[i], kind))
            result.dead.append(DeadState(self.node_ids[nodes[i]], kind, route(i)))
        if self.rubric is None:
            return
        rubric = self.rubric
        order = ["not_yet", *[b.id for b in rubric.bands]] if rubric.grading == "banded" else [
            "not_yet", "competent" if rubric.grading == "competence" else "pass"
        ]  # fmt: skip
        result.grade_order = order
        result.labels = {g: grade_label(rubric, g) for g in order}
        session = rubric.session_criteria
        tracked = [r.code for r in self.rules if isinstance(r, _Rule)]
        result.not_covered = [c.code for c in session if c.code not in tracked]
        result.criteria = {c.code: None for c in session}
        last = 3 + len(self.rules)
        judged: dict[tuple[State, str], tuple[set[str], str]] = {}
        outcome_of = [n.end or "" for n in self.s.nodes.values()]
        for i in ends:  # ascending i = breadth-first order = shortest routes first
            evidence = end_states[i][3:last]
            outcome = outcome_of[nodes[i]]
            found = judged.get((evidence, outcome))
            if found is None:
                achieved = {
                    r.code
                    for r, ev in zip(self.rules, evidence, strict=True)
                    if isinstance(r, _Rule) and r.achieved(ev, outcome)
                }
                counted = {
                    r.code for r in self.rules if isinstance(r, _Rule) and not r.tutor_confirms
                } & achieved
                open_error = any(
                    isinstance(r, _Critical) and ev
                    for r, ev in zip(self.rules, evidence, strict=True)
                )
                grade = "not_yet" if open_error else grade_for(rubric, session, counted)
                found = judged[(evidence, outcome)] = (achieved, grade)
            achieved, grade = found
            for code in achieved:
                if result.criteria.get(code) is None:
                    result.criteria[code] = route(i)
            if grade not in result.grades:
                result.grades[grade] = route(i)


# -- the state graph --------------------------------------------------------------------------


def _ids_code(states: int, options: int) -> str:
    """The array type code for state and edge numbers: 4 bytes each while they fit (they do for
    any search under the default limits), else 8."""
    return "i" if max(1, states) * max(1, options) < 2**31 - 1 else "q"


def _reverse(n: int, first_edge: array[int], edge_dst: array[int]) -> tuple[array[int], array[int]]:
    """Predecessor lists in the same packed form (counting sort by destination)."""
    code = edge_dst.typecode
    counts = array(code, bytes(edge_dst.itemsize * (n + 1)))
    for d in edge_dst:
        counts[d + 1] += 1
    for i in range(n):
        counts[i + 1] += counts[i]
    pred_first = counts
    fill = array(code, counts)
    pred_src = array(code, bytes(edge_dst.itemsize * len(edge_dst)))
    for src in range(n):
        for e in range(first_edge[src], first_edge[src + 1]):
            d = edge_dst[e]
            pred_src[fill[d]] = src
            fill[d] += 1
    return pred_first, pred_src


def _backward(marked: bytearray, pred_first: array[int], pred_src: array[int]) -> None:
    """Mark every state that can reach a marked one."""
    stack = [i for i in range(len(marked)) if marked[i]]
    while stack:
        v = stack.pop()
        for e in range(pred_first[v], pred_first[v + 1]):
            p = pred_src[e]
            if not marked[p]:
                marked[p] = 1
                stack.append(p)


def _count_paths(
    n: int, first_edge: array[int], edge_dst: array[int], pred_first: array[int]
) -> tuple[list[int], bytearray]:
    """Routes from state 0 to each state, and which states a loop leads to.

    Kahn's algorithm from state 0 takes exactly the states no cycle leads to (a state after a
    cycle never runs out of unprocessed predecessors), and counts the routes to each on the way.
    Every other state has infinitely many routes: they are marked in the second result.
    """
    ways = [0] * n
    looped = bytearray(b"\x01") * n
    if n == 0:
        return ways, looped
    indegree = array(pred_first.typecode, (pred_first[v + 1] - pred_first[v] for v in range(n)))
    ways[0] = 1
    ready = [0] if indegree[0] == 0 else []
    while ready:
        v = ready.pop()
        looped[v] = 0
        wv = ways[v]
        for e in range(first_edge[v], first_edge[v + 1]):
            w = edge_dst[e]
            ways[w] += wv
            indegree[w] -= 1
            if indegree[w] == 0:
                ready.append(w)
    return ways, looped


def _components(succ: list[list[int]]) -> Iterator[list[int]]:
    """Strongly connected components, each after every component it leads to (iterative Tarjan)."""
    n = len(succ)
    index = [-1] * n
    low = [0] * n
    on_stack = bytearray(n)
    stack: list[int] = []
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
                on_stack[v] = 1
            edges = succ[v]
            if pos < len(edges):
                work[-1] = (v, pos + 1)
                w = edges[pos]
                if index[w] == -1:
                    work.append((w, 0))
                elif on_stack[w] and index[w] < low[v]:
                    low[v] = index[w]
                continue
            work.pop()
            if work:
                u = work[-1][0]
                if low[v] < low[u]:
                    low[u] = low[v]
            if low[v] == index[v]:
                component = []
                while True:
                    w = stack.pop()
                    on_stack[w] = 0
                    component.append(w)
                    if w == v:
                        break
                yield component


def explore(
    scenario: Scenario,
    rubric: Rubric | None = None,
    max_states: int = DEFAULT_MAX_STATES,
    conditions: bool = False,
    *,
    max_seconds: float | None = None,
    max_memory_mb: float | None = None,
    progress: Progress | None = None,
) -> Exploration:
    """Search every reachable state of ``scenario`` (tracking ``rubric`` evidence if given).

    With ``conditions``, also record the values every option and say-variant condition takes
    where its node is entered (`Exploration.condition_values`); this adds what say-variant
    conditions read to the state, so there may be more states.

    The search stops, incomplete, at ``max_states`` states, after ``max_seconds`` or once the
    process uses more than ``max_memory_mb`` (looked at every `CHECK_EVERY` states, when
    ``progress`` is told how it is going).
    """
    return _Explorer(
        scenario, rubric, max_states, conditions, max_seconds, max_memory_mb, progress
    ).run()


def memory_mb() -> float | None:
    """The memory this process uses now (resident), in MB; None where it cannot be read."""
    try:
        with open("/proc/self/statm", encoding="ascii") as statm:
            pages = int(statm.read().split()[1])
        return pages * os.sysconf("SC_PAGE_SIZE") / 1024 / 1024
    except (OSError, ValueError, IndexError, AttributeError):
        pass
    try:
        import resource
    except ImportError:  # Windows: no limit on memory
        return None
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss  # the most used so far
    return peak / 1024 / 1024 if sys.platform == "darwin" else peak / 1024
