"""Finding scenarios: by path or bundled id, loaded and checked, ready to play."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from simulator.errors import Problem, ScenarioError, Severity, suggest
from simulator.lint import SCENARIO_SUFFIXES, check_rubric_file, check_scenario_file, kind_of
from simulator.loader import Loaded, LoadedRubric
from simulator.model import Rubric, Scenario
from simulator.resources import bundled_dir

CHECKED_KEPT = 64
"""At most this many files' checks are remembered (then all are forgotten at once)."""
_checked_scenarios: dict[tuple[str, int, int], tuple[Loaded, list[Problem]]] = {}
_checked_rubrics: dict[tuple[str, int, int], tuple[LoadedRubric, list[Problem]]] = {}


def _key(path: Path) -> tuple[str, int, int] | None:
    """A file as it is now: its real path, when it last changed and its size."""
    try:
        found = path.stat()
        return (str(path.resolve()), found.st_mtime_ns, found.st_size)
    except OSError:
        return None


def _remembered(cache: dict[tuple[str, int, int], Any], path: Path, check: Any) -> Any:
    """``check(path)``, once for each file while it is unchanged; a copy of its problem list."""
    key = _key(path)
    found = cache.get(key) if key else None
    if found is None:
        found = check(path)
        if key:
            if len(cache) >= CHECKED_KEPT:
                cache.clear()
            cache[key] = found
    return found[0], list(found[1])


def checked_scenario(path: Path) -> tuple[Loaded, list[Problem]]:
    """`check_scenario_file`, once for each file in a process while the file is unchanged: a
    group's feedback sheets and reports load the same few scenarios again and again."""
    loaded, problems = _remembered(_checked_scenarios, path, check_scenario_file)
    return loaded, problems


def checked_rubric(path: Path) -> tuple[LoadedRubric, list[Problem]]:
    """`check_rubric_file`, once for each file in a process while the file is unchanged (a
    sheet read, parsed and linted its rubric again: most of its cost)."""
    loaded, problems = _remembered(_checked_rubrics, path, check_rubric_file)
    return loaded, problems


class UnknownScenario(Exception):
    """No file or bundled scenario has this name."""


def bundled_scenario_paths() -> list[Path]:
    """Return the bundled scenario files, sorted by id."""
    folder = bundled_dir("scenarios")
    if not folder.is_dir():
        return []
    return sorted(p for p in folder.iterdir() if p.name.endswith(SCENARIO_SUFFIXES))


def scenario_id_of(path: Path) -> str:
    """Return the id a scenario file name implies."""
    name = path.name
    for suffix in SCENARIO_SUFFIXES:
        if name.endswith(suffix):
            return name[: -len(suffix)]
    return path.stem


def resolve(ref: str) -> Path:
    """Return the file for a path or a bundled scenario id."""
    path = Path(ref)
    if path.is_file():
        return path
    if path.is_dir():
        raise UnknownScenario(f"'{ref}' is a folder; give one scenario file or id")
    bundled = {scenario_id_of(p): p for p in bundled_scenario_paths()}
    if ref in bundled:
        return bundled[ref]
    if "/" in ref or "\\" in ref or ref.endswith((".yaml", ".yml")):
        raise UnknownScenario(f"no such file: {ref}")
    hint = suggest(ref, bundled)
    listing = ", ".join(bundled) or "none"
    raise UnknownScenario(
        f"no scenario file or bundled scenario called '{ref}'{hint}; bundled: {listing}"
    )


@dataclass(frozen=True)
class Opened:
    """A scenario ready to play, with any warnings it has."""

    scenario: Scenario
    """The model."""
    path: Path
    """The file it came from."""
    warnings: list[Problem]
    """Warnings (errors would have stopped it opening)."""


def open_scenario(ref: str) -> Opened:
    """Load and lint a scenario by path or id; raise ScenarioError if it has any error."""
    path = resolve(ref)
    loaded, problems = checked_scenario(path)
    errors = [p for p in problems if p.severity is Severity.ERROR]
    if errors or loaded.scenario is None:
        raise ScenarioError(errors or problems)
    warnings = [p for p in problems if p.severity is Severity.WARNING]
    return Opened(loaded.scenario, path, warnings)


class UnknownRubric(Exception):
    """No file or bundled rubric has this name."""


def bundled_rubric_paths() -> list[Path]:
    """Return the bundled rubric files, sorted by id."""
    folder = bundled_dir("rubrics")
    if not folder.is_dir():
        return []
    return sorted(p for p in folder.glob("*.yaml") if kind_of(p) == "rubric")


def open_rubric(ref: str) -> Rubric:
    """Load and lint a rubric by path or bundled id; raise ScenarioError if it has any error."""
    path = Path(ref)
    if not path.is_file():
        named = bundled_dir("rubrics") / f"{ref}.yaml"  # the usual case, without a listing
        if "/" not in ref and named.is_file() and kind_of(named) == "rubric":
            path = named
    if not path.is_file():
        bundled = {p.stem: p for p in bundled_rubric_paths()}
        if ref not in bundled:
            raise UnknownRubric(
                f"no rubric file or bundled rubric called '{ref}'{suggest(ref, bundled)}; "
                f"bundled: {', '.join(bundled) or 'none'}"
            )
        path = bundled[ref]
    loaded, problems = checked_rubric(path)
    errors = [p for p in problems if p.severity is Severity.ERROR]
    if errors or loaded.rubric is None:
        raise ScenarioError(errors or problems)
    return loaded.rubric
