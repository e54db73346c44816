"""The documentation's examples are real: the format doc's complete example lints clean and plays."""

from __future__ import annotations

import re
from pathlib import Path

from simulator.catalog import open_scenario
from simulator.engine import replay
from simulator.lint import check_scenario_file

ROOT = Path(__file__).resolve().parent.parent


def _complete_example(tmp_path: Path) -> Path:
    text = (ROOT / "docs" / "scenario-format.md").read_text()
    section = text[text.index("## A complete example") :]
    block = re.search(r"```yaml\n(.*?)```", section, re.S)
    assert block is not None, "the complete example is missing from docs/scenario-format.md"
    path = tmp_path / "late-parcel.scenario.yaml"
    path.write_text(block.group(1))
    return path


def test_format_doc_example_passes_strict_lint(tmp_path: Path) -> None:
    _, problems = check_scenario_file(_complete_example(tmp_path))
    assert [p.format() for p in problems] == []


def test_format_doc_example_plays_to_both_endings(tmp_path: Path) -> None:
    scenario = open_scenario(str(_complete_example(tmp_path))).scenario
    good = replay(scenario, ["check-with-neighbours", "sorry-and-verify", "replace-next-day"])
    assert good.outcome == "resolved"
    assert good.variables["verified"] is True
    poor = replay(scenario, ["sorry-and-verify", "blame-courier"])
    assert poor.outcome == "customer_lost"
