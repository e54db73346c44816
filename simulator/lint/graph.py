"""The conversation graph: dead ends, traps, unreachable nodes, options that can run out."""

from __future__ import annotations

from collections.abc import Iterator

from simulator.errors import Problem
from simulator.lint.context import LintContext
from simulator.model import Node


def reachable_from(nodes: dict[str, Node], start: str) -> set[str]:
    """Return the ids of every node reachable from ``start`` along any edge (conditions ignored)."""
    if start not in nodes:
        return set()
    seen = {start}
    stack = [start]
    while stack:
        for nxt in nodes[stack.pop()].successors():
            if nxt in nodes and nxt not in seen:
                seen.add(nxt)
                stack.append(nxt)
    return seen


def can_reach_ending(nodes: dict[str, Node], endings: set[str] | None = None) -> set[str]:
    """Return the ids of nodes from which some ending can be reached (conditions ignored).

    An edge to a node that does not exist counts as reaching an ending: it is reported once as an
    unknown node, not again as a trap.
    """
    preds: dict[str, list[str]] = {nid: [] for nid in nodes}
    good: set[str] = set()
    for node in nodes.values():
        if node.is_end or (endings is not None and node.id in endings):
            good.add(node.id)
        for nxt in node.successors():
            if nxt in nodes:
                preds[nxt].append(node.id)
            else:
                good.add(node.id)
    stack = list(good)
    while stack:
        for p in preds[stack.pop()]:
            if p not in good:
                good.add(p)
                stack.append(p)
    return good


_EXITS = ("options", "next", "end")


def _raw_keys(ctx: LintContext, node: Node) -> set[str]:
    return ctx.raw_keys(node.where)


def _is_dead_end(ctx: LintContext, node: Node) -> bool:
    return (
        not node.is_end
        and not (set(_EXITS) & _raw_keys(ctx, node))
        and not any(ctx.misspelt(node.where, key) for key in _EXITS)  # reported as unknown
    )


def _lost_exits(ctx: LintContext, node: Node) -> bool:
    """True if some of the node's ways out were dropped for a problem already reported."""
    return any(ctx.damaged((*node.where, key)) for key in _EXITS) or any(
        ctx.misspelt(node.where, key) for key in _EXITS
    )


def _graph_incomplete(ctx: LintContext, ids: set[str]) -> bool:
    """True if any of these nodes lost a way out, is a dead end or leads to a missing node.

    Then which nodes can be reached is not known, and warnings about it would be guesses.
    """
    nodes = ctx.scenario.nodes
    return ("nodes",) in ctx.doc.broken or any(
        _lost_exits(ctx, nodes[nid])
        or _is_dead_end(ctx, nodes[nid])
        or any(nxt not in nodes for nxt in nodes[nid].successors())
        for nid in ids
        if nid in nodes
    )


def _marked_end(ctx: LintContext, node: Node) -> bool:
    """True for a node written as an ending, even if its outcome value is invalid."""
    return node.is_end or "end" in _raw_keys(ctx, node)


def check_dead_ends(ctx: LintContext) -> Iterator[Problem]:
    """E040: a node that is not an ending has options or next."""
    for node in ctx.scenario.nodes.values():
        if _is_dead_end(ctx, node):
            yield ctx.problem(
                "E040", node.where,
                f"node '{node.id}' has no 'options', no 'next' and no 'end': the conversation would "
                "stop here; add options, a next node, or 'end: <outcome>'",
                at_key=True,
            )  # fmt: skip


def check_traps(ctx: LintContext) -> Iterator[Problem]:
    """E041: an ending can be reached from every node."""
    nodes = ctx.scenario.nodes
    if not any(_marked_end(ctx, n) for n in nodes.values()):
        # an ending may be among nodes or keys already reported and left out
        lost = ctx.written_ids("nodes") - set(nodes) or any(
            _lost_exits(ctx, n) for n in nodes.values()
        )
        if nodes and not lost:
            yield ctx.problem(
                "E041", ("nodes",),
                "the scenario has no ending: mark at least one node with 'end: <outcome>'",
                at_key=True,
            )  # fmt: skip
        return
    # Endings, dead ends (reported as E040) and nodes that lost a way out to a problem already
    # reported all count as places a route can finish, so one mistake is one problem.
    finishes = {
        n.id
        for n in nodes.values()
        if _marked_end(ctx, n) or _is_dead_end(ctx, n) or _lost_exits(ctx, n)
    }
    good = can_reach_ending(nodes, finishes)
    trapped = [n for n in nodes.values() if n.id not in good]
    # Report each trap once, at the node where routes enter it, naming the nodes it holds.
    trapped_ids = {n.id for n in trapped}
    entered = {nxt for n in nodes.values() if n.id not in trapped_ids for nxt in n.successors()}
    entries = [n for n in trapped if n.id in entered or n.id == ctx.scenario.start]
    covered: set[str] = set()
    for node in [*entries, *trapped]:
        if node.id in covered:
            continue
        inside = reachable_from(nodes, node.id) & trapped_ids
        covered |= inside
        others = [nid for nid in nodes if nid in inside and nid != node.id]
        through = f" or the nodes it leads to ({_names(others)})" if others else ""
        yield ctx.problem(
            "E041", node.where,
            f"no ending can be reached from node '{node.id}'{through}: every route from here "
            "loops forever; give the loop a way out",
            at_key=True,
        )  # fmt: skip


def _names(ids: list[str]) -> str:
    quoted = [f"'{i}'" for i in ids]
    return quoted[0] if len(quoted) == 1 else ", ".join(quoted[:-1]) + " and " + quoted[-1]


def check_reachability(ctx: LintContext) -> Iterator[Problem]:
    """W101/W104: every node, and every ending, is reachable from start."""
    s = ctx.scenario
    if s.start not in s.nodes:
        return
    seen = reachable_from(s.nodes, s.start)
    if _graph_incomplete(ctx, seen):
        return  # a route was lost to an error already reported; fix that first
    for node in s.nodes.values():
        if node.id in seen:
            continue
        if node.is_end:
            yield ctx.problem(
                "W104", node.where,
                f"ending '{node.id}' ({node.end}) is never reached: no route from "
                f"'{s.start}' leads here",
                at_key=True,
            )  # fmt: skip
        else:
            yield ctx.problem(
                "W101", node.where,
                f"node '{node.id}' is unreachable: no route from '{s.start}' leads here",
                at_key=True,
            )  # fmt: skip


def _on_cycle(nodes: dict[str, Node], node: Node) -> bool:
    return any(node.id in reachable_from(nodes, nxt) for nxt in node.successors() if nxt in nodes)


def check_options(ctx: LintContext) -> Iterator[Problem]:
    """W102/W103/W108: a node's options cannot all disappear."""
    nodes = ctx.scenario.nodes
    for node in nodes.values():
        if not node.options or ctx.damaged((*node.where, "options")):
            continue  # with options left out for their own errors, these would be guesses
        fallbacks = [o for o in node.options if o.fallback]
        for extra in fallbacks[1:]:
            yield ctx.problem(
                "W108", (*extra.where, "fallback"),
                f"node '{node.id}' already has fallback option '{fallbacks[0].id}'; "
                f"'{extra.id}' can never be taken automatically",
                at_key=True,
            )  # fmt: skip
        if not fallbacks and all(o.condition is not None for o in node.options):
            yield ctx.problem(
                "W102", (*node.where, "options"),
                f"every option of node '{node.id}' has an 'if' and none is 'fallback: true': if "
                "no condition holds the learner is stuck",
                at_key=True,
            )  # fmt: skip
            continue
        repeatable = any(o.condition is None and not o.once for o in node.options)
        if not repeatable and any(o.once for o in node.options) and _on_cycle(nodes, node):
            yield ctx.problem(
                "W103", (*node.where, "options"),
                f"node '{node.id}' is on a loop and every option that is always offered is "
                "'once: true': going round the loop can use them all up; add an option without "
                "'once' or 'if'",
                at_key=True,
            )  # fmt: skip


CHECKS = (check_dead_ends, check_traps, check_reachability, check_options)
