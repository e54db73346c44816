"""What the reports show, gathered from the store: plain data for the templates (no Jinja2 here).

Every view is built from stored sessions. A session's transcript is rebuilt by replaying its
stored choices against the scenario; when the scenario has changed since (another version) or is
not available, the view says so and shows the learner's stored lines instead.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from simulator import __version__
from simulator.catalog import UnknownRubric, bundled_scenario_paths, checked_scenario, open_rubric
from simulator.decisions import TutorDecision
from simulator.engine import LEARNER, EngineError, Session, replay
from simulator.errors import ScenarioError, Severity
from simulator.lint import bundled_behaviours, lintable_files
from simulator.model import Behaviour, Criterion, PortfolioRule, Rubric, Scenario, SessionRule
from simulator.records import scenario_from_text
from simulator.scoring import (
    Grade,
    LearnerResponses,
    PortfolioResult,
    SessionResult,
    Verdict,
    apply_decisions,
    combine,
    coverable,
    recap,
    score_session,
    strength,
)
from simulator.scoring.session import IN_PROGRESS, grade_label
from simulator.store import MODE_HEADINGS, SessionRecord, Store

STATUS_LABELS = {
    "achieved": "Achieved",
    "not_yet": "Not yet",
    "not_covered": "Not covered",
    "needs_tutor": "Awaiting tutor",
}
CELL_LABELS = {
    "achieved": "Achieved",
    "not_yet": "Not yet",
    "tutor": "Awaiting tutor",
    "never": "Never attempted",
}
CELL_SHORT = {"achieved": "✓", "not_yet": "…", "tutor": "T", "never": "–"}
MODE_LABELS = {
    "assessment": "Assessment practice: no feedback or undo until the end",
    "practice": "Practice: feedback after each reply",
    "headless": "Practice, played with roleplay run",
}
NO_GRADE = "No grade: a serious error was not put right"
NO_GRADE_WHY = (
    "A serious error, such as getting the customer's rights wrong or giving out personal "
    "details before checking who you are talking to, means the session earns no grade, however "
    "well the rest went. If you make one, put it right before the conversation ends."
)
NOT_FINISHED = "No grade yet: the conversation has not ended."
RESPONSE_TASKS = {
    "cause_assessment": "write a cause assessment before the conversation",
    "review": "write a review of how it went (strengths, weaknesses, challenges, improvements)",
    "learning_plan": "plan a learning activity with a criterion and a target date",
}


PRACTICE_ONLY = (
    "The awarding body does not accept simulation as evidence for this unit: these results are "
    "for practice only, never the unit's result."
)


def practice_note(rubric: Rubric | None) -> str:
    """Return the notice for a practice-only rubric, or an empty string."""
    return PRACTICE_ONLY if rubric is not None and rubric.practice_only else ""


class ReportError(Exception):
    """A report cannot be made; the message says why, for the user."""


def humanise(value: str | None) -> str:
    """Return an id as words: ``product_faulty`` -> ``Product faulty``."""
    if not value:
        return ""
    words = value.replace("_", " ").replace("-", " ").strip()
    return words[:1].upper() + words[1:]


def _now() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")


def _when(stamp: str | None) -> str:
    """Return an ISO time as ``2026-03-02 14:05 UTC`` (or as given if it cannot be read)."""
    if not stamp:
        return ""
    try:
        parsed = datetime.fromisoformat(stamp)
    except ValueError:
        return stamp
    return parsed.strftime("%Y-%m-%d %H:%M") + (" UTC" if parsed.tzinfo else "")


# -- scenarios and rubrics --------------------------------------------------------------------
class Library:
    """Scenarios by id: files given by the user first, then the bundled ones; with a store, a
    session is replayed on the exact scenario text it was played on (kept by content hash)."""

    def __init__(self, extra: Sequence[Path] = (), store: Store | None = None) -> None:
        self._store = store
        self._texts: dict[str, Scenario | None] = {}
        """Scenarios loaded from the store's kept texts, by content hash (None: has errors)."""
        self._latest: dict[str, Scenario | None] = {}
        """The newest kept text of each scenario id, for a scenario with no file here."""
        self._extra: dict[str, Scenario] = {}
        self._bundled: dict[str, Scenario] | None = None
        self._coverable: dict[tuple[int, int], tuple[SessionRule, Scenario, bool]] = {}
        files, missing = lintable_files(extra, kinds=("scenario",))
        if missing:
            raise ReportError(f"no such file or folder: {', '.join(missing)}")
        for path in files:
            scenario = _load(path)
            if scenario is None:
                raise ReportError(f"{path}: the scenario has errors; run 'roleplay lint {path}'")
            self._extra[scenario.id] = scenario

    def bundled(self) -> dict[str, Scenario]:
        """Return the bundled scenarios that load without errors, by id."""
        if self._bundled is None:
            found = (_load(p) for p in bundled_scenario_paths())
            self._bundled = {s.id: s for s in found if s is not None}
        return self._bundled

    def get(self, scenario_id: str) -> Scenario | None:
        """Return the scenario with this id, or None if it is not available: a file given, a
        bundled one, else the newest text of it the store keeps."""
        found = self._extra.get(scenario_id) or self.bundled().get(scenario_id)
        if found is not None or self._store is None:
            return found
        if scenario_id not in self._latest:
            digest = self._store.latest_scenario_hash(scenario_id)
            self._latest[scenario_id] = None if digest is None else self._kept(digest, scenario_id)
        return self._latest[scenario_id]

    def for_record(self, record: SessionRecord) -> Scenario | None:
        """The scenario to replay a stored session on: the exact text it was played on, kept in
        the store, first; else (an old session, or a text with errors) `get`."""
        if record.scenario_hash and self._store is not None:
            kept = self._kept(record.scenario_hash, record.scenario_id)
            if kept is not None:
                return kept
        return self.get(record.scenario_id)

    def _kept(self, digest: str, scenario_id: str) -> Scenario | None:
        if digest not in self._texts:
            text = self._store.scenario_text(digest) if self._store is not None else None
            self._texts[digest] = None if text is None else scenario_from_text(text, scenario_id)
        return self._texts[digest]

    def practice_pool(self) -> list[Scenario]:
        """Return the scenarios to suggest for practice: the bundled ones and any given."""
        return list({**self.bundled(), **self._extra}.values())

    def coverable(self, rule: SessionRule, scenario: Scenario) -> bool:
        """Whether some options of the scenario could evidence the rule (`coverable`), worked
        out once for each rule and scenario: every sheet of a group asks it of the same
        rubric's rules and the same scenarios."""
        key = (id(rule), id(scenario))
        known = self._coverable.get(key)
        if known is None:  # the rule and scenario are kept with the answer: ids stay theirs
            known = self._coverable[key] = (rule, scenario, bool(coverable(rule, scenario)))
        return known[2]


def _load(path: Path) -> Scenario | None:
    loaded, problems = checked_scenario(path)
    if loaded.scenario is None or any(p.severity is Severity.ERROR for p in problems):
        return None
    return loaded.scenario


def load_rubric(ref: str) -> Rubric:
    """Return a rubric by id or file; raise ReportError saying what is wrong."""
    try:
        return open_rubric(ref)
    except UnknownRubric as exc:
        raise ReportError(str(exc)) from exc
    except ScenarioError as exc:
        raise ReportError(
            f"rubric '{ref}' has errors; run 'roleplay lint' on it ({len(exc.problems)} problems)"
        ) from exc


Judged = dict[tuple[Any, ...], SessionResult]
"""Session results already worked out, by everything that decides them (see `rescore`)."""
JUDGED_KEPT = 2000
"""At most this many results are kept in a memo (the oldest go first): memory stays bounded
when every session of a large class took a different route."""


def rescore(
    record: SessionRecord,
    scenario: Scenario | None,
    rubric: Rubric,
    judged: Judged | None = None,
) -> SessionResult | None:
    """Judge a stored session against a rubric; None when its scenario version is not available.

    Judging is a pure function of the rubric, the scenario, the route, the outcome and what the
    learner wrote: with ``judged`` (a report's memo), a session that took the same route with the
    same writing as one judged before takes that result (with its own session id) instead of
    being scored again. A class report has many such sessions; the result is the same either way.
    """
    if scenario is None or scenario.version != record.scenario_version:
        return None
    steps = record.steps()
    session_id = f"session {record.id}"
    key = (id(rubric), id(scenario), tuple(steps), record.outcome, record.responses)
    known = judged.get(key) if judged is not None else None
    if known is None:
        known = score_session(
            rubric, scenario, steps, record.responses, outcome=record.outcome,
            session_id=session_id,
        )  # fmt: skip
        if judged is not None:
            if len(judged) >= JUDGED_KEPT:
                del judged[next(iter(judged))]
            judged[key] = known
    result = known if known.facts.session == session_id else known.for_session(session_id)
    return apply_decisions(rubric, result, record.decisions)


def version_problem(record: SessionRecord, scenario: Scenario | None) -> str | None:
    """Why a stored session cannot be judged again here, or None if it can."""
    if scenario is None:
        kept = " and the store keeps no copy of it" if not record.scenario_hash else ""
        return (
            f"scenario '{record.scenario_id}' is not available here{kept} (give its file with "
            "--scenarios PATH)"
        )
    if scenario.version != record.scenario_version:
        return (
            f"it was played on version {record.scenario_version} of '{record.scenario_id}', "
            f"which is now version {scenario.version}"
        )
    return None


# -- shared pieces ----------------------------------------------------------------------------
@dataclass(frozen=True)
class Cited:
    """A line the learner chose, cited as evidence (or as a concern)."""

    turn: int
    """1-based number of the choice."""
    option: str
    """Option id."""
    line: str
    """The line the learner chose, exactly as it was said."""
    behaviour: str
    """Label of the behaviour that matters."""
    session: str = ""
    """Session id, in a portfolio."""


@dataclass(frozen=True)
class CriterionRow:
    """One criterion's verdict, ready to show."""

    code: str
    """Criterion code."""
    text: str
    """The criterion's wording."""
    band: str
    """Band label, if banded."""
    status: str
    """achieved, not_yet, not_covered or needs_tutor."""
    status_label: str
    """The status in words."""
    detail: str
    """Why, in a sentence."""
    feedback: str
    """The rubric's feedback."""
    evidence: tuple[Cited, ...] = ()
    """The learner's lines that evidence it."""
    concerns: tuple[Cited, ...] = ()
    """Lines that weakened or blocked it."""
    source: str = ""
    """Where its evidence comes from when it is not the learner's lines."""
    decision: Decided | None = None
    """The tutor's decision that replaced the simulator's verdict, if any."""
    consistency: str = ""
    """In a portfolio: achieved in how many sessions, and in the latest, in a sentence."""
    across: str = ""
    """On a sheet: what the unit needs across sessions, when one session is not enough."""


@dataclass(frozen=True)
class Decided:
    """A tutor's decision on one criterion of one session, ready to show."""

    code: str
    """Criterion code."""
    verdict: str
    """achieved or not_yet."""
    verdict_label: str
    """The verdict in words."""
    by: str
    """Who decided."""
    at: str
    """When, as shown."""
    note: str = ""
    """Why."""
    session: str = ""
    """The session ("session 12"), in a portfolio or class report."""
    learner: str = ""
    """Whose session, in a class report."""


@dataclass(frozen=True)
class SeriousError:
    """A critical error the learner made, and whether (and where) it was put right."""

    behaviour: str
    """Label of the critical behaviour."""
    turn: int
    """1-based number of the choice that showed it."""
    option: str
    """Option id."""
    line: str
    """The line the learner chose."""
    corrected_turn: int | None = None
    """The turn that put it right, if one did."""
    corrected_line: str = ""
    """That line."""
    session: str = ""
    """The session ("session 12"), in a portfolio or class report."""
    learner: str = ""
    """Whose session, in a class report."""

    @property
    def corrected(self) -> bool:
        """True if a later line put it right (it then does not rule out a grade)."""
        return self.corrected_turn is not None


def _decided(
    code: str, d: Mapping[str, Any] | TutorDecision, session: str = "", learner: str = ""
) -> Decided:
    data = d.to_dict() if isinstance(d, TutorDecision) else d
    verdict = str(data.get("verdict", ""))
    return Decided(
        code,
        verdict,
        STATUS_LABELS.get(verdict, humanise(verdict)),
        str(data.get("by", "")),
        _when(str(data.get("at", ""))),
        str(data.get("note", "")),
        session,
        learner,
    )


def serious_errors(
    items: Iterable[Mapping[str, Any]],
    behaviours: Mapping[str, Behaviour],
    session: str = "",
    learner: str = "",
) -> tuple[SeriousError, ...]:
    """Return critical errors in their JSON form (``critical_errors``) ready to show."""
    out = []
    for e in items:
        b = str(e.get("behaviour", ""))
        said: Mapping[str, Any] = e.get("line") or {}
        fix: Mapping[str, Any] | None = e.get("corrected_by") or None
        out.append(
            SeriousError(
                behaviours[b].label if b in behaviours else humanise(b),
                int(said.get("turn", 0)),
                str(said.get("option", "")),
                str(said.get("line", "")),
                int(fix.get("turn", 0)) if fix else None,
                str(fix.get("line", "")) if fix else "",
                session or str(e.get("session") or ""),
                learner,
            )
        )
    return tuple(out)


def session_grade_label(rubric: Rubric, grade: Grade) -> str:
    """A session's grade in words: no grade when a serious error was not put right."""
    if grade.ruled_out_by:
        return NO_GRADE
    if grade.value == IN_PROGRESS:
        return f"{grade_label(rubric, IN_PROGRESS)} (no grade yet)"
    return grade.label


@dataclass(frozen=True)
class Suggestion:
    """A scenario worth practising next, and the criteria it can show."""

    id: str
    """Scenario id."""
    title: str
    """Scenario title."""
    codes: tuple[str, ...]
    """Criteria not yet achieved that it can evidence."""
    current: bool
    """True for the scenario just played."""


@dataclass(frozen=True)
class Todo:
    """A written task still to do for a criterion."""

    code: str
    """Criterion codes, comma-separated."""
    task: str
    """What to write."""


@dataclass(frozen=True)
class PractiseNext:
    """What to practise next."""

    suggestions: tuple[Suggestion, ...] = ()
    """Scenarios that best cover the criteria not yet achieved."""
    nowhere: tuple[str, ...] = ()
    """Criteria no available scenario can show."""
    todo: tuple[Todo, ...] = ()
    """Written responses still to do."""
    serious: int = 0
    """Sessions with a serious error not put right: never "well done" while there are any."""

    @property
    def empty(self) -> bool:
        """True when there is nothing to suggest."""
        return not (self.suggestions or self.nowhere or self.todo)


def _band_labels(rubric: Rubric | None) -> dict[str, str]:
    return {b.id: b.label for b in rubric.bands} if rubric else {}


def _cited(
    items: Iterable[Mapping[str, Any]], behaviours: Mapping[str, Behaviour]
) -> tuple[Cited, ...]:
    """Return cited lines, one per line said: a line showing two behaviours is cited once."""
    out: dict[tuple[str, int], Cited] = {}
    for e in items:
        b = str(e.get("behaviour", ""))
        label = behaviours[b].label if b in behaviours else humanise(b)
        key = (str(e.get("session") or ""), int(e.get("turn", 0)))
        if key in out:
            out[key] = replace(out[key], behaviour=f"{out[key].behaviour}, {label}")
            continue
        out[key] = Cited(key[1], str(e.get("option", "")), str(e.get("line", "")), label, key[0])
    return tuple(out.values())


def _sentence(text: str) -> str:
    return text[:1].upper() + text[1:]


def _source(criterion: Criterion | None) -> str:
    if criterion is None or criterion.assess == "session":
        return ""
    if criterion.assess == "learner_response":
        written = (criterion.response or "response").replace("_", " ")
        return f"From your written {written}."
    if criterion.assess == "portfolio":
        return "Judged across your sessions."
    return "Judged by your tutor, outside the simulator."


def consistency_text(data: Mapping[str, Any] | None) -> str:
    """Return a criterion's consistency (its JSON form) as a sentence, or an empty string."""
    if not data:
        return ""
    of, achieved = int(data.get("of", 0)), int(data.get("achieved", 0))
    if of == 0:
        return "No session could show it yet."
    latest = str(data.get("latest") or "")
    where = f" ({data['latest_session']})" if data.get("latest_session") else ""
    return (
        f"Achieved in {achieved} of {of} session{'' if of == 1 else 's'} that could show it; "
        f"latest{where}: {STATUS_LABELS.get(latest, humanise(latest))}."
    )


def _plural(word: str) -> str:
    return word + ("es" if word.endswith("s") else "s")


def across_text(rule: PortfolioRule | None, behaviours: Mapping[str, Behaviour]) -> str:
    """Return what a criterion also needs across sessions, as a sentence for a session sheet."""
    if rule is None:
        return ""
    parts = []
    if rule.distinct:
        parts.append(f"in at least {rule.min} different {_plural(humanise(rule.distinct).lower())}")
    if rule.values and rule.of:
        kinds = ", ".join(humanise(v).lower() for v in rule.values)
        parts.append(f"in sessions with every {humanise(rule.of).lower()} ({kinds})")
    if rule.behaviours:
        shown = " or ".join(
            behaviours[b].label.lower() if b in behaviours else humanise(b).lower()
            for b in rule.behaviours
        )
        parts.append(f"in a session that shows {shown}")
    if rule.each_session:
        parts.append("in every session, not only this one")
    if not parts:
        parts.append(f"in at least {rule.min} session{'' if rule.min == 1 else 's'}")
    return (
        "For the unit this is needed " + " and ".join(parts) + ": your portfolio shows how far "
        "you have got."
    )


def criterion_rows(
    criteria: Mapping[str, Mapping[str, Any]],
    rubric: Rubric | None,
    behaviours: Mapping[str, Behaviour],
    *,
    across: bool = False,
) -> tuple[CriterionRow, ...]:
    """Return the rows of a criteria table from verdicts in their JSON form.

    With ``across`` (a session sheet), a criterion the unit judges across sessions says so.
    """
    bands = _band_labels(rubric)
    rows = []
    for code, v in criteria.items():
        c = rubric.criterion(code) if rubric else None
        status = str(v.get("status", ""))
        decision = v.get("decision")
        rows.append(
            CriterionRow(
                code,
                c.text if c else "",
                bands.get(c.band or "", "") if c else "",
                status,
                STATUS_LABELS.get(status, humanise(status)),
                _sentence(str(v.get("detail", ""))),
                str(v.get("feedback", "")),
                _cited(v.get("evidence", ()), behaviours),
                _cited(v.get("concerns", ()), behaviours),
                _source(c),
                _decided(code, decision) if decision else None,
                consistency_text(v.get("consistency")),
                across_text(c.portfolio, behaviours)
                if across and c is not None and c.assess != "portfolio"
                else "",
            )
        )
    return tuple(rows)


def practise_next(
    rubric: Rubric | None,
    statuses: Mapping[str, str],
    library: Library,
    current: str | None = None,
) -> PractiseNext:
    """Suggest the scenarios that best cover the session criteria not yet achieved."""
    if rubric is None:
        return PractiseNext()
    wanted: list[Criterion] = [
        c
        for c in rubric.criteria
        if c.assess == "session"
        and c.rule is not None
        and statuses.get(c.code, "not_yet") in ("not_yet", "not_covered")
    ]
    pool = library.practice_pool()
    here = next((s for s in pool if s.id == current), None)
    ranked: list[tuple[tuple[int, bool, int, bool, str], Suggestion]] = []
    shown: set[str] = set()
    for s in pool:
        codes = tuple(c.code for c in wanted if c.rule is not None and library.coverable(c.rule, s))
        if codes:
            # most criteria first; on a tie, a different scenario before the one just played,
            # then one nearest its difficulty, then a different issue, so the learner widens
            near = abs((s.difficulty or 0) - (here.difficulty or 0)) if here is not None else 0
            same_issue = here is not None and s.context.issue == here.context.issue
            key = (-len(codes), s.id == current, near, same_issue, s.id)
            ranked.append((key, Suggestion(s.id, s.title, codes, s.id == current)))
            shown |= set(codes)
    found = [g for _, g in sorted(ranked, key=lambda r: r[0])]
    tasks: dict[str, list[str]] = {}
    for c in rubric.criteria:
        if c.assess == "learner_response" and statuses.get(c.code, "not_yet") == "not_yet":
            tasks.setdefault(c.response or "", []).append(c.code)
    todo = tuple(
        Todo(", ".join(codes), RESPONSE_TASKS.get(response, "write your response"))
        for response, codes in tasks.items()
    )
    nowhere = tuple(c.code for c in wanted if c.code not in shown)
    return PractiseNext(tuple(found[:3]), nowhere, todo)


# -- the session sheet ------------------------------------------------------------------------
@dataclass(frozen=True)
class Meter:
    """A variable's final value (customer mood, trust)."""

    label: str
    """Name shown."""
    value: int
    """Final value."""
    min: int
    """Lowest possible."""
    max: int
    """Highest possible."""

    @property
    def percent(self) -> int:
        """Position of the value in its range, 0 to 100."""
        span = self.max - self.min
        return 50 if span <= 0 else round(100 * (self.value - self.min) / span)


@dataclass(frozen=True)
class Stronger:
    """A stronger option the learner could have chosen."""

    id: str
    """Option id."""
    say: str
    """Its line."""


@dataclass(frozen=True)
class Entry:
    """One line of the rebuilt transcript."""

    kind: str
    """learner, narrator or cast."""
    name: str
    """Who says it."""
    text: str
    """What is said."""
    option: str = ""
    """For the learner's lines, the option id."""
    auto: bool = False
    """Taken automatically."""
    turn: int = 0
    """For the learner's lines, the 1-based step number."""
    feedback: str = ""
    """The scenario's feedback on this choice."""
    stronger: Stronger | None = None
    """A stronger option available at that point, if there was one."""
    quality: str = ""
    """good, poor or neutral (by the behaviours it shows)."""


@dataclass(frozen=True)
class SheetView:
    """Everything on one learner's practice feedback sheet."""

    session: int
    learner: str
    learner_ref: str
    group: str
    mode: str
    started: str
    ended: str
    state: str
    scenario_id: str
    scenario_title: str
    scenario_version: int
    summary: str
    context: tuple[tuple[str, str], ...]
    outcome: str
    meters: tuple[Meter, ...]
    rubric_id: str
    rubric_title: str
    rubric_version: int | None
    qualification: str
    grade: str
    grade_value: str
    grade_over: tuple[str, ...]
    not_covered: tuple[str, ...]
    ceiling: str
    result_note: str
    criteria: tuple[CriterionRow, ...]
    transcript: tuple[Entry, ...]
    transcript_note: str
    notes: tuple[tuple[str, str], ...]
    cause: tuple[tuple[str, str], ...]
    review: tuple[tuple[str, str], ...]
    plan: tuple[tuple[str, str, str], ...]
    next: PractiseNext
    practice_note: str = ""
    heading: str = "Practice"
    mode_label: str = ""
    serious: tuple[SeriousError, ...] = ()
    ruled_out: tuple[str, ...] = ()
    decisions: tuple[Decided, ...] = ()
    generated: str = field(default_factory=_now)
    version: str = __version__


def _quality(score: int) -> str:
    if score >= 100:  # rated by the author (see scoring.recap.strength)
        return {300: "good", 200: "neutral"}.get(score, "poor")
    return "good" if score > 0 else "poor" if score < 0 else "neutral"


def _transcript(
    session: Session, choices: list[str], behaviours: Mapping[str, Behaviour]
) -> tuple[Entry, ...]:
    """Pair each learner line of a replayed session with its feedback and any stronger option."""
    scenario = session.scenario
    items = {i.turn: i for i in recap(scenario, choices, behaviours)}
    out = []
    turn = 0
    for line in session.transcript:
        if line.speaker != LEARNER:
            kind = "narrator" if line.speaker == "narrator" else "cast"
            out.append(Entry(kind, scenario.speaker_name(line.speaker), line.text))
            continue
        turn += 1
        option = scenario.option(line.option or "")
        item = items.get(turn)
        better = item.stronger if item is not None else None
        out.append(
            Entry(
                "learner",
                "You",
                line.text,
                line.option or "",
                line.auto,
                turn,
                option.feedback if option else "",
                Stronger(better.id, better.say) if better is not None else None,
                _quality(strength(option, behaviours)) if option else "neutral",
            )
        )
    return tuple(out)


def _stored_transcript(record: SessionRecord) -> tuple[Entry, ...]:
    return tuple(Entry("learner", "You", t.line, t.option, t.auto, t.seq) for t in record.turns)


def _meters(
    scenario: Scenario | None, session: Session | None, record: SessionRecord
) -> tuple[Meter, ...]:
    if scenario is None:
        return ()
    values: Mapping[str, Any] = (
        session.variables
        if session is not None
        else (record.turns[-1].variables if record.turns else {})
    )
    out = []
    for name, var in scenario.variables.items():
        value = values.get(name, var.default)
        if not var.meter or var.type != "int" or isinstance(value, bool):
            continue
        if not isinstance(value, int):  # a stored value of the wrong type (an import): no meter
            continue
        low = var.min if var.min is not None else min(int(value), 0)
        high = var.max if var.max is not None else max(int(value), 0)
        out.append(Meter(var.display_name, int(value), low, high))
    return tuple(out)


def _context(scenario: Scenario) -> tuple[tuple[str, str], ...]:
    ctx = scenario.context
    who = ctx.customer
    customer = who.name or "the customer"
    if who.kind:
        customer += f" ({who.kind} customer)"
    traits = ", ".join(humanise(t).lower() for t in (*who.characteristics, *who.indicators))
    rows = [
        ("Issue", humanise(ctx.issue)),
        ("Channel", humanise(ctx.channel)),
        ("Problem source", humanise(ctx.problem_source)),
        ("Customer", customer),
        ("What makes it challenging", traits),
        ("About the customer", who.description),
        ("Organisation", ctx.organisation.name),
    ]
    return tuple((k, v) for k, v in rows if v)


def _responses(
    responses: LearnerResponses,
) -> tuple[
    tuple[tuple[str, str], ...], tuple[tuple[str, str], ...], tuple[tuple[str, str, str], ...]
]:
    cause: list[tuple[str, str]] = []
    c = responses.cause_assessment
    if c is not None:
        cause = [
            ("The issue, in your own words", c.issue_words),
            ("What makes this customer challenging, in your own words", c.challenge_words),
            ("Issue", humanise(c.issue) or "(not named)"),
            ("Characteristics", ", ".join(humanise(x) for x in c.characteristics)),
            ("Indicators", ", ".join(humanise(x) for x in c.indicators)),
            ("Notes", c.notes),
        ]
    review: list[tuple[str, str]] = []
    r = responses.review
    if r is not None:
        review = [
            ("Strengths", r.strengths),
            ("Weaknesses", r.weaknesses),
            ("Challenges", r.challenges),
            ("Improvements", r.improvements),
        ]
    plan = tuple((e.activity, e.criterion, e.target_date) for e in responses.learning_plan)
    return (
        tuple((k, v) for k, v in cause if v),
        tuple((k, v) for k, v in review if v.strip()),
        plan,
    )


def sheet_view(
    record: SessionRecord,
    library: Library,
    behaviours: Mapping[str, Behaviour] | None = None,
) -> tuple[SheetView, list[str]]:
    """Build one session's feedback sheet; also return warnings for the user."""
    known = bundled_behaviours() if behaviours is None else behaviours
    warnings: list[str] = []
    scenario = library.for_record(record)
    problem = version_problem(record, scenario)
    session: Session | None = None
    transcript: tuple[Entry, ...] = ()
    transcript_note = ""
    if problem is None and scenario is not None:
        try:
            session = replay(scenario, record.choices)
            transcript = _transcript(session, record.choices, known)
        except EngineError as exc:
            problem = f"the stored choices no longer fit '{record.scenario_id}': {exc}"
    if problem is not None:
        transcript = _stored_transcript(record)
        transcript_note = (
            f"The conversation cannot be replayed: {problem}. Shown instead: the learner's lines "
            "as stored, without the other speakers, feedback or stronger options."
        )
        warnings.append(
            f"session {record.id}: {problem}; the sheet shows the stored lines instead of a replay"
        )

    result = record.result
    stored_rubric = result.get("rubric", {}).get("id") if result else None
    rubric_ref = stored_rubric or record.rubric_id or (scenario.rubric if scenario else None)
    rubric: Rubric | None = None
    if rubric_ref:
        try:
            rubric = load_rubric(rubric_ref)
        except ReportError as exc:
            warnings.append(str(exc))
    result_note = ""
    if result is None and rubric is not None and problem is None and scenario is not None:
        scored = score_session(
            rubric,
            scenario,
            record.steps(),
            record.responses,
            outcome=session.outcome if session else record.outcome,
            session_id=f"session {record.id}",
        )
        result = apply_decisions(rubric, scored, record.decisions).to_dict()
        result_note = "Judged now: no result was stored with this session."
    elif result is None:
        result_note = "No result is stored with this session and it cannot be judged again here."
    elif record.decisions:
        result, result_note = _with_decisions(record, result, scenario, rubric, problem)
    criteria: Mapping[str, Mapping[str, Any]] = result["criteria"] if result else {}
    detail: Mapping[str, Any] = result.get("grade_detail", {}) if result else {}
    rubric_info: Mapping[str, Any] = result.get("rubric", {}) if result else {}
    statuses = {code: str(v.get("status")) for code, v in criteria.items()}
    grade_value = str(result.get("grade", "")) if result else ""
    ceiling = str(detail.get("ceiling") or "")
    outcome = record.outcome or (session.outcome if session else None)
    cause, review, plan = _responses(record.responses)
    view = SheetView(
        session=record.id,
        learner=record.learner.name,
        learner_ref=record.learner.learner_ref or "",
        group=record.learner.group or "",
        mode=record.mode,
        started=_when(record.started),
        ended=_when(record.ended),
        state="finished" if record.state == "finished" else "in progress",
        scenario_id=record.scenario_id,
        scenario_title=scenario.title if scenario else record.scenario_id,
        scenario_version=record.scenario_version,
        summary=scenario.summary if scenario else "",
        context=_context(scenario) if scenario else (),
        outcome=humanise(outcome) if outcome else "Not finished",
        meters=_meters(scenario, session, record),
        rubric_id=str(rubric_info.get("id") or rubric_ref or ""),
        rubric_title=rubric.title if rubric else "",
        rubric_version=rubric_info.get("version") if rubric_info else None,
        qualification=rubric.qualification if rubric else "",
        grade=str(detail.get("label") or humanise(grade_value)),
        grade_value=grade_value,
        grade_over=tuple(detail.get("over", ())),
        not_covered=tuple(detail.get("not_covered", ())),
        ceiling=grade_label(rubric, ceiling) if rubric and ceiling else humanise(ceiling),
        result_note=result_note,
        criteria=criterion_rows(criteria, rubric, known, across=True),
        transcript=transcript,
        transcript_note=transcript_note,
        notes=tuple((_when(at), text) for at, text in record.notes),
        cause=cause,
        review=review,
        plan=plan,
        next=practise_next(rubric, statuses, library, record.scenario_id),
        practice_note=practice_note(rubric),
        heading=MODE_HEADINGS.get(record.mode, "Practice"),
        mode_label=MODE_LABELS.get(record.mode, humanise(record.mode)),
        serious=serious_errors(result.get("critical_errors", ()) if result else (), known),
        ruled_out=tuple(
            known[b].label if b in known else humanise(b) for b in detail.get("ruled_out_by", ())
        ),
        decisions=tuple(_decided(d.code, d) for d in record.decisions if d.code in criteria),
    )
    return view, warnings


def _with_decisions(
    record: SessionRecord,
    stored: dict[str, Any],
    scenario: Scenario | None,
    rubric: Rubric | None,
    problem: str | None,
) -> tuple[dict[str, Any], str]:
    """The stored result with the tutor's decisions in it, and a note if its grade could not
    be worked out again.

    When the session can be judged again, the decisions are applied as the portfolio applies
    them (the grade follows); otherwise each decided verdict is shown as decided, and the grade
    is the stored one.
    """
    if rubric is not None and problem is None:
        judged = rescore(record, scenario, rubric)
        if judged is not None:
            return judged.to_dict(), ""
    criteria = dict(stored.get("criteria", {}))
    changed = False
    for d in record.decisions:
        old = criteria.get(d.code)
        if old is None or old.get("decision") == d.to_dict():
            continue
        note = f": {d.note}" if d.note else ""
        criteria[d.code] = {
            **old,
            "status": d.verdict,
            "reason": "tutor_decision",
            "detail": f"your tutor {d.by} decided {d.verdict.replace('_', ' ')} on "
            f"{d.at[:10]}{note}",
            "decision": d.to_dict(),
        }
        changed = True
    if not changed:
        return stored, ""
    why = problem or "the rubric is not available here"
    return {**stored, "criteria": criteria}, (
        f"Your tutor's decisions are shown, but the grade could not be worked out again: {why}."
    )


# -- the class report -------------------------------------------------------------------------
@dataclass(frozen=True)
class LearnerRow:
    """One learner's line in the class grid."""

    name: str
    """Learner's name."""
    learner_ref: str
    """Learner id in college records."""
    group: str
    """Class or group."""
    attempts: int
    """Sessions judged."""
    best: str
    """Best session grade (label)."""
    cells: tuple[Cell, ...]
    """One per criterion, in rubric order: the unit-level verdict, as in the portfolio."""
    latest: str = ""
    """The latest session's grade (label)."""
    unit: str = ""
    """The unit grade so far, as in the portfolio (label)."""
    serious: int = 0
    """Sessions with a serious error that was not put right."""
    decisions: tuple[Decided, ...] = ()
    """The tutor's decisions on this learner's sessions."""


@dataclass(frozen=True)
class Cell:
    """One learner's unit-level verdict on one criterion, with how consistently it was shown."""

    code: str
    """Criterion code."""
    status: str
    """achieved, not_yet, tutor or never."""
    achieved: int = 0
    """Sessions that achieved it."""
    of: int | None = None
    """Sessions that could show it (None for criteria not judged in a session)."""
    detail: str = ""
    """Why, in a sentence (the portfolio's words)."""
    decided: bool = False
    """A tutor's decision on it is recorded for one of the learner's sessions."""

    @property
    def label(self) -> str:
        """The verdict in words."""
        return CELL_LABELS[self.status]

    @property
    def counted(self) -> str:
        """``2 of 3 sessions``, or an empty string when no session could show it."""
        if not self.of:
            return ""
        return f"{self.achieved} of {self.of} session{'' if self.of == 1 else 's'}"

    @property
    def text(self) -> str:
        """The verdict with its count and any decision, for a gradebook cell."""
        extra = [part for part in (self.counted, "tutor decided" if self.decided else "") if part]
        return self.label + (f" ({', '.join(extra)})" if extra else "")


@dataclass(frozen=True)
class Hardest:
    """A criterion the class finds hard."""

    code: str
    """Criterion code."""
    text: str
    """Its wording."""
    not_yet: int
    """Learners who attempted it and have not achieved it."""
    attempted: int
    """Learners who attempted it."""

    @property
    def percent(self) -> int:
        """Share of those who attempted it who have not achieved it."""
        return round(100 * self.not_yet / self.attempted) if self.attempted else 0


@dataclass(frozen=True)
class OptionCount:
    """How often an option was chosen at a decision point."""

    id: str
    """Option id."""
    say: str
    """Its line."""
    count: int
    """Times chosen."""
    percent: int
    """Share of the choices made at that point."""
    quality: str
    """good, poor or neutral."""


@dataclass(frozen=True)
class DecisionPoint:
    """A node where learners chose, with what they chose."""

    node: str
    """Node id."""
    speaker: str
    """Who speaks there."""
    prompt: str
    """What they say (shortened)."""
    total: int
    """Choices made there."""
    options: tuple[OptionCount, ...]
    """Options chosen, most often first."""


@dataclass(frozen=True)
class ScenarioChoices:
    """The decision points of one scenario."""

    id: str
    """Scenario id."""
    title: str
    """Scenario title."""
    sessions: int
    """Sessions of it."""
    points: tuple[DecisionPoint, ...]
    """Its decision points, in the scenario's order."""


@dataclass(frozen=True)
class ClassView:
    """Everything in a class report."""

    group: str
    rubric_id: str
    rubric_title: str
    rubric_version: int
    qualification: str
    criteria: tuple[tuple[str, str], ...]
    rows: tuple[LearnerRow, ...]
    hardest: tuple[Hardest, ...]
    choices: tuple[ScenarioChoices, ...]
    sessions: int
    left_out: tuple[str, ...]
    practice_note: str = ""
    serious: tuple[SeriousError, ...] = ()
    decisions: tuple[Decided, ...] = ()
    generated: str = field(default_factory=_now)
    version: str = __version__

    @property
    def per_table(self) -> int:
        """How many criteria one grid table shows: at most 15, split evenly (A4 width)."""
        n = max(len(self.criteria), 1)
        tables = -(-n // 15)
        return -(-n // tables)


def _shorten(text: str, limit: int = 140) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def pick_rubric(records: Sequence[SessionRecord], library: Library, ref: str | None) -> Rubric:
    """Return the rubric given, else the one most of these sessions were judged against."""
    played: Counter[tuple[str, str | None]] = Counter((r.scenario_id, r.rubric_id) for r in records)
    return pick_rubric_of(played, library, ref)


def pick_rubric_of(
    played: Mapping[tuple[str, str | None], int], library: Library, ref: str | None
) -> Rubric:
    """`pick_rubric` from how many sessions there are of each (scenario id, rubric id), as
    `Store.scenario_rubrics` counts them; a session naming no rubric counts for its scenario's."""
    if ref:
        return load_rubric(ref)
    named: Counter[str] = Counter()
    for (scenario_id, rubric_id), count in played.items():
        scenario = library.get(scenario_id)
        rid = rubric_id or (scenario.rubric if scenario else None)
        if rid:
            named[rid] += count
    if not named:
        raise ReportError("none of these sessions names a rubric; give --rubric ID")
    return load_rubric(named.most_common(1)[0][0])


def short_grade(rubric: Rubric, value: str) -> str:
    """Return a grade's label without the practice-only note (the report states it once)."""
    return grade_label(replace(rubric, practice_only=False), value)


def _number(session: str) -> int:
    """The id in "session 12", for sorting."""
    tail = session.rsplit(" ", 1)[-1]
    return int(tail) if tail.isdigit() else 0


def _short_session_grade(rubric: Rubric, grade: Grade) -> str:
    """A session's grade for the class grid: "No grade" when a serious error ruled it out."""
    if grade.ruled_out_by:
        return "No grade (serious error)"
    return short_grade(rubric, grade.value)


def _rank(rubric: Rubric, value: str) -> int:
    order = ["not_yet", *(b.id for b in rubric.bands), "competent", "pass"]
    return order.index(value) if value in order else -1


def _cell(criterion: Criterion, unit: PortfolioResult, decided: set[str]) -> Cell:
    """The unit-level verdict of ``combine``, the same one the portfolio shows."""
    v = unit.criteria[criterion.code]
    c = v.consistency
    if criterion.assess == "tutor":
        status = "tutor"
    elif criterion.assess != "portfolio" and c is not None and c.of == 0:
        status = "never"
    else:
        status = {"achieved": "achieved", "needs_tutor": "tutor"}.get(v.status, "not_yet")
    return Cell(
        criterion.code,
        status,
        c.achieved if c else 0,
        c.of if c else None,
        _sentence(v.detail),
        criterion.code in decided,
    )


class _ChoiceCounts:
    """How often each option was chosen at each node, counted one session at a time."""

    def __init__(self) -> None:
        self.counts: dict[str, dict[str, Counter[str]]] = defaultdict(lambda: defaultdict(Counter))
        self.lines: dict[tuple[str, str], str] = {}
        self.sessions: Counter[str] = Counter()

    def add(self, r: SessionRecord) -> None:
        sid = r.scenario_id
        self.sessions[sid] += 1
        counts, lines = self.counts[sid], self.lines
        for t in r.turns:
            if not t.auto:
                counts[t.node][t.option] += 1
                if (sid, t.option) not in lines:
                    lines[sid, t.option] = t.line


def _choice_points(
    tally: _ChoiceCounts, library: Library, behaviours: Mapping[str, Behaviour]
) -> tuple[ScenarioChoices, ...]:
    counts, lines, sessions = tally.counts, tally.lines, tally.sessions
    out = []
    for sid in sorted(counts):
        scenario = library.get(sid)
        nodes = counts[sid]
        order = list(scenario.nodes) if scenario else []
        node_ids = sorted(nodes, key=lambda n: (order.index(n) if n in order else len(order), n))
        points = []
        for nid in node_ids:
            chosen = nodes[nid]
            total = sum(chosen.values())
            node = scenario.nodes.get(nid) if scenario else None
            opts = []
            for oid, count in sorted(chosen.items(), key=lambda kv: (-kv[1], kv[0])):
                option = scenario.option(oid) if scenario else None
                say = option.say if option else lines.get((sid, oid), "")
                quality = _quality(strength(option, behaviours)) if option else "neutral"
                opts.append(
                    OptionCount(oid, _shorten(say), count, round(100 * count / total), quality)
                )
            points.append(
                DecisionPoint(
                    nid,
                    scenario.speaker_name(node.speaker) if scenario and node else "",
                    _shorten(node.say[-1].text if node and node.say else ""),
                    total,
                    tuple(opts),
                )
            )
        out.append(
            ScenarioChoices(sid, scenario.title if scenario else sid, sessions[sid], tuple(points))
        )
    return tuple(out)


def class_view(
    records: Sequence[SessionRecord],
    library: Library,
    rubric: Rubric,
    group: str | None = None,
    behaviours: Mapping[str, Behaviour] | None = None,
) -> ClassView:
    """Build the class report: learners by criteria, hardest criteria, most chosen options."""
    by_learner: dict[int, list[SessionRecord]] = defaultdict(list)
    for r in records:
        by_learner[r.learner.id].append(r)
    return class_view_of_learners(by_learner.values(), library, rubric, group, behaviours)


def class_view_of_learners(
    learners: Iterable[Sequence[SessionRecord]],
    library: Library,
    rubric: Rubric,
    group: str | None = None,
    behaviours: Mapping[str, Behaviour] | None = None,
) -> ClassView:
    """The class report from each learner's sessions in turn (as `Store.learner_batches` gives
    them): only one learner's sessions need be in memory at once, whatever the size of the class.
    """
    known = bundled_behaviours() if behaviours is None else behaviours
    left_out: list[str] = []
    rows = []
    serious: list[SeriousError] = []
    all_decisions: list[Decided] = []
    tally = _ChoiceCounts()
    memo: Judged = {}
    for learner_records in learners:
        if not learner_records:
            continue
        learner = learner_records[0].learner
        results = []
        for r in sorted(learner_records, key=lambda x: x.id):
            tally.add(r)
            scenario = library.for_record(r)
            result = rescore(r, scenario, rubric, memo)
            if result is None:
                left_out.append(
                    f"session {r.id} ({learner.display}): {version_problem(r, scenario)}"
                )
            else:
                results.append(result)
        unit = combine(rubric, results)
        best = max(results, key=lambda x: _rank(rubric, x.grade.value), default=None)
        judged = {r.facts.session for r in results}
        decisions = tuple(
            _decided(d.code, d, f"session {r.id}", learner.display)
            for r in sorted(learner_records, key=lambda x: x.id)
            for d in r.decisions
            if rubric.criterion(d.code) is not None and f"session {r.id}" in judged
        )
        decided = {d.code for d in decisions}
        cells = tuple(_cell(c, unit, decided) for c in rubric.criteria)
        for session, error in unit.critical:
            serious.extend(serious_errors([error.to_dict()], known, session, learner.display))
        all_decisions.extend(decisions)
        rows.append(
            LearnerRow(
                learner.name,
                learner.learner_ref or "",
                learner.group or "",
                len(results),
                short_grade(rubric, best.grade.value) if best else "",
                cells,
                _short_session_grade(rubric, results[-1].grade) if results else "",
                short_grade(rubric, unit.grade.value) if results else "",
                len(unit.critical_sessions),
                decisions,
            )
        )
    rows.sort(key=lambda x: (x.name.casefold(), x.learner_ref))
    hardest = []
    for c in rubric.criteria:
        if c.assess not in ("session", "learner_response"):
            continue
        column = [next(cell.status for cell in row.cells if cell.code == c.code) for row in rows]
        attempted = sum(cell != "never" for cell in column)
        missing = sum(cell == "not_yet" for cell in column)
        if missing:
            hardest.append(Hardest(c.code, c.text, missing, attempted))
    hardest.sort(key=lambda h: (-h.percent, -h.not_yet))
    return ClassView(
        group=group or "",
        rubric_id=rubric.id,
        rubric_title=rubric.title,
        rubric_version=rubric.version,
        qualification=rubric.qualification,
        criteria=tuple((c.code, c.text) for c in rubric.criteria),
        rows=tuple(rows),
        hardest=tuple(hardest[:5]),
        choices=_choice_points(tally, library, known),
        sessions=sum(tally.sessions.values()),
        left_out=tuple(left_out),
        practice_note=practice_note(rubric),
        serious=tuple(
            sorted(serious, key=lambda e: (e.learner.casefold(), _number(e.session), e.turn))
        ),
        decisions=tuple(
            sorted(all_decisions, key=lambda d: (d.learner.casefold(), _number(d.session), d.code))
        ),
    )


# -- the portfolio ----------------------------------------------------------------------------
@dataclass(frozen=True)
class SessionLine:
    """One session in a portfolio."""

    id: int
    """Session id."""
    scenario: str
    """Scenario id."""
    started: str
    """When."""
    grade: str
    """Session grade label ("No grade: ..." when a serious error was not put right)."""
    outcome: str
    """Ending, in words."""
    serious: str = ""
    """Its serious errors in a phrase ("1 not put right"), or an empty string."""
    ruled_out: bool = False
    """A serious error was not put right: the session earns no grade and is no evidence."""
    decided: tuple[str, ...] = ()
    """Criteria the tutor decided on in this session."""


@dataclass(frozen=True)
class Missing:
    """A criterion or requirement not yet achieved across the portfolio."""

    code: str
    """Code."""
    text: str
    """Wording."""
    detail: str
    """What is still needed."""
    feedback: str
    """The rubric's advice."""


@dataclass(frozen=True)
class PortfolioView:
    """A learner's unit-level view across sessions."""

    learner: str
    learner_ref: str
    group: str
    rubric_id: str
    rubric_title: str
    rubric_version: int
    qualification: str
    notes: str
    grade: str
    if_confirmed: str
    awaiting: tuple[str, ...]
    sessions: tuple[SessionLine, ...]
    criteria: tuple[CriterionRow, ...]
    requirements: tuple[CriterionRow, ...]
    missing: tuple[Missing, ...]
    left_out: tuple[str, ...]
    next: PractiseNext
    data: dict[str, Any]
    practice_note: str = ""
    latest_grade: str = ""
    serious: tuple[SeriousError, ...] = ()
    critical_sessions: tuple[str, ...] = ()
    decisions: tuple[Decided, ...] = ()
    generated: str = field(default_factory=_now)
    version: str = __version__


def _serious_phrase(result: SessionResult) -> str:
    """A session's serious errors in a phrase for a table cell."""
    if not result.critical:
        return ""
    still = len(result.open_errors)
    fixed = len(result.critical) - still
    parts = [f"{still} not put right"] if still else []
    if fixed:
        parts.append(f"{fixed} put right")
    return ", ".join(parts)


def _as_json(verdicts: Mapping[str, Verdict]) -> dict[str, dict[str, Any]]:
    return {code: v.to_dict() for code, v in verdicts.items()}


def portfolio_view(
    records: Sequence[SessionRecord],
    library: Library,
    rubric: Rubric,
    behaviours: Mapping[str, Behaviour] | None = None,
) -> PortfolioView:
    """Build a learner's portfolio view (``combine`` over their sessions) with what is missing."""
    known = bundled_behaviours() if behaviours is None else behaviours
    learner = records[0].learner
    results: list[SessionResult] = []
    lines: list[SessionLine] = []
    left_out: list[str] = []
    decisions: list[Decided] = []
    judged: Judged = {}
    for r in sorted(records, key=lambda x: x.id):
        scenario = library.for_record(r)
        result = rescore(r, scenario, rubric, judged)
        if result is None:
            left_out.append(f"session {r.id}: {version_problem(r, scenario)}")
            continue
        results.append(result)
        lines.append(
            SessionLine(
                r.id,
                r.scenario_id,
                _when(r.started),
                session_grade_label(rubric, result.grade),
                humanise(r.outcome) if r.outcome else "Not finished",
                _serious_phrase(result),
                bool(result.open_errors),
                tuple(d.code for d in r.decisions if rubric.criterion(d.code) is not None),
            )
        )
        decisions.extend(
            _decided(d.code, d, f"session {r.id}")
            for d in r.decisions
            if rubric.criterion(d.code) is not None
        )
    unit = combine(rubric, results)
    statuses = {code: v.status for code, v in unit.criteria.items()}
    everything = unit.criteria | unit.requirements
    missing = tuple(
        Missing(
            code,
            c.text if (c := rubric.criterion(code)) else "",
            _sentence(everything[code].detail),
            everything[code].feedback,
        )
        for code in unit.missing
    )
    data = {
        "learner": learner.name,
        "learner_id": learner.learner_ref,
        "group": learner.group,
        **unit.to_dict(),
        "session_ids": [int(line.id) for line in lines],
        "grade_label": unit.grade.label,
        "latest_grade": unit.session_grades[-1][1] if unit.session_grades else None,
        "latest_grade_label": lines[-1].grade if lines else None,
        "decisions": [
            {"session": r.id, "code": d.code, **d.to_dict()}
            for r in sorted(records, key=lambda x: x.id)
            for d in r.decisions
            if rubric.criterion(d.code) is not None
        ],
        "left_out": left_out,
    }
    return PortfolioView(
        learner=learner.name,
        learner_ref=learner.learner_ref or "",
        group=learner.group or "",
        rubric_id=rubric.id,
        rubric_title=rubric.title,
        rubric_version=rubric.version,
        qualification=rubric.qualification,
        notes=rubric.notes,
        grade=unit.grade.label,
        if_confirmed=grade_label(rubric, unit.grade.if_confirmed or "not_yet"),
        awaiting=unit.grade.awaiting_tutor,
        sessions=tuple(lines),
        criteria=criterion_rows(_as_json(unit.criteria), rubric, known),
        requirements=criterion_rows(_as_json(unit.requirements), rubric, known),
        missing=missing,
        left_out=tuple(left_out),
        next=replace(practise_next(rubric, statuses, library), serious=len(unit.critical_sessions)),
        data=data,
        practice_note=practice_note(rubric),
        latest_grade=lines[-1].grade if lines else "",
        serious=tuple(
            e
            for session, error in unit.critical
            for e in serious_errors([error.to_dict()], known, session)
        ),
        critical_sessions=unit.critical_sessions,
        decisions=tuple(decisions),
    )
