"""Judging one session: rule kinds applied to the learner's lines and written responses."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from simulator.model import Criterion, Node, Option, Rubric, Scenario, SessionRule
from simulator.responses import LearnerResponses
from simulator.scoring.results import Evidence, Grade, SessionFacts, SessionResult, Verdict

CUSTOMER = "customer"
COLLEAGUE = "colleague"


@dataclass(frozen=True)
class Said:
    """One line the learner chose, with whom it was said to."""

    turn: int
    """1-based number of the choice."""
    node: Node
    """Where it was said."""
    option: Option
    """What was chosen."""


def addressee_matches(speaker: str, allowed: Sequence[str], scenario: Scenario) -> bool:
    """Return True if a line said at a node with ``speaker`` was said to someone ``allowed``."""
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


def _evidence(said: Said, behaviour: str) -> Evidence:
    return Evidence(
        said.turn, said.node.id, said.option.id, said.option.say, behaviour, said.node.speaker
    )


def _label(behaviours: Sequence[str]) -> str:
    return ", ".join(b.replace("_", " ") for b in behaviours)


def coverable(rule: SessionRule, scenario: Scenario) -> list[Option]:
    """Return the learner's options that could evidence the rule (ignoring order and blocks).

    The criterion is coverable when these options can together satisfy the rule's ``all``,
    ``any`` and ``distinct`` demands. Fallback options are left out: the engine takes them by
    itself, so they are never evidence.
    """
    found = []
    offered: set[str] = set()
    for node in scenario.nodes.values():
        if not addressee_matches(node.speaker, rule.to, scenario):
            continue
        for option in node.options:
            if option.fallback:  # taken automatically, never by the learner: never evidence
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


def judge_rule(criterion: Criterion, lines: Sequence[Said], scenario: Scenario) -> Verdict:
    """K01: judge a session criterion from the learner's lines."""
    rule = criterion.rule
    assert rule is not None, "session criteria always have a rule (the loader checks)"
    code = criterion.code
    wanted = set(rule.behaviours)
    concerns = tuple(
        _evidence(s, b) for s in lines for b in s.option.shows if b in rule.weakened_by
    )

    def verdict(
        status: str, reason: str | None, detail: str, **kw: tuple[Evidence, ...]
    ) -> Verdict:
        feedback = (
            criterion.feedback_achieved if status == "achieved" else criterion.feedback_not_yet
        )
        return Verdict(code, status, reason, detail, feedback=feedback, **kw)  # type: ignore[arg-type]

    if not coverable(rule, scenario):
        return verdict(
            "not_covered",
            "not_covered",
            f"this scenario has no option that shows {_label(rule.behaviours)}"
            + (f" to {_describe_to(rule.to)}" if rule.to else ""),
        )
    ruling_out = [s for s in lines if set(rule.ruled_out_by) & set(s.option.shows)]
    if ruling_out:
        first = ruling_out[0]
        ruled = tuple(_evidence(first, b) for b in first.option.shows if b in rule.ruled_out_by)
        return verdict(
            "not_yet",
            "ruled_out",
            f"turn {first.turn} ({_label([e.behaviour for e in ruled])}) rules it out for this "
            "session, whatever came after",
            evidence=tuple(_evidence(s, b) for s in lines for b in s.option.shows if b in wanted),
            concerns=ruled,
        )
    shown = [s for s in lines if wanted & set(s.option.shows)]
    if not shown:
        return verdict("not_yet", "missing", f"no line showed {_label(rule.behaviours)}")
    to_ok = [s for s in shown if addressee_matches(s.node.speaker, rule.to, scenario)]
    if not to_ok:
        return verdict(
            "not_yet",
            "speaker",
            f"you showed {_label(sorted(wanted & set(shown[0].option.shows)))}, but not to "
            f"{_describe_to(rule.to)}",
            evidence=tuple(_evidence(s, b) for s in shown for b in s.option.shows if b in wanted),
        )
    if rule.after:
        first_after = next(
            (i for i, s in enumerate(lines) if set(rule.after) & set(s.option.shows)), None
        )
        ordered = [
            s for s in to_ok if first_after is not None and s.turn >= lines[first_after].turn
        ]
        if not ordered:
            return verdict(
                "not_yet",
                "order",
                f"{_label(sorted(wanted))} only counts after {_label(rule.after)}"
                + ("" if first_after is not None else ", which this session never showed"),
                evidence=tuple(
                    _evidence(s, b) for s in to_ok for b in s.option.shows if b in wanted
                ),
            )
        to_ok = ordered
    blockers = [s for s in lines if set(rule.blocked_by) & set(s.option.shows)]
    if blockers:
        last = blockers[-1]
        surviving = [s for s in to_ok if s.turn > last.turn]
        if not surviving:
            blocking = tuple(_evidence(last, b) for b in last.option.shows if b in rule.blocked_by)
            itself = any(s.turn == last.turn for s in to_ok)
            return verdict(
                "not_yet",
                "blocked",
                f"turn {last.turn} showed {_label([e.behaviour for e in blocking])}, which "
                + ("cancels that line's own evidence" if itself else "undid the evidence before it")
                + ", and it was not shown again afterwards",
                evidence=tuple(
                    _evidence(s, b) for s in to_ok for b in s.option.shows if b in wanted
                ),
                concerns=blocking,
            )
        to_ok = surviving
    cited = tuple(_evidence(s, b) for s in to_ok for b in s.option.shows if b in wanted)
    shown_ids = {e.behaviour for e in cited}
    if rule.all and not set(rule.all) <= shown_ids:
        missing = [b for b in rule.all if b not in shown_ids]
        return verdict(
            "not_yet",
            "missing",
            f"still to show: {_label(missing)}",
            evidence=cited,
            concerns=concerns,
        )
    if len(to_ok) < rule.min:
        return verdict(
            "not_yet",
            "too_few",
            f"{len(to_ok)} qualifying line(s); at least {rule.min} needed",
            evidence=cited,
            concerns=concerns,
        )
    if rule.distinct and len(shown_ids) < rule.distinct:
        return verdict(
            "not_yet",
            "too_few",
            f"{len(shown_ids)} different technique(s) shown ({_label(sorted(shown_ids))}); at least "
            f"{rule.distinct} needed",
            evidence=cited,
            concerns=concerns,
        )
    detail = f"shown in {len(to_ok)} line(s)"
    if concerns:
        detail += f", though {len(concerns)} line(s) weakened it"
    return verdict("achieved", None, detail, evidence=cited, concerns=concerns)


def judge_cause_assessment(
    criterion: Criterion, responses: LearnerResponses, scenario: Scenario
) -> Verdict:
    """K02: the learner named the issue and what makes this customer challenging."""
    code = criterion.code
    c = responses.cause_assessment
    if c is None:
        return Verdict(code, "not_yet", "missing", "no cause assessment was written",
                       feedback=criterion.feedback_not_yet)  # fmt: skip
    ctx = scenario.context
    problems = []
    if c.issue != ctx.issue:
        named = (c.issue or "nothing").replace("_", " ")
        problems.append(f"the issue is {ctx.issue.replace('_', ' ')}, not {named}")
    actual = set(ctx.customer.indicators) | set(ctx.customer.characteristics)
    named_traits = set(c.indicators) | set(c.characteristics)
    right = sorted(named_traits & actual)
    if not right:
        problems.append(
            "none of the characteristics or indicators named is this customer's "
            f"({_label(sorted(actual))})"
        )
    if problems:
        return Verdict(code, "not_yet", "mismatch", "; ".join(problems),
                       feedback=criterion.feedback_not_yet)  # fmt: skip
    return Verdict(
        code, "achieved", None,
        f"named the issue ({ctx.issue.replace('_', ' ')}) and {_label(right)}",
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
    criterion: Criterion, lines: Sequence[Said], responses: LearnerResponses, scenario: Scenario
) -> Verdict:
    """Judge one criterion in one session, by its rule kind."""
    if criterion.assess == "session":
        return judge_rule(criterion, lines, scenario)
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


def session_grade(rubric: Rubric, verdicts: dict[str, Verdict]) -> Grade:
    """Grade a session over its session criteria only; never claim what it could not show."""
    session = rubric.session_criteria
    over = tuple(c.code for c in session)
    not_covered = tuple(c.code for c in session if verdicts[c.code].status == "not_covered")
    achieved = {c.code for c in session if verdicts[c.code].status == "achieved"}
    coverable_codes = {c.code for c in session} - set(not_covered)
    value, ceiling = (
        grade_for(rubric, session, achieved),
        grade_for(rubric, session, coverable_codes),
    )
    return Grade(value, grade_label(rubric, value), over, not_covered, ceiling)


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
        label = {"not_yet": "Not yet", "competent": "Competent", "pass": "Pass"}.get(value, value)
    if rubric.practice_only and value != "not_yet":
        label += " (practice only: simulation is not evidence for this unit)"
    return label


def learner_lines(scenario: Scenario, steps: Sequence[tuple[str, str, bool]]) -> list[Said]:
    """Return the learner's own choices from (node, option, auto) steps; automatic ones excluded."""
    out = []
    for turn, (node_id, option_id, auto) in enumerate(steps, 1):
        option = scenario.option(option_id)
        if auto or option is None or node_id not in scenario.nodes:
            continue
        out.append(Said(turn, scenario.nodes[node_id], option))
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
    verdicts = {c.code: judge(c, lines, answers, scenario) for c in rubric.criteria}
    shown = tuple(dict.fromkeys(b for s in lines for b in s.option.shows))
    ctx = scenario.context
    facts = SessionFacts(
        session_id or scenario.id, scenario.id, ctx.issue, ctx.problem_source, ctx.channel, shown
    )
    return SessionResult(
        rubric.id, rubric.version, scenario.id, scenario.version, outcome is not None, outcome,
        verdicts, session_grade(rubric, verdicts), facts,
    )  # fmt: skip
