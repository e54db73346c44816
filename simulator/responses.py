"""What the learner writes: the cause assessment before the conversation, the review and the plan."""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from typing import Any


class ResponseError(ValueError):
    """Learner responses that cannot be read; the message says which part and why."""


@dataclass(frozen=True)
class CauseAssessment:
    """The learner's assessment of what caused the situation (OCR Unit 7 P1)."""

    issue: str | None = None
    """The issue type the learner names."""
    characteristics: tuple[str, ...] = ()
    """Customer characteristics the learner names."""
    indicators: tuple[str, ...] = ()
    """Indicators of a challenging customer the learner names."""
    notes: str = ""
    """Anything else the learner wrote."""
    issue_words: str = ""
    """What the issue is, in the learner's own words."""
    challenge_words: str = ""
    """What makes this customer challenging, in the learner's own words."""


@dataclass(frozen=True)
class Review:
    """The learner's review of their own performance (P8, P9)."""

    strengths: str = ""
    """What went well."""
    weaknesses: str = ""
    """What went less well."""
    challenges: str = ""
    """What was hard."""
    improvements: str = ""
    """What to do better."""

    def missing(self) -> list[str]:
        """Return the parts left empty."""
        parts = ("strengths", "weaknesses", "challenges", "improvements")
        return [p for p in parts if not getattr(self, p).strip()]


@dataclass(frozen=True)
class PlanEntry:
    """One learning activity in the learner's schedule (M4)."""

    activity: str
    """What the learner will do."""
    criterion: str = ""
    """The criterion it works towards."""
    target_date: str = ""
    """ISO date (YYYY-MM-DD) to do it by."""

    @property
    def complete(self) -> bool:
        """True when activity, criterion and a valid target date are all given."""
        if not (self.activity.strip() and self.criterion.strip()):
            return False
        try:
            datetime.date.fromisoformat(self.target_date)
        except ValueError:
            return False
        return True


@dataclass(frozen=True)
class LearnerResponses:
    """Everything the learner wrote for one session."""

    cause_assessment: CauseAssessment | None = None
    """Before the conversation."""
    review: Review | None = None
    """After it."""
    learning_plan: tuple[PlanEntry, ...] = field(default_factory=tuple)
    """Optional schedule of learning activities."""

    def to_dict(self) -> dict[str, Any]:
        """Return the responses as JSON-ready data."""
        out: dict[str, Any] = {}
        if self.cause_assessment is not None:
            c = self.cause_assessment
            out["cause_assessment"] = {
                "issue": c.issue,
                "characteristics": list(c.characteristics),
                "indicators": list(c.indicators),
                "notes": c.notes,
                "issue_words": c.issue_words,
                "challenge_words": c.challenge_words,
            }
        if self.review is not None:
            r = self.review
            out["review"] = {
                "strengths": r.strengths,
                "weaknesses": r.weaknesses,
                "challenges": r.challenges,
                "improvements": r.improvements,
            }
        if self.learning_plan:
            out["learning_plan"] = [
                {"activity": e.activity, "criterion": e.criterion, "target_date": e.target_date}
                for e in self.learning_plan
            ]
        return out

    @classmethod
    def from_dict(cls, data: Any) -> LearnerResponses:
        """Read responses from JSON data; raise ResponseError naming what is wrong."""
        if data is None:
            return cls()
        if not isinstance(data, dict):
            raise ResponseError("responses must be a JSON object")
        unknown = set(data) - {"cause_assessment", "review", "learning_plan"}
        if unknown:
            raise ResponseError(f"unknown part(s): {', '.join(sorted(unknown))}")
        cause = data.get("cause_assessment")
        review = data.get("review")
        plan = data.get("learning_plan")
        if plan is None:  # not `or []`: an empty object or string is the wrong shape, not absent
            plan = []
        return cls(
            cause_assessment=None if cause is None else _cause(cause),
            review=None if review is None else _review(review),
            learning_plan=tuple(_entry(e, i) for i, e in enumerate(_list(plan, "learning_plan"))),
        )


def _text(data: dict[str, Any], key: str, where: str) -> str:
    value = data.get(key, "")
    if value is None:
        return ""
    if not isinstance(value, str):
        raise ResponseError(f"{where}.{key} must be text")
    return value


def _list(value: Any, where: str) -> list[Any]:
    if not isinstance(value, list):
        raise ResponseError(f"{where} must be a list")
    return value


def _strings(data: dict[str, Any], key: str, where: str) -> tuple[str, ...]:
    items = _list(data.get(key, []), f"{where}.{key}")
    if not all(isinstance(i, str) for i in items):
        raise ResponseError(f"{where}.{key} must be a list of text")
    return tuple(items)


def _object(value: Any, where: str, keys: tuple[str, ...]) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise ResponseError(f"{where} must be an object")
    unknown = sorted(str(k) for k in set(value) - set(keys))
    if unknown:  # a misspelt key would otherwise read as a part left empty
        raise ResponseError(
            f"{where} has unknown key(s): {', '.join(unknown)} (expected: {', '.join(keys)})"
        )
    return value


def _cause(value: Any) -> CauseAssessment:
    data = _object(
        value,
        "cause_assessment",
        ("issue", "characteristics", "indicators", "notes", "issue_words", "challenge_words"),
    )
    issue = data.get("issue")
    if issue is not None and not isinstance(issue, str):
        raise ResponseError("cause_assessment.issue must be text")
    return CauseAssessment(
        issue=issue,
        characteristics=_strings(data, "characteristics", "cause_assessment"),
        indicators=_strings(data, "indicators", "cause_assessment"),
        notes=_text(data, "notes", "cause_assessment"),
        issue_words=_text(data, "issue_words", "cause_assessment"),
        challenge_words=_text(data, "challenge_words", "cause_assessment"),
    )


def _review(value: Any) -> Review:
    data = _object(value, "review", tuple(Review.__dataclass_fields__))
    return Review(**{k: _text(data, k, "review") for k in Review.__dataclass_fields__})


def _entry(value: Any, index: int) -> PlanEntry:
    where = f"learning_plan[{index}]"
    data = _object(value, where, ("activity", "criterion", "target_date"))
    return PlanEntry(
        activity=_text(data, "activity", where),
        criterion=_text(data, "criterion", where),
        target_date=_text(data, "target_date", where),
    )
