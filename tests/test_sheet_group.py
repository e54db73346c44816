"""``roleplay sheet --group G -o FOLDER``: a class's sheets at once, with an index, never
overwriting a file it did not write; ``sheet SESSION`` unchanged."""

from __future__ import annotations

import html
import re
from pathlib import Path

import pytest

from simulator.cli import main
from simulator.group_sheets import files_listed, slug
from simulator.lessons import create_lesson
from simulator.store import Store
from tests.conftest import DISTINCTION_ROUTE, POOR_ROUTE
from tests.test_debrief import save


@pytest.fixture
def store(tmp_path: Path) -> Path:
    """BTEC-1: Amy twice (a walk-out, then a Distinction), a hostile name, Zoë; another group."""
    path = tmp_path / "class.sqlite3"
    with Store.open(path) as s:
        save(s, "Amy Khan", "BTEC-1", POOR_ROUTE)  # 1
        save(s, "Amy Khan", "BTEC-1", DISTINCTION_ROUTE)  # 2, her latest
        save(s, "<script>alert(1)</script>", "BTEC-1", ["sorry-tell-me"])  # 3, in progress
        save(s, "Zoë Ölçer", "BTEC-1", POOR_ROUTE)  # 4
        save(s, "Dee Nash", "BTEC-2", POOR_ROUTE)  # 5
    return path


def sheet(store: Path, *args: str) -> int:
    return main(["sheet", "--store", str(store), *args])


def test_latest_of_each_learner_with_an_index(
    store: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "sheets"  # made if missing
    assert sheet(store, "--group", "btec-1", "-o", str(out)) == 0
    names = sorted(p.name for p in out.iterdir())
    assert names == [
        "amy-khan_faulty-kettle_session-2.html",
        "index.html",
        "script-alert-1-script_faulty-kettle_session-3.html",
        "zoe-olcer_faulty-kettle_session-4.html",
    ]
    assert "wrote 3 sheet(s)" in capsys.readouterr().err
    amy = (out / "amy-khan_faulty-kettle_session-2.html").read_text(encoding="utf-8")
    assert "Amy Khan" in amy and "Distinction" in amy  # the same sheet `sheet 2` writes
    index = (out / "index.html").read_text(encoding="utf-8")
    assert "Feedback sheets: group BTEC-1" in index
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in index and "<script>" not in index
    cells = [re.findall(r"<td>(.*?)</td>", row) for row in re.findall(r"<tr><td>.*?</tr>", index)]
    rows = [(c[0], c[3], c[5], c[6]) for c in cells]  # learner, session, outcome, grade
    assert [(html.unescape(n), s, o, g) for n, s, o, g in rows] == [
        ("<script>alert(1)</script>", "3", "Not finished", "In progress"),
        ("Amy Khan", "2", "Resolved", "Distinction"),
        ("Zoë Ölçer", "4", "Customer lost", "Not yet"),
    ]
    assert 'href="amy-khan_faulty-kettle_session-2.html"' in index
    assert "Dee Nash" not in index


def test_all_sessions_and_markdown(store: Path, tmp_path: Path) -> None:
    out = tmp_path / "md"
    assert sheet(store, "--group", "BTEC-1", "--all", "--format", "md", "-o", str(out)) == 0
    assert sorted(p.name for p in out.glob("amy-khan_*")) == [
        "amy-khan_faulty-kettle_session-1.md",
        "amy-khan_faulty-kettle_session-2.md",
    ]
    index = (out / "index.md").read_text(encoding="utf-8")
    assert "(amy-khan_faulty-kettle_session-1.md)" in index
    assert "Every session" in index
    assert files_listed(out / "index.md") == {p.name for p in out.iterdir()} - {"index.md"}


def test_lesson_only_its_sessions(tmp_path: Path) -> None:
    path = tmp_path / "s.sqlite3"
    with Store.open(path) as s:
        lesson = create_lesson(s, "BTEC-1", ["faulty-kettle"], "ocr-l2-unit7")
        save(s, "Amy Khan", "BTEC-1", POOR_ROUTE, lesson=lesson.code)
        save(s, "Ben Ode", "BTEC-1", POOR_ROUTE)
    out = tmp_path / "out"
    assert main(["sheet", "--store", str(path), "--lesson", lesson.code, "-o", str(out)]) == 0
    assert sorted(p.name for p in out.iterdir()) == [
        "amy-khan_faulty-kettle_session-1.html",
        "index.html",
    ]
    assert f"lesson {lesson.code}" in (out / "index.html").read_text(encoding="utf-8")


def test_never_overwrites_a_file_it_did_not_write(
    store: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "shared"
    out.mkdir()
    (out / "index.html").write_text("the tutor's own page", encoding="utf-8")
    (out / "notes.txt").write_text("keep", encoding="utf-8")
    assert sheet(store, "--group", "BTEC-1", "-o", str(out)) == 1
    err = capsys.readouterr().err
    assert "already has index.html" in err and "nothing was written" in err
    assert sorted(p.name for p in out.iterdir()) == ["index.html", "notes.txt"]
    assert (out / "index.html").read_text(encoding="utf-8") == "the tutor's own page"


def test_a_second_run_replaces_its_own_files_and_says_so(
    store: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "again"
    assert sheet(store, "--group", "BTEC-1", "--all", "-o", str(out)) == 0
    capsys.readouterr()
    (out / "notes.txt").write_text("keep", encoding="utf-8")
    assert sheet(store, "--group", "BTEC-1", "-o", str(out)) == 0
    assert "3 replaced from an earlier run" in capsys.readouterr().err
    assert (out / "notes.txt").read_text(encoding="utf-8") == "keep"
    # session 1's sheet, from the --all run, stays this folder's own: --all again replaces it
    assert "amy-khan_faulty-kettle_session-1.html" in (files_listed(out / "index.html") or set())
    assert sheet(store, "--group", "BTEC-1", "--all", "-o", str(out)) == 0
    # a file of the same name that the index does not list is in the way
    (out / "amy-khan_faulty-kettle_session-2.html").unlink()
    index = out / "index.html"
    index.write_text(index.read_text(encoding="utf-8").replace("session-2", "session-X"))
    (out / "amy-khan_faulty-kettle_session-2.html").write_text("mine", encoding="utf-8")
    assert sheet(store, "--group", "BTEC-1", "-o", str(out)) == 1
    assert (out / "amy-khan_faulty-kettle_session-2.html").read_text() == "mine"


def test_errors(store: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert sheet(store, "--group", "Nobody", "-o", str(tmp_path / "x")) == 1
    assert "no sessions for group Nobody" in capsys.readouterr().err
    assert not (tmp_path / "x").exists()
    a_file = tmp_path / "file.html"
    a_file.write_text("x")
    assert sheet(store, "--group", "BTEC-1", "-o", str(a_file)) == 1
    assert "is a file, not a folder" in capsys.readouterr().err
    blocked = tmp_path / "blocked"
    blocked.write_text("")
    assert sheet(store, "--group", "BTEC-1", "-o", str(blocked / "sub")) == 1
    assert "cannot write to" in capsys.readouterr().err
    assert sheet(store, "--lesson", "ZZZZZZ", "-o", str(tmp_path / "y")) == 1
    assert "no lesson with join code" in capsys.readouterr().err
    assert sheet(store, "--group", "BTEC-1") == 2  # no folder
    assert "-o FOLDER" in capsys.readouterr().err
    assert sheet(store, "1", "--group", "BTEC-1", "-o", str(tmp_path / "z")) == 2
    assert sheet(store) == 2  # neither a session nor a group
    assert "give a SESSION" in capsys.readouterr().err
    assert "Traceback" not in capsys.readouterr().err


def test_one_session_sheet_unchanged(store: Path, tmp_path: Path) -> None:
    out = tmp_path / "one.html"
    assert sheet(store, "2", "-o", str(out)) == 0
    assert "Amy Khan" in out.read_text(encoding="utf-8")
    assert sheet(store, "99", "-o", str(out)) == 1


def test_safe_file_names() -> None:
    assert slug("Zoë Ölçer", "x") == "zoe-olcer"
    assert slug('=HYPERLINK("http://x","y")', "x") == "hyperlink-http-x-y"
    assert slug("../../etc/passwd", "x") == "etc-passwd"
    assert slug("王小明", "learner-7") == "learner-7"
    assert len(slug("a" * 300, "x")) <= 40


def test_a_sheet_that_cannot_be_written_is_named_and_the_rest_go_on(
    store: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "part"
    assert sheet(store, "--group", "BTEC-1", "-o", str(out)) == 0
    amy = out / "amy-khan_faulty-kettle_session-2.html"
    amy.unlink()
    amy.mkdir()  # listed by the index as its own, but now a folder: it cannot be written
    (out / "zoe-olcer_faulty-kettle_session-4.html").unlink()
    capsys.readouterr()
    assert sheet(store, "--group", "BTEC-1", "-o", str(out)) == 1
    err = capsys.readouterr().err
    assert "session 2: cannot write" in err and "1 sheet(s) could not be written" in err
    assert (out / "zoe-olcer_faulty-kettle_session-4.html").is_file()  # the others still go
    index = (out / "index.html").read_text(encoding="utf-8")
    assert "not written: cannot write" in index


def test_a_tutors_own_scenario_replays_from_the_store(tmp_path: Path) -> None:
    """A session on a scenario that is not bundled, kept with its text: the class's sheets show
    the whole conversation with no --scenarios and no file at hand."""
    from simulator.catalog import open_scenario

    source = Path(__file__).parent / "fixtures" / "ui" / "parcel-call.scenario.yaml"
    scenario = open_scenario(str(source)).scenario
    path = tmp_path / "own.sqlite3"
    with Store.open(path) as s:
        learner = s.learner("Amy Khan", None, "BTEC-1")
        sid = s.start_session(
            learner, scenario, "practice", "ocr-l2-unit7", 1,
            scenario_text=source.read_text(encoding="utf-8"),
        )  # fmt: skip
        from simulator.engine import Session

        session = Session.start(scenario)
        session.choose("verify")
        s.record_steps(sid, session, session.steps, 1000)
    out = tmp_path / "own"
    assert main(["sheet", "--store", str(path), "--group", "BTEC-1", "-o", str(out)]) == 0
    page = (out / f"amy-khan_parcel-call_session-{sid}.html").read_text(encoding="utf-8")
    assert "cannot be replayed" not in page
