"""Generated scenarios for the benchmarks: valid, realistic in shape, any size, reproducible.

A generated scenario is a telephone complaint told in *stages*. Each stage has a hub where the
customer talks, with questions that are ``once: true``, a calming line that loops back to the hub
while the customer is upset, a way on that depends on what was asked or how the customer feels,
a rude line that leads to a reaction node (where the customer may hang up), a detail node with
lines that loop back, a narrator node passed through automatically, and a ``fallback`` so the
learner is never stuck. Every fourth stage briefs a supervisor. Three int variables of range 11
(``mood``, ``trust``, ``patience``, each -5 to 5) and a bool are read by conditions and changed
by effects; say-variants depend on them too. The last stage decides the ending from ``trust``.

``python -m benchmarks.generate DIR --count 200 --nodes 100`` writes a corpus.
"""

from __future__ import annotations

import argparse
import random
import sys
from pathlib import Path
from typing import Any

import yaml

FIXED_NODES = 4
"""Nodes outside the stages: the wrap-up node and three endings."""
STAGE_NODES = 5
"""Nodes in a stage without a supervisor (hub, detail, check, react, walk-out ending)."""

PHASES = ("mood", "patience", "trust")
"""The variable each third of the stages turns on besides trust: calming the customer down,
then keeping their patience while investigating, then earning their trust for the resolution."""

LINES = (
    "I have been waiting on hold for forty minutes and nobody has called me back.",
    "The engineer was supposed to come on Tuesday and never turned up.",
    "I was charged twice this month and my bank says it is your fault.",
    "Your website says the order was delivered, but there is nothing on my doorstep.",
    "I explained all of this to someone yesterday and they promised to sort it out.",
    "Why does nobody at your company ever write anything down?",
)


def _say(rng: random.Random, cut: int, feel: str) -> list[dict[str, str]]:
    return [
        {"if": f"{feel} <= {cut}", "text": "Frankly, I am fed up. " + rng.choice(LINES)},
        {"if": "trust < -2 and not noted", "text": "Are you even listening to me?"},
        {"text": rng.choice(LINES)},
    ]


def _stage(
    rng: random.Random, k: int, nxt: str, with_supervisor: bool, feel: str
) -> dict[str, Any]:
    """The nodes of stage ``k``, which leads on to node ``nxt``; ``feel`` is the variable the
    stage's conditions read besides ``trust``."""
    hub, detail, check, react, walk = (
        f"{p}-{k}" for p in ("hub", "detail", "check", "react", "walk")
    )
    on = f"brief-{k}" if with_supervisor else nxt
    cut = rng.randint(-4, -1)
    nodes: dict[str, Any] = {
        hub: {
            "speaker": "customer",
            "say": _say(rng, cut, feel),
            "options": [
                {
                    "id": f"open-{k}",
                    "say": "Could you tell me what happened, from the beginning?",
                    "shows": ["open_question"],
                    "once": True,
                    "effects": {feel: 1},
                    "next": detail,
                },
                {
                    "id": f"probe-{k}",
                    "say": "When exactly did you first notice the problem?",
                    "shows": ["probing_question"],
                    "once": True,
                    "if": f"trust >= {rng.randint(-3, 0)}",
                    "effects": {"trust": 1},
                    "next": detail,
                },
                {
                    "id": f"calm-{k}",
                    "say": "I can hear how frustrating this has been, and I want to put it right.",
                    "shows": ["calming_language", "empathy"],
                    "if": f"{feel} < {rng.randint(-2, 1)}",
                    "effects": {feel: rng.choice([1, 2])},
                    "next": hub,
                },
                {
                    "id": f"on-{k}",
                    "say": "Here is what I am going to do next.",
                    "shows": ["explain_actions"],
                    "if": f"visited('{detail}') or {feel} >= {rng.randint(1, 3)}",
                    "next": on,
                },
                {
                    "id": f"rude-{k}",
                    "say": "That is not really my department.",
                    "shows": ["ignore_concern"],
                    "once": True,
                    "effects": {feel: rng.choice([-1, -2])},
                    "next": react,
                },
                {
                    "id": f"move-{k}",
                    "say": "Let me move this along for you.",
                    "fallback": True,
                    "next": on,
                },
            ],
        },
        detail: {
            "speaker": "customer",
            "say": rng.choice(LINES),
            "options": [
                {
                    "id": f"note-{k}",
                    "say": "I am writing that down so nobody asks you again.",
                    "shows": ["note_taking"],
                    "effects": {"trust": 1, "set": {"noted": True}},
                    "next": hub,
                },
                {
                    "id": f"repeat-{k}",
                    "say": "So, to check I have this right, the problem started last week?",
                    "shows": ["repeat_back"],
                    "once": True,
                    "next": check,
                },
                {
                    "id": f"interrupt-{k}",
                    "say": "Yes, yes, I understand.",
                    "shows": ["interrupt"],
                    "if": f"{feel} > {rng.randint(-4, -1)}",
                    "effects": {feel: -1, "trust": -1},
                    "next": hub,
                },
            ],
        },
        check: {"speaker": "narrator", "say": "You read your notes back.", "next": hub},
        react: {
            "speaker": "customer",
            "say": [
                {"if": f"{feel} <= -3", "text": "Right, that is it."},
                {"text": "Excuse me? I am the customer here."},
            ],
            "options": [
                {
                    "id": f"sorry-{k}",
                    "say": "I am sorry, that came out wrong. Let me help.",
                    "shows": ["empathy"],
                    "effects": {feel: 1},
                    "next": hub,
                },
                {
                    "id": f"defend-{k}",
                    "say": "I am only telling you how it is.",
                    "shows": ["argue"],
                    "if": f"{feel} > {rng.randint(-5, -3)}",
                    "effects": {feel: -1},
                    "next": hub,
                },
                {
                    "id": f"lose-{k}",
                    "say": "Well, there is nothing more I can do.",
                    "shows": ["blame_customer"],
                    "if": f"{feel} <= {rng.randint(-4, -2)}",
                    "next": walk,
                },
            ],
        },
        walk: {
            "speaker": "customer",
            "say": "I am taking my business elsewhere.",
            "end": "customer_lost",
        },
    }
    if with_supervisor:
        nodes[on] = {
            "speaker": "supervisor",
            "say": "What do you need from me?",
            "options": [
                {
                    "id": f"brief-{k}",
                    "say": "The customer was promised a visit that never happened; can we offer one this week?",
                    "shows": ["brief_appropriate_person", "recommend_with_reasons"],
                    "effects": {"trust": 1},
                    "next": nxt,
                },
                {
                    "id": f"vague-{k}",
                    "say": "Someone is complaining again.",
                    "next": nxt,
                },
            ],
        }
    return nodes


def generate(nodes: int, seed: int = 0, scenario_id: str | None = None) -> dict[str, Any]:
    """Return a scenario document with exactly ``nodes`` nodes (at least 10)."""
    if nodes < 10:
        raise ValueError("a generated scenario has at least 10 nodes")
    rng = random.Random(seed)
    sid = scenario_id or f"gen-{nodes}-{seed}"
    budget = nodes - FIXED_NODES
    stages: list[tuple[int, bool]] = []
    while True:
        k = len(stages)
        supervisor = k % 4 == 3
        size = STAGE_NODES + supervisor
        if budget < size:
            break
        stages.append((k, supervisor))
        budget -= size
    graph: dict[str, Any] = {}
    for k, supervisor in stages:
        nxt = f"hub-{k + 1}" if k + 1 < len(stages) else "wrap-up"
        feel = PHASES[min(3 * k // len(stages), 2)]
        graph.update(_stage(rng, k, nxt, supervisor, feel))
    # pad to the exact size with narrator nodes in front of the wrap-up
    pads = [f"pause-{i}" for i in range(budget)]
    first_after = pads[0] if pads else "wrap-up"
    last_hub = f"hub-{len(stages) - 1}"
    for option in graph[last_hub]["options"]:
        if option["next"] == "wrap-up":
            option["next"] = first_after
    if len(stages) % 4 == 0 and f"brief-{len(stages) - 1}" in graph:
        for option in graph[f"brief-{len(stages) - 1}"]["options"]:
            option["next"] = first_after
    for i, pad in enumerate(pads):
        graph[pad] = {
            "speaker": "narrator",
            "say": "The line crackles for a moment.",
            "next": pads[i + 1] if i + 1 < len(pads) else "wrap-up",
        }
    graph["wrap-up"] = {
        "speaker": "customer",
        "say": [
            {"if": "trust >= 3 and noted", "text": "Thank you, you have been really helpful."},
            {"text": "So what happens now?"},
        ],
        "options": [
            {
                "id": "resolve",
                "say": "I have booked it and will call you on Friday to check it is fixed.",
                "shows": ["complete_action", "check_satisfaction"],
                "if": f"trust >= {rng.randint(0, 2)}",
                "next": "resolved",
            },
            {
                "id": "escalate",
                "say": "I am passing this to my team leader, who will call you today.",
                "shows": ["escalate"],
                "next": "escalated",
            },
            {
                "id": "shrug",
                "say": "I have done what I can.",
                "next": "unresolved",
            },
        ],
    }
    graph["resolved"] = {"speaker": "customer", "say": "Thank you.", "end": "resolved"}
    graph["escalated"] = {"speaker": "customer", "say": "Fine.", "end": "escalated"}
    graph["unresolved"] = {"speaker": "customer", "say": "Useless.", "end": "unresolved"}
    assert len(graph) == nodes, (len(graph), nodes)
    return {
        "format": 1,
        "id": sid,
        "version": 1,
        "title": f"Generated complaint ({nodes} nodes, seed {seed})",
        "summary": "A long telephone complaint generated for the benchmarks.",
        "rubric": "ocr-l2-unit7",
        "context": {
            "issue": "service_complaint",
            "channel": "telephone",
            "problem_source": "organisation",
            "customer": {"name": "Sam Taylor", "indicators": ["angry", "frustrated"]},
            "organisation": {
                "name": "Northwind Broadband",
                "authority": {"refer_to": "supervisor"},
            },
        },
        "cast": {
            "customer": {"name": "Sam Taylor"},
            "supervisor": {"name": "Priya Shah", "role": "Team leader"},
        },
        "variables": {
            "mood": {
                "type": "int",
                "default": -2,
                "min": -5,
                "max": 5,
                "label": "Mood",
                "meter": True,
            },
            "trust": {
                "type": "int",
                "default": 0,
                "min": -5,
                "max": 5,
                "label": "Trust",
                "meter": True,
            },
            "patience": {"type": "int", "default": 5, "min": -5, "max": 5, "label": "Patience"},
            "noted": {"type": "bool", "default": False},
        },
        "start": "hub-0",
        "nodes": graph,
    }


def with_variables(data: dict[str, Any], extra: int) -> dict[str, Any]:
    """The scenario with ``extra`` more int variables of range 11 (-5 to 5), each its own: the
    calming line of every ``extra``-th stage raises one, that stage's note line lowers it, and
    the wrap-up's way to resolve reads them all, so an explorer can forget none of them (as in
    the performance review's 2.5)."""
    names = [f"v{3 + k + 1}" for k in range(extra)]
    for name in names:
        data["variables"][name] = {"type": "int", "default": 0, "min": -5, "max": 5}
    for node in data["nodes"].values():
        for option in node.get("options", []):
            kind, _, stage = option["id"].rpartition("-")
            if names and kind in ("calm", "note") and stage.isdigit():
                name = names[int(stage) % len(names)]
                option.setdefault("effects", {})[name] = 1 if kind == "calm" else -1
            if option["id"] == "resolve":
                option["if"] = " and ".join([option["if"], *(f"{name} > -3" for name in names)])
    return data


def scenario_text(
    nodes: int, seed: int = 0, scenario_id: str | None = None, extra_variables: int = 0
) -> str:
    """The generated scenario as YAML text (with ``extra_variables``, see `with_variables`)."""
    data = with_variables(generate(nodes, seed, scenario_id), extra_variables)
    header = f"# Generated by benchmarks/generate.py ({nodes} nodes, seed {seed}).\n"
    return header + yaml.safe_dump(data, sort_keys=False, width=100, allow_unicode=True)


def write_corpus(folder: Path, count: int, nodes: int) -> list[Path]:
    """Write ``count`` scenarios of ``nodes`` nodes (seeds 0..count-1) into ``folder``."""
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for seed in range(count):
        sid = f"gen-{nodes}-{seed}"
        path = folder / f"{sid}.scenario.yaml"
        path.write_text(scenario_text(nodes, seed, sid))
        paths.append(path)
    return paths


def main(argv: list[str] | None = None) -> int:
    """Write a corpus of generated scenarios."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("folder", type=Path)
    parser.add_argument("--count", type=int, default=200)
    parser.add_argument("--nodes", type=int, default=100)
    args = parser.parse_args(argv)
    write_corpus(args.folder, args.count, args.nodes)
    return 0


if __name__ == "__main__":
    sys.exit(main())
