"""References between parts of a scenario: start, next, speakers, behaviours, variables."""

from __future__ import annotations

from collections.abc import Iterator

from simulator.errors import Problem, suggest
from simulator.lint.context import LintContext
from simulator.spec import NARRATOR


def check_start(ctx: LintContext) -> Iterator[Problem]:
    """E020: ``start`` exists and names a node."""
    s = ctx.scenario
    if "start" not in ctx.doc.data:
        yield ctx.problem("E020", (), "the scenario has no 'start': name the first node")
    elif s.start and s.start not in s.nodes:
        yield ctx.problem(
            "E020", ("start",), f"start node '{s.start}' does not exist{suggest(s.start, s.nodes)}"
        )


def check_next(ctx: LintContext) -> Iterator[Problem]:
    """E021: every ``next`` names a node."""
    nodes = ctx.scenario.nodes
    for node in nodes.values():
        if node.next is not None and node.next not in nodes:
            yield ctx.problem(
                "E021", (*node.where, "next"),
                f"node '{node.id}' goes next to '{node.next}', which does not exist"
                f"{suggest(node.next, nodes)}",
            )  # fmt: skip
        for option in node.options:
            if option.next is not None and option.next not in nodes:
                yield ctx.problem(
                    "E021", (*option.where, "next"),
                    f"option '{option.id}' goes to node '{option.next}', which does not exist"
                    f"{suggest(option.next, nodes)}",
                )  # fmt: skip


def check_speakers(ctx: LintContext) -> Iterator[Problem]:
    """E024: every speaker is a cast member or the narrator."""
    known = [*ctx.scenario.cast, NARRATOR]
    for node in ctx.scenario.nodes.values():
        if node.speaker and node.speaker not in known:
            yield ctx.problem(
                "E024", (*node.where, "speaker"),
                f"speaker '{node.speaker}' is not in cast{suggest(node.speaker, known)}; "
                f"add it under 'cast' or use one of: {', '.join(known)}",
            )  # fmt: skip
    refer_to = ctx.scenario.context.organisation.refer_to
    if refer_to is not None and refer_to not in ctx.scenario.cast:
        yield ctx.problem(
            "E024", ("context", "organisation", "authority", "refer_to"),
            f"refer_to '{refer_to}' is not in cast{suggest(refer_to, ctx.scenario.cast)}",
        )  # fmt: skip


def check_behaviours(ctx: LintContext) -> Iterator[Problem]:
    """E023: every ``shows`` id is in the behaviour vocabulary."""
    if not ctx.behaviours:
        return
    for node in ctx.scenario.nodes.values():
        for option in node.options:
            for i, behaviour in enumerate(option.shows):
                if behaviour not in ctx.behaviours:
                    yield ctx.problem(
                        "E023", (*option.where, "shows", i),
                        f"unknown behaviour '{behaviour}' in option '{option.id}'"
                        f"{suggest(behaviour, ctx.behaviours)} (see rubrics/behaviours.yaml)",
                    )  # fmt: skip


def check_effect_variables(ctx: LintContext) -> Iterator[Problem]:
    """E022: every effect changes a declared variable."""
    variables = ctx.scenario.variables
    for node in ctx.scenario.nodes.values():
        for option in node.options:
            for effect in option.effects:
                if effect.variable not in variables:
                    yield ctx.problem(
                        "E022", effect.where,
                        f"effect on undeclared variable '{effect.variable}'"
                        f"{suggest(effect.variable, variables)}; declare it under 'variables'",
                        at_key=True,
                    )  # fmt: skip


CHECKS = (check_start, check_next, check_speakers, check_behaviours, check_effect_variables)
