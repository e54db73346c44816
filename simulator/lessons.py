"""Lessons and rosters: what a tutor sets up for a class, kept in the session store.

A lesson is a group, the scenarios its learners see first, a rubric and a mode, optional dates,
and a short join code a learner types to find it. A roster is a group's learners as the college's
records have them (a learner id and a name), so that learners pick themselves from a list rather
than typing a name another learner could use.

Pure Python: no UI and no templates. The tables are the store's (migration 5); this module is
their only writer.
"""

from __future__ import annotations

import csv
import io
import json
import secrets
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date

from simulator.store import Store, StoreError, _now, name_key

CODE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
"""Letters and digits a join code is made of: none that look alike (0/O, 1/I/L) on a projector."""
CODE_LENGTH = 6
LESSON_MODES = ("practice", "assessment")


class LessonError(StoreError):
    """A lesson or roster request that cannot be met; the message says why, for the user."""


@dataclass(frozen=True)
class Lesson:
    """One lesson as the tutor set it up."""

    code: str
    """The join code learners type (upper case, CODE_LENGTH characters of CODE_ALPHABET)."""
    group: str
    """The class or group it is for."""
    scenarios: tuple[str, ...]
    """Scenario ids its learners see first, in the tutor's order."""
    rubric: str | None
    """Rubric id its sessions are judged against (None: the learner's choice)."""
    mode: str
    """"practice" or "assessment"."""
    opens: str | None = None
    """First day it runs (ISO date), if set."""
    closes: str | None = None
    """Last day it runs (ISO date), if set."""
    title: str | None = None
    """The tutor's name for it, if given."""
    created: str = ""
    """When it was created (ISO time, UTC)."""


@dataclass(frozen=True)
class RosterEntry:
    """One learner on a group's roster."""

    group: str
    learner_ref: str
    """The college's learner id: unique within the group."""
    name: str


@dataclass(frozen=True)
class Scope:
    """What a tutor's command covers: a lesson (its group and scenarios) or a whole group."""

    group: str
    scenarios: tuple[str, ...] | None = None
    """The lesson's scenarios, or None for every scenario the group played."""
    lesson: Lesson | None = None


def normal_code(code: str) -> str:
    """A join code as stored: upper case, without spaces or dashes (``ab3-k9q`` is ``AB3K9Q``)."""
    return "".join(ch for ch in code.upper() if ch not in " -\t")


def new_code(taken: Iterable[str] = ()) -> str:
    """Return a fresh random join code not in ``taken``."""
    used = set(taken)
    while True:
        code = "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))
        if code not in used:
            return code


def _lesson(row: object) -> Lesson:
    r = row  # sqlite3.Row
    return Lesson(
        code=r["code"],  # type: ignore[index]
        group=r["group_name"],  # type: ignore[index]
        scenarios=tuple(json.loads(r["scenarios"])),  # type: ignore[index]
        rubric=r["rubric_id"],  # type: ignore[index]
        mode=r["mode"],  # type: ignore[index]
        opens=r["opens"],  # type: ignore[index]
        closes=r["closes"],  # type: ignore[index]
        title=r["title"],  # type: ignore[index]
        created=r["created"],  # type: ignore[index]
    )


def create_lesson(
    store: Store,
    group: str,
    scenarios: Sequence[str],
    rubric: str | None,
    mode: str = "practice",
    opens: str | None = None,
    closes: str | None = None,
    title: str | None = None,
) -> Lesson:
    """Create a lesson with a new join code and return it."""
    group = " ".join(group.split())
    if not group:
        raise LessonError("a lesson needs a group")
    if not scenarios:
        raise LessonError("a lesson needs at least one scenario")
    if mode not in LESSON_MODES:
        raise LessonError(f"mode must be one of {', '.join(LESSON_MODES)}, not '{mode}'")
    if opens and closes and closes < opens:
        raise LessonError(f"the lesson closes ({closes}) before it opens ({opens})")
    with store.transaction() as db:
        # the group as its roster (or its learners) spell it: "btec 1" is the roster's "BTEC 1"
        known = db.execute(
            "SELECT group_name FROM roster WHERE group_key = ? UNION ALL "
            "SELECT group_name FROM learners WHERE group_key = ? LIMIT 1",
            (name_key(group), name_key(group)),
        ).fetchone()
        if known is not None:
            group = str(known[0])
        taken = [r[0] for r in db.execute("SELECT code FROM lessons")]
        code = new_code(taken)
        created = _now()
        db.execute(
            "INSERT INTO lessons (code, group_name, group_key, scenarios, rubric_id, mode, opens, "
            "closes, title, created) VALUES (?,?,?,?,?,?,?,?,?,?)",
            (
                code,
                group,
                name_key(group),
                json.dumps(list(scenarios)),
                rubric,
                mode,
                opens,
                closes,
                title,
                created,
            ),
        )
    return Lesson(code, group, tuple(scenarios), rubric, mode, opens, closes, title, created)


def lesson(store: Store, code: str) -> Lesson | None:
    """Return the lesson with this join code (typed in any case, with or without spaces)."""
    row = store.db.execute("SELECT * FROM lessons WHERE code = ?", (normal_code(code),)).fetchone()
    return None if row is None else _lesson(row)


def lessons(store: Store, group: str | None = None) -> list[Lesson]:
    """Return every lesson (of a group, if given), newest first."""
    if group is None:
        rows = store.db.execute("SELECT * FROM lessons ORDER BY created DESC, code").fetchall()
    else:
        rows = store.db.execute(
            "SELECT * FROM lessons WHERE group_key = ? ORDER BY created DESC, code",
            (name_key(group),),
        ).fetchall()
    return [_lesson(r) for r in rows]


def roster(store: Store, group: str) -> list[RosterEntry]:
    """Return a group's roster, by name."""
    rows = store.db.execute(
        "SELECT * FROM roster WHERE group_key = ? ORDER BY name COLLATE NOCASE, learner_ref",
        (name_key(group),),
    ).fetchall()
    return [RosterEntry(r["group_name"], r["learner_ref"], r["name"]) for r in rows]


def add_to_roster(store: Store, group: str, entries: Iterable[tuple[str, str]]) -> tuple[int, int]:
    """Add (learner id, name) pairs to a group's roster; a known id gets the new name.

    Returns how many were added and how many changed.
    """
    group = " ".join(group.split())
    if not group:
        raise LessonError("a roster needs a group")
    added = changed = 0
    with store.transaction() as db:
        for ref, name in entries:
            ref, name = ref.strip(), " ".join(name.split())
            row = db.execute(
                "SELECT name FROM roster WHERE group_key = ? AND learner_ref = ?",
                (name_key(group), ref),
            ).fetchone()
            if row is None:
                db.execute(
                    "INSERT INTO roster (group_name, group_key, learner_ref, name, added) "
                    "VALUES (?,?,?,?,?)",
                    (group, name_key(group), ref, name, _now()),
                )
                added += 1
            elif row["name"] != name:
                db.execute(
                    "UPDATE roster SET name = ? WHERE group_key = ? AND learner_ref = ?",
                    (name, name_key(group), ref),
                )
                changed += 1
    return added, changed


def on_roster(store: Store, group: str, learner_ref: str) -> RosterEntry | None:
    """Return the roster entry of this learner id in this group, if there is one."""
    row = store.db.execute(
        "SELECT * FROM roster WHERE group_key = ? AND learner_ref = ?",
        (name_key(group), learner_ref.strip()),
    ).fetchone()
    return None if row is None else RosterEntry(row["group_name"], row["learner_ref"], row["name"])


def resolve_scope(store: Store, lesson_code: str | None, group: str | None) -> Scope:
    """What ``--lesson CODE`` or ``--group G`` means; LessonError says why neither works."""
    if lesson_code is not None:
        found = lesson(store, lesson_code)
        if found is None:
            raise LessonError(f"no lesson with join code '{lesson_code}' in {store.path}")
        if group is not None and name_key(group) != name_key(found.group):
            raise LessonError(f"lesson {found.code} is for group '{found.group}', not '{group}'")
        return Scope(found.group, found.scenarios, found)
    if group is None:
        raise LessonError("give --lesson CODE or --group G")
    return Scope(" ".join(group.split()))


# -- joining a lesson ---------------------------------------------------------------------------
def closed_because(found: Lesson, today: date) -> str | None:
    """Why a lesson cannot be joined on ``today`` (not open yet, or closed), or None if it can."""
    if found.opens and today.isoformat() < found.opens:
        return f"lesson {found.code} opens on {found.opens}"
    if found.closes and today.isoformat() > found.closes:
        return f"lesson {found.code} closed on {found.closes}"
    return None


def lesson_to_join(store: Store, code: str, today: date) -> Lesson:
    """The lesson a learner joins with this code today; LessonError says why they cannot."""
    if not normal_code(code):
        raise LessonError("type the join code your tutor gave you")
    found = lesson(store, code)
    if found is None:
        raise LessonError(f"there is no lesson with the join code '{code.strip()}': check it")
    reason = closed_because(found, today)
    if reason is not None:
        raise LessonError(f"{reason}; ask your tutor")
    return found


def lesson_session_count(store: Store, code: str) -> int:
    """How many sessions have been played in a lesson so far."""
    row = store.db.execute(
        "SELECT COUNT(*) FROM sessions WHERE lesson_code = ?", (normal_code(code),)
    ).fetchone()
    return int(row[0])


# -- the college's roster export (CSV) ----------------------------------------------------------
ID_HEADERS = (
    "learner id",
    "learner ref",
    "learner reference",
    "learner number",
    "learner no",
    "student id",
    "student ref",
    "student reference",
    "student number",
    "student no",
    "id",
    "uln",
)
"""Headers of a learner id column, best first (the college's own id before the ULN)."""
NAME_HEADERS = ("name", "full name", "learner name", "student name")
FORENAME_HEADERS = ("forename", "forenames", "first name", "firstname", "given name")
SURNAME_HEADERS = ("surname", "last name", "lastname", "family name")
DELIMITERS = (",", ";", "\t")
"""What a spreadsheet may separate fields with (comma, or semicolon or tab in some exports)."""


class RosterFileError(LessonError):
    """A roster file that cannot be read as a roster at all (not UTF-8 CSV, no id or name column)."""


@dataclass(frozen=True)
class RosterProblem:
    """One bad row of a roster file."""

    line: int
    """1-based line of the file the row starts on."""
    message: str


@dataclass(frozen=True)
class RosterFile:
    """A roster file read: its good rows and its bad ones."""

    entries: tuple[tuple[str, str], ...]
    """(learner id, name) of every good row, in file order."""
    problems: tuple[RosterProblem, ...]
    """Every bad row, by line."""


def _header_key(text: str) -> str:
    return " ".join(text.replace("_", " ").replace("-", " ").replace(".", " ").split()).casefold()


def _column(keys: Sequence[str], wanted: Sequence[str]) -> int | None:
    for name in wanted:
        if name in keys:
            return keys.index(name)
    return None


def _decode(data: bytes) -> str:
    if b"\x00" in data[:4096]:
        raise RosterFileError(
            "not a CSV file (it looks like a spreadsheet or other binary file): save it from "
            "the spreadsheet as 'CSV UTF-8 (comma delimited)'"
        )
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise RosterFileError(
            f"line {line} is not UTF-8 text (byte 0x{data[exc.start]:02x}): save the file from "
            "the spreadsheet as 'CSV UTF-8 (comma delimited)'"
        ) from exc


def parse_roster_csv(data: bytes) -> RosterFile:
    """Read a college's roster export: a header row, then one learner a row.

    Columns are found by header name, in any case: a learner id ("Learner ID", "Student ID",
    "ULN" ...) and a name ("Name", "Full name", or "Forename" with "Surname"). RosterFileError
    says why a file is not a roster at all; bad rows come back as problems, by line.
    """
    text = _decode(data)
    lines = text.splitlines()
    first = next((n for n, line in enumerate(lines) if line.strip()), None)
    if first is None:
        raise RosterFileError("the file is empty: it needs a header row, then one learner a row")
    header_line = lines[first]
    best: tuple[str, list[str]] | None = None
    for delimiter in DELIMITERS:
        keys = [_header_key(h) for h in next(csv.reader([header_line], delimiter=delimiter))]
        has_name = _column(keys, NAME_HEADERS) is not None or (
            _column(keys, FORENAME_HEADERS) is not None
            and _column(keys, SURNAME_HEADERS) is not None
        )
        if _column(keys, ID_HEADERS) is not None and has_name:
            best = (delimiter, keys)
            break
        if best is None and len(keys) > 1:
            best = (delimiter, keys)
    delimiter, keys = best or (",", [_header_key(header_line)])
    shown = ", ".join(f"'{k}'" for k in keys if k) or "nothing"
    id_col = _column(keys, ID_HEADERS)
    if id_col is None:
        raise RosterFileError(
            f"line {first + 1}: no learner id column (the header has {shown}); name it "
            "'Learner ID', 'Student ID' or 'ULN'"
        )
    name_col = _column(keys, NAME_HEADERS)
    fore_col, sur_col = _column(keys, FORENAME_HEADERS), _column(keys, SURNAME_HEADERS)
    if name_col is None and (fore_col is None or sur_col is None):
        raise RosterFileError(
            f"line {first + 1}: no name column (the header has {shown}); name it 'Name' or "
            "'Full name', or give 'Forename' and 'Surname'"
        )
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True)
    entries: list[tuple[str, str]] = []
    problems: list[RosterProblem] = []
    seen: dict[str, int] = {}
    at = 0  # the line the next row starts on, less one
    try:
        for row in reader:
            line, at = at + 1, reader.line_num
            if line <= first + 1 or not any(field.strip() for field in row):
                continue  # the header, or a blank row
            if len(row) != len(keys):
                problems.append(
                    RosterProblem(line, f"{len(row)} fields, but the header has {len(keys)}")
                )
                continue
            ref = row[id_col].strip()
            if name_col is not None:
                name = " ".join(row[name_col].split())
            else:
                assert fore_col is not None and sur_col is not None
                name = " ".join(f"{row[fore_col]} {row[sur_col]}".split())
            if not ref:
                problems.append(RosterProblem(line, f"no learner id for '{name or '?'}'"))
            elif not name:
                problems.append(RosterProblem(line, f"no name for learner id {ref}"))
            elif ref in seen:
                problems.append(
                    RosterProblem(line, f"learner id {ref} is already on line {seen[ref]}")
                )
            else:
                seen[ref] = line
                entries.append((ref, name))
    except csv.Error as exc:
        problems.append(RosterProblem(at + 1, f"not readable as CSV: {exc}"))
    return RosterFile(tuple(entries), tuple(problems))
