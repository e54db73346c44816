"""Lessons and rosters: what a tutor sets up for a class, kept in the session store.

A lesson is a group, the scenarios its learners see first, a rubric and a mode, optional dates,
and a short join code a learner types to find it. A roster is a group's learners as the college's
records have them (a learner id and a name), so that learners pick themselves from a list rather
than typing a name another learner could use.

Pure Python: no UI and no templates. The tables are the store's (migration 5); this module is
their only writer.
"""

from __future__ import annotations

import json
import secrets
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

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
