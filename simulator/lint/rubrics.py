"""Rubric checks: every behaviour a rubric names exists."""

from __future__ import annotations

from collections.abc import Iterator

from simulator.errors import Problem, suggest
from simulator.loader import LoadedRubric
from simulator.model import Behaviour, Criterion


def _named(criterion: Criterion) -> Iterator[tuple[tuple[str, ...], tuple[str | int, ...]]]:
    if criterion.rule is not None:
        r = criterion.rule
        for key, ids in (
            ("any", r.any),
            ("all", r.all),
            ("after", r.after),
            ("blocked_by", r.blocked_by),
            ("ruled_out_by", r.ruled_out_by),
            ("weakened_by", r.weakened_by),
        ):
            yield ids, (*criterion.where, "rule", key)
    if criterion.portfolio is not None:
        yield criterion.portfolio.behaviours, (*criterion.where, "portfolio", "behaviours")


def check_rubric(loaded: LoadedRubric, behaviours: dict[str, Behaviour]) -> Iterator[Problem]:
    """E050: every behaviour named in a rule is in the vocabulary."""
    if loaded.rubric is None or loaded.document is None or not behaviours:
        return
    doc = loaded.document
    for criterion in loaded.rubric.criteria + loaded.rubric.requirements:
        for ids, path in _named(criterion):
            for i, behaviour in enumerate(ids):
                if behaviour not in behaviours:
                    yield doc.problem(
                        "E050", (*path, i),
                        f"criterion {criterion.code} names unknown behaviour '{behaviour}'"
                        f"{suggest(behaviour, behaviours)} (see rubrics/behaviours.yaml)",
                    )  # fmt: skip
