"""One learner playing one scenario: the engine, the store and scoring wired together.

The interface drives a ``Playthrough``; it never touches the engine, store or scoring itself. Every
choice is committed to the store before the interface shows its result, so closing the terminal
at any moment loses nothing that was on screen.
"""

from __future__ import annotations

import random
import time
from dataclasses import dataclass, field

from simulator.engine import EngineError, Line, Session, replay
from simulator.lint import bundled_behaviours
from simulator.model import Behaviour, Option, Rubric, Scenario, Value
from simulator.records import source_text
from simulator.scoring import (
    LearnerResponses,
    RecapItem,
    SessionResult,
    apply_decisions,
    recap,
    score_session,
)
from simulator.store import Learner, SessionRecord, Store


class ResumeRefused(Exception):
    """A stored session cannot be resumed (the scenario changed since, or its choices no longer
    play through it)."""


@dataclass(frozen=True)
class ChoiceOutcome:
    """What one choice did, for practice-mode feedback."""

    option: Option
    """The option chosen."""
    lines: list[Line]
    """Everything said as a result (the learner's line first)."""
    changes: dict[str, tuple[Value, Value]]
    """Variables that changed: name -> (before, after)."""
    behaviours: list[Behaviour]
    """The behaviours the line showed."""


@dataclass
class Playthrough:
    """A session in progress for a learner, saved as it goes."""

    store: Store
    """Where every turn is committed."""
    learner: Learner
    """Who is playing."""
    scenario: Scenario
    """What is being played."""
    rubric: Rubric | None
    """What it is judged against."""
    mode: str
    """practice or assessment."""
    session_id: int
    """Id in the store."""
    session: Session
    """The engine's session."""
    responses: LearnerResponses = field(default_factory=LearnerResponses)
    """What the learner has written."""
    notes: list[str] = field(default_factory=list)
    """Notes typed during the conversation."""
    _shown_at: float = field(default_factory=time.monotonic)

    @classmethod
    def begin(
        cls,
        store: Store,
        learner: Learner,
        scenario: Scenario,
        rubric: Rubric | None,
        mode: str,
        responses: LearnerResponses | None = None,
        *,
        lesson_code: str | None = None,
    ) -> Playthrough:
        """Start and record a new session (in a lesson, if its join code is given)."""
        session_id = store.start_session(
            learner,
            scenario,
            mode,
            rubric.id if rubric else None,
            rubric.version if rubric else None,
            lesson_code=lesson_code,
            scenario_text=source_text(scenario),  # kept, so the session replays with no file
        )
        answers = responses or LearnerResponses()
        if answers != LearnerResponses():
            store.save_responses(session_id, answers)
        play = cls(
            store, learner, scenario, rubric, mode, session_id, Session.start(scenario), answers
        )
        if play.session.steps:  # the start node may run automatic steps
            store.record_steps(session_id, play.session, play.session.steps, None)
        return play

    @classmethod
    def resume(
        cls, store: Store, record: SessionRecord, scenario: Scenario, rubric: Rubric | None
    ) -> Playthrough:
        """Continue a stored session from its last committed turn."""
        if record.scenario_version != scenario.version:
            raise ResumeRefused(
                f"session {record.id} was played on version {record.scenario_version} of "
                f"'{scenario.id}'; the scenario is now version {scenario.version}, so it cannot be "
                "resumed: start it again"
            )
        try:
            session = replay(scenario, record.choices)
        except EngineError as exc:  # an imported or damaged record whose choices do not play
            raise ResumeRefused(
                f"session {record.id} cannot be resumed: its recorded choices do not play "
                f"through '{scenario.id}' ({exc}): start it again"
            ) from exc
        return cls(
            store, record.learner, scenario, rubric, record.mode, record.id, session,
            record.responses, [text for _, text in record.notes],
        )  # fmt: skip

    # -- playing ------------------------------------------------------------------------------
    @property
    def practice(self) -> bool:
        """True in practice mode (feedback after each choice, undo allowed)."""
        return self.mode == "practice"

    def options(self) -> list[Option]:
        """The options the learner may choose now, in this session's order for this turn.

        Authors tend to write the strongest reply first; shown in that order, "always press 1"
        would pass. So the order is shuffled, the same way every time this turn of this session
        is shown (again after an undo, after a resume), and differently in another session.
        """
        available = self.session.available_options()
        turn = f"{self.session_id}:{self.session.node_id}:{len(self.session.steps)}"
        random.Random(turn).shuffle(available)
        return available

    def choose(self, option_id: str) -> ChoiceOutcome:
        """Take an option, commit it (and any automatic steps) to the store, return its effect."""
        before_vars = dict(self.session.variables)
        before_steps = len(self.session.steps)
        before_lines = len(self.session.transcript)
        taken_ms = int((time.monotonic() - self._shown_at) * 1000)
        chosen = self.session.chosen_path()
        said = self.scenario.options_by_id.get(option_id)
        # what the line shows where it is said (its `shows` variant), as the scoring judges it
        shows = self.session.shows(said) if said is not None else ()
        self.session.choose(option_id)
        try:
            self.store.record_steps(
                self.session_id, self.session, self.session.steps[before_steps:], taken_ms
            )
        except BaseException:  # not saved, so not said: the session stays as the store has it
            self.session = replay(self.scenario, chosen)
            raise
        self._shown_at = time.monotonic()
        option = self.scenario.options_by_id[self.session.steps[before_steps].option]
        after = self.session.variables
        changes = {k: (v, after[k]) for k, v in before_vars.items() if after[k] != v}
        known = bundled_behaviours()
        return ChoiceOutcome(
            option,
            self.session.transcript[before_lines:],
            changes,
            [known[b] for b in shows if b in known],
        )

    def undo(self) -> bool:
        """Take back the last choice (practice mode only); the store forgets it too."""
        had = len(self.session.steps)
        chosen = self.session.chosen_path()
        if not self.practice or not self.session.undo():
            return False
        try:
            self.store.truncate(self.session_id, len(self.session.steps), had)
        except BaseException:  # not forgotten by the store, so not taken back on screen
            self.session = replay(self.scenario, chosen)
            raise
        self._shown_at = time.monotonic()
        return True

    def add_note(self, text: str) -> None:
        """Record a note."""
        text = text.strip()
        if text:
            self.notes.append(text)
            self.store.add_note(self.session_id, text)

    def save_responses(self, responses: LearnerResponses) -> None:
        """Record what the learner wrote, and rescore if the conversation is over."""
        self.responses = responses
        self.store.save_responses(self.session_id, responses)
        if self.session.finished:
            self.result()

    # -- results ------------------------------------------------------------------------------
    def result(self, *, save: bool = True) -> SessionResult | None:
        """Score the session so far against the rubric, with the tutor's decisions in place of
        the verdicts they decided, and store the result (unless ``save`` is False)."""
        if self.rubric is None:
            return None
        steps = [(s.node, s.option, s.auto) for s in self.session.steps]
        result = score_session(
            self.rubric,
            self.scenario,
            steps,
            self.responses,
            outcome=self.session.outcome,
            session_id=str(self.session_id),
        )
        result = apply_decisions(self.rubric, result, self.store.decisions(self.session_id))
        if save:
            self.store.save_result(self.session_id, result)
        return result

    def recap(self) -> list[RecapItem]:
        """Each choice, with a stronger option where one existed."""
        return recap(self.scenario, self.session.chosen_path(), bundled_behaviours())
