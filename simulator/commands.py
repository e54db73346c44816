"""What each ``roleplay`` command does (all but ``play``, which `simulator.cli` starts itself).

`simulator.cli` parses the command line and imports this module only for these commands, so
that ``roleplay`` with no arguments draws the simulator's first screen without loading the
linter, the explorer and the rest first.
"""

from __future__ import annotations

import json
import shlex
import sqlite3
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from simulator.catalog import (
    Opened,
    UnknownRubric,
    UnknownScenario,
    bundled_scenario_paths,
    open_rubric,
    open_scenario,
)
from simulator.cli import EXIT_INPUT, EXIT_OK, EXIT_UNAVAILABLE, EXIT_USAGE
from simulator.engine import LEARNER, EngineError, OptionUnavailable, Session
from simulator.errors import Problem, ScenarioError, Severity, suggest
from simulator.lint import bundled_behaviours, check_file, check_scenario_file, lintable_files
from simulator.model import Rubric, Scenario
from simulator.records import find_learners, learner_label, source_text
from simulator.scoring import (
    LearnerResponses,
    ResponseError,
    SessionResult,
    coverable,
    score_session,
)
from simulator.scoring.session import IN_PROGRESS
from simulator.store import (
    ImportReport,
    Learner,
    SessionRecord,
    Store,
    StoreError,
    schema_columns,
)
from simulator.strategies import check_strategies
from simulator.textsafe import json_text


def _print_problems(problems: list[Problem]) -> None:
    for problem in problems:
        print(problem.format(), file=sys.stderr)


def cmd_lint(paths: list[Path], fmt: str, strict: bool, search: bool = False) -> int:
    """Lint files and folders; exit 1 on any error (or warning with --strict)."""
    files, missing = lintable_files(paths)
    problems: list[Problem] = [
        Problem(m, 1, 1, Severity.ERROR, "E001", "no such file or folder") for m in missing
    ]
    for path in files:
        problems.extend(check_file(path, search=search))
    errors = sum(p.severity is Severity.ERROR for p in problems)
    warnings = len(problems) - errors
    if fmt == "json":
        print(json.dumps([p.to_dict() for p in problems], indent=2))
    else:
        for problem in problems:
            print(problem.format())
    checked = f"{len(files)} file{'s' if len(files) != 1 else ''} checked"
    if not files and not missing:
        print("no scenario or rubric files (*.yaml) found", file=sys.stderr)
        return EXIT_INPUT
    summary = (
        f"{checked}: {errors} error{'s' if errors != 1 else ''}, "
        f"{warnings} warning{'s' if warnings != 1 else ''}"
        if problems
        else f"{checked}: no problems"
    )
    print(summary, file=sys.stderr)
    return EXIT_INPUT if errors or (strict and warnings) else EXIT_OK


def open_or_report(ref: str) -> Opened | None:
    """Open a scenario by path or id, printing its warnings; print why and return None if not."""
    try:
        opened = open_scenario(ref)
        _print_problems(
            opened.warnings
        )  # warnings do not stop play, but the author should see them
        return opened
    except UnknownScenario as exc:
        print(f"roleplay: {exc}", file=sys.stderr)
    except ScenarioError as exc:
        print(f"roleplay: '{ref}' has errors and cannot be played:", file=sys.stderr)
        _print_problems(exc.problems)
    return None


def _open_rubric(ref: str) -> Rubric | None:
    try:
        return open_rubric(ref)
    except UnknownRubric as exc:
        print(f"roleplay: {exc}", file=sys.stderr)
    except ScenarioError as exc:
        print(f"roleplay: rubric '{ref}' has errors:", file=sys.stderr)
        _print_problems(exc.problems)
    return None


def _read_responses(path: Path | None) -> LearnerResponses | None:
    if path is None:
        return LearnerResponses()
    try:
        return LearnerResponses.from_dict(json.loads(path.read_text(encoding="utf-8")))
    except OSError as exc:
        print(f"roleplay: cannot read {path}: {exc.strerror or exc}", file=sys.stderr)
    except json.JSONDecodeError as exc:
        print(f"{path}:{exc.lineno}:{exc.colno}: error: not valid JSON: {exc.msg}", file=sys.stderr)
    except (ResponseError, UnicodeDecodeError) as exc:
        print(f"{path}: error: {exc}", file=sys.stderr)
    return None


@dataclass(frozen=True)
class SaveTo:
    """Where and as whom ``run --save`` stores a headless session."""

    store: Path | None
    learner: str | None
    learner_ref: str | None
    group: str | None
    mode: str


def open_store(path: Path | None) -> Store | None:
    """Open the store, or say why it cannot be opened (on stderr) and return None."""
    try:
        return Store.open(path)
    except StoreError as exc:
        print(f"roleplay: {exc}", file=sys.stderr)
        return None


def cmd_run(
    ref: str,
    choose: str,
    as_json: bool,
    rubric_ref: str | None = None,
    responses_path: Path | None = None,
    save: SaveTo | None = None,
) -> int:
    """Play a scenario headless by option ids; print the transcript and result."""
    if save is not None and not (save.learner or "").strip():
        print("roleplay: --save needs --learner NAME (who played it)", file=sys.stderr)
        return EXIT_USAGE
    opened = open_or_report(ref)
    if opened is None:
        return EXIT_INPUT
    scenario = opened.scenario
    rubric = None
    wants_result = save is not None or responses_path is not None
    rubric_ref = rubric_ref or (scenario.rubric if wants_result else None)
    if rubric_ref is not None:
        rubric = _open_rubric(rubric_ref)
        if rubric is None:
            return EXIT_INPUT
    responses = _read_responses(responses_path)
    if responses is None:
        return EXIT_INPUT
    session = Session.start(scenario)
    refs = [c.strip() for c in choose.split(",") if c.strip()]
    store: Store | None = None
    session_id: int | None = None
    if save is not None:
        store = open_store(save.store)
        if store is None:
            return EXIT_INPUT
        learner = store.learner(save.learner or "", save.learner_ref, save.group)
        session_id = store.start_session(
            learner, scenario, save.mode, rubric.id if rubric else None,
            rubric.version if rubric else None, scenario_text=source_text(scenario),
        )  # fmt: skip
        store.save_responses(session_id, responses)

    def show() -> None:
        result = None if rubric is None else score(rubric, session, responses)
        if store is not None and session_id is not None and result is not None:
            store.save_result(session_id, result)
        _print_run(session, as_json, result, session_id)

    try:
        for ref_ in refs:
            try:
                before = len(session.steps)
                session.choose(ref_)
                if store is not None and session_id is not None:
                    store.record_steps(session_id, session, session.steps[before:], None)
            except OptionUnavailable as exc:
                show()
                print(f"roleplay: {exc}", file=sys.stderr)
                return EXIT_UNAVAILABLE
            except EngineError as exc:
                show()
                print(f"roleplay: cannot choose '{ref_}': {exc}", file=sys.stderr)
                return EXIT_UNAVAILABLE
        show()
        if session.stuck_reason is not None:
            print(f"roleplay: the conversation is stuck: {session.stuck_reason}", file=sys.stderr)
            return EXIT_INPUT
        return EXIT_OK
    finally:
        if store is not None:
            store.close()


def run_result(session: Session) -> dict[str, Any]:
    """Return the JSON form of a headless run."""
    s = session.scenario
    steps: list[dict[str, Any]] = []
    for step in session.steps:
        item: dict[str, Any] = {"node": step.node, "option": step.option}
        if step.auto:
            item["auto"] = True
        steps.append(item)
    return {
        "scenario": s.id,
        "scenario_version": s.version,
        "path": steps,
        "ending": {"node": session.node_id, "outcome": session.outcome} if session.ended else None,
        "variables": dict(session.variables),
        "transcript": [
            {
                "speaker": line.speaker,
                "name": "You" if line.speaker == LEARNER else s.speaker_name(line.speaker),
                "text": line.text,
                "node": line.node,
                "option": line.option,
            }
            for line in session.transcript
        ],
        "available": [o.id for o in session.available_options()],
    }


def score(rubric: Rubric, session: Session, responses: LearnerResponses) -> SessionResult:
    """Judge a played session against a rubric."""
    steps = [(s.node, s.option, s.auto) for s in session.steps]
    return score_session(rubric, session.scenario, steps, responses, outcome=session.outcome)


def _print_run(
    session: Session,
    as_json: bool,
    result: SessionResult | None = None,
    session_id: int | None = None,
) -> None:
    if as_json:
        data = run_result(session)
        if result is not None:
            data.update(result.to_dict())
        if session_id is not None:
            data["session"] = session_id
        print(json.dumps(data, indent=2))
        return
    s = session.scenario
    print(f"{s.title} ({s.id}, version {s.version})")
    print()
    for line in session.transcript:
        if line.speaker == LEARNER:
            tag = "auto" if line.auto else line.option
            print(f"  You [{tag}]: {line.text}")
        elif line.speaker == "narrator":
            print(f"  ({line.text})")
        else:
            print(f"  {s.speaker_name(line.speaker)}: {line.text}")
    print()
    if session.ended:
        print(f"Ending: {session.outcome} (node '{session.node_id}')")
    elif session.stuck_reason is None:
        offered = ", ".join(f"{i}. {o.id}" for i, o in enumerate(session.available_options(), 1))
        print(f"Not finished: at node '{session.node_id}'; options now: {offered}")
    values = ", ".join(f"{k}={_show(v)}" for k, v in session.variables.items())
    print(f"Variables: {values or '(none)'}")
    if result is not None:
        _print_result(result)
    if session_id is not None:
        print(f"Session: {session_id}")


NO_GRADE = "No grade: a serious error was not put right"


def _print_result(result: SessionResult) -> None:
    print()
    g = result.grade
    print(f"Rubric: {result.rubric} (version {result.rubric_version})")
    labels = bundled_behaviours() if result.critical else {}

    def label(behaviour: str) -> str:
        return labels[behaviour].label if behaviour in labels else behaviour.replace("_", " ")

    if result.critical:  # serious errors first: they decide whether there is a grade at all
        print("Serious errors:")
        for error in result.critical:
            e, fix = error.evidence, error.corrected_by
            state = f"put right at turn {fix.turn} [{fix.option}]" if fix else "NOT put right"
            print(f'  turn {e.turn} [{e.option}] {label(error.behaviour)}, {state}: "{e.line}"')
    if g.ruled_out_by:
        named = ", ".join(label(b).lower() for b in g.ruled_out_by)
        print(f"Session grade: {NO_GRADE} ({named})")
    elif g.value == IN_PROGRESS:
        print(f"Session grade: {g.label} (no grade yet: the conversation has not ended)")
    else:
        print(f"Session grade: {g.label}  (over {', '.join(g.over) or 'no criteria'})")
    if g.not_covered:
        print(f"  This scenario cannot show: {', '.join(g.not_covered)}")
    for code, v in result.criteria.items():
        reason = f" ({v.reason})" if v.reason and v.status == "not_yet" else ""
        print(f"  {code:<5} {v.status}{reason}: {v.detail}")
        for e in v.evidence:
            print(f'        turn {e.turn} [{e.option}] {e.behaviour}: "{e.line}"')
        for e in v.concerns:
            print(f'        concern, turn {e.turn} [{e.option}] {e.behaviour}: "{e.line}"')


def _show(value: object) -> str:
    return str(value).lower() if isinstance(value, bool) else str(value)


def _explore_progress() -> Callable[[int, int, float], None] | None:
    """A progress line on stderr, rewritten in place, when stderr is a terminal (else None)."""
    if not sys.stderr.isatty():
        return None
    shown = [0.0]

    def report(found: int, expanded: int, seconds: float) -> None:
        if seconds - shown[0] < 0.5:
            return
        shown[0] = seconds
        rate = found / seconds if seconds else 0.0
        _own_line(
            f"\rexploring: {found:,} states ({expanded:,} expanded), {rate:,.0f} states/s, "
            f"{seconds:.1f} s"
        )

    return report


def _own_line(text: str) -> None:
    """Write this program's own progress text, control codes and all, to stderr."""
    write = getattr(sys.stderr, "write_own", sys.stderr.write)
    write(text)
    sys.stderr.flush()


def cmd_explore(
    ref: str,
    rubric_ref: str | None,
    no_rubric: bool,
    as_json: bool,
    max_states: int,
    max_seconds: float | None = None,
    max_memory: float | None = None,
) -> int:
    """Search a scenario's whole state space and report what authors need to know."""
    from simulator.explore import DEFAULT_MAX_MEMORY_MB, explore  # only this command needs it

    opened = open_or_report(ref)
    if opened is None:
        return EXIT_INPUT
    scenario = opened.scenario
    rubric = None
    if not no_rubric and (rubric_ref or scenario.rubric):
        rubric = _open_rubric(rubric_ref or scenario.rubric or "")
        if rubric is None:
            return EXIT_INPUT
    progress = _explore_progress()
    result = explore(
        scenario, rubric, max_states=max(1, max_states), max_seconds=max_seconds,
        max_memory_mb=DEFAULT_MAX_MEMORY_MB if max_memory is None else max_memory,
        progress=progress,
    )  # fmt: skip
    if progress is not None and result.seconds >= 0.5:
        _own_line("\r\x1b[K")  # the progress line cleared
    strategies = check_strategies(scenario, rubric) if rubric is not None else None
    if as_json:
        data = result.to_dict()
        if strategies is not None:
            data["strategies"] = strategies.to_dict()
        print(json.dumps(data, indent=2))
        return EXIT_OK if result.complete else EXIT_INPUT
    print(f"{scenario.title} ({scenario.id}, version {scenario.version})")
    print(
        f"{result.states:,} states, {result.transitions:,} choices examined in "
        f"{result.seconds:.2f} s ({result.states_per_second:,.0f} states/s)"
    )
    partial = not result.complete
    if partial:
        flag = {"states": "--max-states", "time": "--max-seconds", "memory": "--max-memory"}
        print(
            f"INCOMPLETE: stopped at the limit of {result.limit}; raise "
            f"{flag.get(result.stopped_by or '', '--max-states')}. What follows is what the "
            "search found before it stopped: what it did not reach may still be reachable."
        )
    print("\nEndings")
    for e in result.endings:
        if e.shortest is None:
            print(
                f"  {e.node} ({e.outcome}): "
                + ("not reached within the limit" if partial else "NEVER REACHED")
            )
            continue
        routes = "infinitely many routes (a loop can repeat)" if e.routes is None else (
            f"{'at least ' if partial else ''}{e.routes:,} route{'s' if e.routes != 1 else ''}"
        )  # fmt: skip
        print(f"  {e.node} ({e.outcome}): {routes}; shortest: {','.join(e.shortest) or '(none)'}")
    if result.never_chosen:
        heading = (
            "Options not chosen within the limit" if partial else "Options no route can choose"
        )
        print(f"\n{heading}: {', '.join(result.never_chosen)}")
    for d in result.dead:
        what = "no option is available" if d.kind == "stuck" else "no ending can be reached"
        print(f"\nDead end at '{d.node}': {what}; route: {','.join(d.route) or '(start)'}")
    if rubric is not None:
        print(f"\nAgainst {rubric.id}: best grade {result.labels.get(result.best_grade or '', '-')}, "
              f"worst {result.labels.get(result.worst_grade or '', '-')}"
              + (" (of the routes found before the limit)" if partial else ""))  # fmt: skip
        for code, route in result.criteria.items():
            missing = "not reached within the limit" if partial else "NOT reachable"
            state = "reachable" if route else missing
            print(f"  {code:<5} {state}" + (f" in {len(route)} choices" if route else ""))
        # the command as the author can paste it: the scenario as they named it, this rubric
        run = f"roleplay run {shlex.quote(ref)} --rubric {shlex.quote(rubric.id)} --choose"
        for grade in reversed(result.grade_order):  # best first
            if grade in result.grades:
                print(f"  {result.labels[grade]}: {run} {','.join(result.grades[grade])}")
    if strategies is not None:
        print("\nMindless strategies (none should earn a grade)")
        for title, played in (
            ("Always the longest reply", strategies.longest),
            ("Always the most courteous reply", strategies.courteous),
            ("Best with one deviation from the longest", strategies.one_deviation),
        ):
            ended = (played.outcome or "never ends").replace("_", " ")
            where = f", deviating at choice {played.deviation}" if played.deviation else ""
            print(f"  {title}: {played.label} ({ended}{where})")
            print(f"    {run} {','.join(played.route)}")
    return EXIT_OK if result.complete else EXIT_INPUT


def cmd_coverage(ref: str, rubric_ref: str | None, as_json: bool) -> int:
    """Report which criteria of a rubric a scenario can evidence at all."""
    opened = open_or_report(ref)
    if opened is None:
        return EXIT_INPUT
    scenario = opened.scenario
    rubric_ref = rubric_ref or scenario.rubric
    if rubric_ref is None:
        print("roleplay: the scenario names no rubric; give --rubric ID", file=sys.stderr)
        return EXIT_USAGE
    rubric = _open_rubric(rubric_ref)
    if rubric is None:
        return EXIT_INPUT
    rows = criterion_coverage(rubric, scenario)
    if as_json:
        print(
            json.dumps({"scenario": scenario.id, "rubric": rubric.id, "criteria": rows}, indent=2)
        )
        return EXIT_OK
    print(f"{scenario.title} ({scenario.id}) against {rubric.title} ({rubric.id})")
    for code, row in rows.items():
        options = f": {', '.join(row['options'])}" if row["options"] else ""
        print(f"  {code:<5} {row['status']:<13} {row['detail']}{options}")
    return EXIT_OK


def criterion_coverage(rubric: Rubric, scenario: Scenario) -> dict[str, dict[str, Any]]:
    """Return, per criterion, whether the scenario can evidence it and through which options."""
    rows: dict[str, dict[str, Any]] = {}
    for c in rubric.criteria:
        if c.assess == "session" and c.rule is not None:
            options = [o.id for o in coverable(c.rule, scenario)]
            status = "can" if options else "cannot"
            detail = "session" if options else "no option can show it in this scenario"
        else:
            options = []
            status = {"learner_response": "collected", "portfolio": "portfolio"}.get(
                c.assess, "tutor"
            )
            detail = {
                "collected": f"from the learner's written {c.response or 'response'}",
                "portfolio": "judged across sessions",
                "tutor": "judged by the tutor",
            }[status]
        rows[c.code] = {"status": status, "detail": detail, "options": options}
    return rows


def cmd_sessions(
    store_path: Path | None,
    learner: str | None,
    group: str | None,
    scenario: str | None,
    as_json: bool,
) -> int:
    """List stored sessions, newest first."""
    store = open_store(store_path)
    if store is None:
        return EXIT_INPUT
    with store:
        records = store.sessions(learner, group, scenario)
    if as_json:
        print(json.dumps([_session_row(r) for r in records], indent=2))
        return EXIT_OK
    if not records:
        print("no sessions found", file=sys.stderr)
        return EXIT_OK
    print(
        f"{'id':>5}  {'learner':<24} {'group':<8} {'scenario':<20} {'mode':<10} {'grade':<12} when"
    )
    for r in records:
        grade = _grade_word(r)
        print(
            f"{r.id:>5}  {r.learner.display[:24]:<24} {(r.learner.group or '-')[:8]:<8} "
            f"{r.scenario_id[:20]:<20} {r.mode:<10} {grade:<12} {r.started}"
        )
    return EXIT_OK


def _grade_word(r: SessionRecord) -> str:
    """A stored session's grade for the listing: "No grade" when a serious error ruled it out."""
    if r.ruled_out:
        return "No grade"
    if not r.grade:
        return "In progress" if r.state == "in_progress" else "-"
    words = r.grade.replace("_", " ")
    return words[:1].upper() + words[1:]


def _session_row(r: SessionRecord) -> dict[str, Any]:
    return {
        "session": r.id,
        "learner": r.learner.name,
        "learner_id": r.learner.learner_ref,
        "group": r.learner.group,
        "scenario": r.scenario_id,
        "scenario_version": r.scenario_version,
        "rubric": r.rubric_id,
        "mode": r.mode,
        "state": r.state,
        "outcome": r.outcome,
        "grade": r.grade,
        "started": r.started,
        "ended": r.ended,
    }


def cmd_delete_learner(store_path: Path | None, who: str, yes: bool) -> int:
    """Erase a learner and everything recorded about them."""
    store = open_store(store_path)
    if store is None:
        return EXIT_INPUT
    with store:
        found = find_learners(store, who)
        if not found:
            print(f"roleplay: no learner called '{who}' in {store.path}", file=sys.stderr)
            return EXIT_INPUT
        if len(found) > 1:
            _ambiguous(who, found, store)
            return EXIT_INPUT
        (learner,) = found
        count = len(store.sessions_of(learner.id))
        what = f"{learner.display} and {count} session(s)"
        record = f"1 learner record: {learner_label(store, learner)}"
        if not yes:
            if not sys.stdin.isatty():
                print(
                    f"roleplay: this erases {what}, {record}, with everything recorded "
                    "about them; add --yes to confirm",
                    file=sys.stderr,
                )
                return EXIT_USAGE
            print(f"This erases {what}, {record}, with everything recorded about them.")
            answer = input(f"Erase {what} for good? [y/N] ")
            if answer.strip().lower() not in ("y", "yes"):
                print("nothing erased", file=sys.stderr)
                return EXIT_OK
        store.delete_learner_record(learner)
    print(f"erased {what}")
    return EXIT_OK


def _ambiguous(who: str, found: Sequence[Learner], store: Store | None = None) -> None:
    names = ", ".join(learner.display for learner in found)
    print(
        f"roleplay: '{who}' matches {len(found)} learners ({names}); give the learner id of "
        "the one you mean, or the record number shown as [#N] below, in quotes: '#N'",
        file=sys.stderr,
    )
    if store is not None:
        for learner in found:
            print(f"  {learner_label(store, learner)}", file=sys.stderr)


def cmd_export(store_path: Path | None, who: str, output: Path | None) -> int:
    """Print (or write) everything held about a learner as JSON."""
    store = open_store(store_path)
    if store is None:
        return EXIT_INPUT
    with store:
        found = find_learners(store, who)
        if len(found) > 1:
            _ambiguous(who, found, store)
            return EXIT_INPUT
        data = store.export_learners(found)
    if not data["learners"]:
        print(f"roleplay: no learner called '{who}' in {store.path}", file=sys.stderr)
        return EXIT_INPUT
    text = json_text(data)
    if output is None:
        print(text)
        return EXIT_OK
    try:
        output.write_text(text + "\n", encoding="utf-8")
    except OSError as exc:
        print(f"roleplay: cannot write {output}: {exc.strerror or exc}", file=sys.stderr)
        return EXIT_INPUT
    print(f"wrote {output}", file=sys.stderr)
    return EXIT_OK


def _refuse_crafted_store(db: sqlite3.Connection, path: Path, version: int) -> None:
    """Refuse a store file whose tables are not plain tables (a view can be an endless query).

    A session store made by this program has only tables and indexes; a file whose `learners`
    (or any other) table is a view, or that has triggers, was not, and reading it could run for
    ever.
    """
    try:
        kinds = dict(db.execute("SELECT name, type FROM sqlite_master").fetchall())
    except sqlite3.Error as exc:
        raise StoreError(f"{path}: cannot be read as a session store: {exc}") from exc
    expected = schema_columns(version)
    odd = sorted(n for n in expected if n in kinds and kinds[n] != "table")
    triggers = sorted(n for n, t in kinds.items() if t == "trigger")
    if odd or triggers:
        what = ", ".join(
            [*(f"'{n}' is a {kinds[n]}" for n in odd), *(f"trigger '{n}'" for n in triggers)]
        )
        raise StoreError(
            f"{path}: not a session store made by roleplay ({what}); it is not imported"
        )
    for table, columns in expected.items():
        if table not in kinds:
            raise StoreError(
                f"{path}: not a whole session store (it has no '{table}' table); it is not imported"
            )
        have = {str(c[1]) for c in db.execute(f"PRAGMA table_info({table})")}
        if columns - have:
            missing = ", ".join(sorted(columns - have))
            raise StoreError(
                f"{path}: not a whole session store (its '{table}' table has no column "
                f"{missing}); it is not imported"
            )


def import_file(store: Store, path: Path) -> ImportReport:
    """Import an export file, or a whole store file (read where it is, never changed, a part at
    a time so a store of any size fits in memory), into ``store``.

    Raises StoreError with the place of the problem when the file cannot be read as either, and
    then nothing of the file is in ``store``.
    """
    try:
        with path.open("rb") as handle:
            head = handle.read(16)
    except OSError as exc:
        raise StoreError(f"{path}: cannot read it: {exc.strerror or exc}") from exc
    if head == b"SQLite format 3\x00":
        with Store.open_to_read(path) as other:  # no copy, no migration: the file is unchanged
            _refuse_crafted_store(other.db, path, other.version)
            try:
                return store.import_store(other, str(path))
            except StoreError as exc:  # damage found while reading: say which file holds it
                if str(exc).startswith(str(path)):
                    raise
                raise StoreError(f"{path}: {exc}") from exc
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except UnicodeDecodeError as exc:
        raise StoreError(f"{path}: neither an export (JSON) nor a session store") from exc
    except json.JSONDecodeError as exc:
        raise StoreError(f"{path}:{exc.lineno}:{exc.colno}: not valid JSON: {exc.msg}") from exc
    except RecursionError as exc:
        raise StoreError(f"{path}: nested too deeply to be an export") from exc
    return store.import_export(data, str(path))


def cmd_import(store_path: Path | None, files: list[Path]) -> int:
    """Add exported sessions (or other stores' sessions) to the store; exit 1 if any file failed."""
    store = open_store(store_path)
    if store is None:
        return EXIT_INPUT
    failed = 0
    with store:
        for path in files:
            try:
                report = import_file(store, path)
            except StoreError as exc:  # ImportProblem too: the file changed nothing
                print(f"roleplay: {exc}", file=sys.stderr)
                failed += 1
                continue
            except (sqlite3.Error, ValueError, TypeError, KeyError, IndexError) as exc:
                # a store file damaged or crafted past what its checks catch: this file goes in
                # as one transaction, so it changed nothing, and the next files still go in
                print(f"roleplay: {path}: cannot be imported: {exc}", file=sys.stderr)
                failed += 1
                continue
            learners = f", {report.new_learners} new learner(s)" if report.new_learners else ""
            there = f"; {report.already_there} already here" if report.already_there else ""
            print(f"{path}: imported {report.sessions} session(s){learners}{there}")
    if failed:
        print(f"roleplay: {failed} of {len(files)} file(s) not imported", file=sys.stderr)
    return EXIT_INPUT if failed else EXIT_OK


def cmd_list() -> int:
    """List the bundled scenarios with their titles."""
    found = [(path, *check_scenario_file(path)) for path in bundled_scenario_paths()]
    width = max((len(loaded.scenario.id) for _, loaded, _ in found if loaded.scenario), default=0)
    for path, loaded, problems in found:
        s = loaded.scenario
        if s is None:
            print(f"{path.name}: cannot be read ({len(problems)} problems)")
            continue
        print(f"{s.id:<{width}}  {s.context.issue:<22} {s.context.channel:<13} {s.title}")
    return EXIT_OK


# -- reports (Jinja2 is imported lazily, inside these commands only) ----------------------------
def _report_output(output: Path | None, content: str | bytes) -> int:
    """Write a report to FILE, or to stdout; exit 1 if the file cannot be written."""
    if output is None:
        if isinstance(content, bytes):
            if sys.stdout.isatty():
                print(
                    "roleplay: a PDF cannot be shown in a terminal; give -o FILE", file=sys.stderr
                )
                return EXIT_USAGE
            sys.stdout.buffer.write(content)
            sys.stdout.buffer.flush()
        else:
            sys.stdout.write(content)
        return EXIT_OK
    try:
        if isinstance(content, bytes):
            output.write_bytes(content)
        else:
            output.write_text(content, encoding="utf-8")
    except OSError as exc:
        print(f"roleplay: cannot write {output}: {exc.strerror or exc}", file=sys.stderr)
        return EXIT_INPUT
    print(f"wrote {output}", file=sys.stderr)
    return EXIT_OK


def _stored_session(store: Store, session_id: int) -> SessionRecord | None:
    """The stored session with this id, or None (an id SQLite cannot hold is none either)."""
    return store.session(session_id) if 0 < session_id < 2**63 else None


def cmd_sheet(
    store_path: Path | None,
    session_id: int,
    fmt: str,
    output: Path | None,
    scenarios: list[Path],
) -> int:
    """Write one session's practice feedback sheet as HTML, Markdown or PDF."""
    from simulator import report

    if fmt == "pdf" and not report.weasyprint_available():
        print(f"roleplay: {report.PDF_HINT}", file=sys.stderr)
        return EXIT_USAGE
    store = open_store(store_path)
    if store is None:
        return EXIT_INPUT
    with store:
        record = _stored_session(store, session_id)
        if record is None:
            print(f"roleplay: no session {session_id} in {store.path}", file=sys.stderr)
            return EXIT_INPUT
        try:  # the scenario it was played on is read from the store, so it stays open here
            library = report.Library(scenarios, store)
            library.for_record(record)
        except report.ReportError as exc:
            print(f"roleplay: {exc}", file=sys.stderr)
            return EXIT_INPUT
    try:
        view, warnings = report.sheet_view(record, library)
        for warning in warnings:
            print(f"roleplay: {warning}", file=sys.stderr)
        if record.mode == "observed":  # a live role-play: its observer's record, to be signed
            from simulator.observe_commands import observation_record

            if fmt == "md":
                return _report_output(output, observation_record(store.path, record, view, fmt))
            html = observation_record(store.path, record, view)
        elif fmt == "md":
            return _report_output(output, report.render("sheet.md", view))
        else:
            html = report.render("sheet.html", view)
        if fmt == "html":
            return _report_output(output, html)
        if output is None and sys.stdout.isatty():
            print("roleplay: a PDF cannot be shown in a terminal; give -o FILE", file=sys.stderr)
            return EXIT_USAGE
        return _report_output(output, report.pdf_from_html(html))
    except report.PdfUnavailable as exc:
        print(f"roleplay: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except report.ReportError as exc:
        print(f"roleplay: {exc}", file=sys.stderr)
        return EXIT_INPUT


def cmd_class_report(
    store_path: Path | None,
    group: str | None,
    fmt: str,
    output: Path | None,
    rubric_ref: str | None,
    scenarios: list[Path],
) -> int:
    """Write the class report (learners by criteria) as HTML or gradebook CSV."""
    from simulator import report

    store = open_store(store_path)
    if store is None:
        return EXIT_INPUT
    with store:
        played = store.scenario_rubrics(group)  # one query, whatever the class's size
        if not played:
            which = f" for group '{group}'" if group is not None else ""
            print(
                f"roleplay: no sessions{which} in {store.path}; "
                "sessions are kept with 'roleplay run ... --save' or in the simulator",
                file=sys.stderr,
            )
            return EXIT_INPUT
        try:
            library = report.Library(scenarios, store)
            rubric = report.pick_rubric_of(played, library, rubric_ref)
            # each learner's sessions in turn, with only what judging them again needs
            view = report.class_view_of_learners(
                store.learner_batches(group, to_judge=True), library, rubric, group
            )
        except report.ReportError as exc:
            print(f"roleplay: {exc}", file=sys.stderr)
            return EXIT_INPUT
        for item in view.left_out:
            print(f"roleplay: left out {item}", file=sys.stderr)
        if view.left_out and fmt == "csv":  # a gradebook must never take a partial class quietly
            print(
                f"roleplay: {len(view.left_out)} session(s) cannot be judged, so the CSV would "
                "be wrong for their learners; nothing was written. Give their scenario files "
                "with --scenarios PATH",
                file=sys.stderr,
            )
            return EXIT_INPUT
        content = (
            report.class_csv(view) if fmt == "csv" else report.render("class-report.html", view)
        )
        written = _report_output(output, content)
        if view.left_out:  # the HTML lists them at its top; the exit code tells a script
            print(
                f"roleplay: the report leaves out {len(view.left_out)} session(s) (listed in it)",
                file=sys.stderr,
            )
            return EXIT_INPUT
        return written


def cmd_portfolio(
    store_path: Path | None,
    who: str,
    rubric_ref: str | None,
    fmt: str,
    output: Path | None,
    scenarios: list[Path],
) -> int:
    """Show a learner's sessions combined into the unit-level view, with what is missing."""
    from simulator import report

    store = open_store(store_path)
    if store is None:
        return EXIT_INPUT
    with store:
        found = find_learners(store, who)  # a name, a learner id, or #N for one record
        if len(found) > 1:
            _ambiguous(who, found, store)
            return EXIT_INPUT
        records = store.sessions(learner_id=found[0].id, full=True) if found else []
        try:  # the scenarios the sessions were played on are read from the store
            library = report.Library(scenarios, store)
            for record in records:  # each looked up now, while the store is open
                library.for_record(record)
                library.get(record.scenario_id)
        except report.ReportError as exc:
            print(f"roleplay: {exc}", file=sys.stderr)
            return EXIT_INPUT
    if not records:
        print(
            f"roleplay: no sessions for a learner called '{who}' in {store.path}", file=sys.stderr
        )
        return EXIT_INPUT
    learners = {r.learner.id: r.learner for r in records}
    if len(learners) > 1:
        names = ", ".join(sorted(learner.display for learner in learners.values()))
        print(
            f"roleplay: '{who}' matches {len(learners)} learners ({names}); give a learner id",
            file=sys.stderr,
        )
        return EXIT_INPUT
    try:
        rubric = report.pick_rubric(records, library, rubric_ref)
        view = report.portfolio_view(records, library, rubric)
    except report.ReportError as exc:
        print(f"roleplay: {exc}", file=sys.stderr)
        return EXIT_INPUT
    for item in view.left_out:
        print(f"roleplay: left out {item}", file=sys.stderr)
    if fmt == "json":
        written = _report_output(output, report.portfolio_json(view))
    else:
        template = {"text": "portfolio.txt", "html": "portfolio.html", "md": "portfolio.md"}[fmt]
        written = _report_output(output, report.render(template, view))
    return EXIT_INPUT if view.left_out else written


def _stamp(at: str) -> str:
    """An ISO time as ``2026-12-03 14:05 UTC``."""
    try:
        return datetime.fromisoformat(at).astimezone(UTC).strftime("%Y-%m-%d %H:%M UTC")
    except ValueError:
        return at


def cmd_confirm(
    store_path: Path | None,
    session_id: int,
    code: str,
    verdict: str,
    by: str,
    note: str,
    rubric_ref: str | None,
    scenarios: list[Path],
) -> int:
    """Record a tutor's decision on one criterion of a stored session; print it and the grade now.

    The decision replaces the simulator's verdict on that criterion (a second decision on the
    same criterion replaces the first). The session is then judged again with it, and that
    result is stored, so that its sheet, the portfolio and the class report all follow it.
    """
    from simulator import report
    from simulator.report.views import (
        STATUS_LABELS,
        rescore,
        session_grade_label,
        version_problem,
    )

    if not by.strip():
        print("roleplay: --by needs the name of who decided", file=sys.stderr)
        return EXIT_USAGE
    store = open_store(store_path)
    if store is None:
        return EXIT_INPUT
    with store:
        record = _stored_session(store, session_id)
        if record is None:
            print(f"roleplay: no session {session_id} in {store.path}", file=sys.stderr)
            return EXIT_INPUT
        try:
            library = report.Library(scenarios, store)
        except report.ReportError as exc:
            print(f"roleplay: {exc}", file=sys.stderr)
            return EXIT_INPUT
        scenario = library.for_record(record)
        stored: dict[str, Any] = record.result or {}
        ref = (
            rubric_ref
            or stored.get("rubric", {}).get("id")
            or record.rubric_id
            or (scenario.rubric if scenario else None)
        )
        rubric: Rubric | None = None
        why_not = "the session names no rubric"
        if ref:
            try:
                rubric = report.load_rubric(ref)
            except report.ReportError as exc:
                if rubric_ref:
                    print(f"roleplay: {exc}", file=sys.stderr)
                    return EXIT_INPUT
                why_not = str(exc)
        if rubric is not None:
            codes = [c.code for c in rubric.criteria]
            judged_by = f"rubric '{rubric.id}'"
        elif stored.get("criteria"):  # the rubric is not here, but the session was judged on it
            codes = list(stored["criteria"])
            judged_by = f"rubric '{ref}'"
        else:
            print(
                f"roleplay: cannot tell which criteria session {record.id} has: {why_not}; "
                "give --rubric ID (or the rubric's file)",
                file=sys.stderr,
            )
            return EXIT_INPUT
        found = (
            code
            if code in codes
            else next((c for c in codes if c.casefold() == code.casefold()), None)
        )
        if found is None:
            hint = suggest(code, codes) or suggest(code.upper(), codes)
            print(
                f"roleplay: {judged_by} has no criterion '{code}'{hint}; its "
                f"criteria: {', '.join(codes)}",
                file=sys.stderr,
            )
            return EXIT_INPUT
        criterion = rubric.criterion(found) if rubric is not None else None
        if criterion is not None and criterion.assess == "portfolio":
            built = ", ".join(criterion.portfolio.criteria) if criterion.portfolio else ""
            print(
                f"roleplay: {found} is judged across a learner's sessions, not in one"
                + (f"; decide on {built} in the sessions instead" if built else ""),
                file=sys.stderr,
            )
            return EXIT_INPUT
        if criterion is not None and criterion.assess == "tutor":
            print(
                f"roleplay: {found} is judged by the tutor for the unit as a whole, outside the "
                "simulator; the portfolio shows it as awaiting you, and a decision on one session "
                "would not change that",
                file=sys.stderr,
            )
            return EXIT_INPUT
        before = next((d for d in record.decisions if d.code == found), None)
        was = str(stored.get("criteria", {}).get(found, {}).get("status") or "")
        decision = store.record_decision(record.id, found, verdict, by.strip(), note.strip())
        problem = version_problem(record, scenario) if rubric is not None else why_not
        grade = ""
        if rubric is not None and problem is None:
            fresh = store.session(record.id)
            result = rescore(fresh, scenario, rubric) if fresh is not None else None
            if result is not None:
                store.save_result(record.id, result)
                grade = f"the session's grade now: {session_grade_label(rubric, result.grade)}"
        if not grade:
            label = stored.get("grade_detail", {}).get("label") or stored.get("grade") or "none"
            grade = f"the session's grade as stored: {label}"
            print(f"roleplay: the grade was not worked out again: {problem}", file=sys.stderr)
    labels = STATUS_LABELS
    if before is not None:
        earlier = f"replacing {before.by}'s decision of {before.at[:10]}: {labels[before.verdict]}"
    else:
        earlier = f"the simulator's verdict was {labels.get(was, was)}" if was else ""
    print(
        f"session {record.id} ({record.learner.display}, {record.scenario_id}): {found} "
        f"{labels[decision.verdict]}, decided by {decision.by} on {_stamp(decision.at)}"
        + (f" ({earlier})" if earlier else "")
        + (f'; note: "{decision.note}"' if decision.note else "")
        + f"; {grade}"
    )
    return EXIT_OK


# -- authoring: test plans, graphs and new scenarios ---------------------------------------------


def cmd_test(paths: list[Path], as_json: bool) -> int:
    """Run scenario test plans: a PASS or FAIL line per case, then "N passed, M failed"."""
    from simulator import testplan

    plans, errors = testplan.find_plans(paths or [testplan.default_folder()])
    results = [testplan.run_file(path) for path in plans]
    passed = sum(r.passed for r in results)
    failed = sum(r.failed for r in results) + len(errors)
    if as_json:
        data = {
            "plans": [r.to_dict() for r in results],
            "errors": errors,
            "passed": passed,
            "failed": failed,
        }
        print(json_text(data))
    else:
        for message in errors:
            print(f"FAIL {message}")
        for i, result in enumerate(results):
            if i or errors:
                print()
            _print_plan_result(result)
        print()
        print(f"{passed} passed, {failed} failed")
    return EXIT_INPUT if failed else EXIT_OK


def _print_plan_result(result: Any) -> None:
    from simulator.testplan import PlanResult

    assert isinstance(result, PlanResult)
    plan = result.plan
    if plan.scenario is not None:
        rubric = f", rubric {plan.rubric.id}" if plan.rubric is not None else ""
        print(f"{plan.path}: {plan.scenario.id} (version {plan.scenario.version}){rubric}")
    else:
        print(f"{plan.path}:")
    for problem in plan.problems:
        print(problem.format())
    if not plan.runnable:
        print(f"FAIL {plan.path}: the plan has errors, so none of its cases ran")
        return
    for case in result.cases:
        print(f"{'PASS' if case.passed else 'FAIL'} {case.case.name}")
        failure = case.failure
        if failure is None:
            continue
        step = failure.step
        print(
            f"     at {plan.path}:{step.line}:{step.col}, step {step.number}: "
            f"{step.kind}: {_plan_value(step.value)}"
        )
        print(f"     expected: {failure.expected}")
        for i, line in enumerate(failure.actual):
            print(f"     {'actual:  ' if i == 0 else '         '} {line}")
        if failure.hint:
            print(f"     hint:     {failure.hint}")


def _plan_value(value: object) -> str:
    """Return a step's value as a plan writes it: `[a, b]`, `{mood: -1}`, `"text"`."""
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, list):
        return "[" + ", ".join(_plan_value(v) for v in value) + "]"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{k}: {_plan_value(v)}" for k, v in value.items()) + "}"
    if isinstance(value, str) and (" " in value or not value):
        return json_text(value, indent=None)
    return str(value)


def _write_text(output: Path | None, text: str) -> int:
    """Print ``text``, or write it to ``output``; exit 1 if the file cannot be written."""
    if output is None:
        sys.stdout.write(text)
        return EXIT_OK
    try:
        output.write_text(text, encoding="utf-8")
    except OSError as exc:
        print(f"roleplay: cannot write {output}: {exc.strerror or exc}", file=sys.stderr)
        return EXIT_INPUT
    print(f"wrote {output}", file=sys.stderr)
    return EXIT_OK


def cmd_graph(ref: str, fmt: str, output: Path | None) -> int:
    """Print (or write) a scenario's conversation graph as DOT or Mermaid."""
    from simulator import graph

    opened = open_or_report(ref)
    if opened is None:
        return EXIT_INPUT
    return _write_text(output, graph.render(opened.scenario, fmt))


def cmd_new(scenario_id: str, folder: Path | None) -> int:
    """Write ID.scenario.yaml and ID.tests.yaml: a skeleton that passes lint --strict and test."""
    from simulator import skeleton

    if not skeleton.is_kebab(scenario_id):
        print(
            f"roleplay: '{scenario_id}' is not a valid scenario id: use kebab-case, lower-case "
            "letters and digits in words joined by '-' (for example late-parcel)",
            file=sys.stderr,
        )
        return EXIT_USAGE
    if folder is None:
        folder = Path("scenarios") if Path("scenarios").is_dir() else Path(".")
    scenario_path = folder / f"{scenario_id}.scenario.yaml"
    plan_path = folder / f"{scenario_id}.tests.yaml"
    existing = [str(p) for p in (scenario_path, plan_path) if p.exists()]
    if existing:
        print(
            f"roleplay: {' and '.join(existing)} already exist{'s' if len(existing) == 1 else ''}; "
            "nothing was written (choose another id, or move the file away first)",
            file=sys.stderr,
        )
        return EXIT_INPUT
    try:
        folder.mkdir(parents=True, exist_ok=True)
        texts = {
            scenario_path: skeleton.scenario_skeleton(
                scenario_id, skeleton.schema_reference(folder)
            ),
            plan_path: skeleton.plan_skeleton(
                scenario_id, skeleton.schema_reference(folder, skeleton.PLAN_SCHEMA_NAME)
            ),
        }
        for path, text in texts.items():
            with path.open("x", encoding="utf-8") as handle:  # never overwrite, even in a race
                handle.write(text)
            print(f"wrote {path}")
    except OSError as exc:
        print(f"roleplay: cannot write in {folder}: {exc.strerror or exc}", file=sys.stderr)
        return EXIT_INPUT
    print(f"next: roleplay lint --strict {scenario_path}")
    print(f"      roleplay test {plan_path}")
    return EXIT_OK
