"""What every lint check reads: the model, the document it came from, the behaviour vocabulary."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass

from simulator.errors import Problem
from simulator.model import Behaviour, Scenario, YamlPath
from simulator.yamlsource import Document


@dataclass(frozen=True)
class LintContext:
    """Inputs to the checks."""

    scenario: Scenario
    """The model built by the loader (possibly partial when the file has errors)."""
    doc: Document
    """The parsed document, for locating problems."""
    behaviours: dict[str, Behaviour]
    """Known behaviour ids; empty disables the behaviour check."""

    def problem(
        self, code: str, path: YamlPath, message: str, *, at_key: bool = False, offset: int = 0
    ) -> Problem:
        """Build a problem located at ``path`` in the document."""
        return self.doc.problem(code, path, message, at_key=at_key, offset=offset)


Check = Callable[[LintContext], Iterator[Problem]]
