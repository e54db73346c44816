"""A tutor's decision (``roleplay confirm``), serious errors first, and the class report agreeing
with the portfolio.

Every session is played into a real store by ``roleplay run --save`` on the small scoring
fixtures (not the bundled scenarios, whose routes change as they are rewritten), judged against
the bundled OCR Unit 7 rubric: its P1 is the cause assessment that needs two different
situations, and its serious errors include a data-protection breach.
"""

from __future__ import annotations

import csv
import io
import json
import re
from pathlib import Path
from typing import Any

import pytest

from simulator.cli import main
from simulator.store import ENV_VAR, Store

SCORING = Path(__file__).parent / "fixtures" / "scoring"
SHOP = str(SCORING / "scoring-shop.scenario.yaml")
PHONE = str(SCORING / "scoring-phone.scenario.yaml")
SERIOUS = str(SCORING / "scoring-serious.scenario.yaml")
UNIT = str(SCORING / "scoring-unit.yaml")
FILES = ["--scenarios", SHOP, "--scenarios", PHONE, "--scenarios", SERIOUS]
SHOP_ROUTE = "sorry,ask-what,ask-when,to-solution,goodbye"
PHONE_ROUTE = "phone-sorry,phone-ask,phone-probe,phone-bye"
BREACH_ROUTE = "read-address,ask,misstate,put-right,more,bye"  # breach never put right
RIGHTS_PUT_RIGHT = "verify,ask,misstate,put-right,more,bye"  # the misstatement is put right
BREACH_LINE = "I've found you already: 14 Beaumont Road, is that right?"
MISSTATED = "Without the letter there's nothing we can do, I'm afraid."
NOTE = "Clear, and in her own words | about the fire"
SHOP_ASSESSMENT = {
    "issue": "product_faulty",
    "characteristics": ["external"],
    "indicators": ["angry"],
    "issue_words": "The toaster she bought caught fire on day three.",
    "challenge_words": "She is angry and frightened.",
}
PHONE_ASSESSMENT = {
    "issue": "goods_not_delivered",
    "characteristics": ["external"],
    "indicators": ["upset"],
    "issue_words": "His parcel never came.",
    "challenge_words": "He is upset and has waited a long time.",
}


def cli(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    """Run ``roleplay ARGS`` in process; return the exit code, stdout and stderr."""
    capsys.readouterr()
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


class Class:
    """A store and the commands a tutor runs against it."""

    def __init__(self, tmp: Path) -> None:
        self.tmp = tmp
        self.db = tmp / "s.db"

    def cli(self, capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
        """Run a command against this store."""
        return cli(capsys, *args, "--store", str(self.db))

    def play(
        self,
        capsys: pytest.CaptureFixture[str],
        scenario: str,
        choose: str,
        learner: str = "Amy Khan",
        cause: dict[str, Any] | None = None,
        *extra: str,
    ) -> int:
        """Save a session with ``roleplay run --save`` against Unit 7; return its id."""
        args = ["run", scenario, "--choose", choose, "--learner", learner, "--group", "7B"]
        args += ["--rubric", "ocr-l2-unit7", "--save", "--json", *extra]
        if cause is not None:
            path = self.tmp / f"responses-{len(list(self.tmp.glob('responses-*')))}.json"
            path.write_text(json.dumps({"cause_assessment": cause}), encoding="utf-8")
            args += ["--responses", str(path)]
        code, out, err = self.cli(capsys, *args)
        assert code == 0, err
        return int(json.loads(out)["session"])

    def confirm(self, capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
        """``roleplay confirm ARGS`` with the fixture scenarios available."""
        return self.cli(capsys, "confirm", *args, *FILES)

    def portfolio(self, capsys: pytest.CaptureFixture[str], learner: str = "Amy Khan") -> Any:
        """The learner's portfolio as JSON."""
        code, out, err = self.cli(capsys, "portfolio", learner, "--format", "json", *FILES)
        assert code == 0, err
        return json.loads(out)

    def csv_rows(self, capsys: pytest.CaptureFixture[str]) -> dict[str, dict[str, str]]:
        """The class report's CSV as {learner: {column: cell}}."""
        code, out, err = self.cli(capsys, "class-report", "--format", "csv", *FILES)
        assert code == 0, err
        return {row["Learner"]: row for row in csv.DictReader(io.StringIO(out))}


@pytest.fixture(autouse=True)
def never_the_real_store(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv(ENV_VAR, str(tmp_path / "default" / "never.db"))


@pytest.fixture
def klass(tmp_path: Path) -> Class:
    return Class(tmp_path)


# -- the command --------------------------------------------------------------------------------
def test_confirm_prints_one_line_with_what_was_recorded_and_the_grade_now(
    klass: Class, capsys: pytest.CaptureFixture[str]
) -> None:
    sid = klass.play(capsys, SHOP, SHOP_ROUTE, cause=SHOP_ASSESSMENT)
    code, out, err = klass.confirm(
        capsys, str(sid), "P1", "--verdict", "achieved", "--by", "R. Patel", "--note", NOTE
    )
    assert (code, err) == (0, "")
    assert len(out.splitlines()) == 1
    assert re.fullmatch(
        rf"session {sid} \(Amy Khan, scoring-shop\): P1 Achieved, decided by R\. Patel on "
        r"\d{4}-\d\d-\d\d \d\d:\d\d UTC \(the simulator's verdict was Awaiting tutor\); "
        rf'note: "{re.escape(NOTE)}"; the session\'s grade now: Not yet\n',
        out,
    ), out
    with Store.open(klass.db) as store:
        record = store.session(sid)
    assert record is not None
    [decision] = record.decisions
    assert (decision.code, decision.verdict, decision.by, decision.note) == (
        "P1", "achieved", "R. Patel", NOTE,
    )  # fmt: skip
    assert record.result is not None  # judged again with it, and stored
    assert record.result["criteria"]["P1"]["status"] == "achieved"
    assert record.result["criteria"]["P1"]["decision"]["by"] == "R. Patel"


def test_a_second_decision_replaces_the_first_and_says_so(
    klass: Class, capsys: pytest.CaptureFixture[str]
) -> None:
    sid = klass.play(capsys, SHOP, SHOP_ROUTE, cause=SHOP_ASSESSMENT)
    assert klass.confirm(capsys, str(sid), "P1", "--verdict", "achieved", "--by", "A")[0] == 0
    code, out, _ = klass.confirm(capsys, str(sid), "p1", "--verdict", "not_yet", "--by", "B")
    assert code == 0
    assert ": P1 Not yet, decided by B on " in out  # the code as the rubric spells it
    assert "(replacing A's decision of " in out and ": Achieved)" in out
    with Store.open(klass.db) as store:
        assert [(d.code, d.verdict, d.by) for d in store.decisions(sid)] == [("P1", "not_yet", "B")]


def test_confirm_overturns_a_verdict_and_the_session_grade_follows(
    klass: Class, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    sid = klass.cli(
        capsys, "run", SHOP, "--choose", "sorry,ask-what,ask-when,to-solution,goodbye",
        "--rubric", UNIT, "--learner", "Amy Khan", "--save", "--json",
    )  # fmt: skip
    assert sid[0] == 0, sid[2]
    session = str(json.loads(sid[1])["session"])
    code, out, err = klass.confirm(
        capsys, session, "P3", "--verdict", "achieved", "--by", "R. Patel", "--rubric", UNIT
    )
    assert (code, err) == (0, ""), err
    assert "(the simulator's verdict was Not yet)" in out
    assert out.rstrip().endswith("the session's grade now: Pass")  # P1, P2 and now P3


def test_unknown_session_is_a_message_and_exit_1(
    klass: Class, capsys: pytest.CaptureFixture[str]
) -> None:
    klass.play(capsys, SHOP, SHOP_ROUTE, cause=SHOP_ASSESSMENT)
    code, out, err = klass.confirm(capsys, "99", "P1", "--verdict", "achieved", "--by", "R")
    assert (code, out) == (1, "")
    assert err.strip() == f"roleplay: no session 99 in {klass.db}"


def test_unknown_criterion_says_did_you_mean_and_records_nothing(
    klass: Class, capsys: pytest.CaptureFixture[str]
) -> None:
    sid = str(klass.play(capsys, SHOP, SHOP_ROUTE, cause=SHOP_ASSESSMENT))
    code, out, err = klass.confirm(capsys, sid, "P10", "--verdict", "achieved", "--by", "R")
    assert (code, out) == (1, "")
    assert "rubric 'ocr-l2-unit7' has no criterion 'P10' (did you mean 'P1'?)" in err
    assert "its criteria: P1, P2, P3" in err
    code, _, err = klass.confirm(capsys, sid, "m44", "--verdict", "achieved", "--by", "R")
    assert code == 1 and "(did you mean 'M4'?)" in err
    with Store.open(klass.db) as store:
        assert store.decisions(int(sid)) == ()


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--verdict", "maybe", "--by", "R"], "argument --verdict: invalid choice: 'maybe'"),
        (["--by", "R"], "the following arguments are required: --verdict"),
        (["--verdict", "achieved"], "the following arguments are required: --by"),
        (["--verdict", "achieved", "--by", "  "], "--by needs the name of who decided"),
    ],
)
def test_usage_errors_exit_2_and_record_nothing(
    klass: Class, capsys: pytest.CaptureFixture[str], args: list[str], message: str
) -> None:
    sid = str(klass.play(capsys, SHOP, SHOP_ROUTE, cause=SHOP_ASSESSMENT))
    code, out, err = klass.confirm(capsys, sid, "P1", *args)
    assert (code, out) == (2, "")
    assert message in err and "Traceback" not in err
    with Store.open(klass.db) as store:
        assert store.decisions(int(sid)) == ()


def test_without_the_scenario_the_decision_is_kept_and_the_grade_is_the_stored_one(
    klass: Class, capsys: pytest.CaptureFixture[str]
) -> None:
    sid = str(klass.play(capsys, SHOP, SHOP_ROUTE, cause=SHOP_ASSESSMENT))
    with Store.open(klass.db) as store:  # as a session from before scenario texts were kept
        store.db.execute("UPDATE sessions SET scenario_hash = NULL")
        store.db.execute("DELETE FROM scenario_texts")
    code, out, err = klass.cli(
        capsys, "confirm", sid, "P1", "--verdict", "achieved", "--by", "R. Patel"
    )
    assert code == 0
    assert out.rstrip().endswith("the session's grade as stored: Not yet")
    assert "the grade was not worked out again: scenario 'scoring-shop' is not available" in err
    with Store.open(klass.db) as store:
        assert [d.code for d in store.decisions(int(sid))] == ["P1"]
    code, html, _ = klass.cli(capsys, "sheet", sid)  # still not here: the stored result
    assert code == 0
    row = html.split('<tr id="criterion-P1">')[1].split("</tr>")[0]
    assert '<span class="badge s-achieved">Achieved</span>' in row
    assert "Your tutor's decision: Achieved</strong>, by R. Patel" in row
    assert (
        "Your tutor&#39;s decisions are shown, but the grade could not be worked out again: "
        "scenario &#39;scoring-shop&#39; is not available here" in html
    )


def test_a_criterion_judged_only_across_sessions_cannot_be_decided_on_one(
    klass: Class, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, _ = klass.cli(
        capsys, "run", SHOP, "--choose", SHOP_ROUTE, "--rubric", UNIT, "--learner", "Amy Khan",
        "--save", "--json",
    )  # fmt: skip
    sid = str(json.loads(out)["session"])
    code, _, err = klass.confirm(
        capsys, sid, "P5", "--verdict", "achieved", "--by", "R", "--rubric", UNIT
    )
    assert code == 1
    assert "P5 is judged across a learner's sessions, not in one; decide on P2" in err


# -- where the decision shows -------------------------------------------------------------------
def test_the_sheet_shows_the_decision_in_html_and_markdown(
    klass: Class, capsys: pytest.CaptureFixture[str]
) -> None:
    sid = str(klass.play(capsys, SHOP, SHOP_ROUTE, cause=SHOP_ASSESSMENT))
    klass.confirm(capsys, sid, "P1", "--verdict", "achieved", "--by", "R. Patel", "--note", NOTE)
    code, html, err = klass.cli(capsys, "sheet", sid, *FILES)
    assert (code, err) == (0, "")
    row = html.split('<tr id="criterion-P1">')[1].split("</tr>")[0]
    assert '<span class="badge s-achieved">Achieved</span>' in row
    assert "your tutor's decision" in row
    assert re.search(
        r"Your tutor's decision: Achieved</strong>, by R\. Patel on \d{4}-\d\d-\d\d \d\d:\d\d "
        r"UTC\. “Clear, and in her own words \| about the fire”",
        row,
    ), row
    assert "For the unit this is needed in at least 2 different scenarios" in row
    assert "Your tutor has decided on P1" in html
    # what the learner typed is theirs; what they chose is not
    assert "The issue, in your own words</dt><dd>The toaster she bought caught fire" in html
    assert "Your choices <span" in html and "(your own words)" not in html
    code, md, _ = klass.cli(capsys, "sheet", sid, "--format", "md", *FILES)
    assert code == 0
    p1 = next(line for line in md.splitlines() if line.startswith("| **P1**"))
    assert "| Achieved (your tutor's decision) |" in p1
    assert "**Your tutor's decision: Achieved**, by R. Patel on " in p1
    assert "“Clear, and in her own words \\| about the fire”" in p1  # escaped: one table cell
    assert "| Criterion | Verdict | Your choices (the lines you chose) | Feedback |" in md


def test_the_sheet_shows_a_decision_even_where_the_rubric_is_not_available(
    klass: Class, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, _ = klass.cli(
        capsys, "run", SHOP, "--choose", SHOP_ROUTE, "--rubric", UNIT, "--learner", "Amy Khan",
        "--save", "--json",
    )  # fmt: skip
    sid = str(json.loads(out)["session"])
    code, out, err = klass.confirm(
        capsys, sid, "P3", "--verdict", "achieved", "--by", "R. Patel", "--rubric", UNIT
    )
    assert code == 0, err
    code, html, err = klass.cli(capsys, "sheet", sid, *FILES)  # scoring-unit is not bundled
    assert code == 0
    assert "no rubric file or bundled rubric called 'scoring-unit'" in err
    row = html.split('<tr id="criterion-P3">')[1].split("</tr>")[0]
    assert "Your tutor's decision: Achieved</strong>, by R. Patel" in row
    assert '<div class="big">Pass</div>' in html  # stored by confirm, judged with the decision


def test_p1_confirmed_in_two_different_scenarios_is_achieved_for_the_unit(
    klass: Class, capsys: pytest.CaptureFixture[str]
) -> None:
    shop = str(klass.play(capsys, SHOP, SHOP_ROUTE, cause=SHOP_ASSESSMENT))
    again = str(klass.play(capsys, SHOP, SHOP_ROUTE, cause=SHOP_ASSESSMENT))
    unwritten = str(klass.play(capsys, PHONE, PHONE_ROUTE))  # no cause assessment
    for sid in (shop, again):
        code, _, err = klass.confirm(capsys, sid, "P1", "--verdict", "achieved", "--by", "R. Patel")
        assert code == 0, err
    data = klass.portfolio(capsys)
    p1 = data["criteria"]["P1"]
    assert p1["status"] == "not_yet"  # the same scenario twice is one situation
    assert "1 different scenario(s) so far; 2 needed" in p1["detail"]
    assert p1["consistency"] == {
        "achieved": 2, "of": 3, "latest": "not_yet", "latest_session": f"session {unwritten}",
    }  # fmt: skip
    phone = str(klass.play(capsys, PHONE, PHONE_ROUTE, cause=PHONE_ASSESSMENT))
    klass.confirm(capsys, phone, "P1", "--verdict", "achieved", "--by", "R. Patel", "--note", NOTE)
    data = klass.portfolio(capsys)
    assert data["criteria"]["P1"]["status"] == "achieved"
    assert "P1" not in data["missing"]
    assert data["criteria"]["P1"]["consistency"]["achieved"] == 3
    assert [(d["session"], d["code"], d["by"]) for d in data["decisions"]] == [
        (int(shop), "P1", "R. Patel"), (int(again), "P1", "R. Patel"),
        (int(phone), "P1", "R. Patel"),
    ]  # fmt: skip
    assert data["decisions"][2]["note"] == NOTE
    code, html, _ = klass.cli(capsys, "portfolio", "Amy Khan", "--format", "html", *FILES)
    assert code == 0
    decisions = html.split("<h2>Your tutor's decisions</h2>")[1].split("<h2>")[0]
    assert decisions.count("<strong>P1</strong>") == 3
    assert "R. Patel" in decisions and "Clear, and in her own words | about the fire" in decisions
    code, md, _ = klass.cli(capsys, "portfolio", "Amy Khan", "--format", "md", *FILES)
    assert code == 0
    assert "## Your tutor's decisions" in md
    assert f"| Session {phone} | **P1** | Achieved | R. Patel |" in md
    code, text, _ = klass.cli(capsys, "portfolio", "Amy Khan", *FILES)
    assert code == 0
    assert re.search(
        rf"session {phone} P1 +Achieved, by R\. Patel on .*: Clear, and in her own words", text
    )


def test_class_report_p1_agrees_with_the_portfolio(
    klass: Class, capsys: pytest.CaptureFixture[str]
) -> None:
    """One right cause assessment, confirmed: achieved in that session, not yet for the unit."""
    sid = str(klass.play(capsys, SHOP, SHOP_ROUTE, cause=SHOP_ASSESSMENT))
    klass.play(capsys, PHONE, PHONE_ROUTE)  # no cause assessment written
    klass.confirm(capsys, sid, "P1", "--verdict", "achieved", "--by", "R. Patel", "--note", NOTE)
    data = klass.portfolio(capsys)
    assert data["criteria"]["P1"]["status"] == "not_yet"
    assert "1 different scenario(s) so far; 2 needed" in data["criteria"]["P1"]["detail"]
    amy = klass.csv_rows(capsys)["Amy Khan"]
    assert amy["P1"] == "Not yet (1 of 2 sessions, tutor decided)"  # it once read "Achieved"
    labels = {"achieved": "Achieved", "not_yet": "Not yet", "needs_tutor": "Awaiting tutor"}
    for code, verdict in data["criteria"].items():  # every criterion, the same verdict
        if verdict["consistency"] is not None and verdict["consistency"]["of"] == 0:
            assert amy[code] == "Never attempted", code
        else:
            assert amy[code].startswith(labels[verdict["status"]]), (code, amy[code])
    assert amy["Unit grade so far"] == "Not yet" and amy["Sessions with a serious error"] == "0"
    assert amy["Tutor decisions"] == (
        f"session {sid} P1: Achieved, by R. Patel, "
        + re.findall(r"\d{4}-\d\d-\d\d \d\d:\d\d UTC", amy["Tutor decisions"])[0]
        + f" ({NOTE})"
    )
    code, html, _ = klass.cli(capsys, "class-report", *FILES)
    assert code == 0
    assert 'title="P1: Not yet (1 of 2 sessions, tutor decided). 1 different scenario(s)' in html
    assert "…✎</span>" in html  # marked as decided
    mine = html.split("<h2>Your decisions</h2>")[1].split("<h2>")[0]
    assert "Amy Khan" in mine and "<strong>P1</strong>" in mine and "R. Patel" in mine
    assert "Clear, and in her own words | about the fire" in mine


def test_decisions_travel_with_an_export_and_still_decide_the_unit(
    klass: Class, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    shop = str(klass.play(capsys, SHOP, SHOP_ROUTE, cause=SHOP_ASSESSMENT))
    phone = str(klass.play(capsys, PHONE, PHONE_ROUTE, cause=PHONE_ASSESSMENT))
    for sid in (shop, phone):
        klass.confirm(capsys, sid, "P1", "--verdict", "achieved", "--by", "R. Patel")
    out = tmp_path / "amy.json"
    assert klass.cli(capsys, "export", "--learner", "Amy Khan", "-o", str(out))[0] == 0
    other = tmp_path / "other.db"
    assert cli(capsys, "import", str(out), "--store", str(other))[0] == 0
    code, text, err = cli(
        capsys, "portfolio", "Amy Khan", "--format", "json", "--store", str(other), *FILES
    )
    assert code == 0, err
    data = json.loads(text)
    assert data["criteria"]["P1"]["status"] == "achieved"
    assert [d["by"] for d in data["decisions"]] == ["R. Patel", "R. Patel"]


# -- serious errors first -----------------------------------------------------------------------
def test_a_serious_error_not_put_right_comes_first_on_the_sheet(
    klass: Class, capsys: pytest.CaptureFixture[str]
) -> None:
    sid = str(klass.play(capsys, SERIOUS, BREACH_ROUTE))
    code, html, err = klass.cli(capsys, "sheet", sid, *FILES)
    assert (code, err) == (0, "")
    assert '<div class="big">No grade</div>' in html
    serious = html.index('<h2 id="serious-errors">Serious errors</h2>')
    assert serious < html.index("<h2>The scenario</h2>") < html.index("<h2>Criteria</h2>")
    part = html[serious : html.index("<h2>The scenario</h2>")]
    assert "<strong>No grade: a serious error was not put right</strong>" in part
    assert "(breaches data protection)" in part
    assert "Turn 1 · Breaches data protection · <strong>not put right</strong>" in part
    assert "“I&#39;ve found you already: 14 Beaumont Road, is that right?”" in part
    # the misstatement was put right: a concern, with the line that put it right
    assert "Turn 3 · Gets the customer&#39;s rights wrong · put right at turn 4" in part
    assert 'class="quote concern"' in part and 'class="quote serious"' in part
    assert "Turn 4, putting it right: “I put that badly" in part
    code, md, _ = klass.cli(capsys, "sheet", sid, "--format", "md", *FILES)
    assert code == 0
    assert "| Practice grade | **No grade: a serious error was not put right** |" in md
    assert md.index("## Serious errors") < md.index("## Criteria")
    assert f"- **Turn 1, Breaches data protection, not put right:** “{BREACH_LINE}”" in md
    assert "- **Turn 3, Gets the customer's rights wrong, put right at turn 4:**" in md


def test_an_error_put_right_is_a_concern_and_the_grade_stands(
    klass: Class, capsys: pytest.CaptureFixture[str]
) -> None:
    sid = str(klass.play(capsys, SERIOUS, RIGHTS_PUT_RIGHT))
    code, html, _ = klass.cli(capsys, "sheet", sid, *FILES)
    assert code == 0
    assert "No grade" not in html
    part = html.split('<h2 id="serious-errors">Serious errors</h2>')[1].split("<h2>")[0]
    assert "You put every serious error right during the conversation" in part
    assert "put right at turn 4" in part and "not put right" not in part


def test_run_names_the_serious_errors_before_the_grade_and_criteria(
    capsys: pytest.CaptureFixture[str],
) -> None:
    code, out, _ = cli(capsys, "run", SERIOUS, "--choose", BREACH_ROUTE, "--rubric", "ocr-l2-unit7")
    assert code == 0
    lines = out.splitlines()
    first = lines.index("Serious errors:")
    assert lines[first + 1] == (
        f'  turn 1 [read-address] Breaches data protection, NOT put right: "{BREACH_LINE}"'
    )
    assert lines[first + 2] == (
        "  turn 3 [misstate] Gets the customer's rights wrong, put right at turn 4 "
        f'[put-right]: "{MISSTATED}"'
    )
    assert lines[first + 3] == (
        "Session grade: No grade: a serious error was not put right (breaches data protection)"
    )
    assert re.search(r"^  P1 ", out, re.M).start() > out.index("Session grade:")  # type: ignore[union-attr]


def test_the_portfolio_and_class_report_count_sessions_with_a_serious_error(
    klass: Class, capsys: pytest.CaptureFixture[str]
) -> None:
    shop = str(klass.play(capsys, SHOP, SHOP_ROUTE, cause=SHOP_ASSESSMENT))
    bad = str(klass.play(capsys, SERIOUS, BREACH_ROUTE))
    klass.play(capsys, SHOP, SHOP_ROUTE, "Ben Ode")
    data = klass.portfolio(capsys)
    assert data["sessions_with_critical_errors"] == [f"session {bad}"]
    assert data["latest_grade_label"] == "No grade: a serious error was not put right"
    assert [e["behaviour"] for e in data["critical_errors"]] == [
        "breach_data_protection", "misstate_rights",
    ]  # fmt: skip
    code, html, _ = klass.cli(capsys, "portfolio", "Amy Khan", "--format", "html", *FILES)
    assert code == 0
    assert html.index('<h2 id="serious-errors">Serious errors</h2>') < html.index(
        "<h2>Criteria across your sessions</h2>"
    )
    assert "1 of your 2 sessions had a serious error that was not put right" in html
    assert 'Sessions with a serious error</div><div class="big">1</div>' in html
    assert f"Session {bad}, turn 1 · Breaches data protection" in html
    sessions = html.split("<h2>Sessions</h2>")[1]
    assert "No grade: a serious error was not put right" in sessions
    assert "1 not put right, 1 put right" in sessions
    code, text, _ = klass.cli(capsys, "portfolio", "Amy Khan", *FILES)
    assert "Sessions with a serious error not put right: 1 of 2 (session " in text
    assert text.index("Serious errors") < text.index("Criteria:")
    rows = klass.csv_rows(capsys)
    amy, ben = rows["Amy Khan"], rows["Ben Ode"]
    assert (amy["Sessions with a serious error"], amy["Latest grade"]) == (
        "1", "No grade (serious error)",
    )  # fmt: skip
    assert ben["Sessions with a serious error"] == "0"
    code, html, _ = klass.cli(capsys, "class-report", *FILES)
    serious = html.split("<h2>Serious errors</h2>")[1].split("<h2>")[0]
    assert f"Session {bad}, turn 1" in serious and "<strong>No</strong>" in serious
    assert f"Session {shop}," not in serious


def test_a_decision_does_not_undo_a_serious_error(
    klass: Class, capsys: pytest.CaptureFixture[str]
) -> None:
    sid = str(klass.play(capsys, SERIOUS, BREACH_ROUTE))
    code, out, _ = klass.confirm(capsys, sid, "P7", "--verdict", "achieved", "--by", "R. Patel")
    assert code == 0
    assert out.rstrip().endswith(
        "the session's grade now: No grade: a serious error was not put right"
    )


# -- what a sheet is called, and a session not finished ----------------------------------------
@pytest.mark.parametrize(
    ("mode", "heading"),
    [("practice", "Practice"), ("assessment", "Assessment practice"), ("headless", "Practice")],
)
def test_the_sheet_is_named_for_the_mode_it_was_played_in(
    klass: Class, capsys: pytest.CaptureFixture[str], mode: str, heading: str
) -> None:
    sid = str(klass.play(capsys, SHOP, SHOP_ROUTE, "Amy Khan", None, "--mode", mode))
    code, html, _ = klass.cli(capsys, "sheet", sid, *FILES)
    assert code == 0
    assert f"<h1>{heading}: Scoring shop: a faulty toaster at the counter</h1>" in html
    assert f"<title>{heading}: Amy Khan," in html
    assert "<strong>PRACTICE FEEDBACK</strong> · not an assessment decision" in html
    code, md, _ = klass.cli(capsys, "sheet", sid, "--format", "md", *FILES)
    assert md.startswith(f"# {heading}: Scoring shop")
    assert "**PRACTICE FEEDBACK: not an assessment decision.**" in md


def test_an_unfinished_session_reads_in_progress_with_no_grade_yet(
    klass: Class, capsys: pytest.CaptureFixture[str]
) -> None:
    sid = str(klass.play(capsys, SHOP, "sorry,ask-what"))
    code, html, _ = klass.cli(capsys, "sheet", sid, *FILES)
    assert code == 0
    assert '<div class="big">In progress</div>' in html
    assert "No grade yet: the conversation has not ended." in html
    code, text, _ = klass.cli(capsys, "portfolio", "Amy Khan", *FILES)
    assert "Latest session: In progress (no grade yet)" in text


def test_the_session_list_words_no_grade_and_in_progress(
    klass: Class, capsys: pytest.CaptureFixture[str]
) -> None:
    bad = klass.play(capsys, SERIOUS, BREACH_ROUTE)
    going = klass.play(capsys, SHOP, "sorry")
    code, out, _ = klass.cli(capsys, "sessions")
    assert code == 0
    rows = {int(line.split()[0]): line for line in out.splitlines()[1:]}
    assert " No grade " in rows[bad] and " In progress " in rows[going]
    code, out, _ = klass.cli(capsys, "sessions", "--json")  # scripts still read the values
    assert {r["session"]: r["grade"] for r in json.loads(out)} == {
        bad: "not_yet", going: "in_progress",
    }  # fmt: skip
