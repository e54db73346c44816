"""The path recap: each choice the learner made and, where one existed, a stronger option."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from simulator.engine import Session
from simulator.model import Behaviour, Option, Scenario


@dataclass(frozen=True)
class RecapItem:
    """One choice in the recap."""

    turn: int
    """1-based number of the choice among all steps."""
    node: str
    """Where it was made."""
    chosen: Option
    """What the learner chose."""
    stronger: Option | None
    """A clearly better option that was available then, if there was one."""
    offered: tuple[str, ...]
    """Ids of every option available at that point."""


QUALITY_RANK = {"strong": 3, "fair": 2, "poor": 1}


def strength(option: Option, behaviours: Mapping[str, Behaviour]) -> int:
    """Score an option: by the author's ``quality`` when rated, else by what it shows.

    A rated option scores 100, 200 or 300 (poor, fair, strong), so the author's judgement always
    outranks the count of behaviours; an unrated one scores +1 per good practice and -2 per
    mistake it shows.
    """
    if option.quality is not None:
        return 100 * QUALITY_RANK[option.quality]
    total = 0
    for b in option.shows:
        known = behaviours.get(b)
        if known is not None:
            total += 1 if known.polarity == "positive" else -2
    return total


def recap(
    scenario: Scenario, choices: Sequence[str], behaviours: Mapping[str, Behaviour]
) -> list[RecapItem]:
    """Replay the learner's choices and name, for each, a stronger available option if any.

    An option is stronger when it scores higher (see ``strength``) than the one chosen; of
    several, the highest-scoring is named (the first in the scenario's order on a tie).
    """
    session = Session.start(scenario)
    items = []
    for ref in choices:
        offered = session.available_options()
        turn = len(session.steps) + 1
        node = session.node_id
        session.choose(ref)
        chosen = scenario.options_by_id[session.steps[turn - 1].option]
        best = max(offered, key=lambda o: strength(o, behaviours), default=None)
        better = (
            best
            if best is not None
            and best.id != chosen.id
            and strength(best, behaviours) > strength(chosen, behaviours)
            else None
        )
        items.append(RecapItem(turn, node, chosen, better, tuple(o.id for o in offered)))
    return items
