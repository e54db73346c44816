"""Scenarios and rubrics are read, parsed and checked once per process while their file is
unchanged (performance review finding 4: every feedback sheet read, parsed and linted its rubric
again, most of a sheet's cost); a file that changes is read again."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from simulator import catalog
from simulator.catalog import bundled_rubric_paths, open_rubric, open_scenario, resolve
from simulator.errors import ScenarioError
from simulator.report.views import Library
from simulator.scoring.session import coverable


@pytest.fixture
def counted(monkeypatch: pytest.MonkeyPatch) -> dict[str, int]:
    calls = {"scenario": 0, "rubric": 0}
    real_scenario, real_rubric = catalog.check_scenario_file, catalog.check_rubric_file

    def scenario(path: Path) -> object:
        calls["scenario"] += 1
        return real_scenario(path)

    def rubric(path: Path) -> object:
        calls["rubric"] += 1
        return real_rubric(path)

    monkeypatch.setattr(catalog, "check_scenario_file", scenario)
    monkeypatch.setattr(catalog, "check_rubric_file", rubric)
    monkeypatch.setattr(catalog, "_checked_scenarios", {})
    monkeypatch.setattr(catalog, "_checked_rubrics", {})
    return calls


def test_a_rubric_and_a_scenario_are_checked_once_for_many_opens(counted: dict[str, int]) -> None:
    rubrics = [open_rubric("ocr-l2-unit7") for _ in range(50)]
    scenarios = [open_scenario("faulty-kettle").scenario for _ in range(50)]
    assert all(r is rubrics[0] for r in rubrics)  # the same objects, shared
    assert all(s is scenarios[0] for s in scenarios)
    assert counted == {"scenario": 1, "rubric": 1}


def test_a_file_that_changes_is_read_again(counted: dict[str, int], tmp_path: Path) -> None:
    rubric = tmp_path / "ocr-l2-unit7.yaml"
    shutil.copy(next(p for p in bundled_rubric_paths() if p.stem == "ocr-l2-unit7"), rubric)
    before = open_rubric(str(rubric))
    text = rubric.read_text(encoding="utf-8")
    rubric.write_text(text.replace(f"title: {before.title}", "title: Edited by a tutor", 1))
    os.utime(rubric, ns=(1, 1))  # even an edit within the same clock tick shows by its size
    assert open_rubric(str(rubric)).title == "Edited by a tutor"
    rubric.write_text("rubric: [not, a, rubric")
    with pytest.raises(ScenarioError):
        open_rubric(str(rubric))  # and errors are found again, not remembered as good
    assert counted["rubric"] == 3

    scenario = tmp_path / "faulty-kettle.yaml"
    shutil.copy(resolve("faulty-kettle"), scenario)
    first = open_scenario(str(scenario)).scenario
    scenario.write_text(scenario.read_text(encoding="utf-8") + "\n# a comment\n")
    assert open_scenario(str(scenario)).scenario == first  # same content, read again
    assert counted["scenario"] == 2


def test_the_librarys_remembered_coverage_is_the_rules_own() -> None:
    library = Library()
    rubric = open_rubric("ocr-l2-unit7")
    rules = [c.rule for c in rubric.criteria if c.assess == "session" and c.rule is not None]
    assert rules
    for scenario in library.practice_pool():
        for rule in rules:
            expected = bool(coverable(rule, scenario))
            assert library.coverable(rule, scenario) is expected
            assert library.coverable(rule, scenario) is expected  # remembered, still the same
