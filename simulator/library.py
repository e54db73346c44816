"""The scenario library's catalogue: what each bundled scenario covers, and what the library as a
whole still lacks against what the units ask for (docs/scenarios.md is generated from this)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from simulator import spec
from simulator.model import Rubric, Scenario
from simulator.scoring.session import coverable

REQUIRED_ISSUES = 2
"""Scenarios each of Unit 7's typical issues needs (every issue but "other")."""
REQUIRED_SOURCES = 2
"""Scenarios each C3 problem source (a-e) needs."""
REQUIRED_CHARACTERISTICS = ("internal", "external", "language", "specialist", "disability")
"""Customers the library must include: internal and external, a first language other than
English, a specialist who knows more than the learner, a disabled customer."""
C3_SOURCES = {
    "customer": "4a: a problem first identified by customers",
    "organisation": "4b: a problem identified within the organisation before it has affected "
    "your customer",
    "expectations_gap": "4c: a problem caused by differences between your customer's "
    "expectations and what your organisation can offer",
    "system_failure": "4d: a problem caused by a system or procedure failure",
    "resources_or_error": "4e: a problem caused by a lack of resources or human error",
}
"""The C3 evidence requirement each problem source answers (OCR C3, "Evidence requirements"
4 a-e, verbatim)."""


@dataclass(frozen=True)
class Entry:
    """One scenario in the catalogue."""

    scenario: Scenario
    """The scenario."""
    criteria: tuple[str, ...]
    """Codes of its rubric's session criteria it can evidence."""

    @property
    def endings(self) -> int:
        """How many endings it has."""
        return sum(1 for n in self.scenario.nodes.values() if n.is_end)


def entries(scenarios: Sequence[Scenario], rubrics: dict[str, Rubric]) -> list[Entry]:
    """The catalogue's rows: each scenario with the criteria of its own rubric it can evidence."""
    out = []
    for s in sorted(scenarios, key=lambda s: s.id):
        rubric = rubrics.get(s.rubric or "")
        codes = tuple(
            c.code
            for c in (rubric.session_criteria if rubric is not None else ())
            if c.rule is not None and coverable(c.rule, s)
        )
        out.append(Entry(s, codes))
    return out


def gaps(rows: Sequence[Entry]) -> list[str]:
    """What the library still lacks against the units, one line each (empty when complete)."""
    found = []
    for issue in spec.ISSUES:
        if issue == "other":
            continue
        have = sum(1 for e in rows if e.scenario.context.issue == issue)
        if have < REQUIRED_ISSUES:
            found.append(f"issue {_words(issue)}: {have} of {REQUIRED_ISSUES} scenarios")
    for channel in spec.CHANNELS:
        if not any(e.scenario.context.channel == channel for e in rows):
            found.append(f"channel {_words(channel)}: no scenario")
    for indicator in spec.INDICATORS:
        if not any(indicator in e.scenario.context.customer.indicators for e in rows):
            found.append(f"indicator {_words(indicator)}: no scenario")
    for trait in REQUIRED_CHARACTERISTICS:
        if not any(trait in e.scenario.context.customer.characteristics for e in rows):
            found.append(f"customer characteristic {_words(trait)}: no scenario")
    for source, label in C3_SOURCES.items():
        have = sum(1 for e in rows if e.scenario.context.problem_source == source)
        if have < REQUIRED_SOURCES:
            found.append(f"C3 problem source {label}: {have} of {REQUIRED_SOURCES} scenarios")
    return found


def catalogue_markdown(rows: Sequence[Entry]) -> str:
    """docs/scenarios.md: every scenario, the coverage matrices, and what is still missing."""
    out = [
        "# The scenario library",
        "",
        "<!-- Generated from the bundled scenario files by `make docs`; a test fails when it is "
        "stale. -->",
        "",
        f"{len(rows)} bundled scenarios. Play one with `roleplay play ID`.",
        "",
        "| id | title | issue | channel | indicators | characteristics | problem source "
        "| difficulty | criteria it can evidence | nodes | endings |",
        "|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for e in rows:
        s = e.scenario
        c = s.context
        out.append(
            "| "
            + " | ".join(
                [
                    f"`{s.id}`",
                    _cell(s.title),
                    _words(c.issue),
                    _words(c.channel),
                    ", ".join(_words(i) for i in c.customer.indicators) or "–",
                    ", ".join(_words(t) for t in c.customer.characteristics) or "–",
                    _words(c.problem_source or "–"),
                    str(s.difficulty or "–"),
                    " ".join(e.criteria) or "–",
                    str(len(s.nodes)),
                    str(e.endings),
                ]
            )
            + " |"
        )
    out += ["", "## Issues and channels", "", "Scenarios in each cell; each issue needs "
            f"{REQUIRED_ISSUES}, each channel 1.", ""]  # fmt: skip
    out.append("| issue | " + " | ".join(_words(ch) for ch in spec.CHANNELS) + " | all |")
    out.append("|---" * (len(spec.CHANNELS) + 2) + "|")
    for issue in spec.ISSUES:
        cells = [
            sum(1 for e in rows if e.scenario.context.issue == issue
                and e.scenario.context.channel == ch)
            for ch in spec.CHANNELS
        ]  # fmt: skip
        out.append(
            f"| {_words(issue)} | " + " | ".join(str(n) if n else "" for n in cells)
            + f" | {sum(cells)} |"
        )  # fmt: skip
    out += _counts(
        "Indicators", spec.INDICATORS, rows, lambda e: e.scenario.context.customer.indicators
    )
    out += _counts(
        "Customer characteristics",
        spec.CHARACTERISTICS,
        rows,
        lambda e: e.scenario.context.customer.characteristics,
    )
    out += [
        "",
        "## C3 problem sources",
        "",
        "| source | C3 evidence | scenarios |",
        "|---|---|---|",
    ]
    for source, label in C3_SOURCES.items():
        ids = [e.scenario.id for e in rows if e.scenario.context.problem_source == source]
        out.append(f"| {_words(source)} | {label} | {', '.join(ids) or '–'} |")
    missing = gaps(rows)
    out += ["", "## Still missing", ""]
    out += (
        [f"- {line}" for line in missing]
        if missing
        else ["Nothing: every required cell is filled."]
    )
    return "\n".join(out) + "\n"


def _counts(
    title: str, values: Sequence[str], rows: Sequence[Entry], of: Callable[[Entry], Sequence[str]]
) -> list[str]:
    lines = ["", f"## {title}", "", "| value | scenarios |", "|---|---|"]
    for value in values:
        ids = [e.scenario.id for e in rows if value in of(e)]
        lines.append(f"| {_words(value)} | {', '.join(ids) or '–'} |")
    return lines


def _words(value: str) -> str:
    return value.replace("_", " ")


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")
