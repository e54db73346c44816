"""Hostile input is refused quickly: a billion-laughs file, a 50 MB file, deep nesting."""

from __future__ import annotations

import tempfile
from pathlib import Path

from benchmarks.common import best_of, ms
from simulator.catalog import bundled_scenario_paths
from simulator.lint import check_scenario_file
from simulator.yamlsource import parse_document, read_document


def billion_laughs() -> str:
    """Return a classic exponential-alias YAML document (9^9 strings if expanded)."""
    lines = ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    prev = "a"
    for name in "bcdefghi":
        lines.append(f"{name}: &{name} [" + ",".join([f"*{prev}"] * 9) + "]")
        prev = name
    return "\n".join(lines) + "\n"


def run() -> str:
    """Measure and return the markdown section."""
    rows = []
    bomb = billion_laughs()
    best, median = best_of(lambda: parse_document(bomb, "bomb.yaml"))
    rows.append(("billion laughs (9^9 if expanded)", best, median))
    deep = "[" * 10_000 + "]" * 10_000
    best, median = best_of(lambda: parse_document(deep, "deep.yaml"))
    rows.append(("10,000 nested lists", best, median))
    with tempfile.TemporaryDirectory() as tmp:
        big = Path(tmp) / "big.scenario.yaml"
        big.write_bytes(b"title: " + b"x" * (50 * 1024 * 1024) + b"\n")
        best, median = best_of(lambda: read_document(big))
        rows.append(("50 MB file", best, median))
    for path in bundled_scenario_paths():
        best, median = best_of(lambda p=path: check_scenario_file(p), repeat=10)  # type: ignore[misc]
        rows.append((f"lint {path.name} (load + every check)", best, median))
    out = [
        "## Loading and refusing hostile files",
        "",
        "Each figure is the best and the median of several runs of one call.",
        "",
        "| input | best | median |",
        "|---|---|---|",
    ]
    out += [f"| {name} | {ms(b)} | {ms(m)} |" for name, b, m in rows]
    return "\n".join(out) + "\n"
