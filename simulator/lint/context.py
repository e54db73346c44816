"""What every lint check reads: the model, the document it came from, the behaviour vocabulary."""

from __future__ import annotations

import difflib
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

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
    rubrics: frozenset[str] = frozenset()
    """Known rubric ids; empty disables the rubric check."""

    def problem(
        self, code: str, path: YamlPath, message: str, *, at_key: bool = False, offset: int = 0
    ) -> Problem:
        """Build a problem located at ``path`` in the document."""
        return self.doc.problem(code, path, message, at_key=at_key, offset=offset)

    def raw(self, path: YamlPath) -> Any:
        """Return the value at ``path`` as written in the file (None if there is none)."""
        value: Any = self.doc.data
        for part in path:
            if isinstance(value, dict) and isinstance(part, str):
                value = value.get(part)
            elif isinstance(value, list) and isinstance(part, int) and 0 <= part < len(value):
                value = value[part]
            else:
                return None
        return value

    def raw_keys(self, path: YamlPath) -> set[str]:
        """Return the keys written in the mapping at ``path`` (empty if it is not a mapping)."""
        value = self.raw(path)
        return {str(k) for k in value} if isinstance(value, dict) else set()

    def damaged(self, path: YamlPath) -> bool:
        """True if the loader already reported a problem that dropped part of ``path``.

        Checks use this to stay silent about the consequences of a problem already reported
        (a node left out of the model is not also 'unknown', say).
        """
        return self.doc.damaged(path)

    def misspelt(self, path: YamlPath, key: str) -> bool:
        """True if the mapping at ``path`` has an unknown key, already reported, close to ``key``."""
        if not self.doc.broken:
            return False  # the common case: nothing was reported, so nothing is misspelt
        unknown = [k for k in self.raw_keys(path) if (*path, k) in self.doc.broken]
        return bool(unknown) and bool(difflib.get_close_matches(key, unknown, n=1, cutoff=0.6))

    def written_ids(self, section: str) -> set[str]:
        """Return the ids written under ``nodes``, ``variables`` or ``cast``, even broken ones."""
        return self.raw_keys((section,))

    def written_option_ids(self) -> set[str]:
        """Return every option id written in the file, including options left out of the model."""
        found: set[str] = set()
        nodes = self.raw(("nodes",))
        for node in nodes.values() if isinstance(nodes, dict) else ():
            options = node.get("options") if isinstance(node, dict) else None
            for option in options if isinstance(options, list) else ():
                if isinstance(option, dict) and isinstance(option.get("id"), str):
                    found.add(option["id"])
        return found


Check = Callable[[LintContext], Iterator[Problem]]
