"""The tutor's live view of a class (``roleplay watch``), as data: who is playing what, how far
they are, the customer's mood, how long since their last reply, how it ended, and the serious
errors they have made, read from the store while the learners write to it.

Pure Python: no UI and no templates. The serious errors are the scoring engine's
(`simulator.scoring.session.critical_errors`), worked out from each session's route as it grows.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from simulator.engine import EngineError, Line, replay
from simulator.errors import ScenarioError, suggest
from simulator.lessons import Scope, roster
from simulator.model import Rubric, Scenario, Variable
from simulator.scoring import CriticalError
from simulator.scoring.session import critical_errors, learner_lines
from simulator.store import Store, StoreError, name_key

NOT_STARTED, PLAYING, FINISHED, STOPPED = "not_started", "playing", "finished", "stopped"
STATE_WORDS = {
    NOT_STARTED: "not started",
    PLAYING: "playing",
    FINISHED: "finished",
    STOPPED: "started again",
}
"""A learner's state as the view says it."""
WAITING_SECONDS = 120
"""A learner playing with no reply for this long may be stuck: they move up the view."""
MOOD_VARIABLE = "mood"
"""The variable shown as the customer's mood (else the scenario's first int meter)."""

SHORT_LABELS = {
    "breach_data_protection": "data breach",
    "misstate_rights": "rights wrong",
    "exceed_authority": "beyond authority",
}
"""The rubrics' serious errors in a few words, for a one-line view (else the id in words)."""

Clock = Callable[[], datetime]


class WatchError(StoreError):
    """What a ``watch`` asked for is not in the store; the message says why, for the tutor."""


@dataclass(frozen=True)
class SeriousError:
    """A serious error a learner made, as the scoring engine judges it."""

    behaviour: str
    """The rubric's critical behaviour, e.g. ``misstate_rights``."""
    label: str
    """It in words, as the behaviour vocabulary labels it ("Gets the customer's rights wrong")."""
    turn: int
    """The turn of the line that showed it."""
    line: str
    """What the learner said."""
    corrected_at: int | None = None
    """The turn of a later line that put it right, if one did."""

    @property
    def short(self) -> str:
        """It in a few words ("rights wrong")."""
        return SHORT_LABELS.get(self.behaviour, self.behaviour.replace("_", " "))


@dataclass(frozen=True)
class Mood:
    """The customer's mood after the learner's last reply, as the scenario labels it."""

    label: str
    value: int | bool
    low: int | None
    high: int | None


@dataclass(frozen=True)
class LearnerStatus:
    """One learner's row in the live view."""

    name: str
    learner_ref: str | None
    state: str
    """not_started, playing, finished or stopped (see STATE_WORDS)."""
    learner_id: int | None = None
    """Store id; None for a roster learner who has never played."""
    session_id: int | None = None
    scenario_id: str | None = None
    scenario_title: str = ""
    turn: int = 0
    """Turns taken so far (as sheets number them)."""
    mood: Mood | None = None
    idle: float | None = None
    """Seconds since the learner's last reply (or since the session started), while playing."""
    outcome: str | None = None
    grade: str | None = None
    """The stored result's grade in words, once finished and scored."""
    errors: tuple[SeriousError, ...] = ()
    available: bool = True
    """False when the session's scenario cannot be loaded here (no mood or errors then)."""

    @property
    def open_errors(self) -> tuple[SeriousError, ...]:
        """The serious errors not put right."""
        return tuple(e for e in self.errors if e.corrected_at is None)

    @property
    def display(self) -> str:
        """Name, with the learner id when there is one."""
        return f"{self.name} ({self.learner_ref})" if self.learner_ref else self.name


@dataclass(frozen=True)
class ClassView:
    """Everything the live view shows at one moment."""

    title: str
    """What is watched: "Lesson AB3K9Q (CS-L2-A)" or "Group CS-L2-A"."""
    rows: tuple[LearnerStatus, ...]
    """Who needs the tutor first (see `needs_tutor_order`)."""
    at: datetime

    @property
    def counts(self) -> dict[str, int]:
        """learners, started, playing, finished and errors (learners with a serious error not
        put right)."""
        rows = self.rows
        return {
            "learners": len(rows),
            "started": sum(r.state != NOT_STARTED for r in rows),
            "playing": sum(r.state == PLAYING for r in rows),
            "finished": sum(r.state == FINISHED for r in rows),
            "errors": sum(bool(r.open_errors) for r in rows),
        }


def needs_tutor_order(row: LearnerStatus) -> tuple[Any, ...]:
    """Sort key: a serious error not put right first, then those waiting WAITING_SECONDS or more
    since their last reply (longest first), then the others playing, those not started, and the
    finished, by name within each. Learners replying steadily keep their places, so the table
    does not shuffle at every reply."""
    waiting = row.state == PLAYING and (row.idle or 0.0) >= WAITING_SECONDS
    rank = (
        0
        if row.open_errors
        else 1
        if waiting
        else 2
        if row.state == PLAYING
        else 3
        if row.state == NOT_STARTED
        else 4
    )
    idle = -(row.idle or 0.0) if rank < 2 and row.state == PLAYING else 0.0
    return (rank, idle, row.name.casefold(), row.learner_ref or "")


def since_today(now: datetime | None = None) -> str:
    """The start of today on this computer's clock, as the store writes times (UTC, ISO)."""
    local = (now or datetime.now(UTC)).astimezone()
    midnight = local.replace(hour=0, minute=0, second=0, microsecond=0)
    return midnight.astimezone(UTC).isoformat(timespec="seconds")


def _when(stamp: str | None) -> datetime | None:
    if not stamp:
        return None
    try:
        parsed = datetime.fromisoformat(stamp)
    except ValueError:
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def mood_variable(scenario: Scenario) -> Variable | None:
    """The variable that is the customer's mood: ``mood``, else the first int meter."""
    found = scenario.variables.get(MOOD_VARIABLE)
    if found is not None:
        return found
    return next((v for v in scenario.variables.values() if v.meter and v.type == "int"), None)


def check_scope(store: Store, scope: Scope) -> None:
    """Raise WatchError when a group has no learners, roster or lesson in this store."""
    if scope.lesson is not None:
        return
    key = name_key(scope.group)
    db = store.db
    known = (
        db.execute("SELECT 1 FROM learners WHERE group_key = ? LIMIT 1", (key,)).fetchone()
        or db.execute("SELECT 1 FROM roster WHERE group_key = ? LIMIT 1", (key,)).fetchone()
        or db.execute("SELECT 1 FROM lessons WHERE group_key = ? LIMIT 1", (key,)).fetchone()
    )
    if known:
        return
    groups = sorted(
        {
            str(r[0])
            for r in db.execute(
                "SELECT group_name FROM learners WHERE group_name IS NOT NULL "
                "UNION SELECT group_name FROM roster UNION SELECT group_name FROM lessons"
            )
        }
    )
    hint = suggest(scope.group, groups)
    listing = ", ".join(groups) if groups else "none yet"
    raise WatchError(
        f"no learner, roster or lesson for group '{scope.group}' in {store.path}{hint}; "
        f"groups: {listing}"
    )


@dataclass
class _Route:
    """What is known of one session's turns, read a few new ones at a time."""

    steps: list[tuple[str, str, bool]] = field(default_factory=list)
    behaviours: list[tuple[str, ...]] = field(default_factory=list)
    last_variables: dict[str, Any] = field(default_factory=dict)
    last_reply: str | None = None
    errors: tuple[SeriousError, ...] | None = None


class Classroom:
    """Reads a lesson's or group's learners from a store, again and again as they play.

    Each read is one short read transaction (a consistent picture that never holds up a
    writer); only the turns added since the last read are fetched, and a session's serious
    errors are judged again only when its route has changed.
    """

    def __init__(
        self,
        store: Store,
        scope: Scope,
        *,
        since: str | None = None,
        clock: Clock | None = None,
        scenarios: Callable[[str, int, str | None], Scenario | None] | None = None,
    ) -> None:
        self.store = store
        self.scope = scope
        self.clock: Clock = clock or (lambda: datetime.now(UTC))
        self.since = since if since is not None else since_today(self.clock())
        """Sessions started before this (UTC, ISO) are not shown: by default, today's."""
        self._find_scenario = scenarios or self._scenario_from_store
        self._scenarios: dict[tuple[str, int, str | None], Scenario | None] = {}
        self._rubrics: dict[str, Rubric | None] = {}
        self._routes: dict[int, _Route] = {}

    @property
    def title(self) -> str:
        """What is watched, in words."""
        lesson = self.scope.lesson
        if lesson is not None:
            name = f" · {lesson.title}" if lesson.title else ""
            return f"Lesson {lesson.code}{name} · group {lesson.group}"
        return f"Group {self.scope.group}"

    # -- scenarios and rubrics ------------------------------------------------------------------
    def _scenario_from_store(
        self, scenario_id: str, version: int, digest: str | None
    ) -> Scenario | None:
        """The scenario a session was played on: its stored text, else the bundled file."""
        from simulator.catalog import UnknownScenario, open_scenario
        from simulator.loader import load_scenario_document
        from simulator.yamlsource import parse_document

        if digest:
            text = self.store.scenario_text(digest)
            if text is not None:
                doc, _ = parse_document(text, f"{scenario_id}.scenario.yaml")
                if doc is not None:
                    loaded = load_scenario_document(doc)
                    if loaded.scenario is not None and not any(
                        p.severity == "error" for p in loaded.problems
                    ):
                        return loaded.scenario
        try:
            found = open_scenario(scenario_id).scenario
        except (UnknownScenario, ScenarioError, OSError):
            return None
        return found if found.version == version else None

    def scenario(self, scenario_id: str, version: int, digest: str | None) -> Scenario | None:
        """The scenario of a session (loaded once), or None if it is not available here."""
        key = (scenario_id, version, digest)
        if key not in self._scenarios:
            self._scenarios[key] = self._find_scenario(scenario_id, version, digest)
        return self._scenarios[key]

    def rubric(self, ref: str | None) -> Rubric | None:
        """A rubric by id (loaded once), or None if it is not available here."""
        if not ref:
            return None
        if ref not in self._rubrics:
            from simulator.catalog import UnknownRubric, open_rubric

            try:
                self._rubrics[ref] = open_rubric(ref)
            except (UnknownRubric, ScenarioError, OSError):
                self._rubrics[ref] = None
        return self._rubrics[ref]

    # -- reading ----------------------------------------------------------------------------
    def read(self) -> ClassView:
        """Everyone in the lesson or group as they are now, who needs the tutor first."""
        db = self.store.db
        db.execute("BEGIN")  # one consistent picture; a reader never holds up a WAL writer
        try:
            rows = self._read(db)
        finally:
            db.execute("COMMIT")
        now = self.clock()
        return ClassView(self.title, tuple(sorted(rows, key=needs_tutor_order)), now)

    def _learners(self, db: sqlite3.Connection) -> list[sqlite3.Row]:
        key = name_key(self.scope.group)
        lesson = self.scope.lesson
        if lesson is None:
            return db.execute(
                "SELECT id, name, learner_ref FROM learners WHERE group_key = ?", (key,)
            ).fetchall()
        return db.execute(
            "SELECT id, name, learner_ref FROM learners WHERE group_key = ? OR id IN "
            "(SELECT learner_id FROM sessions WHERE lesson_code = ?)",
            (key, lesson.code),
        ).fetchall()

    def _latest(self, db: sqlite3.Connection, learner_id: int) -> sqlite3.Row | None:
        """A learner's newest session in scope (walking their sessions newest first)."""
        where = ["learner_id = ?", "started >= ?"]
        args: list[Any] = [learner_id, self.since]
        lesson = self.scope.lesson
        if lesson is not None:
            marks = ",".join("?" * len(lesson.scenarios))
            where.append(f"(lesson_code = ? OR (lesson_code IS NULL AND scenario_id IN ({marks})))")
            args += [lesson.code, *lesson.scenarios]
        found: sqlite3.Row | None = db.execute(
            "SELECT id, scenario_id, scenario_version, scenario_hash, rubric_id, started, "
            f"state, outcome FROM sessions WHERE {' AND '.join(where)} ORDER BY id DESC LIMIT 1",
            args,
        ).fetchone()
        return found

    def _read(self, db: sqlite3.Connection) -> list[LearnerStatus]:
        people = self._learners(db)
        latest: dict[int, sqlite3.Row] = {}
        for person in people:
            found = self._latest(db, person["id"])
            if found is not None:
                latest[person["id"]] = found
        self._update_routes(db, [s["id"] for s in latest.values()])
        grades = self._grades(db, [s["id"] for s in latest.values() if s["state"] == "finished"])
        out = []
        seen_refs: set[str] = set()
        seen_names: set[str | None] = set()
        for person in people:
            if person["learner_ref"]:
                seen_refs.add(person["learner_ref"])
            else:
                seen_names.add(name_key(person["name"]))
            session = latest.get(person["id"])
            if session is None:
                out.append(
                    LearnerStatus(person["name"], person["learner_ref"], NOT_STARTED, person["id"])
                )
                continue
            out.append(self._status(person, session, grades.get(session["id"])))
        for entry in roster(self.store, self.scope.group):
            if entry.learner_ref in seen_refs or name_key(entry.name) in seen_names:
                continue  # playing already (a learner who typed their name without the id too)
            seen_refs.add(entry.learner_ref)
            out.append(LearnerStatus(entry.name, entry.learner_ref or None, NOT_STARTED))
        return out

    def _update_routes(self, db: sqlite3.Connection, ids: Sequence[int]) -> None:
        """Fetch the turns each session gained since the last read (all again after an undo)."""
        if not ids:
            return
        marks = ",".join("?" * len(ids))
        counts = {
            int(r[0]): int(r[1])
            for r in db.execute(
                f"SELECT session_id, MAX(seq) FROM turns WHERE session_id IN ({marks}) "
                "GROUP BY session_id",
                list(ids),
            )
        }
        for sid in ids:
            route = self._routes.get(sid)
            have = len(route.steps) if route is not None else 0
            now = counts.get(sid, 0)
            if route is not None and now == have:
                continue
            if route is None or now < have:  # new, or turns taken back (undo)
                route = self._routes[sid] = _Route()
                have = 0
            for seq, node, option, auto, behaviours, variables, at in db.execute(
                "SELECT seq, node, option, auto, behaviours, variables, at FROM turns "
                "WHERE session_id = ? AND seq > ? ORDER BY seq",
                (sid, have),
            ):
                if seq != len(route.steps) + 1:
                    continue  # a gap cannot happen in a store roleplay wrote; never judged
                route.steps.append((node, option, bool(auto)))
                route.behaviours.append(tuple(_json(behaviours, [])))
                route.last_variables = _json(variables, {})
                if not auto:
                    route.last_reply = at
            route.errors = None

    def _grades(self, db: sqlite3.Connection, ids: Sequence[int]) -> dict[int, str]:
        """The stored result's grade of each finished session, in words."""
        if not ids:
            return {}
        marks = ",".join("?" * len(ids))
        out: dict[int, str] = {}
        for sid, grade, label, ruled_out in db.execute(
            "SELECT session_id, grade, json_extract(data, '$.grade_detail.label'), "
            "json_array_length(json_extract(data, '$.grade_detail.ruled_out_by')) "
            f"FROM results WHERE session_id IN ({marks}) ORDER BY at",
            list(ids),
        ):
            out[int(sid)] = (
                "No grade (serious error)" if ruled_out else str(label or grade).replace("_", " ")
            )
        return out

    def _status(
        self, person: sqlite3.Row, session: sqlite3.Row, grade: str | None
    ) -> LearnerStatus:
        sid = int(session["id"])
        route = self._routes.get(sid) or _Route()
        scenario = self.scenario(
            session["scenario_id"], session["scenario_version"], session["scenario_hash"]
        )
        lesson = self.scope.lesson
        rubric = self.rubric(
            session["rubric_id"]
            or (lesson.rubric if lesson else None)
            or (scenario.rubric if scenario else None)
        )
        if route.errors is None:
            route.errors = self._errors(scenario, rubric, route)
        state = {
            "in_progress": PLAYING,
            "finished": FINISHED,
            "abandoned": STOPPED,
        }.get(session["state"], STOPPED)
        idle = None
        if state == PLAYING:
            last = _when(route.last_reply) or _when(session["started"])
            if last is not None:
                idle = max(0.0, (self.clock() - last).total_seconds())
        mood = None
        variable = mood_variable(scenario) if scenario is not None else None
        if variable is not None and scenario is not None:
            value = route.last_variables.get(variable.name, variable.default)
            if isinstance(value, (int, bool)):
                mood = Mood(variable.display_name, value, variable.min, variable.max)
        return LearnerStatus(
            person["name"],
            person["learner_ref"],
            state,
            person["id"],
            sid,
            session["scenario_id"],
            scenario.title if scenario is not None else session["scenario_id"],
            len(route.steps),
            mood,
            idle,
            session["outcome"],
            grade,
            route.errors,
            scenario is not None,
        )

    def _errors(
        self, scenario: Scenario | None, rubric: Rubric | None, route: _Route
    ) -> tuple[SeriousError, ...]:
        """The route's serious errors, as the scoring engine judges them (by the stored
        behaviours alone when the scenario is not available here)."""
        if rubric is None or not rubric.critical:
            return ()
        labels = _behaviour_labels()
        if scenario is not None:
            found: Sequence[CriticalError] = critical_errors(
                rubric, learner_lines(scenario, route.steps)
            )
            return tuple(
                SeriousError(
                    e.behaviour,
                    labels.get(e.behaviour, e.behaviour.replace("_", " ")),
                    e.evidence.turn,
                    e.evidence.line,
                    e.corrected_by.turn if e.corrected_by else None,
                )
                for e in found
            )
        critical = set(rubric.critical)
        return tuple(
            SeriousError(b, labels.get(b, b.replace("_", " ")), turn, "")
            for turn, (shown, (_, _, auto)) in enumerate(
                zip(route.behaviours, route.steps, strict=True), 1
            )
            if not auto
            for b in shown
            if b in critical
        )

    def transcript(self, session_id: int) -> tuple[Scenario | None, list[Line]]:
        """A session's conversation so far, replayed through the engine from its stored turns
        (the customer's lines too); no lines when its scenario is not available here."""
        db = self.store.db
        row = db.execute(
            "SELECT scenario_id, scenario_version, scenario_hash FROM sessions WHERE id = ?",
            (session_id,),
        ).fetchone()
        if row is None:
            return None, []
        scenario = self.scenario(row[0], row[1], row[2])
        if scenario is None:
            return None, []
        choices = [
            str(r[0])
            for r in db.execute(
                "SELECT option FROM turns WHERE session_id = ? AND auto = 0 ORDER BY seq",
                (session_id,),
            )
        ]
        try:
            return scenario, list(replay(scenario, choices).transcript)
        except EngineError:  # a route that no longer plays (an imported or damaged record)
            return scenario, []


def _json(text: object, default: Any) -> Any:
    try:
        value = json.loads(str(text))
    except ValueError:
        return default
    return value if isinstance(value, type(default)) else default


_LABELS: dict[str, str] = {}


def _behaviour_labels() -> dict[str, str]:
    """The vocabulary's labels of behaviours, by id (read once)."""
    if not _LABELS:
        from simulator.lint import bundled_behaviours

        _LABELS.update({b: v.label for b, v in bundled_behaviours().items()})
    return _LABELS
