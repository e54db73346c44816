"""Scoring: a session's choices and written responses judged against a rubric, with evidence.

Pure: imports the model only, never the UI or templates.
"""

from simulator.responses import (
    CauseAssessment,
    LearnerResponses,
    PlanEntry,
    ResponseError,
    Review,
)
from simulator.scoring.portfolio import combine
from simulator.scoring.recap import RecapItem, recap, strength
from simulator.scoring.results import (
    Consistency,
    CriticalError,
    Evidence,
    Grade,
    PortfolioResult,
    SessionFacts,
    SessionResult,
    Verdict,
)
from simulator.scoring.session import apply_decisions, coverable, score_session

__all__ = [
    "CauseAssessment",
    "Consistency",
    "CriticalError",
    "Evidence",
    "Grade",
    "LearnerResponses",
    "PlanEntry",
    "PortfolioResult",
    "RecapItem",
    "ResponseError",
    "Review",
    "SessionFacts",
    "SessionResult",
    "Verdict",
    "apply_decisions",
    "combine",
    "coverable",
    "recap",
    "score_session",
    "strength",
]
