"""The library catalogue (docs/scenarios.md): what each scenario covers, and what is missing."""

from __future__ import annotations

from dataclasses import replace

from simulator import spec
from simulator.catalog import open_rubric, open_scenario
from simulator.library import (
    C3_SOURCES,
    REQUIRED_CHARACTERISTICS,
    catalogue_markdown,
    entries,
    gaps,
)
from simulator.model import Scenario


def kettle() -> Scenario:
    return open_scenario("faulty-kettle").scenario


def variant(base: Scenario, n: int, **context: object) -> Scenario:
    """The base scenario under another id, with its context changed."""
    customer = base.context.customer
    changes = {k: v for k, v in context.items() if k in ("indicators", "characteristics")}
    ctx = replace(
        base.context,
        customer=replace(customer, **changes),  # type: ignore[arg-type]
        **{k: v for k, v in context.items() if k not in changes},  # type: ignore[arg-type]
    )
    return replace(base, id=f"v{n:02d}", context=ctx)


def complete_library() -> list[Scenario]:
    """Enough variants of one scenario to fill every required cell."""
    base = kettle()
    issues = [i for i in spec.ISSUES if i != "other"]
    out = []
    n = 0
    for issue in issues:
        for _ in range(2):
            out.append(variant(base, n, issue=issue, channel=spec.CHANNELS[n % len(spec.CHANNELS)],
                               problem_source=list(C3_SOURCES)[n % len(C3_SOURCES)],
                               indicators=(spec.INDICATORS[n % len(spec.INDICATORS)],),
                               characteristics=(REQUIRED_CHARACTERISTICS[n % 5],)))  # fmt: skip
            n += 1
    return out


def test_the_catalogue_lists_each_scenario_with_what_it_covers() -> None:
    base = kettle()
    rows = entries([base], {"ocr-l2-unit7": open_rubric("ocr-l2-unit7")})
    text = catalogue_markdown(rows)
    line = next(row for row in text.splitlines() if row.startswith("| `faulty-kettle`"))
    assert "| product faulty | face to face | angry, frustrated, unreasonable |" in line
    assert f"| {len(base.nodes)} | {rows[0].endings} |" in line and rows[0].endings >= 3
    assert " P2 P3 " in line  # the criteria of its rubric it can evidence


def test_a_complete_library_has_no_gap_and_says_so() -> None:
    rows = entries(complete_library(), {})
    assert gaps(rows) == []
    assert "Nothing: every required cell is filled." in catalogue_markdown(rows)


def test_each_missing_cell_is_named() -> None:
    library = complete_library()
    rows = entries([s for s in library if s.context.issue != "goods_not_delivered"], {})
    missing = gaps(rows)
    assert "issue goods not delivered: 0 of 2 scenarios" in missing
    rows = entries(
        [replace(s, context=replace(s.context, channel="telephone")) for s in library], {}
    )
    assert "channel sms: no scenario" in gaps(rows)
    assert "channel telephone: no scenario" not in gaps(rows)


def test_the_bundled_catalogue_has_a_row_for_each_bundled_scenario() -> None:
    from simulator.catalog import bundled_scenario_paths, scenario_id_of
    from simulator.docs import scenarios_markdown

    lines = scenarios_markdown().splitlines()
    ids = [scenario_id_of(p) for p in bundled_scenario_paths()]
    assert len(ids) >= 2
    for scenario_id in ids:
        assert sum(line.startswith(f"| `{scenario_id}` |") for line in lines) == 1
