"""The dialogue engine: a pure, deterministic state machine over a scenario.

A ``Session`` starts at the scenario's ``start`` node, offers the options whose conditions hold,
applies a chosen option's effects (ints clamped to their range), follows ``next``-only nodes by
itself, takes a ``fallback`` option when nothing else is available, and stops at an ending.
Sessions are recorded by option id, so saving is the list of choices, and resuming replays it
against the same scenario version. No UI or template code is imported here.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from simulator import expr
from simulator.errors import suggest
from simulator.model import Node, Option, Scenario, Value

LEARNER = "learner"
"""Speaker id of the learner's own lines in a transcript."""
MAX_AUTO_STEPS = 1000
"""Most nodes passed through without a choice before the engine gives up on a runaway loop."""
SAVE_FORMAT = 1


class EngineError(Exception):
    """Base of the engine's errors; the message is meant for the user."""


class OptionUnavailable(EngineError):
    """The option asked for is not available at this point."""

    def __init__(self, ref: str, node: Node, available: list[Option]) -> None:
        self.ref = ref
        self.node = node
        self.available = available
        names = ", ".join(f"{i}. {o.id}" for i, o in enumerate(available, 1)) or "none"
        hint = suggest(ref, [o.id for o in available])
        super().__init__(
            f"option '{ref}' is not available at node '{node.id}'{hint}; available: {names}"
        )


class SessionOver(EngineError):
    """A choice was made after the conversation ended."""


class ResumeError(EngineError):
    """A saved session cannot be resumed against this scenario."""


@dataclass(frozen=True)
class Line:
    """One line of the transcript."""

    speaker: str
    """Cast id, ``narrator`` or ``learner``."""
    text: str
    """What was said."""
    node: str
    """Node where it was said."""
    option: str | None = None
    """For the learner's lines, the option chosen."""
    auto: bool = False
    """True for a fallback option the engine took by itself."""


@dataclass(frozen=True)
class Step:
    """One option taken: what the learner chose and what it changed."""

    node: str
    """Node the option belongs to."""
    option: str
    """Option id."""
    auto: bool
    """True when the engine took a fallback option by itself."""
    turn: int
    """1-based number of this step."""
    variables_before: dict[str, Value]
    """Variables just before the option's effects."""
    variables_after: dict[str, Value]
    """Variables just after them (clamped)."""


@dataclass
class Session:
    """A conversation in progress over one scenario."""

    scenario: Scenario
    """The scenario being played."""
    node_id: str = ""
    """Current node."""
    variables: dict[str, Value] = field(default_factory=dict)
    """Current variable values."""
    visit_counts: dict[str, int] = field(default_factory=dict)
    """How many times each node was entered."""
    choice_counts: dict[str, int] = field(default_factory=dict)
    """How many times each option was chosen."""
    steps: list[Step] = field(default_factory=list)
    """Every option taken, in order."""
    transcript: list[Line] = field(default_factory=list)
    """Everything said, in order."""
    stuck_reason: str | None = None
    """Set when the conversation cannot go on and has not ended."""

    # -- starting ---------------------------------------------------------------------------
    @classmethod
    def start(cls, scenario: Scenario) -> Session:
        """Start a new session at the scenario's start node."""
        session = cls(scenario)
        session.variables = {name: v.default for name, v in scenario.variables.items()}
        session._enter(scenario.start)
        return session

    # -- what the expression language reads --------------------------------------------------
    def value(self, name: str) -> int | bool:
        """Return a variable's value (``turns`` is the number of options taken)."""
        if name == "turns":
            return len(self.steps)
        return self.variables[name]

    def visits(self, node: str) -> int:
        """Return how many times ``node`` has been entered."""
        return self.visit_counts.get(node, 0)

    def chosen(self, option: str) -> int:
        """Return how many times ``option`` has been chosen."""
        return self.choice_counts.get(option, 0)

    # -- state -------------------------------------------------------------------------------
    @property
    def node(self) -> Node:
        """The current node."""
        return self.scenario.nodes[self.node_id]

    @property
    def ended(self) -> bool:
        """True once an ending is reached."""
        return self.node.is_end

    @property
    def outcome(self) -> str | None:
        """The ending's outcome, or None while the conversation goes on."""
        return self.node.end

    @property
    def finished(self) -> bool:
        """True when no further choice is possible (ended or stuck)."""
        return self.ended or self.stuck_reason is not None

    @property
    def turns(self) -> int:
        """Number of options taken so far."""
        return len(self.steps)

    def holds(self, option: Option) -> bool:
        """Return True if the option's condition holds and it is not used up."""
        if option.once and self.chosen(option.id):
            return False
        return option.condition is None or bool(expr.evaluate(option.condition.expr, self))

    def shows(self, option: Option) -> tuple[str, ...]:
        """Return what the option shows if said now: its ``shows`` variant for this state."""
        return option.shows_when(lambda c: bool(expr.evaluate(c.expr, self)))

    def available_options(self) -> list[Option]:
        """Return the options the learner may choose now (fallbacks are never offered)."""
        if self.finished:
            return []
        return [o for o in self.node.options if not o.fallback and self.holds(o)]

    def resolve(self, ref: str) -> Option:
        """Return the available option named by id, or by its 1-based number in the list."""
        available = self.available_options()
        for option in available:
            if option.id == ref:
                return option
        if ref.isascii() and ref.isdigit() and 1 <= int(ref) <= len(available):
            return available[int(ref) - 1]
        raise OptionUnavailable(ref, self.node, available)

    # -- moving ------------------------------------------------------------------------------
    def choose(self, ref: str) -> list[Line]:
        """Take an available option (by id or number); return the lines said as a result."""
        if self.ended:
            raise SessionOver(f"the conversation has ended ({self.outcome}); no more choices")
        if self.stuck_reason is not None:
            raise SessionOver(self.stuck_reason)
        option = self.resolve(ref)
        before = len(self.transcript)
        self._take(option, auto=False)
        if option.next is not None:
            self._enter(option.next)
        return self.transcript[before:]

    def _take(self, option: Option, *, auto: bool) -> None:
        before = dict(self.variables)
        self.apply_effects(option)
        self.choice_counts[option.id] = self.chosen(option.id) + 1
        self.steps.append(
            Step(self.node_id, option.id, auto, len(self.steps) + 1, before, dict(self.variables))
        )
        self.transcript.append(Line(LEARNER, option.say, self.node_id, option.id, auto))

    def apply_effects(self, option: Option) -> None:
        """Apply an option's effects in order: ints add (or set) and are clamped; bools assign."""
        for effect in option.effects:
            var = self.scenario.variables[effect.variable]
            if effect.assign or var.type == "bool":
                new: Value = effect.value
            else:
                new = int(self.variables[effect.variable]) + int(effect.value)
            self.variables[effect.variable] = var.clamp(new)

    def _enter(self, node_id: str) -> None:
        for _ in range(MAX_AUTO_STEPS):
            self.node_id = node_id
            self.visit_counts[node_id] = self.visits(node_id) + 1
            node = self.node
            text = self.line_for(node)
            self.transcript.append(Line(node.speaker, text, node_id))
            if node.is_end:
                return
            if node.next is not None:
                node_id = node.next
                continue
            if self.available_options():
                return
            fallback = next((o for o in node.options if o.fallback and self.holds(o)), None)
            if fallback is None:
                self.stuck_reason = (
                    f"no option is available at node '{node_id}' and it has no fallback"
                )
                return
            self._take(fallback, auto=True)
            if fallback.next is None:
                return
            node_id = fallback.next
        self.stuck_reason = f"more than {MAX_AUTO_STEPS} nodes passed without a choice (a loop?)"

    def line_for(self, node: Node) -> str:
        """Return the text of the first variant of ``node`` whose condition holds now."""
        for variant in node.say:
            if variant.condition is None or expr.evaluate(variant.condition.expr, self):
                return variant.text
        return ""

    # -- undo and resume -----------------------------------------------------------------
    def chosen_path(self) -> list[str]:
        """Return the ids of the options the learner chose (not automatic fallbacks)."""
        return [s.option for s in self.steps if not s.auto]

    def undo(self) -> bool:
        """Take back the learner's last choice (and anything automatic after it).

        Returns False when there is nothing to undo. The session is rebuilt by replaying the
        remaining choices, so variables, visits and evidence are exactly as they were.
        """
        choices = self.chosen_path()
        if not choices:
            return False
        replayed = replay(self.scenario, choices[:-1])
        self.__dict__.update(replayed.__dict__)
        return True

    def to_dict(self) -> dict[str, Any]:
        """Return the session as JSON-ready data (choices by option id, plus a summary)."""
        return {
            "save_format": SAVE_FORMAT,
            "scenario": self.scenario.id,
            "scenario_version": self.scenario.version,
            "choices": self.chosen_path(),
            "node": self.node_id,
            "variables": dict(self.variables),
            "outcome": self.outcome,
        }

    @classmethod
    def from_dict(cls, scenario: Scenario, data: dict[str, Any]) -> Session:
        """Resume a saved session; refuse one saved against another scenario or version."""
        if not isinstance(data, dict) or data.get("save_format") != SAVE_FORMAT:
            raise ResumeError("this is not a saved session this version of the simulator can read")
        if data.get("scenario") != scenario.id:
            raise ResumeError(
                f"the saved session is for scenario '{data.get('scenario')}', not '{scenario.id}'"
            )
        if data.get("scenario_version") != scenario.version:
            raise ResumeError(
                f"the saved session was played on version {data.get('scenario_version')} of "
                f"'{scenario.id}', but the scenario is now version {scenario.version}; it cannot "
                "be resumed safely, so start it again"
            )
        choices = data.get("choices")
        if not isinstance(choices, list) or not all(isinstance(c, str) for c in choices):
            raise ResumeError("the saved session has no readable list of choices")
        try:
            session = replay(scenario, choices)
        except EngineError as exc:
            raise ResumeError(f"the saved choices no longer fit the scenario: {exc}") from exc
        if data.get("node") not in (None, session.node_id):
            raise ResumeError(
                f"replaying the saved choices reaches node '{session.node_id}', but the session "
                f"was saved at '{data.get('node')}'"
            )
        return session


def replay(scenario: Scenario, choices: list[str]) -> Session:
    """Start a session and make each choice in turn (ids or 1-based numbers)."""
    session = Session.start(scenario)
    for ref in choices:
        session.choose(ref)
    return session
