"""Scenario test plans: `<id>.tests.yaml` beside a scenario, run by ``roleplay test``.

A plan is a list of cases; each case plays the scenario from the start, one step at a time. A step
is exactly one of:

``choose: ID``
    take the option with this id (never a position). An option that is not offered at that point
    fails the case, listing the options that are, with a "did you mean".
``expect_options: [ID, ...]``
    exactly these options are offered now (in any order; fallbacks are never offered).
``expect_say: TEXT``
    TEXT appears (case-sensitive) inside one of the lines said since the previous ``choose``: the
    learner's own line, then every line said as a result (automatic fallbacks and ``next`` nodes
    included) up to the next point where the learner chooses or the ending. Before the first
    ``choose``, the opening lines.
``expect_var: {NAME: VALUE, ...}``
    the variables have these values now.
``expect_outcome: OUTCOME`` / ``expect_ending: NODE``
    the conversation has ended, with this outcome / at this end node.
``expect_grade: GRADE`` / ``expect_criteria: {CODE: STATUS, ...}``
    the session so far, judged on the plan's rubric (``rubric:``, else the scenario's), has this
    grade / these criterion verdicts.

A plan that cannot be read (a YAML or shape error, a missing scenario, an expectation that cannot
fit) reports located problems and counts as failed; it never passes silently. Pure: no UI or
template imports.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from simulator import spec
from simulator.catalog import (
    UnknownRubric,
    UnknownScenario,
    bundled_scenario_paths,
    open_rubric,
    open_scenario,
    scenario_id_of,
)
from simulator.engine import Line, Session
from simulator.errors import Problem, ScenarioError, Severity, suggest
from simulator.lint import SCENARIO_SUFFIXES, TEST_PLAN_SUFFIXES
from simulator.loader import INVALID, Conformer
from simulator.model import Option, Rubric, Scenario, YamlPath
from simulator.resources import bundled_dir
from simulator.scoring import SessionResult, score_session
from simulator.yamlsource import Document, read_document

RUBRIC_STEPS = ("expect_grade", "expect_criteria")
"""Steps that need a rubric."""


@dataclass(frozen=True)
class Step:
    """One step of a case: a choice or a check."""

    number: int
    """1-based position in its case."""
    kind: str
    """The step's key: ``choose`` or one of the ``expect_...`` keys."""
    value: Any
    """The step's value, already checked against the spec."""
    path: YamlPath
    """Where the step's key sits in the plan."""
    line: int
    """1-based line of the step's key."""
    col: int
    """1-based column of the step's key."""


@dataclass(frozen=True)
class Case:
    """A named route through the scenario with checks along it."""

    name: str
    """What the case shows."""
    steps: tuple[Step, ...]
    """The steps, in order."""
    line: int
    """1-based line of the case's name."""


@dataclass
class Plan:
    """A loaded test plan, with the scenario (and rubric) it tests."""

    path: str
    """The plan file, as given."""
    cases: tuple[Case, ...] = ()
    """The cases (none when the plan cannot be read)."""
    scenario: Scenario | None = None
    """The scenario tested, or None when it cannot be found or has errors."""
    rubric: Rubric | None = None
    """The rubric for grade and criteria checks, if one is named or needed."""
    problems: list[Problem] = field(default_factory=list)
    """Problems in the plan (or the files it names); any error means no case runs."""

    @property
    def runnable(self) -> bool:
        """True when the plan, its scenario and rubric were read without errors."""
        return self.scenario is not None and not any(
            p.severity is Severity.ERROR for p in self.problems
        )


@dataclass(frozen=True)
class Failure:
    """Why a case failed: the step, what it expected and what actually happened."""

    step: Step
    """The step that failed."""
    expected: str
    """What the step expected, in words."""
    actual: list[str]
    """What happened instead, one line per item."""
    hint: str = ""
    """A suggestion ("did you mean ...") or explanation, if one helps."""

    def to_dict(self) -> dict[str, Any]:
        """Return the failure as JSON-ready data."""
        return {
            "step": self.step.number,
            "kind": self.step.kind,
            "value": self.step.value,
            "line": self.step.line,
            "col": self.step.col,
            "expected": self.expected,
            "actual": self.actual,
            "hint": self.hint,
        }


@dataclass(frozen=True)
class CaseResult:
    """One case, run."""

    case: Case
    """The case."""
    failure: Failure | None
    """None when every step held."""

    @property
    def passed(self) -> bool:
        """True when every step held."""
        return self.failure is None


@dataclass
class PlanResult:
    """A plan, run: its problems or its cases' results."""

    plan: Plan
    """The plan."""
    cases: list[CaseResult] = field(default_factory=list)
    """Each case's result (empty when the plan could not run)."""

    @property
    def passed(self) -> int:
        """How many cases passed."""
        return sum(r.passed for r in self.cases)

    @property
    def failed(self) -> int:
        """How many cases failed; a plan that could not run counts as one failure."""
        if not self.plan.runnable:
            return 1
        return sum(not r.passed for r in self.cases)

    def to_dict(self) -> dict[str, Any]:
        """Return the result as JSON-ready data."""
        plan = self.plan
        return {
            "path": plan.path,
            "scenario": plan.scenario.id if plan.scenario is not None else None,
            "rubric": plan.rubric.id if plan.rubric is not None else None,
            "problems": [p.to_dict() for p in plan.problems],
            "cases": [
                {
                    "name": r.case.name,
                    "line": r.case.line,
                    "passed": r.passed,
                    "failure": r.failure.to_dict() if r.failure is not None else None,
                }
                for r in self.cases
            ],
            "passed": self.passed,
            "failed": self.failed,
        }


# -- finding plans -------------------------------------------------------------------------------


def is_plan(path: Path) -> bool:
    """True if the file name is a test plan's (``*.tests.yaml``)."""
    return path.name.endswith(TEST_PLAN_SUFFIXES)


def plan_beside(scenario_path: Path) -> Path:
    """Return where the test plan of a scenario file is (whether or not it exists)."""
    stem = scenario_id_of(scenario_path)
    for suffix in TEST_PLAN_SUFFIXES:
        candidate = scenario_path.with_name(stem + suffix)
        if candidate.is_file():
            return candidate
    return scenario_path.with_name(stem + TEST_PLAN_SUFFIXES[0])


def scenario_beside(plan_path: Path) -> Path | None:
    """Return the scenario file beside a plan with the same id, or None."""
    name = plan_path.name
    stem = next((name[: -len(s)] for s in TEST_PLAN_SUFFIXES if name.endswith(s)), plan_path.stem)
    for suffix in SCENARIO_SUFFIXES:
        candidate = plan_path.with_name(stem + suffix)
        if candidate.is_file():
            return candidate
    return None


def default_folder() -> Path:
    """Return the folder ``roleplay test`` runs with no PATH: the bundled scenarios."""
    return bundled_dir("scenarios")


def find_plans(paths: Sequence[Path]) -> tuple[list[Path], list[str]]:
    """Expand plan files, scenario files (their plan beside them), folders and bundled ids.

    Returns the plans found, in order and without repeats, and a message for each path that
    gives none (a missing file, a scenario without a plan, a file of another kind).
    """
    found: list[Path] = []
    errors: list[str] = []
    bundled = {scenario_id_of(p): p for p in bundled_scenario_paths()}
    for path in paths:
        if path.is_dir():
            plans = sorted(p for p in path.rglob("*") if is_plan(p) and p.is_file())
            if not plans:
                errors.append(f"{path}: no test plans (*.tests.yaml) in this folder")
            found.extend(plans)
        elif path.is_file() and is_plan(path):
            found.append(path)
        elif path.is_file() and path.name.endswith(SCENARIO_SUFFIXES):
            plan = plan_beside(path)
            if plan.is_file():
                found.append(plan)
            else:
                errors.append(f"{path}: the scenario has no test plan (expected {plan})")
        elif path.is_file():
            errors.append(f"{path}: not a test plan (*.tests.yaml) or a scenario (*.scenario.yaml)")
        elif str(path) in bundled:
            plan = plan_beside(bundled[str(path)])
            if plan.is_file():
                found.append(plan)
            else:
                errors.append(f"{path}: the bundled scenario has no test plan")
        else:
            hint = suggest(str(path), bundled) if "/" not in str(path) else ""
            errors.append(f"{path}: no such file or folder{hint}")
    unique: list[Path] = []
    seen: set[Path] = set()
    for plan in found:
        key = plan.resolve()
        if key not in seen:
            seen.add(key)
            unique.append(plan)
    return unique, errors


# -- loading -------------------------------------------------------------------------------------

_DOTTED = re.compile(r"'cases((?:\.[^'.\s]+)*)'")
"""A place in a plan as the shape checks write it, e.g. 'cases.0.steps.6.expect_outcome'."""


def describe(parts: Sequence[str]) -> str:
    """Describe a place in a plan in words, e.g. "'expect_outcome' in step 7 of case 1"."""
    where, rest = "", list(parts)
    if len(rest) >= 1 and rest[0].isdigit():
        where = f"case {int(rest.pop(0)) + 1}"
        if len(rest) >= 2 and rest[0] == "steps" and rest[1].isdigit():
            where = f"step {int(rest[1]) + 1} of {where}"
            rest = rest[2:]
    if not where:
        return "'" + ".".join(["cases", *rest]) + "'"
    return f"'{'.'.join(rest)}' in {where}" if rest else where


class _PlanConformer(Conformer):
    """The spec-driven shape checks, with places described as steps and cases."""

    def report(
        self,
        code: str,
        path: YamlPath,
        message: str,
        *,
        at_key: bool = False,
        lost: YamlPath | None = None,
    ) -> None:
        message = _DOTTED.sub(lambda m: describe(m.group(1).split(".")[1:]), message)
        super().report(code, path, message, at_key=at_key, lost=lost)


class _PlanBuilder:
    """Builds a Plan from a conformed document and checks it against its scenario and rubric."""

    def __init__(self, doc: Document, plan: Plan, file: Path) -> None:
        self.doc = doc
        self.plan = plan
        self.file = file

    def report(self, code: str, path: YamlPath, message: str, *, at_key: bool = False) -> None:
        self.plan.problems.append(self.doc.problem(code, path, message, at_key=at_key))

    def cases(self, data: dict[str, Any]) -> tuple[Case, ...]:
        cases: list[Case] = []
        names: dict[str, int] = {}
        for i, raw in enumerate(data.get("cases", [])):
            path: YamlPath = ("cases", i)
            name = raw.get("name")
            steps = self.steps(raw.get("steps", []), (*path, "steps"))
            if name is None:
                continue
            if name in names:
                self.report(
                    "E060",
                    (*path, "name"),
                    f"two cases are called '{name}' (the first is at line {names[name]}); give "
                    "each case its own name",
                )
                continue
            line = self.doc.mark((*path, "name")).line
            names[name] = line
            cases.append(Case(name, steps, line))
        return tuple(cases)

    def steps(self, items: list[dict[str, Any]], path: YamlPath) -> tuple[Step, ...]:
        steps: list[Step] = []
        for j, raw in enumerate(items):
            where: YamlPath = (*path, j)
            if len(raw) != 1:
                if not raw and self.doc.damaged(where):
                    continue  # its only key was already reported (unknown or wrong type)
                keys = ", ".join(raw) if raw else "none"
                self.report(
                    "E060",
                    where,
                    f"{describe([str(path[1]), 'steps', str(j)])} must have exactly one key, "
                    "a `choose` or one `expect_...` "
                    f"(it has {keys}); write each on its own line starting with '- '",
                )
                continue
            ((kind, value),) = raw.items()
            if self.doc.damaged((*where, kind)):
                continue  # part of its value was already reported
            if kind == "expect_say" and not value.strip():
                self.report(
                    "E060",
                    (*where, kind),
                    f"{describe([str(path[1]), 'steps', str(j)])}: expect_say needs some text to "
                    "look for (empty text would match anything)",
                )
                continue
            mark = self.doc.key_mark((*where, kind))
            steps.append(Step(j + 1, kind, value, (*where, kind), mark.line, mark.col))
        return tuple(steps)

    def scenario(self, data: dict[str, Any]) -> None:
        ref = data.get("scenario")
        if ref is None:
            if ("scenario",) in self.doc.broken:
                return
            found = scenario_beside(self.file)
            if found is None:
                stem = self.file.name
                for suffix in TEST_PLAN_SUFFIXES:
                    stem = stem.removesuffix(suffix)
                self.report(
                    "E061",
                    (),
                    f"there is no scenario {stem}.scenario.yaml beside this plan; put the plan "
                    "beside its scenario with the same id, or name it with 'scenario: FILE'",
                )
                return
            target = str(found)
        else:
            beside = self.file.parent / ref
            bundled = {scenario_id_of(p): p for p in bundled_scenario_paths()}
            if beside.is_file():
                target = str(beside)
            elif ref in bundled:
                target = ref
            else:
                self.report("E061", ("scenario",), _no_scenario(ref, beside, bundled))
                return
        try:
            self.plan.scenario = open_scenario(target).scenario
        except UnknownScenario as exc:  # pragma: no cover - the file was there a moment ago
            self.report("E061", ("scenario",), str(exc))
        except ScenarioError as exc:
            self.plan.problems.extend(exc.problems)
            self.report(
                "E061",
                ("scenario",) if ref is not None else (),
                f"the scenario {target} has errors (listed with this plan's), so the plan "
                f"cannot run; 'roleplay lint {target}' shows them too",
                at_key=ref is not None,
            )

    def rubric(self, data: dict[str, Any], cases: Iterable[Case]) -> None:
        scenario = self.plan.scenario
        wanted = [s for case in cases for s in case.steps if s.kind in RUBRIC_STEPS]
        ref = data.get("rubric")
        from_plan = ref is not None
        if ref is None and scenario is not None and wanted:
            ref = scenario.rubric
        if ref is None:
            if scenario is not None and ("rubric",) not in self.doc.broken:
                for step in wanted:
                    self.report(
                        "E062",
                        step.path,
                        f"{step.kind} needs a rubric, and neither the plan nor the scenario "
                        "names one; add 'rubric: ID' at the top of the plan",
                        at_key=True,
                    )
            return
        beside = self.file.parent / ref
        target = str(beside) if from_plan and beside.is_file() else ref
        where: YamlPath = ("rubric",) if from_plan else wanted[0].path
        try:
            self.plan.rubric = open_rubric(target)
        except UnknownRubric as exc:
            self.report("E062", where, str(exc), at_key=not from_plan)
        except ScenarioError as exc:
            self.plan.problems.extend(exc.problems)
            self.report(
                "E062",
                where,
                f"the rubric {target} has errors (listed with this plan's), so the plan cannot run",
                at_key=not from_plan,
            )

    def check(self, cases: Iterable[Case]) -> None:
        """Check every expectation can fit the scenario and rubric (not `choose`: see run)."""
        scenario = self.plan.scenario
        if scenario is None:
            return
        rubric = self.plan.rubric
        endings = [n.id for n in scenario.nodes.values() if n.is_end]
        for case in cases:
            for step in case.steps:
                if step.kind == "expect_var":
                    self.check_vars(scenario, step)
                elif step.kind == "expect_ending" and step.value not in endings:
                    if step.value in scenario.nodes:
                        message = f"node '{step.value}' is not an ending"
                    else:
                        message = f"there is no node '{step.value}'"
                    self.report(
                        "E062",
                        step.path,
                        f"{message}; the endings are {', '.join(endings)}"
                        f"{suggest(step.value, endings)}",
                    )
                elif step.kind == "expect_grade" and rubric is not None:
                    grades = grade_values(rubric)
                    if step.value not in grades:
                        self.report(
                            "E062",
                            step.path,
                            f"'{step.value}' is not a grade of rubric '{rubric.id}'; use one of "
                            f"{', '.join(grades)}{suggest(step.value, grades)}",
                        )
                elif step.kind == "expect_criteria" and rubric is not None:
                    codes = [c.code for c in rubric.criteria]
                    for code in step.value:
                        if code not in codes:
                            self.report(
                                "E062",
                                (*step.path, code),
                                f"rubric '{rubric.id}' has no criterion '{code}'"
                                f"{suggest(code, codes)}",
                                at_key=True,
                            )

    def check_vars(self, scenario: Scenario, step: Step) -> None:
        for name, value in step.value.items():
            var = scenario.variables.get(name)
            if var is None:
                self.report(
                    "E062",
                    (*step.path, name),
                    f"the scenario has no variable '{name}'"
                    f"{suggest(name, scenario.variables) or _listing(scenario.variables)}",
                    at_key=True,
                )
            elif (var.type == "bool") != isinstance(value, bool):
                kind = "true or false" if var.type == "bool" else "a whole number"
                self.report(
                    "E062",
                    (*step.path, name),
                    f"variable '{name}' is {kind}, so it can never be {_show(value)}",
                )


def _no_scenario(ref: str, beside: Path, bundled: Iterable[str]) -> str:
    """Say that ``scenario:`` names nothing, with the nearest file or bundled id."""
    if "/" in ref or "\\" in ref or ref.endswith((".yaml", ".yml")):
        folder = beside.parent
        near = (
            [p.name for p in folder.iterdir() if p.name.endswith(SCENARIO_SUFFIXES)]
            if folder.is_dir()
            else []
        )
        return f"no scenario file {beside}{suggest(beside.name, near)}"
    return f"no bundled scenario or scenario file beside this plan called '{ref}'{suggest(ref, bundled)}"


def _listing(names: Iterable[str]) -> str:
    shown = ", ".join(names)
    return f" (it has: {shown})" if shown else " (it declares none)"


def grade_values(rubric: Rubric) -> list[str]:
    """Return the grades a session can get on a rubric, lowest first (none yet: in_progress)."""
    if rubric.grading == "banded":
        return ["in_progress", "not_yet", *(b.id for b in rubric.bands)]
    return ["in_progress", "not_yet", "competent" if rubric.grading == "competence" else "pass"]


def load_plan(path: Path, display: str | None = None) -> Plan:
    """Read a test plan and the scenario (and rubric) it names; problems replace exceptions."""
    shown = display if display is not None else str(path)
    plan = Plan(shown)
    doc, problems = read_document(path, shown)
    plan.problems.extend(problems)
    if doc is None:
        return plan
    data = _PlanConformer(doc, plan.problems).conform(spec.TEST_PLAN, doc.data, ())
    if data is INVALID:
        return plan
    builder = _PlanBuilder(doc, plan, path)
    cases = builder.cases(data)
    builder.scenario(data)
    builder.rubric(data, cases)
    builder.check(cases)
    plan.cases = cases
    plan.problems.sort(key=lambda p: (p.path != shown, p))
    return plan


# -- running -------------------------------------------------------------------------------------


def _show(value: object) -> str:
    if isinstance(value, bool):
        return str(value).lower()
    return str(value)


def _quote(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


class _Run:
    """One case being played."""

    def __init__(self, plan: Plan, scenario: Scenario) -> None:
        self.plan = plan
        self.scenario = scenario
        self.session = Session.start(scenario)
        self.said: list[Line] = list(self.session.transcript)

    def line(self, line: Line) -> str:
        if line.speaker == "learner":
            who = f"You [{'auto' if line.auto else line.option}]"
        elif line.speaker == "narrator":
            who = "Narrator"
        else:
            who = self.scenario.speaker_name(line.speaker)
        return f"{who}: {_quote(line.text)}"

    def where(self) -> str:
        s = self.session
        if s.ended:
            return f"the conversation has ended ({s.outcome}) at node '{s.node_id}'"
        if s.stuck_reason is not None:
            return f"the conversation is stuck: {s.stuck_reason}"
        offered = ", ".join(o.id for o in s.available_options()) or "none"
        return f"the conversation has not ended: at node '{s.node_id}', options {offered}"

    def step(self, step: Step) -> Failure | None:
        handler = getattr(self, step.kind)
        result: Failure | None = handler(step)
        return result

    def choose(self, step: Step) -> Failure | None:
        s = self.session
        ref: str = step.value
        if s.finished:
            return Failure(step, f"option '{ref}' to be offered", [self.where()])
        available = s.available_options()
        if any(o.id == ref for o in available):
            self.said = s.choose(ref)
            return None
        return Failure(
            step,
            f"option '{ref}' to be offered at node '{s.node_id}'",
            [f"offered: {', '.join(o.id for o in available) or 'none'}"],
            self.unavailable(ref, available),
        )

    def unavailable(self, ref: str, available: list[Option]) -> str:
        s = self.session
        option = self.scenario.option(ref)
        if option is None:
            everywhere = self.scenario.options_by_id
            close = suggest(ref, [o.id for o in available]) or suggest(ref, everywhere)
            return f"the scenario has no option '{ref}'{close}"
        if option.node != s.node_id:
            return f"'{ref}' is an option of node '{option.node}', not of '{s.node_id}'"
        if option.fallback:
            return f"'{ref}' is a fallback: it is never offered, only taken automatically"
        if option.once and s.chosen(ref):
            return f"'{ref}' is `once: true` and was already chosen"
        if option.condition is not None:
            return f"'{ref}' is hidden now: its condition `{option.condition.source}` is false"
        return ""  # pragma: no cover - every other option of the node is offered

    def expect_options(self, step: Step) -> Failure | None:
        offered = [o.id for o in self.session.available_options()]
        expected: list[str] = step.value
        if set(offered) == set(expected):
            return None
        missing = [o for o in expected if o not in offered]
        extra = [o for o in offered if o not in expected]
        actual = [f"offered: {', '.join(offered) or 'none'}"]
        if missing:
            actual.append(f"not offered: {', '.join(missing)}")
        if extra:
            actual.append(f"offered but not expected: {', '.join(extra)}")
        hint = "" if not self.session.finished else self.where()
        return Failure(step, f"options {', '.join(expected) or 'none'}", actual, hint)

    def expect_say(self, step: Step) -> Failure | None:
        text: str = step.value
        if any(text in line.text for line in self.said):
            return None
        actual = [self.line(line) for line in self.said] or ["nothing was said"]
        lowered = [line for line in self.said if text.lower() in line.text.lower()]
        hint = "the text appears with different capitals" if lowered else ""
        return Failure(step, f"{_quote(text)} in a line said since the last choice", actual, hint)

    def expect_var(self, step: Step) -> Failure | None:
        wrong = {
            name: value
            for name, value in step.value.items()
            if self.session.variables.get(name) != value
            or isinstance(self.session.variables.get(name), bool) != isinstance(value, bool)
        }
        if not wrong:
            return None
        values = self.session.variables
        return Failure(
            step,
            ", ".join(f"{k}={_show(v)}" for k, v in wrong.items()),
            [", ".join(f"{k}={_show(values.get(k))}" for k in wrong)],
        )

    def expect_outcome(self, step: Step) -> Failure | None:
        if self.session.ended and self.session.outcome == step.value:
            return None
        return Failure(step, f"the conversation ended: {step.value}", [self.where()])

    def expect_ending(self, step: Step) -> Failure | None:
        if self.session.ended and self.session.node_id == step.value:
            return None
        return Failure(step, f"the conversation ended at node '{step.value}'", [self.where()])

    def result(self) -> SessionResult:
        assert self.plan.rubric is not None  # load_plan reports rubric steps without a rubric
        steps = [(s.node, s.option, s.auto) for s in self.session.steps]
        return score_session(self.plan.rubric, self.scenario, steps, outcome=self.session.outcome)

    def expect_grade(self, step: Step) -> Failure | None:
        result = self.result()
        if result.grade.value == step.value:
            return None
        over = ", ".join(f"{code} {result.criteria[code].status}" for code in result.grade.over)
        return Failure(
            step,
            f"grade {step.value} on {result.rubric}",
            [f"grade {result.grade.value}", f"session criteria: {over}"],
            "" if self.session.finished else f"the grade so far; {self.where()}",
        )

    def expect_criteria(self, step: Step) -> Failure | None:
        result = self.result()
        wrong = {
            code: status
            for code, status in step.value.items()
            if result.criteria[code].status != status
        }
        if not wrong:
            return None
        actual = []
        for code in wrong:
            v = result.criteria[code]
            reason = f" ({v.reason})" if v.reason and v.reason != v.status else ""
            actual.append(f"{code} {v.status}{reason}: {v.detail}")
        return Failure(
            step, ", ".join(f"{code} {status}" for code, status in wrong.items()), actual
        )


def run_case(plan: Plan, case: Case) -> CaseResult:
    """Play one case from the start; stop at the first step that does not hold."""
    assert plan.scenario is not None
    run = _Run(plan, plan.scenario)
    for step in case.steps:
        failure = run.step(step)
        if failure is not None:
            return CaseResult(case, failure)
    return CaseResult(case, None)


def run_plan(plan: Plan) -> PlanResult:
    """Run every case of a plan (none when the plan has errors: it then counts as failed)."""
    if not plan.runnable:
        return PlanResult(plan)
    return PlanResult(plan, [run_case(plan, case) for case in plan.cases])


def run_file(path: Path, display: str | None = None) -> PlanResult:
    """Load and run one plan file."""
    return run_plan(load_plan(path, display))
