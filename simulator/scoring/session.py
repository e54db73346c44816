"""Judging one session: rule kinds applied to the learner's lines and written responses."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace

from simulator.decisions import TutorDecision
from simulator.engine import EngineError, Session
from simulator.model import Criterion, Node, Option, Rubric, Scenario, SessionRule
from simulator.responses import LearnerResponses
from simulator.scoring.results import (
    CriticalError,
    Evidence,
    Grade,
    SessionFacts,
    SessionResult,
    Verdict,
)

CUSTOMER = "customer"
COLLEAGUE = "colleague"


@dataclass(frozen=True)
class Said:
    """One line the learner chose, with what it showed where it was said and to whom."""

    turn: int
    """1-based number of the choice."""
    node: Node
    """Where it was said."""
    option: Option
    """What was chosen."""
    shows: tuple[str, ...] = ()
    """What the line showed in the state it was said in (its ``shows`` variant)."""
    to: str = ""
    """Whom it was said to: the option's ``to``, else the node's speaker."""

    @property
    def counts(self) -> tuple[str, ...]:
        """The behaviours that count as evidence: none for a line the author rated poor."""
        return () if self.option.quality == "poor" else self.shows


def said(turn: int, node: Node, option: Option, shows: tuple[str, ...] | None = None) -> Said:
    """Return the line as said at ``node`` (its default ``shows`` unless given)."""
    if shows is None:
        shows = option.shows_variants[-1].shows if option.shows_variants else option.shows
    return Said(turn, node, option, shows, option.addressee(node.speaker))


def addressee_matches(speaker: str, allowed: Sequence[str], scenario: Scenario) -> bool:
    """Return True if a line said to ``speaker`` was said to someone ``allowed``."""
    if not allowed:
        return True
    for who in allowed:
        if who == CUSTOMER and speaker == CUSTOMER:
            return True
        if who == COLLEAGUE and speaker in scenario.cast and speaker != CUSTOMER:
            return True
        if who == speaker:
            return True
    return False


def _describe_to(allowed: Sequence[str]) -> str:
    names = {CUSTOMER: "the customer", COLLEAGUE: "a colleague or supervisor"}
    return " or ".join(names.get(a, a) for a in allowed)


def _evidence(line: Said, behaviour: str) -> Evidence:
    return Evidence(line.turn, line.node.id, line.option.id, line.option.say, behaviour, line.to)


def _label(behaviours: Sequence[str]) -> str:
    """Behaviours as a learner reads them ("explains the need to an appropriate person"): the
    vocabulary's labels, else the ids in words."""
    from simulator.lint import bundled_behaviours  # lint imports scoring for its search checks

    known = bundled_behaviours()

    def word(b: str) -> str:
        label = known[b].label if b in known else b.replace("_", " ")
        return label[:1].lower() + label[1:]

    return ", ".join(word(b) for b in behaviours)


def _outcome_label(outcomes: Sequence[str]) -> str:
    return " or ".join(o.replace("_", " ") for o in outcomes)


def coverable(rule: SessionRule, scenario: Scenario) -> list[Option]:
    """Return the learner's options that could evidence the rule (ignoring order and blocks).

    The criterion is coverable when these options can together satisfy the rule's ``all``,
    ``any`` and ``distinct`` demands. Fallback options are left out: the engine takes them by
    itself, so they are never evidence; so are options the author rated poor.
    """
    found = []
    offered: set[str] = set()
    for node in scenario.nodes.values():
        for option in node.options:
            if option.fallback or option.quality == "poor":
                continue
            if not addressee_matches(option.addressee(node.speaker), rule.to, scenario):
                continue
            hits = set(option.shows) & set(rule.behaviours)
            if hits:
                found.append(option)
                offered |= hits
    if rule.all and not set(rule.all) <= offered:
        return []
    if rule.distinct and len(offered) < rule.distinct:
        return []
    return found


def judge_rule(
    criterion: Criterion, lines: Sequence[Said], scenario: Scenario, outcome: str | None = None
) -> Verdict:
    """K01: judge a session criterion from the learner's lines (and how the session ended)."""
    rule = criterion.rule
    assert rule is not None, "session criteria always have a rule (the loader checks)"
    code = criterion.code
    wanted = set(rule.behaviours)
    worrying = set(rule.weakened_by) | set(rule.blocked_by) | set(rule.ruled_out_by)
    concerns = tuple(_evidence(s, b) for s in lines for b in s.shows if b in worrying)

    def verdict(
        status: str, reason: str | None, detail: str, **kw: tuple[Evidence, ...]
    ) -> Verdict:
        feedback = (
            criterion.feedback_achieved if status == "achieved" else criterion.feedback_not_yet
        )
        kw.setdefault("concerns", concerns)
        return Verdict(code, status, reason, detail, feedback=feedback, **kw)  # type: ignore[arg-type]

    def cite(qualifying: Sequence[Said]) -> tuple[Evidence, ...]:
        return tuple(_evidence(s, b) for s in qualifying for b in s.counts if b in wanted)

    if not coverable(rule, scenario):
        return verdict(
            "not_covered",
            "not_covered",
            f"this scenario has no option that shows {_label(rule.behaviours)}"
            + (f" to {_describe_to(rule.to)}" if rule.to else ""),
            concerns=(),
        )
    ruling_out = [s for s in lines if set(rule.ruled_out_by) & set(s.shows)]
    if ruling_out:
        first = ruling_out[0]
        ruled = [b for b in first.shows if b in rule.ruled_out_by]
        return verdict(
            "not_yet",
            "ruled_out",
            f"turn {first.turn} ({_label(ruled)}) rules it out for this session, whatever came "
            "after",
            evidence=cite(lines),
        )
    shown = [s for s in lines if wanted & set(s.counts)]
    if not shown:
        # offered at a point the learner reached? If not, the session never got that far
        offered = any(wanted & set(o.shows) for s in lines for o in s.node.options)
        if offered:
            missed = f"none of your replies showed this: {_label(rule.behaviours)}"
        elif outcome is None:
            missed = "the conversation has not reached this part yet"
        else:
            missed = (
                "you didn't reach this part: the conversation ended before you could show "
                f"this ({_label(rule.behaviours)})"
            )
        return verdict("not_yet", "missing", missed)
    to_ok = [s for s in shown if addressee_matches(s.to, rule.to, scenario)]
    if not to_ok:
        return verdict(
            "not_yet",
            "speaker",
            f"you showed {_label(sorted(wanted & set(shown[0].counts)))}, but not to "
            f"{_describe_to(rule.to)}",
            evidence=cite(shown),
        )
    if rule.after:
        # a line qualifies once every `after` behaviour was shown on an earlier line
        seen: set[str] = set()
        ready_from: int | None = None
        for s in lines:
            if ready_from is None and set(rule.after) <= seen:
                ready_from = s.turn
            seen |= set(s.counts)
        ordered = [s for s in to_ok if ready_from is not None and s.turn >= ready_from]
        if not ordered:
            never = [b for b in rule.after if b not in seen]
            return verdict(
                "not_yet",
                "order",
                f"{_label(sorted(wanted))} only counts on a line after {_label(rule.after)}"
                + (
                    f", and this session never showed {_label(never)}"
                    if never
                    else ", never on the same line or before"
                ),
                evidence=cite(to_ok),
            )
        to_ok = ordered
    blockers = [s for s in lines if set(rule.blocked_by) & set(s.shows)]
    if blockers:
        last = blockers[-1]
        surviving = [s for s in to_ok if s.turn > last.turn]
        if not surviving:
            blocking = [b for b in last.shows if b in rule.blocked_by]
            itself = any(s.turn == last.turn for s in to_ok)
            return verdict(
                "not_yet",
                "blocked",
                f"turn {last.turn} showed {_label(blocking)}, which "
                + ("cancels that line's own evidence" if itself else "undid the evidence before it")
                + ", and it was not shown again afterwards",
                evidence=cite(to_ok),
            )
        to_ok = surviving
    cited = cite(to_ok)
    shown_ids = {e.behaviour for e in cited}
    if rule.all and not set(rule.all) <= shown_ids:
        missing = [b for b in rule.all if b not in shown_ids]
        return verdict("not_yet", "missing", f"still to show: {_label(missing)}", evidence=cited)
    if len(to_ok) < rule.min:
        return verdict(
            "not_yet",
            "too_few",
            f"{_replies(len(to_ok))} counted; at least {rule.min} needed",
            evidence=cited,
        )
    if rule.distinct and len(shown_ids) < rule.distinct:
        return verdict(
            "not_yet",
            "too_few",
            f"{len(shown_ids)} different technique(s) shown ({_label(sorted(shown_ids))}); at least "
            f"{rule.distinct} needed",
            evidence=cited,
        )
    if rule.outcomes and outcome not in rule.outcomes:
        return verdict(
            "not_yet",
            "outcome" if outcome is not None else "unfinished",
            (
                f"the conversation ended {outcome.replace('_', ' ')}; this needs it to end "
                f"{_outcome_label(rule.outcomes)}"
                if outcome is not None
                else f"the conversation has not ended; this needs it to end "
                f"{_outcome_label(rule.outcomes)}"
            ),
            evidence=cited,
        )
    detail = f"shown in {_replies(len(to_ok))}"
    if concerns:
        detail += f", with {len(concerns)} concern{'s' if len(concerns) != 1 else ''}"
    if criterion.tutor_confirms:
        return Verdict(
            code, "needs_tutor", "tutor",
            f"supporting evidence in {_replies(len(to_ok))}; your tutor judges this criterion",
            cited, concerns, criterion.feedback_achieved,
        )  # fmt: skip
    return verdict("achieved", None, detail, evidence=cited)


def _replies(count: int) -> str:
    """A count of the learner's replies in words ("1 reply", "3 replies")."""
    return f"{count} {'reply' if count == 1 else 'replies'}"


def critical_errors(rubric: Rubric, lines: Sequence[Said]) -> tuple[CriticalError, ...]:
    """K07: every critical error the learner's lines showed, and the later line that corrected it.

    A line showing a critical behaviour opens an error; a later line whose ``corrects`` names that
    behaviour closes every open error of it. An error made again after a correction is open
    again.
    """
    found: list[CriticalError] = []
    critical = set(rubric.critical)
    for line in lines:
        for behaviour in line.option.corrects:
            for i, error in enumerate(found):
                if error.behaviour == behaviour and error.corrected_by is None:
                    found[i] = replace(error, corrected_by=_evidence(line, behaviour))
        for behaviour in line.shows:
            if behaviour in critical:
                found.append(CriticalError(behaviour, _evidence(line, behaviour)))
    return tuple(found)


def judge_cause_assessment(
    criterion: Criterion, responses: LearnerResponses, scenario: Scenario
) -> Verdict:
    """K02: the learner's own assessment of the issue and what makes this customer challenging.

    The picks must name the issue rightly and at least one of this customer's *indicators*
    (characteristics such as "external" describe a customer, they are not what makes one
    challenging); wrong picks may not outnumber right ones; and the learner must have written,
    in their own words, what the issue is and what makes the customer challenging. Then the
    written assessment goes to the tutor, who confirms it.
    """
    code = criterion.code
    c = responses.cause_assessment
    if c is None:
        return Verdict(code, "not_yet", "missing", "no cause assessment was written",
                       feedback=criterion.feedback_not_yet)  # fmt: skip
    ctx = scenario.context
    problems = []
    if c.issue is None:
        problems.append("no issue was chosen")
    elif c.issue != ctx.issue:
        problems.append(f"the issue is not {c.issue.replace('_', ' ')}")
    actual = set(ctx.customer.indicators) | set(ctx.customer.characteristics)
    named_traits = set(c.indicators) | set(c.characteristics)
    right = sorted(named_traits & actual)
    wrong = sorted(named_traits - actual)
    if not c.indicators:
        problems.append(
            "no indicator (angry, confused, ...) was named; a characteristic such as external "
            "or age alone is not what makes a customer challenging"
        )
    elif not set(c.indicators) & set(ctx.customer.indicators):
        problems.append(
            "none of the indicators named (angry, confused, ...) is this customer's; a "
            "characteristic such as external or age alone is not what makes them challenging"
        )
    if len(wrong) > len(right):
        problems.append(
            f"more of what you picked is wrong ({len(wrong)}) than right ({len(right)}): pick "
            "only what you can see in this customer"
        )
    unwritten = [
        part
        for part, text in (
            ("what the issue is", c.issue_words),
            ("what makes this customer challenging", c.challenge_words),
        )
        if not text.strip()
    ]
    if unwritten:
        problems.append(f"still to write in your own words: {' and '.join(unwritten)}")
    if problems:
        return Verdict(code, "not_yet", "mismatch", "; ".join(problems),
                       feedback=criterion.feedback_not_yet)  # fmt: skip
    return Verdict(
        code, "needs_tutor", "tutor",
        f"named the issue and {_label(right)}, and wrote an assessment; your tutor reads it "
        "and confirms it",
        feedback=criterion.feedback_achieved,
    )  # fmt: skip


def judge_review(criterion: Criterion, responses: LearnerResponses) -> Verdict:
    """K03: a review with every part written goes to the tutor."""
    review = responses.review
    missing = (
        ["strengths", "weaknesses", "challenges", "improvements"]
        if review is None
        else review.missing()
    )
    if missing:
        return Verdict(criterion.code, "not_yet", "missing", f"still to write: {', '.join(missing)}",
                       feedback=criterion.feedback_not_yet)  # fmt: skip
    return Verdict(criterion.code, "needs_tutor", "tutor",
                   "review written; your tutor confirms whether it meets the criterion",
                   feedback=criterion.feedback_achieved)  # fmt: skip


def judge_learning_plan(criterion: Criterion, responses: LearnerResponses) -> Verdict:
    """K04: a plan with at least one complete entry goes to the tutor."""
    complete = [e for e in responses.learning_plan if e.complete]
    if not complete:
        return Verdict(
            criterion.code, "not_yet", "missing",
            "no complete learning activity yet (activity, criterion and target date)",
            feedback=criterion.feedback_not_yet,
        )  # fmt: skip
    return Verdict(criterion.code, "needs_tutor", "tutor",
                   f"{len(complete)} learning activit{'y' if len(complete) == 1 else 'ies'} planned; "
                   "your tutor confirms the schedule", feedback=criterion.feedback_achieved)  # fmt: skip


def judge(
    criterion: Criterion,
    lines: Sequence[Said],
    responses: LearnerResponses,
    scenario: Scenario,
    outcome: str | None = None,
) -> Verdict:
    """Judge one criterion in one session, by its rule kind."""
    if criterion.assess == "session":
        return judge_rule(criterion, lines, scenario, outcome)
    if criterion.assess == "learner_response":
        by_response: dict[str | None, Callable[[], Verdict]] = {
            "cause_assessment": lambda: judge_cause_assessment(criterion, responses, scenario),
            "review": lambda: judge_review(criterion, responses),
            "learning_plan": lambda: judge_learning_plan(criterion, responses),
        }
        return by_response[criterion.response]()
    if criterion.assess == "portfolio":
        return Verdict(criterion.code, "not_covered", "portfolio",
                       "judged across your sessions, not in one")  # fmt: skip
    return Verdict(
        criterion.code, "needs_tutor", "tutor",
        criterion.guidance or "judged by your tutor, outside the simulator",
    )  # fmt: skip


IN_PROGRESS = "in_progress"
"""The grade of a session that has not ended: none yet."""


def session_grade(
    rubric: Rubric,
    verdicts: dict[str, Verdict],
    errors: Sequence[CriticalError] = (),
    finished: bool = True,
) -> Grade:
    """Grade a session over its session criteria only; never claim what it could not show.

    An unfinished session has no grade (``in_progress``). A critical error that was not put
    right rules out every grade, whatever the criteria show.
    """
    session = rubric.session_criteria
    over = tuple(c.code for c in session)
    not_covered = tuple(c.code for c in session if verdicts[c.code].status == "not_covered")
    achieved = {c.code for c in session if verdicts[c.code].status == "achieved"}
    coverable_codes = {c.code for c in session} - set(not_covered)
    ceiling = grade_for(rubric, session, coverable_codes)
    awaiting = tuple(c.code for c in session if verdicts[c.code].status == "needs_tutor")
    open_errors = tuple(dict.fromkeys(e.behaviour for e in errors if e.corrected_by is None))
    if not finished:
        value = IN_PROGRESS
    elif open_errors:
        value = "not_yet"
    else:
        value = grade_for(rubric, session, achieved)
    confirmed = (
        grade_for(rubric, session, achieved | set(awaiting))
        if awaiting and value == grade_for(rubric, session, achieved)
        else None
    )
    return Grade(
        value, grade_label(rubric, value), over, not_covered, ceiling, awaiting_tutor=awaiting,
        if_confirmed=confirmed, ruled_out_by=open_errors,
    )  # fmt: skip


def grade_for(rubric: Rubric, criteria: Sequence[Criterion], achieved: set[str]) -> str:
    """Return the grade value earned when ``achieved`` are the criteria achieved among ``criteria``."""
    if rubric.grading == "banded":
        best = "not_yet"
        for band in rubric.bands:
            upto = {b.id for b in rubric.bands[: rubric.bands.index(band) + 1]}
            needed = [c.code for c in criteria if c.band in upto]
            if needed and all(code in achieved for code in needed):
                best = band.id
            else:
                break
        return best
    everything = bool(criteria) and all(c.code in achieved for c in criteria)
    if not everything:
        return "not_yet"
    return "competent" if rubric.grading == "competence" else "pass"


def grade_label(rubric: Rubric, value: str) -> str:
    """Return the display label of a grade value (marked as practice for practice-only rubrics)."""
    label = next((band.label for band in rubric.bands if band.id == value), None)
    if label is None:
        label = {
            "not_yet": "Not yet", "competent": "Competent", "pass": "Pass",
            IN_PROGRESS: "In progress",
        }.get(value, value)  # fmt: skip
    if rubric.practice_only and value not in ("not_yet", IN_PROGRESS):
        label += " (practice only: simulation is not evidence for this unit)"
    return label


def learner_lines(scenario: Scenario, steps: Sequence[tuple[str, str, bool]]) -> list[Said]:
    """Return the learner's own choices from (node, option, auto) steps; automatic ones excluded.

    The choices are replayed through the engine so that each line's ``shows`` variant is the one
    that held when it was said. Steps the engine cannot replay (a scenario changed since) keep
    their default ``shows``.
    """
    out = []
    session: Session | None = Session.start(scenario)
    for turn, (node_id, option_id, auto) in enumerate(steps, 1):
        option = scenario.option(option_id)
        if option is None or node_id not in scenario.nodes:
            session = None
            continue
        node = scenario.nodes[node_id]
        shows = None
        if session is not None and not auto and session.node_id == node_id:
            shows = session.shows(option)
        if not auto:
            out.append(said(turn, node, option, shows))
            if session is not None:
                try:
                    session.choose(option_id)
                except EngineError:
                    session = None
    return out


def score_session(
    rubric: Rubric,
    scenario: Scenario,
    steps: Sequence[tuple[str, str, bool]],
    responses: LearnerResponses | None = None,
    *,
    outcome: str | None = None,
    session_id: str = "",
) -> SessionResult:
    """Judge a finished or partial session against a rubric."""
    lines = learner_lines(scenario, steps)
    answers = responses or LearnerResponses()
    verdicts = {c.code: judge(c, lines, answers, scenario, outcome) for c in rubric.criteria}
    errors = critical_errors(rubric, lines)
    shown = tuple(dict.fromkeys(b for s in lines for b in s.counts))
    ctx = scenario.context
    facts = SessionFacts(
        session_id or scenario.id, scenario.id, ctx.issue, ctx.problem_source, ctx.channel, shown
    )
    finished = outcome is not None
    return SessionResult(
        rubric.id, rubric.version, scenario.id, scenario.version, finished, outcome,
        verdicts, session_grade(rubric, verdicts, errors, finished), facts, errors,
    )  # fmt: skip


def apply_decisions(
    rubric: Rubric, result: SessionResult, decisions: Sequence[TutorDecision]
) -> SessionResult:
    """Return ``result`` with each tutor's decision in place of the verdict on its criterion.

    The decision replaces the status (the simulator's evidence and concerns stay, for the
    record), and the session grade is worked out again from the decided verdicts. A decision on
    a code the rubric does not have is ignored. A critical error still rules out the grade: a
    tutor decides on criteria, not on whether the session's errors happened.
    """
    if not decisions:
        return result
    by_code = {d.code: d for d in decisions}
    if not by_code.keys() & result.criteria.keys():
        return result
    verdicts = dict(result.criteria)
    for code, d in by_code.items():
        old = verdicts.get(code)
        if old is None:
            continue
        criterion = rubric.criterion(code)
        feedback = ""
        if criterion is not None:
            feedback = (
                criterion.feedback_achieved
                if d.verdict == "achieved"
                else criterion.feedback_not_yet
            )
        verdicts[code] = Verdict(
            code, d.verdict, "tutor_decision",
            f"your tutor {d.by} decided {d.verdict.replace('_', ' ')} on {d.at[:10]}"
            + (f": {d.note}" if d.note else ""),
            old.evidence, old.concerns, feedback, decision=d,
        )  # fmt: skip
    grade = session_grade(rubric, verdicts, result.critical, result.finished)
    return replace(result, criteria=verdicts, grade=grade)
