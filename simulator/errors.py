"""Located problems: every authoring error and warning has a file, a line and a column."""

from __future__ import annotations

import difflib
from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum


class Severity(StrEnum):
    """How bad a problem is: errors stop a scenario from being played, warnings do not."""

    ERROR = "error"
    WARNING = "warning"


@dataclass(frozen=True, order=True)
class Problem:
    """One located problem, printed as ``path:line:col: severity: message [CODE]``."""

    path: str
    """File the problem is in, as given by the user."""
    line: int
    """1-based line number."""
    col: int
    """1-based column number."""
    severity: Severity
    """Error or warning."""
    code: str
    """Stable rule code such as ``E008``; see docs/lint-codes.md."""
    message: str
    """Plain-English description, with a "did you mean" suggestion where one exists."""

    def format(self) -> str:
        """Return the one-line, editor-parsable form of the problem."""
        return f"{self.path}:{self.line}:{self.col}: {self.severity}: {self.message} [{self.code}]"

    def to_dict(self) -> dict[str, str | int]:
        """Return the problem as a JSON-ready dict."""
        return {
            "path": self.path,
            "line": self.line,
            "col": self.col,
            "severity": str(self.severity),
            "code": self.code,
            "message": self.message,
        }


class ScenarioError(Exception):
    """Raised at the boundary when a file has errors; carries every problem found."""

    def __init__(self, problems: Iterable[Problem]) -> None:
        self.problems = sorted(problems)
        first = self.problems[0].format() if self.problems else "invalid file"
        more = len(self.problems) - 1
        super().__init__(first + (f" (and {more} more)" if more > 0 else ""))


def has_errors(problems: Iterable[Problem]) -> bool:
    """Return True if any problem is an error."""
    return any(p.severity is Severity.ERROR for p in problems)


def suggest(name: str, candidates: Iterable[str]) -> str:
    """Return ``" (did you mean 'x'?)"`` for the closest candidate, or an empty string."""
    matches = difflib.get_close_matches(str(name), [str(c) for c in candidates], n=1, cutoff=0.6)
    return f" (did you mean '{matches[0]}'?)" if matches else ""
