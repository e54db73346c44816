"""Result types: verdicts with evidence, session results and the portfolio view (JSON-ready)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

from simulator.decisions import TutorDecision

Status = Literal["achieved", "not_yet", "not_covered", "needs_tutor"]
# reasons: missing, too_few, order, speaker, blocked, ruled_out, outcome, unfinished, mismatch,
# portfolio, tutor
STATUSES: tuple[Status, ...] = ("achieved", "not_yet", "not_covered", "needs_tutor")


@dataclass(frozen=True)
class Evidence:
    """One of the learner's own lines, cited for a criterion."""

    turn: int
    """1-based number of the choice in the session."""
    node: str
    """Node where the line was said."""
    option: str
    """Option id chosen."""
    line: str
    """The learner's words."""
    behaviour: str
    """The behaviour the line showed that matters here."""
    to: str = ""
    """Whom the learner was speaking to (the node's speaker)."""
    session: str | None = None
    """In a portfolio view, the session the line comes from."""

    def to_dict(self) -> dict[str, Any]:
        """Return the evidence as JSON-ready data."""
        out: dict[str, Any] = {
            "turn": self.turn,
            "node": self.node,
            "option": self.option,
            "line": self.line,
            "behaviour": self.behaviour,
            "to": self.to,
        }
        if self.session is not None:
            out["session"] = self.session
        return out


@dataclass(frozen=True)
class CriticalError:
    """A serious error the learner made (a rubric's critical behaviour), and its correction."""

    behaviour: str
    """The critical behaviour, e.g. ``misstate_rights``."""
    evidence: Evidence
    """The learner's line that showed it."""
    corrected_by: Evidence | None = None
    """The later line that put it right, if any: the error then no longer rules out a grade."""

    def to_dict(self) -> dict[str, Any]:
        """Return the error as JSON-ready data."""
        return {
            "behaviour": self.behaviour,
            "line": self.evidence.to_dict(),
            "corrected": self.corrected_by is not None,
            "corrected_by": self.corrected_by.to_dict() if self.corrected_by else None,
        }


@dataclass(frozen=True)
class Consistency:
    """Across a learner's sessions: how often a criterion was achieved, and in the latest."""

    achieved: int
    """Sessions that achieved it (a tutor's decision included; not a session ruled out)."""
    of: int
    """Sessions that could evidence it."""
    latest: str | None
    """Its status in the latest session that could evidence it."""
    latest_session: str | None = None
    """That session."""

    def to_dict(self) -> dict[str, Any]:
        """Return the figures as JSON-ready data."""
        return {
            "achieved": self.achieved,
            "of": self.of,
            "latest": self.latest,
            "latest_session": self.latest_session,
        }


@dataclass(frozen=True)
class Verdict:
    """The judgement on one criterion."""

    code: str
    """Criterion code."""
    status: Status
    """achieved, not_yet, not_covered or needs_tutor."""
    reason: str | None = None
    """Why it is not achieved: missing, too_few, order, speaker, blocked, mismatch, portfolio, tutor."""
    detail: str = ""
    """A plain-English sentence explaining the verdict."""
    evidence: tuple[Evidence, ...] = ()
    """The learner's lines that evidence it (or, when blocked, the evidence that was cancelled)."""
    concerns: tuple[Evidence, ...] = ()
    """Lines that weaken it, or the line that blocked it."""
    feedback: str = ""
    """The rubric's feedback for this verdict."""
    decision: TutorDecision | None = None
    """The tutor's decision, when one replaced the simulator's verdict."""
    consistency: Consistency | None = None
    """In a portfolio view: achieved in how many of the sessions that could show it."""

    def to_dict(self) -> dict[str, Any]:
        """Return the verdict as JSON-ready data."""
        out: dict[str, Any] = {
            "status": self.status,
            "reason": self.reason,
            "detail": self.detail,
            "evidence": [e.to_dict() for e in self.evidence],
            "concerns": [e.to_dict() for e in self.concerns],
            "feedback": self.feedback,
        }
        if self.decision is not None:
            out["decision"] = self.decision.to_dict()
        if self.consistency is not None:
            out["consistency"] = self.consistency.to_dict()
        return out


@dataclass(frozen=True)
class Grade:
    """A grade and what it is over."""

    value: str
    """Band id (banded), ``competent`` or ``pass``, or ``not_yet``."""
    label: str
    """How to show it: "Merit", "Not yet"."""
    over: tuple[str, ...]
    """The criteria the grade is judged over."""
    not_covered: tuple[str, ...] = ()
    """Criteria among those that this scenario cannot evidence."""
    ceiling: str | None = None
    """The best grade this scenario allows at all."""
    awaiting_tutor: tuple[str, ...] = ()
    """Criteria a tutor still has to confirm (portfolio view)."""
    if_confirmed: str | None = None
    """The grade if every criterion awaiting a tutor is confirmed (portfolio view)."""
    ruled_out_by: tuple[str, ...] = ()
    """Critical errors not put right, which rule out every grade (session view)."""

    def to_dict(self) -> dict[str, Any]:
        """Return the grade as JSON-ready data."""
        return {
            "value": self.value,
            "label": self.label,
            "over": list(self.over),
            "not_covered": list(self.not_covered),
            "ceiling": self.ceiling,
            "awaiting_tutor": list(self.awaiting_tutor),
            "if_confirmed": self.if_confirmed,
            "ruled_out_by": list(self.ruled_out_by),
        }


@dataclass(frozen=True)
class SessionFacts:
    """What a portfolio needs to know about a session besides its verdicts."""

    session: str
    """Session id or label."""
    scenario: str
    """Scenario id."""
    issue: str
    """Scenario's issue type."""
    problem_source: str | None
    """Scenario's problem source."""
    channel: str
    """Scenario's channel."""
    behaviours: tuple[str, ...] = ()
    """Every behaviour the learner's lines showed."""


@dataclass(frozen=True)
class SessionResult:
    """One session judged against one rubric."""

    rubric: str
    """Rubric id."""
    rubric_version: int
    """Rubric revision."""
    scenario: str
    """Scenario id."""
    scenario_version: int
    """Scenario revision."""
    finished: bool
    """True if the conversation reached an ending."""
    outcome: str | None
    """The ending's outcome, if finished."""
    criteria: dict[str, Verdict]
    """Verdict per criterion, in the rubric's order."""
    grade: Grade
    """The session grade over the session criteria."""
    facts: SessionFacts
    """What a portfolio reads."""
    critical: tuple[CriticalError, ...] = ()
    """Every critical error the learner made, corrected or not, in order."""

    @property
    def open_errors(self) -> tuple[CriticalError, ...]:
        """The critical errors not put right: each rules out every grade.

        Worked out once (a portfolio asks for each criterion of each session); kept outside the
        fields, so it takes no part in equality or ``replace``.
        """
        kept = self.__dict__.get("_open_errors")
        if kept is None:
            kept = tuple(e for e in self.critical if e.corrected_by is None)
            object.__setattr__(self, "_open_errors", kept)
        return kept

    def for_session(self, session: str) -> SessionResult:
        """The same result for another session (one that took the same route with the same
        writing). Built directly rather than with ``dataclasses.replace``: a class report makes
        one for each of tens of thousands of sessions."""
        f = self.facts
        facts = SessionFacts(
            session, f.scenario, f.issue, f.problem_source, f.channel, f.behaviours
        )
        return SessionResult(
            self.rubric, self.rubric_version, self.scenario, self.scenario_version,
            self.finished, self.outcome, self.criteria, self.grade, facts, self.critical,
        )  # fmt: skip

    def to_dict(self) -> dict[str, Any]:
        """Return the result as JSON-ready data (the shape ``roleplay run --json`` adds)."""
        return {
            "rubric": {"id": self.rubric, "version": self.rubric_version},
            "critical_errors": [e.to_dict() for e in self.critical],
            "criteria": {code: v.to_dict() for code, v in self.criteria.items()},
            "grade": self.grade.value,
            "grade_detail": self.grade.to_dict(),
        }


@dataclass(frozen=True)
class PortfolioResult:
    """A learner's sessions combined into a unit-level view."""

    rubric: str
    """Rubric id."""
    rubric_version: int
    """Rubric revision."""
    sessions: tuple[str, ...]
    """The sessions combined."""
    criteria: dict[str, Verdict]
    """Unit-level verdict per criterion."""
    requirements: dict[str, Verdict]
    """Verdict per evidence requirement."""
    grade: Grade
    """The unit grade."""
    missing: tuple[str, ...] = field(default_factory=tuple)
    """Codes of criteria and requirements not yet achieved (needs_tutor excluded)."""
    critical: tuple[tuple[str, CriticalError], ...] = ()
    """(session, error) for every critical error, corrected or not, in session order."""
    critical_sessions: tuple[str, ...] = ()
    """Sessions with a critical error that was not put right (no grade, no evidence)."""
    session_grades: tuple[tuple[str, str], ...] = ()
    """(session, grade value) of every session combined, in order: the latest last."""

    def to_dict(self) -> dict[str, Any]:
        """Return the view as JSON-ready data."""
        return {
            "rubric": {"id": self.rubric, "version": self.rubric_version},
            "sessions": list(self.sessions),
            "session_grades": {session: grade for session, grade in self.session_grades},
            "critical_errors": [
                {"session": session, **e.to_dict()} for session, e in self.critical
            ],
            "sessions_with_critical_errors": list(self.critical_sessions),
            "criteria": {code: v.to_dict() for code, v in self.criteria.items()},
            "requirements": {code: v.to_dict() for code, v in self.requirements.items()},
            "grade": self.grade.value,
            "grade_detail": self.grade.to_dict(),
            "missing": list(self.missing),
        }
