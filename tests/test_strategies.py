"""Mindless strategies (`simulator.strategies`): what they choose, what they earn, and W124.

Built on tests/fixtures/lint/w124-strategy-earns-grade.scenario.yaml, a six-step parcel call in
which each step has one right and one wrong reply: as written, the right replies are the longest,
so "always the longest" earns a Pass on ocr-l2-unit7. Edits of its text move the courtesy words
or the length to the wrong replies.
"""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

import pytest

from simulator import cli
from simulator.catalog import bundled_scenario_paths, open_rubric, scenario_id_of
from simulator.lint import check_scenario_file, search
from simulator.model import Option, Rubric, Scenario
from simulator.strategies import check_strategies, courtesy, longest, most_courteous
from tests.test_explore import load_text

FIXTURE = Path(__file__).parent / "fixtures" / "lint" / "w124-strategy-earns-grade.scenario.yaml"
TEXT = FIXTURE.read_text()
RIGHT = "ask-open,ask-closed,brief,explain,explain-policy,book"


def scenario(text: str = TEXT) -> Scenario:
    return load_text(text, "w124-strategy-earns-grade")


def unit7() -> Rubric:
    return open_rubric("ocr-l2-unit7")


def w124(tmp_path: Path, text: str) -> list[str]:
    path = tmp_path / "w124-strategy-earns-grade.scenario.yaml"
    path.write_text(text)
    return [p.message for p in check_scenario_file(path, search=True)[1] if p.code == "W124"]


def test_courtesy_counts_markers_not_length() -> None:
    assert courtesy("Sorry! Please, thank you.") == 3
    assert courtesy("I understand, and I apologise; thanks for waiting, of course.") == 4
    assert courtesy("Tell me what happened with the parcel, from the start.") == 0


def test_longest_and_most_courteous_pick_by_their_rule_first_written_on_a_tie() -> None:
    a = Option("a", "Sorry, please.", "x", "n")
    b = Option("b", "A much longer reply with no courtesy in it at all.", "x", "n")
    c = Option("c", "Thank you, sorry.", "x", "n")
    assert longest([a, b, c]) is b
    assert most_courteous([a, b, c]) is c  # two markers each: the longer wins
    assert longest([a, Option("d", "Sorry, please!", "x", "n")]) is a  # same length: first


def test_the_longest_replies_earn_a_pass_when_they_are_the_right_ones(tmp_path: Path) -> None:
    found = check_strategies(scenario(), unit7())
    assert (found.longest.grade, ",".join(found.longest.route)) == ("pass", RIGHT)
    assert found.courteous.grade == "not_yet"  # "Sorry! Please, thank you." asks nothing
    assert found.courteous.route[0] == "thanks"
    assert len(w124(tmp_path, TEXT)) == 1
    assert "always choosing the longest reply earns Pass" in w124(tmp_path, TEXT)[0]


def test_the_most_courteous_replies_earning_a_band_is_reported(tmp_path: Path) -> None:
    # the polite line asks the open question; the long one asks nothing
    text = TEXT.replace(
        """        say: "Tell me what happened with the parcel, from the start, in your own time."
        shows: [open_question]
        quality: strong""",
        """        say: "Tell me what happened with the parcel, from the start, in your own time."
        quality: poor""",
    ).replace(
        """        say: "Sorry! Please, thank you."
        quality: poor""",
        """        say: "Sorry! Please, what happened?"
        shows: [open_question]
        quality: strong""",
    )
    found = check_strategies(scenario(text), unit7())
    assert (found.longest.grade, found.courteous.grade) == ("not_yet", "pass")
    (message,) = w124(tmp_path, text)
    assert "always choosing the most courteous reply earns Pass" in message


def test_one_deviation_to_the_top_band_is_reported(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # a Pass-only version of Unit 7, so that Pass is the top band; the longest reply is wrong at
    # the first step only
    full = unit7()
    pass_only = replace(
        full,
        bands=full.bands[:1],
        criteria=tuple(c for c in full.criteria if c.band == "pass"),
    )
    monkeypatch.setattr(search, "bundled_rubric", lambda rubric_id: pass_only)
    text = TEXT.replace('"Sorry! Please, thank you."', '"' + "Sorry, " * 20 + 'please."')
    found = check_strategies(scenario(text), pass_only)
    assert found.longest.grade == "not_yet"
    assert (found.one_deviation.grade, found.one_deviation.deviation) == ("pass", 1)
    assert ",".join(found.one_deviation.route) == RIGHT
    messages = w124(tmp_path, text)
    assert any("everywhere but choice 1 earns Pass" in m for m in messages), messages


def test_a_strategy_that_loops_for_ever_is_unfinished_and_earns_nothing() -> None:
    text = TEXT.replace(
        """      - id: right
        say: "Right."
        quality: poor
        next: manager""",
        """      - id: right
        say: "Right, let me just go back over all of that again with you from the very top."
        quality: poor
        next: probe""",
    )
    found = check_strategies(scenario(text), unit7())
    assert found.longest.outcome is None
    assert found.longest.grade == "in_progress"
    assert not found.earns_band(found.longest)


def test_explore_reports_the_strategies(capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.main(["explore", str(FIXTURE), "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["strategies"]["longest"]["grade"] == "pass"
    assert data["strategies"]["longest"]["route"] == RIGHT.split(",")
    assert data["strategies"]["courteous"]["grade"] == "not_yet"
    assert set(data["strategies"]["one_deviation"]) >= {"grade", "route", "deviation_at"}
    assert cli.main(["explore", str(FIXTURE)]) == 0
    out = capsys.readouterr().out
    assert "Always the longest reply: Pass (resolved)" in out
    assert "Always the most courteous reply: Not yet" in out


@pytest.mark.parametrize("sid", [scenario_id_of(p) for p in bundled_scenario_paths()])
def test_no_mindless_strategy_earns_a_grade_on_the_bundled_scenarios(sid: str) -> None:
    from simulator.catalog import open_scenario

    found = check_strategies(open_scenario(sid).scenario, unit7())
    assert found.longest.grade == "not_yet", found.longest.route
    assert found.courteous.grade == "not_yet", found.courteous.route
    # one deviation from the longest may find a Pass, never a Distinction (the lint rule's bar)
    assert found.one_deviation.grade != "distinction", found.one_deviation.route
    # and the longest route is a real conversation: it ends
    assert found.longest.outcome is not None
