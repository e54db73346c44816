"""What ``roleplay lesson`` and ``roleplay roster`` do: a tutor sets up a lesson for a group and
loads the group's roster from the college's export.

Results go to stdout, diagnostics to stderr; `simulator.cli` imports this module only for these
commands.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from simulator.catalog import (
    UnknownRubric,
    UnknownScenario,
    bundled_rubric_paths,
    bundled_scenario_paths,
    open_rubric,
    open_scenario,
)
from simulator.cli import EXIT_INPUT, EXIT_OK
from simulator.commands import open_store
from simulator.errors import ScenarioError
from simulator.lessons import (
    Lesson,
    LessonError,
    RosterFileError,
    add_to_roster,
    create_lesson,
    lesson,
    lesson_session_count,
    lessons,
    parse_roster_csv,
    roster,
)
from simulator.records import source_text
from simulator.store import Store

MODE_WORDS = {"practice": "practice", "assessment": "assessment practice"}


def _fail(message: str) -> int:
    print(f"roleplay: {message}", file=sys.stderr)
    return EXIT_INPUT


def _dates(found: Lesson) -> str:
    if found.opens and found.closes:
        return f"open {found.opens} to {found.closes}"
    if found.opens:
        return f"opens {found.opens}"
    if found.closes:
        return f"open until {found.closes}"
    return "open now, no closing date"


def lesson_dict(store: Store, found: Lesson) -> dict[str, Any]:
    """A lesson as JSON: what it is, with its group's roster size and its sessions so far."""
    return {
        "code": found.code,
        "title": found.title,
        "group": found.group,
        "scenarios": list(found.scenarios),
        "rubric": found.rubric,
        "mode": found.mode,
        "opens": found.opens,
        "closes": found.closes,
        "created": found.created,
        "roster_size": len(roster(store, found.group)),
        "sessions": lesson_session_count(store, found.code),
    }


def _scenario_ids(
    refs: Sequence[str], texts: dict[str, tuple[str, int]] | None = None
) -> list[str] | None:
    """The id of each scenario given (file or bundled id), in order, once each; None (having
    said why) when one is unknown or has errors. ``texts`` gets the text of each one given as a
    file that is not bundled (id -> (text, version)), for the store to keep."""
    ids: list[str] = []
    bad = False
    for ref in refs:
        try:
            opened = open_scenario(ref)
        except UnknownScenario as exc:
            print(f"roleplay: {exc}", file=sys.stderr)
            bad = True
            continue
        except ScenarioError as exc:
            print(f"roleplay: '{ref}' has errors and cannot be played:", file=sys.stderr)
            for problem in exc.problems:
                print(problem.format(), file=sys.stderr)
            bad = True
            continue
        if opened.scenario.id not in ids:
            ids.append(opened.scenario.id)
            text = source_text(opened.scenario)
            bundled = {p.resolve() for p in bundled_scenario_paths()}
            path = Path(opened.scenario.path) if opened.scenario.path else None
            if texts is not None and text is not None and path and path.resolve() not in bundled:
                texts[opened.scenario.id] = (text, opened.scenario.version)
    return None if bad else ids


def _rubric_id(ref: str) -> str | None:
    """The id of a bundled rubric (the only ones the simulator offers learners); None (having
    said why) if it is not one."""
    bundled = [p.stem for p in bundled_rubric_paths()]
    try:
        found = open_rubric(ref)
    except UnknownRubric as exc:
        print(f"roleplay: {exc}", file=sys.stderr)
        return None
    except ScenarioError as exc:
        print(f"roleplay: rubric '{ref}' has errors:", file=sys.stderr)
        for problem in exc.problems:
            print(problem.format(), file=sys.stderr)
        return None
    if found.id not in bundled:
        print(
            f"roleplay: rubric '{found.id}' is not bundled, so the simulator cannot judge the "
            f"lesson's sessions against it; bundled: {', '.join(bundled)}",
            file=sys.stderr,
        )
        return None
    return found.id


def cmd_lesson_new(
    store_path: Path | None,
    group: str,
    scenario_refs: Sequence[str],
    rubric_ref: str | None,
    mode: str,
    opens: str | None,
    closes: str | None,
    title: str | None,
    as_json: bool = False,
) -> int:
    """Create a lesson and print its join code, with what to tell the class."""
    own: dict[str, tuple[str, int]] = {}  # a tutor's own files: learners play them from the store
    ids = _scenario_ids(scenario_refs, own)
    rubric_id = _rubric_id(rubric_ref) if rubric_ref is not None else None
    if ids is None or (rubric_ref is not None and rubric_id is None):
        return EXIT_INPUT
    store = open_store(store_path)
    if store is None:
        return EXIT_INPUT
    with store:
        try:
            made = create_lesson(store, group, ids, rubric_id, mode, opens, closes, title)
            for scenario_id, (text, version) in own.items():
                store.keep_scenario_text(text, scenario_id, version)
        except LessonError as exc:
            return _fail(str(exc))
        if as_json:
            print(json.dumps(lesson_dict(store, made), indent=2))
        else:
            named = f" '{made.title}'" if made.title else ""
            print(f"Lesson{named} for {made.group}: join code {made.code}")
            print(f"  scenarios: {', '.join(made.scenarios)}")
            print(f"  rubric:    {made.rubric or 'the learner chooses'}")
            print(f"  mode:      {MODE_WORDS[made.mode]}")
            print(f"  dates:     {_dates(made)}")
            print(
                f"Tell the class: open roleplay, choose 'Join a lesson', type {made.code} and "
                "pick your name from the list."
            )
        if not roster(store, made.group):
            print(
                f"roleplay: group '{made.group}' has no roster yet, so nobody can join: "
                f"roleplay roster import FILE.csv --group '{made.group}'",
                file=sys.stderr,
            )
    return EXIT_OK


def cmd_lesson_list(store_path: Path | None, group: str | None, as_json: bool) -> int:
    """List the lessons (of a group), newest first."""
    store = open_store(store_path)
    if store is None:
        return EXIT_INPUT
    with store:
        found = lessons(store, group)
        if as_json:
            print(json.dumps([lesson_dict(store, f) for f in found], indent=2))
            return EXIT_OK
        if not found:
            where = f" for group '{group}'" if group else ""
            print(f"roleplay: no lessons{where} in {store.path}", file=sys.stderr)
            return EXIT_OK
        for f in found:
            named = f"  {f.title}" if f.title else ""
            print(
                f"{f.code}  {f.group:<12} {MODE_WORDS[f.mode]:<20} {_dates(f):<28} "
                f"{', '.join(f.scenarios)}{named}"
            )
    return EXIT_OK


def cmd_lesson_show(store_path: Path | None, code: str, as_json: bool) -> int:
    """Show one lesson: its scenarios, rubric, mode, dates, roster size and sessions so far."""
    store = open_store(store_path)
    if store is None:
        return EXIT_INPUT
    with store:
        found = lesson(store, code)
        if found is None:
            return _fail(f"no lesson with join code '{code}' in {store.path}")
        data = lesson_dict(store, found)
    if as_json:
        print(json.dumps(data, indent=2))
        return EXIT_OK
    print(f"Lesson {found.code}" + (f": {found.title}" if found.title else ""))
    print(f"  group:     {found.group} ({data['roster_size']} on the roster)")
    print(f"  scenarios: {', '.join(found.scenarios)}")
    print(f"  rubric:    {found.rubric or 'the learner chooses'}")
    print(f"  mode:      {MODE_WORDS[found.mode]}")
    print(f"  dates:     {_dates(found)}")
    print(f"  sessions:  {data['sessions']} so far")
    return EXIT_OK


def cmd_roster_import(store_path: Path | None, file: Path, group: str) -> int:
    """Load a group's roster from the college's CSV export: every row, or (if any row is bad)
    none, so the tutor fixes the file and runs it again; a row already there is not added twice."""
    try:
        data = file.read_bytes()
    except OSError as exc:
        return _fail(f"cannot read {file}: {exc.strerror or exc}")
    try:
        parsed = parse_roster_csv(data)
    except RosterFileError as exc:
        return _fail(f"{file}: {exc}")
    for problem in parsed.problems:
        print(f"{file}:{problem.line}: error: {problem.message}", file=sys.stderr)
    if parsed.problems:
        bad = len(parsed.problems)
        return _fail(
            f"{file}: nothing imported: {bad} bad row{'s' if bad != 1 else ''}; fix "
            f"{'them' if bad != 1 else 'it'} and run the command again"
        )
    if not parsed.entries:
        return _fail(f"{file}: no learners in the file, only a header row")
    store = open_store(store_path)
    if store is None:
        return EXIT_INPUT
    with store:
        try:
            added, changed = add_to_roster(store, group, parsed.entries)
        except LessonError as exc:
            return _fail(str(exc))
        entries = roster(store, group)
        total, name = len(entries), entries[0].group if entries else group
    same = len(parsed.entries) - added - changed
    print(
        f"{file}: {added} learner{'s' if added != 1 else ''} added to {name}, {changed} "
        f"name{'s' if changed != 1 else ''} changed, {same} already there; the roster has "
        f"{total} learner{'s' if total != 1 else ''}"
    )
    return EXIT_OK


def cmd_roster_list(store_path: Path | None, group: str, as_json: bool) -> int:
    """List a group's roster, by name."""
    store = open_store(store_path)
    if store is None:
        return EXIT_INPUT
    with store:
        entries = roster(store, group)
        where = store.path
    if not entries:
        return _fail(
            f"no roster for group '{group}' in {where}: "
            f"roleplay roster import FILE.csv --group '{group}'"
        )
    if as_json:
        learners = [{"learner_id": e.learner_ref, "name": e.name} for e in entries]
        print(json.dumps({"group": entries[0].group, "learners": learners}, indent=2))
        return EXIT_OK
    width = max(len(e.learner_ref) for e in entries)
    for e in entries:
        print(f"{e.learner_ref:<{width}}  {e.name}")
    print(f"{entries[0].group}: {len(entries)} learner{'s' if len(entries) != 1 else ''}",
          file=sys.stderr)  # fmt: skip
    return EXIT_OK
