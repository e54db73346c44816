"""The ``roleplay`` command: the only place that prints and picks exit codes.

Exit codes: 0 success; 1 bad input (lint errors, a broken scenario, unreadable files);
2 usage errors; 3 an option that is not available at that point of ``run``.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any, NoReturn

from simulator import __version__
from simulator.catalog import Opened, UnknownScenario, bundled_scenario_paths, open_scenario
from simulator.engine import LEARNER, EngineError, OptionUnavailable, Session
from simulator.errors import Problem, ScenarioError, Severity
from simulator.lint import check_file, check_scenario_file, lintable_files

EXIT_OK, EXIT_INPUT, EXIT_USAGE, EXIT_UNAVAILABLE = 0, 1, 2, 3


class _Parser(argparse.ArgumentParser):
    """argparse with exit code 2 and a hint, never a traceback."""

    def error(self, message: str) -> NoReturn:
        self.print_usage(sys.stderr)
        print(f"{self.prog}: error: {message}", file=sys.stderr)
        print(f"Try '{self.prog} --help'.", file=sys.stderr)
        raise SystemExit(EXIT_USAGE)


def build_parser() -> argparse.ArgumentParser:
    """Return the argument parser for every subcommand."""
    parser = _Parser(
        prog="roleplay",
        description="Practise handling challenging customers. With no command, opens the simulator.",
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)

    play = sub.add_parser("play", help="open the simulator (optionally on one scenario)")
    play.add_argument("scenario", nargs="?", help="scenario file or bundled id")

    lint = sub.add_parser("lint", help="check scenario files and report every problem")
    lint.add_argument("paths", nargs="+", type=Path, metavar="PATH", help="files or folders")
    lint.add_argument("--format", choices=("text", "json"), default="text", help="output format")
    lint.add_argument("--strict", action="store_true", help="warnings fail too (exit 1)")

    run = sub.add_parser("run", help="play a scenario headless by option ids and print the result")
    run.add_argument("scenario", help="scenario file or bundled id")
    run.add_argument(
        "--choose",
        default="",
        metavar="IDS",
        help="comma-separated option ids (or 1-based numbers of the options offered at each point)",
    )
    run.add_argument("--json", action="store_true", help="print the result as JSON")

    sub.add_parser("list", help="list the bundled scenarios")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; return the exit code (usage errors return 2, never raise)."""
    try:
        args = build_parser().parse_args(argv)
    except SystemExit as exc:  # argparse exits for usage errors, --help and --version
        return (
            EXIT_OK if exc.code is None else exc.code if isinstance(exc.code, int) else EXIT_USAGE
        )
    try:
        if args.command in (None, "play"):
            return cmd_play(getattr(args, "scenario", None))
        if args.command == "lint":
            return cmd_lint(args.paths, args.format, args.strict)
        if args.command == "run":
            return cmd_run(args.scenario, args.choose, args.json)
        if args.command == "list":
            return cmd_list()
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        return EXIT_OK
    raise AssertionError(f"unhandled command {args.command}")  # pragma: no cover


def _print_problems(problems: list[Problem]) -> None:
    for problem in problems:
        print(problem.format(), file=sys.stderr)


def cmd_lint(paths: list[Path], fmt: str, strict: bool) -> int:
    """Lint files and folders; exit 1 on any error (or warning with --strict)."""
    files, missing = lintable_files(paths)
    problems: list[Problem] = [
        Problem(m, 1, 1, Severity.ERROR, "E001", "no such file or folder") for m in missing
    ]
    for path in files:
        problems.extend(check_file(path))
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


def _open(ref: str) -> Opened | None:
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


def cmd_run(ref: str, choose: str, as_json: bool) -> int:
    """Play a scenario headless by option ids; print the transcript and result."""
    opened = _open(ref)
    if opened is None:
        return EXIT_INPUT
    scenario = opened.scenario
    session = Session.start(scenario)
    refs = [c.strip() for c in choose.split(",") if c.strip()]
    for ref_ in refs:
        try:
            session.choose(ref_)
        except OptionUnavailable as exc:
            _print_run(session, as_json)
            print(f"roleplay: {exc}", file=sys.stderr)
            return EXIT_UNAVAILABLE
        except EngineError as exc:
            _print_run(session, as_json)
            print(f"roleplay: cannot choose '{ref_}': {exc}", file=sys.stderr)
            return EXIT_UNAVAILABLE
    _print_run(session, as_json)
    if session.stuck_reason is not None:
        print(f"roleplay: the conversation is stuck: {session.stuck_reason}", file=sys.stderr)
        return EXIT_INPUT
    return EXIT_OK


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


def _print_run(session: Session, as_json: bool) -> None:
    if as_json:
        print(json.dumps(run_result(session), indent=2))
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


def _show(value: object) -> str:
    return str(value).lower() if isinstance(value, bool) else str(value)


def cmd_list() -> int:
    """List the bundled scenarios with their titles."""
    for path in bundled_scenario_paths():
        loaded, problems = check_scenario_file(path)
        s = loaded.scenario
        if s is None:
            print(f"{path.name}: cannot be read ({len(problems)} problems)")
            continue
        print(f"{s.id:<24} {s.context.issue:<22} {s.context.channel:<13} {s.title}")
    return EXIT_OK


def cmd_play(ref: str | None) -> int:
    """Open the Textual simulator."""
    if ref is not None and _open(ref) is None:
        return EXIT_INPUT
    if not sys.stdout.isatty():
        print(
            "roleplay: the simulator needs a terminal; use 'roleplay run' for headless play",
            file=sys.stderr,
        )
        return EXIT_USAGE
    from simulator.ui.app import RoleplayApp  # the UI loads only when it is needed

    RoleplayApp(scenario=ref).run()
    return EXIT_OK
