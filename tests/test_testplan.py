"""`roleplay test`: scenario test plans pass, fail with the step, expected and actual, and never
pass silently when they cannot be read. The bundled plans run here, so `make test` runs them."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
from pathlib import Path

import jsonschema
import pytest
import yaml

from simulator import testplan
from simulator.catalog import bundled_scenario_paths, open_scenario
from simulator.cli import main
from simulator.scoring.results import STATUSES
from simulator.spec import CRITERION_STATUSES, PLAN_STEP, PLAN_STEP_KEYS

ROOT = Path(__file__).resolve().parent.parent
PLANS = ROOT / "tests" / "fixtures" / "testplans"
MINI = ROOT / "tests" / "fixtures" / "valid" / "mini.scenario.yaml"
BUNDLED_PLANS = sorted((ROOT / "scenarios").glob("*.tests.yaml"))
SUMMARY = re.compile(r"^(\d+) passed, (\d+) failed$")


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(["test", *args])
    out, err = capsys.readouterr()
    return code, out, err


def summary(out: str) -> tuple[int, int]:
    """Return (passed, failed) from the one summary line, which must be alone on its line."""
    found = [m for line in out.splitlines() if (m := SUMMARY.match(line))]
    assert len(found) == 1, out
    return int(found[0].group(1)), int(found[0].group(2))


def line_of(path: Path, text: str) -> int:
    """Return the 1-based line of the only line of ``path`` containing ``text``."""
    lines = [i for i, line in enumerate(path.read_text().splitlines(), 1) if text in line]
    assert len(lines) == 1, (text, lines)
    return lines[0]


def failure_block(out: str, name: str) -> str:
    """Return the FAIL line of case ``name`` and the indented lines under it."""
    lines = out.splitlines()
    start = lines.index(f"FAIL {name}")
    block = [lines[start]]
    for line in lines[start + 1 :]:
        if not line.startswith("     "):
            break
        block.append(line)
    return "\n".join(block)


# -- the bundled plans ---------------------------------------------------------------------------


@pytest.mark.parametrize("path", BUNDLED_PLANS, ids=[p.name for p in BUNDLED_PLANS])
def test_bundled_plan_passes(path: Path) -> None:
    result = testplan.run_file(path)
    assert [p.format() for p in result.plan.problems] == []
    failures = [
        f"{r.case.name}: step {r.failure.step.number} expected {r.failure.expected}, "
        f"got {r.failure.actual}"
        for r in result.cases
        if r.failure is not None
    ]
    assert failures == []
    assert result.passed == len(result.plan.cases) >= 4


def test_every_bundled_scenario_has_a_plan() -> None:
    for path in bundled_scenario_paths():
        assert testplan.plan_beside(path).is_file(), f"{path.name} has no test plan"


@pytest.mark.parametrize("path", BUNDLED_PLANS, ids=[p.name for p in BUNDLED_PLANS])
def test_bundled_plan_reaches_every_ending_and_every_unit7_grade(path: Path) -> None:
    plan = testplan.load_plan(path)
    assert plan.scenario is not None and plan.rubric is not None
    assert plan.rubric.id == "ocr-l2-unit7"
    expected = [(s.kind, s.value) for case in plan.cases for s in case.steps]
    nodes = plan.scenario.nodes
    endings = {v for kind, v in expected if kind == "expect_ending"}
    outcomes = {v for kind, v in expected if kind == "expect_outcome"}
    outcomes |= {nodes[e].end for e in endings}
    grades = {v for kind, v in expected if kind == "expect_grade"}
    ends = {n.id for n in nodes.values() if n.is_end}
    assert len(ends) >= 3
    assert endings == ends, f"endings no case reaches: {sorted(ends - endings)}"
    assert outcomes == {nodes[e].end for e in ends}
    assert {"distinction", "merit", "pass", "not_yet"} <= grades
    # every case checks a result: where the conversation ended, or the grade it earned so far
    for case in plan.cases:
        kinds = {s.kind for s in case.steps}
        assert kinds & {"expect_outcome", "expect_ending", "expect_grade"}, case.name


def test_roleplay_test_with_no_path_runs_the_bundled_plans(
    capsys: pytest.CaptureFixture[str],
) -> None:
    code, out, _ = run(capsys)
    assert code == 0, out
    cases = sum(len(testplan.load_plan(p).cases) for p in BUNDLED_PLANS)
    assert summary(out) == (cases, 0)
    assert out.count("\nPASS ") == cases
    assert "FAIL" not in out
    assert out.rstrip().splitlines()[-1] == f"{cases} passed, 0 failed"


def test_a_scenario_path_runs_the_plan_beside_it(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, str(ROOT / "scenarios" / "faulty-kettle.scenario.yaml"))
    assert code == 0
    assert "faulty-kettle.tests.yaml: faulty-kettle (version 2), rubric ocr-l2-unit7" in out
    plan = ROOT / "scenarios" / "faulty-kettle.tests.yaml"
    assert summary(out) == (len(testplan.load_plan(plan).cases), 0)


def test_a_bundled_id_runs_its_plan(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "router-helpline")
    assert code == 0
    assert "router-helpline.tests.yaml" in out and "faulty-kettle" not in out


def test_json_output(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, str(PLANS / "failing.tests.yaml"), "--json")
    assert code == 1
    data = json.loads(out)
    assert (data["passed"], data["failed"]) == (1, 11)
    (plan,) = data["plans"]
    assert plan["scenario"] == "mini" and plan["rubric"] == "ocr-l2-unit7"
    first, second = plan["cases"][:2]
    assert first == {"name": "the refund route", "line": 5, "passed": True, "failure": None}
    assert second["passed"] is False
    assert second["failure"]["kind"] == "choose"
    assert second["failure"]["line"] == line_of(PLANS / "failing.tests.yaml", "choose: sory")
    assert "did you mean 'sorry'" in second["failure"]["hint"]


# -- passing and failing plans -------------------------------------------------------------------


def test_a_passing_plan_exits_0_with_one_pass_line_per_case(
    capsys: pytest.CaptureFixture[str],
) -> None:
    code, out, _ = run(capsys, str(PLANS / "passing.tests.yaml"))
    assert code == 0, out
    assert "PASS sorry, then a refund resolves it" in out.splitlines()
    assert "PASS rudeness loops back, then the customer is lost" in out.splitlines()
    assert summary(out) == (2, 0)


def test_a_failing_plan_exits_1_and_counts_each_case(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, str(PLANS / "failing.tests.yaml"))
    assert code == 1
    assert summary(out) == (1, 11)
    assert "PASS the refund route" in out.splitlines()
    assert sum(line.startswith("FAIL ") for line in out.splitlines()) == 11


FAILING = PLANS / "failing.tests.yaml"

# (case, text of the failing step's line, what the failure must show)
FAILURES: list[tuple[str, str, list[str]]] = [
    (
        "a misspelt option",
        "choose: sory",
        [
            "choose: sory",
            "expected: option 'sory' to be offered at node 'opening'",
            "actual:   offered: sorry, rude",
            "(did you mean 'sorry'?)",
        ],
    ),
    (
        "an option of a later node",
        "      - choose: refund\n\n  - name: an option hidden",
        ["offered: sorry, rude", "'refund' is an option of node 'ask', not of 'opening'"],
    ),
    (
        "an option hidden by its condition",
        "      - choose: refund\n\n  - name: the wrong options",
        [
            "expected: option 'refund' to be offered at node 'ask'",
            "actual:   offered: give-up",
            "its condition `mood > -2 and not refund` is false",
        ],
    ),
    (
        "the wrong options",
        "expect_options: [sorry]",
        [
            "expected: options sorry",
            "actual:   offered: sorry, rude",
            "offered but not expected: rude",
        ],
    ),
    (
        "the wrong words",
        "expect_say: Thank you",
        [
            'expect_say: "Thank you"',
            'expected: "Thank you" in a line said since the last choice',
            'actual:   You [sorry]: "Sorry."',
            'Narrator: "You listen."',
            'Ann: "What now?"',
        ],
    ),
    (
        "the wrong mood",
        "expect_var: {mood: -4}",
        ["expected: mood=-4", "actual:   mood=-5"],
    ),
    (
        "not ended yet",
        "      - expect_outcome: resolved\n\n  - name: the wrong ending",
        [
            "expected: the conversation ended: resolved",
            "actual:   the conversation has not ended: at node 'ask', options refund, give-up",
        ],
    ),
    (
        "the wrong ending",
        "expect_ending: done",
        [
            "expected: the conversation ended at node 'done'",
            "actual:   the conversation has ended (customer_lost) at node 'lost'",
        ],
    ),
    (
        "the wrong grade",
        "expect_grade: pass",
        ["expected: grade pass on ocr-l2-unit7", "actual:   grade not_yet", "P3 not_covered"],
    ),
    (
        "the wrong verdict",
        "expect_criteria: {P2: achieved}",
        ["expected: P2 achieved", "actual:   P2 not_covered: this scenario has no option"],
    ),
    (
        "a choice after the ending",
        "      - choose: sorry\n",  # the last line of the file
        ["actual:   the conversation has ended (customer_lost) at node 'lost'"],
    ),
]


def _step_line(text: str) -> int:
    source = FAILING.read_text()
    at = source.rindex(text) if text.endswith("\n") else source.index(text)
    assert source.count(text) == 1 or text.endswith("\n"), text
    return source.count("\n", 0, at) + 1


@pytest.mark.parametrize(("name", "step", "shows"), FAILURES, ids=[row[0] for row in FAILURES])
def test_a_failure_shows_the_step_with_its_place_expected_and_actual(
    capsys: pytest.CaptureFixture[str], name: str, step: str, shows: list[str]
) -> None:
    _, out, _ = run(capsys, str(FAILING))
    block = failure_block(out, name)
    line = _step_line(step)
    assert re.search(rf"^     at {re.escape(str(FAILING))}:{line}:9, step \d+: ", block, re.M), (
        block
    )
    for text in shows:
        assert text in block, f"{text!r} not in\n{block}"


def test_expect_say_checks_everything_said_since_the_previous_choice(tmp_path: Path) -> None:
    """The learner's line and every line it led to count; lines before the choice do not."""
    plan = tmp_path / "mini.tests.yaml"
    shutil.copy(MINI, tmp_path / "mini.scenario.yaml")
    plan.write_text(
        "cases:\n"
        "  - name: opening lines, then the choice and its results\n"
        "    steps:\n"
        "      - expect_say: Annoyed.\n"
        "      - choose: sorry\n"
        "      - expect_say: Sorry.\n"
        "      - expect_say: You listen.\n"
        "      - expect_say: What now?\n"
        "  - name: what was said before the choice no longer counts\n"
        "    steps:\n"
        "      - choose: sorry\n"
        "      - expect_say: Annoyed.\n"
        "  - name: the check is case-sensitive\n"
        "    steps:\n"
        "      - expect_say: annoyed\n"
    )
    result = testplan.run_file(plan)
    assert [r.passed for r in result.cases] == [True, False, False]
    case_sensitive = result.cases[2].failure
    assert case_sensitive is not None
    assert case_sensitive.hint == "the text appears with different capitals"


def test_a_plan_beside_its_scenario_needs_no_scenario_key(tmp_path: Path) -> None:
    shutil.copy(MINI, tmp_path / "mini.scenario.yaml")
    plan = tmp_path / "mini.tests.yaml"
    plan.write_text("cases:\n  - name: x\n    steps:\n      - choose: sorry\n")
    result = testplan.run_file(plan)
    assert result.plan.scenario is not None and result.plan.scenario.id == "mini"
    assert (result.passed, result.failed) == (1, 0)


def test_the_rubric_defaults_to_the_scenarios(tmp_path: Path) -> None:
    source = (ROOT / "scenarios" / "faulty-kettle.scenario.yaml").read_text()
    (tmp_path / "kettle.scenario.yaml").write_text(
        source.replace("id: faulty-kettle", "id: kettle")
    )
    plan = tmp_path / "kettle.tests.yaml"
    plan.write_text(
        "cases:\n  - name: x\n    steps:\n"
        "      - choose: ask-receipt-first\n      - expect_grade: in_progress\n"
    )  # the conversation has not ended: no grade yet
    result = testplan.run_file(plan)
    assert result.plan.rubric is not None and result.plan.rubric.id == "ocr-l2-unit7"
    assert result.failed == 0


def test_a_grade_with_no_rubric_anywhere_is_a_problem(tmp_path: Path) -> None:
    shutil.copy(MINI, tmp_path / "mini.scenario.yaml")  # mini names no rubric
    plan = tmp_path / "mini.tests.yaml"
    plan.write_text("cases:\n  - name: x\n    steps:\n      - expect_grade: pass\n")
    loaded = testplan.load_plan(plan)
    assert [(p.code, p.line, p.col) for p in loaded.problems] == [("E062", 4, 9)]
    assert "add 'rubric: ID'" in loaded.problems[0].message
    assert testplan.run_plan(loaded).failed == 1


def test_a_scenario_with_errors_fails_the_plan(tmp_path: Path) -> None:
    (tmp_path / "mini.scenario.yaml").write_text(
        MINI.read_text().replace("next: done", "next: doen")
    )
    plan = tmp_path / "mini.tests.yaml"
    plan.write_text("cases:\n  - name: x\n    steps:\n      - choose: sorry\n")
    result = testplan.run_file(plan)
    codes = [(Path(p.path).name, p.code) for p in result.plan.problems]
    assert ("mini.scenario.yaml", "E021") in codes and ("mini.tests.yaml", "E061") in codes
    assert (result.passed, result.failed) == (0, 1)


# -- plans that cannot be read fail, never pass --------------------------------------------------


def test_a_yaml_syntax_error_fails_the_plan_with_its_place(
    capsys: pytest.CaptureFixture[str],
) -> None:
    path = PLANS / "syntax-error.tests.yaml"
    code, out, _ = run(capsys, str(path))
    assert code == 1
    assert summary(out) == (0, 1)
    assert f"{path}:7:26: error: YAML syntax error: mapping values are not allowed" in out
    assert f"FAIL {path}: the plan has errors, so none of its cases ran" in out
    assert "PASS" not in out


def test_a_shape_error_fails_the_plan_with_its_place(capsys: pytest.CaptureFixture[str]) -> None:
    path = PLANS / "shape-error.tests.yaml"
    code, out, _ = run(capsys, str(path))
    assert code == 1
    assert summary(out) == (0, 1)
    assert (
        f"{path}:7:9: error: unknown key 'expect_ouctome' in step 2 of case 1 "
        "(did you mean 'expect_outcome'?) [E012]"
    ) in out
    assert "PASS" not in out


def test_a_broken_plan_does_not_hide_the_others(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(
        capsys, str(PLANS / "syntax-error.tests.yaml"), str(PLANS / "passing.tests.yaml")
    )
    assert code == 1
    assert summary(out) == (2, 1)


@pytest.mark.parametrize(
    ("text", "code", "message"),
    [
        ("", "E001", "the file is empty"),
        ("cases: []\n", "E010", "should not be an empty list"),
        ("rubric: ocr-l2-unit7\n", "E011", "is missing 'cases'"),
        ("cases:\n  - name: x\n    steps:\n      - choose: 2\n", "E010", "should be text"),
        ("cases:\n  - name: x\n    steps:\n      - choose: '2'\n", "E013", "an option id"),
        ("cases:\n  - name: x\n    steps:\n      - {}\n", "E060", "it has none"),
        ("cases:\n  - name: x\n    steps:\n      - expect_say: ' '\n", "E060", "needs some text"),
        (
            "cases:\n  - name: x\n    steps:\n      - expect_var: {mood: x, refund: true}\n",
            "E010",
            "should be a whole number or true or false",
        ),
        ("cases:\n  - steps:\n      - choose: sorry\n", "E011", "is missing 'name'"),
        (
            "cases:\n  - name: x\n    steps:\n      - expect_outcome: happy\n",
            "E013",
            "'happy' is not a valid 'expect_outcome' in step 1 of case 1",
        ),
        (
            "rubric: ocr-l2-unit8\ncases:\n  - name: x\n    steps:\n      - choose: sorry\n",
            "E062",
            "(did you mean 'ocr-l2-unit7'?)",
        ),
        (
            "cases:\n  - name: x\n    steps:\n      - expect_ending: ask\n",
            "E062",
            "node 'ask' is not an ending; the endings are done, lost",
        ),
        (
            "cases:\n  - name: x\n    steps:\n      - expect_var: {refund: 1}\n",
            "E062",
            "variable 'refund' is true or false, so it can never be 1",
        ),
        (
            "rubric: ocr-l2-unit7\ncases:\n  - name: x\n    steps:\n      - expect_grade: merrit\n",
            "E062",
            "use one of in_progress, not_yet, pass, merit, distinction (did you mean 'merit'?)",
        ),
        (
            "rubric: ocr-l2-unit7\ncases:\n  - name: x\n    steps:\n"
            "      - expect_criteria: {P22: achieved}\n",
            "E062",
            "rubric 'ocr-l2-unit7' has no criterion 'P22' (did you mean 'P2'?)",
        ),
        (
            "cases:\n  - name: x\n    steps:\n      - choose: sorry\n"
            "  - name: x\n    steps:\n      - choose: rude\n",
            "E060",
            "two cases are called 'x' (the first is at line 2)",
        ),
    ],
)
def test_plan_problems_make_it_fail(tmp_path: Path, text: str, code: str, message: str) -> None:
    shutil.copy(MINI, tmp_path / "mini.scenario.yaml")
    plan = tmp_path / "mini.tests.yaml"
    plan.write_text(text)
    result = testplan.run_file(plan)
    assert [p.code for p in result.plan.problems] == [code], result.plan.problems
    assert message in result.plan.problems[0].message
    assert (result.passed, result.failed) == (0, 1)


def test_missing_paths_and_scenarios_without_plans_fail(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    shutil.copy(MINI, tmp_path / "mini.scenario.yaml")
    (tmp_path / "notes.txt").write_text("hello")
    code, out, _ = run(
        capsys,
        str(tmp_path / "nope.tests.yaml"),
        str(tmp_path / "mini.scenario.yaml"),
        str(tmp_path / "notes.txt"),
        str(tmp_path),
    )
    assert code == 1
    assert summary(out) == (0, 4)
    assert f"FAIL {tmp_path / 'nope.tests.yaml'}: no such file or folder" in out
    assert f"the scenario has no test plan (expected {tmp_path / 'mini.tests.yaml'})" in out
    assert "not a test plan (*.tests.yaml) or a scenario (*.scenario.yaml)" in out
    assert "no test plans (*.tests.yaml) in this folder" in out


def test_a_misspelt_bundled_id_gets_a_suggestion(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "faulty-kettel")
    assert code == 1
    assert "no such file or folder (did you mean 'faulty-kettle'?)" in out


def test_a_plan_named_twice_runs_once(capsys: pytest.CaptureFixture[str]) -> None:
    path = PLANS / "passing.tests.yaml"
    _, out, _ = run(capsys, str(path), str(path))
    assert summary(out) == (2, 0)


# -- the format ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "path",
    [*BUNDLED_PLANS, PLANS / "passing.tests.yaml", PLANS / "failing.tests.yaml"],
    ids=lambda p: p.name,
)
def test_plans_validate_against_the_generated_schema(path: Path) -> None:
    schema = json.loads((ROOT / "schema" / "testplan.schema.json").read_text())
    data = yaml.safe_load(path.read_text())
    assert list(jsonschema.Draft7Validator(schema).iter_errors(data)) == []


@pytest.mark.parametrize("path", BUNDLED_PLANS, ids=[p.name for p in BUNDLED_PLANS])
def test_bundled_plans_point_editors_at_the_schema(path: Path) -> None:
    first = path.read_text().splitlines()[0]
    assert first == "# yaml-language-server: $schema=../schema/testplan.schema.json"


def test_the_authoring_modules_import_neither_textual_nor_jinja2() -> None:
    code = (
        "import sys, simulator.testplan, simulator.graph, simulator.skeleton; "
        "assert 'textual' not in sys.modules and 'jinja2' not in sys.modules"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr


def test_step_keys_and_statuses_match_the_engine_and_scoring() -> None:
    assert tuple(PLAN_STEP.keys) == PLAN_STEP_KEYS
    assert CRITERION_STATUSES == STATUSES
    assert {k for k in PLAN_STEP_KEYS if k != "choose"} == {
        name for name in dir(testplan._Run) if name.startswith("expect_")
    }


def test_the_skeleton_plan_documents_every_step_kind() -> None:
    from simulator.skeleton import plan_skeleton

    text = plan_skeleton("x", "testplan.schema.json")
    for key in PLAN_STEP_KEYS:
        assert f"#   {key}:" in text, key


def test_bundled_plans_choose_by_id_only() -> None:
    for path in BUNDLED_PLANS:
        scenario = open_scenario(str(testplan.scenario_beside(path))).scenario
        for case in testplan.load_plan(path).cases:
            for step in case.steps:
                if step.kind == "choose":
                    assert scenario.option(step.value) is not None, step.value


def test_the_authoring_doc_example_plan_passes(tmp_path: Path) -> None:
    text = (ROOT / "docs" / "authoring.md").read_text()
    section = text[text.index("## `roleplay test`") :]
    block = re.search(r"```yaml\n(.*?)```", section, re.S)
    assert block is not None
    plan = tmp_path / "example.tests.yaml"
    plan.write_text("scenario: faulty-kettle\n" + block.group(1))
    result = testplan.run_file(plan)
    assert result.plan.problems == []
    assert (result.passed, result.failed) == (2, 0)


def test_the_authoring_doc_lists_every_step_kind() -> None:
    text = (ROOT / "docs" / "authoring.md").read_text()
    for key in PLAN_STEP_KEYS:
        assert f"| `{key}:" in text, key
