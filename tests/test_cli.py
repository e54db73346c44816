"""Behaviour tests of the ``roleplay`` command, in process and as a real subprocess."""

from __future__ import annotations

import io
import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

import simulator
from simulator import catalog
from simulator.catalog import bundled_scenario_paths, scenario_id_of
from simulator.cli import main

FIXTURES = Path(__file__).parent / "fixtures" / "engine"
EFFECTS = str(FIXTURES / "effects.scenario.yaml")
ONCE = str(FIXTURES / "once-fallback.scenario.yaml")
STUCK = str(FIXTURES / "stuck.scenario.yaml")
ROLEPLAY = Path(sys.executable).parent / "roleplay"
BUNDLED = bundled_scenario_paths()

BROKEN = """\
format: 1
id: broken
version: 1
title: Broken
context:
  issue: product_faulty
  channel: telephone
cast:
  customer: {name: Ann}
start: opening
nodes:
  opening:
    speaker: customer
    say: "Hello."
    options:
      - id: go
        say: "Hi."
        next: middel
  middle:
    speaker: customer
    say: "Bye."
    end: resolved
"""


def run_cli(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    """Run ``roleplay ARGS`` in process; return the exit code, stdout and stderr."""
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


def run_process(*args: str, script: bool = False, cwd: Path | None = None) -> tuple[int, str, str]:
    """Run ``roleplay ARGS`` as a subprocess without a terminal."""
    command = [str(ROLEPLAY)] if script else [sys.executable, "-m", "simulator"]
    result = subprocess.run(
        [*command, *args],
        capture_output=True,
        text=True,
        stdin=subprocess.DEVNULL,
        cwd=cwd,
        timeout=60,
    )
    return result.returncode, result.stdout, result.stderr


@pytest.fixture
def broken_file(tmp_path: Path) -> Path:
    path = tmp_path / "broken.scenario.yaml"
    path.write_text(BROKEN, encoding="utf-8")
    return path


@pytest.fixture
def fixtures_bundled(monkeypatch: pytest.MonkeyPatch) -> list[Path]:
    """Make the engine fixtures stand in for the bundled scenarios."""
    paths = sorted(FIXTURES.glob("*.scenario.yaml"))
    monkeypatch.setattr(catalog, "bundled_scenario_paths", lambda: paths)
    monkeypatch.setattr("simulator.commands.bundled_scenario_paths", lambda: paths)
    return paths


needs_script = pytest.mark.skipif(not ROLEPLAY.exists(), reason="roleplay script not installed")


# -- run: text ---------------------------------------------------------------------------------


def test_run_prints_transcript_and_ending(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run_cli(capsys, "run", EFFECTS, "--choose", "calm,calm,promise,finish")
    assert code == 0, err
    lines = out.splitlines()
    assert lines[0] == "Effects and clamping (effects, version 1)"
    assert "  Ann: My kettle is broken." in lines
    assert "  You [calm]: I understand, let me help." in lines
    assert "  Ann: That is much better, thank you." in lines
    assert "  You [finish]: Your refund is on its way." in lines
    assert "Ending: resolved (node 'done')" in lines
    assert "Variables: mood=3, patience=2, level=7, refund=true" in lines
    assert err == ""


def test_run_accepts_numbers(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run_cli(capsys, "run", EFFECTS, "--choose", "5")
    assert code == 0
    assert "  You [leave]: Goodbye." in out.splitlines()
    assert "Ending: unresolved (node 'bye')" in out


def test_run_without_choices_is_unfinished(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run_cli(capsys, "run", EFFECTS)
    assert code == 0
    assert "Ending:" not in out
    assert "Not finished: at node 'desk'; options now: 1. calm, 2. snap" in out


def test_run_marks_automatic_steps(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run_cli(capsys, "run", ONCE, "--choose", "ask-name,ask-order")
    assert code == 0
    assert "  You [auto]: Thank you, that is everything I need." in out.splitlines()


def test_run_narrator_lines(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run_cli(capsys, "run", str(FIXTURES / "chain.scenario.yaml"))
    assert code == 0
    assert "  (A shop on a Monday morning.)" in out.splitlines()


# -- run: JSON ---------------------------------------------------------------------------------


def test_run_json_finished(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run_cli(capsys, "run", ONCE, "--choose", "ask-name,ask-order,thank", "--json")
    assert code == 0
    result = json.loads(out)
    assert {"scenario", "scenario_version", "path", "ending", "variables"} <= set(result)
    assert result["scenario"] == "once-fallback"
    assert result["scenario_version"] == 1
    assert [(s["node"], s["option"]) for s in result["path"]] == [
        ("questions", "ask-name"),
        ("questions", "ask-order"),
        ("questions", "out-of-questions"),
        ("wrap", "thank"),
    ]
    assert [s.get("auto", False) for s in result["path"]] == [False, False, True, False]
    assert result["ending"] == {"node": "done", "outcome": "resolved"}
    assert result["variables"] == {"asked": 2, "wrapped": True}


def test_run_json_unfinished(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run_cli(capsys, "run", EFFECTS, "--choose", "snap", "--json")
    assert code == 0
    result = json.loads(out)
    assert result["ending"] is None
    assert result["path"] == [{"node": "desk", "option": "snap"}]
    assert result["variables"] == {"mood": -2, "patience": 0, "level": 0, "refund": False}


# -- run: errors -------------------------------------------------------------------------------


def test_run_unavailable_option_exits_3(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run_cli(capsys, "run", ONCE, "--choose", "ask-name,ask-name")
    assert code == 3
    assert "'questions'" in err
    assert "ask-name" in err
    assert "ask-order" in err
    assert "  You [ask-name]: May I take your name?" in out  # what happened so far is shown
    assert "Traceback" not in out + err


def test_run_unavailable_option_exits_3_with_json(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run_cli(capsys, "run", EFFECTS, "--choose", "calm,finish", "--json")
    assert code == 3
    assert json.loads(out)["path"] == [{"node": "desk", "option": "calm"}]
    assert "'desk'" in err
    assert "calm" in err and "leave" in err


def test_run_misspelt_option_suggests_the_one_meant(capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run_cli(capsys, "run", "faulty-kettle", "--choose", "sorry-tel-me")
    assert code == 3
    assert (
        "option 'sorry-tel-me' is not available at node 'opening' (did you mean 'sorry-tell-me'?)"
        in err
    )
    code, _, err = run_cli(capsys, "run", "faulty-kettle", "--choose", "xyzzy")
    assert code == 3 and "did you mean" not in err  # nothing close: just the list


def test_run_choice_after_ending_exits_3(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run_cli(capsys, "run", EFFECTS, "--choose", "leave,calm")
    assert code == 3
    assert "Ending: unresolved" in out
    assert "calm" in err
    assert "ended" in err


def test_run_odd_number_is_unavailable_not_a_crash(capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run_cli(capsys, "run", EFFECTS, "--choose", "²")
    assert code == 3
    assert "'desk'" in err


def test_run_stuck_conversation_fails(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run_cli(capsys, "run", STUCK, "--choose", "go")
    assert code == 1
    assert "stuck" in err
    assert "door" in err
    assert "Ending:" not in out
    assert "Traceback" not in out + err


def test_run_unknown_id_suggests_close_match(
    capsys: pytest.CaptureFixture[str], fixtures_bundled: list[Path]
) -> None:
    code, out, err = run_cli(capsys, "run", "efects")
    assert code == 1
    assert out == ""
    assert "did you mean 'effects'" in err


def test_run_unknown_id_without_close_match(
    capsys: pytest.CaptureFixture[str], fixtures_bundled: list[Path]
) -> None:
    code, _, err = run_cli(capsys, "run", "zzzzzzzz")
    assert code == 1
    assert "zzzzzzzz" in err
    assert "did you mean" not in err


def test_run_folder_is_rejected(capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run_cli(capsys, "run", str(FIXTURES))
    assert code == 1
    assert "folder" in err


@pytest.mark.skipif(not BUNDLED, reason="no bundled scenarios in scenarios/ yet")
def test_run_unknown_bundled_id_suggests_close_match(capsys: pytest.CaptureFixture[str]) -> None:
    real = scenario_id_of(BUNDLED[0])
    code, _, err = run_cli(capsys, "run", real[:-1])
    assert code == 1
    assert f"did you mean '{real}'" in err


def test_run_broken_file_reports_located_problems(
    capsys: pytest.CaptureFixture[str], broken_file: Path
) -> None:
    code, out, err = run_cli(capsys, "run", str(broken_file))
    assert code == 1
    assert out == ""
    located = re.compile(rf"^{re.escape(str(broken_file))}:(\d+):(\d+): error: .+ \[E\d{{3}}\]$")
    matches = [m for m in map(located.match, err.splitlines()) if m]
    assert matches
    assert (int(matches[0][1]), int(matches[0][2])) == (18, 15)  # the `middel` value
    assert "did you mean 'middle'" in err
    assert "Traceback" not in out + err


@pytest.mark.parametrize(
    "content",
    [b"", b"\xff\xfe\x00bad", b"- a\n- b\n", b"format: 1\nid: [\n", b"nodes: 3\n"],
    ids=["empty", "not-utf8", "list", "yaml-syntax", "wrong-shape"],
)
def test_run_unreadable_files_fail_cleanly(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, content: bytes
) -> None:
    path = tmp_path / "bad.scenario.yaml"
    path.write_bytes(content)
    code, out, err = run_cli(capsys, "run", str(path))
    assert code == 1
    assert re.search(rf"^{re.escape(str(path))}:\d+:\d+: error: ", err, re.MULTILINE)
    assert "Traceback" not in out + err


# -- usage -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "args",
    [
        ["lint"],
        ["frobnicate"],
        ["lint", EFFECTS, "--format", "xml"],
        ["run"],
        ["run", EFFECTS, "--bogus"],
    ],
    ids=["lint-no-paths", "unknown-command", "bad-format", "run-no-scenario", "unknown-flag"],
)
def test_usage_errors_exit_2(capsys: pytest.CaptureFixture[str], args: list[str]) -> None:
    code, out, err = run_cli(capsys, *args)
    assert code == 2
    assert "usage:" in err
    assert "--help" in err
    assert "Traceback" not in out + err


def test_version(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run_cli(capsys, "--version")
    assert code == 0
    assert out.strip() == f"roleplay {simulator.__version__}"


def test_help(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run_cli(capsys, "--help")
    assert code == 0
    for command in ("play", "lint", "run", "list"):
        assert command in out


# -- lint ----------------------------------------------------------------------------------------


def test_lint_fixtures_has_only_a_warning(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run_cli(capsys, "lint", str(FIXTURES))
    assert code == 0
    assert "[W102]" in out
    assert "0 errors, 1 warning" in err
    code, _, _ = run_cli(capsys, "lint", "--strict", str(FIXTURES))
    assert code == 1


def test_lint_broken_json(capsys: pytest.CaptureFixture[str], broken_file: Path) -> None:
    code, out, _ = run_cli(capsys, "lint", "--format", "json", str(broken_file))
    assert code == 1
    problems = json.loads(out)
    assert any(p["code"] == "E021" and p["line"] == 18 for p in problems)


def test_lint_missing_path(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    code, out, _ = run_cli(capsys, "lint", str(tmp_path / "nope.scenario.yaml"))
    assert code == 1
    assert "no such file" in out


# -- list and bundled scenarios --------------------------------------------------------------


def test_list_shows_scenario_ids_and_titles(
    capsys: pytest.CaptureFixture[str], fixtures_bundled: list[Path]
) -> None:
    code, out, _ = run_cli(capsys, "list")
    assert code == 0
    lines = out.splitlines()
    assert len(lines) == len(fixtures_bundled)
    for scenario_id, title in [("effects", "Effects and clamping"), ("loops", "Loops and history")]:
        assert any(line.startswith(scenario_id + " ") and title in line for line in lines)
    # the columns line up however long an id is
    assert len({line.index(line.split()[1]) for line in lines}) == 1


def test_list_lines_up_the_bundled_library(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run_cli(capsys, "list")
    assert code == 0
    lines = out.splitlines()
    assert any(line.startswith("the-garage-talked-to-my-husband ") for line in lines)
    assert len({line.index(line.split()[1]) for line in lines}) == 1


def test_bundled_id_runs(capsys: pytest.CaptureFixture[str], fixtures_bundled: list[Path]) -> None:
    code, out, _ = run_cli(capsys, "run", "chain", "--choose", "check")
    assert code == 0
    assert "Ending: resolved" in out


@pytest.mark.skipif(not BUNDLED, reason="no bundled scenarios in scenarios/ yet")
def test_list_prints_bundled_ids(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run_cli(capsys, "list")
    assert code == 0
    for path in BUNDLED:
        assert scenario_id_of(path) in out


@pytest.mark.parametrize(
    "path",
    BUNDLED
    or [
        pytest.param(None, marks=pytest.mark.skip(reason="no bundled scenarios in scenarios/ yet"))
    ],
    ids=lambda p: scenario_id_of(p) if p else "none",
)
def test_bundled_scenario_runs_without_choices(
    capsys: pytest.CaptureFixture[str], path: Path
) -> None:
    scenario = catalog.open_scenario(str(path)).scenario
    code, out, err = run_cli(capsys, "run", scenario_id_of(path))
    assert code == 0, err
    assert scenario.title in out
    assert "Traceback" not in out + err


# -- real processes ----------------------------------------------------------------------------


def test_module_run_json(tmp_path: Path) -> None:
    code, out, err = run_process("run", EFFECTS, "--choose", "calm", "--json", cwd=tmp_path)
    assert code == 0, err
    result = json.loads(out)
    assert result["path"] == [{"node": "desk", "option": "calm"}]
    assert result["ending"] is None


@needs_script
def test_script_run_text(tmp_path: Path) -> None:
    code, out, err = run_process("run", EFFECTS, "--choose", "leave", script=True, cwd=tmp_path)
    assert code == 0, err
    assert "Ending: unresolved (node 'bye')" in out


@needs_script
def test_script_unavailable_option_exits_3(tmp_path: Path) -> None:
    code, _, err = run_process("run", ONCE, "--choose", "thank", script=True, cwd=tmp_path)
    assert code == 3
    assert "'questions'" in err
    assert "ask-name" in err and "ask-order" in err
    assert "Traceback" not in err


@pytest.mark.parametrize("script", [False, pytest.param(True, marks=needs_script)])
def test_process_broken_file(tmp_path: Path, broken_file: Path, script: bool) -> None:
    code, out, err = run_process("run", str(broken_file), script=script, cwd=tmp_path)
    assert code == 1
    assert f"{broken_file}:18:15: error:" in err
    assert "Traceback" not in out + err


@pytest.mark.parametrize("args", [["lint"], ["frobnicate"], ["lint", EFFECTS, "--format", "xml"]])
def test_process_usage_errors(tmp_path: Path, args: list[str]) -> None:
    code, out, err = run_process(*args, cwd=tmp_path)
    assert code == 2
    assert "usage:" in err
    assert "Traceback" not in out + err


@pytest.mark.parametrize("args", [["play"], [], ["play", EFFECTS]], ids=["play", "bare", "file"])
def test_play_without_terminal_exits_2(tmp_path: Path, args: list[str]) -> None:
    code, out, err = run_process(*args, cwd=tmp_path)
    assert code == 2
    assert "terminal" in err
    assert "roleplay run" in err
    assert "Traceback" not in out + err


def test_play_unknown_scenario_exits_1(tmp_path: Path) -> None:
    code, _, err = run_process("play", "no-such-scenario", cwd=tmp_path)
    assert code == 1
    assert "no-such-scenario" in err


@pytest.mark.parametrize("script", [False, pytest.param(True, marks=needs_script)])
def test_process_version(script: bool) -> None:
    code, out, _ = run_process("--version", script=script)
    assert code == 0
    assert out.strip() == f"roleplay {simulator.__version__}"


def test_the_simulator_exits_non_zero_after_an_error_ends_it(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """Attack report B10/B11: after a crash of the terminal interface `roleplay` exited 0."""
    from simulator import cli as roleplay_cli
    from simulator.ui import app as ui_app

    def crashed(self: ui_app.RoleplayApp) -> None:
        self._return_code = 1  # as Textual sets it when an exception ends the app

    monkeypatch.setattr(ui_app.RoleplayApp, "run", crashed)
    monkeypatch.setattr(roleplay_cli.sys.stdout, "isatty", lambda: True)
    monkeypatch.setattr(roleplay_cli.sys, "stdin", io.StringIO())
    monkeypatch.setattr(roleplay_cli.sys.stdin, "isatty", lambda: True)
    assert roleplay_cli.cmd_play(None, tmp_path / "s.db") == 1
    monkeypatch.setattr(ui_app.RoleplayApp, "run", lambda self: None)
    assert roleplay_cli.cmd_play(None, tmp_path / "s.db") == 0


def test_the_simulator_refuses_to_start_without_a_terminal_to_read_keys_from(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Performance review finding 9: with its input at an end (a pipe, /dev/null) Textual reads
    it again and again at most of a core, for ever. Keys must come from a terminal."""
    from simulator import cli as roleplay_cli
    from simulator.ui import app as ui_app

    started: list[bool] = []
    monkeypatch.setattr(ui_app.RoleplayApp, "run", lambda self: started.append(True))
    monkeypatch.setattr(roleplay_cli.sys.stdout, "isatty", lambda: True)
    monkeypatch.setattr(roleplay_cli.sys, "stdin", io.StringIO(""))  # not a terminal
    assert roleplay_cli.cmd_play(None, tmp_path / "s.db") == 2
    assert "needs a terminal" in capsys.readouterr().err and not started


def test_store_before_any_command_or_with_none(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """`roleplay --store PATH` opens the simulator on that store, as the README says; and
    `roleplay --store PATH sessions` reads it as `sessions --store PATH` would."""
    from simulator import cli as roleplay_cli

    opened: list[tuple[object, object]] = []
    monkeypatch.setattr(
        roleplay_cli, "cmd_play", lambda scenario, store: opened.append((scenario, store)) or 0
    )
    store = tmp_path / "class.db"
    assert roleplay_cli.main(["--store", str(store)]) == 0
    assert opened == [(None, store)]
    args = roleplay_cli.parse(["--store", str(store), "sessions"])
    assert args.store == store
    args = roleplay_cli.parse(
        ["--store", str(store), "sessions", "--store", str(tmp_path / "b.db")]
    )
    assert args.store == tmp_path / "b.db"  # the command's own option wins
