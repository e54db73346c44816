"""`roleplay new`: a commented skeleton that passes lint --strict and its own test plan at once."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import pytest
import yaml

from simulator import skeleton, testplan
from simulator.catalog import open_scenario
from simulator.cli import main
from simulator.lint import check_scenario_file
from simulator.lint.graph import reachable_from
from simulator.resources import bundled_dir

ROOT = Path(__file__).resolve().parent.parent
SCHEMA_LINE = "# yaml-language-server: $schema="


def new(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(["new", *args])
    out, err = capsys.readouterr()
    return code, out, err


def schema_of(path: Path) -> Path:
    """Return the schema file the first line of a scenario points editors at."""
    first = path.read_text().splitlines()[0]
    assert first.startswith(SCHEMA_LINE), first
    ref = Path(first[len(SCHEMA_LINE) :])
    return ref if ref.is_absolute() else (path.parent / ref).resolve()


def test_new_writes_a_scenario_and_plan_that_pass_lint_strict_and_test(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, _ = new(capsys, "late-parcel", "--dir", str(tmp_path))
    scenario, plan = tmp_path / "late-parcel.scenario.yaml", tmp_path / "late-parcel.tests.yaml"
    assert code == 0
    assert f"wrote {scenario}" in out and f"wrote {plan}" in out
    assert main(["lint", "--strict", str(scenario)]) == 0
    assert "no problems" in capsys.readouterr().err
    assert main(["test", str(plan)]) == 0
    out = capsys.readouterr().out
    assert out.rstrip().endswith("\n2 passed, 0 failed")
    assert main(["test", str(scenario)]) == 0  # the plan is found beside the scenario


def test_the_skeleton_validates_against_the_schema_it_names(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert new(capsys, "late-parcel", "--dir", str(tmp_path))[0] == 0
    path = tmp_path / "late-parcel.scenario.yaml"
    schema = schema_of(path)
    assert schema.is_file()
    validator = jsonschema.Draft7Validator(json.loads(schema.read_text()))
    assert list(validator.iter_errors(yaml.safe_load(path.read_text()))) == []


def test_the_plan_names_the_test_plan_schema_and_validates_against_it(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert new(capsys, "late-parcel", "--dir", str(tmp_path))[0] == 0
    path = tmp_path / "late-parcel.tests.yaml"
    schema = schema_of(path)
    assert schema.name == "testplan.schema.json" and schema.is_file()
    validator = jsonschema.Draft7Validator(json.loads(schema.read_text()))
    assert list(validator.iter_errors(yaml.safe_load(path.read_text()))) == []


def test_in_a_repository_the_schema_path_is_relative(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "schema").mkdir()
    (tmp_path / "schema" / "scenario.schema.json").write_text("{}")
    (tmp_path / "scenarios").mkdir()
    monkeypatch.chdir(tmp_path)
    code, out, _ = new(capsys, "late-parcel")  # ./scenarios exists, so it is the default
    assert code == 0
    path = Path("scenarios") / "late-parcel.scenario.yaml"
    assert f"wrote {path}" in out
    first = path.read_text().splitlines()[0]
    assert first == f"{SCHEMA_LINE}../schema/scenario.schema.json"
    assert schema_of(path) == (tmp_path / "schema" / "scenario.schema.json").resolve()


def test_the_repositorys_own_scenarios_folder_gets_the_bundled_line() -> None:
    """Written into this repository's scenarios/, the line equals the bundled scenarios' line."""
    line = (ROOT / "scenarios" / "faulty-kettle.scenario.yaml").read_text().splitlines()[0]
    assert line == SCHEMA_LINE + skeleton.schema_reference(ROOT / "scenarios")


def test_outside_a_repository_the_bundled_schema_is_named(tmp_path: Path) -> None:
    folder = tmp_path / "somewhere"
    folder.mkdir()
    ref = skeleton.schema_reference(folder)
    if (tmp_path / "schema").exists():  # pragma: no cover - a schema folder above /tmp
        pytest.skip("a schema/ folder above the temporary folder")
    assert Path(ref).is_absolute()
    assert Path(ref) == (bundled_dir("schema") / "scenario.schema.json").resolve()


def test_without_a_scenarios_folder_it_writes_here(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    assert new(capsys, "late-parcel")[0] == 0
    assert (tmp_path / "late-parcel.scenario.yaml").is_file()
    assert (tmp_path / "late-parcel.tests.yaml").is_file()


def test_a_new_dir_is_created(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    folder = tmp_path / "course" / "week-3"
    assert new(capsys, "late-parcel", "--dir", str(folder))[0] == 0
    assert main(["test", str(folder)]) == 0


@pytest.mark.parametrize("existing", ["late-parcel.scenario.yaml", "late-parcel.tests.yaml"])
def test_new_refuses_to_overwrite(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], existing: str
) -> None:
    (tmp_path / existing).write_text("mine\n")
    code, out, err = new(capsys, "late-parcel", "--dir", str(tmp_path))
    assert code == 1
    assert f"{tmp_path / existing} already exists" in err and "nothing was written" in err
    assert out == ""
    assert (tmp_path / existing).read_text() == "mine\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == [existing]


def test_new_twice_refuses_the_second_time(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert new(capsys, "late-parcel", "--dir", str(tmp_path))[0] == 0
    before = (tmp_path / "late-parcel.scenario.yaml").read_text()
    code, _, err = new(capsys, "late-parcel", "--dir", str(tmp_path))
    assert code == 1 and "already exist" in err
    assert (tmp_path / "late-parcel.scenario.yaml").read_text() == before


@pytest.mark.parametrize(
    "bad", ["Late-Parcel", "late_parcel", "late--parcel", "-late", "late-", "late parcel", "café"]
)
def test_new_refuses_an_id_that_is_not_kebab_case(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], bad: str
) -> None:
    code, out, err = new(capsys, "--dir", str(tmp_path), "--", bad)
    assert code == 2
    assert f"'{bad}' is not a valid scenario id: use kebab-case" in err
    assert out == "" and list(tmp_path.iterdir()) == []


def test_new_needs_an_id(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["new"]) == 2


# -- what the skeleton teaches -------------------------------------------------------------------


@pytest.fixture
def written(tmp_path: Path) -> Path:
    path = tmp_path / "late-parcel.scenario.yaml"
    path.write_text(skeleton.scenario_skeleton("late-parcel", "../schema/scenario.schema.json"))
    (tmp_path / "late-parcel.tests.yaml").write_text(
        skeleton.plan_skeleton("late-parcel", "testplan.schema.json")
    )
    return path


def test_the_skeleton_shows_each_part_of_a_first_scenario(written: Path) -> None:
    s = open_scenario(str(written)).scenario
    assert s.id == "late-parcel" and s.title == "Late parcel"
    talking = [n for n in s.nodes.values() if not n.is_end]
    assert 2 <= len(talking) <= 3
    # a supervisor node where the learner speaks to the person they refer to
    assert s.context.organisation.refer_to == "supervisor"
    assert any(n.speaker == "supervisor" and n.options for n in s.nodes.values())
    # a variable with a meter, read by a condition
    assert any(v.meter for v in s.variables.values())
    assert any(o.condition is not None for n in s.nodes.values() for o in n.options)
    assert any(v.condition is not None for n in s.nodes.values() for v in n.say)
    # a loop
    assert any(
        n.id in reachable_from(s.nodes, nxt) for n in s.nodes.values() for nxt in n.successors()
    )
    # two endings with different outcomes
    assert sorted(n.end for n in s.nodes.values() if n.end) == ["customer_lost", "resolved"]
    # every option shows behaviours and explains itself
    for node in s.nodes.values():
        for option in node.options:
            assert option.shows and option.feedback, option.id


def test_the_skeleton_explains_each_key_with_a_comment(written: Path) -> None:
    lines = written.read_text().splitlines()
    for key in ("format", "id", "version", "title", "rubric", "context", "cast", "variables",
                "start", "difficulty"):  # fmt: skip
        (line,) = [line for line in lines if line.startswith(f"{key}:")]
        assert "  # " in line, line
    for key in ("say:", "options:", "shows:", "effects:", "if:", "next:", "end:"):
        assert any(key in line and "# " in line for line in lines), key


def test_the_skeleton_is_clean_and_its_plan_covers_both_endings(written: Path) -> None:
    assert check_scenario_file(written)[1] == []
    result = testplan.run_file(written.with_name("late-parcel.tests.yaml"))
    assert result.plan.problems == []
    assert [r.passed for r in result.cases] == [True, True]
    outcomes = {s.value for c in result.plan.cases for s in c.steps if s.kind == "expect_outcome"}
    assert outcomes == {"resolved", "customer_lost"}


@pytest.mark.parametrize("scenario_id", ["a", "x9", "week-3-late-parcel"])
def test_the_skeleton_works_for_any_kebab_id(tmp_path: Path, scenario_id: str) -> None:
    path = tmp_path / f"{scenario_id}.scenario.yaml"
    path.write_text(skeleton.scenario_skeleton(scenario_id, "schema.json"))
    (tmp_path / f"{scenario_id}.tests.yaml").write_text(
        skeleton.plan_skeleton(scenario_id, "testplan.schema.json")
    )
    assert check_scenario_file(path)[1] == []
    assert testplan.run_file(tmp_path / f"{scenario_id}.tests.yaml").failed == 0
