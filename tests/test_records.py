"""Records that stay whole (issue 13): the scenario each session was played on is kept with it,
names match without regard to case and spacing, and split records can be renamed and merged.

The review's repro steps (tutor-and-author-walkthrough-2026-12, findings 2, 6 and 7) are here as
tests, each run as a tutor would run the commands.
"""

from __future__ import annotations

import csv
import io
import json
import sqlite3
from pathlib import Path
from typing import Any

import pytest

from simulator import skeleton
from simulator.catalog import open_rubric, open_scenario
from simulator.cli import main
from simulator.playthrough import Playthrough
from simulator.records import scenario_from_text, source_text
from simulator.store import ENV_VAR, Store, name_key, scenario_text_hash
from simulator.ui.app import RoleplayApp

SCENARIO_ID = "sofa-out-of-stock"
"""A tutor's own scenario: a file in a folder of theirs, never bundled."""
RESOLVED = "sorry-and-ask,brief-supervisor"
CUSTOMER_LINE = "it has stopped working"
"""A line of the customer's that only a replay of the scenario can show."""


@pytest.fixture(autouse=True)
def never_the_real_store(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv(ENV_VAR, str(tmp_path / "default" / "never.db"))


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    """``roleplay ARGS`` in process: the exit code, stdout and stderr."""
    capsys.readouterr()
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


class Tutor:
    """A store, a tutor's own scenario file, and the commands run against them."""

    def __init__(self, tmp: Path) -> None:
        self.tmp = tmp
        self.db = tmp / "class.sqlite3"
        self.folder = tmp / "my-scenarios"
        self.folder.mkdir()
        self.file = self.folder / f"{SCENARIO_ID}.scenario.yaml"
        self.file.write_text(
            skeleton.scenario_skeleton(SCENARIO_ID, "schema.json"), encoding="utf-8"
        )

    def cli(self, capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
        return run(capsys, *args, "--store", str(self.db))

    def save(
        self,
        capsys: pytest.CaptureFixture[str],
        learner: str,
        group: str,
        ref: str | None = None,
        choose: str = RESOLVED,
        scenario: str | None = None,
    ) -> int:
        """``roleplay run ... --save``; return the session id."""
        args = ["run", scenario or str(self.file), "--choose", choose, "--learner", learner]
        args += ["--group", group, "--save", "--json"]
        if ref is not None:
            args += ["--learner-id", ref]
        code, out, err = self.cli(capsys, *args)
        assert code == 0, err
        return int(json.loads(out)["session"])

    def move_the_file_away(self) -> None:
        self.file.rename(self.tmp / "elsewhere.yaml")

    def forget_kept_texts(self) -> None:
        """Make every session one from before texts were kept (schema 4 and earlier)."""
        with Store.open(self.db) as store:
            store.db.execute("UPDATE sessions SET scenario_hash = NULL")
            store.db.execute("DELETE FROM scenario_texts")


def grid(text: str) -> dict[str, dict[str, str]]:
    return {row["Learner"]: row for row in csv.DictReader(io.StringIO(text))}


@pytest.fixture
def tutor(tmp_path: Path) -> Tutor:
    return Tutor(tmp_path)


# -- 1. every session keeps the exact scenario it was played on ------------------------------
def test_run_save_keeps_the_scenario_text_as_read(
    tutor: Tutor, capsys: pytest.CaptureFixture[str]
) -> None:
    sid = tutor.save(capsys, "Amy Khan", "CS-L2-A")
    text = tutor.file.read_text(encoding="utf-8")
    with Store.open(tutor.db) as store:
        record = store.session(sid)
        assert record is not None and record.scenario_hash == scenario_text_hash(text)
        assert store.scenario_text(record.scenario_hash) == text


def test_the_app_keeps_the_scenario_text_too(tutor: Tutor) -> None:
    scenario = open_scenario(str(tutor.file)).scenario
    rubric = open_rubric("ocr-l2-unit7")
    with Store.open(tutor.db) as store:
        learner = store.learner("Amy Khan", None, "CS-L2-A")
        play = Playthrough.begin(store, learner, scenario, rubric, "practice")
        record = store.session(play.session_id)
        assert record is not None and record.scenario_hash is not None
        assert store.scenario_text(record.scenario_hash) == tutor.file.read_text("utf-8")


def test_finding_2_class_report_needs_no_scenarios_flag(
    tutor: Tutor, capsys: pytest.CaptureFixture[str]
) -> None:
    """Review finding 2: sessions on a tutor's own scenario, the file not given (or gone)."""
    tutor.save(capsys, "Amy Khan", "CS-L2-A", "22014")
    tutor.save(capsys, "Daniel Okafor", "CS-L2-A", choose="brush-off,not-our-problem")
    with_file = tutor.cli(
        capsys, "class-report", "--group", "CS-L2-A", "--format", "csv",
        "--scenarios", str(tutor.folder),
    )  # fmt: skip
    tutor.move_the_file_away()
    code, out, err = tutor.cli(capsys, "class-report", "--group", "CS-L2-A", "--format", "csv")
    assert (code, err) == (0, "")
    assert out == with_file[1]
    rows = grid(out)
    assert rows["Amy Khan"]["Attempts"] == "1"
    assert rows["Amy Khan"]["P3"] == "Achieved (1 of 1 session)"  # briefed the supervisor
    assert rows["Daniel Okafor"]["Attempts"] == "1"
    code, html, err = tutor.cli(capsys, "class-report", "--group", "CS-L2-A")
    assert (code, err) == (0, "")
    assert "left out" not in html.lower()


def test_finding_2_the_sheet_replays_the_session_with_no_file(
    tutor: Tutor, capsys: pytest.CaptureFixture[str]
) -> None:
    sid = tutor.save(capsys, "Amy Khan", "CS-L2-A")
    tutor.move_the_file_away()
    code, md, err = tutor.cli(capsys, "sheet", str(sid), "--format", "md")
    assert (code, err) == (0, "")
    assert CUSTOMER_LINE in md  # the customer's lines: only a replay has them
    assert "cannot be replayed" not in md
    assert "| Issue | Product faulty |" in md


def test_a_file_edited_since_cannot_change_what_a_session_shows(
    tutor: Tutor, capsys: pytest.CaptureFixture[str]
) -> None:
    sid = tutor.save(capsys, "Amy Khan", "CS-L2-A")
    edited = tutor.file.read_text("utf-8").replace(CUSTOMER_LINE, "it makes a funny noise")
    tutor.file.write_text(edited, encoding="utf-8")  # same id, same version: a quiet edit
    code, md, err = tutor.cli(
        capsys, "sheet", str(sid), "--format", "md", "--scenarios", str(tutor.folder)
    )
    assert (code, err) == (0, "")
    assert CUSTOMER_LINE in md and "funny noise" not in md


def test_portfolio_and_confirm_replay_from_the_store(
    tutor: Tutor, capsys: pytest.CaptureFixture[str]
) -> None:
    sid = tutor.save(capsys, "Amy Khan", "CS-L2-A")
    tutor.move_the_file_away()
    code, out, err = tutor.cli(capsys, "portfolio", "Amy Khan", "--format", "json")
    assert (code, err) == (0, "")
    data = json.loads(out)
    assert data["session_ids"] == [sid] and data["left_out"] == []
    code, out, err = tutor.cli(
        capsys, "confirm", str(sid), "P3", "--verdict", "not_yet", "--by", "R. Patel"
    )
    assert (code, err) == (0, "")
    assert "the session's grade now:" in out  # judged again on the kept text


def test_an_old_session_with_no_text_and_no_file_fails_the_csv_naming_it(
    tutor: Tutor, capsys: pytest.CaptureFixture[str]
) -> None:
    sid = tutor.save(capsys, "Amy Khan", "CS-L2-A")
    tutor.save(capsys, "Bo Li", "CS-L2-A", scenario="faulty-kettle", choose="sorry-tell-me")
    tutor.forget_kept_texts()
    tutor.move_the_file_away()
    code, out, err = tutor.cli(capsys, "class-report", "--group", "CS-L2-A", "--format", "csv")
    assert (code, out) == (1, "")  # never a quiet, wrong CSV
    assert f"left out session {sid} (Amy Khan): scenario '{SCENARIO_ID}' is not available" in err
    assert "the store keeps no copy of it" in err and "nothing was written" in err
    code, html, err = tutor.cli(capsys, "class-report", "--group", "CS-L2-A")
    assert code == 1 and f"session {sid}" in html  # shown in the report, and the exit says so
    assert "leaves out 1 session(s)" in err
    code, out, err = tutor.cli(capsys, "portfolio", "Amy Khan")
    assert code == 1 and f"left out session {sid}" in err
    code, md, err = tutor.cli(capsys, "sheet", str(sid), "--format", "md")
    assert code == 0 and "The conversation cannot be replayed" in md  # shown clearly


def test_scenarios_flag_still_works_for_old_sessions(
    tutor: Tutor, capsys: pytest.CaptureFixture[str]
) -> None:
    tutor.save(capsys, "Amy Khan", "CS-L2-A")
    tutor.forget_kept_texts()
    code, out, err = tutor.cli(
        capsys, "class-report", "--group", "CS-L2-A", "--format", "csv",
        "--scenarios", str(tutor.folder),
    )  # fmt: skip
    assert (code, err) == (0, "")
    assert grid(out)["Amy Khan"]["Attempts"] == "1"


def test_a_kept_text_with_errors_is_never_replayed() -> None:
    assert scenario_from_text("id: [unclosed", SCENARIO_ID) is None
    text = skeleton.scenario_skeleton(SCENARIO_ID, "schema.json")
    assert scenario_from_text(text, "another-id") is None
    found = scenario_from_text(text, SCENARIO_ID)
    assert found is not None and found.id == SCENARIO_ID


def test_source_text_is_none_for_a_file_changed_into_another_version(tmp_path: Path) -> None:
    path = tmp_path / f"{SCENARIO_ID}.scenario.yaml"
    text = skeleton.scenario_skeleton(SCENARIO_ID, "schema.json")
    path.write_text(text, encoding="utf-8")
    scenario = open_scenario(str(path)).scenario
    assert source_text(scenario) == text
    path.write_text(text.replace("version: 1", "version: 2", 1), encoding="utf-8")
    assert source_text(scenario) is None


# -- 2. export and import carry the texts, observer and lesson --------------------------------
def test_export_carries_each_text_once_and_import_replays_it(
    tutor: Tutor, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    first = tutor.save(capsys, "Amy Khan", "CS-L2-A", "22014")
    tutor.save(capsys, "Amy Khan", "CS-L2-A", "22014", choose="brush-off")
    with Store.open(tutor.db) as store:
        store.db.execute(
            "UPDATE sessions SET observer = 'R. Patel', lesson_code = 'AB3K9Q' WHERE id = ?",
            (first,),
        )
    out_file = tmp_path / "amy.json"
    code, _, err = tutor.cli(capsys, "export", "--learner", "22014", "-o", str(out_file))
    assert code == 0, err
    data = json.loads(out_file.read_text("utf-8"))
    digest = scenario_text_hash(tutor.file.read_text("utf-8"))
    assert list(data["scenario_texts"]) == [digest]  # two sessions, one text
    assert data["scenario_texts"][digest]["scenario"] == SCENARIO_ID
    sessions = data["learners"][0]["sessions"]
    assert [s["scenario_hash"] for s in sessions] == [digest, digest]
    assert (sessions[0]["observer"], sessions[0]["lesson_code"]) == ("R. Patel", "AB3K9Q")
    assert "session" in sessions[0] and "turns" in sessions[0]  # the old keys stay
    tutor.move_the_file_away()
    other = tmp_path / "tutor.sqlite3"
    code, _, err = run(capsys, "import", str(out_file), "--store", str(other))
    assert code == 0, err
    with Store.open(other) as store:
        (imported, _) = sorted(store.sessions(full=True), key=lambda r: r.id)
        assert (imported.observer, imported.lesson_code) == ("R. Patel", "AB3K9Q")
        assert imported.scenario_hash == digest
        sid = imported.id
    code, md, err = run(capsys, "sheet", str(sid), "--format", "md", "--store", str(other))
    assert (code, err) == (0, "")
    assert CUSTOMER_LINE in md


def test_importing_a_store_file_brings_its_texts(
    tutor: Tutor, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    tutor.save(capsys, "Amy Khan", "CS-L2-A")
    tutor.move_the_file_away()
    other = tmp_path / "tutor.sqlite3"
    code, out, err = run(capsys, "import", str(tutor.db), "--store", str(other))
    assert code == 0, err
    code, out, err = run(
        capsys, "class-report", "--group", "CS-L2-A", "--format", "csv", "--store", str(other)
    )
    assert (code, err) == (0, "")
    assert grid(out)["Amy Khan"]["P3"] == "Achieved (1 of 1 session)"


def test_a_text_changed_after_export_is_refused_and_nothing_goes_in(
    tutor: Tutor, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    tutor.save(capsys, "Amy Khan", "CS-L2-A")
    code, out, _ = tutor.cli(capsys, "export", "--learner", "Amy Khan")
    data = json.loads(out)
    (kept,) = data["scenario_texts"].values()
    kept["text"] = kept["text"].replace(CUSTOMER_LINE, "it is fine really")
    path = tmp_path / "tampered.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    other = tmp_path / "tutor.sqlite3"
    code, out, err = run(capsys, "import", str(path), "--store", str(other))
    assert code == 1
    assert "scenario_texts." in err and "not the one its hash names" in err
    with Store.open(other) as store:
        assert store.sessions() == []


def test_an_export_from_before_texts_were_kept_still_imports(
    tutor: Tutor, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    tutor.save(capsys, "Amy Khan", "CS-L2-A")
    code, out, _ = tutor.cli(capsys, "export", "--learner", "Amy Khan")
    data = json.loads(out)
    del data["scenario_texts"]
    for session in data["learners"][0]["sessions"]:
        for key in ("scenario_hash", "observer", "lesson_code"):
            del session[key]
    path = tmp_path / "old.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    other = tmp_path / "tutor.sqlite3"
    code, out, err = run(capsys, "import", str(path), "--store", str(other))
    assert (code, err) == (0, "")
    assert "imported 1 session(s)" in out


# -- 3. names match without regard to case and spacing ---------------------------------------
def test_finding_7_one_learner_whatever_the_spelling(
    tutor: Tutor, capsys: pytest.CaptureFixture[str]
) -> None:
    """Review finding 7: "Amy Khan" and "amy khan" in CASE-TEST; --group case-test."""
    tutor.save(capsys, "Amy Khan", "CASE-TEST")
    tutor.save(capsys, "amy  khan", "CASE-TEST", choose="brush-off")
    code, out, err = tutor.cli(capsys, "class-report", "--group", "case-test", "--format", "csv")
    assert (code, err) == (0, "")
    rows = grid(out)
    assert list(rows) == ["Amy Khan"]  # one learner, with the name first stored
    assert rows["Amy Khan"]["Attempts"] == "2"
    code, out, _ = tutor.cli(capsys, "sessions", "--learner", "AMY KHAN ", "--json")
    assert code == 0 and len(json.loads(out)) == 2
    code, out, _ = tutor.cli(capsys, "sessions", "--group", " case-test", "--json")
    assert code == 0 and len(json.loads(out)) == 2


def test_name_key_folds_case_and_spacing() -> None:
    assert name_key("  Amy   KHAN ") == name_key("amy khan") == "amy khan"
    assert name_key("Zoë Ölçer") == name_key("ZOË ÖLÇER")
    assert name_key(None) is None


def test_store_learner_matches_on_the_key_and_keeps_the_group_spelling(tmp_path: Path) -> None:
    with Store.open(tmp_path / "s.db") as store:
        amy = store.learner("Amy Khan", "22014", "CS-L2-A")
        again = store.learner("AMY  khan", "22014", "cs-l2-a")
        assert again == amy  # the same record, name and group as first stored
        other = store.learner("amy khan", None, "CS-L2-A")  # no id: another record
        assert other.id != amy.id
        assert [x.id for x in store.learners("cs-l2-a")] == [amy.id, other.id]


# -- 5. export and delete-learner refuse an ambiguous name ---------------------------------
@pytest.fixture
def two_amys(tutor: Tutor, capsys: pytest.CaptureFixture[str]) -> Tutor:
    """Review finding 6's store: Amy Khan (22014, CS-L2-A) and Amy Khan with no id (CASE-TEST),
    two sessions each."""
    for _ in range(2):
        tutor.save(capsys, "Amy Khan", "CS-L2-A", "22014")
    for _ in range(2):
        tutor.save(capsys, "Amy Khan", "CASE-TEST", choose="brush-off")
    return tutor


CANDIDATES = (
    "  Amy Khan (learner id 22014, group CS-L2-A, 2 sessions) [#1]",
    "  Amy Khan (no learner id, group CASE-TEST, 2 sessions) [#2]",
)


@pytest.mark.parametrize(
    "command",
    [
        ["portfolio", "Amy Khan"],
        ["export", "--learner", "Amy Khan"],
        ["delete-learner", "Amy Khan"],
        ["delete-learner", "amy khan", "--yes"],
    ],
)
def test_finding_6_an_ambiguous_name_is_refused_listing_every_record(
    two_amys: Tutor, capsys: pytest.CaptureFixture[str], command: list[str]
) -> None:
    code, out, err = two_amys.cli(capsys, *command)
    assert (code, out) == (1, "")
    assert "matches 2 learners" in err
    for line in CANDIDATES:
        assert line in err.splitlines()
    with Store.open(two_amys.db) as store:
        assert len(store.sessions()) == 4  # nothing erased


def test_the_learner_without_an_id_can_be_singled_out_by_record_number(
    two_amys: Tutor, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = two_amys.cli(capsys, "export", "--learner", "#2")
    assert code == 0, err
    (learner,) = json.loads(out)["learners"]
    assert (learner["learner_id"], learner["group"]) == (None, "CASE-TEST")
    code, out, err = two_amys.cli(capsys, "portfolio", "#2", "--format", "json")
    assert code == 0 and json.loads(out)["group"] == "CASE-TEST"
    code, _, err = two_amys.cli(capsys, "delete-learner", "#2")  # no terminal, no --yes
    assert code == 2
    assert (
        "this erases Amy Khan and 2 session(s), 1 learner record: Amy Khan (no learner id, "
        "group CASE-TEST, 2 sessions) [#2]"
    ) in err
    code, out, err = two_amys.cli(capsys, "delete-learner", "#2", "--yes")
    assert code == 0 and "erased Amy Khan and 2 session(s)" in out
    with Store.open(two_amys.db) as store:
        assert [x.learner_ref for x in store.find_learners("Amy Khan")] == ["22014"]
        assert len(store.sessions()) == 2


def test_export_and_delete_of_nobody(tutor: Tutor, capsys: pytest.CaptureFixture[str]) -> None:
    tutor.save(capsys, "Amy Khan", "CS-L2-A")
    for command in (["export", "--learner", "Nobody"], ["delete-learner", "#99", "--yes"]):
        code, out, err = tutor.cli(capsys, *command)
        assert (code, out) == (1, "") and "no learner called" in err


# -- 4. learner rename and learner merge -----------------------------------------------------
def test_rename_a_learner(tutor: Tutor, capsys: pytest.CaptureFixture[str]) -> None:
    sid = tutor.save(capsys, "amy kahn", "CS-L2-A", "22014")
    code, out, err = tutor.cli(capsys, "learner", "rename", "22014", "Amy  Khan")  # no --yes
    assert code == 2 and "add --yes to confirm" in err
    assert "Rename: amy kahn (learner id 22014, group CS-L2-A, 1 session) [#1]" in out
    code, out, err = tutor.cli(capsys, "learner", "rename", "amy KAHN", "Amy  Khan", "--yes")
    assert (code, err) == (0, "")
    assert out.splitlines()[-1] == "renamed amy kahn (22014) [#1] to Amy Khan (22014)"
    with Store.open(tutor.db) as store:
        record = store.session(sid)
        assert record is not None and record.learner.name == "Amy Khan"
        assert store.find_learners("amy kahn") == []


def test_rename_refuses_what_would_split_or_mean_nothing(
    two_amys: Tutor, capsys: pytest.CaptureFixture[str]
) -> None:
    two_amys.save(capsys, "Amy Khann", "CASE-TEST")
    cases = [
        (["Nobody", "X"], 1, "rename: no learner called 'Nobody'"),
        (["Amy Khan", "X"], 1, "rename: 'Amy Khan' matches 2 learners"),
        (["Amy Khann", "amy khan"], 1, "is already called that, with the same learner id"),
        (["Amy Khann", "   "], 2, "the new name is empty"),
        (["#1", "Amy Khan"], 1, "is already called 'Amy Khan'"),
    ]
    for args, want, message in cases:
        code, _, err = two_amys.cli(capsys, "learner", "rename", *args, "--yes")
        assert code == want and message in err, (args, err)
    code, _, err = two_amys.cli(capsys, "learner", "rename", "Amy Khann")
    assert code == 2 and "NEW_NAME" in err  # usage
    code, _, err = two_amys.cli(capsys, "learner", "rename", "Amy Khann", "amy khan", "--yes")
    assert "roleplay learner merge '#3' '#2'" in err  # what to do instead


def test_merge_moves_every_session_and_removes_the_record(
    two_amys: Tutor, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = two_amys.cli(capsys, "learner", "merge", "#2", "22014")  # no --yes
    assert code == 2 and "add --yes to confirm" in err
    assert out.splitlines() == [
        "Merge: Amy Khan (no learner id, group CASE-TEST, 2 sessions) [#2]",
        " into: Amy Khan (learner id 22014, group CS-L2-A, 2 sessions) [#1]",
        "2 sessions move to Amy Khan (22014) [#1], and the record Amy Khan [#2] is removed.",
    ]
    code, out, err = two_amys.cli(capsys, "learner", "merge", "#2", "22014", "--yes")
    assert (code, err) == (0, "")
    assert out.splitlines()[-1] == (
        "merged Amy Khan [#2] into Amy Khan (learner id 22014, group CS-L2-A, 4 sessions) [#1]: "
        "2 sessions moved"
    )
    with Store.open(two_amys.db) as store:
        assert [x.id for x in store.find_learners("Amy Khan")] == [1]
        assert {r.learner.id for r in store.sessions()} == {1}
    code, out, err = two_amys.cli(capsys, "portfolio", "Amy Khan", "--format", "json")
    assert code == 0 and len(json.loads(out)["session_ids"]) == 4


def test_merge_into_a_record_without_an_id_gives_it_the_id(
    tutor: Tutor, capsys: pytest.CaptureFixture[str]
) -> None:
    tutor.save(capsys, "Amy Khan", "", "22014")
    tutor.save(capsys, "amy khan", "CASE-TEST")
    code, out, err = tutor.cli(capsys, "learner", "merge", "22014", "#2", "--yes")
    assert code == 0, err
    assert "into amy khan (learner id 22014, group CASE-TEST, 2 sessions) [#2]" in out
    with Store.open(tutor.db) as store:
        assert [(x.name, x.learner_ref) for x in store.learners()] == [("amy khan", "22014")]


def test_merge_refusals(two_amys: Tutor, capsys: pytest.CaptureFixture[str]) -> None:
    two_amys.save(capsys, "Amy Khan", "CS-L2-A", "30001")
    cases = [
        (["Nobody", "22014"], "merge FROM: no learner called 'Nobody'"),
        (["#2", "Nobody"], "merge INTO: no learner called 'Nobody'"),
        (["Amy Khan", "22014"], "merge FROM: 'Amy Khan' matches 3 learners"),
        (["22014", "#1"], "are the same learner record"),
        (["30001", "22014"], "have different learner ids, so they look like two people"),
    ]
    for args, message in cases:
        code, _, err = two_amys.cli(capsys, "learner", "merge", *args, "--yes")
        assert code == 1 and message in err, (args, err)
    with Store.open(two_amys.db) as store:
        assert len(store.learners()) == 3 and len(store.sessions()) == 5
    code, _, err = two_amys.cli(capsys, "learner", "merge", "#2")
    assert code == 2 and "INTO" in err
    code, _, err = two_amys.cli(capsys, "learner")
    assert code == 2 and "ACTION" in err


def test_merge_and_rename_forget_who_played_last_under_the_old_record(
    two_amys: Tutor, capsys: pytest.CaptureFixture[str]
) -> None:
    prefs = two_amys.db.parent / "prefs.json"
    prefs.write_text(json.dumps({"name": "Amy Khan", "group": "CASE-TEST", "mode": "practice"}))
    code, _, err = two_amys.cli(capsys, "learner", "merge", "#2", "#1", "--yes")
    assert code == 0, err
    assert json.loads(prefs.read_text()) == {"mode": "practice"}


def test_an_old_store_read_to_import_still_imports(
    tutor: Tutor, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    """A store file from schema 4 (no texts, no name keys) goes in and its learners match."""
    tutor.save(capsys, "Amy Khan", "CS-L2-A", "22014")
    old = tmp_path / "old.sqlite3"
    db = sqlite3.connect(old)
    src = sqlite3.connect(tutor.db)
    src.backup(db)
    src.close()
    db.executescript(
        "DROP TABLE lessons; DROP TABLE roster; DROP TABLE scenario_texts;"
        "DROP INDEX sessions_lesson; DROP INDEX learners_name_key; DROP INDEX learners_group_key;"
        "ALTER TABLE sessions DROP COLUMN scenario_hash; ALTER TABLE sessions DROP COLUMN observer;"
        "ALTER TABLE sessions DROP COLUMN lesson_code; ALTER TABLE learners DROP COLUMN name_key;"
        "ALTER TABLE learners DROP COLUMN group_key; PRAGMA user_version = 4;"
    )
    db.close()
    target = tmp_path / "tutor.sqlite3"
    with Store.open(target) as store:  # already here, spelt another way
        store.learner("amy KHAN", "22014", "CS-L2-A")
    code, out, err = run(capsys, "import", str(old), "--store", str(target))
    assert (code, err) == (0, "")
    assert out == f"{old}: imported 1 session(s)\n"  # no new learner: matched by name key
    with Store.open(target) as store:
        assert [x.name for x in store.learners()] == ["amy KHAN"]


async def test_a_session_played_in_the_app_replays_with_the_file_gone(
    tutor: Tutor, capsys: pytest.CaptureFixture[str], tmp_path: Path, drive: Any
) -> None:
    """The simulator, driven by keys: the session keeps the text it was played on."""
    app = RoleplayApp(scenario=str(tutor.file), store_path=tutor.db)
    app.reply_guard = 0.0
    app.sheets_folder = tmp_path / "sheets"
    async with app.run_test(size=(120, 40)) as pilot:
        me = drive(pilot)
        await me.start(SCENARIO_ID, name="Amy Khan")
        await me.say("sorry-and-ask", "brief-supervisor")
    tutor.move_the_file_away()
    with Store.open(tutor.db) as store:
        (record,) = store.sessions()
    code, md, err = tutor.cli(capsys, "sheet", str(record.id), "--format", "md")
    assert (code, err) == (0, "")
    assert CUSTOMER_LINE in md and "| Outcome | Resolved |" in md
