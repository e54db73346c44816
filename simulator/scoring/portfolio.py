"""A learner's sessions combined into a unit-level view, with what is still missing."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

from simulator.model import Criterion, PortfolioRule, Rubric
from simulator.scoring.results import (
    Consistency,
    Evidence,
    Grade,
    PortfolioResult,
    SessionResult,
    Verdict,
)
from simulator.scoring.session import grade_for, grade_label

_RANK = {"achieved": 3, "needs_tutor": 2, "not_yet": 1, "not_covered": 0}


def _field(result: SessionResult, name: str) -> str | None:
    facts = result.facts
    return {
        "scenario": facts.scenario,
        "issue": facts.issue,
        "problem_source": facts.problem_source,
        "channel": facts.channel,
    }.get(name)


def _tagged(result: SessionResult, evidence: Sequence[Evidence]) -> tuple[Evidence, ...]:
    return tuple(
        Evidence(e.turn, e.node, e.option, e.line, e.behaviour, e.to, result.facts.session)
        for e in evidence
    )


def _gaps(
    rule: PortfolioRule, counted: Sequence[SessionResult], results: Sequence[SessionResult]
) -> list[str]:
    """What the counted sessions still lack for the rule (nothing: it is met)."""
    gaps = []
    if rule.distinct:
        values = {v for r in counted if (v := _field(r, rule.distinct)) is not None}
        if len(values) < rule.min:
            gaps.append(
                f"{len(values)} different {rule.distinct.replace('_', ' ')}(s) so far; "
                f"{rule.min} needed"
            )
    if rule.values and rule.of:
        seen = {_field(r, rule.of) for r in counted}
        missing = [v for v in rule.values if v not in seen]
        if missing:
            gaps.append(f"no session yet with {rule.of.replace('_', ' ')}: {', '.join(missing)}")
    if rule.behaviours and not any(set(rule.behaviours) & set(r.facts.behaviours) for r in counted):
        gaps.append(
            f"no session yet shows {', '.join(b.replace('_', ' ') for b in rule.behaviours)}"
        )
    if (
        not (rule.distinct or rule.values or rule.behaviours or rule.each_session)
        and len(counted) < rule.min
    ):
        gaps.append(f"{len(counted)} qualifying session(s); {rule.min} needed")
    if rule.each_session:
        short = [r.facts.session for r in results if r not in counted]
        if short:
            gaps.append(
                f"needed on each occasion, and still to do for {len(short)} of "
                f"{len(results)} session(s): {', '.join(short)}"
            )
    return gaps


def judge_portfolio_rule(
    criterion: Criterion, rule: PortfolioRule, results: Sequence[SessionResult]
) -> Verdict:
    """K05: judge a criterion or requirement across sessions.

    Only sessions that achieved the rule's ``criteria`` count. A criterion that is also judged in
    each session (a cause assessment in two situations) counts only the sessions where it was
    itself achieved or sent to the tutor.
    """
    own = criterion.assess in ("session", "learner_response")

    def counts(r: SessionResult, pending: bool) -> bool:
        ok = ("achieved", "needs_tutor") if pending else ("achieved",)
        return all(
            r.criteria.get(c) is not None
            and (r.criteria[c].status == "achieved"
                 or (c == criterion.code and r.criteria[c].status in ok))
            for c in rule.criteria
        ) and (not own or (criterion.code in r.criteria
                           and r.criteria[criterion.code].status in ok))  # fmt: skip

    counted = [r for r in results if counts(r, pending=True)]
    gaps = _gaps(rule, counted, results)
    if gaps:
        return Verdict(criterion.code, "not_yet", "portfolio", "; ".join(gaps),
                       feedback=criterion.feedback_not_yet)  # fmt: skip
    if own and _gaps(rule, [r for r in counted if counts(r, pending=False)], results):
        # met only with sessions whose own verdict still waits for the tutor
        waiting = [r.facts.session for r in counted if not counts(r, pending=False)]
        return Verdict(
            criterion.code, "needs_tutor", "tutor",
            f"enough sessions, once your tutor confirms: {', '.join(waiting)}",
            feedback=criterion.feedback_not_yet,
        )  # fmt: skip
    contributing = [
        r for r in counted
        if (not (rule.values and rule.of) or _field(r, rule.of) in rule.values)
        and (not rule.behaviours or set(rule.behaviours) & set(r.facts.behaviours))
    ]  # fmt: skip
    names = ", ".join(r.facts.session for r in contributing)
    return Verdict(criterion.code, "achieved", None, f"shown in sessions: {names}",
                   feedback=criterion.feedback_achieved)  # fmt: skip


def _best_session_verdict(criterion: Criterion, results: Sequence[SessionResult]) -> Verdict:
    """The best verdict of the sessions; one ruled out by a critical error is never evidence.

    The first session with the best status gives the verdict; the first achievement that no
    critical error rules out ends the search (nothing ranks higher).
    """
    code, own = criterion.code, criterion.assess == "session"
    best: tuple[SessionResult, Verdict] | None = None
    best_rank = -1
    for r in results:
        v = r.criteria.get(code)
        if v is None:
            continue
        if v.status == "achieved" and own and r.open_errors:
            v = Verdict(
                v.code, "not_yet", "ruled_out",
                "achieved, but the session had a critical error that was not put right",
                v.evidence, v.concerns, criterion.feedback_not_yet,
            )  # fmt: skip
        rank = _RANK[v.status]
        if rank > best_rank:
            best, best_rank = (r, v), rank
            if rank == _RANK["achieved"]:
                break
    if best is None:
        return Verdict(criterion.code, "not_yet", "missing", "never attempted",
                       feedback=criterion.feedback_not_yet)  # fmt: skip
    result, v = best
    if v.status == "not_covered":
        return Verdict(criterion.code, "not_yet", "missing",
                       "none of these sessions' scenarios could show it yet",
                       feedback=criterion.feedback_not_yet)  # fmt: skip
    return Verdict(
        v.code, v.status, v.reason, f"{result.facts.session}: {v.detail}",
        _tagged(result, v.evidence), _tagged(result, v.concerns), v.feedback, v.decision,
    )  # fmt: skip


def consistency(criterion: Criterion, results: Sequence[SessionResult]) -> Consistency:
    """How many of the sessions that could show a criterion achieved it, and the latest's status.

    Sessions are in the order they were played. A session whose scenario cannot show the
    criterion does not count; an achievement in a session ruled out by a critical error does not
    count as achieved (its status reads ``not_yet``).
    """
    code, own = criterion.code, criterion.assess == "session"
    could = achieved = 0
    latest: SessionResult | None = None
    status: str | None = None
    for r in results:
        v = r.criteria.get(code)
        if v is None or v.status == "not_covered":
            continue
        could += 1
        latest, status = r, v.status
        if status == "achieved":
            if own and r.open_errors:
                status = "not_yet"
            else:
                achieved += 1
    return Consistency(achieved, could, status, latest.facts.session if latest else None)


def combine(rubric: Rubric, results: Sequence[SessionResult]) -> PortfolioResult:
    """Combine session results (same rubric) into the unit-level view."""
    mine = [r for r in results if r.rubric == rubric.id]
    criteria: dict[str, Verdict] = {}
    for criterion in rubric.criteria:
        if criterion.assess == "tutor":
            criteria[criterion.code] = Verdict(
                criterion.code, "needs_tutor", "tutor",
                criterion.guidance or "judged by your tutor, outside the simulator",
            )  # fmt: skip
            continue
        verdict = (
            _best_session_verdict(criterion, mine) if criterion.assess != "portfolio" else None
        )
        if criterion.portfolio is not None and (verdict is None or verdict.status != "not_yet"):
            across = judge_portfolio_rule(criterion, criterion.portfolio, mine)
            if verdict is None or across.status != "achieved":
                verdict = across
        assert verdict is not None
        if criterion.assess in ("session", "learner_response"):
            verdict = replace(verdict, consistency=consistency(criterion, mine))
        criteria[criterion.code] = verdict
    requirements = {
        c.code: judge_portfolio_rule(c, c.portfolio, mine)
        for c in rubric.requirements
        if c.portfolio is not None
    }
    achieved = {code for code, v in criteria.items() if v.status == "achieved"}
    awaiting = tuple(code for code, v in criteria.items() if v.status == "needs_tutor")
    requirements_met = all(v.status == "achieved" for v in requirements.values())
    value = grade_for(rubric, rubric.criteria, achieved) if requirements_met else "not_yet"
    confirmed = (
        grade_for(rubric, rubric.criteria, achieved | set(awaiting))
        if requirements_met
        else "not_yet"
    )
    grade = Grade(
        value, grade_label(rubric, value), tuple(c.code for c in rubric.criteria),
        awaiting_tutor=awaiting, if_confirmed=confirmed,
    )  # fmt: skip
    missing = tuple(
        code
        for code, v in (criteria | requirements).items()
        if v.status in ("not_yet", "not_covered")
    )
    errors = tuple((r.facts.session, e) for r in mine for e in r.critical)
    return PortfolioResult(
        rubric.id, rubric.version, tuple(r.facts.session for r in mine), criteria, requirements,
        grade, missing, errors,
        tuple(r.facts.session for r in mine if r.open_errors),
        tuple((r.facts.session, r.grade.value) for r in mine),
    )  # fmt: skip
