"""References between parts of a scenario: start, next, speakers, behaviours, variables."""

from __future__ import annotations

from collections.abc import Iterator

from simulator.errors import Problem, suggest
from simulator.lint.context import LintContext
from simulator.model import YamlPath
from simulator.spec import NARRATOR


def check_start(ctx: LintContext) -> Iterator[Problem]:
    """E020: ``start`` exists and names a node."""
    s = ctx.scenario
    if ("nodes",) in ctx.doc.broken:
        return  # the nodes could not be read, so there is nothing to check start against
    if "start" not in ctx.doc.data:
        if not ctx.misspelt((), "start"):  # a misspelt 'start' is reported as an unknown key
            yield ctx.problem("E020", (), "the scenario has no 'start': name the first node")
    elif ctx.damaged(("start",)):
        return  # wrong type, already reported
    elif not s.start.strip():
        yield ctx.problem("E020", ("start",), "'start' is empty: name the first node")
    elif s.start not in s.nodes and s.start not in ctx.written_ids("nodes"):
        yield ctx.problem(
            "E020", ("start",), f"start node '{s.start}' does not exist{suggest(s.start, s.nodes)}"
        )


def check_next(ctx: LintContext) -> Iterator[Problem]:
    """E021: every ``next`` names a node."""
    nodes = ctx.scenario.nodes
    if ("nodes",) in ctx.doc.broken:
        return
    written = ctx.written_ids("nodes")  # a node left out for its own errors is not unknown
    for node in nodes.values():
        if node.next is not None and node.next not in written:
            yield ctx.problem(
                "E021", (*node.where, "next"),
                f"node '{node.id}' goes next to '{node.next}', which does not exist"
                f"{suggest(node.next, nodes)}",
            )  # fmt: skip
        for option in node.options:
            if option.next is not None and option.next not in written:
                yield ctx.problem(
                    "E021", (*option.where, "next"),
                    f"option '{option.id}' goes to node '{option.next}', which does not exist"
                    f"{suggest(option.next, nodes)}",
                )  # fmt: skip


def check_speakers(ctx: LintContext) -> Iterator[Problem]:
    """E024: every speaker is a cast member or the narrator."""
    known = [*ctx.scenario.cast, NARRATOR]
    written = ctx.written_ids("cast")  # a cast member left out for its own errors is not unknown
    if ("cast",) in ctx.doc.broken:
        return
    for node in ctx.scenario.nodes.values():
        if node.speaker and node.speaker not in known and node.speaker not in written:
            yield ctx.problem(
                "E024", (*node.where, "speaker"),
                f"speaker '{node.speaker}' is not in cast{suggest(node.speaker, known)}; "
                f"add it under 'cast' or use one of: {', '.join(known)}",
            )  # fmt: skip
    refer_to = ctx.scenario.context.organisation.refer_to
    if refer_to is not None and refer_to not in ctx.scenario.cast and refer_to not in written:
        yield ctx.problem(
            "E024", ("context", "organisation", "authority", "refer_to"),
            f"refer_to '{refer_to}' is not in cast{suggest(refer_to, ctx.scenario.cast)}",
        )  # fmt: skip
    for node in ctx.scenario.nodes.values():
        for option in node.options:
            if (
                option.to is not None
                and option.to not in ctx.scenario.cast
                and option.to not in written
            ):
                yield ctx.problem(
                    "E024", (*option.where, "to"),
                    f"option '{option.id}' is said to '{option.to}', who is not in cast"
                    f"{suggest(option.to, ctx.scenario.cast)}",
                )  # fmt: skip


def check_behaviours(ctx: LintContext) -> Iterator[Problem]:
    """E023: every ``shows`` id is in the behaviour vocabulary."""
    if not ctx.behaviours:
        return
    for node in ctx.scenario.nodes.values():
        for option in node.options:
            named: list[tuple[YamlPath, str]] = []
            if option.shows_variants:
                for variant in option.shows_variants:
                    named += [
                        ((*variant.where, "shows", i), b) for i, b in enumerate(variant.shows)
                    ]
            else:
                named += [((*option.where, "shows", i), b) for i, b in enumerate(option.shows)]
            named += [((*option.where, "corrects", i), b) for i, b in enumerate(option.corrects)]
            for where, behaviour in named:
                if behaviour not in ctx.behaviours:
                    yield ctx.problem(
                        "E023", where,
                        f"unknown behaviour '{behaviour}' in option '{option.id}'"
                        f"{suggest(behaviour, ctx.behaviours)} (see rubrics/behaviours.yaml)",
                    )  # fmt: skip
                elif where[-2] == "corrects" and ctx.behaviours[behaviour].polarity != "negative":
                    yield ctx.problem(
                        "E023", where,
                        f"option '{option.id}' corrects '{behaviour}', which is not a mistake; "
                        "'corrects' names an earlier error the line puts right, such as "
                        "misstate_rights",
                    )  # fmt: skip


def check_effect_variables(ctx: LintContext) -> Iterator[Problem]:
    """E022: every effect changes a declared variable."""
    variables = ctx.scenario.variables
    if ("variables",) in ctx.doc.broken:
        return
    written = ctx.written_ids("variables")  # a declaration with errors is already reported
    for node in ctx.scenario.nodes.values():
        for option in node.options:
            for effect in option.effects:
                if effect.variable not in variables and effect.variable not in written:
                    yield ctx.problem(
                        "E022", effect.where,
                        f"effect on undeclared variable '{effect.variable}'"
                        f"{suggest(effect.variable, variables)}; declare it under 'variables'",
                        at_key=True,
                    )  # fmt: skip


def check_rubric(ctx: LintContext) -> Iterator[Problem]:
    """E026: the scenario's default rubric exists."""
    rubric = ctx.scenario.rubric
    if rubric is not None and ctx.rubrics and rubric not in ctx.rubrics:
        yield ctx.problem(
            "E026", ("rubric",),
            f"rubric '{rubric}' does not exist{suggest(rubric, ctx.rubrics)}; "
            f"bundled rubrics: {', '.join(sorted(ctx.rubrics))}",
        )  # fmt: skip


CHECKS = (
    check_rubric,
    check_start,
    check_next,
    check_speakers,
    check_behaviours,
    check_effect_variables,
)
