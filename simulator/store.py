"""The session store: learners, sessions, every turn as it happens, notes, responses and results.

SQLite from the standard library, in WAL mode. Every turn is committed in its own transaction, so
killing the process at any moment loses at most the turn in flight and never corrupts the file; a
session resumes by replaying its committed choices through the engine. The schema is versioned
with ``PRAGMA user_version`` and migrated forward on open.
"""

from __future__ import annotations

import hashlib
import json
import os
import sqlite3
import sys
import time
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, NamedTuple, cast

from simulator.decisions import TutorDecision
from simulator.responses import LearnerResponses

if TYPE_CHECKING:  # only for annotations: the start screen opens the store before the engine loads
    from simulator.engine import Session, Step
    from simulator.model import Scenario
    from simulator.scoring import SessionResult

ENV_VAR = "ROLEPLAY_STORE"
MODE_HEADINGS = {
    "assessment": "Assessment practice",
    "practice": "Practice",
    "headless": "Practice",
    "observed": "Observed role-play",
}
"""What a session is called, by the mode it was played in: in the app's header and results, and
on its feedback sheet."""
APP_DIR = "customer-roleplay"
FILE_NAME = "sessions.sqlite3"
PREFS_FILE = "prefs.json"
"""Beside the store: the simulator's remembered settings, including who played last."""
PREFS_WHO = ("name", "learner_ref", "group")
"""The settings in the prefs file that say who a learner is."""
MODES = ("practice", "assessment", "headless", "observed")
DECISION_VERDICTS = ("achieved", "not_yet")
"""What a tutor may decide on a criterion."""

MIGRATIONS: tuple[str, ...] = (
    # 1: the first schema
    """
    CREATE TABLE learners (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        name TEXT NOT NULL,
        learner_ref TEXT,
        group_name TEXT,
        created TEXT NOT NULL
    );
    CREATE UNIQUE INDEX learners_identity ON learners (name, IFNULL(learner_ref, ''));
    CREATE TABLE sessions (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        learner_id INTEGER NOT NULL REFERENCES learners (id) ON DELETE CASCADE,
        scenario_id TEXT NOT NULL,
        scenario_version INTEGER NOT NULL,
        rubric_id TEXT,
        rubric_version INTEGER,
        mode TEXT NOT NULL,
        started TEXT NOT NULL,
        ended TEXT,
        outcome TEXT,
        state TEXT NOT NULL DEFAULT 'in_progress'
    );
    CREATE INDEX sessions_learner ON sessions (learner_id);
    CREATE TABLE turns (
        session_id INTEGER NOT NULL REFERENCES sessions (id) ON DELETE CASCADE,
        seq INTEGER NOT NULL,
        node TEXT NOT NULL,
        option TEXT NOT NULL,
        line TEXT NOT NULL,
        behaviours TEXT NOT NULL,
        variables TEXT NOT NULL,
        auto INTEGER NOT NULL DEFAULT 0,
        time_taken_ms INTEGER,
        at TEXT NOT NULL,
        PRIMARY KEY (session_id, seq)
    );
    CREATE TABLE notes (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        session_id INTEGER NOT NULL REFERENCES sessions (id) ON DELETE CASCADE,
        text TEXT NOT NULL,
        at TEXT NOT NULL
    );
    CREATE TABLE responses (
        session_id INTEGER NOT NULL REFERENCES sessions (id) ON DELETE CASCADE,
        kind TEXT NOT NULL,
        data TEXT NOT NULL,
        at TEXT NOT NULL,
        PRIMARY KEY (session_id, kind)
    );
    CREATE TABLE results (
        session_id INTEGER NOT NULL REFERENCES sessions (id) ON DELETE CASCADE,
        rubric_id TEXT NOT NULL,
        rubric_version INTEGER NOT NULL,
        grade TEXT NOT NULL,
        data TEXT NOT NULL,
        at TEXT NOT NULL,
        PRIMARY KEY (session_id, rubric_id)
    );
    """,
    # 2: a tutor's decisions on criteria (roleplay confirm)
    """
    CREATE TABLE decisions (
        session_id INTEGER NOT NULL REFERENCES sessions (id) ON DELETE CASCADE,
        code TEXT NOT NULL,
        verdict TEXT NOT NULL,
        decided_by TEXT NOT NULL,
        note TEXT NOT NULL DEFAULT '',
        at TEXT NOT NULL,
        PRIMARY KEY (session_id, code)
    );
    """,
    # 3: finding a session by learner, scenario and start (import's de-duplication) without a
    # scan of every session of that learner, which made importing quadratic
    """
    CREATE INDEX sessions_identity ON sessions (learner_id, scenario_id, started);
    """,
    # 4: a store for a college (100,000 sessions): every list and report finds its rows by an
    # index, never by reading every session, note or learner
    """
    CREATE INDEX sessions_scenario ON sessions (scenario_id);
    CREATE INDEX learners_ref ON learners (learner_ref);
    CREATE INDEX learners_group ON learners (group_name);
    CREATE INDEX notes_session ON notes (session_id);
    """,
    # 5: the classroom. Lessons and rosters. The exact scenario text each session was played on,
    # by content hash, so sheets and reports replay a tutor's own scenario with no file at hand.
    # Observed role-plays (who observed). Names matched without regard to case and spacing
    # (name_key, group_key: see name_key()).
    """
    CREATE TABLE lessons (
        code TEXT PRIMARY KEY,
        group_name TEXT NOT NULL,
        group_key TEXT NOT NULL,
        scenarios TEXT NOT NULL,
        rubric_id TEXT,
        mode TEXT NOT NULL,
        opens TEXT,
        closes TEXT,
        title TEXT,
        created TEXT NOT NULL
    );
    CREATE INDEX lessons_group ON lessons (group_key);
    CREATE TABLE roster (
        group_name TEXT NOT NULL,
        group_key TEXT NOT NULL,
        learner_ref TEXT NOT NULL,
        name TEXT NOT NULL,
        added TEXT NOT NULL,
        PRIMARY KEY (group_key, learner_ref)
    );
    CREATE TABLE scenario_texts (
        hash TEXT PRIMARY KEY,
        scenario_id TEXT NOT NULL,
        version INTEGER NOT NULL,
        text TEXT NOT NULL,
        first_seen TEXT NOT NULL
    );
    ALTER TABLE sessions ADD COLUMN scenario_hash TEXT;
    ALTER TABLE sessions ADD COLUMN observer TEXT;
    ALTER TABLE sessions ADD COLUMN lesson_code TEXT;
    CREATE INDEX sessions_lesson ON sessions (lesson_code);
    ALTER TABLE learners ADD COLUMN name_key TEXT;
    ALTER TABLE learners ADD COLUMN group_key TEXT;
    UPDATE learners SET name_key = name_key(name), group_key = name_key(group_name);
    CREATE INDEX learners_name_key ON learners (name_key);
    CREATE INDEX learners_group_key ON learners (group_key);
    """,
    # 6: a served classroom. Who is playing in a browser now (one browser per learner), and the
    # xAPI statements waiting for the college's learning record store (sent once each, in order).
    """
    CREATE TABLE live_players (
        learner_id INTEGER PRIMARY KEY REFERENCES learners (id) ON DELETE CASCADE,
        token TEXT NOT NULL,
        since TEXT NOT NULL,
        seen TEXT NOT NULL
    );
    CREATE TABLE xapi_queue (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        statement_id TEXT NOT NULL UNIQUE,
        session_id INTEGER REFERENCES sessions (id) ON DELETE CASCADE,
        statement TEXT NOT NULL,
        queued TEXT NOT NULL,
        sent TEXT,
        attempts INTEGER NOT NULL DEFAULT 0,
        last_error TEXT
    );
    CREATE INDEX xapi_unsent ON xapi_queue (sent, id);
    """,
)
SCHEMA_VERSION = len(MIGRATIONS)


def scenario_text_hash(text: str) -> str:
    """The content hash a scenario text is kept under: SHA-256 of its UTF-8, in hex."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def name_key(name: str | None) -> str | None:
    """How names are matched: without regard to case or spacing ("Amy  Khan " is "amy khan").

    Also the SQL function ``name_key`` on every store connection (migration 5 fills the keys).
    """
    if name is None:
        return None
    return " ".join(name.split()).casefold()


class StoreError(Exception):
    """The store cannot be opened or used; the message says why and where."""


class StoreBusy(StoreError):
    """Another program held the store's write lock for longer than the wait; nothing was written
    and trying again later may work."""


class SessionChanged(StoreError):
    """A session was changed by someone else since it was read (continued in another window, or
    erased with its learner); nothing was written."""

    def __init__(self, message: str, *, gone: bool) -> None:
        super().__init__(message)
        self.gone = gone
        """True when the session (and its learner) is no longer in the store at all."""


def _busy(exc: sqlite3.OperationalError) -> bool:
    text = str(exc)
    return "locked" in text or "busy" in text


def default_path() -> Path:
    """Return where the store lives: $ROLEPLAY_STORE, else the platform's user data folder."""
    override = os.environ.get(ENV_VAR)
    if override:
        return Path(override).expanduser()
    if sys.platform == "win32":
        base = Path(os.environ.get("APPDATA") or Path.home() / "AppData" / "Roaming")
    elif sys.platform == "darwin":
        base = Path.home() / "Library" / "Application Support"
    else:
        xdg = os.environ.get("XDG_DATA_HOME", "")
        # the XDG spec says a relative path is invalid and must be ignored
        base = Path(xdg) if os.path.isabs(xdg) else Path.home() / ".local" / "share"
    return base / APP_DIR / FILE_NAME


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


@dataclass(frozen=True)
class Learner:
    """A learner in the store."""

    id: int
    """Store id."""
    name: str
    """Name as typed."""
    learner_ref: str | None
    """Optional learner id from the college's records."""
    group: str | None
    """Class or group."""

    @property
    def display(self) -> str:
        """Name, with the learner id when there is one."""
        return f"{self.name} ({self.learner_ref})" if self.learner_ref else self.name


class TurnRecord(NamedTuple):
    """One option taken, as stored (a named tuple: a class report reads hundreds of thousands)."""

    seq: int
    """1-based position in the session."""
    node: str
    """Node where it was chosen."""
    option: str
    """Option id."""
    line: str
    """The learner's line."""
    behaviours: tuple[str, ...]
    """Behaviours it showed."""
    variables: dict[str, Any]
    """Variables after it."""
    auto: bool
    """Taken automatically (fallback)."""
    time_taken_ms: int | None
    """How long the learner took to choose."""
    at: str
    """When (UTC, ISO 8601)."""


@dataclass(frozen=True)
class SessionRecord:
    """A stored session with everything recorded about it."""

    id: int
    """Session id, shown to users."""
    learner: Learner
    """Who played it."""
    scenario_id: str
    """Scenario id."""
    scenario_version: int
    """Scenario revision played."""
    rubric_id: str | None
    """Rubric it is judged against."""
    rubric_version: int | None
    """Rubric revision."""
    mode: str
    """practice, assessment or headless."""
    started: str
    """Start time (UTC)."""
    ended: str | None
    """End time, if finished."""
    outcome: str | None
    """Ending outcome, if finished."""
    state: str
    """in_progress or finished."""
    turns: tuple[TurnRecord, ...] = ()
    """Every option taken."""
    notes: tuple[tuple[str, str], ...] = ()
    """(time, text) of each note."""
    responses: LearnerResponses = field(default_factory=LearnerResponses)
    """What the learner wrote."""
    result: dict[str, Any] | None = None
    """The stored scored result (SessionResult.to_dict form), if any."""
    grade: str | None = None
    """The stored session grade, if scored."""
    decisions: tuple[TutorDecision, ...] = ()
    """The tutor's decisions on this session's criteria (``roleplay confirm``)."""
    ruled_out: bool = False
    """A serious error ruled out the stored grade (its ``grade_detail.ruled_out_by``)."""
    written: tuple[str, ...] = ()
    """The parts of the learner's written responses that are stored (``review``, ...)."""
    summary: bool = False
    """Only the listing's fields: no turns, notes, responses, result or decisions are loaded
    (``Store.sessions`` without ``full``); ``grade``, ``ruled_out`` and ``written`` are."""
    scenario_hash: str | None = None
    """The content hash of the scenario text it was played on (`Store.scenario_text`), if kept."""
    observer: str | None = None
    """Who observed it (an observed role-play), if anyone."""
    lesson_code: str | None = None
    """The join code of the lesson it was played in, if any."""

    @property
    def choices(self) -> list[str]:
        """The learner's own choices (not automatic ones), for replaying the session."""
        return [t.option for t in self.turns if not t.auto]

    def steps(self) -> list[tuple[str, str, bool]]:
        """Return (node, option, auto) for scoring."""
        return [(t.node, t.option, t.auto) for t in self.turns]


def _connect_read_only(path: Path) -> sqlite3.Connection:
    """A connection that cannot write to ``path`` (which must exist), and leaves nothing beside it.

    With no WAL beside the file no program has it open (SQLite makes the WAL when it opens a
    store), so it is opened as immutable: no shared-memory or WAL file is made next to it, which
    a read-only connection would otherwise leave behind, and a folder this user cannot write to
    is fine. With a WAL (the store is open on its computer, or was not closed), it is opened
    read-only so that the WAL's latest turns are read too.
    """
    if not path.is_file():
        raise sqlite3.OperationalError("no such file")
    uri = path.resolve().as_uri()
    if not path.with_name(path.name + "-wal").exists():
        return sqlite3.connect(f"{uri}?immutable=1", uri=True, isolation_level=None)
    db = sqlite3.connect(f"{uri}?mode=ro", uri=True, isolation_level=None, timeout=10)
    db.execute("SELECT COUNT(*) FROM sqlite_master").fetchone()
    return db


class Store:
    """An open session store."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.version = SCHEMA_VERSION
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            self.db = sqlite3.connect(path, isolation_level=None, timeout=10)
        except sqlite3.DatabaseError as exc:
            raise StoreError(f"{path}: cannot open the session store: {exc}") from exc
        except OSError as exc:
            raise StoreError(f"{path}: cannot create the session store: {exc.strerror}") from exc
        try:
            self.db.row_factory = sqlite3.Row
            self.db.create_function("name_key", 1, name_key, deterministic=True)
            self._check_version()  # before anything writes to a file from a newer version
            self.db.execute("PRAGMA foreign_keys = ON")
            self.db.execute("PRAGMA secure_delete = ON")  # erased learners are overwritten
            self._use_wal()
            self.db.execute("PRAGMA synchronous = NORMAL")
            self._migrate()
        except BaseException as exc:
            self.db.close()
            if isinstance(exc, sqlite3.DatabaseError):
                raise StoreError(f"{path}: cannot open the session store: {exc}") from exc
            raise

    def _use_wal(self, wait: float = 10.0) -> None:
        """Put the store in WAL mode. A new store opened by several programs at once is
        switched by the first; SQLite refuses the others at once ("database is locked") rather
        than waiting its timeout, so they try again for up to ``wait`` seconds."""
        deadline = time.monotonic() + wait
        pause = 0.005
        while True:
            try:
                self.db.execute("PRAGMA journal_mode = WAL")
                return
            except sqlite3.OperationalError as exc:
                if not _busy(exc) or time.monotonic() + pause > deadline:
                    raise
            time.sleep(pause)
            pause = min(pause * 2, 0.1)

    @classmethod
    def open(cls, path: Path | None = None) -> Store:
        """Open (creating if needed) the store at ``path`` or the default location."""
        return cls(path or default_path())

    @classmethod
    def open_to_read(cls, path: Path) -> Store:
        """Open another computer's store only to read it: nothing is written to the file (no
        migration, no settings), no copy is made, and a store still open elsewhere is read with
        the turns in its WAL. Raises StoreError when the file is not a session store."""
        store = cls.__new__(cls)
        store.path = path
        try:
            store.db = _connect_read_only(path)
        except sqlite3.DatabaseError as exc:
            raise StoreError(f"{path}: cannot be read as a session store: {exc}") from exc
        try:
            store.db.row_factory = sqlite3.Row
            store.db.create_function("name_key", 1, name_key, deterministic=True)
            store.version = store._check_version()
            if store.version == 0:
                raise StoreError(
                    f"{path}: an SQLite file, but not a session store made by roleplay"
                )
            store.db.execute("PRAGMA query_only = ON")
        except BaseException as exc:
            store.db.close()
            if isinstance(exc, sqlite3.DatabaseError):
                raise StoreError(f"{path}: cannot be read as a session store: {exc}") from exc
            raise
        return store

    @classmethod
    def open_live(cls, path: Path, wait: float = 1.0) -> Store:
        """Open a store that learners are writing to, to read it as they write (``watch``).

        A read-only connection to the WAL: it never takes a write lock, so it never blocks or
        slows a writer, and each read sees every turn committed before it (never immutable, as
        `open_to_read` may be). A store from an older version is upgraded first, as any command
        would; ``wait`` is how long a read waits for SQLite's brief locks before failing.
        """
        if not path.is_file():
            raise StoreError(f"{path}: no session store here (nobody has played on it yet?)")
        cls(path).close()  # creates nothing (the file is there); migrates it if older
        store = cls.__new__(cls)
        store.path = path
        try:
            uri = path.resolve().as_uri()
            store.db = sqlite3.connect(
                f"{uri}?mode=ro", uri=True, isolation_level=None, timeout=wait
            )
            store.db.row_factory = sqlite3.Row
            store.db.create_function("name_key", 1, name_key, deterministic=True)
            store.version = store._check_version()
            store.db.execute("PRAGMA query_only = ON")
        except sqlite3.DatabaseError as exc:
            raise StoreError(f"{path}: cannot be read as a session store: {exc}") from exc
        return store

    def close(self) -> None:
        """Close the connection."""
        self.db.close()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        """Run statements atomically: all of them are committed, or none.

        Raises StoreBusy when another program holds the write lock for longer than the wait.
        """
        try:
            self.db.execute("BEGIN IMMEDIATE")
        except sqlite3.OperationalError as exc:
            if _busy(exc):
                raise StoreBusy(self._busy_message()) from exc
            raise
        try:
            yield self.db
        except BaseException:
            self.db.execute("ROLLBACK")
            raise
        try:
            self.db.execute("COMMIT")
        except sqlite3.OperationalError as exc:
            if self.db.in_transaction:
                self.db.execute("ROLLBACK")
            if _busy(exc):
                raise StoreBusy(self._busy_message()) from exc
            raise

    def _busy_message(self) -> str:
        return (
            f"{self.path} is busy: another program (an import, or another window) has been "
            "writing to it for more than 10 seconds; nothing was saved: try again in a moment"
        )

    def _same_session(self, db: sqlite3.Connection, session_id: int, turns: int | None) -> None:
        """Check, inside a write, that the session is still stored (with exactly ``turns`` turns,
        as this process last left it, unless None); raise SessionChanged otherwise."""
        row = db.execute(
            "SELECT (SELECT COUNT(*) FROM sessions WHERE id = ?),"
            " (SELECT COALESCE(MAX(seq), 0) FROM turns WHERE session_id = ?)",
            (session_id, session_id),
        ).fetchone()
        if not row[0]:
            raise SessionChanged(
                f"session {session_id} is no longer in the store: its learner was erased "
                "(delete-learner) while it was being played",
                gone=True,
            )
        if turns is not None and row[1] != turns:
            raise SessionChanged(
                f"session {session_id} was continued in another window since this one opened "
                f"it (it has {row[1]} turns there, {turns} here)",
                gone=False,
            )

    def _check_version(self) -> int:
        version = int(self.db.execute("PRAGMA user_version").fetchone()[0])
        if version > SCHEMA_VERSION:
            raise StoreError(
                f"{self.path} was written by a newer version of customer-roleplay "
                f"(schema {version}; this one reads up to {SCHEMA_VERSION}); upgrade to open it"
            )
        return version

    def _migrate(self) -> None:
        if self._check_version() == SCHEMA_VERSION:
            return  # up to date, as nearly always: no lock taken
        # Several programs may open a new store at the same moment (a class starting the app
        # together): the version is read again once this one holds the write lock, so only
        # the first creates the tables and the others find them made.
        with self.transaction() as db:  # every migration and the version bump, atomically
            for number in range(self._check_version(), SCHEMA_VERSION):
                for statement in _statements(MIGRATIONS[number]):
                    db.execute(statement)
                db.execute(f"PRAGMA user_version = {number + 1}")

    # -- learners -----------------------------------------------------------------------------
    def learner(
        self, name: str, learner_ref: str | None = None, group: str | None = None
    ) -> Learner:
        """Return the learner with this name (and id), creating them; update the group if given.

        Names match without regard to case and spacing: "amy  khan" is the learner "Amy Khan"
        already stored (with the same learner id, or none), and keeps that stored name.
        """
        name = " ".join(name.split())
        if not name:
            raise StoreError("a learner needs a name")
        with self.transaction() as db:
            row = db.execute(
                "SELECT * FROM learners WHERE name_key = name_key(?) "
                "AND IFNULL(learner_ref, '') = ? ORDER BY name = ? DESC, id LIMIT 1",
                (name, learner_ref or "", name),
            ).fetchone()
            if row is None:
                cur = db.execute(
                    "INSERT INTO learners (name, learner_ref, group_name, created, name_key, "
                    "group_key) VALUES (?,?,?,?,name_key(?),name_key(?))",
                    (name, learner_ref, group, _now(), name, group),
                )
                return Learner(int(cur.lastrowid or 0), name, learner_ref, group)
            if group is not None and name_key(group) != name_key(row["group_name"]):
                db.execute(
                    "UPDATE learners SET group_name = ?, group_key = name_key(?) WHERE id = ?",
                    (group, group, row["id"]),
                )
                return Learner(row["id"], row["name"], learner_ref, group)
            return Learner(row["id"], row["name"], learner_ref, row["group_name"])

    def find_learners(self, who: str) -> list[Learner]:
        """Return learners whose name (without regard to case and spacing) or learner id is
        ``who``."""
        if self.version < 5:  # a store read as it is, from before name keys
            rows = self.db.execute(
                "SELECT * FROM learners WHERE name = ? OR learner_ref = ? ORDER BY id",
                (who, who),
            ).fetchall()
        else:
            rows = self.db.execute(
                "SELECT * FROM learners WHERE name_key = name_key(?) OR learner_ref = ? "
                "ORDER BY id",
                (who, who.strip()),
            ).fetchall()
        return [_learner(r) for r in rows]

    def learner_by_id(self, learner_id: int) -> Learner | None:
        """Return the learner with this store id, if there is one."""
        if not 0 < learner_id < 2**63:
            return None
        row = self.db.execute("SELECT * FROM learners WHERE id = ?", (learner_id,)).fetchone()
        return None if row is None else _learner(row)

    def learners(self, group: str | None = None) -> list[Learner]:
        """Return every learner (in a group, matched without regard to case and spacing, if
        given), by name."""
        if group is None:
            rows = self.db.execute("SELECT * FROM learners ORDER BY name, id").fetchall()
        else:
            rows = self.db.execute(
                "SELECT * FROM learners WHERE group_key = name_key(?) ORDER BY name, id", (group,)
            ).fetchall()
        return [_learner(r) for r in rows]

    def rename_learner(self, learner: Learner, new_name: str) -> Learner:
        """Give one learner record a new name (their sessions stay theirs); return it renamed.

        Refused (StoreError) when another record would then be the same learner: the same name,
        without regard to case and spacing, and the same learner id (merge them instead).
        """
        name = " ".join(new_name.split())
        if not name:
            raise StoreError("a learner needs a name: the new name is empty")
        with self.transaction() as db:
            if db.execute("SELECT 1 FROM learners WHERE id = ?", (learner.id,)).fetchone() is None:
                raise StoreError(f"{learner.display} is no longer in the store")
            clash = db.execute(
                "SELECT * FROM learners WHERE name_key = name_key(?) "
                "AND IFNULL(learner_ref, '') = ? AND id != ?",
                (name, learner.learner_ref or "", learner.id),
            ).fetchone()
            if clash is not None:
                other = _learner(clash)
                raise StoreError(
                    f"{other.display} [#{other.id}] is already called that, with the same "
                    f"learner id; to make them one learner: roleplay learner merge "
                    f"'#{learner.id}' '#{other.id}'"
                )
            db.execute(
                "UPDATE learners SET name = ?, name_key = name_key(?) WHERE id = ?",
                (name, name, learner.id),
            )
        self._forget_in_prefs([learner])  # "Continue as" the old name would make it again
        return Learner(learner.id, name, learner.learner_ref, learner.group)

    def merge_learners(self, source: Learner, into: Learner) -> tuple[Learner, int]:
        """Move every session of ``source`` to ``into`` and remove ``source``'s record.

        ``into`` keeps its name; it takes ``source``'s learner id and group where it has none.
        Refused (StoreError) when both have learner ids and they differ (two people), or when
        they are one record. Returns ``into`` as it is now and how many sessions moved.
        """
        if source.id == into.id:
            raise StoreError(f"{source.display} [#{source.id}] is already that learner")
        with self.transaction() as db:
            rows = {
                r["id"]: _learner(r)
                for r in db.execute(
                    "SELECT * FROM learners WHERE id IN (?, ?)", (source.id, into.id)
                )
            }
            if source.id not in rows or into.id not in rows:
                gone = source if source.id not in rows else into
                raise StoreError(f"{gone.display} is no longer in the store")
            source, into = rows[source.id], rows[into.id]
            if source.learner_ref and into.learner_ref and source.learner_ref != into.learner_ref:
                raise StoreError(
                    f"{source.display} and {into.display} have different learner ids, so they "
                    "look like two people; nothing was merged (rename one if an id is wrong)"
                )
            moved = db.execute(
                "UPDATE sessions SET learner_id = ? WHERE learner_id = ?", (into.id, source.id)
            ).rowcount
            db.execute("DELETE FROM learners WHERE id = ?", (source.id,))
            ref = into.learner_ref or source.learner_ref
            group = into.group or source.group
            db.execute(
                "UPDATE learners SET learner_ref = ?, group_name = ?, group_key = name_key(?) "
                "WHERE id = ?",
                (ref, group, group, into.id),
            )
        self._forget_in_prefs([source])
        return Learner(into.id, into.name, ref, group), int(moved)

    def delete_learner(self, who: str) -> int:
        """Erase the one learner whose name or learner id is ``who``; return 1, or 0 if none.

        A name that matches several learners (one's name is another's learner id, or two share
        a name) erases nobody: StoreError lists them, so that one command never erases two
        people.
        """
        found = self.find_learners(who)
        if len(found) > 1:
            names = ", ".join(learner.display for learner in found)
            raise StoreError(f"'{who}' matches {len(found)} learners ({names}); give a learner id")
        for learner in found:
            self.delete_learner_record(learner)
        return len(found)

    def sessions_of(self, learner_id: int) -> list[int]:
        """Return the ids of one learner's sessions."""
        rows = self.db.execute("SELECT id FROM sessions WHERE learner_id = ?", (learner_id,))
        return [int(r["id"]) for r in rows]

    def delete_learner_record(self, learner: Learner) -> None:
        """Erase one learner and everything recorded about them, from the file and its WAL.

        The rows are deleted (overwritten, with ``secure_delete``) and then checkpointed into the
        main file, and the WAL is emptied, which still holds copies of the erased rows until
        then. If another program holds the store open, the checkpoint cannot finish: StoreError
        says so, and that erasure is not complete until it is run again with the store closed.
        """
        with self.transaction() as db:
            db.execute("DELETE FROM learners WHERE id = ?", (learner.id,))
        self._forget_in_prefs([learner])
        busy, _, _ = self.db.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchone()
        if busy:
            raise StoreError(
                f"{learner.display} is erased from the store's records, but another program has "
                f"{self.path} open, so copies of the erased data are still in its write-ahead "
                "log; close every other roleplay window or command using the store: the last one "
                "to close moves the erasure into the file and empties the log"
            )

    @property
    def prefs_path(self) -> Path:
        """Where the simulator remembers its settings (who played last, rubric, mode)."""
        return self.path.parent / PREFS_FILE

    def _forget_in_prefs(self, learners: Sequence[Learner]) -> None:
        """Erasure covers the remembered settings too: drop who played last if it was one of
        ``learners`` (other settings stay)."""
        try:
            prefs = json.loads(self.prefs_path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return
        if not isinstance(prefs, dict):
            return
        name = name_key(str(prefs.get("name") or ""))
        ref = str(prefs.get("learner_ref") or "").strip()
        if not any(
            (name and name == name_key(learner.name)) or (ref and ref == learner.learner_ref)
            for learner in learners
        ):
            return
        for key in PREFS_WHO:
            prefs.pop(key, None)
        try:
            self.prefs_path.write_text(json.dumps(prefs, indent=2), encoding="utf-8")
        except OSError as exc:
            raise StoreError(
                f"the learner was erased from {self.path}, but {self.prefs_path} still names "
                f"them and cannot be rewritten ({exc.strerror or exc}): delete that file"
            ) from exc

    # -- sessions -----------------------------------------------------------------------------
    def start_session(
        self,
        learner: Learner,
        scenario: Scenario,
        mode: str,
        rubric_id: str | None = None,
        rubric_version: int | None = None,
        *,
        scenario_text: str | None = None,
        lesson_code: str | None = None,
        observer: str | None = None,
    ) -> int:
        """Record a new session and return its id.

        ``scenario_text`` is the scenario file's text as played: it is kept once, by content hash
        (scenario_texts), so the session can be replayed with no file at hand.
        """
        if mode not in MODES:
            raise StoreError(f"unknown mode '{mode}'; use one of {', '.join(MODES)}")
        with self.transaction() as db:
            if db.execute("SELECT 1 FROM learners WHERE id = ?", (learner.id,)).fetchone() is None:
                raise SessionChanged(
                    f"{learner.display} is no longer in the store: erased (delete-learner) since "
                    "signing in",
                    gone=True,
                )
            digest = None
            if scenario_text is not None:
                digest = scenario_text_hash(scenario_text)
                db.execute(
                    "INSERT OR IGNORE INTO scenario_texts (hash, scenario_id, version, text, "
                    "first_seen) VALUES (?,?,?,?,?)",
                    (digest, scenario.id, scenario.version, scenario_text, _now()),
                )
            cur = db.execute(
                "INSERT INTO sessions (learner_id, scenario_id, scenario_version, rubric_id,"
                " rubric_version, mode, started, scenario_hash, lesson_code, observer)"
                " VALUES (?,?,?,?,?,?,?,?,?,?)",
                (
                    learner.id,
                    scenario.id,
                    scenario.version,
                    rubric_id,
                    rubric_version,
                    mode,
                    _now(),
                    digest,
                    lesson_code,
                    observer,
                ),
            )
            return int(cur.lastrowid or 0)

    def keep_scenario_text(self, text: str, scenario_id: str, version: int) -> str:
        """Keep a scenario's text (once, by content hash) and return its hash: a lesson's own
        scenario file, so that learners' computers without the file can play it."""
        digest = scenario_text_hash(text)
        with self.transaction() as db:
            db.execute(
                "INSERT OR IGNORE INTO scenario_texts (hash, scenario_id, version, text, "
                "first_seen) VALUES (?,?,?,?,?)",
                (digest, scenario_id, version, text, _now()),
            )
        return digest

    def scenario_text(self, digest: str) -> str | None:
        """Return the scenario text kept under this content hash, if any."""
        row = self.db.execute(
            "SELECT text FROM scenario_texts WHERE hash = ?", (digest,)
        ).fetchone()
        return None if row is None else str(row["text"])

    def latest_scenario_hash(self, scenario_id: str) -> str | None:
        """The content hash of the newest text kept of this scenario (its highest version, then
        the last seen), if any."""
        if self.version < 5:
            return None
        row = self.db.execute(
            "SELECT hash FROM scenario_texts WHERE scenario_id = ? "
            "ORDER BY version DESC, first_seen DESC, rowid DESC LIMIT 1",
            (scenario_id,),
        ).fetchone()
        return None if row is None else str(row["hash"])

    def record_steps(
        self, session_id: int, session: Session, steps: Sequence[Step], time_taken_ms: int | None
    ) -> None:
        """Commit the steps a choice produced (the choice and any automatic ones) atomically."""
        scenario = session.scenario
        with self.transaction() as db:
            if steps:
                self._same_session(db, session_id, steps[0].turn - 1)
            for step in steps:
                option = scenario.option(step.option)
                db.execute(
                    "INSERT INTO turns (session_id, seq, node, option, line, behaviours, variables,"
                    " auto, time_taken_ms, at) VALUES (?,?,?,?,?,?,?,?,?,?)",
                    (
                        session_id, step.turn, step.node, step.option,
                        option.say if option else "", json.dumps(list(option.shows) if option else []),
                        json.dumps(step.variables_after), int(step.auto),
                        None if step.auto else time_taken_ms, _now(),
                    ),
                )  # fmt: skip
            if session.finished:
                db.execute(
                    "UPDATE sessions SET state = 'finished', ended = ?, outcome = ? WHERE id = ?",
                    (_now(), session.outcome, session_id),
                )

    def abandon(self, session_id: int) -> None:
        """Mark an unfinished session as given up (the learner started the scenario again)."""
        with self.transaction() as db:
            db.execute(
                "UPDATE sessions SET state = 'abandoned', ended = ? "
                "WHERE id = ? AND state = 'in_progress'",
                (_now(), session_id),
            )

    def truncate(self, session_id: int, keep: int, had: int | None = None) -> None:
        """Remove every turn after the first ``keep`` (undo in practice mode); if ``had`` is
        given, only if the session still has that many turns (SessionChanged otherwise)."""
        with self.transaction() as db:
            self._same_session(db, session_id, had)
            db.execute("DELETE FROM turns WHERE session_id = ? AND seq > ?", (session_id, keep))
            db.execute(
                "UPDATE sessions SET state = 'in_progress', ended = NULL, outcome = NULL "
                "WHERE id = ?",
                (session_id,),
            )
            db.execute("DELETE FROM results WHERE session_id = ?", (session_id,))

    def add_note(self, session_id: int, text: str) -> None:
        """Record a note the learner typed."""
        with self.transaction() as db:
            self._same_session(db, session_id, None)
            db.execute(
                "INSERT INTO notes (session_id, text, at) VALUES (?,?,?)",
                (session_id, text, _now()),
            )

    def save_responses(self, session_id: int, responses: LearnerResponses) -> None:
        """Record (replace) the learner's written responses."""
        data = responses.to_dict()
        with self.transaction() as db:
            self._same_session(db, session_id, None)
            # replace, not merge: a part the learner cleared must not linger
            placeholders = ",".join("?" * len(data)) or "''"
            db.execute(
                f"DELETE FROM responses WHERE session_id = ? AND kind NOT IN ({placeholders})",
                (session_id, *data),
            )
            for kind, value in data.items():
                db.execute(
                    "INSERT INTO responses (session_id, kind, data, at) VALUES (?,?,?,?) "
                    "ON CONFLICT (session_id, kind) DO UPDATE SET data = excluded.data, "
                    "at = excluded.at",
                    (session_id, kind, json.dumps(value), _now()),
                )

    def save_result(self, session_id: int, result: SessionResult) -> None:
        """Record (replace) the scored result of a session."""
        with self.transaction() as db:
            self._same_session(db, session_id, None)
            db.execute(
                "INSERT INTO results (session_id, rubric_id, rubric_version, grade, data, at) "
                "VALUES (?,?,?,?,?,?) ON CONFLICT (session_id, rubric_id) DO UPDATE SET "
                "rubric_version = excluded.rubric_version, grade = excluded.grade, "
                "data = excluded.data, at = excluded.at",
                (
                    session_id, result.rubric, result.rubric_version, result.grade.value,
                    json.dumps(result.to_dict()), _now(),
                ),
            )  # fmt: skip

    def record_decision(
        self, session_id: int, code: str, verdict: str, by: str, note: str = ""
    ) -> TutorDecision:
        """Record (replace) a tutor's decision on one criterion of a session."""
        if verdict not in DECISION_VERDICTS:
            raise StoreError(f"a decision is one of {', '.join(DECISION_VERDICTS)}, not {verdict}")
        decision = TutorDecision(code, cast(Any, verdict), by, _now(), note)
        with self.transaction() as db:
            db.execute(
                "INSERT INTO decisions (session_id, code, verdict, decided_by, note, at) "
                "VALUES (?,?,?,?,?,?) ON CONFLICT (session_id, code) DO UPDATE SET "
                "verdict = excluded.verdict, decided_by = excluded.decided_by, "
                "note = excluded.note, at = excluded.at",
                (session_id, code, verdict, by, note, decision.at),
            )
        return decision

    def decisions(self, session_id: int) -> tuple[TutorDecision, ...]:
        """Return the tutor's decisions on a session, by criterion code."""
        if self.version < 2:  # a store read as it is, from before tutors' decisions
            return ()
        return tuple(
            _decision(r)
            for r in self.db.execute(
                "SELECT * FROM decisions WHERE session_id = ? ORDER BY code", (session_id,)
            )
        )

    def session(self, session_id: int) -> SessionRecord | None:
        """Return a stored session with its turns, notes, responses and result."""
        row = self.db.execute(f"{_SESSION_ROW} WHERE s.id = ?", (session_id,)).fetchone()
        return None if row is None else self._record(row)

    def sessions(
        self,
        learner: str | None = None,
        group: str | None = None,
        scenario: str | None = None,
        *,
        learner_id: int | None = None,
        full: bool = False,
    ) -> list[SessionRecord]:
        """Return sessions, newest first, filtered by learner (name or id), group and scenario.

        Without ``full`` each is a summary (see ``SessionRecord.summary``) read in one query,
        whatever the number of sessions; ``full`` loads everything about each one.
        """
        where, args = _session_filter(learner, group, scenario, learner_id)
        if full:
            rows = self.db.execute(
                f"{_SESSION_ROW} WHERE {where} ORDER BY s.id DESC", args
            ).fetchall()
            return [self._record(r) for r in rows]
        summaries = self.db.execute(f"{_SUMMARY_ROW} WHERE {where} ORDER BY s.id DESC", args)
        return [self._summary(r) for r in summaries]

    def latest_sessions(self, learner_id: int) -> dict[str, SessionRecord]:
        """Each scenario's newest session of one learner, as a summary, by scenario id."""
        latest: dict[str, SessionRecord] = {}
        for record in self.sessions(learner_id=learner_id):
            latest.setdefault(record.scenario_id, record)
        return latest

    def learner_batches(
        self, group: str | None = None, *, to_judge: bool = False
    ) -> Iterator[list[SessionRecord]]:
        """Every session of each learner (of a group), in full, one learner at a time.

        For reports over a whole class: only one learner's sessions are in memory at once. With
        ``to_judge``, each record holds only what judging it again needs (see
        `_records_to_judge`), read in a few queries per learner rather than five per session.
        """
        where, args = _session_filter(None, group, None, None)
        ids = [
            int(r[0])
            for r in self.db.execute(
                f"SELECT DISTINCT s.learner_id FROM sessions s JOIN learners l "
                f"ON l.id = s.learner_id WHERE {where} ORDER BY s.learner_id",
                args,
            )
        ]
        for learner_id in ids:
            if to_judge:
                yield self._records_to_judge(learner_id)
                continue
            rows = self.db.execute(
                f"{_SESSION_ROW} WHERE s.learner_id = ? ORDER BY s.id", (learner_id,)
            ).fetchall()
            yield [self._record(r) for r in rows]

    def _records_to_judge(self, learner_id: int) -> list[SessionRecord]:
        """One learner's sessions with what judging them again needs, in five queries: the
        route (each turn's node, option, line and whether automatic), the written responses and
        the tutor's decisions. Turns carry their position but no behaviours, variables or times
        (``time_taken_ms`` None, ``at`` empty), and there is no stored result."""
        mine = "SELECT id FROM sessions WHERE learner_id = ?"
        plain = self.db.cursor()
        plain.row_factory = None  # tuples: a class of 30 reads hundreds of thousands of turns
        turns: dict[int, list[TurnRecord]] = {}
        for sid, node, option, line, auto in plain.execute(
            f"SELECT session_id, node, option, line, auto FROM turns "
            f"WHERE session_id IN ({mine}) ORDER BY session_id, seq",
            (learner_id,),
        ):
            route = turns.get(sid)
            if route is None:
                route = turns[sid] = []
            route.append(
                TurnRecord(len(route) + 1, node, option, line, (), {}, bool(auto), None, "")
            )
        parts: dict[int, dict[str, Any]] = {}
        for sid, kind, data in plain.execute(
            f"SELECT session_id, kind, data FROM responses WHERE session_id IN ({mine})",
            (learner_id,),
        ):
            parts.setdefault(sid, {})[kind] = json.loads(data)
        decisions: dict[int, list[TutorDecision]] = {}
        if self.version >= 2:
            for r in self.db.execute(
                f"SELECT * FROM decisions WHERE session_id IN ({mine}) ORDER BY code",
                (learner_id,),
            ):
                decisions.setdefault(r["session_id"], []).append(_decision(r))
        learner = _learner(
            self.db.execute("SELECT * FROM learners WHERE id = ?", (learner_id,)).fetchone()
        )
        nothing = LearnerResponses()
        out = []
        hashed = self.version >= 5  # the scenario text it was played on, to replay it with
        columns = [*_SESSION_COLUMNS, "scenario_hash" if hashed else "NULL"]
        for row in plain.execute(
            f"SELECT {', '.join(columns)} FROM sessions WHERE learner_id = ? ORDER BY id",
            (learner_id,),
        ):
            sid, fields, digest = row[0], cast(_SessionFields, row[1:-1]), row[-1]
            written = parts.get(sid)
            out.append(
                SessionRecord(
                    sid,
                    learner,
                    *fields,
                    turns=tuple(turns.get(sid, ())),
                    responses=LearnerResponses.from_dict(written) if written else nothing,
                    decisions=tuple(decisions.get(sid, ())),
                    written=tuple(sorted(written)) if written else (),
                    scenario_hash=digest,
                )
            )
        return out

    def count_sessions(self, group: str | None = None) -> int:
        """How many sessions there are (of a group's learners)."""
        where, args = _session_filter(None, group, None, None)
        return int(
            self.db.execute(
                f"SELECT COUNT(*) FROM sessions s JOIN learners l ON l.id = s.learner_id "
                f"WHERE {where}",
                args,
            ).fetchone()[0]
        )

    def scenario_rubrics(self, group: str | None = None) -> dict[tuple[str, str | None], int]:
        """How many sessions (of a group's learners) there are of each scenario and rubric.

        One query, whatever the number of sessions: a class report picks its rubric from this
        rather than listing every session.
        """
        where, args = _session_filter(None, group, None, None)
        return {
            (r[0], r[1]): int(r[2])
            for r in self.db.execute(
                f"SELECT s.scenario_id, s.rubric_id, COUNT(*) FROM sessions s JOIN learners l "
                f"ON l.id = s.learner_id WHERE {where} GROUP BY s.scenario_id, s.rubric_id "
                f"ORDER BY s.scenario_id, s.rubric_id",
                args,
            )
        }

    def _summary(self, row: sqlite3.Row) -> SessionRecord:
        learner = Learner(row["learner_id"], row["name"], row["learner_ref"], row["group_name"])
        return SessionRecord(
            row["id"], learner, row["scenario_id"], row["scenario_version"], row["rubric_id"],
            row["rubric_version"], row["mode"], row["started"], row["ended"], row["outcome"],
            row["state"], grade=row["result_grade"], ruled_out=bool(row["ruled_out"]),
            written=tuple(sorted(set((row["written"] or "").split(",")) - {""})), summary=True,
            **_classroom_fields(row),
        )  # fmt: skip

    def _record(self, row: _Row) -> SessionRecord:
        sid = row["id"]
        learner = Learner(row["learner_id"], row["name"], row["learner_ref"], row["group_name"])
        result_row = self.db.execute(
            "SELECT grade, data FROM results WHERE session_id = ? "
            "ORDER BY rubric_id IS ? DESC, at DESC LIMIT 1",
            (sid, row["rubric_id"]),
        ).fetchone()
        result = None if result_row is None else json.loads(result_row["data"])
        decisions = self.decisions(sid)
        turns = tuple(
            TurnRecord(
                t["seq"],
                t["node"],
                t["option"],
                t["line"],
                tuple(_stored(t["behaviours"], list, sid, t["seq"], "behaviours")),
                _stored(t["variables"], dict, sid, t["seq"], "variables"),
                bool(t["auto"]),
                t["time_taken_ms"],
                t["at"],
            )
            for t in self.db.execute(
                "SELECT * FROM turns WHERE session_id = ? ORDER BY seq", (sid,)
            )
        )
        notes = tuple(
            (n["at"], n["text"])
            for n in self.db.execute(
                "SELECT at, text FROM notes WHERE session_id = ? ORDER BY id", (sid,)
            )
        )
        parts = {
            r["kind"]: json.loads(r["data"])
            for r in self.db.execute(
                "SELECT kind, data FROM responses WHERE session_id = ?", (sid,)
            )
        }
        responses = LearnerResponses.from_dict(parts)
        return SessionRecord(
            sid, learner, row["scenario_id"], row["scenario_version"], row["rubric_id"],
            row["rubric_version"], row["mode"], row["started"], row["ended"], row["outcome"],
            row["state"], turns, notes, responses,
            result, None if result_row is None else result_row["grade"], decisions,
            _ruled_out(result), tuple(sorted(parts)), **_classroom_fields(row),
        )  # fmt: skip

    def export_learner(self, who: str) -> dict[str, Any]:
        """Return everything held about a learner as JSON-ready data (right of access)."""
        return self._export(self.find_learners(who))

    def export_learners(self, learners: Sequence[Learner]) -> dict[str, Any]:
        """Return everything held about these learner records, as `export_learner` does."""
        return self._export(learners)

    def export_all(self) -> dict[str, Any]:
        """Return everything in the store, in the same form as `export_learner`."""
        return self._export(self.learners())

    def export_parts(self, per_part: int = 500) -> Iterator[dict[str, Any]]:
        """Everything in the store as a series of exports of at most ``per_part`` sessions each
        (each learner in at least one), for `import_parts`: a store of any size is read a part
        at a time."""
        for learner, created, names, chunk in self._session_chunks(per_part):
            rows = [_first_of_each(names, r) for r in chunk]
            yield {
                "exported": _now(),
                "store": str(self.path),
                "learners": [self._learner_export(learner, created, rows)],
                "scenario_texts": self._texts_of(rows),
            }

    def _session_chunks(
        self, per_part: int
    ) -> Iterator[tuple[Learner, Any, list[str], list[tuple[Any, ...]]]]:
        """Each learner with their sessions' rows (as tuples, with the columns' names), at most
        ``per_part`` at a time; a learner with no sessions once, with none."""
        for learner in self.learners():
            created = self.db.execute(
                "SELECT created FROM learners WHERE id = ?", (learner.id,)
            ).fetchone()["created"]
            rows = self.db.cursor()
            rows.row_factory = None  # tuples: a store file can hold hundreds of thousands
            rows.execute(f"{_SESSION_ROW} WHERE s.learner_id = ? ORDER BY s.id", (learner.id,))
            names = [d[0] for d in rows.description]
            first = True
            while True:
                chunk = rows.fetchmany(per_part)
                if not chunk and not first:
                    break
                first = False
                yield learner, created, names, chunk
                if len(chunk) < per_part:
                    break

    def _export(self, learners: Sequence[Learner]) -> dict[str, Any]:
        out: dict[str, Any] = {"exported": _now(), "store": str(self.path), "learners": []}
        texts: dict[str, dict[str, Any]] = {}
        for learner in learners:
            created = self.db.execute(
                "SELECT created FROM learners WHERE id = ?", (learner.id,)
            ).fetchone()["created"]
            rows = self.db.execute(
                f"{_SESSION_ROW} WHERE s.learner_id = ? ORDER BY s.id", (learner.id,)
            ).fetchall()
            out["learners"].append(self._learner_export(learner, created, rows))
            texts.update(self._texts_of(rows))
        out["scenario_texts"] = texts
        return out

    def _texts_of(self, rows: Sequence[_Row]) -> dict[str, dict[str, Any]]:
        """The scenario texts these sessions were played on, once each, by content hash, as an
        export holds them (``{hash: {"scenario", "version", "text"}}``)."""
        if self.version < 5:
            return {}
        wanted = sorted({d for r in rows if (d := _classroom_fields(r)["scenario_hash"])})
        found: dict[str, dict[str, Any]] = {}
        for digest in wanted:
            row = self.db.execute(
                "SELECT scenario_id, version, text FROM scenario_texts WHERE hash = ?", (digest,)
            ).fetchone()
            if row is not None:
                found[digest] = {
                    "scenario": row["scenario_id"],
                    "version": row["version"],
                    "text": row["text"],
                }
        return found

    def _learner_export(
        self, learner: Learner, created: str, rows: Sequence[_Row]
    ) -> dict[str, Any]:
        """One learner and the given sessions of theirs, as an export holds them."""
        return {
            "name": learner.name,
            "learner_id": learner.learner_ref,
            "group": learner.group,
            "created": created,
            "sessions": [session_to_dict(self._record(r)) for r in rows],
        }

    def import_export(self, data: object, source: str) -> ImportReport:
        """Add the learners and sessions of an export (see `export_learner`) to this store.

        Everything is checked before anything is written, and the file goes in as one
        transaction: a problem anywhere raises `ImportProblem` (saying where) and changes
        nothing. A session already here (same learner, scenario, start time and turns:
        imported before, or exported from this store) is skipped, so importing twice adds
        nothing.
        """
        return self.import_parts([data], source)

    def import_parts(self, parts: Iterable[object], source: str) -> ImportReport:
        """Add several parts of one export (as `export_parts` gives them) as one transaction.

        Each part is checked before it is written and a problem in any part rolls back every
        part before it, so the whole file still goes in, or nothing does; but only one part is
        in memory at once, whatever the size of the file.
        """
        report = ImportReport(source)
        with self.transaction() as db:
            stored = _StoredSessions(db)
            for data in parts:
                checked = _read_export(data, source)
                _keep_texts(db, _read_texts(data, source))
                for who, sessions in checked:
                    self._import_part(db, who, [_prepare(s) for s in sessions], report, stored)
        return report

    def import_store(self, other: Store, source: str, per_part: int = 1000) -> ImportReport:
        """Add every learner and session of another store (opened with `open_to_read`).

        The same as importing ``other.export_parts()`` (same checks, same messages, the same
        sessions written, as one transaction), but quicker: each part of at most ``per_part``
        sessions is read in a few queries and its stored JSON copied as it is once it is
        checked, rather than each session read in five queries, rebuilt as an export, walked
        and written out again. A part the quick checks do not pass is read the slow way, whose
        checks say where the problem is.
        """
        report = ImportReport(source)
        with self.transaction() as db:
            stored = _StoredSessions(db)
            for who, sessions in other._parts_to_import(source, per_part):
                self._import_part(db, who, sessions, report, stored)
            _keep_texts(db, other._stored_texts(source))
        return report

    def _stored_texts(self, source: str) -> list[tuple[str, str, int, str, str]]:
        """Every scenario text of this store (hash, scenario id, version, text, first seen),
        each checked against its hash; ImportProblem names one that does not match."""
        if self.version < 5:
            return []
        try:
            rows = self.db.execute(
                "SELECT hash, scenario_id, version, text, first_seen FROM scenario_texts"
            ).fetchall()
        except sqlite3.DataError as exc:
            raise ImportProblem(f"{source}: scenario_texts: damaged ({exc})") from exc
        except sqlite3.OperationalError as exc:  # SQLite says so with the text itself: not shown
            reason = "not UTF-8 text" if "decode" in str(exc) else "cannot be read"
            raise ImportProblem(f"{source}: scenario_texts: a kept text is {reason}") from exc
        out = []
        for digest, scenario_id, version, text, seen in rows:
            where = f"{source}: scenario_texts, the text kept as {str(digest)[:12]}"
            _check_text(digest, scenario_id, version, text, where)
            out.append(
                (digest, scenario_id, version, text, seen if isinstance(seen, str) else _now())
            )
        return out

    def _parts_to_import(
        self, source: str, per_part: int
    ) -> Iterator[tuple[dict[str, Any], list[_Prepared]]]:
        """This store's learners and sessions, checked and ready to write, a part at a time."""
        known = _KnownJson()
        for learner, created, names, chunk in self._session_chunks(per_part):
            try:
                quick = self._quick_part(learner, created, names, chunk, known)
            except _NotQuick:  # read the slow way, whose checks say where the problem is
                mapped = [_first_of_each(names, r) for r in chunk]
                part = {"learners": [self._learner_export(learner, created, mapped)]}
                try:
                    checked = _read_export(part, source)
                except ImportProblem as exc:  # said by the store's own session ids
                    raise ImportProblem(
                        _in_store_terms(str(exc), source, learner.name, mapped)
                    ) from exc
                for who, sessions in checked:
                    yield who, [_prepare(s) for s in sessions]
                continue
            yield quick

    def _quick_part(
        self,
        learner: Learner,
        created: object,
        names: list[str],
        chunk: list[tuple[Any, ...]],
        known: _KnownJson,
    ) -> tuple[dict[str, Any], list[_Prepared]]:
        """One part of `_parts_to_import` read in six queries and checked without rebuilding
        an export; raises _NotQuick at anything unusual, for the slow way to judge."""
        name, ref, group = learner.name, learner.learner_ref, learner.group
        if not (
            type(name) is str
            and name.strip()
            and (ref is None or type(ref) is str)
            and (group is None or type(group) is str)
        ):
            raise _NotQuick
        who = {
            "name": name.strip(),
            "learner_id": ref,
            "group": group,
            "created": created if isinstance(created, str) else None,
        }
        if not chunk:
            return who, []
        at = {n: names.index(n) for n in _SESSION_COLUMNS}
        extra_at = [names.index(n) if n in names else None for n in CLASSROOM_COLUMNS]
        sessions = {}
        extras: dict[int, tuple[Any, ...]] = {}
        for row in chunk:
            sid = row[at["id"]]
            fields = tuple(row[at[n]] for n in _SESSION_COLUMNS[1:])
            if type(sid) is not int or sid in sessions or not _session_fields_fit(fields):
                raise _NotQuick
            extra = tuple(None if i is None else row[i] for i in extra_at)
            if not all(v is None or type(v) is str for v in extra):
                raise _NotQuick
            sessions[sid] = fields
            extras[sid] = extra
        ids = list(sessions)
        mine = "SELECT id FROM sessions WHERE learner_id = ? AND id BETWEEN ? AND ?"
        args = (learner.id, ids[0], ids[-1])  # the part: rows come in order of id
        plain = self.db.cursor()
        plain.row_factory = None
        turns: dict[int, list[tuple[Any, ...]]] = {}
        for sid, seq, node, option, line, behaviours, variables, auto, ms, when in plain.execute(
            "SELECT session_id, seq, node, option, line, behaviours, variables, auto, "
            f"time_taken_ms, at FROM turns WHERE session_id IN ({mine}) "
            "ORDER BY session_id, seq",
            args,
        ):
            mine_so_far = turns.get(sid)
            if mine_so_far is None:
                mine_so_far = turns[sid] = []
            elif mine_so_far[-1][0] == seq:
                raise _NotQuick  # two turns with one seq
            if not (
                type(seq) is int
                and type(node) is str
                and type(option) is str
                and type(line) is str
                and type(when) is str
                and (ms is None or type(ms) is int)
            ):
                raise _NotQuick
            known.turn_json(behaviours, variables)
            mine_so_far.append(
                (seq, node, option, line, behaviours, variables, int(bool(auto)), ms, when)
            )
        notes: dict[int, list[tuple[str, str]]] = {}
        for sid, text, when in plain.execute(
            f"SELECT session_id, text, at FROM notes WHERE session_id IN ({mine}) ORDER BY id",
            args,
        ):
            if type(text) is not str or type(when) is not str:
                raise _NotQuick
            notes.setdefault(sid, []).append((text, when))
        written: dict[int, dict[str, Any]] = {}
        for sid, kind, data in plain.execute(
            f"SELECT session_id, kind, data FROM responses WHERE session_id IN ({mine})", args
        ):
            parts = written.setdefault(sid, {})
            if kind in parts:
                raise _NotQuick
            try:
                parts[kind] = json.loads(data)
            except (TypeError, ValueError, RecursionError):
                raise _NotQuick from None
        decisions: dict[int, list[tuple[str, str, str, str, str]]] = {}
        if self.version >= 2:
            for sid, code, verdict, by, note, when in plain.execute(
                "SELECT session_id, code, verdict, decided_by, note, at FROM decisions "
                f"WHERE session_id IN ({mine}) ORDER BY session_id, code",
                args,
            ):
                theirs = decisions.setdefault(sid, [])
                if not (
                    all(type(v) is str for v in (code, verdict, by, note, when))
                    and verdict in DECISION_VERDICTS
                    and not (theirs and theirs[-1][0] == code)
                ):
                    raise _NotQuick
                theirs.append((code, verdict, by, note, when))
        results: dict[int, list[tuple[Any, ...]]] = {}
        for sid, rubric, grade, data, when in plain.execute(
            "SELECT session_id, rubric_id, grade, data, at FROM results "
            f"WHERE session_id IN ({mine})",
            args,
        ):
            if type(rubric) is not str or type(when) is not str:
                raise _NotQuick
            results.setdefault(sid, []).append((rubric, grade, data, when))
        out = []
        for sid, fields in sessions.items():
            responses: list[tuple[str, str, str]] = []
            if sid in written:
                try:
                    exported = LearnerResponses.from_dict(written[sid]).to_dict()
                except ValueError:
                    raise _NotQuick from None
                if not _values_fit(exported, _RESPONSES_DEPTH):
                    raise _NotQuick
                responses = [(k, json.dumps(v), fields[5]) for k, v in exported.items()]
            result = None
            if sid in results:
                result = known.result(_chosen_result(results[sid], fields[2]), fields)
            mine_turns = turns.get(sid, [])
            out.append(
                _Prepared(
                    fields,
                    mine_turns,
                    notes.get(sid, []),
                    responses,
                    decisions.get(sid, []),
                    result,
                    extras[sid],
                )
            )
        return who, out

    def _import_part(
        self,
        db: sqlite3.Connection,
        who: dict[str, Any],
        sessions: list[_Prepared],
        report: ImportReport,
        stored: _StoredSessions,
    ) -> None:
        """Write one learner and the given sessions of theirs, skipping those already here."""
        row = db.execute(
            "SELECT id, group_name FROM learners WHERE name_key = name_key(?) "
            "AND IFNULL(learner_ref, '') = ? ORDER BY name = ? DESC, id LIMIT 1",
            (who["name"], who["learner_id"] or "", who["name"]),
        ).fetchone()
        if row is None:
            learner_id = int(
                db.execute(
                    "INSERT INTO learners (name, learner_ref, group_name, created, name_key, "
                    "group_key) VALUES (?,?,?,?,name_key(?),name_key(?))",
                    (
                        *(who["name"], who["learner_id"], who["group"]),
                        *(who["created"] or _now(), who["name"], who["group"]),
                    ),
                ).lastrowid
                or 0
            )
            report.new_learners += 1
        else:
            learner_id = int(row["id"])
            if who["group"] and not row["group_name"]:
                db.execute(
                    "UPDATE learners SET group_name = ?, group_key = name_key(?) WHERE id = ?",
                    (who["group"], who["group"], learner_id),
                )
        stored.of(learner_id)
        sid = 0  # the first session written gets its id from SQLite, the others the ones after
        first: tuple[tuple[Any, Any], int] | None = None
        written: dict[tuple[Any, Any], list[list[str]]] = {}  # this part's, by scenario, start
        rows: list[tuple[Any, ...]] = []
        turns: list[tuple[Any, ...]] = []
        notes: list[tuple[Any, ...]] = []
        responses: list[tuple[Any, ...]] = []
        decisions: list[tuple[Any, ...]] = []
        results: list[tuple[Any, ...]] = []
        for s in sessions:
            key = (s.fields[0], s.fields[5])  # scenario, started
            options = [t[2] for t in s.turns]  # in order of seq: what de-duplication compares
            if options in written.get(key, ()) or stored.has(key, options):
                report.already_there += 1
                continue
            written.setdefault(key, []).append(options)
            if sid:
                sid += 1  # as AUTOINCREMENT would: the part's sessions are written at once
                rows.append((sid, learner_id, *s.fields, *s.extra))
            else:
                sid = int(
                    db.execute(
                        "INSERT INTO sessions (learner_id, scenario_id, scenario_version, "
                        "rubric_id, rubric_version, mode, started, ended, outcome, state, "
                        "scenario_hash, observer, lesson_code) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?)",
                        (learner_id, *s.fields, *s.extra),
                    ).lastrowid
                    or 0
                )
                first = (key, sid)
            turns.extend((sid, *t) for t in s.turns)
            notes.extend((sid, *n) for n in s.notes)
            responses.extend((sid, *r) for r in s.responses)
            decisions.extend((sid, *d) for d in s.decisions)
            if s.result is not None:
                results.append((sid, *s.result))
            report.sessions += 1
        db.executemany(
            "INSERT INTO sessions (id, learner_id, scenario_id, scenario_version, rubric_id, "
            "rubric_version, mode, started, ended, outcome, state, scenario_hash, observer, "
            "lesson_code) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
            rows,
        )
        db.executemany(
            "INSERT INTO turns (session_id, seq, node, option, line, behaviours, variables, "
            "auto, time_taken_ms, at) VALUES (?,?,?,?,?,?,?,?,?,?)",
            turns,
        )
        db.executemany("INSERT INTO notes (session_id, text, at) VALUES (?,?,?)", notes)
        db.executemany(
            "INSERT INTO responses (session_id, kind, data, at) VALUES (?,?,?,?)", responses
        )
        db.executemany(
            "INSERT INTO decisions (session_id, code, verdict, decided_by, note, at) "
            "VALUES (?,?,?,?,?,?)",
            decisions,
        )
        db.executemany(
            "INSERT INTO results (session_id, rubric_id, rubric_version, grade, data, at) "
            "VALUES (?,?,?,?,?,?)",
            results,
        )
        if first is not None:  # now with their turns, for the parts after this one to find
            stored.add(*first)
        for row in rows:
            stored.add((row[2], row[7]), row[0])  # scenario, started

    def integrity_ok(self) -> bool:
        """Return True if SQLite's integrity check passes."""
        return bool(self.db.execute("PRAGMA integrity_check").fetchone()[0] == "ok")


_Row = sqlite3.Row | dict[str, Any]
"""A stored row by column name: as SQLite gives it, or as `_first_of_each` maps a plain one."""
_SessionFields = tuple[str, int, str | None, int | None, str, str, str | None, str | None, str]
"""A session's columns after its id, in `SessionRecord`'s order (scenario_id ... state)."""
_SESSION_ROW = (
    "SELECT s.*, l.name, l.learner_ref, l.group_name FROM sessions s "
    "JOIN learners l ON l.id = s.learner_id"
)
_SUMMARY_ROW = (
    "SELECT s.*, l.name, l.learner_ref, l.group_name, r.grade AS result_grade, "
    # only whether a serious error ruled the grade out, not the whole result: a listing of
    # 100,000 sessions must not parse 100,000 stored results (json_valid: damage is not an error)
    "CASE WHEN json_valid(r.data) THEN "
    "IFNULL(json_array_length(r.data, '$.grade_detail.ruled_out_by'), 0) > 0 END AS ruled_out, "
    "(SELECT group_concat(p.kind) FROM responses p WHERE p.session_id = s.id) AS written "
    "FROM sessions s JOIN learners l ON l.id = s.learner_id "
    "LEFT JOIN results r ON r.rowid = COALESCE("
    "(SELECT rowid FROM results WHERE session_id = s.id AND rubric_id IS s.rubric_id), "
    "(SELECT rowid FROM results WHERE session_id = s.id ORDER BY at DESC LIMIT 1))"
)
"""A session's row for a listing: the result the session is judged by (its own rubric's first,
then the newest) as the same choice `Store._record` makes."""


def _session_filter(
    learner: str | None, group: str | None, scenario: str | None, learner_id: int | None
) -> tuple[str, list[Any]]:
    """The WHERE clause (over sessions s and learners l) and its arguments for a listing."""
    where, args = ["1=1"], list[Any]()
    if learner is not None:
        where.append("(l.name_key = name_key(?) OR l.learner_ref = ?)")
        args += [learner, learner.strip()]
    if learner_id is not None:
        where.append("s.learner_id = ?")
        args.append(learner_id)
    if group is not None:
        where.append("l.group_key = name_key(?)")
        args.append(group)
    if scenario is not None:
        where.append("s.scenario_id = ?")
        args.append(scenario)
    return " AND ".join(where), args


CLASSROOM_COLUMNS = ("scenario_hash", "observer", "lesson_code")
"""A session's columns from schema 5 on, as `SessionRecord` and an export name them."""


def _classroom_fields(row: _Row) -> dict[str, Any]:
    """A session row's scenario hash, observer and lesson code (None in a store from before
    schema 5, read as it is, which has no such columns)."""
    keys = row.keys()
    return {name: row[name] if name in keys else None for name in CLASSROOM_COLUMNS}


def _decision(row: sqlite3.Row) -> TutorDecision:
    """A tutor's decision as stored."""
    return TutorDecision(row["code"], row["verdict"], row["decided_by"], row["at"], row["note"])


def _ruled_out(result: object) -> bool:
    """Whether a stored result says a serious error ruled its grade out."""
    detail = result.get("grade_detail") if isinstance(result, dict) else None
    return isinstance(detail, dict) and bool(detail.get("ruled_out_by"))


def _stored(text: object, kind: type, session: int, seq: int, what: str) -> Any:
    """A JSON column of a stored turn; StoreError (never a traceback) when it is damaged."""
    try:
        value = json.loads(text) if isinstance(text, str | bytes) else None
    except (ValueError, RecursionError):
        value = None
    if not isinstance(value, kind):
        raise StoreError(
            f"session {session}, turn {seq}: the stored {what} are damaged (not a JSON "
            f"{'list' if kind is list else 'object'}); the store may be corrupt or crafted"
        )
    return value


def _learner(row: sqlite3.Row) -> Learner:
    return Learner(row["id"], row["name"], row["learner_ref"], row["group_name"])


def schema_columns(version: int) -> dict[str, set[str]]:
    """The tables a store of schema ``version`` has, with their columns."""
    db = sqlite3.connect(":memory:")
    db.create_function("name_key", 1, name_key, deterministic=True)
    try:
        for number in range(min(version, SCHEMA_VERSION)):
            for statement in _statements(MIGRATIONS[number]):
                db.execute(statement)
        tables = [r[0] for r in db.execute("SELECT name FROM sqlite_master WHERE type='table'")]
        return {
            t: {str(c[1]) for c in db.execute(f"PRAGMA table_info({t})")}
            for t in tables
            if not t.startswith("sqlite_")
        }
    finally:
        db.close()


def _statements(script: str) -> list[str]:
    return [s.strip() for s in script.split(";") if s.strip()]


def session_to_dict(record: SessionRecord) -> dict[str, Any]:
    """Return a stored session as JSON-ready data."""
    return {
        "session": record.id,
        "learner": record.learner.name,
        "learner_id": record.learner.learner_ref,
        "group": record.learner.group,
        "scenario": record.scenario_id,
        "scenario_version": record.scenario_version,
        "rubric": record.rubric_id,
        "rubric_version": record.rubric_version,
        "mode": record.mode,
        "started": record.started,
        "ended": record.ended,
        "outcome": record.outcome,
        "state": record.state,
        "turns": [
            {
                "seq": t.seq,
                "node": t.node,
                "option": t.option,
                "line": t.line,
                "behaviours": list(t.behaviours),
                "variables": t.variables,
                "auto": t.auto,
                "time_taken_ms": t.time_taken_ms,
                "at": t.at,
            }
            for t in record.turns
        ],
        "notes": [{"at": at, "text": text} for at, text in record.notes],
        "responses": record.responses.to_dict(),
        "result": record.result,
        "grade": record.grade,
        "decisions": [{"code": d.code, **d.to_dict()} for d in record.decisions],
        "scenario_hash": record.scenario_hash,
        "observer": record.observer,
        "lesson_code": record.lesson_code,
    }


class ImportProblem(StoreError):
    """An export that cannot be imported; the message says which file and where in it."""


@dataclass
class ImportReport:
    """What one import added."""

    source: str
    """The file imported."""
    sessions: int = 0
    """Sessions added."""
    already_there: int = 0
    """Sessions skipped because the store had them already."""
    new_learners: int = 0
    """Learners added (the others were here already)."""


_TEXT, _INT, _BOOL = (str,), (int,), (bool,)
_SESSION_KEYS: dict[str, tuple[tuple[type, ...], bool]] = {
    # key: (types it may have, whether it may be null)
    "scenario": (_TEXT, False),
    "scenario_version": (_INT, False),
    "rubric": (_TEXT, True),
    "rubric_version": (_INT, True),
    "mode": (_TEXT, False),
    "started": (_TEXT, False),
    "ended": (_TEXT, True),
    "outcome": (_TEXT, True),
    "state": (_TEXT, False),
    "grade": (_TEXT, True),
}
_TURN_KEYS: dict[str, tuple[tuple[type, ...], bool]] = {
    "seq": (_INT, False),
    "node": (_TEXT, False),
    "option": (_TEXT, False),
    "line": (_TEXT, False),
    "auto": (_BOOL, False),
    "time_taken_ms": (_INT, True),
    "at": (_TEXT, False),
}
_SESSION_STATES = ("in_progress", "finished", "abandoned")


SQLITE_INT = (-(2**63), 2**63 - 1)
"""The whole numbers SQLite can store."""
MAX_EXPORT_DEPTH = 64
"""The deepest nesting an export may have (its own shape needs about ten levels)."""


def _check_values(data: object, fail: Any) -> None:
    """Refuse values no store can hold, before any is written: whole numbers SQLite cannot store,
    text that is not valid Unicode (a lone surrogate), and nesting beyond MAX_EXPORT_DEPTH.

    Iterative, so a file nested a hundred thousand levels deep is refused, not a RecursionError.
    A quick pass finds whether anything is wrong; only then is the file walked again to say where
    (naming the place of every value made a 200,000-session import spend most of its time here).
    """
    if _values_fit(data):
        return
    stack: list[tuple[object, str, int]] = [(data, "the file", 0)]
    while stack:
        value, where, depth = stack.pop()
        if depth > MAX_EXPORT_DEPTH:
            raise fail(where, f"nested more than {MAX_EXPORT_DEPTH} levels deep")
        if isinstance(value, bool) or value is None:
            continue
        if isinstance(value, int):
            if not SQLITE_INT[0] <= value <= SQLITE_INT[1]:
                raise fail(where, "a whole number too large to store")
        elif isinstance(value, str):
            try:
                value.encode("utf-8")
            except UnicodeEncodeError:
                raise fail(where, "text that is not valid Unicode (a lone surrogate)") from None
        elif isinstance(value, dict):
            for key, item in value.items():
                if not isinstance(key, str):
                    continue
                stack.append((key, f"{where} (a key)", depth + 1))
                stack.append((item, f"{where}.{key}" if where != "the file" else key, depth + 1))
        elif isinstance(value, list):
            for k, item in enumerate(value):
                stack.append((item, f"{where}[{k}]", depth + 1))


def _values_fit(data: object, depth: int = 0) -> bool:
    """True when every value (and key) of ``data`` fits a store (see `_check_values`); a quick
    walk that names no places. False sends the data to the located check. ``depth`` is how
    deep in an export ``data`` is (a turn's variables are at `_TURN_JSON_DEPTH`)."""
    low, high = SQLITE_INT
    stack: list[tuple[Any, int]] = [(data, depth)]
    while stack:
        value, depth = stack.pop()
        kind = type(value)
        if kind is str:
            if not value.isascii():
                try:
                    value.encode("utf-8")
                except UnicodeEncodeError:
                    return False
        elif kind is int:
            if not low <= value <= high:
                return False
        elif kind is dict or kind is list:
            if depth >= MAX_EXPORT_DEPTH:
                return False
            if kind is dict:
                stack.extend((key, depth + 1) for key in value)
                stack.extend((item, depth + 1) for item in value.values())
            else:
                stack.extend((item, depth + 1) for item in value)
        elif not (value is None or kind is bool or kind is float):
            return False  # a subclass or an unexpected type: the located check judges it
    return True


def _containers_fit(data: object, depth: int) -> bool:
    """True when no list or object in ``data`` (at ``depth`` in an export) is nested deeper than
    MAX_EXPORT_DEPTH: `_values_fit`'s depth rule alone, looking only at lists and objects."""
    stack: list[tuple[Any, int]] = [(data, depth)]
    while stack:
        value, level = stack.pop()
        if level >= MAX_EXPORT_DEPTH:
            return False
        inside = value.values() if type(value) is dict else value
        stack.extend((v, level + 1) for v in inside if type(v) is dict or type(v) is list)
    return True


_TURN_JSON_DEPTH = 7
"""How deep a turn's behaviours and variables are in an export (file, learners, a learner, its
sessions, a session, its turns, a turn); a session's responses and result are two above."""
_RESPONSES_DEPTH = _RESULT_DEPTH = 5


class _StoredSessions:
    """One learner's sessions in the store by scenario and start time, for an import to find
    those it has already: one query for each learner, not one for each session imported."""

    def __init__(self, db: sqlite3.Connection) -> None:
        self.db = db
        self.learner: int | None = None
        self.by_start: dict[tuple[Any, Any], list[int]] = {}

    def of(self, learner_id: int) -> None:
        """Look at this learner's sessions from now on."""
        if learner_id == self.learner:
            return
        self.learner, self.by_start = learner_id, {}
        for sid, scenario, started in self.db.execute(
            "SELECT id, scenario_id, started FROM sessions WHERE learner_id = ?", (learner_id,)
        ):
            self.by_start.setdefault((scenario, started), []).append(int(sid))

    def add(self, key: tuple[Any, Any], sid: int) -> None:
        self.by_start.setdefault(key, []).append(sid)

    def has(self, key: tuple[Any, Any], options: list[str]) -> bool:
        """True if the learner has a session of this scenario and start time with these turns
        (start times are to the second, so scripts can start two in one second)."""
        for sid in self.by_start.get(key, ()):
            have = self.db.execute(
                "SELECT option FROM turns WHERE session_id = ? ORDER BY seq", (sid,)
            ).fetchall()
            if [o for (o,) in have] == options:
                return True
        return False


def _in_store_terms(message: str, source: str, name: object, rows: Sequence[dict[str, Any]]) -> str:
    """An export's place in a problem (``learners[0].sessions[3].turns[1]``, counted within the
    part read) as the store file's own: ``session 812 (Amy Khan), turns[1]``."""
    head = f"{source}: learners[0]"
    if not message.startswith(head):
        return message
    if not isinstance(name, str):  # the name itself is what is wrong: never shown as bytes
        name = "?"
    rest = message[len(head) :]
    if rest.startswith(".sessions["):
        number, _, rest = rest[len(".sessions[") :].partition("]")
        if number.isdigit() and int(number) < len(rows):
            place = f"session {rows[int(number)]['id']} ({name})"
            return f"{source}: {place}{', ' + rest[1:] if rest.startswith('.') else rest}"
    return f"{source}: the learner '{name}'{rest}"


class _NotQuick(Exception):
    """Something in a part of a store file that the quick checks do not pass: the part is read
    again the slow way, whose checks say where the problem is (or find it is fine)."""


def _fitting_int(text: str) -> int:
    """A whole number of stored JSON, refused (as _NotQuick) when no store could hold it."""
    value = int(text)
    if not SQLITE_INT[0] <= value <= SQLITE_INT[1]:
        raise _NotQuick
    return value


class _KnownJson:
    """The stored JSON texts of one store file's import found to pass the checks already.

    The same behaviours, variables and often results recur across a class's sessions (every
    learner who chose a line has its behaviours), so each distinct text is parsed and checked
    once. Bounded: forgotten all at once past ``limit`` characters.
    """

    def __init__(self, limit: int = 16_000_000) -> None:
        self.limit = limit
        self.chars = 0
        self.turn_texts: set[tuple[object, object]] = set()
        self.results: dict[object, tuple[str, int, str]] = {}

    def _room(self, *texts: str) -> None:
        self.chars += sum(len(t) for t in texts)
        if self.chars > self.limit:
            self.turn_texts.clear()
            self.results.clear()
            self.chars = sum(len(t) for t in texts)

    def turn_json(self, behaviours: object, variables: object) -> None:
        """Check a turn's stored behaviours and variables; raise _NotQuick if they fail."""
        if (behaviours, variables) in self.turn_texts:
            return
        if type(behaviours) is not str or type(variables) is not str:
            raise _NotQuick
        try:
            listed = _FITTING_JSON.decode(behaviours)
            values = _FITTING_JSON.decode(variables)
        except (ValueError, RecursionError):
            raise _NotQuick from None
        if not (
            type(listed) is list
            and all(type(b) is str for b in listed)
            and type(values) is dict
            and _values_fit(listed, _TURN_JSON_DEPTH)
            and _values_fit(values, _TURN_JSON_DEPTH)
        ):
            raise _NotQuick
        self._room(behaviours, variables)
        self.turn_texts.add((behaviours, variables))

    def result(self, row: tuple[Any, ...], fields: tuple[Any, ...]) -> tuple[Any, ...]:
        """A session's stored result (rubric, grade, data, at) checked as an export's result
        is, as the row to write; raise _NotQuick if it fails."""
        _, grade, data, _ = row
        if not (grade is None or type(grade) is str) or type(data) is not str:
            raise _NotQuick
        known = self.results.get(data)
        if known is None:
            try:
                result = _FITTING_JSON.decode(data)
            except (ValueError, RecursionError):
                raise _NotQuick from None
            rubric = result.get("rubric") if type(result) is dict else None
            if not (
                type(rubric) is dict
                and type(rubric.get("id")) is str
                and type(rubric.get("version")) is int
                and type(result.get("grade")) is str
                and _result_fits(result)
            ):
                raise _NotQuick
            # the text came from SQLite, so the only text that is not valid Unicode is written
            # as a \\ud800-\\udfff escape, and its whole numbers were checked as they were read
            if ("\\ud" in data or "\\uD" in data) and not _values_fit(result, _RESULT_DEPTH):
                raise _NotQuick
            rubric_id, version, result_grade = rubric["id"], rubric["version"], result["grade"]
            known = (rubric_id, version, result_grade)
            self._room(data)
            self.results[data] = known
        return (known[0], known[1], grade or known[2], data, fields[6] or fields[5])


_FITTING_JSON = json.JSONDecoder(parse_int=_fitting_int)
"""Reads stored JSON, refusing whole numbers no store could hold as it goes."""


_VERDICT_TEXTS = ("reason", "detail", "feedback")
"""A verdict's texts that may be null; with its status, evidence and concerns, all it has."""
_VERDICT_KEYS = frozenset({"status", "evidence", "concerns", *_VERDICT_TEXTS})
_LINE_KEYS = frozenset({"turn", "node", "option", "line", "behaviour", "to"})
"""What an evidence line of a stored result has."""


def _result_fits(result: dict[str, Any]) -> bool:
    """Whether a stored result passes `_check_result` and the depth rule of `_values_fit`: the
    quick check, naming no places. The criteria, their verdicts and evidence lines are walked
    as their shape is checked; anything else in them is looked into for its depth."""
    criteria = result.get("criteria")
    if type(criteria) is not dict:
        return False
    depth = _RESULT_DEPTH + 1  # the result's values; a verdict's values +2, a line's +4
    others = [v for k, v in result.items() if k != "criteria"]
    if not _containers_fit(others, depth - 1):
        return False
    for verdict in criteria.values():
        if type(verdict) is not dict or type(verdict.get("status")) is not str:
            return False
        for key in _VERDICT_TEXTS:
            text = verdict.get(key)
            if not (text is None or type(text) is str):
                return False
        for key in ("evidence", "concerns"):
            lines = verdict.get(key, ())
            if type(lines) is not list and lines != ():
                return False
            for line in lines:
                if not (
                    type(line) is dict
                    and type(line.get("turn")) is int
                    and type(line.get("option")) is str
                    and type(line.get("line")) is str
                    and type(line.get("behaviour")) is str
                ):
                    return False
                plain = (
                    line.keys() <= _LINE_KEYS
                    and type(line.get("node", "")) is str
                    and type(line.get("to", "")) is str
                )
                if not plain and not _containers_fit(line, depth + 3):
                    return False
        if not verdict.keys() <= _VERDICT_KEYS:
            extra = [v for k, v in verdict.items() if k not in _VERDICT_KEYS]
            if not _containers_fit(extra, depth + 1):
                return False
    detail = result.get("grade_detail", {})
    if type(detail) is not dict:
        return False
    label = detail.get("label")
    return label is None or type(label) is str


_SESSION_COLUMNS = (
    "id", "scenario_id", "scenario_version", "rubric_id", "rubric_version", "mode", "started",
    "ended", "outcome", "state",
)  # fmt: skip
"""A session's id and its columns as `_Prepared.fields` and `_SessionFields` hold them."""


def _session_fields_fit(fields: tuple[Any, ...]) -> bool:
    """Whether a stored session's columns pass an export's checks on a session."""
    scenario, version, rubric, rubric_version, mode, started, ended, outcome, state = fields
    return (
        type(scenario) is str
        and type(version) is int
        and (rubric is None or type(rubric) is str)
        and (rubric_version is None or type(rubric_version) is int)
        and type(mode) is str
        and mode in MODES
        and type(started) is str
        and (ended is None or type(ended) is str)
        and (outcome is None or type(outcome) is str)
        and type(state) is str
        and state in _SESSION_STATES
    )


def _chosen_result(rows: list[tuple[Any, ...]], rubric: object) -> tuple[Any, ...]:
    """The result a session is exported with, as `Store._record` picks it (its own rubric's,
    then the newest); raise _NotQuick when two tie, which SQLite would pick between."""
    key = [(r[0] == rubric, r[3]) for r in rows]
    best = max(key)
    if key.count(best) > 1:
        raise _NotQuick
    return rows[key.index(best)]


def _first_of_each(names: list[str], row: tuple[Any, ...]) -> dict[str, Any]:
    """A row as a mapping by column name, the first column of each name winning (as
    `sqlite3.Row` does)."""
    out: dict[str, Any] = {}
    for name, value in zip(names, row, strict=True):
        out.setdefault(name, value)
    return out


class _Prepared(NamedTuple):
    """A checked session, ready to write: its columns and the rows of what it holds, its JSON
    already as text."""

    fields: tuple[Any, ...]
    """scenario_id, scenario_version, rubric_id, rubric_version, mode, started, ended, outcome
    and state."""
    turns: list[tuple[Any, ...]]
    """seq, node, option, line, behaviours, variables, auto, time_taken_ms, at; in order of
    seq."""
    notes: list[tuple[str, str]]
    """text, at."""
    responses: list[tuple[str, str, str]]
    """kind, data, at."""
    decisions: list[tuple[str, str, str, str, str]]
    """code, verdict, decided_by, note, at."""
    result: tuple[Any, ...] | None
    """rubric_id, rubric_version, grade, data, at."""
    extra: tuple[Any, ...] = (None, None, None)
    """scenario_hash, observer, lesson_code (`CLASSROOM_COLUMNS`)."""


def _prepare(s: dict[str, Any]) -> _Prepared:
    """A session as `_read_export` checked it, ready to write."""
    turns = sorted(s["turns"], key=lambda t: int(t["seq"]))
    result = s["result"]
    return _Prepared(
        tuple(s[k] for k in _EXPORT_SESSION_FIELDS),
        [
            (
                t["seq"], t["node"], t["option"], t["line"], json.dumps(t["behaviours"]),
                json.dumps(t["variables"]), int(t["auto"]), t["time_taken_ms"], t["at"],
            )
            for t in turns
        ],
        [(n["text"], n["at"]) for n in s["notes"]],
        [(kind, json.dumps(value), s["started"]) for kind, value in s["responses"].items()],
        [(d["code"], d["verdict"], d["by"], d["note"], d["at"]) for d in s["decisions"]],
        None
        if result is None
        else (
            result["rubric"]["id"], result["rubric"]["version"], s["grade"] or result["grade"],
            json.dumps(result), s["ended"] or s["started"],
        ),
        tuple(s.get(k) for k in CLASSROOM_COLUMNS),
    )  # fmt: skip


_EXPORT_SESSION_FIELDS = (
    "scenario", "scenario_version", "rubric", "rubric_version", "mode", "started", "ended",
    "outcome", "state",
)  # fmt: skip


class _ExportCheck:
    """The checks on an export's shape, each failure an ImportProblem naming file and place."""

    def __init__(self, source: str) -> None:
        self.source = source

    def fail(self, where: str, message: str) -> ImportProblem:
        return ImportProblem(f"{self.source}: {where}: {message}")

    def need(
        self, obj: dict[str, Any], key: str, types: tuple[type, ...], null: bool, where: str
    ) -> Any:
        if key not in obj:
            raise self.fail(where, f"'{key}' is missing")
        value = obj[key]
        if value is None and null:
            return None
        is_bool = isinstance(value, bool)
        if not isinstance(value, types) or (is_bool and bool not in types):
            kind = (
                "text" if types == _TEXT else "a whole number" if types == _INT else "true or false"
            )
            raise self.fail(where, f"'{key}' must be {kind}{' or null' if null else ''}")
        return value

    def mapping(self, value: object, where: str) -> dict[str, Any]:
        if not isinstance(value, dict):
            raise self.fail(where, "must be a JSON object")
        return value

    def items(self, value: object, where: str) -> list[Any]:
        if not isinstance(value, list):
            raise self.fail(where, "must be a list")
        return value


def _check_result(result: dict[str, Any], at: str, check: _ExportCheck) -> None:
    """A stored result has the shape sheets read: criteria of verdicts with evidence lines."""
    need, mapping, items = check.need, check.mapping, check.items
    criteria = mapping(result.get("criteria"), f"{at}.criteria")
    for code, raw in criteria.items():
        where = f"{at}.criteria.{code}"
        verdict = mapping(raw, where)
        need(verdict, "status", _TEXT, False, where)
        for key in ("reason", "detail", "feedback"):
            if key in verdict:
                need(verdict, key, _TEXT, True, where)
        for part in ("evidence", "concerns"):
            for k, line in enumerate(items(verdict.get(part, []), f"{where}.{part}")):
                here = f"{where}.{part}[{k}]"
                evidence = mapping(line, here)
                need(evidence, "turn", _INT, False, here)
                for key in ("option", "line", "behaviour"):
                    need(evidence, key, _TEXT, False, here)
    if "grade_detail" in result:
        detail = mapping(result["grade_detail"], f"{at}.grade_detail")
        if "label" in detail:
            need(detail, "label", _TEXT, True, f"{at}.grade_detail")


def _read_export(data: object, source: str) -> list[tuple[dict[str, Any], list[dict[str, Any]]]]:
    """Check an export's shape; return (learner, sessions) pairs, or raise ImportProblem."""

    check = _ExportCheck(source)
    fail, need, mapping, items = check.fail, check.need, check.mapping, check.items

    _check_values(data, fail)
    top = mapping(data, "the file")
    if "learners" not in top:
        raise fail("the file", "'learners' is missing (is this a 'roleplay export' file?)")
    out = []
    for i, raw in enumerate(items(top["learners"], "learners")):
        where = f"learners[{i}]"
        learner = mapping(raw, where)
        name = need(learner, "name", _TEXT, False, where).strip()
        if not name:
            raise fail(where, "'name' is empty")
        who = {
            "name": name,
            "learner_id": need(learner, "learner_id", _TEXT, True, where),
            "group": need(learner, "group", _TEXT, True, where),
            "created": learner.get("created") if isinstance(learner.get("created"), str) else None,
        }
        sessions = []
        for j, raw_session in enumerate(items(learner.get("sessions", []), f"{where}.sessions")):
            at = f"{where}.sessions[{j}]"
            session = mapping(raw_session, at)
            checked = {k: need(session, k, t, null, at) for k, (t, null) in _SESSION_KEYS.items()}
            if checked["mode"] not in MODES:
                raise fail(at, f"'mode' must be one of {', '.join(MODES)}")
            if checked["state"] not in _SESSION_STATES:
                raise fail(at, f"'state' must be one of {', '.join(_SESSION_STATES)}")
            turns = []
            for k, raw_turn in enumerate(items(session.get("turns", []), f"{at}.turns")):
                tw = f"{at}.turns[{k}]"
                turn = mapping(raw_turn, tw)
                checked_turn = {
                    n: need(turn, n, t, null, tw) for n, (t, null) in _TURN_KEYS.items()
                }
                behaviours = items(turn.get("behaviours", []), f"{tw}.behaviours")
                if not all(isinstance(b, str) for b in behaviours):
                    raise fail(f"{tw}.behaviours", "must be a list of text")
                checked_turn["behaviours"] = behaviours
                checked_turn["variables"] = mapping(turn.get("variables", {}), f"{tw}.variables")
                turns.append(checked_turn)
            seqs = [t["seq"] for t in turns]
            if len(set(seqs)) != len(seqs):
                raise fail(f"{at}.turns", "two turns have the same 'seq'")
            notes = []
            for k, raw_note in enumerate(items(session.get("notes", []), f"{at}.notes")):
                note = mapping(raw_note, f"{at}.notes[{k}]")
                notes.append(
                    {
                        "text": need(note, "text", _TEXT, False, f"{at}.notes[{k}]"),
                        "at": need(note, "at", _TEXT, False, f"{at}.notes[{k}]"),
                    }
                )
            responses = mapping(session.get("responses", {}), f"{at}.responses")
            try:
                LearnerResponses.from_dict(responses)
            except ValueError as exc:
                raise fail(f"{at}.responses", str(exc)) from exc
            result = session.get("result")
            if result is not None:
                rubric = mapping(
                    mapping(result, f"{at}.result").get("rubric"), f"{at}.result.rubric"
                )
                need(rubric, "id", _TEXT, False, f"{at}.result.rubric")
                need(rubric, "version", _INT, False, f"{at}.result.rubric")
                need(result, "grade", _TEXT, False, f"{at}.result")
                _check_result(result, f"{at}.result", check)
            decisions = []
            for k, raw in enumerate(items(session.get("decisions", []), f"{at}.decisions")):
                dw = (
                    f"{at}.decisions[{k}]"  # not `where`: that is the learner's, for later sessions
                )
                d = mapping(raw, dw)
                decision = {
                    key: need(d, key, _TEXT, False, dw) for key in ("code", "verdict", "by", "at")
                }
                decision["note"] = need(d, "note", _TEXT, False, dw) if "note" in d else ""
                if decision["verdict"] not in DECISION_VERDICTS:
                    raise fail(f"{dw}.verdict", f"must be one of {', '.join(DECISION_VERDICTS)}")
                decisions.append(decision)
            for key in CLASSROOM_COLUMNS:  # from schema 5 on: an older export has none of them
                checked[key] = need(session, key, _TEXT, True, at) if key in session else None
            sessions.append(
                {**checked, "turns": turns, "notes": notes, "responses": responses,
                 "result": result, "decisions": decisions}
            )  # fmt: skip
        out.append((who, sessions))
    return out


def _check_text(
    digest: object, scenario_id: object, version: object, text: object, where: str
) -> None:
    """A kept scenario text must be what its hash says: ImportProblem at ``where`` otherwise."""
    if not (
        isinstance(digest, str)
        and isinstance(scenario_id, str)
        and type(version) is int
        and isinstance(text, str)
    ):
        raise ImportProblem(f"{where}: needs a scenario id, a version and the text")
    try:
        same = scenario_text_hash(text) == digest
    except UnicodeEncodeError:
        same = False
    if not same:
        raise ImportProblem(
            f"{where}: the text is not the one its hash names (changed after it was exported)"
        )


def _read_texts(data: object, source: str) -> list[tuple[str, str, int, str, str]]:
    """The scenario texts of an export (``scenario_texts``: none in an export made before
    schema 5), each checked against its hash; ImportProblem says which is wrong."""
    texts = data.get("scenario_texts") if isinstance(data, dict) else None
    if texts is None:
        return []
    if not isinstance(texts, dict):
        raise ImportProblem(f"{source}: scenario_texts: must be a JSON object")
    out = []
    for digest, kept in texts.items():
        where = f"{source}: scenario_texts.{str(digest)[:12]}"
        if not isinstance(kept, dict):
            raise ImportProblem(f"{where}: must be a JSON object")
        scenario_id, version, text = kept.get("scenario"), kept.get("version"), kept.get("text")
        _check_text(digest, scenario_id, version, text, where)
        out.append((digest, str(scenario_id), cast(int, version), str(text), _now()))
    return out


def _keep_texts(db: sqlite3.Connection, texts: Iterable[tuple[str, str, int, str, str]]) -> None:
    """Keep scenario texts (hash, scenario id, version, text, first seen) not kept already."""
    db.executemany(
        "INSERT OR IGNORE INTO scenario_texts (hash, scenario_id, version, text, first_seen) "
        "VALUES (?,?,?,?,?)",
        texts,
    )
