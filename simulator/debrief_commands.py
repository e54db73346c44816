"""``roleplay debrief``: find the class's sessions, count them, and open the projector screens.

Prints only diagnostics (stderr) and the ``--json`` result; the screens are
`simulator.ui.debrief`, imported only once there is something to show.
"""

from __future__ import annotations

import sys
from pathlib import Path

from simulator.catalog import UnknownRubric, UnknownScenario, open_rubric, open_scenario
from simulator.cli import EXIT_INPUT, EXIT_OK, EXIT_USAGE
from simulator.debrief import Debrief, build_debrief, scope_label, sessions_in_scope
from simulator.errors import ScenarioError
from simulator.lessons import LessonError, resolve_scope
from simulator.lint import bundled_behaviours
from simulator.model import Rubric
from simulator.store import Store, StoreError
from simulator.textsafe import json_text


def make_debrief(
    store_path: Path | None,
    ref: str,
    lesson: str | None,
    group: str | None,
    rubric_ref: str | None,
) -> Debrief | None:
    """The debrief of a scenario for a lesson or group, or None (the reason is on stderr)."""
    try:
        scenario = open_scenario(ref).scenario
    except UnknownScenario as exc:
        print(f"roleplay: {exc}", file=sys.stderr)
        return None
    except ScenarioError as exc:
        for problem in exc.problems:
            print(problem.format(), file=sys.stderr)
        print(f"roleplay: {ref} has errors; run 'roleplay lint {ref}'", file=sys.stderr)
        return None
    try:
        store = Store.open(store_path)
    except StoreError as exc:
        print(f"roleplay: {exc}", file=sys.stderr)
        return None
    with store:
        try:
            scope = resolve_scope(store, lesson, group)
        except LessonError as exc:
            print(f"roleplay: {exc}", file=sys.stderr)
            return None
        records = sessions_in_scope(store, scenario.id, scope)
        where = f"{scope_label(scope)} in {store.path}"
    chosen = rubric_ref or (scope.lesson.rubric if scope.lesson else None) or scenario.rubric
    rubric: Rubric | None = None
    if chosen:
        try:
            rubric = open_rubric(chosen)
        except (UnknownRubric, ScenarioError) as exc:
            print(f"roleplay: rubric '{chosen}': {exc}", file=sys.stderr)
            return None
    label = scope_label(scope)
    if scope.lesson is None and records:  # the group as its learners have it, not as typed
        label = f"group {records[0].learner.group or scope.group}"
    debrief = build_debrief(scenario, records, label, rubric, bundled_behaviours())
    for item in debrief.left_out:
        print(f"roleplay: left out {item}", file=sys.stderr)
    if not debrief.points:
        what = "no sessions" if not records else "no sessions with a reply chosen"
        print(
            f"roleplay: {what} of '{scenario.id}' (version {scenario.version}) for {where}; "
            "nothing to debrief",
            file=sys.stderr,
        )
        return None
    return debrief


def cmd_debrief(
    store_path: Path | None,
    ref: str,
    lesson: str | None,
    group: str | None,
    rubric_ref: str | None,
    as_json: bool,
) -> int:
    """Show what a class chose at each decision point of a scenario, on a projector."""
    debrief = make_debrief(store_path, ref, lesson, group, rubric_ref)
    if debrief is None:
        return EXIT_INPUT
    if as_json:
        print(json_text(debrief.to_dict()))
        return EXIT_OK
    if not (sys.stdout.isatty() and sys.stdin.isatty()):
        print("roleplay: the debrief needs a terminal; use --json for the counts", file=sys.stderr)
        return EXIT_USAGE
    from simulator.ui.debrief import DebriefApp  # the UI loads only when it is needed

    app = DebriefApp(debrief)
    app.run()
    return app.return_code or EXIT_OK
