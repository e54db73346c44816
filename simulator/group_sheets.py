"""``roleplay sheet --group G [--lesson CODE] -o FOLDER``: a whole class's feedback sheets at once.

Each learner's latest session of each scenario (or, with ``--all``, every session) gets its own
sheet, made exactly as ``roleplay sheet SESSION`` makes it, in a file named so a tutor can find it
(``amy-khan_faulty-kettle_session-12.html``), and an index (``index.html`` or ``index.md``) lists
them with their outcome and grade. The index carries a mark naming the files it lists, so a later
run into the same folder replaces its own files and nothing else: any other file in the way stops
the command before anything is written.
"""

from __future__ import annotations

import html
import json
import re
import sys
import unicodedata
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from simulator.cli import EXIT_INPUT, EXIT_OK, EXIT_USAGE
from simulator.lessons import LessonError, Scope, resolve_scope
from simulator.store import SessionRecord, Store, StoreError

MARK = "roleplay-class-sheets"
"""Starts the comment in an index that lists the files a run wrote (JSON after it)."""
_MARKED = re.compile(r"<!-- " + MARK + r" (.*?) -->", re.DOTALL)
NAME_PART_MAX = 40
"""Longest learner-name or scenario part of a file name."""


@dataclass(frozen=True)
class SheetRow:
    """One sheet in the index."""

    session: int
    learner: str
    learner_ref: str
    scenario_id: str
    scenario_title: str
    started: str
    outcome: str
    grade: str
    file: str
    """The sheet's file name in the folder."""
    problem: str = ""
    """Why the sheet could not be written, if it was not."""


@dataclass(frozen=True)
class IndexView:
    """What the index shows."""

    scope: str
    which: str
    rows: tuple[SheetRow, ...]
    mark: str
    generated: str = field(default_factory=lambda: datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"))
    version: str = ""


def slug(text: str, fallback: str) -> str:
    """``text`` as a safe part of a file name: ASCII letters and digits joined by dashes."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    words = re.findall(r"[a-z0-9]+", ascii_text.lower())
    out = "-".join(words)[:NAME_PART_MAX].strip("-")
    return out or fallback


def sheet_file_name(record: SessionRecord, ext: str) -> str:
    """The file a session's sheet is written to: learner, scenario and session id."""
    who = slug(record.learner.name, f"learner-{record.learner.id}")
    return f"{who}_{slug(record.scenario_id, 'scenario')}_session-{record.id}.{ext}"


def sessions_for(store: Store, scope: Scope, every: bool) -> list[SessionRecord]:
    """The sessions in scope: each learner's latest of each scenario, or every one."""
    if scope.lesson is not None:
        where, arg = "s.lesson_code = ?", scope.lesson.code
    else:
        where, arg = "l.group_key = name_key(?)", scope.group
    rows = store.db.execute(
        f"SELECT s.id, s.learner_id, s.scenario_id FROM sessions s JOIN learners l "
        f"ON l.id = s.learner_id WHERE {where} ORDER BY s.id",
        (arg,),
    ).fetchall()
    if every:
        ids = [int(r[0]) for r in rows]
    else:
        latest: dict[tuple[int, str], int] = {}
        for sid, learner_id, scenario_id in rows:
            latest[(learner_id, scenario_id)] = int(sid)  # ordered by id: the last is the latest
        ids = sorted(latest.values())
    found = (store.session(i) for i in ids)
    return [r for r in found if r is not None]


def files_listed(index: Path) -> set[str] | None:
    """The files an earlier run's index lists, or None when the file is not such an index."""
    try:
        text = index.read_text(encoding="utf-8", errors="replace")
    except OSError:
        return None
    found = _MARKED.search(text)
    if found is None:
        return None
    try:
        data = json.loads(html.unescape(found.group(1)))
    except ValueError:
        return None
    files = data.get("files") if isinstance(data, dict) else None
    if not isinstance(files, list):
        return None
    return {f for f in files if isinstance(f, str)}


def _grade(view: object) -> str:
    ruled_out = getattr(view, "ruled_out", ())
    if ruled_out:
        return "No grade (serious error)"
    if getattr(view, "grade_value", "") == "in_progress" or getattr(view, "state", "") == (
        "in progress"
    ):
        return "In progress"
    return str(getattr(view, "grade", "") or "–")


def cmd_sheet_group(
    store_path: Path | None,
    session: int | None,
    group: str | None,
    lesson: str | None,
    folder: Path | None,
    every: bool,
    fmt: str,
    scenarios: list[Path],
) -> int:
    """Write the sheets of a group's (or lesson's) sessions into a folder, with an index."""
    from simulator import report

    if session is not None:
        print(
            "roleplay sheet: error: give either a SESSION or --group/--lesson, not both",
            file=sys.stderr,
        )
        return EXIT_USAGE
    if group is None and lesson is None:
        print("roleplay sheet: error: --all needs --group G or --lesson CODE", file=sys.stderr)
        return EXIT_USAGE
    if folder is None:
        print(
            "roleplay sheet: error: a class's sheets need a folder to go in: -o FOLDER",
            file=sys.stderr,
        )
        return EXIT_USAGE
    if fmt == "pdf" and not report.weasyprint_available():
        print(f"roleplay: {report.PDF_HINT}", file=sys.stderr)
        return EXIT_USAGE
    try:
        store = Store.open(store_path)
    except StoreError as exc:
        print(f"roleplay: {exc}", file=sys.stderr)
        return EXIT_INPUT
    with store:  # open while the sheets are made: they replay on the scenario texts it keeps
        return _class_sheets(store, lesson, group, folder, every, fmt, scenarios)


def _class_sheets(
    store: Store,
    lesson: str | None,
    group: str | None,
    folder: Path,
    every: bool,
    fmt: str,
    scenarios: list[Path],
) -> int:
    """`cmd_sheet_group` once its arguments are checked and the store is open."""
    from simulator import __version__, report

    try:
        scope = resolve_scope(store, lesson, group)
    except LessonError as exc:
        print(f"roleplay: {exc}", file=sys.stderr)
        return EXIT_INPUT
    records = sessions_for(store, scope, every)
    store_name = store.path
    named = (
        f"lesson {scope.lesson.code} (group {scope.group})"
        if scope.lesson
        else (f"group {scope.group}")
    )
    if not records:
        print(f"roleplay: no sessions for {named} in {store_name}", file=sys.stderr)
        return EXIT_INPUT
    if scope.lesson is None:  # the group as its learners have it, not as typed here
        named = f"group {records[0].learner.group or scope.group}"
    if folder.exists() and not folder.is_dir():
        print(f"roleplay: {folder} is a file, not a folder; give a folder with -o", file=sys.stderr)
        return EXIT_INPUT
    ext = {"html": "html", "md": "md", "pdf": "pdf"}[fmt]
    index_name = "index.md" if fmt == "md" else "index.html"
    targets = {r.id: sheet_file_name(r, ext) for r in records}
    index = folder / index_name
    ours: set[str] = set()
    if index.exists():
        listed = files_listed(index)
        if listed is not None:
            ours = listed | {index_name}
    in_the_way = sorted(
        name
        for name in [*targets.values(), index_name]
        if (folder / name).exists() and name not in ours
    )
    if in_the_way:
        print(
            f"roleplay: {folder} already has {', '.join(in_the_way)}, not written by an earlier "
            "'roleplay sheet --group' there; nothing was written. Choose another folder, or "
            "move those files",
            file=sys.stderr,
        )
        return EXIT_INPUT
    replaced = sum((folder / name).exists() for name in targets.values())
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        print(f"roleplay: cannot write to {folder}: {exc.strerror or exc}", file=sys.stderr)
        return EXIT_INPUT
    try:
        library = report.Library(scenarios, store)
    except report.ReportError as exc:
        print(f"roleplay: {exc}", file=sys.stderr)
        return EXIT_INPUT
    rows: list[SheetRow] = []
    failed = 0
    for record in records:
        name = targets[record.id]
        problem = ""
        title, outcome, grade, started = record.scenario_id, "", "", record.started[:16]
        try:
            view, warnings = report.sheet_view(record, library)
            for warning in warnings:
                print(f"roleplay: {warning}", file=sys.stderr)
            title, outcome, grade, started = (
                view.scenario_title,
                view.outcome,
                _grade(view),
                view.started,
            )
            page = report.render("sheet.md" if fmt == "md" else "sheet.html", view)
            content: str | bytes = report.pdf_from_html(page) if fmt == "pdf" else page
            if isinstance(content, bytes):
                (folder / name).write_bytes(content)
            else:
                (folder / name).write_text(content, encoding="utf-8")
        except report.ReportError as exc:
            problem = str(exc)
        except OSError as exc:
            problem = f"cannot write {folder / name}: {exc.strerror or exc}"
        if problem:
            failed += 1
            print(f"roleplay: session {record.id}: {problem}", file=sys.stderr)
        rows.append(
            SheetRow(
                record.id,
                record.learner.name,
                record.learner.learner_ref or "",
                record.scenario_id,
                title,
                started,
                outcome,
                grade,
                name,
                problem,
            )
        )
    rows.sort(key=lambda r: (r.learner.casefold(), r.learner_ref, r.scenario_title, r.session))
    written = [r.file for r in rows if not r.problem]
    kept = {name for name in ours - {index_name} if (folder / name).exists()}
    which = (
        "Every session"
        if every
        else "Each learner's latest session of each scenario (add --all for every session)"
    )
    view_index = IndexView(
        named,
        which,
        tuple(rows),
        # files of earlier runs that are still there stay this folder's own, to replace later
        f"{MARK} {json.dumps({'files': sorted({*written, *kept})})}",
        version=__version__,
    )
    try:
        index.write_text(
            report.render("class-sheets.md" if fmt == "md" else "class-sheets.html", view_index),
            encoding="utf-8",
        )
    except OSError as exc:
        print(f"roleplay: cannot write {index}: {exc.strerror or exc}", file=sys.stderr)
        return EXIT_INPUT
    again = f" ({replaced} replaced from an earlier run)" if replaced else ""
    print(f"wrote {len(written)} sheet(s){again} and {index}", file=sys.stderr)
    if failed:
        print(f"roleplay: {failed} sheet(s) could not be written; see above", file=sys.stderr)
        return EXIT_INPUT
    return EXIT_OK
