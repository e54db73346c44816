"""Mindless strategies: routes a learner could take without reading the customer, and their grades.

A grade must not be earned by a rule of thumb. Two such rules are played through the engine and
scored as the rubric scores any session:

* **longest**: at every decision, the reply with the most characters (ties: the first written);
* **courteous**: the reply with the most courtesy markers ("sorry", "please", "thank you",
  "I understand"... see :data:`COURTESY`), ties broken by length, then by the order written;

and, since one lucky choice should not be all that stands between "always the longest" and the
top grade, **one deviation**: the longest reply everywhere except at one decision point, where
each other reply is tried in turn; the best grade of those routes is reported.

A strategy that goes round a loop for ever (the same node, variables and counts again) or past
:data:`MAX_TURNS` choices is stopped and scored as unfinished, which earns no grade.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from simulator.engine import Session
from simulator.model import Option, Rubric, Scenario
from simulator.scoring.session import grade_label, score_session

MAX_TURNS = 200
"""Most choices a strategy makes before it is stopped as never ending."""
COURTESY = re.compile(
    r"\b(sorry|apologi[sz]e[ds]?|apology|apologies|please|thank(?:s| you)?|appreciate[ds]?|"
    r"grateful|of course|happy to|i understand)\b",
    re.IGNORECASE,
)
"""Words and phrases counted as courtesy markers."""

Pick = Callable[[list[Option]], Option]


def courtesy(text: str) -> int:
    """Return how many courtesy markers ``text`` has."""
    return len(COURTESY.findall(text))


def longest(options: list[Option]) -> Option:
    """The reply with the most characters (the first written on a tie)."""
    return max(options, key=lambda o: len(o.say))


def most_courteous(options: list[Option]) -> Option:
    """The reply with the most courtesy markers (then the longest, then the first written)."""
    return max(options, key=lambda o: (courtesy(o.say), len(o.say)))


@dataclass(frozen=True)
class StrategyResult:
    """Where one strategy goes and what it earns."""

    name: str
    """``longest``, ``courteous`` or ``one_deviation``."""
    route: tuple[str, ...]
    """The option ids chosen."""
    grade: str
    """The session grade (``in_progress`` when the route never ended)."""
    label: str
    """How the grade is shown."""
    outcome: str | None
    """The ending's outcome, or None if it never ended."""
    deviation: int | None = None
    """For one deviation: the 1-based choice where it left the longest reply."""

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form."""
        out: dict[str, Any] = {
            "grade": self.grade,
            "label": self.label,
            "outcome": self.outcome,
            "route": list(self.route),
        }
        if self.deviation is not None:
            out["deviation_at"] = self.deviation
        return out


@dataclass(frozen=True)
class Strategies:
    """The three strategy checks for one scenario and rubric."""

    longest: StrategyResult
    """Always the longest reply."""
    courteous: StrategyResult
    """Always the most courteous reply."""
    one_deviation: StrategyResult
    """The best of the routes that leave the longest reply at exactly one point."""
    grade_order: tuple[str, ...] = field(default_factory=tuple)
    """Grade values from worst to best."""

    def earns_band(self, result: StrategyResult) -> bool:
        """True when the strategy earns any grade above Not yet."""
        return result.grade not in ("not_yet", "in_progress")

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form (``roleplay explore --json``, key ``strategies``)."""
        return {
            "longest": self.longest.to_dict(),
            "courteous": self.courteous.to_dict(),
            "one_deviation": self.one_deviation.to_dict(),
        }


def _state(session: Session) -> tuple[Any, ...]:
    return (
        session.node_id,
        tuple(sorted(session.variables.items())),
        tuple(sorted(session.choice_counts.items())),
    )


def _play(scenario: Scenario, prefix: Sequence[str], pick: Pick) -> Session:
    """Make the ``prefix`` choices, then follow ``pick`` until the end, a loop or the cap."""
    session = Session.start(scenario)
    for ref in prefix:
        session.choose(ref)
    seen: set[tuple[Any, ...]] = set()
    while not session.finished and session.turns < MAX_TURNS:
        options = session.available_options()
        if not options:
            break
        state = _state(session)
        if state in seen:
            break  # the strategy goes round this loop for ever
        seen.add(state)
        session.choose(pick(options).id)
    return session


def _result(
    name: str, rubric: Rubric, session: Session, deviation: int | None = None
) -> StrategyResult:
    steps = [(s.node, s.option, s.auto) for s in session.steps]
    outcome = session.outcome if session.ended else None
    scored = score_session(rubric, session.scenario, steps, outcome=outcome)
    grade = scored.grade.value
    return StrategyResult(
        name, tuple(session.chosen_path()), grade, grade_label(rubric, grade), outcome, deviation
    )


def grade_order(rubric: Rubric) -> tuple[str, ...]:
    """Grade values from worst to best (an unfinished route below Not yet)."""
    if rubric.grading == "banded":
        return ("in_progress", "not_yet", *[b.id for b in rubric.bands])
    return ("in_progress", "not_yet", "competent" if rubric.grading == "competence" else "pass")


def check_strategies(scenario: Scenario, rubric: Rubric) -> Strategies:
    """Play the mindless strategies through ``scenario`` and grade them against ``rubric``."""
    order = grade_order(rubric)
    rank = {g: i for i, g in enumerate(order)}
    base = _play(scenario, (), longest)
    longest_result = _result("longest", rubric, base)
    courteous_result = _result("courteous", rubric, _play(scenario, (), most_courteous))
    best: StrategyResult | None = None
    path = base.chosen_path()
    replayed = Session.start(scenario)
    for i, chosen in enumerate(path):
        for option in replayed.available_options():
            if option.id == chosen:
                continue
            route = [*path[:i], option.id]
            tried = _result("one_deviation", rubric, _play(scenario, route, longest), i + 1)
            if best is None or rank[tried.grade] > rank[best.grade]:
                best = tried
        replayed.choose(chosen)
    if best is None:  # no decision point had another reply: the longest route is the only one
        best = StrategyResult(
            "one_deviation", longest_result.route, longest_result.grade, longest_result.label,
            longest_result.outcome,
        )  # fmt: skip
    return Strategies(longest_result, courteous_result, best, order)
