"""`roleplay graph`: DOT that Graphviz renders, Mermaid with every node and edge, labels escaped."""

from __future__ import annotations

import html
import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from simulator.catalog import open_scenario
from simulator.cli import main
from simulator.graph import (
    dot_string,
    mermaid_ids,
    mermaid_text,
    speaker_kind,
    to_dot,
    to_mermaid,
)
from simulator.model import Scenario
from simulator.skeleton import scenario_skeleton

BUNDLED = ("faulty-kettle", "router-helpline")

# Every character DOT or Mermaid could trip over: in the title, a cast name (never shortened),
# a short line, a condition with double quotes, node ids that are Mermaid keywords, and a node no
# route reaches.
TRICKY = r"""format: 1
id: tricky
version: 1
title: "Quotes \"in\" a \\ title\nand a second line"
context: {issue: other, channel: telephone}
cast:
  customer: {name: 'Ann "Boss" \N [x] (y) {z} <b> | # & ; %% o--x'}
  supervisor: {name: Dev, role: Manager}
variables:
  mood: {type: int, default: 0, min: -5, max: 5, meter: true}
start: start
nodes:
  start:
    speaker: customer
    say: 'C:\path\to "it"'
    options:
      - id: go.on
        say: Go on.
        if: 'mood >= 0 and not visited("end")'
        next: end
      - id: ask
        say: Ask.
        once: true
        next: graph
      - id: auto
        say: Auto.
        fallback: true
        next: end
  graph:
    speaker: supervisor
    say: Graph is a Mermaid keyword.
    next: end
  end:
    speaker: narrator
    say: The end.
    end: resolved
  o:
    speaker: customer
    say: Nobody reaches me.
    end: customer_lost
"""


@pytest.fixture
def tricky(tmp_path: Path) -> Scenario:
    path = tmp_path / "tricky.scenario.yaml"
    path.write_text(TRICKY)
    return open_scenario(str(path)).scenario


@pytest.fixture
def skeleton(tmp_path: Path) -> Scenario:
    path = tmp_path / "late-parcel.scenario.yaml"
    path.write_text(scenario_skeleton("late-parcel", "../schema/scenario.schema.json"))
    return open_scenario(str(path)).scenario


def bundled(scenario_id: str) -> Scenario:
    return open_scenario(scenario_id).scenario


def dot_program() -> str:
    """Return the Graphviz `dot` program; skip without it, but never on CI (fail there)."""
    found = shutil.which("dot")
    if found is None:
        if "CI" in os.environ:
            pytest.fail(
                "Graphviz `dot` is missing on CI; .ci/run must install the graphviz package"
            )
        pytest.skip("Graphviz `dot` is not installed (Debian package graphviz); CI installs it")
    return found


def render_svg(dot: str) -> str:
    result = subprocess.run(
        [dot_program(), "-Tsvg"], input=dot, capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stderr
    assert result.stderr == "", result.stderr  # no syntax warnings either
    assert "<svg" in result.stdout
    return result.stdout


def svg_texts(svg: str) -> list[str]:
    """Return the text lines Graphviz drew, unescaped."""
    return [html.unescape(t) for t in re.findall(r"<text[^>]*>([^<]*)</text>", svg)]


# -- DOT, rendered by Graphviz -------------------------------------------------------------------


@pytest.mark.parametrize("scenario_id", BUNDLED)
def test_bundled_scenario_dot_renders(scenario_id: str) -> None:
    scenario = bundled(scenario_id)
    texts = svg_texts(render_svg(to_dot(scenario)))
    for node_id in scenario.nodes:
        assert node_id in texts, node_id
    options = [o.id for n in scenario.nodes.values() for o in n.options]
    for option_id in options:
        assert any(t.startswith(option_id) for t in texts), option_id


def test_skeleton_dot_renders(skeleton: Scenario) -> None:
    render_svg(to_dot(skeleton))


def test_tricky_labels_render_exactly_as_written(tricky: Scenario) -> None:
    texts = svg_texts(render_svg(to_dot(tricky)))
    assert 'Quotes "in" a \\ title' in texts and "and a second line" in texts
    assert 'Ann "Boss" \\N [x] (y) {z} <b> | # & ; %% o--x' in texts  # \N is not the node name
    assert 'C:\\path\\to "it"' in texts
    assert 'if mood >= 0 and not visited("end")' in texts
    assert "ask (once)" in texts and "auto (fallback)" in texts
    assert "UNREACHABLE from start" in texts


def test_dot_string_escapes_quotes_backslashes_and_newlines() -> None:
    assert dot_string('say "hi"') == '"say \\"hi\\""'
    assert dot_string("a\\b") == '"a\\\\b"'
    assert dot_string("a\\") == '"a\\\\"'  # a trailing backslash cannot escape the closing quote
    assert dot_string("one\ntwo\r\nthree") == '"one\\ntwo\\nthree"'


# -- DOT structure -------------------------------------------------------------------------------


def dot_nodes(dot: str) -> dict[str, str]:
    """Return each node statement's attributes by node id."""
    return {m.group(1): m.group(2) for m in re.finditer(r'^  "([^"]+)" \[(.*)\];$', dot, re.M)}


def dot_edges(dot: str) -> list[tuple[str, str, str]]:
    return re.findall(r'^  "([^"]+)" -> "([^"]+)"(?: \[(.*)\])?;$', dot, re.M)


def test_dot_nodes_are_styled_by_speaker_and_outcome(tricky: Scenario) -> None:
    nodes = dot_nodes(to_dot(tricky))
    assert set(nodes) == {"__start", *tricky.nodes}
    assert "shape=box" in nodes["start"]  # the customer
    assert "shape=hexagon" in nodes["graph"]  # a colleague
    assert "shape=note" in nodes["end"]  # the narrator
    assert 'fillcolor="#bbf7d0"' in nodes["end"] and "peripheries=2" in nodes["end"]  # green
    assert 'fillcolor="#fecaca"' in nodes["o"]  # customer_lost: red
    assert 'color="#db2777"' in nodes["o"] and "dashed" in nodes["o"]  # unreachable
    assert "UNREACHABLE" not in nodes["end"]


def test_every_bundled_outcome_has_its_colour() -> None:
    colours = {
        "resolved": "#bbf7d0",
        "escalated": "#fde68a",
        "unresolved": "#e5e7eb",
        "customer_lost": "#fecaca",
    }
    for scenario_id in BUNDLED:
        scenario = bundled(scenario_id)
        nodes = dot_nodes(to_dot(scenario))
        for node in scenario.nodes.values():
            if node.end is not None:
                assert f'fillcolor="{colours[node.end]}"' in nodes[node.id], node.id


def test_dot_edges_options_labelled_next_dashed(tricky: Scenario) -> None:
    edges = dot_edges(to_dot(tricky))
    assert ("__start", "start", "") in edges
    assert (
        "start",
        "end",
        'label="go.on\\nif mood >= 0 and not visited(\\"end\\")"',
    ) in edges
    assert ("start", "graph", 'label="ask (once)"') in edges
    assert ("start", "end", 'label="auto (fallback)", style=dotted') in edges
    assert ("graph", "end", "style=dashed") in edges
    assert len(edges) == 5


@pytest.mark.parametrize("scenario_id", BUNDLED)
def test_dot_has_an_edge_for_every_option_and_next(scenario_id: str) -> None:
    scenario = bundled(scenario_id)
    edges = dot_edges(to_dot(scenario))
    options = sum(len(n.options) for n in scenario.nodes.values())
    nexts = sum(n.next is not None for n in scenario.nodes.values())
    assert len(edges) == 1 + options + nexts
    assert sum(attrs == "style=dashed" for _, _, attrs in edges) == nexts


def test_speaker_kinds() -> None:
    assert [speaker_kind(s) for s in ("customer", "narrator", "supervisor", "returns")] == [
        "customer",
        "narrator",
        "colleague",
        "colleague",
    ]


# -- Mermaid structure ---------------------------------------------------------------------------

MERMAID_ID = re.compile(r"^[A-Za-z][A-Za-z0-9_]*$")
NODE_LINE = re.compile(r'^  (\w+)(\(\["|\{\{"|\[/"|\(\(")(.*?)("\]\)|"\}\}|"/\]|"\)\))$')
EDGE_LINE = re.compile(r'^  (\w+) (-->|-\.->)(?:\|"(.*)"\|)? (\w+)$')


def mermaid_parts(text: str) -> tuple[dict[str, str], list[tuple[str, str, str, str]]]:
    nodes: dict[str, str] = {}
    edges: list[tuple[str, str, str, str]] = []
    for line in text.splitlines():
        if m := NODE_LINE.match(line):
            assert m.group(1) not in nodes, line
            nodes[m.group(1)] = m.group(3)
        elif m := EDGE_LINE.match(line):
            edges.append((m.group(1), m.group(2), m.group(3) or "", m.group(4)))
    return nodes, edges


@pytest.mark.parametrize("scenario_id", BUNDLED)
def test_mermaid_has_every_node_and_edge(scenario_id: str) -> None:
    scenario = bundled(scenario_id)
    text = to_mermaid(scenario)
    lines = text.splitlines()
    assert lines[0] == "---" and lines[1].startswith("title: ") and lines[2] == "---"
    assert lines[3] == "flowchart TD"
    nodes, edges = mermaid_parts(text)
    ids = mermaid_ids(list(scenario.nodes))
    assert set(nodes) == {"start_", *ids.values()}
    for node_id, mermaid_id in ids.items():
        assert MERMAID_ID.match(mermaid_id)
        assert nodes[mermaid_id].startswith(node_id + "<br/>")
    expected = {("start_", "-->", "", ids[scenario.start])}
    for node in scenario.nodes.values():
        for o in node.options:
            assert o.next is not None
            arrow = "-.->" if o.fallback else "-->"
            label = mermaid_text(o.id + ("\nif " + o.condition.source if o.condition else ""))
            if o.once:
                label = label.replace(o.id, f"{o.id} #40;once#41;", 1)
            expected.add((ids[node.id], arrow, label, ids[o.next]))
        if node.next is not None:
            expected.add((ids[node.id], "-.->", "", ids[node.next]))
    assert set(edges) == expected
    options = sum(len(n.options) for n in scenario.nodes.values())
    nexts = sum(n.next is not None for n in scenario.nodes.values())
    assert len(edges) == 1 + options + nexts


def test_mermaid_escapes_labels_and_sanitises_ids(tricky: Scenario) -> None:
    text = to_mermaid(tricky)
    nodes, edges = mermaid_parts(text)
    assert set(nodes) == {"start_", "n_start", "n_graph", "n_end", "n_o"}  # never a bare `end`
    for label in [*nodes.values(), *(e[2] for e in edges)]:
        assert not re.search(r'["\[\]{}()<>|`]', label.replace("<br/>", "")), label
    assert nodes["n_start"] == (
        "start<br/>Ann #quot;Boss#quot; \\N #91;x#93; #40;y#41; #123;z#125; #lt;b#gt; #124; "
        "#35; #amp; ; %% o--x<br/>C:\\path\\to #quot;it#quot;"
    )
    assert ("n_start", "-->", "go.on<br/>if mood #gt;= 0 and not visited#40;#quot;end#quot;#41;",
            "n_end") in edges  # fmt: skip
    assert ("n_start", "-.->", "auto #40;fallback#41;", "n_end") in edges
    assert ("n_graph", "-.->", "", "n_end") in edges
    assert 'title: "Quotes \\"in\\" a \\\\ title\\nand a second line"' in text


def test_mermaid_styles_speakers_outcomes_and_unreachable(tricky: Scenario) -> None:
    text = to_mermaid(tricky)
    by_class: dict[str, set[str]] = {}
    for members, name in re.findall(r"^  class (\S+) (\w+)$", text, re.M):
        by_class.setdefault(name, set()).update(members.split(","))
    assert by_class["customer"] == {"n_start", "n_o"}
    assert by_class["colleague"] == {"n_graph"}
    assert by_class["narrator"] == {"n_end"}
    assert by_class["resolved"] == {"n_end"}
    assert by_class["customer_lost"] == {"n_o"}
    assert by_class["unreachable"] == {"n_o"}
    assert "classDef resolved fill:#bbf7d0" in text
    assert "classDef customer_lost fill:#fecaca" in text
    assert "classDef unreachable stroke:#db2777" in text
    assert 'n_o(["o<br/>' in text and "UNREACHABLE from start" in text
    assert "  n_end[/" in text and "  n_graph{{" in text and "  n_start([" in text


def test_mermaid_ids_are_unique_after_sanitising() -> None:
    assert mermaid_ids(["a-b", "a_b", "a.b", "end"]) == {
        "a-b": "n_a_b",
        "a_b": "n_a_b_2",
        "a.b": "n_a_b_3",
        "end": "n_end",
    }


def test_mermaid_text_escapes() -> None:
    assert mermaid_text('say "hi" [now]') == "say #quot;hi#quot; #91;now#93;"
    assert mermaid_text("a|b (c) {d} <e> #f &g") == (
        "a#124;b #40;c#41; #123;d#125; #lt;e#gt; #35;f #amp;g"
    )
    assert mermaid_text("one\ntwo") == "one<br/>two"


# -- the command ---------------------------------------------------------------------------------


def test_graph_command_prints_dot_by_default(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["graph", "faulty-kettle"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("// faulty-kettle") and 'digraph "faulty-kettle" {' in out
    render_svg(out)


def test_graph_command_writes_mermaid_to_a_file(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    target = tmp_path / "kettle.mmd"
    assert main(["graph", "faulty-kettle", "--format", "mermaid", "-o", str(target)]) == 0
    out, err = capsys.readouterr()
    assert out == "" and f"wrote {target}" in err
    assert target.read_text() == to_mermaid(bundled("faulty-kettle"))


def test_graph_command_errors(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["graph", "faulty-kettel"]) == 1
    assert "did you mean 'faulty-kettle'" in capsys.readouterr().err
    assert main(["graph", "faulty-kettle", "--format", "png"]) == 2
    broken = tmp_path / "broken.scenario.yaml"
    broken.write_text(
        TRICKY.replace("id: tricky", "id: broken").replace("next: graph", "next: grph")
    )
    assert main(["graph", str(broken)]) == 1
    assert "[E021]" in capsys.readouterr().err
    assert main(["graph", "faulty-kettle", "-o", str(tmp_path / "missing" / "x.dot")]) == 1


def test_graph_shows_warnings_but_draws(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "tricky.scenario.yaml"
    path.write_text(TRICKY)
    assert main(["graph", str(path)]) == 0
    out, err = capsys.readouterr()
    assert "[W101]" in err or "[W104]" in err  # the unreachable ending
    assert '"o" [' in out
