"""`make bench` still runs: every section measured at a tiny size (no figure is judged here).

The benchmarks drive the real app, store, linter and explorer, so a change to any of them can
break a benchmark without breaking a test; these runs catch that. Timing targets live in the
benchmarks and docs/performance.md only, never in tests.
"""

from __future__ import annotations

import re

import pytest

from benchmarks import (
    bench_explore,
    bench_lint,
    bench_loader,
    bench_scale,
    bench_store,
    bench_ui,
)


def test_loader_section() -> None:
    out = bench_loader.run()
    assert out.startswith("## Loading and refusing hostile files")
    assert "| lint faulty-kettle.scenario.yaml" in out


def test_store_section(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(bench_store, "COMMITS", 5)
    monkeypatch.setattr(bench_store, "LONG", 30)
    monkeypatch.setattr(bench_store, "LEARNERS", 2)
    monkeypatch.setattr(bench_store, "PER_LEARNER", 2)
    monkeypatch.setattr(bench_store, "SHEETS", 3)
    out = bench_store.run()
    assert out.startswith("## Session store")
    assert re.search(r"\| class report \(HTML\), 2 learners x 2 sessions", out), out


def test_scale_section(monkeypatch: pytest.MonkeyPatch) -> None:
    for name, value in (
        ("LEARNERS", 3), ("PER_LEARNER", 4), ("GROUP", 2), ("IMPORT_LEARNERS", 2),
        ("IMPORT_PER_LEARNER", 3), ("ROUTES", 2),
    ):  # fmt: skip
        monkeypatch.setattr(bench_scale, name, value)
    out = bench_scale.run()
    assert out.startswith("## A store for a college")
    assert re.search(r"\| `class-report --format csv`, group of 2 \(8 sessions\) \| [\d.]+ s", out)
    assert re.search(r"\| app: My sessions \(4 rows\) \| [\d.]+ s \| \d+ MB \| (met|NOT)", out)
    assert "`import` of a store file of 6 short unscored sessions" in out
    assert "`import` of a store file of 6 short scored sessions" in out
    assert "`import` of a store file of 6 short unscored, all one learner's, sessions" in out


def test_interface_section(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(bench_ui, "PRESSES", 2)
    monkeypatch.setattr(bench_ui, "LATE", 12)
    monkeypatch.setattr(bench_ui, "STARTS", 1)
    monkeypatch.setattr(bench_ui, "KEY_PAIRS", 1)
    monkeypatch.setattr(bench_ui, "KEY_COUNT", 5)
    out = bench_ui.run()
    assert out.startswith("## Interface")
    assert re.search(r"\| turn 12 / turn 5 \(means\) \| [\d.]+x \(target", out), out
    assert re.search(
        r"\| customer-roleplay / bare, median of 1 interleaved pairs \| [\d.]+x \(target "
        r"≤ 1.3x: (met|MISSED)\); pairs [\d.]+x to [\d.]+x, [01] of 1 over 1.3x \|",
        out,
    ), out
    assert re.search(
        r"\| CPU to the first screen with the qualifications listed .* \| [\d.]+ s "
        r"\((met|NOT met): < 0.9 s\); most [\d.]+ s \|",
        out,
    ), out
    assert re.search(
        r"\| customer-roleplay / bare, median of 1 interleaved pairs \| [\d.]+x \(target "
        r"≤ 1.5x: (met|MISSED)\); pairs [\d.]+x to [\d.]+x, [01] of 1 over 1.5x \|",
        out,
    ), out
    assert re.search(
        r"\| the app's terminal closed: until the process has ended .* \| [\d.]+ ms \((met|NOT)",
        out,
    ), out


def test_lint_section(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(bench_lint, "COUNT", 3)
    monkeypatch.setattr(bench_lint, "NODES", 20)
    monkeypatch.setattr(bench_lint, "SEARCHED", 1)
    out = bench_lint.run()
    assert out.startswith("## Lint throughput")
    assert re.search(r"Target: lint at most 2× the bare parse: \*\*(met|NOT met)\*\*", out), out


def test_explore_section(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(bench_explore, "SIZES", (20, 40))
    monkeypatch.setattr(bench_explore, "TARGET_NODES", 20)
    monkeypatch.setattr(bench_explore, "WIDE_NODES", 20)
    monkeypatch.setattr(bench_explore, "WIDE_VARIABLES", 4)
    out = bench_explore.run()
    assert out.startswith("## Exploring every route")
    assert "| 40 | none |" in out and "| 20 | ocr-l2-unit7 |" in out
    assert re.search(r"\| 20, 4 int variables \| none \| [\d,]+ \|.* \| [\d,]+ \|$", out, re.M)
    assert "with 4 int variables under 400 MB: **" in out
