"""The projector debrief: what a class chose at each decision point of one scenario, anonymised.

For each point where learners chose a reply, in conversation order: what the customer said, the
replies, how many learners chose each on their first visit there (never who), the feedback on
each reply and a question for the class; then the criteria the class found hardest, by how many
learners achieved each. Only counts leave this module: no name is ever in a `Debrief`.

Pure Python: no UI and no templates (the screens are `simulator.ui.debrief`).
"""

from __future__ import annotations

from collections import Counter, deque
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass
from typing import Any

from simulator.engine import LEARNER, EngineError, replay
from simulator.lessons import Scope
from simulator.model import Behaviour, Rubric, Scenario
from simulator.scoring import apply_decisions, score_session, strength
from simulator.store import SessionRecord, Store

LETTERS = "ABCDEFGHJKLMNPQRSTUVWXYZ"
"""Labels for the replies on a screen (no I or O, which read as 1 and 0 from the back)."""


@dataclass(frozen=True)
class ReplyCount:
    """One reply at a decision point and how many learners chose it there first."""

    letter: str
    """Its label on the screen (A, B, C ...)."""
    option: str
    """Option id."""
    say: str
    """What the learner would say."""
    count: int
    """Learners whose first choice at this point it was."""
    quality: str
    """strong, fair or poor as the author rated it; good or poor by what it shows; or ''."""
    feedback: str
    """The scenario's feedback on it."""


@dataclass(frozen=True)
class DecisionPoint:
    """A node where the class chose, with the counts of their first choices."""

    node: str
    """Node id."""
    speaker: str
    """Who speaks there (display name)."""
    said: str
    """What most of the learners who reached it heard there."""
    heard_other: int
    """Learners who heard another version of the line (a say-variant)."""
    reached: int
    """Learners who chose a reply here at least once."""
    replies: tuple[ReplyCount, ...]
    """Every reply the node offers, most chosen first (then in the scenario's order)."""
    prompt: str
    """A question for the class."""


@dataclass(frozen=True)
class CriterionCount:
    """A criterion and how many learners achieved it in this scenario."""

    code: str
    text: str
    achieved: int
    """Learners who achieved it in at least one of their sessions in scope (the tutor's
    decisions count, as in every report)."""
    judged: int
    """Learners with a session it was judged in."""


@dataclass(frozen=True)
class Debrief:
    """Everything on the debrief screens."""

    scenario_id: str
    title: str
    scope: str
    """What the class is: ``lesson K7M2QX (BTEC-1)`` or ``group BTEC-1``."""
    learners: int
    """Learners with at least one session counted."""
    sessions: int
    """Sessions counted."""
    points: tuple[DecisionPoint, ...]
    """Decision points at least one learner reached, in conversation order."""
    rubric: str
    """Rubric title, or '' when there is none."""
    criteria: tuple[CriterionCount, ...]
    """The criteria a conversation shows (``assess: session``) that were judged in these
    sessions, hardest first: fewest learners achieved it, as a share of those judged."""
    left_out: tuple[str, ...]
    """Sessions that could not be counted, and why."""

    def to_dict(self) -> dict[str, Any]:
        """Return the debrief as JSON-ready data (``roleplay debrief --json``)."""
        return asdict(self)


class DebriefError(Exception):
    """A debrief cannot be made; the message says why, for the user."""


def scope_label(scope: Scope) -> str:
    """How the class is named on the screens."""
    if scope.lesson is not None:
        return f"lesson {scope.lesson.code} ({scope.group})"
    return f"group {scope.group}"


def sessions_in_scope(store: Store, scenario_id: str, scope: Scope) -> list[SessionRecord]:
    """Every session of this scenario in the lesson (by its code) or group, oldest first."""
    if scope.lesson is not None:
        where, arg = "s.lesson_code = ?", scope.lesson.code
    else:
        where, arg = "l.group_key = name_key(?)", scope.group
    ids = [
        int(r[0])
        for r in store.db.execute(
            f"SELECT s.id FROM sessions s JOIN learners l ON l.id = s.learner_id "
            f"WHERE s.scenario_id = ? AND {where} ORDER BY s.id",
            (scenario_id, arg),
        )
    ]
    found = (store.session(i) for i in ids)
    return [r for r in found if r is not None]


def conversation_order(scenario: Scenario) -> list[str]:
    """Node ids in the order a conversation first reaches them (breadth first from the start),
    then any the start cannot reach, in the file's order."""
    seen = {scenario.start}
    order: list[str] = []
    queue = deque([scenario.start])
    while queue:
        nid = queue.popleft()
        order.append(nid)
        node = scenario.nodes.get(nid)
        if node is None:
            continue
        nexts = [node.next] if node.next else []
        nexts += [o.next for o in node.options if o.next]
        for n in nexts:
            if n not in seen and n in scenario.nodes:
                seen.add(n)
                queue.append(n)
    return order + [n for n in scenario.nodes if n not in seen]


def reply_quality(scenario: Scenario, option_id: str, behaviours: Mapping[str, Behaviour]) -> str:
    """strong, fair or poor as rated; good or poor by the behaviours shown; '' if neither."""
    option = scenario.option(option_id)
    if option is None:
        return ""
    if option.quality is not None:
        return option.quality
    score = strength(option, behaviours)
    return "good" if score > 0 else "poor" if score < 0 else ""


def discussion_prompt(point_replies: Sequence[ReplyCount], reached: int, customer: str) -> str:
    """A question for the class, from what it chose."""
    chosen = [r for r in point_replies if r.count]
    poor = [r for r in chosen if r.quality == "poor"]
    top = point_replies[0] if point_replies else None
    best_rank = {"strong": 3, "good": 3, "fair": 2}
    rank = max((best_rank.get(r.quality, 0) for r in point_replies), default=0)
    best_unchosen = [
        r for r in point_replies if rank and best_rank.get(r.quality, 0) == rank and not r.count
    ]
    if top is not None and top.quality == "poor" and 2 * top.count > reached:
        return (
            f"Most of you chose {top.letter}. How would {customer} feel hearing it? "
            "What would you say instead?"
        )
    if poor:
        n = sum(r.count for r in poor)
        return (
            f"{n} of {reached} chose a reply that makes things worse. What made it tempting? "
            "What would work better?"
        )
    if rank and all(best_rank.get(r.quality, 0) == rank for r in chosen):
        if len(chosen) == 1 and top is not None:
            return f"Everyone chose {top.letter}. What makes it work here?"
        return "Every reply the class chose was a strong one. What makes each work?"
    if best_unchosen:
        letters = [r.letter for r in best_unchosen]
        if len(letters) == 1:
            return f"Nobody chose {letters[0]}. What does it do that the others do not?"
        named = ", ".join(letters[:-1]) + f" or {letters[-1]}"
        return f"Nobody chose {named}. What do they do that the others do not?"
    if len(chosen) == 1 and top is not None:
        return f"Everyone chose {top.letter}. What makes it work here?"
    return f"The class was split. What would {customer} hear in each reply?"


def _first_choices(scenario: Scenario, record: SessionRecord) -> list[tuple[str, str, str]]:
    """(node, option, line heard there) for each node the session chose at, in order; raises
    EngineError when the stored choices do not replay."""
    played = replay(scenario, record.choices)
    heard: dict[str, str] = {}
    out = []
    for line in played.transcript:
        if line.speaker != LEARNER:
            heard[line.node] = line.text
        elif not line.auto and line.option:
            out.append((line.node, line.option, heard.get(line.node, "")))
    return out


def build_debrief(
    scenario: Scenario,
    records: Sequence[SessionRecord],
    scope: str,
    rubric: Rubric | None,
    behaviours: Mapping[str, Behaviour],
) -> Debrief:
    """Count each learner's first choice at each decision point, and the criteria achieved."""
    by_learner: dict[int, list[SessionRecord]] = {}
    left_out: list[str] = []
    firsts: dict[str, Counter[str]] = {}
    heard: dict[str, Counter[str]] = {}
    achieved: Counter[str] = Counter()
    judged: Counter[str] = Counter()
    replayed: dict[int, list[tuple[str, str, str]]] = {}
    # what the conversation shows; not what the learner wrote (P1, the review), judged elsewhere
    conversational = {c.code for c in rubric.criteria if c.assess == "session"} if rubric else set()
    counted = 0
    for record in sorted(records, key=lambda r: r.id):
        if record.scenario_id != scenario.id:
            continue
        if record.scenario_version != scenario.version:
            left_out.append(
                f"session {record.id}: played on version {record.scenario_version} of "
                f"'{scenario.id}', which is now version {scenario.version}"
            )
            continue
        try:
            choices = _first_choices(scenario, record)
        except EngineError as exc:
            left_out.append(f"session {record.id}: the stored choices no longer fit: {exc}")
            continue
        counted += 1
        by_learner.setdefault(record.learner.id, []).append(record)
        replayed[record.id] = choices
    for learner_records in by_learner.values():
        visited: set[str] = set()  # only each learner's first visit to a point counts
        for record in learner_records:
            for at, option, line in replayed[record.id]:
                if at in visited:
                    continue
                visited.add(at)
                firsts.setdefault(at, Counter())[option] += 1
                heard.setdefault(at, Counter())[line] += 1
        if rubric is not None:
            shown: dict[str, bool] = {}
            for record in learner_records:
                result = apply_decisions(
                    rubric,
                    score_session(
                        rubric,
                        scenario,
                        record.steps(),
                        record.responses,
                        outcome=record.outcome,
                        session_id=f"session {record.id}",
                    ),
                    record.decisions,
                )
                for code, verdict in result.criteria.items():
                    if code in conversational and verdict.status in ("achieved", "not_yet"):
                        shown[code] = shown.get(code, False) or verdict.status == "achieved"
            for code, done in shown.items():
                judged[code] += 1
                achieved[code] += done
    points = []
    for nid in conversation_order(scenario):
        chosen = firsts.get(nid)
        node = scenario.nodes.get(nid)
        if not chosen or node is None:
            continue
        reached = sum(chosen.values())
        offered = [o for o in node.options if not o.fallback]
        offered += [
            o for oid in chosen if (o := scenario.option(oid)) is not None and o not in offered
        ]
        ranked = sorted(enumerate(offered), key=lambda io: (-chosen.get(io[1].id, 0), io[0]))
        replies = tuple(
            ReplyCount(
                LETTERS[i % len(LETTERS)],
                o.id,
                o.say,
                chosen.get(o.id, 0),
                reply_quality(scenario, o.id, behaviours),
                o.feedback,
            )
            for i, (_, o) in enumerate(ranked)
        )
        lines = heard[nid].most_common()
        speaker = scenario.speaker_name(node.speaker)
        points.append(
            DecisionPoint(
                nid,
                speaker,
                lines[0][0],
                reached - lines[0][1],
                reached,
                replies,
                discussion_prompt(replies, reached, _customer(scenario, speaker)),
            )
        )
    criteria = []
    if rubric is not None:
        for c in rubric.criteria:
            if judged[c.code]:
                criteria.append(CriterionCount(c.code, c.text, achieved[c.code], judged[c.code]))
        order = {c.code: i for i, c in enumerate(rubric.criteria)}
        criteria.sort(key=lambda c: (c.achieved / c.judged, order[c.code]))
    return Debrief(
        scenario.id,
        scenario.title,
        scope,
        len(by_learner),
        counted,
        tuple(points),
        rubric.title if rubric is not None else "",
        tuple(criteria),
        tuple(left_out),
    )


def _customer(scenario: Scenario, speaker: str) -> str:
    """Who the class imagines hearing a reply: the speaker, or the customer at a narrator node."""
    if speaker == "Narrator":
        return scenario.context.customer.name or "the customer"
    return speaker


__all__ = [
    "CriterionCount",
    "Debrief",
    "DebriefError",
    "DecisionPoint",
    "ReplyCount",
    "build_debrief",
    "conversation_order",
    "discussion_prompt",
    "scope_label",
    "sessions_in_scope",
]
