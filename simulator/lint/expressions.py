"""Conditions and effects: names, types and literal ranges."""

from __future__ import annotations

import re
from collections.abc import Iterator

from simulator import expr
from simulator.errors import Problem
from simulator.lint.context import LintContext
from simulator.model import Condition, Effect

_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")

_KIND_CODES = {
    "undeclared": "E022",
    "unknown-node": "E021",
    "unknown-option": "E025",
    "type": "E031",
}


def conditions(ctx: LintContext) -> Iterator[Condition]:
    """Yield every condition in the scenario (variant and option ``if``s)."""
    for node in ctx.scenario.nodes.values():
        for variant in node.say:
            if variant.condition is not None:
                yield variant.condition
        for option in node.options:
            if option.condition is not None:
                yield option.condition
            for shown in option.shows_variants:
                if shown.condition is not None:
                    yield shown.condition


def _broken_variable(ctx: LintContext, cond: Condition, offset: int) -> bool:
    """True if the name at ``offset`` is a variable whose declaration was already reported."""
    if ("variables",) in ctx.doc.broken:
        return True
    match = _NAME.match(cond.source, offset)
    return match is not None and match.group(0) in ctx.written_ids("variables")


def check_conditions(ctx: LintContext) -> Iterator[Problem]:
    """E021/E022/E025/E031: names exist and types fit in every condition."""
    s = ctx.scenario
    types = {name: v.type for name, v in s.variables.items()}
    # nodes and options left out of the model for their own errors are not unknown here
    nodes = set(s.nodes) | ctx.written_ids("nodes")
    options = set(s.options_by_id) | ctx.written_option_ids()
    for cond in conditions(ctx):
        for issue in expr.check(cond.expr, types, nodes, options, expect="bool"):
            if issue.kind == "undeclared" and _broken_variable(ctx, cond, issue.offset):
                continue
            if issue.kind in ("unknown-node", "unknown-option") and ("nodes",) in ctx.doc.broken:
                continue
            yield ctx.problem(
                _KIND_CODES.get(issue.kind, "E031"), cond.where,
                f"in condition '{cond.source}': {issue.message}", offset=issue.offset,
            )  # fmt: skip


def check_ranges(ctx: LintContext) -> Iterator[Problem]:
    """E032: numbers compared with a variable lie inside its range."""
    variables = ctx.scenario.variables
    for cond in conditions(ctx):
        for name, value, offset in expr.literal_comparisons(cond.expr):
            var = variables.get(name)
            if var is None or var.type != "int":
                continue
            if (var.min is not None and value < var.min) or (
                var.max is not None and value > var.max
            ):
                yield ctx.problem(
                    "E032", cond.where,
                    f"in condition '{cond.source}': {value} is outside the range of '{name}' "
                    f"({var.min}..{var.max})",
                    offset=offset,
                )  # fmt: skip


def check_effects(ctx: LintContext) -> Iterator[Problem]:
    """E031/E032: effects fit their variable's type and range."""
    variables = ctx.scenario.variables
    for node in ctx.scenario.nodes.values():
        for option in node.options:
            for effect in option.effects:
                var = variables.get(effect.variable)
                if var is None:
                    continue  # reported as undeclared
                value_is_bool = isinstance(effect.value, bool)
                if var.type == "bool" and not value_is_bool:
                    yield ctx.problem(
                        "E031", effect.where,
                        f"'{var.name}' is a bool: set it to true or false, not {effect.value}",
                    )  # fmt: skip
                elif var.type == "int" and value_is_bool:
                    what = "a number to set it to" if effect.assign else "a number to add"
                    yield ctx.problem(
                        "E031", effect.where,
                        f"'{var.name}' is an int: give {what}, not {str(effect.value).lower()}",
                    )  # fmt: skip
                elif var.type == "int" and not value_is_bool:
                    yield from _effect_range(ctx, var.name, var.min, var.max, effect)


def _effect_range(
    ctx: LintContext, name: str, lo: int | None, hi: int | None, effect: Effect
) -> Iterator[Problem]:
    value = int(effect.value)
    if effect.assign:
        if (lo is not None and value < lo) or (hi is not None and value > hi):
            yield ctx.problem(
                "E032", effect.where,
                f"set {name} to {value}, which is outside its range ({lo}..{hi})",
            )  # fmt: skip
    elif lo is not None and hi is not None and abs(value) > hi - lo:
        yield ctx.problem(
            "E032", effect.where,
            f"adding {value:+d} to '{name}' always hits the end of its range ({lo}..{hi}); "
            "use set: if that is meant",
        )  # fmt: skip


CHECKS = (check_conditions, check_ranges, check_effects)
