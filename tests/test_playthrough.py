"""The order a learner sees the options in: shuffled per session, stable within a turn."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from simulator.catalog import open_scenario
from simulator.playthrough import Playthrough
from simulator.store import Store


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    with Store.open(tmp_path / "s.db") as opened:
        yield opened


def begin(store: Store, name: str = "Amy") -> Playthrough:
    scenario = open_scenario("faulty-kettle").scenario
    return Playthrough.begin(store, store.learner(name), scenario, None, "practice")


def ids(play: Playthrough) -> list[str]:
    return [o.id for o in play.options()]


def test_the_options_are_the_available_ones_in_a_shuffled_order(store: Store) -> None:
    play = begin(store)
    assert sorted(ids(play)) == sorted(o.id for o in play.session.available_options())


def test_the_same_turn_shows_the_same_order_every_time(store: Store) -> None:
    play = begin(store)
    first = ids(play)
    assert ids(play) == first  # a redraw
    play.choose("sorry-tell-me")
    second_turn = ids(play)
    play.undo()
    assert ids(play) == first  # undo returns to the same list, numbered the same
    play.choose("sorry-tell-me")
    assert ids(play) == second_turn
    record = store.session(play.session_id)
    assert record is not None
    resumed = Playthrough.resume(store, record, play.scenario, None)
    assert ids(resumed) == second_turn  # closing the terminal does not renumber


def test_the_strongest_reply_is_not_always_number_one(store: Store) -> None:
    # the author wrote the best opening first; across sessions it must stand in other places too
    places = {ids(begin(store, f"Learner {n}")).index("sorry-tell-me") for n in range(20)}
    assert len(places) >= 3, places
    # and within one session, the best reply is not first at every turn of the best route
    play = begin(store)
    firsts = 0
    for option_id in ("sorry-tell-me", "probe-fault", "safety-advice", "ask-date-proof"):
        firsts += ids(play)[0] == option_id
        play.choose(option_id)
    assert firsts < 4


VERIFIED_LATE = (  # reads her address before security, passes security later, then books
    "skip-security,probe-phone,acknowledge-lifeline,ask-white-box,ask-grey-cable,ask-red-socket,"
    "ask-telecare,verify-for-backup,offer-battery-backup,offer-callback-tl,brief-tl,"
    "list-tl-options,recommend-visit,explain-no-engineer,offer-choices,recommend-thursday,"
    "justify-thursday,teach-back,correct-and-book"
)


def test_practice_feedback_names_what_a_line_shows_where_it_was_said(store: Store) -> None:
    """Learner walkthrough, new problem C: a line whose `shows` depends on the state (booking
    is a breach only for an unverified caller) is named in practice feedback as it is scored."""
    scenario = open_scenario("router-helpline").scenario
    play = Playthrough.begin(store, store.learner("Amy"), scenario, None, "practice")
    outcomes = [play.choose(option_id) for option_id in VERIFIED_LATE.split(",")]
    first, last = outcomes[0], outcomes[-1]
    assert "breach_data_protection" in [b.id for b in first.behaviours]  # before security
    assert play.session.variables["verified"] is True
    booked = [b.id for b in last.behaviours]
    assert "breach_data_protection" not in booked and "complete_action" in booked
