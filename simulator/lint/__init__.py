"""The scenario linter: every check, run over loaded scenarios, collecting located problems."""

from __future__ import annotations

from collections.abc import Iterable
from functools import lru_cache
from pathlib import Path

from simulator.errors import Problem
from simulator.lint import content, expressions, graph, references
from simulator.lint.context import Check, LintContext
from simulator.loader import Loaded, load_behaviours_file, load_scenario_file
from simulator.model import Behaviour
from simulator.resources import behaviours_path

CHECKS: tuple[Check, ...] = (
    *references.CHECKS,
    *expressions.CHECKS,
    *graph.CHECKS,
    *content.CHECKS,
)

SCENARIO_SUFFIXES = (".scenario.yaml", ".scenario.yml")


@lru_cache(maxsize=4)
def _behaviours(path: Path) -> tuple[dict[str, Behaviour], tuple[Problem, ...]]:
    found, problems = load_behaviours_file(path)
    return found, tuple(problems)


def bundled_behaviours() -> dict[str, Behaviour]:
    """Return the bundled behaviour vocabulary (empty if it cannot be read)."""
    return _behaviours(behaviours_path())[0]


def lint_loaded(loaded: Loaded, behaviours: dict[str, Behaviour] | None = None) -> list[Problem]:
    """Return the loader's problems plus every check's, sorted by place."""
    problems = list(loaded.problems)
    if loaded.scenario is not None and loaded.document is not None:
        ctx = LintContext(
            loaded.scenario,
            loaded.document,
            bundled_behaviours() if behaviours is None else behaviours,
        )
        for check in CHECKS:
            problems.extend(check(ctx))
    return sorted(set(problems))


def check_scenario_file(
    path: Path, display: str | None = None, behaviours: dict[str, Behaviour] | None = None
) -> tuple[Loaded, list[Problem]]:
    """Load and lint one scenario file."""
    loaded = load_scenario_file(path, display)
    return loaded, lint_loaded(loaded, behaviours)


def scenario_files(paths: Iterable[Path]) -> tuple[list[Path], list[str]]:
    """Expand files and folders into scenario files; return them and any paths that do not exist."""
    found: list[Path] = []
    missing: list[str] = []
    for path in paths:
        if path.is_dir():
            found.extend(sorted(p for p in path.rglob("*") if p.name.endswith(SCENARIO_SUFFIXES)))
        elif path.exists():
            found.append(path)
        else:
            missing.append(str(path))
    return found, missing
