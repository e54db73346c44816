"""A scenario's conversation as a diagram: Graphviz DOT or Mermaid, for ``roleplay graph``.

Nodes are drawn by who speaks (the customer, a colleague such as the supervisor, the narrator),
endings are coloured by outcome, and nodes no route from ``start`` reaches (conditions ignored, as
lint's W101) are highlighted. Each option is an edge labelled with its id and its condition; a
node's ``next`` is a dashed, unlabelled edge. Pure: no UI or template imports.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass

from simulator.lint.graph import reachable_from
from simulator.model import Node, Option, Scenario
from simulator.spec import NARRATOR

FORMATS = ("dot", "mermaid")
CUSTOMER = "customer"
COLLEAGUE = "colleague"
EXCERPT = 48
"""Longest excerpt of a node's line shown in its box, in characters."""


@dataclass(frozen=True)
class Style:
    """How one kind of node is drawn."""

    dot: dict[str, str]
    """DOT attributes (values as DOT writes them, quoted where needed)."""
    mermaid: str
    """Mermaid classDef body."""


SPEAKERS: dict[str, Style] = {
    CUSTOMER: Style(
        {
            "shape": "box",
            "style": "rounded,filled",
            "fillcolor": '"#dbeafe"',
            "color": '"#1d4ed8"',
        },
        "fill:#dbeafe,stroke:#1d4ed8,color:#111",
    ),
    COLLEAGUE: Style(
        {"shape": "hexagon", "style": "filled", "fillcolor": '"#ede9fe"', "color": '"#6d28d9"'},
        "fill:#ede9fe,stroke:#6d28d9,color:#111",
    ),
    NARRATOR: Style(
        {
            "shape": "note",
            "style": "filled",
            "fillcolor": '"#f5f5f4"',
            "color": '"#57534e"',
            "fontname": '"Helvetica-Oblique"',
        },
        "fill:#f5f5f4,stroke:#57534e,color:#111,font-style:italic",
    ),
}
"""Node styles by speaker kind."""

OUTCOMES: dict[str, Style] = {
    "resolved": Style(
        {"fillcolor": '"#bbf7d0"', "color": '"#15803d"', "penwidth": "2", "peripheries": "2"},
        "fill:#bbf7d0,stroke:#15803d,stroke-width:3px,color:#111",
    ),
    "escalated": Style(
        {"fillcolor": '"#fde68a"', "color": '"#b45309"', "penwidth": "2", "peripheries": "2"},
        "fill:#fde68a,stroke:#b45309,stroke-width:3px,color:#111",
    ),
    "unresolved": Style(
        {"fillcolor": '"#e5e7eb"', "color": '"#4b5563"', "penwidth": "2", "peripheries": "2"},
        "fill:#e5e7eb,stroke:#4b5563,stroke-width:3px,color:#111",
    ),
    "customer_lost": Style(
        {"fillcolor": '"#fecaca"', "color": '"#b91c1c"', "penwidth": "2", "peripheries": "2"},
        "fill:#fecaca,stroke:#b91c1c,stroke-width:3px,color:#111",
    ),
}
"""Ending styles by outcome: resolved green, escalated amber, unresolved grey, lost red."""

UNREACHABLE = Style(
    {"color": '"#db2777"', "penwidth": "3", "fontcolor": '"#9d174d"', "style": "dashed"},
    "stroke:#db2777,stroke-width:4px,stroke-dasharray:6 3",
)
"""Added to a node no route from ``start`` reaches."""


def speaker_kind(speaker: str) -> str:
    """Return ``customer``, ``narrator`` or ``colleague`` (anyone else in the cast)."""
    if speaker == CUSTOMER:
        return CUSTOMER
    if speaker == NARRATOR:
        return NARRATOR
    return COLLEAGUE


def excerpt(text: str, limit: int = EXCERPT) -> str:
    """Return the start of a line on one line, cut at a word with '...' when it is long."""
    flat = " ".join(text.split())
    if len(flat) <= limit:
        return flat
    cut = flat[: limit - 3].rsplit(" ", 1)[0] if " " in flat[: limit - 3] else flat[: limit - 3]
    return cut.rstrip(",.;:") + "..."


def node_label_lines(scenario: Scenario, node: Node, unreachable: bool) -> list[str]:
    """Return the lines of a node's label: id, who speaks (and the ending), an excerpt."""
    who = scenario.speaker_name(node.speaker)
    if node.speaker not in (CUSTOMER, NARRATOR):
        who = f"{who} ({node.speaker})"
    lines = [node.id, who if node.end is None else f"{who}, END: {node.end}"]
    if node.say:
        lines.append(excerpt(node.say[-1].text))
    if unreachable:
        lines.append("UNREACHABLE from start")
    return lines


def option_label_lines(option: Option) -> list[str]:
    """Return the lines of an option edge's label: its id (with once/fallback), its condition."""
    flags = [f for f, on in (("once", option.once), ("fallback", option.fallback)) if on]
    lines = [option.id + (f" ({', '.join(flags)})" if flags else "")]
    if option.condition is not None:
        lines.append(f"if {option.condition.source}")
    return lines


# -- DOT -------------------------------------------------------------------------------------------


def dot_string(text: str) -> str:
    """Return ``text`` as a DOT double-quoted string: quotes and backslashes escaped.

    A backslash is doubled so Graphviz never reads it as an escape (``\\N`` would insert the node
    name); line breaks become the centred-line escape ``\\n``.
    """
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    text = text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")
    return f'"{text}"'


def to_dot(scenario: Scenario) -> str:
    """Return the scenario's graph in Graphviz DOT."""
    reachable = reachable_from(scenario.nodes, scenario.start)
    out = [
        f"// {scenario.id} (version {scenario.version}): roleplay graph --format dot",
        f"digraph {dot_string(scenario.id)} {{",
        f"  label={dot_string(scenario.title)};",
        '  labelloc=t; fontname="Helvetica"; rankdir=TB;',
        '  node [fontname="Helvetica", fontsize=11];',
        '  edge [fontname="Helvetica", fontsize=9];',
        '  "__start" [shape=circle, label="start", width=0.5, style=filled, '
        'fillcolor="#111827", fontcolor=white, fontsize=9];',
    ]
    for node in scenario.nodes.values():
        unreachable = node.id not in reachable
        attrs = {"label": dot_string("\n".join(node_label_lines(scenario, node, unreachable)))}
        styles = [SPEAKERS[speaker_kind(node.speaker)].dot]
        if node.end is not None and node.end in OUTCOMES:
            styles.append(OUTCOMES[node.end].dot)
        if unreachable:
            styles.append(UNREACHABLE.dot)
        for style in styles:
            attrs.update(style)
        # style flags add up (rounded, filled, dashed); every other attribute is replaced
        flags = [f for d in styles for f in d.get("style", "").split(",") if f]
        attrs["style"] = dot_string(",".join(dict.fromkeys(flags)))
        listed = ", ".join(f"{k}={v}" for k, v in attrs.items())
        out.append(f"  {dot_string(node.id)} [{listed}];")
    if scenario.start in scenario.nodes:
        out.append(f'  "__start" -> {dot_string(scenario.start)};')
    for node in scenario.nodes.values():
        for option in node.options:
            if option.next is None or option.next not in scenario.nodes:
                continue
            edge = [f"label={dot_string(chr(10).join(option_label_lines(option)))}"]
            if option.fallback:
                edge.append("style=dotted")
            out.append(f"  {dot_string(node.id)} -> {dot_string(option.next)} [{', '.join(edge)}];")
        if node.next is not None and node.next in scenario.nodes:
            out.append(f"  {dot_string(node.id)} -> {dot_string(node.next)} [style=dashed];")
    out.append("}")
    return "\n".join(out) + "\n"


# -- Mermaid ---------------------------------------------------------------------------------------

_MERMAID_ENTITIES = {
    "&": "#amp;",
    "#": "#35;",
    '"': "#quot;",
    "<": "#lt;",
    ">": "#gt;",
    "[": "#91;",
    "]": "#93;",
    "(": "#40;",
    ")": "#41;",
    "{": "#123;",
    "}": "#125;",
    "|": "#124;",
    "`": "#96;",
}
"""Characters that would end or confuse a Mermaid label, as Mermaid entity codes."""


def mermaid_text(text: str) -> str:
    """Return ``text`` safe inside a quoted Mermaid label; line breaks become ``<br/>``."""
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    safe = ["".join(_MERMAID_ENTITIES.get(ch, ch) for ch in line) for line in lines]
    return "<br/>".join(safe)


def mermaid_ids(names: list[str]) -> dict[str, str]:
    """Return a Mermaid-safe, unique id for each node id (letters, digits and ``_`` only).

    Every id gets a prefix, so none is a Mermaid keyword (``end``, ``graph``) or starts with the
    ``o``/``x`` that Mermaid reads as an edge end.
    """
    ids: dict[str, str] = {}
    used: set[str] = set()
    for name in names:
        base = "n_" + re.sub(r"[^A-Za-z0-9_]", "_", name)
        candidate, n = base, 2
        while candidate in used:
            candidate, n = f"{base}_{n}", n + 1
        used.add(candidate)
        ids[name] = candidate
    return ids


_SHAPES = {
    CUSTOMER: ('(["', '"])'),
    COLLEAGUE: ('{{"', '"}}'),
    NARRATOR: ('[/"', '"/]'),
}
"""Mermaid node shapes by speaker kind: stadium, hexagon, parallelogram."""


def to_mermaid(scenario: Scenario) -> str:
    """Return the scenario's graph as a Mermaid flowchart."""
    reachable = reachable_from(scenario.nodes, scenario.start)
    ids = mermaid_ids(list(scenario.nodes))
    start_id = "start_"  # node ids all begin with n_, so this cannot clash
    out = [
        "---",
        f"title: {json.dumps(scenario.title, ensure_ascii=False)}",
        "---",
        "flowchart TD",
        f"  %% {scenario.id} (version {scenario.version}): roleplay graph --format mermaid",
        f'  {start_id}(("start"))',
    ]
    for node in scenario.nodes.values():
        unreachable = node.id not in reachable
        opening, closing = _SHAPES[speaker_kind(node.speaker)]
        label = mermaid_text("\n".join(node_label_lines(scenario, node, unreachable)))
        out.append(f"  {ids[node.id]}{opening}{label}{closing}")
    if scenario.start in scenario.nodes:
        out.append(f"  {start_id} --> {ids[scenario.start]}")
    for node in scenario.nodes.values():
        for option in node.options:
            if option.next is None or option.next not in scenario.nodes:
                continue
            label = mermaid_text("\n".join(option_label_lines(option)))
            arrow = "-.->" if option.fallback else "-->"
            out.append(f'  {ids[node.id]} {arrow}|"{label}"| {ids[option.next]}')
        if node.next is not None and node.next in scenario.nodes:
            out.append(f"  {ids[node.id]} -.-> {ids[node.next]}")
    kinds: dict[str, list[str]] = {}
    for node in scenario.nodes.values():
        kinds.setdefault(speaker_kind(node.speaker), []).append(ids[node.id])
        if node.end is not None and node.end in OUTCOMES:
            kinds.setdefault(node.end, []).append(ids[node.id])
        if node.id not in reachable:
            kinds.setdefault("unreachable", []).append(ids[node.id])
    styles = {**SPEAKERS, **OUTCOMES, "unreachable": UNREACHABLE}
    out.append("  classDef start fill:#111827,color:#fff,stroke:#111827")
    out.append(f"  class {start_id} start")
    for kind, style in styles.items():  # later classes win: outcome over speaker, then unreachable
        if kind in kinds:
            out.append(f"  classDef {kind} {style.mermaid}")
            out.append(f"  class {','.join(kinds[kind])} {kind}")
    return "\n".join(out) + "\n"


def render(scenario: Scenario, fmt: str) -> str:
    """Return the graph in ``dot`` or ``mermaid``."""
    if fmt == "dot":
        return to_dot(scenario)
    if fmt == "mermaid":
        return to_mermaid(scenario)
    raise ValueError(f"unknown graph format '{fmt}'; use one of {', '.join(FORMATS)}")
