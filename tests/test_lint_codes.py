"""Every lint code has a bad fixture; each fixture gives exactly its problem, at the right place.

Fixtures live in tests/fixtures/lint/, one small scenario per code named
``<code>-<rule-name>.scenario.yaml`` (lower case, so the id can equal the file stem). Each is the
valid shape of tests/fixtures/valid/mini.scenario.yaml with one mistake, described in its first
line. E002 (resource limits) is tested with files generated in tmp_path instead.

The rubric codes (E050-E053) have rubric fixtures in tests/fixtures/rubrics/, each the valid
tests/fixtures/rubrics/mini.yaml with one mistake, and so has every rubric rule kind (K01-K06):
one criterion of that kind made invalid, which must give exactly one E052.
"""

from __future__ import annotations

import json
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from simulator import cli
from simulator.codes import BY_CODE, RULE_KINDS, RULES
from simulator.errors import Problem
from simulator.lint import bundled_behaviours, check_rubric_file, check_scenario_file
from simulator.model import Behaviour
from simulator.yamlsource import MAX_BYTES, MAX_DEPTH

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = Path(__file__).resolve().parent / "fixtures"
LINT = FIXTURES / "lint"
VALID = FIXTURES / "valid" / "mini.scenario.yaml"
SUFFIX = ".scenario.yaml"
RUBRICS = FIXTURES / "rubrics"
VALID_RUBRIC = RUBRICS / "mini.yaml"

BEHAVIOURS = {
    bid: Behaviour(bid, bid.title(), "positive", f"Shows {bid}.", "test vocabulary")
    for bid in (
        "empathy", "sympathy", "open_question", "explain_actions", "check_understanding",
        # the W124 fixture's Unit 7 pass route
        "closed_question", "brief_appropriate_person", "identify_options", "explain_policy",
        "complete_action",
    )
}  # fmt: skip
"""A fixed vocabulary, so these tests do not depend on rubrics/behaviours.yaml."""


def lint(path: Path, search: bool = False) -> list[Problem]:
    """Lint one file against the fixed behaviour vocabulary (and search it, for W120-W123)."""
    return check_scenario_file(path, behaviours=BEHAVIOURS, search=search)[1]


def found(problems: list[Problem]) -> list[tuple[str, int, int]]:
    return [(p.code, p.line, p.col) for p in problems]


# (fixture stem, code, line, col): the place is written by hand and points at the offending token.
TABLE: list[tuple[str, str, int, int]] = [
    ("e001-yaml-syntax", "E001", 20, 19),  # the ':' inside unquoted `Sorry: that ...`
    ("e001-empty", "E001", 1, 1),  # nothing but a comment
    ("e003-unsupported-tag", "E003", 5, 8),  # `!!python/object/apply:os.system`
    ("e004-duplicate-key", "E004", 28, 3),  # the second `done:`
    ("e010-wrong-type", "E010", 4, 10),  # `three`
    ("e011-missing-key", "E011", 24, 3),  # node `done:` that has no say
    ("e012-unknown-key", "E012", 18, 5),  # `opitons:`
    ("e013-invalid-value", "E013", 27, 10),  # `happy`
    ("e013-id-differs-from-file-name", "E013", 3, 5),  # `kettle`
    ("e014-duplicate-option-id", "E014", 24, 13),  # the second `sorry`
    ("e015-conflicting-keys", "E015", 28, 5),  # `next:` of an ending
    ("e016-invalid-variable", "E016", 12, 38),  # the `5` of `min: 5`
    ("e017-too-many-options", "E017", 28, 9),  # the tenth option
    ("e020-unknown-start", "E020", 13, 8),  # `openning`
    ("e021-unknown-node", "E021", 23, 15),  # `doen`
    ("e022-undeclared-variable", "E022", 22, 19),  # the effect key `moood`
    ("e022-undeclared-variable-in-condition", "E022", 26, 14),  # `moood` inside the quotes
    ("e023-unknown-behaviour", "E023", 21, 27),  # `empathyy`
    ("e024-unknown-speaker", "E024", 16, 14),  # `custmer`
    ("e025-unknown-option", "E025", 27, 21),  # `sory` inside chosen('sory')
    ("e026-unknown-rubric", "E026", 6, 9),  # `ocr-l2-unit8`
    ("e030-expression-syntax", "E030", 26, 19),  # `=>`
    ("e031-type-mismatch", "E031", 23, 37),  # the `+1` added to the bool `refund`
    ("e032-out-of-range", "E032", 26, 21),  # the `9` of `mood > 9`
    ("e040-dead-end", "E040", 27, 3),  # node `check:`
    ("e041-no-ending-reachable", "E041", 27, 3),  # node `hold:`
    ("e042-last-variant-conditional", "E042", 29, 9),  # the `if` of the last variant
    ("e042-last-shows-variant-conditional", "E042", 32, 13),  # the `if` of the last shows variant
    ("e043-shows-mixed", "E043", 30, 13),  # `empathy`, beside a variant
    ("e024-unknown-addressee", "E024", 30, 13),  # `custmer` of `to:`
    ("e023-corrects-not-a-mistake", "E023", 30, 20),  # `empathy` in `corrects:`
    ("w101-unreachable-node", "W101", 24, 3),  # node `aside:`
    ("w102-no-fallback", "W102", 18, 5),  # `options:` of opening
    ("w103-once-options-run-out", "W103", 18, 5),  # `options:` of opening
    ("w104-ending-never-reached", "W104", 28, 3),  # node `lost:`
    ("w105-unused-variable", "W105", 13, 3),  # `refund:`
    ("w106-todo-in-text", "W106", 26, 19),  # the `TODO` inside the quotes
    ("w107-unused-cast", "W107", 11, 3),  # `supervisor:`
    ("w108-unused-fallback", "W108", 31, 9),  # the second `fallback:`
    ("w109-option-not-rated", "W109", 53, 13),  # `give-up`, the one option without a quality
    # the search codes, found with `lint --search`
    ("w120-criterion-unreachable", "W120", 6, 1),  # `rubric:` (M2 of ocr-l2-unit7)
    ("w121-ending-unreachable-by-search", "W121", 64, 3),  # node `manager:`
    ("w122-condition-always-true", "W122", 34, 14),  # `mood < 0` inside the quotes
    ("w123-condition-always-false", "W123", 55, 14),  # `mood >= 3` inside the quotes
    ("w124-strategy-earns-grade", "W124", 6, 1),  # `rubric:` (the longest replies earn a Pass)
]


@pytest.mark.parametrize(("stem", "code", "line", "col"), TABLE, ids=[row[0] for row in TABLE])
def test_fixture_gives_exactly_its_problem(stem: str, code: str, line: int, col: int) -> None:
    path = LINT / f"{stem}{SUFFIX}"
    search = BY_CODE[code].family == "search"
    problems = lint(path, search=search)
    assert found(problems) == [(code, line, col)], "\n".join(p.format() for p in problems)
    if search:
        assert lint(path) == [], "the search codes come only with search"
    problem = problems[0]
    assert problem.path == str(path)
    assert problem.severity == BY_CODE[code].severity
    assert problem.message.strip() and "Traceback" not in problem.message


def test_fixture_names_match_their_code() -> None:
    for stem, code, _, _ in TABLE:
        assert stem.startswith(code.lower() + "-"), stem
        first_line = (LINT / f"{stem}{SUFFIX}").read_text().splitlines()[0]
        assert first_line.startswith(f"# {code} {BY_CODE[code].name}:"), first_line


def test_every_fixture_file_is_in_the_table() -> None:
    on_disk = {p.name[: -len(SUFFIX)] for p in LINT.glob(f"*{SUFFIX}")}
    assert on_disk == {row[0] for row in TABLE}


def test_fixture_ids_equal_their_file_stems() -> None:
    """Apart from the fixture for exactly that mistake, no fixture trips the id check."""
    for path in LINT.glob(f"*{SUFFIX}"):
        text = path.read_text()
        stem = path.name[: -len(SUFFIX)]
        if "\nid: " in text and stem != "e013-id-differs-from-file-name":
            assert f"\nid: {stem}\n" in text, path.name


# -- E002: resource limits, on files generated here --------------------------------------------


def billion_laughs(tmp: Path) -> Path:
    """Nine levels of ten aliases each: a billion values if expanded, a few hundred bytes here."""
    lines = ["a: &a [x, x, x, x, x, x, x, x, x, x]"]
    for prev, name in zip("abcdefgh", "bcdefghi", strict=True):
        lines.append(f"{name}: &{name} [" + ", ".join([f"*{prev}"] * 10) + "]")
    path = tmp / "laughs.scenario.yaml"
    path.write_text("\n".join(lines) + "\n")
    return path


def deep_flow(tmp: Path) -> Path:
    path = tmp / "deep.scenario.yaml"
    path.write_text("title: " + "[" * 200 + "]" * 200 + "\n")
    return path


def deep_block(tmp: Path) -> Path:
    path = tmp / "deepblock.scenario.yaml"
    path.write_text("".join("  " * i + f"k{i}:\n" for i in range(80)) + "  " * 80 + "v\n")
    return path


def oversized(tmp: Path) -> Path:
    path = tmp / "big.scenario.yaml"
    path.write_text("title: x\n# " + "x" * MAX_BYTES + "\n")
    return path


# (name, builder, code, line, col)
GENERATED: list[tuple[str, Callable[[Path], Path], str, int, int]] = [
    # the expansion passes 100,000 values inside `e: &e [*d, ...]`: the 5th line, at `&e`
    ("billion-laughs", billion_laughs, "E002", 5, 4),
    # `title: ` is 7 characters, so the 65th `[` (one level too deep) is column 8 + 64
    ("deep-flow", deep_flow, "E002", 1, 8 + MAX_DEPTH),
    # key k64 on line 65 holds the 65th mapping; its value starts on line 66 at column 131
    ("deep-block", deep_block, "E002", 66, 131),
    ("oversized", oversized, "E002", 1, 1),
]


@pytest.mark.parametrize(
    ("name", "build", "code", "line", "col"), GENERATED, ids=[row[0] for row in GENERATED]
)
def test_resource_limits(
    tmp_path: Path, name: str, build: Callable[[Path], Path], code: str, line: int, col: int
) -> None:
    path = build(tmp_path)
    started = time.perf_counter()
    problems = lint(path)
    assert time.perf_counter() - started < 5, "refused files must fail fast"
    assert found(problems) == [(code, line, col)], "\n".join(p.format() for p in problems)


def test_oversized_message_shows_the_size_in_bytes(tmp_path: Path) -> None:
    (problem,) = lint(oversized(tmp_path))
    assert f"{MAX_BYTES:,} bytes" in problem.message
    assert f"{oversized(tmp_path).stat().st_size:,} bytes" in problem.message


def test_every_code_has_a_fixture() -> None:
    """A new rule without a bad fixture (scenario, rubric or generated case) fails here."""
    covered = (
        {row[1] for row in TABLE}
        | {row[1] for row in RUBRIC_TABLE}
        | {row[2] for row in GENERATED}
        | {row[1] for row in PLAN_TABLE}
    )
    assert covered == {rule.code for rule in RULES}


# -- rubric fixtures: the rubric codes, and one broken criterion per rule kind -------------------


def lint_rubric(path: Path) -> list[Problem]:
    """Lint one rubric file against the fixed behaviour vocabulary."""
    return check_rubric_file(path, behaviours=BEHAVIOURS)[1]


# (fixture stem, code, line, col), as TABLE, for rubric files.
RUBRIC_TABLE: list[tuple[str, str, int, int]] = [
    ("e050-rubric-unknown-behaviour", "E050", 24, 13),  # `open_questoin`
    ("e051-duplicate-criterion", "E051", 32, 11),  # the second `M1`
    ("e052-invalid-rule", "E052", 25, 17),  # the `3` of `distinct: 3` (two behaviours listed)
    ("e053-unknown-band", "E053", 28, 11),  # `merrit`
]

# (rule kind, fixture stem, line, col) of the one E052 each gives.
KIND_TABLE: list[tuple[str, str, int, int]] = [
    ("K01", "k01-session-rule-without-behaviours", 23, 5),  # `rule:` with only `to`
    ("K02", "k02-cause-assessment-without-response", 13, 5),  # the criterion (P1) itself
    ("K03", "k03-review-with-a-rule", 32, 5),  # `rule:` on a review criterion
    ("K04", "k04-learning-plan-on-a-session-criterion", 23, 5),  # `response:` on a session one
    ("K05", "k05-portfolio-values-without-of", 40, 5),  # `portfolio:` with values, no of
    ("K06", "k06-tutor-with-a-rule", 36, 5),  # `rule:` on a tutor criterion
]


@pytest.mark.parametrize(
    ("stem", "code", "line", "col"), RUBRIC_TABLE, ids=[row[0] for row in RUBRIC_TABLE]
)
def test_rubric_fixture_gives_exactly_its_problem(
    stem: str, code: str, line: int, col: int
) -> None:
    path = RUBRICS / f"{stem}.yaml"
    problems = lint_rubric(path)
    assert found(problems) == [(code, line, col)], "\n".join(p.format() for p in problems)
    problem = problems[0]
    assert problem.path == str(path)
    assert problem.severity == BY_CODE[code].severity
    assert problem.message.strip() and "Traceback" not in problem.message


@pytest.mark.parametrize(
    ("kind", "stem", "line", "col"), KIND_TABLE, ids=[r[0] for r in KIND_TABLE]
)
def test_rule_kind_fixture_gives_one_invalid_rule(
    kind: str, stem: str, line: int, col: int
) -> None:
    problems = lint_rubric(RUBRICS / f"{stem}.yaml")
    assert found(problems) == [("E052", line, col)], "\n".join(p.format() for p in problems)


def test_every_rule_kind_has_a_bad_fixture() -> None:
    assert [row[0] for row in KIND_TABLE] == [kind.code for kind in RULE_KINDS]


def test_rubric_fixture_names_match_their_code() -> None:
    for stem, code, _, _ in RUBRIC_TABLE:
        assert stem.startswith(code.lower() + "-"), stem
        first_line = (RUBRICS / f"{stem}.yaml").read_text().splitlines()[0]
        assert first_line.startswith(f"# {code} {BY_CODE[code].name}:"), first_line
    names = {kind.code: kind.name for kind in RULE_KINDS}
    for kind, stem, _, _ in KIND_TABLE:
        assert stem.startswith(kind.lower() + "-"), stem
        first_line = (RUBRICS / f"{stem}.yaml").read_text().splitlines()[0]
        assert first_line.startswith(f"# {kind} {names[kind]}, E052 invalid-rule:"), first_line


def test_every_rubric_fixture_file_is_in_a_table() -> None:
    on_disk = {p.stem for p in RUBRICS.glob("*.yaml")}
    tabled = {row[0] for row in RUBRIC_TABLE} | {row[1] for row in KIND_TABLE}
    assert on_disk == tabled | {VALID_RUBRIC.stem}


def test_rubric_fixture_ids_equal_their_file_stems() -> None:
    for path in RUBRICS.glob("*.yaml"):
        assert f"\nid: {path.stem}\n" in path.read_text(), path.name


def test_valid_mini_rubric_has_no_problems() -> None:
    loaded, problems = check_rubric_file(VALID_RUBRIC, behaviours=BEHAVIOURS)
    assert problems == []
    assert loaded.rubric is not None
    assert [c.assess for c in loaded.rubric.criteria] == [
        "learner_response",
        "session",
        "learner_response",
        "tutor",
    ]


def test_unknown_rubric_names_the_bundled_ones() -> None:
    (problem,) = lint(LINT / "e026-unknown-rubric.scenario.yaml")
    assert "(did you mean 'ocr-l2-unit7'?)" in problem.message


# -- the valid scenario, generated docs ---------------------------------------------------------


def test_valid_mini_has_no_problems() -> None:
    loaded, problems = check_scenario_file(VALID, behaviours=BEHAVIOURS)
    assert problems == []
    assert loaded.scenario is not None


def test_valid_mini_has_no_problems_with_bundled_behaviours() -> None:
    if not bundled_behaviours():
        pytest.skip("rubrics/behaviours.yaml is not there yet")
    assert check_scenario_file(VALID)[1] == []


def test_unknown_behaviour_with_bundled_vocabulary() -> None:
    if "empathy" not in bundled_behaviours():
        pytest.skip("rubrics/behaviours.yaml is not there yet")
    problems = check_scenario_file(LINT / "e023-unknown-behaviour.scenario.yaml")[1]
    assert found(problems) == [("E023", 21, 27)]


def test_generated_docs_are_current() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "simulator.docs", "--check"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr


# -- messages -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("stem", "suggestion"),
    [
        ("e012-unknown-key", "options"),
        ("e021-unknown-node", "done"),
        ("e022-undeclared-variable", "mood"),
        ("e022-undeclared-variable-in-condition", "mood"),
        ("e023-unknown-behaviour", "empathy"),
        ("e024-unknown-speaker", "customer"),
        ("e020-unknown-start", "opening"),
        ("e025-unknown-option", "sorry"),
    ],
)
def test_did_you_mean(stem: str, suggestion: str) -> None:
    (problem,) = lint(LINT / f"{stem}{SUFFIX}")
    assert f"(did you mean '{suggestion}'?)" in problem.message


def test_all_problems_are_reported_at_once() -> None:
    problems = lint(FIXTURES / "multi" / "several-errors.scenario.yaml")
    assert found(problems) == [
        ("E010", 4, 10),  # version: three
        ("E024", 16, 14),  # speaker: custmer
        ("E021", 23, 15),  # next: doen
        ("E030", 26, 19),  # mood => 2
        ("E012", 27, 9),  # feedbak:
        ("W106", 31, 19),  # TODO
    ]


def test_unclosed_bracket_says_where_it_was_opened(tmp_path: Path) -> None:
    path = tmp_path / "x.scenario.yaml"
    path.write_text("title: x\nnodes:\n  a:\n    say: [oops\n    end: resolved\n")
    (problem,) = lint(path)
    assert problem.code == "E001"
    assert "line 4, column 10" in problem.message  # the '['


# -- one mistake, one problem: no cascades -------------------------------------------------------

MINI = VALID.read_text()


@pytest.mark.parametrize(
    ("old", "new", "expected"),
    [
        pytest.param("      - id: sorry", "      - idd: sorry", ["E012"], id="misspelt-option-id"),
        pytest.param("        next: middle", "        next: 5", ["E010"], id="next-wrong-type"),
        pytest.param("start: opening", "strat: opening", ["E012"], id="misspelt-start"),
        pytest.param("    end: resolved", "    ned: resolved", ["E012"], id="misspelt-end"),
        pytest.param("  customer: {name: Ann}", "  customer: Ann", ["E010"], id="cast-not-map"),
        pytest.param("mood: {type: int,", "mood: {type: integer,", ["E013"], id="bad-var-type"),
        pytest.param("title: Mini", "title: !custom Mini", ["E003"], id="custom-tag"),
        pytest.param("      - id: rude", "      - id: sorry", ["E014"], id="dup-option-id"),
        pytest.param("start: opening", 'start: ""', ["E020"], id="empty-start"),
        pytest.param(
            "      refer_to: supervisor", "      refer_to: supervisr", ["E024"], id="refer-to"
        ),
        pytest.param(
            '"mood > -2 and not refund"',
            '"mood > -2 and not refund)"',
            ["E030"],
            id="unreadable-condition-is-only-reader",
        ),
        pytest.param(
            "    speaker: customer\n    say: Thanks",
            "    speaker: 7\n    say: Thanks",
            ["E010"],
            id="speaker-wrong-type",
        ),
        pytest.param(
            "  done:\n    speaker: customer\n    say: Thanks\n    end: resolved\n",
            "  done:\n",
            ["E010"],
            id="empty-node",
        ),
        pytest.param(
            "    say: You listen.\n    next: ask\n",
            "    say: You listen.\n",
            ["E040"],
            id="dead-end-on-the-only-route",
        ),
        pytest.param(
            '        next: done\n      - id: give-up\n        say: "Bye"\n        next: lost',
            '        next: middle\n      - id: give-up\n        say: "Bye"\n        next: middle',
            ["E041", "W104", "W104"],  # one trap (middle -> ask -> middle); two lost endings
            id="trap-reported-once",
        ),
    ],
)
def test_one_mistake_one_problem(tmp_path: Path, old: str, new: str, expected: list[str]) -> None:
    assert MINI.count(old) >= 1, old
    path = tmp_path / "mini.scenario.yaml"
    path.write_text(MINI.replace(old, new, 1))
    problems = lint(path)
    assert [p.code for p in problems] == expected, "\n".join(p.format() for p in problems)


def test_every_misspelt_speaker_is_reported_but_cast_is_not_unused(tmp_path: Path) -> None:
    path = tmp_path / "mini.scenario.yaml"
    path.write_text(MINI.replace("speaker: customer", "speaker: custmer"))
    problems = lint(path)
    assert {p.code for p in problems} == {"E024"}
    assert len(problems) == MINI.count("speaker: customer")


# -- the command line ---------------------------------------------------------------------------


def test_json_format(capsys: pytest.CaptureFixture[str]) -> None:
    path = LINT / "e021-unknown-node.scenario.yaml"
    assert cli.main(["lint", "--format", "json", str(path)]) == 1
    out = json.loads(capsys.readouterr().out)
    assert isinstance(out, list) and len(out) == 1
    assert set(out[0]) == {"path", "line", "col", "severity", "code", "message"}
    assert out[0] | {"message": ""} == {
        "path": str(path),
        "line": 23,
        "col": 15,
        "severity": "error",
        "code": "E021",
        "message": "",
    }


def test_warnings_alone_exit_0(capsys: pytest.CaptureFixture[str]) -> None:
    path = LINT / "w107-unused-cast.scenario.yaml"
    assert cli.main(["lint", str(path)]) == 0
    assert f"{path}:11:3: warning:" in capsys.readouterr().out


def test_strict_turns_a_warning_into_exit_1(capsys: pytest.CaptureFixture[str]) -> None:
    path = LINT / "w107-unused-cast.scenario.yaml"
    assert cli.main(["lint", "--strict", str(path)]) == 1


def test_errors_exit_1(capsys: pytest.CaptureFixture[str]) -> None:
    path = LINT / "e040-dead-end.scenario.yaml"
    assert cli.main(["lint", str(path)]) == 1
    assert f"{path}:27:3: error:" in capsys.readouterr().out


def test_valid_file_exits_0(capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.main(["lint", "--strict", str(VALID)]) == 0


def test_missing_path_is_a_located_problem(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    missing = tmp_path / "nowhere.scenario.yaml"
    assert cli.main(["lint", str(missing)]) == 1
    captured = capsys.readouterr()
    assert f"{missing}:1:1: error:" in captured.out
    assert "[E001]" in captured.out
    assert "Traceback" not in captured.out + captured.err


# -- test-plan fixtures: the codes `roleplay test` gives (E060-E062) -----------------------------

PLANS = FIXTURES / "testplans"

# (fixture stem, code, line, col), as TABLE, for test plans in tests/fixtures/testplans/; each is
# a small plan on tests/fixtures/valid/mini.scenario.yaml with one mistake.
PLAN_TABLE: list[tuple[str, str, int, int]] = [
    ("e060-invalid-plan", "E060", 6, 9),  # the step holding both `choose` and `expect_say`
    ("e061-plan-scenario-not-found", "E061", 2, 11),  # `../valid/mnii.scenario.yaml`
    ("e062-invalid-expectation", "E062", 7, 22),  # the key `moood`
]


@pytest.mark.parametrize(
    ("stem", "code", "line", "col"), PLAN_TABLE, ids=[r[0] for r in PLAN_TABLE]
)
def test_plan_fixture_gives_exactly_its_problem(stem: str, code: str, line: int, col: int) -> None:
    from simulator.testplan import load_plan, run_plan

    path = PLANS / f"{stem}.tests.yaml"
    plan = load_plan(path)
    assert found(plan.problems) == [(code, line, col)], "\n".join(p.format() for p in plan.problems)
    problem = plan.problems[0]
    assert problem.path == str(path)
    assert problem.severity == BY_CODE[code].severity
    assert problem.message.strip() and "Traceback" not in problem.message
    assert run_plan(plan).failed == 1  # a plan with a problem never passes
    first_line = path.read_text().splitlines()[0]
    assert stem.startswith(code.lower() + "-")
    assert first_line.startswith(f"# {code} {BY_CODE[code].name}:"), first_line


def test_every_plan_code_fixture_is_in_the_table() -> None:
    on_disk = {p.name.removesuffix(".tests.yaml") for p in PLANS.glob("e0*.tests.yaml")}
    assert on_disk == {row[0] for row in PLAN_TABLE}


@pytest.mark.parametrize(
    ("stem", "suggestion"),
    [("e061-plan-scenario-not-found", "mini.scenario.yaml"), ("e062-invalid-expectation", "mood")],
)
def test_plan_did_you_mean(stem: str, suggestion: str) -> None:
    from simulator.testplan import load_plan

    (problem,) = load_plan(PLANS / f"{stem}.tests.yaml").problems
    assert f"(did you mean '{suggestion}'?)" in problem.message
