"""The scenario linter: every check, run over loaded scenarios, collecting located problems."""

from __future__ import annotations

import gc
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from functools import lru_cache
from pathlib import Path

from simulator.errors import Problem, Severity
from simulator.lint import content, expressions, graph, references, search
from simulator.lint.context import Check, LintContext
from simulator.lint.rubrics import check_rubric
from simulator.loader import (
    Loaded,
    LoadedRubric,
    load_behaviours_file,
    load_rubric_file,
    load_scenario_file,
)
from simulator.model import Behaviour
from simulator.resources import behaviours_path, bundled_dir

CHECKS: tuple[Check, ...] = (
    *references.CHECKS,
    *expressions.CHECKS,
    *graph.CHECKS,
    *content.CHECKS,
)

SEARCH_CHECKS: tuple[Check, ...] = search.CHECKS
"""Checks that search every reachable state (`roleplay lint --search`); run only on scenarios
the other checks find no error in."""

SCENARIO_SUFFIXES = (".scenario.yaml", ".scenario.yml")
TEST_PLAN_SUFFIXES = (".tests.yaml", ".tests.yml")
BEHAVIOURS_FILE = "behaviours.yaml"


def kind_of(path: Path) -> str:
    """Return what a YAML file is by its name: scenario, behaviours, tests or rubric."""
    if path.name.endswith(SCENARIO_SUFFIXES):
        return "scenario"
    if path.name.endswith(TEST_PLAN_SUFFIXES):
        return "tests"
    if path.name == BEHAVIOURS_FILE:
        return "behaviours"
    return "rubric"


def bundled_rubric_ids() -> frozenset[str]:
    """Return the ids of the bundled rubrics."""
    folder = bundled_dir("rubrics")
    if not folder.is_dir():
        return frozenset()
    return frozenset(p.stem for p in folder.glob("*.yaml") if kind_of(p) == "rubric")


@lru_cache(maxsize=4)
def _behaviours(path: Path) -> tuple[dict[str, Behaviour], tuple[Problem, ...]]:
    found, problems = load_behaviours_file(path)
    return found, tuple(problems)


def bundled_behaviours() -> dict[str, Behaviour]:
    """Return the bundled behaviour vocabulary (empty if it cannot be read)."""
    return _behaviours(behaviours_path())[0]


def lint_loaded(
    loaded: Loaded, behaviours: dict[str, Behaviour] | None = None, search: bool = False
) -> list[Problem]:
    """Return the loader's problems plus every check's, sorted by place.

    With ``search``, a scenario without errors also gets the search checks (`SEARCH_CHECKS`).
    """
    problems = list(loaded.problems)
    if loaded.scenario is not None and loaded.document is not None:
        ctx = LintContext(
            loaded.scenario,
            loaded.document,
            bundled_behaviours() if behaviours is None else behaviours,
            bundled_rubric_ids(),
        )
        for check in CHECKS:
            problems.extend(check(ctx))
        if search and not any(p.severity is Severity.ERROR for p in problems):
            for check in SEARCH_CHECKS:
                problems.extend(check(ctx))
    return sorted(set(problems))


def check_scenario_file(
    path: Path,
    display: str | None = None,
    behaviours: dict[str, Behaviour] | None = None,
    search: bool = False,
) -> tuple[Loaded, list[Problem]]:
    """Load and lint one scenario file (with the search checks if ``search``)."""
    with _collector_paused():
        loaded = load_scenario_file(path, display)
        return loaded, lint_loaded(loaded, behaviours, search)


@contextmanager
def _collector_paused() -> Iterator[None]:
    """Pause Python's cycle collector while one file is loaded and checked.

    Loading makes hundreds of thousands of small dicts, lists and tuples, none of them in a
    reference cycle; the collector would otherwise walk them again and again (about a quarter of
    lint's time). Reference counting still frees everything as usual, and the collector runs
    as soon as it is resumed.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def scenario_files(paths: Iterable[Path]) -> tuple[list[Path], list[str]]:
    """Expand files and folders into scenario files; return them and any paths that do not exist."""
    return lintable_files(paths, kinds=("scenario",))


def lintable_files(
    paths: Iterable[Path], kinds: tuple[str, ...] = ("scenario", "behaviours", "rubric")
) -> tuple[list[Path], list[str]]:
    """Expand files and folders into the YAML files lint checks; also return missing paths.

    A file named explicitly is always checked; in a folder, the files of ``kinds`` are.
    """
    found: list[Path] = []
    missing: list[str] = []
    for path in paths:
        if path.is_dir():
            found.extend(
                sorted(
                    p
                    for p in path.rglob("*")
                    if p.suffix in (".yaml", ".yml") and kind_of(p) in kinds and p.is_file()
                )
            )
        elif path.exists():
            found.append(path)
        else:
            missing.append(str(path))
    return found, missing


def check_rubric_file(
    path: Path, display: str | None = None, behaviours: dict[str, Behaviour] | None = None
) -> tuple[LoadedRubric, list[Problem]]:
    """Load and lint one rubric file."""
    loaded = load_rubric_file(path, display)
    known = bundled_behaviours() if behaviours is None else behaviours
    problems = [*loaded.problems, *check_rubric(loaded, known)]
    return loaded, sorted(set(problems))


def check_behaviours_file(path: Path) -> list[Problem]:
    """Load the behaviour vocabulary and return its problems."""
    return sorted(set(load_behaviours_file(path)[1]))


def check_file(path: Path, search: bool = False) -> list[Problem]:
    """Lint any project YAML file by its kind (test plans are checked by `roleplay test`).

    With ``search``, scenarios also get the search checks.
    """
    kind = kind_of(path)
    if kind == "scenario":
        return check_scenario_file(path, search=search)[1]
    if kind == "behaviours":
        return check_behaviours_file(path)
    if kind == "rubric":
        return check_rubric_file(path)[1]
    return []
