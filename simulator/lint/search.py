"""Checks that need the whole state space (`roleplay lint --search`), from one `explore` run.

The other checks read the conversation graph with conditions ignored; these follow every route
the conditions allow, as `roleplay explore` does, so they find what only the conditions decide:
a criterion of the scenario's rubric no route achieves (W120), an ending no route reaches
although the graph leads there (W121), and a condition that is always true (W122) or always
false (W123) wherever it is evaluated.

The search runs once per scenario, tracking the scenario's own rubric (when it names a bundled
one) and the values of every condition. It is capped at :data:`MAX_STATES` states: a scenario
whose search does not finish within that is skipped quietly (`roleplay explore` says how far it
got), since a partial search cannot prove anything unreachable. Scenarios with errors are never
searched (`lint_loaded` runs these checks only when the others found no error).
"""

from __future__ import annotations

from collections.abc import Iterator
from functools import lru_cache

from simulator import expr
from simulator.errors import Problem, Severity
from simulator.lint.context import LintContext
from simulator.lint.graph import reachable_from
from simulator.loader import load_rubric_file
from simulator.model import Condition, Node, Rubric
from simulator.resources import bundled_dir

MAX_STATES = 200_000
"""Largest search lint makes; past it the search checks are skipped for that scenario."""


@lru_cache(maxsize=16)
def bundled_rubric(rubric_id: str) -> Rubric | None:
    """Return a bundled rubric by id, or None if there is none or it has errors."""
    path = bundled_dir("rubrics") / f"{rubric_id}.yaml"
    if not path.is_file():
        return None
    loaded = load_rubric_file(path)
    if loaded.rubric is None or any(p.severity is Severity.ERROR for p in loaded.problems):
        return None
    return loaded.rubric


def _conditions(node: Node) -> Iterator[tuple[Condition, str, str, str]]:
    """Every condition at a node: (condition, what it guards, what always true / false means)."""
    for i, variant in enumerate(node.say, 1):
        if variant.condition is not None:
            yield (
                variant.condition, f"say-variant {i} of node '{node.id}'",
                "whenever it is tried, so the variants after it are never said",
                "whenever it is tried, so it is never said",
            )  # fmt: skip
    for option in node.options:
        if option.condition is None:
            continue
        when = "a fallback is needed" if option.fallback else "it could be offered"
        yield (
            option.condition, f"option '{option.id}'",
            f"every time {when} at node '{node.id}', so the 'if' never hides it",
            f"every time {when} at node '{node.id}', so it can never be "
            + ("taken" if option.fallback else "chosen"),
        )  # fmt: skip


def check_search(ctx: LintContext) -> Iterator[Problem]:
    """W120-W123: what the conditions allow, from a search of every reachable state."""
    from simulator.explore import explore  # only searching needs it (lint imports stay light)

    s = ctx.scenario
    if s.start not in s.nodes:
        return
    rubric = bundled_rubric(s.rubric) if s.rubric and s.rubric in ctx.rubrics else None
    result = explore(s, rubric, max_states=MAX_STATES, conditions=True)
    if not result.complete:
        return  # a partial search proves nothing unreachable
    values = result.condition_values
    always_false: set[str] = set()
    for node in s.nodes.values():
        for cond, what, if_true, if_false in _conditions(node):
            seen = values.get(cond.where)
            if seen is None:
                continue  # never tried: no route reaches it
            source = expr.unparse(cond.expr)
            if seen == frozenset({True}):
                yield ctx.problem(
                    "W122", cond.where,
                    f"the condition '{source}' of {what} is true {if_true}; remove the 'if' or "
                    "fix the condition",
                )  # fmt: skip
            elif seen == frozenset({False}):
                if what.startswith("option"):
                    always_false.add(what)
                yield ctx.problem(
                    "W123", cond.where,
                    f"the condition '{source}' of {what} is false {if_false}; fix the condition "
                    "or remove what it guards",
                )  # fmt: skip
    graph = reachable_from(s.nodes, s.start)
    for ending in result.endings:
        if ending.shortest is not None or ending.node not in graph:
            continue  # reached, or never reached even ignoring conditions (W104)
        node = s.nodes[ending.node]
        into = [o for n in s.nodes.values() for o in n.options if o.next == node.id]
        if into and all(f"option '{o.id}'" in always_false for o in into):
            continue  # every way in is a condition already reported as always false
        yield ctx.problem(
            "W121", node.where,
            f"ending '{node.id}' ({node.end}) is never reached: the graph leads here, but no "
            "route through the conditions, 'once' options and fallbacks does (see `roleplay "
            "explore`)",
            at_key=True,
        )  # fmt: skip
    if rubric is None:
        return
    for criterion in rubric.session_criteria:
        if criterion.code in result.not_covered or result.criteria.get(criterion.code):
            continue
        rule = criterion.rule
        parts = [] if rule is None else [
            f"{key} {', '.join(ids)}" for key, ids in (
                ("to", rule.to), ("after", rule.after), ("blocked by", rule.blocked_by),
                ("ruled out by", rule.ruled_out_by), ("ending", rule.outcomes),
            ) if ids
        ]  # fmt: skip
        if rule is not None and rule.min > 1:
            parts.append(f"at least {rule.min} lines")
        if rule is not None and rule.distinct:
            parts.append(f"{rule.distinct} different behaviours")
        demands = f" ({'; '.join(parts)})" if parts else ""
        yield ctx.problem(
            "W120", ("rubric",),
            f"criterion {criterion.code} of rubric '{rubric.id}' can never be achieved here: "
            f"options show what it looks for, but no route meets its rule{demands}",
            at_key=True,
        )  # fmt: skip
    yield from _check_strategies(ctx, rubric)


def _check_strategies(ctx: LintContext, rubric: Rubric) -> Iterator[Problem]:
    """W124: no mindless strategy earns a grade."""
    from simulator.strategies import check_strategies

    found = check_strategies(ctx.scenario, rubric)
    top = found.grade_order[-1]
    for played, what in (
        (found.longest, "always choosing the longest reply"),
        (found.courteous, "always choosing the most courteous reply"),
    ):
        if found.earns_band(played):
            yield ctx.problem(
                "W124", ("rubric",),
                f"{what} earns {played.label} on rubric '{rubric.id}' (route: "
                f"{','.join(played.route)}); make the wrong replies as long and warm as the "
                "right ones",
                at_key=True,
            )  # fmt: skip
    deviated = found.one_deviation
    if deviated.grade == top and found.longest.grade != top:
        yield ctx.problem(
            "W124", ("rubric",),
            f"the longest reply everywhere but choice {deviated.deviation} earns "
            f"{deviated.label} on rubric '{rubric.id}' (route: {','.join(deviated.route)}); "
            "the top band should need more than one departure from the longest replies",
            at_key=True,
        )  # fmt: skip


CHECKS = (check_search,)
