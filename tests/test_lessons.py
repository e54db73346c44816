"""Lessons and rosters from the command line: roster import (the college's CSV export), roster
list, lesson new, lesson list and lesson show, with their output and their errors."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest

from simulator.catalog import open_scenario
from simulator.cli import main
from simulator.lessons import (
    LessonError,
    RosterFileError,
    create_lesson,
    lesson,
    lesson_to_join,
    lessons,
    parse_roster_csv,
    roster,
)
from simulator.store import ENV_VAR, Store

BOM = b"\xef\xbb\xbf"
GOOD = (
    "Learner ID,Forename,Surname,Email\r\n"
    "22014,Amy,Khan,amy@example.ac.uk\r\n"
    "0012345,Daniel,Okafor,dan@example.ac.uk\r\n"
    "\r\n"
    '22016,"Siobhán","Ní Bhriain",s@example.ac.uk\r\n'
)


def run_cli(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    """Run ``roleplay ARGS`` in process; return the exit code, stdout and stderr."""
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture(autouse=True)
def never_the_real_store(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv(ENV_VAR, str(tmp_path / "default" / "never.db"))


@pytest.fixture
def db(tmp_path: Path) -> Path:
    return tmp_path / "s.db"


def write(tmp_path: Path, name: str, data: bytes | str) -> Path:
    path = tmp_path / name
    path.write_bytes(data.encode("utf-8") if isinstance(data, str) else data)
    return path


# -- reading the CSV ----------------------------------------------------------------------------
@pytest.mark.parametrize("prefix", [b"", BOM], ids=["no-bom", "bom"])
def test_a_college_export_is_read_by_header_name(prefix: bytes) -> None:
    parsed = parse_roster_csv(prefix + GOOD.encode("utf-8"))
    assert parsed.problems == ()
    assert parsed.entries == (
        ("22014", "Amy Khan"),
        ("0012345", "Daniel Okafor"),  # leading zeros kept: an id is text
        ("22016", "Siobhán Ní Bhriain"),
    )


@pytest.mark.parametrize(
    ("header", "row"),
    [
        ("learner_ref,name", "7,Amy Khan"),
        ("Student ID,Full Name", "7,Amy Khan"),
        ("ULN;Name", "7;Amy Khan"),  # a semicolon export
        ("LEARNER NUMBER\tFIRST NAME\tLAST NAME", "7\tAmy\tKhan"),
        ("Name,Learner Id", "Amy Khan,7"),  # any order
    ],
)
def test_headers_are_found_whatever_their_case_and_spelling(header: str, row: str) -> None:
    parsed = parse_roster_csv(f"{header}\n{row}\n".encode())
    assert parsed.entries == (("7", "Amy Khan"),) and parsed.problems == ()


def test_the_colleges_own_id_is_preferred_to_the_uln() -> None:
    parsed = parse_roster_csv(b"ULN,Student ID,Name\n1234567890,S77,Amy Khan\n")
    assert parsed.entries == (("S77", "Amy Khan"),)


def test_bad_rows_are_reported_by_line() -> None:
    data = (
        b"Student ID,Full name\n"
        b"1,Amy Khan\n"
        b",Bob Ray\n"  # line 3: no id
        b"3,\n"  # line 4: no name
        b"1,Carl Dee\n"  # line 5: a duplicate id
        b'"4","Dee\nSmith",x\n'  # lines 6-7: one row, three fields
        b"5,Eve Ward\n"  # line 8: good, after a row over two lines
        b"5,Eve Ward\n"  # line 9: the same id again
    )
    parsed = parse_roster_csv(data)
    assert [(p.line, p.message) for p in parsed.problems] == [
        (3, "no learner id for 'Bob Ray'"),
        (4, "no name for learner id 3"),
        (5, "learner id 1 is already on line 2"),
        (6, "3 fields, but the header has 2"),
        (9, "learner id 5 is already on line 8"),
    ]


@pytest.mark.parametrize(
    ("data", "says"),
    [
        (b"", "the file is empty"),
        (b"id,name\n1,Zo\xf6e\n", "line 2 is not UTF-8 text (byte 0xf6)"),
        (b"PK\x03\x04\x00\x00binary", "not a CSV file"),
        (b"Email,Full name\na@x,Amy\n", "line 1: no learner id column (the header has 'email'"),
        (b"Student ID,Email\n1,a@x\n", "line 1: no name column"),
        (b"Student ID,Forename\n1,Amy\n", "give 'Forename' and 'Surname'"),
    ],
)
def test_a_file_that_is_not_a_roster_says_why(data: bytes, says: str) -> None:
    with pytest.raises(RosterFileError, match=None) as caught:
        parse_roster_csv(data)
    assert says in str(caught.value)


# -- roster import and list -----------------------------------------------------------------------
def test_roster_import_adds_every_learner_once(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, db: Path
) -> None:
    csv_file = write(tmp_path, "class.csv", BOM + GOOD.encode("utf-8"))
    code, out, err = run_cli(capsys, "roster", "import", str(csv_file), "--group", "BTEC-1",
                             "--store", str(db))  # fmt: skip
    assert code == 0, err
    assert "3 learners added to BTEC-1" in out and "the roster has 3 learners" in out
    # a re-run (the group typed in another case) adds nothing twice
    code, out, _ = run_cli(capsys, "roster", "import", str(csv_file), "--group", "btec-1",
                           "--store", str(db))  # fmt: skip
    assert code == 0
    assert "0 learners added to BTEC-1" in out and "3 already there" in out
    # a corrected name is changed, not added
    fixed = write(tmp_path, "fixed.csv", "Learner ID,Name\n22014,Amy Khan-Patel\n")
    code, out, _ = run_cli(capsys, "roster", "import", str(fixed), "--group", "BTEC-1",
                           "--store", str(db))  # fmt: skip
    assert code == 0 and "1 name changed" in out and "the roster has 3 learners" in out
    code, out, err = run_cli(capsys, "roster", "list", "--group", "btec-1", "--store", str(db))
    assert code == 0
    assert out.splitlines() == [
        "22014    Amy Khan-Patel",
        "0012345  Daniel Okafor",
        "22016    Siobhán Ní Bhriain",
    ]
    assert "BTEC-1: 3 learners" in err
    code, out, _ = run_cli(capsys, "roster", "list", "--group", "BTEC-1", "--json",
                           "--store", str(db))  # fmt: skip
    assert json.loads(out) == {
        "group": "BTEC-1",
        "learners": [
            {"learner_id": "22014", "name": "Amy Khan-Patel"},
            {"learner_id": "0012345", "name": "Daniel Okafor"},
            {"learner_id": "22016", "name": "Siobhán Ní Bhriain"},
        ],
    }


def test_a_file_with_a_bad_row_imports_nothing(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, db: Path
) -> None:
    bad = write(tmp_path, "class.csv", "Student ID,Name\n1,Amy Khan\n2,\n3,Bo Li\n1,Cy Dee\n")
    code, out, err = run_cli(capsys, "roster", "import", str(bad), "--group", "G",
                             "--store", str(db))  # fmt: skip
    assert code == 1 and out == ""
    assert f"{bad}:3: error: no name for learner id 2" in err
    assert f"{bad}:5: error: learner id 1 is already on line 2" in err
    assert "nothing imported: 2 bad rows; fix them and run the command again" in err
    with Store.open(db) as store:
        assert roster(store, "G") == []


@pytest.mark.parametrize(
    ("data", "says"),
    [
        (b"id,name\n1,Zo\xf6e\n", "line 2 is not UTF-8 text"),
        (b"Email,Name\na@x,Amy\n", "no learner id column"),
        (b"Learner ID,Name\n", "no learners in the file, only a header row"),
    ],
)
def test_roster_import_refuses_a_file_that_is_not_a_roster(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, db: Path, data: bytes, says: str
) -> None:
    path = write(tmp_path, "class.csv", data)
    code, out, err = run_cli(capsys, "roster", "import", str(path), "--group", "G",
                             "--store", str(db))  # fmt: skip
    assert code == 1 and out == ""
    assert err.startswith(f"roleplay: {path}") and says in err
    assert "Traceback" not in err


def test_roster_import_of_a_missing_file(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, db: Path
) -> None:
    code, _, err = run_cli(capsys, "roster", "import", str(tmp_path / "nope.csv"), "--group", "G",
                           "--store", str(db))  # fmt: skip
    assert code == 1 and "cannot read" in err and "nope.csv" in err


def test_roster_list_of_an_unknown_group(capsys: pytest.CaptureFixture[str], db: Path) -> None:
    code, out, err = run_cli(capsys, "roster", "list", "--group", "NOPE", "--store", str(db))
    assert code == 1 and out == ""
    assert "no roster for group 'NOPE'" in err and "roster import FILE.csv" in err


# -- lessons --------------------------------------------------------------------------------------
def import_class(capsys: pytest.CaptureFixture[str], tmp_path: Path, db: Path) -> None:
    csv_file = write(tmp_path, "class.csv", GOOD)
    assert run_cli(capsys, "roster", "import", str(csv_file), "--group", "BTEC-1",
                   "--store", str(db))[0] == 0  # fmt: skip


def test_lesson_new_prints_the_join_code_and_what_to_tell_the_class(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, db: Path
) -> None:
    import_class(capsys, tmp_path, db)
    code, out, err = run_cli(
        capsys, "lesson", "new", "--group", "BTEC-1", "--scenario", "router-helpline",
        "--scenario", "faulty-kettle", "--rubric", "ocr-l2-unit7", "--mode", "assessment",
        "--opens", "2026-12-07", "--closes", "2026-12-11", "--title", "Week 3",
        "--store", str(db),
    )  # fmt: skip
    assert code == 0 and err == ""
    with Store.open(db) as store:
        (made,) = [lesson(store, c) for c in [out.split("join code ")[1].split()[0]]]
    assert made is not None
    assert made.scenarios == ("router-helpline", "faulty-kettle")  # the tutor's order
    assert (made.rubric, made.mode, made.opens, made.closes, made.title) == (
        "ocr-l2-unit7", "assessment", "2026-12-07", "2026-12-11", "Week 3",
    )  # fmt: skip
    assert f"Lesson 'Week 3' for BTEC-1: join code {made.code}" in out
    assert "mode:      assessment practice" in out and "open 2026-12-07 to 2026-12-11" in out
    assert f"choose 'Join a lesson', type {made.code}" in out


def test_a_lesson_takes_its_groups_spelling_from_the_roster(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, db: Path
) -> None:
    import_class(capsys, tmp_path, db)
    code, out, err = run_cli(
        capsys, "lesson", "new", "--group", " btec-1 ", "--scenario", "faulty-kettle",
        "--store", str(db),
    )  # fmt: skip
    assert code == 0 and err == ""  # the roster is found: no "nobody can join" warning
    assert "for BTEC-1: join code" in out
    with Store.open(db) as store:
        (made,) = lessons(store, "Btec-1")
    assert made.group == "BTEC-1"


def test_lesson_new_takes_a_scenario_file_and_keeps_its_id(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, db: Path
) -> None:
    path = open_scenario("faulty-kettle").path
    code, out, err = run_cli(capsys, "lesson", "new", "--group", "G", "--scenario", str(path),
                             "--json", "--store", str(db))  # fmt: skip
    assert code == 0
    data = json.loads(out)
    assert data["scenarios"] == ["faulty-kettle"] and data["rubric"] is None
    assert data["mode"] == "practice" and data["roster_size"] == 0 and data["sessions"] == 0
    assert "group 'G' has no roster yet, so nobody can join" in err  # a warning: still made


@pytest.mark.parametrize(
    ("args", "exit_code", "says"),
    [
        (["--scenario", "faulty-ketle"], 1, "(did you mean 'faulty-kettle'?); bundled: "),
        (["--scenario", "faulty-kettle", "--rubric", "ocr-unit7"], 1, "bundled: ocr-c3"),
        (["--scenario", "faulty-kettle", "--opens", "2026-13-01"], 2, "is not a date"),
        (["--scenario", "faulty-kettle", "--mode", "exam"], 2, "invalid choice: 'exam'"),
        (
            ["--scenario", "faulty-kettle", "--opens", "2026-12-10", "--closes", "2026-12-01"],
            1,
            "the lesson closes (2026-12-01) before it opens (2026-12-10)",
        ),
        ([], 2, "--scenario"),
    ],
)
def test_lesson_new_refuses_what_it_cannot_set_up(
    capsys: pytest.CaptureFixture[str], db: Path, args: list[str], exit_code: int, says: str
) -> None:
    code, out, err = run_cli(capsys, "lesson", "new", "--group", "G", *args, "--store", str(db))
    assert code == exit_code and out == ""
    assert says in err and "Traceback" not in err
    with Store.open(db) as store:
        assert store.db.execute("SELECT COUNT(*) FROM lessons").fetchone()[0] == 0


def test_lesson_new_refuses_a_scenario_with_errors(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, db: Path
) -> None:
    broken = write(tmp_path, "broken.scenario.yaml", "id: broken\nnodes: [\n")
    code, _, err = run_cli(capsys, "lesson", "new", "--group", "G", "--scenario", str(broken),
                           "--store", str(db))  # fmt: skip
    assert code == 1 and "has errors and cannot be played" in err and "broken.scenario.yaml:" in err


def test_lesson_list_and_show(capsys: pytest.CaptureFixture[str], tmp_path: Path, db: Path) -> None:
    import_class(capsys, tmp_path, db)
    with Store.open(db) as store:
        week3 = create_lesson(store, "BTEC-1", ["faulty-kettle"], "ocr-l2-unit7", title="Week 3")
        other = create_lesson(store, "BTEC-2", ["router-helpline"], None, "assessment")
        amy = store.learner("Amy Khan", "22014", "BTEC-1")
        kettle = open_scenario("faulty-kettle").scenario
        store.start_session(amy, kettle, "practice", lesson_code=week3.code)
        store.start_session(amy, kettle, "practice", lesson_code=week3.code)
        store.start_session(amy, kettle, "practice")  # alone, not in the lesson
    code, out, _ = run_cli(capsys, "lesson", "list", "--store", str(db))
    assert code == 0 and {line.split()[0] for line in out.splitlines()} == {week3.code, other.code}
    code, out, _ = run_cli(capsys, "lesson", "list", "--group", "btec-1", "--json",
                           "--store", str(db))  # fmt: skip
    (listed,) = json.loads(out)
    assert listed["code"] == week3.code and listed["roster_size"] == 3 and listed["sessions"] == 2
    code, out, _ = run_cli(capsys, "lesson", "show", week3.code.lower(), "--store", str(db))
    assert code == 0
    assert f"Lesson {week3.code}: Week 3" in out
    assert "group:     BTEC-1 (3 on the roster)" in out
    assert "scenarios: faulty-kettle" in out and "rubric:    ocr-l2-unit7" in out
    assert "sessions:  2 so far" in out and "open now, no closing date" in out
    code, out, _ = run_cli(capsys, "lesson", "show", other.code, "--json", "--store", str(db))
    shown = json.loads(out)
    assert set(shown) == {
        "code", "title", "group", "scenarios", "rubric", "mode", "opens", "closes", "created",
        "roster_size", "sessions",
    }  # fmt: skip
    assert shown["rubric"] is None and shown["mode"] == "assessment" and shown["roster_size"] == 0


def test_lesson_show_of_an_unknown_code(capsys: pytest.CaptureFixture[str], db: Path) -> None:
    code, out, err = run_cli(capsys, "lesson", "show", "NOPE22", "--store", str(db))
    assert code == 1 and out == "" and "no lesson with join code 'NOPE22'" in err


# -- joining ---------------------------------------------------------------------------------------
def test_a_lesson_is_joined_only_while_it_is_open(tmp_path: Path) -> None:
    with Store.open(tmp_path / "s.db") as store:
        made = create_lesson(store, "G", ["faulty-kettle"], None, opens="2026-12-07",
                             closes="2026-12-11")  # fmt: skip
        code = f"{made.code[:3].lower()} {made.code[3:]}"  # typed in lower case, with a space
        assert lesson_to_join(store, code, date(2026, 12, 7)) == made
        assert lesson_to_join(store, code, date(2026, 12, 11)) == made
        with pytest.raises(LessonError, match=f"lesson {made.code} opens on 2026-12-07"):
            lesson_to_join(store, code, date(2026, 12, 6))
        with pytest.raises(LessonError, match=f"lesson {made.code} closed on 2026-12-11"):
            lesson_to_join(store, code, date(2026, 12, 12))
        with pytest.raises(LessonError, match="no lesson with the join code 'ZZZZZZ'"):
            lesson_to_join(store, "ZZZZZZ", date(2026, 12, 8))
