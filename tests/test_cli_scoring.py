"""``roleplay run --rubric`` and ``roleplay coverage``: what a tutor or learner sees on the command line."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from simulator.catalog import bundled_rubric_paths
from simulator.cli import main

FIXTURES = Path(__file__).parent / "fixtures" / "scoring"
SHOP = str(FIXTURES / "scoring-shop.scenario.yaml")
PHONE = str(FIXTURES / "scoring-phone.scenario.yaml")
UNIT = str(FIXTURES / "scoring-unit.yaml")
HAS_UNIT7 = "ocr-l2-unit7" in {p.stem for p in bundled_rubric_paths()}
needs_unit7 = pytest.mark.skipif(not HAS_UNIT7, reason="rubrics/ocr-l2-unit7.yaml not bundled yet")

KETTLE_DISTINCTION = (
    "sorry-tell-me,probe-fault,look-at-kettle,ask-damage,safety-advice,ask-date-proof,"
    "bank-statement-ok,take-notes,repeat-back,go-to-manager,brief-clearly,list-options,"
    "recommend-refund-discount,policy-and-reasons,offer-three,recommend-clearview,justify-balance,"
    "check-understanding,correct-timing,fill-returns-form,check-with-returns,call-customer"
)
SHOP_DISTINCTION = (
    "sorry,ask-what,cut-in,say-back,calm-words,calm-words,to-solution,explain-next,check-ok,"
    "give-policy,alternatives,fetch-manager,brief,list-options,recommend,back-to-customer,goodbye"
)
GOOD_RESPONSES = {
    "cause_assessment": {
        "issue": "product_faulty",
        "indicators": ["angry", "frustrated"],
        "issue_words": "Her toaster caught fire the first week.",
        "challenge_words": "She is angry and frustrated, and scared.",
    },
    "review": {
        "strengths": "I said sorry first.",
        "weaknesses": "I cut in once.",
        "challenges": "He was shouting.",
        "improvements": "Let him finish.",
    },
    "learning_plan": [
        {"activity": "Practise open questions", "criterion": "P2", "target_date": "2026-12-04"}
    ],
}


def cli(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    """Run ``roleplay ARGS`` in process; return exit code, stdout, stderr (never a traceback)."""
    code = main(list(args))
    out, err = capsys.readouterr()
    assert "Traceback" not in out + err
    return code, out, err


def write(tmp_path: Path, name: str, text: str) -> str:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return str(path)


# -- run --rubric --json ---------------------------------------------------------------------------


@needs_unit7
def test_run_json_adds_rubric_criteria_and_grade(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = cli(
        capsys, "run", "faulty-kettle", "--choose", KETTLE_DISTINCTION, "--rubric",
        "ocr-l2-unit7", "--json",
    )  # fmt: skip
    assert (code, err) == (0, "")
    data = json.loads(out)
    assert {"scenario", "path", "ending", "transcript", "rubric", "criteria", "grade",
            "grade_detail", "critical_errors"} <= set(data)  # fmt: skip
    assert data["critical_errors"] == []
    assert data["rubric"] == {"id": "ocr-l2-unit7", "version": data["rubric"]["version"]}
    assert data["grade"] == "distinction"
    detail = data["grade_detail"]
    assert set(detail) >= {"value", "label", "over", "not_covered", "ceiling"}
    assert (detail["label"], detail["ceiling"], detail["not_covered"]) == (
        "Distinction", "distinction", [],
    )  # fmt: skip
    assert "P1" not in detail["over"] and "P2" in detail["over"]
    for verdict in data["criteria"].values():
        assert set(verdict) == {"status", "reason", "detail", "evidence", "concerns", "feedback"}
        assert verdict["status"] in ("achieved", "not_yet", "not_covered", "needs_tutor")
    p3 = data["criteria"]["P3"]
    assert (p3["status"], p3["reason"]) == ("achieved", None)
    assert p3["evidence"] == [
        {
            "turn": 11,
            "node": "brief-manager",
            "option": "brief-clearly",
            "line": next(t["text"] for t in data["transcript"] if t["option"] == "brief-clearly"),
            "behaviour": "brief_appropriate_person",
            "to": "supervisor",
        }
    ]
    assert p3["feedback"]
    p1 = data["criteria"]["P1"]  # no responses given: the cause assessment is missing
    assert (p1["status"], p1["reason"]) == ("not_yet", "missing")


def test_run_json_without_rubric_has_no_grade(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = cli(capsys, "run", SHOP, "--choose", "sorry", "--json")
    assert code == 0
    assert not {"rubric", "criteria", "grade", "grade_detail"} & set(json.loads(out))


def test_run_with_a_rubric_file_shows_not_covered_and_the_ceiling(
    capsys: pytest.CaptureFixture[str],
) -> None:
    code, out, _ = cli(capsys, "run", PHONE, "--choose", "phone-sorry", "--rubric", UNIT, "--json")
    assert code == 0
    data = json.loads(out)
    assert data["criteria"]["D1"]["status"] == "not_covered"
    assert data["grade_detail"]["not_covered"] == ["D1"]
    assert data["grade_detail"]["ceiling"] == "merit"
    code, out, _ = cli(capsys, "run", PHONE, "--choose", "phone-sorry", "--rubric", UNIT)
    assert "This scenario cannot show: D1" in out
    assert "Session grade: In progress" in out  # one line in: the conversation has not ended


# -- run --rubric, text -----------------------------------------------------------------------------


def test_run_text_shows_grade_verdicts_evidence_and_concerns(
    capsys: pytest.CaptureFixture[str],
) -> None:
    code, out, err = cli(capsys, "run", SHOP, "--choose", SHOP_DISTINCTION, "--rubric", UNIT)
    assert (code, err) == (0, "")
    assert "Rubric: scoring-unit (version 3)" in out
    assert "Session grade: Distinction  (over P1, P2, P3, M1, M2, M3, D1)" in out
    assert re.search(r"^  P2 +achieved: ", out, re.M)
    assert 'turn 1 [sorry] empathy: "I\'m so sorry, that must have been frightening."' in out
    assert (
        'concern, turn 3 [cut-in] interrupt: "Yes, yes. Was it plugged into an extension lead?"'
        in out
    )
    assert re.search(r"^  M4 +not_yet \(missing\): still to write", out, re.M)
    assert re.search(r"^  M5 +needs_tutor: Oral questioning by the tutor\.", out, re.M)


def test_run_text_names_the_reason_and_the_blocking_line(
    capsys: pytest.CaptureFixture[str],
) -> None:
    code, out, _ = cli(
        capsys, "run", SHOP, "--choose", "sorry,snap-back,to-solution,goodbye", "--rubric", UNIT
    )
    assert code == 0
    assert "Session grade: Not yet" in out
    assert re.search(r"^  P2 +not_yet \(blocked\): turn 2", out, re.M)
    assert 'concern, turn 2 [snap-back] argue: "Well, you must have used it wrong."' in out


def test_run_stopped_by_an_unavailable_option_still_scores_what_was_said(
    capsys: pytest.CaptureFixture[str],
) -> None:
    code, out, err = cli(
        capsys, "run", SHOP, "--choose", "sorry,nonsense", "--rubric", UNIT, "--json"
    )
    assert code == 3
    assert "nonsense" in err
    data = json.loads(out)
    assert data["criteria"]["P2"]["status"] == "achieved"
    assert data["grade"] == "in_progress"  # stopped before an ending: no grade


# -- --responses -----------------------------------------------------------------------------------


def test_run_reads_valid_responses(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = write(tmp_path, "responses.json", json.dumps(GOOD_RESPONSES))
    code, out, err = cli(
        capsys, "run", SHOP, "--choose", SHOP_DISTINCTION, "--rubric", UNIT, "--responses", path,
        "--json",
    )  # fmt: skip
    assert (code, err) == (0, "")
    criteria = json.loads(out)["criteria"]
    assert {c: criteria[c]["status"] for c in ("P4", "M4", "D2", "M5")} == {
        "P4": "needs_tutor", "M4": "needs_tutor", "D2": "needs_tutor", "M5": "needs_tutor",
    }  # fmt: skip


def test_run_refuses_malformed_json_with_its_position(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = write(tmp_path, "responses.json", '{\n  "review": {,\n}\n')
    code, out, err = cli(capsys, "run", SHOP, "--rubric", UNIT, "--responses", path)
    assert code == 1
    assert out == ""
    assert re.match(rf"{re.escape(path)}:2:14: error: not valid JSON", err)


# (id, file content, the part the message must name)
WRONG_SHAPES = [
    ("a list", "[]", "must be a JSON object"),
    ("unknown part", '{"reveiw": {}}', "unknown part(s): reveiw"),
    ("review part not text", '{"review": {"strengths": 1}}', "review.strengths must be text"),
    ("plan not a list", '{"learning_plan": {}}', "learning_plan must be a list"),
    ("plan entry", '{"learning_plan": [{"activity": "x", "when": "soon"}]}',
     "learning_plan[0] has unknown key(s): when"),
    ("indicators", '{"cause_assessment": {"indicators": "angry"}}',
     "cause_assessment.indicators must be a list"),
]  # fmt: skip


@pytest.mark.parametrize(
    ("content", "message"), [r[1:] for r in WRONG_SHAPES], ids=[r[0] for r in WRONG_SHAPES]
)
def test_run_refuses_responses_of_the_wrong_shape_naming_the_part(
    content: str, message: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = write(tmp_path, "responses.json", content)
    code, out, err = cli(capsys, "run", SHOP, "--rubric", UNIT, "--responses", path)
    assert code == 1
    assert out == ""
    assert err.startswith(f"{path}: error: ")
    assert message in err


def test_run_reports_an_unreadable_responses_file(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    missing = str(tmp_path / "nope.json")
    code, _, err = cli(capsys, "run", SHOP, "--rubric", UNIT, "--responses", missing)
    assert code == 1
    assert f"cannot read {missing}" in err
    binary = tmp_path / "binary.json"
    binary.write_bytes(b"\xff\xfe\x00garbage")
    code, _, err = cli(capsys, "run", SHOP, "--rubric", UNIT, "--responses", str(binary))
    assert code == 1
    assert str(binary) in err


# -- unknown or broken rubrics -----------------------------------------------------------------------


@needs_unit7
def test_unknown_rubric_suggests_the_nearest(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = cli(capsys, "run", "faulty-kettle", "--rubric", "ocr-l2-unit8")
    assert code == 1
    assert out == ""
    assert "did you mean 'ocr-l2-unit7'" in err
    code, _, err = cli(capsys, "coverage", "faulty-kettle", "--rubric", "ocr-l2-unit8")
    assert code == 1
    assert "did you mean 'ocr-l2-unit7'" in err


def test_rubric_file_with_errors_is_reported_with_locations(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    text = (
        Path(UNIT)
        .read_text(encoding="utf-8")
        .replace("any: [empathy, sympathy]", "any: [empathy, sympaty]")
    )
    path = write(tmp_path, "scoring-unit.yaml", text)
    code, out, err = cli(capsys, "run", SHOP, "--rubric", path)
    assert code == 1
    assert out == ""
    assert "has errors" in err
    assert re.search(rf"{re.escape(path)}:\d+:\d+: .*sympaty", err)
    assert "did you mean 'sympathy'" in err


# -- coverage ----------------------------------------------------------------------------------------


def test_coverage_text_lists_every_criterion_with_its_status(
    capsys: pytest.CaptureFixture[str],
) -> None:
    code, out, err = cli(capsys, "coverage", PHONE, "--rubric", UNIT)
    assert (code, err) == (0, "")
    assert "(scoring-phone) against Scoring test unit (scoring-unit)" in out
    rows = dict(re.findall(r"^  (\S+) +(\S+) ", out, re.M))
    assert rows == {
        "P1": "can", "P2": "can", "P3": "can", "P4": "collected", "P5": "portfolio",
        "M1": "can", "M2": "can", "M3": "can", "M4": "collected", "M5": "tutor",
        "D1": "cannot", "D2": "collected",
    }  # fmt: skip
    assert re.search(r"^  M2 +can +session: phone-options, phone-recommend$", out, re.M)


def test_coverage_json_statuses_and_options(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = cli(capsys, "coverage", SHOP, "--rubric", UNIT, "--json")
    assert code == 0
    data = json.loads(out)
    assert (data["scenario"], data["rubric"]) == ("scoring-shop", "scoring-unit")
    statuses = {code: row["status"] for code, row in data["criteria"].items()}
    assert set(statuses.values()) == {"can", "collected", "portfolio", "tutor"}
    assert statuses["D1"] == "can"
    assert data["criteria"]["D1"]["options"] == ["give-policy", "quote-rules", "alternatives"]
    # the automatic desk line is never offered to the learner, so it is never listed
    assert data["criteria"]["M3"]["options"] == ["calm-words"]
    assert data["criteria"]["P2"]["options"] == ["sorry"]
    assert data["criteria"]["M5"] == {"status": "tutor", "detail": "judged by the tutor",
                                      "options": []}  # fmt: skip
    phone = json.loads(cli(capsys, "coverage", PHONE, "--rubric", UNIT, "--json")[1])
    assert phone["criteria"]["D1"] == {
        "status": "cannot", "detail": "no option can show it in this scenario", "options": [],
    }  # fmt: skip


def test_coverage_needs_a_rubric(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = cli(capsys, "coverage", SHOP)
    assert code == 2
    assert out == ""
    assert "--rubric" in err


@needs_unit7
def test_coverage_uses_the_scenarios_default_rubric(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = cli(capsys, "coverage", "router-helpline")
    assert code == 0
    assert "against Handling challenging customer service situations (ocr-l2-unit7)" in out


def test_coverage_of_an_unknown_scenario(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = cli(capsys, "coverage", "no-such-scenario", "--rubric", UNIT)
    assert code == 1
    assert out == ""
    assert "no-such-scenario" in err
