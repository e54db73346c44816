"""The ``roleplay`` command, with `simulator.commands`: the only code that prints or exits.

Exit codes: 0 success; 1 bad input (lint errors, a broken scenario, unreadable files);
2 usage errors; 3 an option that is not available at that point of ``run``.

This module parses the command line and starts the simulator; what every other command does
is in `simulator.commands`, imported only for those commands, so that ``roleplay`` alone
reaches its first screen sooner.
"""

from __future__ import annotations

import argparse
import os
import sqlite3
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import NoReturn

from simulator import __version__
from simulator.store import ENV_VAR, StoreError, default_path
from simulator.textsafe import SafeStream

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
    parser.add_argument(  # before any command, or with none: `roleplay --store PATH`
        "--store",
        type=Path,
        metavar="PATH",
        dest="top_store",
        help=f"session store file for the simulator or any command (default: ${ENV_VAR} or "
        f"{default_path()})",
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)
    store = _Parser(add_help=False)
    store.add_argument(
        "--store",
        type=Path,
        metavar="PATH",
        help=f"session store file (default: ${ENV_VAR} or {default_path()})",
    )

    play = sub.add_parser(
        "play", parents=[store], help="open the simulator (optionally on one scenario)"
    )
    play.add_argument("scenario", nargs="?", help="scenario file or bundled id")

    serve = sub.add_parser(
        "serve", parents=[store], help="serve the simulator to a class's browsers (join code only)"
    )
    serve.add_argument("--host", default="127.0.0.1", help="address to bind (default 127.0.0.1)")
    serve.add_argument("--port", type=int, default=8000, help="port (default 8000)")
    serve.add_argument("--lesson", metavar="CODE", help="every browser joins this lesson")
    serve.add_argument(
        "--public-url",
        metavar="URL",
        help="the address browsers use, when behind a reverse proxy (e.g. https://roleplay.college.ac.uk)",
    )

    lint = sub.add_parser("lint", help="check scenario files and report every problem")
    lint.add_argument("paths", nargs="+", type=Path, metavar="PATH", help="files or folders")
    lint.add_argument("--format", choices=("text", "json"), default="text", help="output format")
    lint.add_argument("--strict", action="store_true", help="warnings fail too (exit 1)")
    lint.add_argument(
        "--search",
        action="store_true",
        help="also search every route the conditions allow (W120-W123; slower)",
    )

    run = sub.add_parser(
        "run", parents=[store], help="play a scenario headless by option ids and print the result"
    )
    run.add_argument("scenario", help="scenario file or bundled id")
    run.add_argument(
        "--choose",
        default="",
        metavar="IDS",
        help="comma-separated option ids (or 1-based numbers of the options offered at each point)",
    )
    run.add_argument("--json", action="store_true", help="print the result as JSON")
    run.add_argument(
        "--rubric", metavar="ID", help="judge the session against a rubric (id or file)"
    )
    run.add_argument(
        "--responses",
        type=Path,
        metavar="FILE",
        help="JSON file of the learner's written responses (cause_assessment, review, learning_plan)",
    )

    run.add_argument("--learner", metavar="NAME", help="who is playing (needed with --save)")
    run.add_argument("--learner-id", metavar="ID", help="the learner's id in college records")
    run.add_argument("--group", metavar="G", help="the learner's class or group")
    run.add_argument(
        "--save", action="store_true", help="keep the session in the store and print its id"
    )
    run.add_argument(
        "--mode",
        choices=("headless", "practice", "assessment"),
        default="headless",
        help="mode recorded with a saved session (default: headless)",
    )

    sessions = sub.add_parser("sessions", parents=[store], help="list stored sessions")
    sessions.add_argument("--learner", metavar="X", help="name or learner id")
    sessions.add_argument("--group", metavar="G", help="class or group")
    sessions.add_argument("--scenario", metavar="S", help="scenario id")
    sessions.add_argument("--json", action="store_true", help="print JSON")

    erase = sub.add_parser(
        "delete-learner",
        parents=[store],
        help="erase a learner and all their sessions (UK GDPR right to erasure)",
    )
    erase.add_argument("learner", metavar="X", help="name or learner id")
    erase.add_argument("--yes", action="store_true", help="do not ask for confirmation")

    export = sub.add_parser(
        "export", parents=[store], help="everything held about a learner, as JSON (right of access)"
    )
    export.add_argument("--learner", metavar="X", required=True, help="name or learner id")
    export.add_argument("-o", "--output", type=Path, metavar="FILE", help="write to FILE")

    # joining a learner's split records (simulator.learner_commands)
    learner_p = sub.add_parser("learner", help="rename a learner, or merge two records of one")
    learner_sub = learner_p.add_subparsers(
        dest="learner_command", metavar="ACTION", required=True, parser_class=_Parser
    )
    rename = learner_sub.add_parser(
        "rename", parents=[store], help="give a learner record a new name (sessions stay theirs)"
    )
    rename.add_argument("who", metavar="WHO", help="name, learner id, or #N (a record's number)")
    rename.add_argument("new_name", metavar="NEW_NAME", help="the name as it should be")
    rename.add_argument("--yes", action="store_true", help="do not ask for confirmation")
    merge = learner_sub.add_parser(
        "merge",
        parents=[store],
        help="move every session of FROM to INTO and remove FROM's record",
    )
    merge.add_argument(
        "source", metavar="FROM", help="name, learner id, or #N: the record to remove"
    )
    merge.add_argument("into", metavar="INTO", help="name, learner id, or #N: the record to keep")
    merge.add_argument("--yes", action="store_true", help="do not ask for confirmation")

    gather = sub.add_parser(
        "import",
        parents=[store],
        help="add the sessions of 'roleplay export' files, or of other computers' stores, to this store",
    )
    gather.add_argument(
        "files", nargs="+", type=Path, metavar="FILE",
        help="a JSON file written by 'roleplay export', or a session store (.sqlite3) file",
    )  # fmt: skip

    explore = sub.add_parser(
        "explore", help="search every route of a scenario: endings, dead ends, reachable grades"
    )
    explore.add_argument("scenario", help="scenario file or bundled id")
    explore.add_argument(
        "--rubric", metavar="ID", help="rubric id or file (default: the scenario's)"
    )
    explore.add_argument("--no-rubric", action="store_true", help="explore without a rubric")
    explore.add_argument("--json", action="store_true", help="print the result as JSON")
    explore.add_argument(
        "--max-states",
        type=int,
        default=2_000_000,
        metavar="N",
        help="stop after N states (default: 2,000,000)",
    )
    explore.add_argument(
        "--max-seconds",
        type=float,
        metavar="S",
        help="stop after S seconds (default: no time limit)",
    )
    explore.add_argument(
        "--max-memory",
        type=float,
        metavar="MB",
        help="stop once the search uses more than MB megabytes (default: 1,000)",
    )

    coverage = sub.add_parser(
        "coverage", help="which criteria of a rubric a scenario can evidence at all"
    )
    coverage.add_argument("scenario", help="scenario file or bundled id")
    coverage.add_argument(
        "--rubric", metavar="ID", help="rubric id or file (default: the scenario's)"
    )
    coverage.add_argument("--json", action="store_true", help="print the result as JSON")

    scenario_files = _Parser(add_help=False)
    scenario_files.add_argument(
        "--scenarios",
        type=Path,
        action="append",
        metavar="PATH",
        help="scenario file or folder for sessions not played on a bundled scenario (repeatable)",
    )
    sheet = sub.add_parser(
        "sheet",
        parents=[store, scenario_files],
        help="practice feedback sheet for one stored session, or for a whole class "
        "(--group G -o FOLDER) (HTML, Markdown or PDF)",
    )
    sheet.add_argument(
        "session", type=int, nargs="?", metavar="SESSION",
        help="session id (see 'roleplay sessions'); leave out with --group or --lesson",
    )  # fmt: skip
    sheet.add_argument(
        "--format", choices=("html", "md", "pdf"), default="html", help="output format (html)"
    )
    sheet.add_argument(
        "-o", "--output", type=Path, metavar="FILE",
        help="write to FILE (with --group: the FOLDER for every sheet and the index)",
    )  # fmt: skip
    # a whole class's sheets at once (simulator.group_sheets)
    sheet.add_argument("--group", metavar="G", help="every learner of this class or group")
    sheet.add_argument("--lesson", metavar="CODE", help="only the sessions of this lesson")
    sheet.add_argument(
        "--all", action="store_true",
        help="every session, not only each learner's latest of each scenario",
    )  # fmt: skip

    debrief_p = sub.add_parser(  # the projector debrief (simulator.debrief_commands)
        "debrief",
        parents=[store],
        help="large-type screens for a projector: what the class chose at each decision point",
    )
    debrief_p.add_argument("scenario", help="scenario file or bundled id")
    debrief_scope = debrief_p.add_mutually_exclusive_group(required=True)
    debrief_scope.add_argument("--lesson", metavar="CODE", help="the sessions of this lesson")
    debrief_scope.add_argument("--group", metavar="G", help="the sessions of this class or group")
    debrief_p.add_argument(
        "--rubric", metavar="ID", help="rubric id or file (default: the lesson's or scenario's)"
    )
    debrief_p.add_argument(
        "--json", action="store_true", help="print the counts as JSON instead of the screens"
    )

    class_report = sub.add_parser(
        "class-report",
        parents=[store, scenario_files],
        help="learners by criteria, hardest criteria and most chosen options for a class",
    )
    class_report.add_argument("--group", metavar="G", help="class or group (default: everyone)")
    class_report.add_argument(
        "--format", choices=("html", "csv"), default="html", help="output format (html)"
    )
    class_report.add_argument("-o", "--output", type=Path, metavar="FILE", help="write to FILE")
    class_report.add_argument(
        "--rubric", metavar="ID", help="rubric id or file (default: the one most sessions used)"
    )

    portfolio = sub.add_parser(
        "portfolio",
        parents=[store, scenario_files],
        help="a learner's sessions combined into the unit-level view, with what is missing",
    )
    portfolio.add_argument("learner", metavar="LEARNER", help="name or learner id")
    portfolio.add_argument(
        "--rubric", metavar="ID", help="rubric id or file (default: the one most sessions used)"
    )
    portfolio.add_argument(
        "--format", choices=("text", "json", "html", "md"), default="text", help="output format"
    )
    portfolio.add_argument("-o", "--output", type=Path, metavar="FILE", help="write to FILE")

    confirm = sub.add_parser(
        "confirm",
        parents=[store, scenario_files],
        help="record a tutor's decision on one criterion of a stored session (P1, P8 ...)",
    )
    confirm.add_argument(
        "session", type=int, metavar="SESSION", help="session id (see 'roleplay sessions')"
    )
    confirm.add_argument("code", metavar="CODE", help="criterion code, e.g. P1")
    confirm.add_argument(
        "--verdict", choices=("achieved", "not_yet"), required=True, help="what you decided"
    )
    confirm.add_argument("--by", required=True, metavar="NAME", help="who decided")
    confirm.add_argument("--note", default="", metavar="TEXT", help="why (shown on the reports)")
    confirm.add_argument(
        "--rubric", metavar="ID", help="rubric id or file (default: the session's own)"
    )

    plans_p = sub.add_parser(
        "test", help="run scenario test plans (<id>.tests.yaml) and report each case"
    )
    plans_p.add_argument(
        "paths",
        nargs="*",
        type=Path,
        metavar="PATH",
        help="plan files, scenario files (the plan beside them), folders or bundled ids "
        "(default: the bundled scenarios)",
    )
    plans_p.add_argument("--json", action="store_true", help="print the results as JSON")

    graph_p = sub.add_parser(
        "graph", help="draw a scenario's conversation as Graphviz DOT or a Mermaid flowchart"
    )
    graph_p.add_argument("scenario", help="scenario file or bundled id")
    graph_p.add_argument(
        "--format", choices=("dot", "mermaid"), default="dot", help="output format (dot)"
    )
    graph_p.add_argument("-o", "--output", type=Path, metavar="FILE", help="write to FILE")

    new_p = sub.add_parser("new", help="write a commented scenario skeleton and its test plan")
    new_p.add_argument("id", metavar="ID", help="the new scenario's id, kebab-case (late-parcel)")
    new_p.add_argument(
        "--dir",
        type=Path,
        metavar="DIR",
        help="folder to write into (default: ./scenarios if it exists, else the current folder)",
    )

    # lessons and rosters (simulator.lesson_commands)
    lesson_p = sub.add_parser(
        "lesson", help="set up a lesson for a group: its join code, scenarios, rubric, mode"
    )
    lesson_sub = lesson_p.add_subparsers(
        dest="lesson_command", metavar="ACTION", required=True, parser_class=_Parser
    )
    lesson_new = lesson_sub.add_parser(
        "new", parents=[store], help="create a lesson and print its join code"
    )
    lesson_new.add_argument(
        "--group", required=True, metavar="G", help="the class or group it is for"
    )
    lesson_new.add_argument(
        "--scenario",
        action="append",
        required=True,
        metavar="ID",
        help="scenario file or bundled id, listed first for its learners (repeatable)",
    )
    lesson_new.add_argument(
        "--rubric",
        metavar="RUBRIC",
        help="bundled rubric id its sessions are judged against (default: the learner chooses)",
    )
    lesson_new.add_argument(
        "--mode",
        choices=("practice", "assessment"),
        default="practice",
        help="mode its learners play in (practice)",
    )
    lesson_new.add_argument(
        "--opens", type=_iso_date, metavar="YYYY-MM-DD", help="first day it can be joined"
    )
    lesson_new.add_argument(
        "--closes", type=_iso_date, metavar="YYYY-MM-DD", help="last day it can be joined"
    )
    lesson_new.add_argument("--title", metavar="TEXT", help="a name for it, shown to learners")
    lesson_new.add_argument("--json", action="store_true", help="print the lesson as JSON")
    lesson_list = lesson_sub.add_parser(
        "list", parents=[store], help="list the lessons, newest first"
    )
    lesson_list.add_argument("--group", metavar="G", help="only this group's lessons")
    lesson_list.add_argument("--json", action="store_true", help="print JSON")
    lesson_show = lesson_sub.add_parser(
        "show", parents=[store], help="one lesson, its roster size and its sessions so far"
    )
    lesson_show.add_argument("code", metavar="CODE", help="the lesson's join code")
    lesson_show.add_argument("--json", action="store_true", help="print JSON")
    roster_p = sub.add_parser("roster", help="a group's learners, from the college's CSV export")
    roster_sub = roster_p.add_subparsers(
        dest="roster_command", metavar="ACTION", required=True, parser_class=_Parser
    )
    roster_import = roster_sub.add_parser(
        "import",
        parents=[store],
        help="add the learners of a CSV file (header row; learner id and name columns) to a group",
    )
    roster_import.add_argument(
        "file",
        type=Path,
        metavar="FILE.csv",
        help="the college's export, UTF-8 (with or without BOM)",
    )
    roster_import.add_argument("--group", required=True, metavar="G", help="the class or group")
    roster_list = roster_sub.add_parser("list", parents=[store], help="list a group's roster")
    roster_list.add_argument("--group", required=True, metavar="G", help="the class or group")
    roster_list.add_argument("--json", action="store_true", help="print JSON")
    lrs_p = sub.add_parser("lrs", help="xAPI statements for the college's learning record store")
    lrs_sub = lrs_p.add_subparsers(
        dest="lrs_command", metavar="ACTION", required=True, parser_class=_Parser
    )
    lrs_queue = lrs_sub.add_parser(
        "queue", parents=[store], help="queue a finished session's statements (once each)"
    )
    lrs_which = lrs_queue.add_mutually_exclusive_group(required=True)
    lrs_which.add_argument("session", nargs="?", type=int, metavar="SESSION", help="session id")
    lrs_which.add_argument("--group", metavar="G", help="every finished session of a group")
    lrs_queue.add_argument(
        "--home-page",
        metavar="URL",
        help="the college's URL, the homePage of each learner's account (or $ROLEPLAY_LRS_HOME_PAGE)",
    )
    lrs_queue.add_argument(
        "--lrs-actor-name", action="store_true", help="also put the learner's name in the actor"
    )
    lrs_status = lrs_sub.add_parser("status", parents=[store], help="queued, failed and sent")
    lrs_status.add_argument("--json", action="store_true", help="print JSON")
    lrs_send = lrs_sub.add_parser("send", parents=[store], help="send every waiting statement")
    lrs_send.add_argument("--lrs", metavar="URL", help="the LRS endpoint (or $ROLEPLAY_LRS_URL)")
    lrs_send.add_argument("--lrs-user", metavar="U", help="Basic auth user ($ROLEPLAY_LRS_USER)")
    lrs_send.add_argument(
        "--lrs-password", metavar="P", help="Basic auth password ($ROLEPLAY_LRS_PASSWORD)"
    )

    cards = sub.add_parser(
        "cards", help="print the customer's card, agent's brief and observer's tick-sheet (A4)"
    )
    cards.add_argument("scenario", help="scenario file or bundled id")
    cards.add_argument("--format", choices=("html", "pdf"), default="html", help="output (html)")
    cards.add_argument("-o", "--output", type=Path, metavar="FILE", help="write to FILE")
    observe = sub.add_parser(
        "observe", parents=[store], help="record a live role-play as its observer (keyboard)"
    )
    observe.add_argument("scenario", help="scenario file or bundled id")
    observe.add_argument("--learner", required=True, metavar="NAME", help="who plays the agent")
    observe.add_argument("--learner-id", metavar="ID", help="the learner's id in college records")
    observe.add_argument("--group", metavar="G", help="the learner's class or group")
    observe.add_argument("--observer", required=True, metavar="NAME", help="who is observing")
    observe.add_argument("--rubric", metavar="R", help="rubric id or file (default: scenario's)")

    watch = sub.add_parser(
        "watch", parents=[store], help="the tutor's live view of a lesson or group as it plays"
    )
    watch.add_argument("--lesson", metavar="CODE", help="the lesson's join code")
    watch.add_argument("--group", metavar="G", help="class or group (every learner in it)")

    sub.add_parser("list", help="list the bundled scenarios")
    return parser


def _iso_date(text: str) -> str:
    """A date given as YYYY-MM-DD, checked (argparse reports a bad one as a usage error)."""
    from datetime import date

    try:
        return date.fromisoformat(text.strip()).isoformat()
    except ValueError:
        raise argparse.ArgumentTypeError(f"'{text}' is not a date: use YYYY-MM-DD") from None


def parse(argv: Sequence[str] | None = None) -> argparse.Namespace:
    """Parse the command line (argparse exits for usage errors, --help and --version).

    A bare ``roleplay``, what a classroom runs, starts the simulator without building the parser
    of every command first (a tenth of the time to its first screen's modules).
    """
    if not (sys.argv[1:] if argv is None else argv):
        return argparse.Namespace(command=None)
    args = build_parser().parse_args(argv)
    top = getattr(args, "top_store", None)
    if top is not None and getattr(args, "store", None) is None:
        args.store = top  # `roleplay --store PATH sessions` as `roleplay sessions --store PATH`
    return args


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; return the exit code (usage errors return 2, never raise)."""
    try:
        args = parse(argv)
    except SystemExit as exc:  # argparse exits for usage errors, --help and --version
        return (
            EXIT_OK if exc.code is None else exc.code if isinstance(exc.code, int) else EXIT_USAGE
        )
    playing = args.command in (None, "play")
    streams = sys.stdout, sys.stderr
    if not playing:  # the terminal interface draws for itself, and makes its text safe itself
        sys.stdout, sys.stderr = SafeStream(sys.stdout), SafeStream(sys.stderr)
    try:
        if playing:
            return cmd_play(getattr(args, "scenario", None), getattr(args, "store", None))
        return _run_command(args)
    except KeyboardInterrupt:
        return 130
    except (StoreError, sqlite3.Error) as exc:
        print(f"roleplay: the session store failed: {exc}", file=sys.stderr)
        return EXIT_INPUT
    except BrokenPipeError:
        return EXIT_OK
    finally:
        sys.stdout, sys.stderr = streams


def _run_command(args: argparse.Namespace) -> int:
    """Every command but ``play``."""
    from simulator.commands import (
        SaveTo,
        cmd_class_report,
        cmd_confirm,
        cmd_coverage,
        cmd_delete_learner,
        cmd_explore,
        cmd_export,
        cmd_graph,
        cmd_import,
        cmd_lint,
        cmd_list,
        cmd_new,
        cmd_portfolio,
        cmd_run,
        cmd_sessions,
        cmd_sheet,
        cmd_test,
    )

    if args.command == "lint":
        return cmd_lint(args.paths, args.format, args.strict, args.search)
    if args.command == "run":
        return cmd_run(
            args.scenario,
            args.choose,
            args.json,
            args.rubric,
            args.responses,
            SaveTo(args.store, args.learner, args.learner_id, args.group, args.mode)
            if args.save
            else None,
        )
    if args.command == "explore":
        return cmd_explore(
            args.scenario, args.rubric, args.no_rubric, args.json, args.max_states,
            args.max_seconds, args.max_memory,
        )  # fmt: skip
    if args.command == "coverage":
        return cmd_coverage(args.scenario, args.rubric, args.json)
    if args.command == "list":
        return cmd_list()
    if args.command == "sessions":
        return cmd_sessions(args.store, args.learner, args.group, args.scenario, args.json)
    if args.command == "delete-learner":
        return cmd_delete_learner(args.store, args.learner, args.yes)
    if args.command == "export":
        return cmd_export(args.store, args.learner, args.output)
    if args.command == "import":
        return cmd_import(args.store, args.files)
    if args.command == "learner":
        from simulator.learner_commands import cmd_learner_merge, cmd_learner_rename

        if args.learner_command == "rename":
            return cmd_learner_rename(args.store, args.who, args.new_name, args.yes)
        return cmd_learner_merge(args.store, args.source, args.into, args.yes)
    if args.command == "sheet" and (args.group or args.lesson or args.all):
        from simulator.group_sheets import cmd_sheet_group

        return cmd_sheet_group(
            args.store, args.session, args.group, args.lesson, args.output, args.all,
            args.format, args.scenarios or [],
        )  # fmt: skip
    if args.command == "sheet" and args.session is None:
        print(
            "roleplay sheet: error: give a SESSION, or --group G (or --lesson CODE) with "
            "-o FOLDER for a whole class",
            file=sys.stderr,
        )
        return EXIT_USAGE
    if args.command == "debrief":
        from simulator.debrief_commands import cmd_debrief

        return cmd_debrief(
            args.store, args.scenario, args.lesson, args.group, args.rubric, args.json
        )
    if args.command == "sheet":
        return cmd_sheet(args.store, args.session, args.format, args.output, args.scenarios or [])
    if args.command == "class-report":
        return cmd_class_report(
            args.store, args.group, args.format, args.output, args.rubric, args.scenarios or []
        )
    if args.command == "portfolio":
        return cmd_portfolio(
            args.store, args.learner, args.rubric, args.format, args.output,
            args.scenarios or [],
        )  # fmt: skip
    if args.command == "confirm":
        return cmd_confirm(
            args.store, args.session, args.code, args.verdict, args.by, args.note, args.rubric,
            args.scenarios or [],
        )  # fmt: skip
    if args.command == "test":
        return cmd_test(args.paths, args.json)
    if args.command == "graph":
        return cmd_graph(args.scenario, args.format, args.output)
    if args.command == "new":
        return cmd_new(args.id, args.dir)
    if args.command == "serve":
        from simulator.serve_commands import cmd_serve

        return cmd_serve(args.store, args.host, args.port, args.lesson, args.public_url)
    if args.command == "watch":
        from simulator.watch_commands import cmd_watch

        return cmd_watch(args.store, args.lesson, args.group)
    if args.command in ("lesson", "roster"):
        from simulator import lesson_commands as lc

        if args.command == "lesson" and args.lesson_command == "new":
            return lc.cmd_lesson_new(
                args.store, args.group, args.scenario, args.rubric, args.mode, args.opens,
                args.closes, args.title, args.json,
            )  # fmt: skip
        if args.command == "lesson" and args.lesson_command == "list":
            return lc.cmd_lesson_list(args.store, args.group, args.json)
        if args.command == "lesson":
            return lc.cmd_lesson_show(args.store, args.code, args.json)
        if args.roster_command == "import":
            return lc.cmd_roster_import(args.store, args.file, args.group)
        return lc.cmd_roster_list(args.store, args.group, args.json)
    if args.command == "lrs":
        from simulator import lrs_commands as xc

        if args.lrs_command == "queue":
            return xc.cmd_lrs_queue(
                args.store, args.session, args.group, args.home_page, args.lrs_actor_name
            )
        if args.lrs_command == "status":
            return xc.cmd_lrs_status(args.store, args.json)
        return xc.cmd_lrs_send(args.store, args.lrs, args.lrs_user, args.lrs_password)
    if args.command in ("cards", "observe"):
        from simulator import observe_commands as oc

        if args.command == "cards":
            return oc.cmd_cards(args.scenario, args.format, args.output)
        return oc.cmd_observe(
            args.store, args.scenario, args.learner, args.learner_id, args.group, args.observer,
            args.rubric,
        )  # fmt: skip
    raise AssertionError(f"unhandled command {args.command}")  # pragma: no cover


def cmd_play(ref: str | None, store_path: Path | None = None) -> int:
    """Open the Textual simulator."""
    if ref is not None:
        from simulator.commands import open_or_report

        if open_or_report(ref) is None:
            return EXIT_INPUT
    # in a browser (`roleplay serve`), keys and screen come through textual-serve's pipes
    served = os.environ.get("ROLEPLAY_SERVED") == "1" and "TEXTUAL_DRIVER" in os.environ
    if not served and not (sys.stdout.isatty() and sys.stdin.isatty()):
        print(
            "roleplay: the simulator needs a terminal; use 'roleplay run' for headless play",
            file=sys.stderr,
        )
        return EXIT_USAGE
    from simulator.ui.app import RoleplayApp  # the UI loads only when it is needed

    app = RoleplayApp(scenario=ref, store_path=store_path)
    app.run()
    # an error that ended the app (Textual prints it) is a failure, never exit 0
    return app.return_code or EXIT_OK
