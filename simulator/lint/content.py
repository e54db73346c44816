"""Content: default variants, unused variables and cast, unfinished text."""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterator

from simulator import expr
from simulator.errors import Problem
from simulator.lint.context import LintContext
from simulator.lint.expressions import conditions
from simulator.loader import describe
from simulator.spec import NARRATOR
from simulator.yamlsource import walk_strings

_TODO = re.compile(r"\b(TODO|FIXME|XXX)\b")


def check_variants(ctx: LintContext) -> Iterator[Problem]:
    """E042: the last ``say`` variant has no condition."""
    for node in ctx.scenario.nodes.values():
        raw = ctx.doc.data.get("nodes", {}).get(node.id, {}).get("say")
        if isinstance(raw, list) and raw and isinstance(raw[-1], dict) and "if" in raw[-1]:
            yield ctx.problem(
                "E042", (*node.where, "say", len(raw) - 1, "if"),
                f"the last variant of node '{node.id}' has an 'if'; the last one is the default "
                "and must have none, so that there is always something to say",
                at_key=True,
            )  # fmt: skip
        for option in node.options:
            variants = option.shows_variants
            if variants and variants[-1].condition is not None:
                yield ctx.problem(
                    "E042", (*variants[-1].where, "if"),
                    f"the last 'shows' variant of option '{option.id}' has an 'if'; the last one "
                    "is the default and must have none (write 'shows: []' for a line that then "
                    "shows nothing)",
                    at_key=True,
                )  # fmt: skip


_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


def check_unused_variables(ctx: LintContext) -> Iterator[Problem]:
    """W105: every declared variable is read by some condition."""
    read: set[str] = set()
    for cond in conditions(ctx):
        read |= expr.names(cond.expr)
    for path, text in walk_strings(ctx.doc.data) if ctx.doc.broken else ():
        if path and path[-1] == "if" and ctx.damaged(path):
            read |= set(_NAME.findall(text))  # a condition left out for its own errors
    for var in ctx.scenario.variables.values():
        if var.name not in read and not var.meter:
            yield ctx.problem(
                "W105", var.where,
                f"variable '{var.name}' is never read by a condition, so changing it has no "
                "effect; use it in an 'if', show it with 'meter: true', or remove it",
                at_key=True,
            )  # fmt: skip


def check_todo(ctx: LintContext) -> Iterator[Problem]:
    """W106: no TODO, FIXME or XXX left in the text."""
    source = ctx.doc.text
    if source and "\\" not in source and not _TODO.search(source):
        # Without escapes (only double-quoted text has them) a string's words are written as
        # they are, so a file that never mentions one has none in any of its strings.
        return
    for path, text in walk_strings(ctx.doc.data):
        match = _TODO.search(text)
        if match:
            yield ctx.problem(
                "W106",
                path,
                f"unfinished text: '{match.group(0)}' in {describe(path)}",
                offset=match.start(),
            )


def check_unused_cast(ctx: LintContext) -> Iterator[Problem]:
    """W107: every cast member speaks somewhere."""
    s = ctx.scenario
    if ("nodes",) in ctx.doc.broken or ctx.damaged(
        ("context", "organisation", "authority", "refer_to")
    ):
        return
    speaking = {n.speaker for n in s.nodes.values()}
    if any(ctx.damaged((*n.where, "speaker")) for n in s.nodes.values()):
        return  # a speaker was reported as missing or wrong: who speaks is not known
    if s.context.organisation.refer_to:
        speaking.add(s.context.organisation.refer_to)
    for name in speaking - {*s.cast, NARRATOR}:  # a misspelt speaker, reported as unknown
        speaking.update(difflib.get_close_matches(name, list(s.cast), n=1, cutoff=0.6))
    for cid in s.cast:
        if cid not in speaking:
            yield ctx.problem(
                "W107", ("cast", cid), f"cast member '{cid}' never speaks", at_key=True
            )


def check_quality(ctx: LintContext) -> Iterator[Problem]:
    """W109: every option of a graded scenario is rated strong, fair or poor."""
    if ctx.scenario.rubric is None:
        return
    for node in ctx.scenario.nodes.values():
        for option in node.options:
            if option.quality is None and not option.fallback:
                yield ctx.problem(
                    "W109", (*option.where, "id"),
                    f"option '{option.id}' has no 'quality'; rate it strong, fair or poor for "
                    "this situation (a poor line's good behaviours never count as evidence)",
                )  # fmt: skip


CHECKS = (check_variants, check_unused_variables, check_todo, check_unused_cast, check_quality)
