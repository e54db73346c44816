"""A tutor's decision on one criterion of one session: the record that overrides a verdict.

Kept apart from scoring so that the store can read decisions without loading the scorer.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal


@dataclass(frozen=True)
class TutorDecision:
    """A tutor's decision on one criterion of one session (``roleplay confirm``)."""

    code: str
    """Criterion code."""
    verdict: Literal["achieved", "not_yet"]
    """What the tutor decided."""
    by: str
    """Who decided."""
    at: str
    """When (ISO 8601, UTC)."""
    note: str = ""
    """Why."""

    def to_dict(self) -> dict[str, Any]:
        """Return the decision as JSON-ready data."""
        return {"verdict": self.verdict, "by": self.by, "at": self.at, "note": self.note}
