"""Behaviour tests of the dialogue engine, through its public API, on small fixture scenarios."""

from __future__ import annotations

import copy
import dataclasses
import json
import subprocess
import sys
from pathlib import Path

import pytest

from simulator.catalog import open_scenario
from simulator.engine import (
    LEARNER,
    OptionUnavailable,
    ResumeError,
    Session,
    SessionOver,
    replay,
)
from simulator.model import Scenario

FIXTURES = Path(__file__).parent / "fixtures" / "engine"


def load(name: str) -> Scenario:
    """Load a fixture scenario by id."""
    return open_scenario(str(FIXTURES / f"{name}.scenario.yaml")).scenario


def play(name: str, *choices: str) -> Session:
    """Start a fixture scenario and make the given choices."""
    session = Session.start(load(name))
    for choice in choices:
        session.choose(choice)
    return session


def offered(session: Session) -> list[str]:
    return [o.id for o in session.available_options()]


def said(session: Session) -> list[str]:
    return [line.text for line in session.transcript]


def snapshot(session: Session) -> tuple[object, ...]:
    """Everything a user can observe about a session, for exact comparisons."""
    return (
        session.node_id,
        dict(session.variables),
        {n: session.visits(n) for n in session.scenario.nodes},
        {o: session.chosen(o) for o in session.scenario.options_by_id},
        list(session.transcript),
        list(session.steps),
        session.outcome,
        session.stuck_reason,
        offered(session),
    )


# -- fixtures themselves ---------------------------------------------------------------------


def test_fixtures_load_and_only_stuck_has_warnings() -> None:
    paths = sorted(FIXTURES.glob("*.scenario.yaml"))
    assert len(paths) >= 5
    for path in paths:
        opened = open_scenario(str(path))
        assert opened.scenario.id == path.name.removesuffix(".scenario.yaml")
        codes = [p.code for p in opened.warnings]
        assert codes == (["W102"] if opened.scenario.id == "stuck" else []), path.name


# -- starting --------------------------------------------------------------------------------


def test_start_is_at_start_node_with_defaults() -> None:
    session = play("effects")
    assert session.node_id == "desk"
    assert session.variables == {"mood": 0, "patience": 2, "level": 0, "refund": False}
    assert said(session) == ["My kettle is broken."]
    assert offered(session) == ["calm", "snap", "promise", "reset", "leave"]
    assert session.turns == 0
    assert not session.finished
    assert session.outcome is None


# -- effects and clamping --------------------------------------------------------------------


def test_int_effect_adds() -> None:
    session = play("effects", "calm")
    assert session.variables["mood"] == 2


def test_int_effect_clamped_at_max() -> None:
    session = play("effects", "calm", "calm")
    assert session.variables["mood"] == 3
    session.choose("calm")
    assert session.variables["mood"] == 3


def test_int_effect_clamped_at_min() -> None:
    session = play("effects", "snap")
    assert session.variables["mood"] == -2
    assert session.variables["patience"] == 0
    session.choose("snap")
    assert session.variables["mood"] == -3
    assert session.variables["patience"] == 0


def test_clamped_value_recovers_from_the_bound_not_beyond_it() -> None:
    session = play("effects", "snap", "snap", "snap", "calm")
    assert session.variables["mood"] == -1


def test_step_records_variables_before_and_after_clamping() -> None:
    session = play("effects", "calm", "calm")
    last = session.steps[-1]
    assert (last.node, last.option, last.auto, last.turn) == ("desk", "calm", False, 2)
    assert last.variables_before["mood"] == 2
    assert last.variables_after["mood"] == 3


def test_set_assigns_and_bool_effect_assigns() -> None:
    session = play("effects", "promise")
    assert session.variables["level"] == 7
    assert session.variables["refund"] is True
    session.choose("promise")
    assert session.variables["level"] == 7  # assigned again, not added
    session.choose("calm")
    session.choose("reset")
    assert session.variables["mood"] == 0
    assert session.variables["refund"] is False
    assert session.variables["level"] == 7


def test_condition_on_variables_offers_option() -> None:
    session = play("effects", "promise", "calm")
    assert "finish" not in offered(session)
    session.choose("calm")
    assert "finish" in offered(session)
    session.choose("finish")
    assert session.ended
    assert session.outcome == "resolved"


# -- say variants ------------------------------------------------------------------------------


def test_variants_follow_variables() -> None:
    assert said(play("effects", "calm", "calm"))[-1] == "That is much better, thank you."
    assert said(play("effects", "calm"))[-1] == "My kettle is broken."
    # patience runs out on the first snap; its variant comes before the mood one
    assert said(play("effects", "snap"))[-1] == "I have had enough of this."


def test_variant_text_is_fixed_when_said() -> None:
    session = play("effects", "calm", "calm")
    session.choose("reset")
    assert said(session)[-3] == "That is much better, thank you."
    assert said(session)[-1] == "My kettle is broken."


# -- once and fallback -------------------------------------------------------------------------


def test_once_option_disappears_after_use() -> None:
    session = play("once-fallback")
    assert offered(session) == ["ask-name", "ask-order"]
    session.choose("ask-name")
    assert offered(session) == ["ask-order"]
    with pytest.raises(OptionUnavailable):
        session.choose("ask-name")


def test_fallback_is_never_offered() -> None:
    session = play("once-fallback")
    assert "out-of-questions" not in offered(session)
    with pytest.raises(OptionUnavailable):
        session.choose("out-of-questions")


def test_fallback_taken_automatically_when_nothing_else_is_left() -> None:
    session = play("once-fallback", "ask-name")
    lines = session.choose("ask-order")
    assert session.node_id == "wrap"
    assert session.variables == {"asked": 2, "wrapped": True}
    assert [s.option for s in session.steps] == ["ask-name", "ask-order", "out-of-questions"]
    assert [s.auto for s in session.steps] == [False, False, True]
    assert session.chosen_path() == ["ask-name", "ask-order"]
    auto_lines = [line for line in session.transcript if line.auto]
    assert [(line.speaker, line.option) for line in auto_lines] == [(LEARNER, "out-of-questions")]
    # the lines returned by choose include the automatic reply and what follows it
    assert [line.text for line in lines] == [
        "What is your order number?",
        "What do you want to know?",
        "Thank you, that is everything I need.",
        "So, what happens now?",
    ]
    assert offered(session) == ["thank"]


def test_auto_step_counts_as_a_turn() -> None:
    session = play("once-fallback", "ask-name", "ask-order")
    assert session.turns == 3
    assert session.steps[-1].turn == 3


# -- loops and history ------------------------------------------------------------------------


def test_loop_revisits_node_and_counts_visits() -> None:
    session = play("loops")
    assert session.visits("hub") == 1
    session.choose("again")
    assert session.node_id == "hub"
    assert session.visits("hub") == 2
    assert session.visits("details") == 0
    assert said(session) == ["How can I help?", "Sorry, could you repeat that?", "How can I help?"]


def test_visits_condition_in_variant() -> None:
    session = play("loops", "again", "again")
    assert session.visits("hub") == 3
    assert said(session)[-1] == "We keep going round in circles."


def test_visited_condition_in_variant() -> None:
    session = play("loops", "details-q", "back")
    assert session.visits("details") == 1
    assert said(session)[-1] == "Anything else?"


def test_chosen_condition_offers_option() -> None:
    session = play("loops")
    assert "summarise" not in offered(session)
    session.choose("details-q")
    session.choose("back")
    assert session.chosen("details-q") == 1
    assert "summarise" in offered(session)
    session.choose("summarise")
    assert session.outcome == "resolved"


def test_turns_condition_offers_option() -> None:
    session = play("loops", "again", "again")
    assert "escalate" not in offered(session)
    session.choose("again")
    assert session.turns == 3
    assert "escalate" in offered(session)


@pytest.mark.parametrize(
    ("choices", "node", "outcome"),
    [
        (["details-q", "back", "summarise"], "fixed", "resolved"),
        (["again", "again", "again", "escalate"], "manager", "escalated"),
        (["hang-up"], "gone", "customer_lost"),
    ],
)
def test_endings(choices: list[str], node: str, outcome: str) -> None:
    session = play("loops", *choices)
    assert session.ended
    assert session.finished
    assert session.node_id == node
    assert session.outcome == outcome
    assert session.stuck_reason is None
    assert offered(session) == []


# -- next-only chains --------------------------------------------------------------------------


def test_narrator_chain_at_start_runs_to_first_choice() -> None:
    session = play("chain")
    assert session.node_id == "greet"
    assert [(line.speaker, line.text) for line in session.transcript] == [
        ("narrator", "A shop on a Monday morning."),
        ("narrator", "A customer walks up to the counter."),
        ("customer", "My parcel never came."),
    ]
    assert session.turns == 0
    assert offered(session) == ["check"]


def test_narrator_chain_after_choice_runs_to_ending() -> None:
    session = play("chain")
    lines = session.choose("check")
    assert [line.node for line in lines] == ["greet", "outro", "after", "done"]
    assert session.outcome == "resolved"
    assert session.turns == 1
    assert all(session.visits(n) == 1 for n in session.scenario.nodes)


# -- stuck --------------------------------------------------------------------------------------


def test_stuck_node_sets_reason() -> None:
    session = play("stuck", "go")
    assert session.node_id == "door"
    assert session.stuck_reason is not None
    assert "door" in session.stuck_reason
    assert session.finished
    assert not session.ended
    assert session.outcome is None
    assert offered(session) == []
    with pytest.raises(SessionOver, match="door"):
        session.choose("open")


def test_same_node_is_not_stuck_when_its_condition_holds() -> None:
    session = play("stuck", "take-key", "go")
    assert session.stuck_reason is None
    assert offered(session) == ["open"]
    session.choose("open")
    assert session.outcome == "resolved"


def test_undo_out_of_stuck() -> None:
    session = play("stuck", "go")
    assert session.undo()
    assert session.stuck_reason is None
    assert session.node_id == "hall"
    assert offered(session) == ["take-key", "go"]


# -- choosing ---------------------------------------------------------------------------------


def test_option_unavailable_names_node_and_available_options() -> None:
    session = play("once-fallback", "ask-name")
    with pytest.raises(OptionUnavailable) as info:
        session.choose("ask-name")
    message = str(info.value)
    assert "ask-name" in message
    assert "questions" in message
    assert "ask-order" in message
    assert [o.id for o in info.value.available] == ["ask-order"]


def test_unknown_option_does_not_change_session() -> None:
    session = play("effects", "calm")
    before = snapshot(session)
    with pytest.raises(OptionUnavailable):
        session.choose("nonsense")
    assert snapshot(session) == before


def test_hidden_conditional_option_is_unavailable() -> None:
    session = play("loops")
    with pytest.raises(OptionUnavailable, match="summarise"):
        session.choose("summarise")


def test_option_from_another_node_is_unavailable() -> None:
    session = play("loops")
    with pytest.raises(OptionUnavailable, match="hub"):
        session.choose("back")


def test_choose_by_number() -> None:
    session = play("effects")
    session.choose("2")  # snap
    assert session.steps[-1].option == "snap"
    assert session.variables["mood"] == -2


def test_numbers_count_only_available_options() -> None:
    session = play("once-fallback", "ask-name")
    session.choose("1")
    assert session.chosen_path() == ["ask-name", "ask-order"]


@pytest.mark.parametrize("ref", ["0", "6", "-1", "²", "", "１０"])
def test_out_of_range_or_odd_numbers_are_unavailable(ref: str) -> None:
    session = play("effects")
    with pytest.raises(OptionUnavailable):
        session.choose(ref)


def test_choosing_after_the_end_raises_session_over() -> None:
    session = play("effects", "leave")
    assert session.outcome == "unresolved"
    with pytest.raises(SessionOver, match="unresolved"):
        session.choose("calm")
    with pytest.raises(SessionOver):
        session.choose("1")


# -- undo ---------------------------------------------------------------------------------------


def test_undo_at_start_returns_false() -> None:
    session = play("effects")
    before = snapshot(session)
    assert session.undo() is False
    assert snapshot(session) == before


def test_undo_restores_state_exactly() -> None:
    session = play("loops", "again", "details-q")
    expected = snapshot(play("loops", "again", "details-q"))
    session.choose("back")
    assert session.undo() is True
    assert snapshot(session) == expected


def test_undo_restores_variables_exactly() -> None:
    session = play("effects", "calm", "promise")
    expected = snapshot(session)
    session.choose("calm")
    assert session.variables["mood"] == 3
    assert session.undo()
    assert snapshot(session) == expected
    assert session.variables["mood"] == 2


def test_undo_removes_auto_steps_after_the_undone_choice() -> None:
    session = play("once-fallback", "ask-name")
    expected = snapshot(session)
    session.choose("ask-order")
    assert session.steps[-1].auto
    assert session.undo()
    assert snapshot(session) == expected
    assert all(not s.auto for s in session.steps)
    assert all(not line.auto for line in session.transcript)
    assert session.variables == {"asked": 1, "wrapped": False}
    assert offered(session) == ["ask-order"]


def test_undo_after_end_and_repeatedly_back_to_start() -> None:
    session = play("loops", "again", "hang-up")
    assert session.undo()
    assert not session.ended
    assert session.undo()
    assert snapshot(session) == snapshot(play("loops"))
    assert session.undo() is False


# -- saving and resuming ----------------------------------------------------------------------


def round_trip(session: Session, scenario: Scenario | None = None) -> Session:
    data = json.loads(json.dumps(session.to_dict()))
    return Session.from_dict(scenario or session.scenario, data)


@pytest.mark.parametrize(
    ("name", "choices"),
    [
        ("effects", []),
        ("effects", ["calm", "snap", "promise"]),
        ("once-fallback", ["ask-name", "ask-order"]),
        ("loops", ["again", "details-q", "back", "summarise"]),
        ("chain", ["check"]),
        ("stuck", ["take-key", "go"]),
    ],
)
def test_save_round_trip(name: str, choices: list[str]) -> None:
    session = play(name, *choices)
    resumed = round_trip(session)
    assert resumed.node_id == session.node_id
    assert resumed.variables == session.variables
    assert resumed.transcript == session.transcript
    assert snapshot(resumed) == snapshot(session)


def test_save_records_choices_by_id_even_when_chosen_by_number() -> None:
    session = play("effects", "1", "2")
    data = session.to_dict()
    assert data["choices"] == ["calm", "snap"]
    assert data["scenario"] == "effects"
    assert data["scenario_version"] == 1


def test_resumed_session_can_continue_and_undo() -> None:
    resumed = round_trip(play("once-fallback", "ask-name", "ask-order"))
    assert resumed.undo()
    assert resumed.chosen_path() == ["ask-name"]
    resumed.choose("ask-order")
    resumed.choose("thank")
    assert resumed.outcome == "resolved"


def test_resume_refused_for_another_version() -> None:
    scenario = load("effects")
    data = json.loads(json.dumps(play("effects", "calm").to_dict()))
    newer = dataclasses.replace(scenario, version=3)
    with pytest.raises(ResumeError) as info:
        Session.from_dict(newer, data)
    message = str(info.value)
    assert "1" in message
    assert "3" in message
    assert "version" in message


def test_resume_refused_for_another_scenario() -> None:
    data = json.loads(json.dumps(play("effects", "calm").to_dict()))
    with pytest.raises(ResumeError, match="effects"):
        Session.from_dict(load("loops"), data)


def test_resume_refused_when_a_saved_choice_no_longer_exists() -> None:
    scenario = load("effects")
    data = json.loads(json.dumps(play("effects", "calm", "snap").to_dict()))
    desk = scenario.nodes["desk"]
    without_snap = dataclasses.replace(
        desk, options=tuple(o for o in desk.options if o.id != "snap")
    )
    changed = dataclasses.replace(scenario, nodes={**scenario.nodes, "desk": without_snap})
    with pytest.raises(ResumeError, match="snap"):
        Session.from_dict(changed, data)


def test_resume_refused_when_choices_are_edited_to_nonsense() -> None:
    data = json.loads(json.dumps(play("effects", "calm").to_dict()))
    data["choices"] = ["calm", "vanished"]
    with pytest.raises(ResumeError, match="vanished"):
        Session.from_dict(load("effects"), data)


@pytest.mark.parametrize(
    "damage",
    [
        lambda d: d.pop("choices"),
        lambda d: d.update(choices="calm"),
        lambda d: d.update(choices=[1, 2]),
        lambda d: d.update(save_format=99),
        lambda d: d.update(node="bye"),
    ],
)
def test_resume_refused_for_damaged_save(damage: object) -> None:
    data = copy.deepcopy(play("effects", "calm").to_dict())
    damage(data)  # type: ignore[operator]
    with pytest.raises(ResumeError):
        Session.from_dict(load("effects"), data)


@pytest.mark.parametrize("data", [None, [], "save", 3])
def test_resume_refused_for_non_mapping(data: object) -> None:
    with pytest.raises(ResumeError):
        Session.from_dict(load("effects"), data)  # type: ignore[arg-type]


# -- determinism --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "choices"),
    [
        ("effects", ["calm", "snap", "promise", "calm", "calm", "calm", "finish"]),
        ("once-fallback", ["ask-order", "ask-name", "thank"]),
        ("loops", ["again", "details-q", "back", "again", "escalate"]),
    ],
)
def test_same_choices_give_same_transcript(name: str, choices: list[str]) -> None:
    first = play(name, *choices)
    second = replay(load(name), list(choices))
    assert first.transcript == second.transcript
    assert snapshot(first) == snapshot(second)


# -- import hygiene ---------------------------------------------------------------------------


def test_engine_does_not_import_ui_or_templates() -> None:
    code = (
        "import sys, simulator.engine, simulator.lint, simulator.loader, simulator.expr, "
        "simulator.scoring, simulator.catalog, simulator.explore, simulator.store; "
        "from simulator.scoring import *; "
        "assert 'textual' not in sys.modules and 'jinja2' not in sys.modules"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr


def test_opening_the_store_does_not_load_the_engine_or_the_rubric_engine() -> None:
    """The simulator's first screen opens the store; the rest loads after it is drawn."""
    code = (
        "import sys, simulator.store; "
        "print(sorted(m for m in sys.modules if m.startswith('simulator.')))"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    loaded = result.stdout
    for heavy in ("simulator.engine", "simulator.expr", "simulator.scoring.session"):
        assert f"'{heavy}'" not in loaded, loaded
