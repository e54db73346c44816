"""The reports (session sheet, class report, portfolio) rendered from real sessions.

Every session here is played through the engine by ``roleplay run --save`` (or the store API, for
notes and unscored sessions) into a real store; nothing is a hand-written result.
"""

from __future__ import annotations

import csv
import io
import json
import re
import sqlite3
import subprocess
import sys
import types
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import jinja2
import pytest
from markupsafe import escape

from simulator import report
from simulator.catalog import open_rubric, open_scenario
from simulator.engine import Session
from simulator.scoring import LearnerResponses
from simulator.store import Store

FIXTURES = Path(__file__).parent / "fixtures" / "report"
SCRIPT_SCENARIO = FIXTURES / "script-tags.scenario.yaml"
DISTINCTION = (
    "sorry-tell-me,probe-fault,safety-advice,ask-date-proof,bank-statement-ok,take-notes,"
    "repeat-back,go-to-manager,brief-clearly,list-options,recommend-refund-discount,"
    "policy-and-reasons,offer-three,recommend-clearview,justify-balance,check-understanding,"
    "correct-timing,fill-returns-form,"
    "check-with-returns,call-customer"
)
POOR_KETTLE = "ask-receipt-first,defend-shop,threaten-leave"
POOR_ROUTER = "skip-security,jargon-diag,repeat-jargon,wait-for-granddaughter"
SCRIPT_NAME = "<script>alert(1)</script>"
HYPERLINK = '=HYPERLINK("http://x")'
RESPONSES: dict[str, Any] = {
    "cause_assessment": {
        "issue": "product_faulty",
        "characteristics": ["external"],
        "indicators": ["angry", "frustrated"],
        "notes": "He was frightened for his children.",
        "issue_words": "His new kettle leaked and tripped the electrics.",
        "challenge_words": "He is angry and frightened, and wants more than a refund.",
    },
    "review": {
        "strengths": "I said sorry first and asked what happened.",
        "weaknesses": "I took a long time to list the options.",
        "challenges": "He was shouting at the start.",
        "improvements": "Check understanding sooner | and slow down.",
    },
    "learning_plan": [
        {"activity": "Practise open questions", "criterion": "P2", "target_date": "2026-12-04"}
    ],
}
KETTLE = open_scenario("faulty-kettle").scenario
REPEAT_BACK = KETTLE.options_by_id["repeat-back"].say
SORRY_TELL_ME = KETTLE.options_by_id["sorry-tell-me"].say
NOTE = "Customer wants the glass Clearview | not the same model"


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    """Run ``roleplay ARGS`` in process; return the exit code, stdout and stderr."""
    from simulator.cli import main

    capsys.readouterr()
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


@dataclass
class Class:
    """A store holding a class's real sessions, with the ids the tests look at."""

    db: Path
    tmp: Path
    ids: dict[str, int]

    def cli(self, capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
        """Run a command against this store."""
        return run(capsys, *args, "--store", str(self.db))


def play(
    db: Path,
    tmp: Path,
    scenario: str,
    choose: str,
    learner: str,
    group: str,
    responses: dict[str, Any] | None = None,
) -> int:
    """Play and save a session with ``roleplay run --save``; return its id."""
    from simulator.cli import main

    args = ["run", scenario, "--choose", choose, f"--learner={learner}", "--group", group]
    args += ["--save", "--store", str(db)]
    if responses is not None:
        path = tmp / f"responses-{len(list(tmp.iterdir()))}.json"
        path.write_text(json.dumps(responses), encoding="utf-8")
        args += ["--responses", str(path)]
    assert main(args) == 0
    with Store.open(db) as store:
        return store.sessions()[0].id


@pytest.fixture(scope="module")
def klass(tmp_path_factory: pytest.TempPathFactory) -> Class:
    """Group 7B: Alice (Distinction, then a poor router call), Bob and Carol (poor), two hostile
    names; group csv: names that look like spreadsheet formulas."""
    tmp = tmp_path_factory.mktemp("report")
    db = tmp / "s.db"
    ids = {
        "alice": play(db, tmp, "faulty-kettle", DISTINCTION, "Alice Adams", "7B", RESPONSES),
        "alice-router": play(db, tmp, "router-helpline", POOR_ROUTER, "Alice Adams", "7B"),
        "bob": play(db, tmp, "faulty-kettle", POOR_KETTLE, "Bob Brown", "7B"),
        "carol": play(db, tmp, "faulty-kettle", POOR_KETTLE, "Carol Clark", "7B"),
        "script": play(db, tmp, str(SCRIPT_SCENARIO), "ask-open,probe", SCRIPT_NAME, "7B"),
        "hyperlink": play(db, tmp, "router-helpline", POOR_ROUTER, HYPERLINK, "csv"),
    }
    for name in ("+447700900123", "-2+3", "@SUM(A1:A2)", "Plain Name"):
        ids[name] = play(db, tmp, "router-helpline", POOR_ROUTER, name, "csv")
    with Store.open(db) as store:
        store.add_note(ids["alice"], NOTE)
        store.add_note(ids["bob"], "# He said | <b>never again</b>")
    return Class(db, tmp, ids)


# -- the session sheet ------------------------------------------------------------------------
def assert_self_contained(html: str) -> None:
    """One file: inline CSS only, nothing fetched, no scripts; readable on a phone; A4 print."""
    assert html.startswith("<!DOCTYPE html>")
    assert re.search(r"<script", html, re.I) is None
    assert re.search(r"<link\b", html, re.I) is None
    assert re.search(r"<[^>]*\b(src|href)\s*=", html, re.I) is None
    assert "@import" not in html and "url(" not in html and "@font-face" not in html
    assert '<meta name="viewport" content="width=device-width, initial-scale=1">' in html
    assert re.search(r"@page\s*{\s*size:\s*A4;\s*margin:", html)
    assert "break-inside: avoid" in html and "page-break-inside: avoid" in html
    assert "default-src 'none'" in html  # even injected markup could fetch nothing


def test_sheet_html_has_every_part_of_a_distinction_session(
    klass: Class, capsys: pytest.CaptureFixture[str]
) -> None:
    code, html, err = klass.cli(capsys, "sheet", str(klass.ids["alice"]))
    assert code == 0, err
    assert_self_contained(html)
    assert "<strong>PRACTICE FEEDBACK</strong> · not an assessment decision" in html
    assert "<title>Practice: Alice Adams" in html  # played headless: practice, not assessment
    assert "Faulty kettle: an angry customer at the counter" in html
    assert "Brightwell Home &amp; Electrical (Worcester branch)" in html  # the context
    assert '<div class="big">Resolved</div>' in html  # the outcome
    assert re.search(r"Final customer mood</div><div class=\"big\">5</div>", html)
    assert '<div class="big">Distinction</div>' in html
    rubric = open_rubric("ocr-l2-unit7")
    for criterion in rubric.criteria:  # every criterion has a row with its wording
        assert f'<tr id="criterion-{criterion.code}">' in html
        assert str(escape(criterion.text.strip())) in html
    row = html.split('<tr id="criterion-P2">')[1].split("</tr>")[0]
    assert '<span class="badge s-achieved">Achieved</span>' in row
    assert f"“{escape(REPEAT_BACK)}”" in row  # the learner's exact words as evidence
    assert "Repeating key points back, Active listening" in row  # one line, two behaviours
    assert "You used more than one way of finding out what the customer needed." in row
    p8 = html.split('<tr id="criterion-P8">')[1].split("</tr>")[0]
    assert "Awaiting tutor" in p8 and "From your written review." in p8
    # the transcript: every line, with the scenario's feedback on each choice
    assert 'id="turn-18"' in html and "Thanks for ringing; nobody ever does that." in html
    assert '<span class="tag">Feedback:</span> A strong start.' in html
    first = html.split('id="turn-1"')[1].split('<div class="turn')[0]
    assert "A stronger option here" not in first  # the strongest opening on offer
    assert str(escape(NOTE)) in html
    assert "I said sorry first and asked what happened." in html  # the review
    assert "Check understanding sooner | and slow down." in html
    assert "Practise open questions" in html and "2026-12-04" in html  # the learning plan
    assert "Judged now" not in html  # the stored result is used


def test_sheet_of_a_poor_route_names_stronger_options_and_what_to_practise(
    klass: Class, capsys: pytest.CaptureFixture[str]
) -> None:
    code, html, _ = klass.cli(capsys, "sheet", str(klass.ids["bob"]))
    assert code == 0
    assert '<div class="big">Customer lost</div>' in html
    assert '<div class="big">Not yet</div>' in html
    turn1 = html.split('id="turn-1"')[1].split('<div class="turn')[0]
    assert "Have you got your receipt with you?" in turn1
    assert "asking for it first sounds as if you" in turn1  # the option's feedback
    assert "A stronger option here:" in turn1
    assert f"“{escape(SORRY_TELL_ME)}”" in turn1 and "(sorry-tell-me)" in turn1
    assert 'class="turn learner poor"' in html
    row = html.split('<tr id="criterion-P2">')[1].split("</tr>")[0]
    assert "Not yet" in row and "None in this session." in row
    assert "None of your replies showed this: open question" in row  # offered, not taken
    practise = html.split("<h2>What to practise next</h2>")[1]
    # three other scenarios that can show what was missed, nearest the kettle's difficulty and
    # on other issues first, before the kettle again
    suggested = re.findall(r"roleplay play ([a-z0-9-]+)", practise)
    assert len(suggested) == 3 and "faulty-kettle" not in suggested
    kettle = open_scenario("faulty-kettle").scenario
    for sid in suggested:
        other = open_scenario(sid).scenario
        assert other.difficulty == kettle.difficulty
        assert other.context.issue != kettle.context.issue
    assert "P2, P3, M1" in practise
    assert "<strong>P8, P9</strong>: write a review" in practise
    assert "No review written yet." in html


def md_pipes(line: str) -> int:
    """Count the cell separators of a Markdown table row (escaped pipes are text)."""
    return len(re.findall(r"(?<!\\)\|", line))


def test_sheet_markdown_pastes_as_one_clean_table(
    klass: Class, capsys: pytest.CaptureFixture[str]
) -> None:
    code, md, _ = klass.cli(capsys, "sheet", str(klass.ids["alice"]), "--format", "md")
    assert code == 0
    assert md.startswith("# Practice: Faulty kettle")
    assert "**PRACTICE FEEDBACK: not an assessment decision.**" in md
    assert "<script" not in md
    rows = [line for line in md.splitlines() if line.startswith("| **")]
    assert len(rows) == 15  # every criterion
    header = "| Criterion | Verdict | Your choices (the lines you chose) | Feedback |"
    assert header in md
    assert md.split(header)[0].endswith("\n\n")  # a blank line before a table, or it is text
    for line in rows:
        assert md_pipes(line) == md_pipes(header), line
    p2 = next(line for line in rows if line.startswith("| **P2**"))
    assert f"“{report.md_escape(REPEAT_BACK)}”" in p2
    assert "Check understanding sooner \\| and slow down." in md
    assert report.md_escape(NOTE) in md and "\\|" in report.md_escape(NOTE)


def test_markdown_escapes_names_and_text_that_would_break_the_page(
    klass: Class, capsys: pytest.CaptureFixture[str]
) -> None:
    code, md, _ = klass.cli(capsys, "sheet", str(klass.ids["bob"]), "--format", "md")
    assert code == 0
    assert "\\# He said \\| &lt;b&gt;never again&lt;/b&gt;" in md
    assert "<b>" not in md
    assert "_A stronger option here_ (sorry-tell-me)" in md
    code, md, _ = klass.cli(
        capsys, "sheet", str(klass.ids["script"]), "--format", "md", "--scenarios", str(FIXTURES)
    )
    assert code == 0
    assert "<script" not in md and "<img" not in md and "<em>" not in md
    assert "| Learner | &lt;script&gt;alert(1)&lt;/script&gt; |" in md
    assert "# Practice: &lt;script&gt;alert('title')&lt;/script&gt; \\| # Hostile" in md
    for line in md.splitlines():
        if line.startswith("| ") and "---" not in line:
            assert md_pipes(line) in (3, 5), line  # the key facts (2 columns) or criteria (4)


@pytest.mark.parametrize(
    ("text", "escaped"),
    [
        ("# Heading", "\\# Heading"),
        ("- item", "\\- item"),
        ("* item", "\\* item"),
        ("+ item", "\\+ item"),
        ("1. item", "1\\. item"),
        ("> quote", "&gt; quote"),
        ("a | b", "a \\| b"),
        ("<b>x</b>", "&lt;b&gt;x&lt;/b&gt;"),
        ("[link](javascript:x)", "\\[link\\](javascript:x)"),
        ("two\nlines", "two lines"),
        ("&lt; stays text", "&amp;lt; stays text"),
        ("Home & Electrical", "Home & Electrical"),
        ("snake_case *bold*", "snake\\_case \\*bold\\*"),
    ],
)
def test_md_escape(text: str, escaped: str) -> None:
    assert report.md_escape(text) == escaped


def test_script_in_a_learner_name_or_scenario_text_is_text_in_html(
    klass: Class, capsys: pytest.CaptureFixture[str]
) -> None:
    sid = str(klass.ids["script"])
    code, html, err = klass.cli(capsys, "sheet", sid, "--scenarios", str(FIXTURES))
    assert code == 0, err
    assert_self_contained(html)
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html  # the learner's name
    assert "&lt;script&gt;alert(&#39;title&#39;)&lt;/script&gt;" in html  # the title
    assert "&lt;script&gt;alert(&#39;line&#39;)&lt;/script&gt; My toaster" in html  # a line
    assert "&lt;script&gt;alert(&#39;option&#39;)&lt;/script&gt;." in html  # the learner's line
    assert "<img" not in html and "&lt;img src=x onerror=alert(1)&gt;" in html
    assert "<b>bold</b>" not in html and "<em>open</em>" not in html
    code, html, _ = klass.cli(capsys, "class-report", "--group", "7B")
    assert code == 0
    assert_self_contained(html)
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    for fmt in ("html", "md", "text"):
        code, out, _ = klass.cli(capsys, "portfolio", SCRIPT_NAME, "--format", fmt)
        assert code == 0
        assert ("<script" not in out) if fmt != "text" else (SCRIPT_NAME in out)


def without_kept_texts(db: Path, folder: Path) -> Path:
    """A copy of a store as one from before scenario texts were kept with each session."""
    copy = folder / "before-texts.db"
    src, dst = sqlite3.connect(db), sqlite3.connect(copy)
    src.backup(dst)
    src.close()
    dst.execute("UPDATE sessions SET scenario_hash = NULL")
    dst.execute("DELETE FROM scenario_texts")
    dst.commit()
    dst.close()
    return copy


def test_sheet_without_the_scenario_shows_what_is_stored(
    klass: Class, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    old = without_kept_texts(klass.db, tmp_path)
    code, html, err = run(capsys, "sheet", str(klass.ids["script"]), "--store", str(old))
    assert code == 0
    assert "scenario 'script-tags' is not available here" in err
    assert "The conversation cannot be replayed" in html
    assert "Tell me what happened &lt;script&gt;" in html  # the stored line
    assert '<div class="big">Not yet</div>' in html  # the stored result


def test_sheet_refuses_to_replay_another_scenario_version(
    klass: Class, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    db = tmp_path / "old.db"
    with Store.open(klass.db) as store:
        store.db.execute(f"VACUUM INTO '{db}'")
    with sqlite3.connect(db) as con:
        con.execute("UPDATE sessions SET scenario_version = 7 WHERE id = ?", (klass.ids["bob"],))
    code, html, err = run(capsys, "sheet", str(klass.ids["bob"]), "--store", str(db))
    assert code == 0
    assert "it was played on version 7 of 'faulty-kettle', which is now version 2" in err
    assert "The conversation cannot be replayed: it was played on version 7" in html
    assert "Have you got your receipt with you?" in html  # the stored lines instead
    assert "Are you listening to me?" not in html  # the customer's lines were never stored
    assert "A stronger option here" not in html
    assert '<div class="big">Not yet</div>' in html  # the stored result still shows


def test_sheet_judges_a_session_stored_without_a_result(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    scenario = open_scenario("router-helpline").scenario
    db = tmp_path / "s.db"
    with Store.open(db) as store:
        learner = store.learner("Dana Day", "L042", "7C")
        sid = store.start_session(learner, scenario, "practice", "ocr-l2-unit7", 1)
        session = Session.start(scenario)
        for choice in POOR_ROUTER.split(","):
            before = len(session.steps)
            session.choose(choice)
            store.record_steps(sid, session, session.steps[before:], 1200)
        store.add_note(sid, "She rings her daughter every Sunday.")
        store.save_responses(sid, LearnerResponses.from_dict({"review": RESPONSES["review"]}))
        assert store.session(sid) is not None and store.session(sid).result is None  # type: ignore[union-attr]
    code, html, _ = run(capsys, "sheet", str(sid), "--store", str(db))
    assert code == 0
    assert "Judged now: no result was stored with this session." in html
    assert "Dana Day (L042) · group 7C" in html
    assert '<div class="big">Unresolved</div>' in html
    assert '<div class="big">No grade</div>' in html  # skip-security: a breach, never put right
    assert '<h2 id="serious-errors">Serious errors</h2>' in html
    assert "She rings her daughter every Sunday." in html
    assert "A stronger option here:" in html  # skip-security had a better option
    assert "Awaiting tutor" in html  # the review was written


def test_sheet_errors_are_messages_and_exit_codes(
    klass: Class, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    code, out, err = klass.cli(capsys, "sheet", "999")
    assert (code, out) == (1, "")
    assert err.strip() == f"roleplay: no session 999 in {klass.db}"
    code, _, err = klass.cli(capsys, "sheet", "0")
    assert code == 1 and "no session 0" in err
    code, _, err = klass.cli(capsys, "sheet", "99999999999999999999999")
    assert code == 1 and "no session" in err
    code, _, err = klass.cli(capsys, "sheet", "1", "-o", str(tmp_path / "missing" / "x.html"))
    assert code == 1 and "cannot write" in err
    code, _, err = klass.cli(capsys, "sheet", "1", "-o", str(tmp_path))
    assert code == 1 and "cannot write" in err
    code, _, err = klass.cli(capsys, "sheet", "one")
    assert code == 2 and "invalid int value" in err
    code, _, err = klass.cli(capsys, "sheet", "1", "--scenarios", str(tmp_path / "nope"))
    assert code == 1 and "no such file or folder" in err
    assert "Traceback" not in err
    code, _, err = klass.cli(capsys, "sheet", "1", "-o", str(tmp_path / "s.html"))
    assert code == 0 and err.strip() == f"wrote {tmp_path / 's.html'}"
    assert "PRACTICE FEEDBACK" in (tmp_path / "s.html").read_text(encoding="utf-8")


def test_pdf_without_weasyprint_says_how_to_get_it(
    klass: Class,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
) -> None:
    monkeypatch.setitem(sys.modules, "weasyprint", None)  # import fails even if installed
    out = tmp_path / "s.pdf"
    code, stdout, err = klass.cli(capsys, "sheet", "1", "--format", "pdf", "-o", str(out))
    assert code == 2
    assert "pip install 'customer-roleplay[pdf]'" in err
    assert stdout == "" and not out.exists()


def test_pdf_is_printed_by_weasyprint_when_it_is_there(
    klass: Class,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
) -> None:
    printed: list[str] = []

    class HTML:
        def __init__(self, string: str) -> None:
            printed.append(string)

        def write_pdf(self) -> bytes:
            return b"%PDF-1.7 fake"

    monkeypatch.setitem(sys.modules, "weasyprint", types.SimpleNamespace(HTML=HTML))
    out = tmp_path / "s.pdf"
    code, _, err = klass.cli(capsys, "sheet", "1", "--format", "pdf", "-o", str(out))
    assert code == 0, err
    assert out.read_bytes() == b"%PDF-1.7 fake"
    assert "PRACTICE FEEDBACK" in printed[0] and "@page" in printed[0]


def test_pyproject_offers_the_pdf_extra() -> None:
    text = (Path(__file__).parents[1] / "pyproject.toml").read_text(encoding="utf-8")
    assert re.search(r'pdf = \[\s*"weasyprint>=60",?\s*\]', text)


# -- the class report -------------------------------------------------------------------------
def grid(csv_text: str) -> dict[str, dict[str, str]]:
    """Return the CSV as {learner: {column: value}}."""
    rows = list(csv.DictReader(io.StringIO(csv_text)))
    return {row["Learner"]: row for row in rows}


def test_class_report_grid_statuses(
    klass: Class, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    # sessions from before scenario texts were kept, on a scenario not here: no partial CSV
    old = without_kept_texts(klass.db, tmp_path)
    args = ("class-report", "--group", "7B", "--format", "csv")
    code, text, err = run(capsys, *args, "--store", str(old))
    assert (code, text) == (1, "")
    assert "left out session" in err and "scenario 'script-tags' is not available here" in err
    assert "nothing was written" in err
    # the store keeps the text each session was played on: no --scenarios needed
    code, kept, err = klass.cli(capsys, *args)
    assert (code, err) == (0, "")
    code, text, err = klass.cli(
        capsys, "class-report", "--group", "7B", "--format", "csv", "--scenarios", str(FIXTURES)
    )
    assert (code, err) == (0, "")
    assert kept == text
    rows = grid(text)
    assert set(rows) == {"Alice Adams", "Bob Brown", "Carol Clark", SCRIPT_NAME}
    alice, bob, script = rows["Alice Adams"], rows["Bob Brown"], rows[SCRIPT_NAME]
    assert (alice["Attempts"], alice["Best grade"]) == ("2", "Distinction")
    assert (bob["Attempts"], bob["Best grade"]) == ("1", "Not yet")
    assert alice["P2"].startswith("Achieved (1 of ")  # in one of her two sessions
    assert alice["D2"].startswith("Achieved (1 of ")
    assert alice["P8"].startswith("Awaiting tutor")  # written, for the tutor to confirm
    assert alice["M4"].startswith("Awaiting tutor")
    assert alice["P1"].startswith("Not yet")  # one situation, the portfolio needs two
    assert bob["P2"].startswith("Not yet") and bob["P8"].startswith("Not yet")
    assert script["P2"] == "Achieved (1 of 1 session)"  # an open question, in the fixture
    assert script["P3"] == "Never attempted"  # that scenario has nobody to brief
    assert next(csv.reader(io.StringIO(text)))[:9] == [
        "Learner", "Learner ID", "Group", "Attempts", "Unit grade so far", "Latest grade",
        "Best grade", "Sessions with a serious error", "P1",
    ]  # fmt: skip


def test_class_report_html_hardest_criteria_and_most_chosen_options(
    klass: Class, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    out = tmp_path / "class.html"
    code, _, err = klass.cli(
        capsys, "class-report", "--group", "7B", "-o", str(out), "--scenarios", str(FIXTURES)
    )
    assert code == 0, err
    html = out.read_text(encoding="utf-8")
    assert_self_contained(html)
    assert "<h1>Class report: 7B</h1>" in html
    assert "4 learners · 5 sessions" in html
    assert 'title="P2: Achieved (' in html and 'title="P3: Never attempted"' in html
    assert 'title="P8: Awaiting tutor (' in html and 'title="P2: Not yet (' in html
    hardest = html.split("<h2>Criteria the class finds hardest</h2>")[1].split("<h2>")[0]
    codes = re.findall(r"<td><strong>([A-Z0-9.]+)</strong></td>", hardest)
    assert codes[:2] == ["P1", "P8"]  # only Alice wrote anything, in one situation
    assert "4 of 4 learners who tried it (100%)" in hardest  # P1 needs two situations
    assert "3 of 4 learners who tried it (75%)" in hardest
    chosen = html.split("<h2>What learners chose</h2>")[1]
    kettle = chosen.split("Faulty kettle: an angry customer at the counter")[1].split("<h3>")[0]
    opening = kettle.split("(opening, 3 choices)")[1].split('<div class="card">')[0]
    options = re.findall(r'<span class="code">([a-z-]+)</span>', opening)
    assert options == ["ask-receipt-first", "sorry-tell-me"]  # most often chosen first
    assert "2 (67%)" in opening and "1 (33%)" in opening
    assert 'class="q-poor">✗' in opening and 'class="q-good">✓' in opening
    view = report.class_view(
        Store.open(klass.db).sessions(group="7B", full=True),
        report.Library([FIXTURES]),
        open_rubric("ocr-l2-unit7"),
        "7B",
    )
    assert [(h.code, h.not_yet, h.attempted) for h in view.hardest][:2] == [
        ("P1", 4, 4),  # as each portfolio says: Alice's one right assessment is one situation
        ("P8", 3, 4),
    ]


@pytest.mark.parametrize(
    ("name", "cell"),
    [
        (HYPERLINK, "'" + HYPERLINK),
        ("+447700900123", "'+447700900123"),
        ("-2+3", "'-2+3"),
        ("@SUM(A1:A2)", "'@SUM(A1:A2)"),
        ("Plain Name", "Plain Name"),
    ],
)
def test_class_csv_cells_cannot_be_formulas(
    klass: Class, capsys: pytest.CaptureFixture[str], name: str, cell: str
) -> None:
    code, text, _ = klass.cli(capsys, "class-report", "--group", "csv", "--format", "csv")
    assert code == 0
    cells = [c for row in csv.reader(io.StringIO(text)) for c in row]
    assert cell in cells and (name == cell or name not in cells)
    assert not [c for c in cells if c.startswith(("=", "+", "-", "@", "\t", "\r"))]
    assert text.splitlines()[1].startswith('"')  # every cell quoted


def test_safe_cell() -> None:
    assert report.safe_cell("\rx") == "'\rx"
    assert report.safe_cell("\tx") == "'\tx"  # names are stripped in the store; other cells not
    assert report.safe_cell("a=b") == "a=b"
    assert report.safe_cell(None) == ""
    assert report.safe_cell(3) == "3"


def test_class_report_errors(
    klass: Class, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    code, out, err = klass.cli(capsys, "class-report", "--group", "nobody")
    assert (code, out) == (1, "")
    assert f"roleplay: no sessions for group 'nobody' in {klass.db}" in err
    empty = tmp_path / "empty.db"
    code, _, err = run(capsys, "class-report", "--store", str(empty))
    assert code == 1 and f"no sessions in {empty}" in err
    code, _, err = klass.cli(capsys, "class-report", "--rubric", "no-such-rubric")
    assert code == 1 and "no rubric file or bundled rubric called 'no-such-rubric'" in err
    code, _, err = klass.cli(capsys, "class-report", "--format", "pdf")
    assert code == 2
    code, _, err = klass.cli(capsys, "class-report", "-o", str(tmp_path / "no" / "c.csv"))
    assert code == 1 and "cannot write" in err and "Traceback" not in err


def test_class_report_against_another_rubric_rejudges_the_sessions(
    klass: Class, capsys: pytest.CaptureFixture[str]
) -> None:
    code, text, _ = klass.cli(
        capsys, "class-report", "--group", "7B", "--format", "csv", "--rubric", "ocr-c3"
    )
    assert code == 0
    header = next(csv.reader(io.StringIO(text)))
    assert "1.1" in header and "P2" not in header
    assert grid(text)["Alice Adams"]["1.1"].startswith("Achieved (")


# -- the portfolio ----------------------------------------------------------------------------
def test_portfolio_lists_what_is_missing(klass: Class, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = klass.cli(capsys, "portfolio", "Alice Adams", "--format", "json")
    assert code == 0, err
    data = json.loads(out)
    assert data["learner"] == "Alice Adams"
    assert data["session_ids"] == [klass.ids["alice"], klass.ids["alice-router"]]
    assert "P1" in data["missing"]  # one right cause assessment; two situations are needed
    assert "P2" not in data["missing"] and data["criteria"]["P2"]["status"] == "achieved"
    assert data["grade_detail"]["awaiting_tutor"] == ["P8", "M4", "P9"]
    p1 = data["criteria"]["P1"]["detail"]
    assert "1 different scenario(s) so far; 2 needed" in p1
    code, text, _ = klass.cli(capsys, "portfolio", "Alice Adams")
    assert code == 0
    assert text.startswith("PRACTICE FEEDBACK (not an assessment decision)\n")
    assert "Missing (1):\n  P1 " in text
    assert "Awaiting your tutor: P8, M4, P9" in text
    code, md, _ = klass.cli(capsys, "portfolio", "Alice Adams", "--format", "md")
    assert code == 0
    assert "## What is missing" in md and "| **P1** |" in md
    code, html, _ = klass.cli(capsys, "portfolio", "Alice Adams", "--format", "html")
    assert code == 0
    assert_self_contained(html)
    missing = html.split("<h2>What is missing</h2>")[1].split("<h2>")[0]
    assert "<strong>P1</strong>" in missing and "<strong>P2</strong>" not in missing
    assert "Session " + str(klass.ids["alice"]) + ", turn 7" in html  # evidence, by session


def test_portfolio_of_a_learner_who_has_achieved_little(
    klass: Class, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, _ = klass.cli(capsys, "portfolio", "Bob Brown", "--format", "json")
    assert code == 0
    data = json.loads(out)
    assert data["grade"] == "not_yet"
    assert {"P2", "P3", "D2", "P8"} <= set(data["missing"])


def test_portfolio_errors(klass: Class, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = klass.cli(capsys, "portfolio", "Nobody")
    assert (code, out) == (1, "")
    assert f"no sessions for a learner called 'Nobody' in {klass.db}" in err
    code, _, err = klass.cli(capsys, "portfolio", "Alice Adams", "--rubric", "nope")
    assert code == 1 and "no rubric" in err
    code, _, _ = klass.cli(capsys, "portfolio", "Alice Adams", "--format", "csv")
    assert code == 2


# -- templates and the environment ------------------------------------------------------------
def test_every_template_renders_from_real_sessions(klass: Class) -> None:
    env = report.environment()
    every = {t for t in env.list_templates() if not t.startswith("_")}
    # the classroom's pages (the role-play cards, observation records, a class's sheets index)
    # render from their own views, in test_cards, test_observe and test_sheet_group
    classroom = {
        "cards.html", "observation.html", "observation.md", "class-sheets.html",
        "class-sheets.md",
    }  # fmt: skip
    pages = every - classroom
    assert classroom <= every
    assert pages == {
        "sheet.html", "sheet.md", "class-report.html",
        "portfolio.html", "portfolio.md", "portfolio.txt",
    }  # fmt: skip
    library = report.Library([FIXTURES])
    rubric = open_rubric("ocr-l2-unit7")
    with Store.open(klass.db) as store:
        records = store.sessions(full=True)
        sheet, _ = report.sheet_view(store.session(klass.ids["alice"]), library)  # type: ignore[arg-type]
        alice = store.sessions(learner="Alice Adams", full=True)
    views = {
        "sheet": sheet,
        "class-report": report.class_view(records, library, rubric),
        "portfolio": report.portfolio_view(alice, library, rubric),
    }
    for page in sorted(pages):
        text = report.render(page, views[page.split(".")[0]])
        assert "PRACTICE FEEDBACK" in text, page
        assert "Alice Adams" in text, page


def test_environment_escapes_html_only_and_refuses_undefined() -> None:
    env = report.environment()
    assert callable(env.autoescape)
    assert env.autoescape("sheet.html") is True
    assert env.autoescape("sheet.md") is False and env.autoescape("portfolio.txt") is False
    with pytest.raises(jinja2.UndefinedError):
        env.from_string("{{ v.nothing }}").render(v=object())


def test_the_core_never_imports_jinja2() -> None:
    code = (
        "import sys, simulator.cli, simulator.engine, simulator.scoring, simulator.store, "
        "simulator.catalog, simulator.lint; print('jinja2' in sys.modules)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


def test_a_remembered_judgement_is_the_one_judging_again_would_give(tmp_path: Path) -> None:
    """A class report judges a route it has judged before by the remembered result: that result
    must be what judging the session afresh gives, with the session's own id."""
    from simulator.report.views import Judged, rescore

    scenario = open_scenario("faulty-kettle").scenario
    rubric = open_rubric("ocr-l2-unit7")
    with Store.open(tmp_path / "s.db") as store:
        learner = store.learner("Amy Khan")
        ids = []
        for _ in range(2):
            session = Session.start(scenario)
            for choice in ("sorry-tell-me", "probe-fault", "safety-advice"):
                session.choose(choice)
            sid = store.start_session(learner, scenario, "practice", rubric.id, rubric.version)
            store.record_steps(sid, session, session.steps, None)
            ids.append(sid)
        store.record_decision(ids[1], "P2", "not_yet", "J. Tutor")
        first, second = (store.session(i) for i in ids)
    assert first is not None and second is not None
    memo: Judged = {}
    assert rescore(first, scenario, rubric, memo) == rescore(first, scenario, rubric)
    remembered = rescore(second, scenario, rubric, memo)
    assert len(memo) == 1  # the second session took the first one's judgement
    assert remembered == rescore(second, scenario, rubric)
    assert remembered is not None and remembered.facts.session == f"session {ids[1]}"
    assert remembered.criteria["P2"].status == "not_yet"  # its own tutor's decision applied


def test_practise_next_offers_the_same_scenario_again_only_when_nothing_else_covers_more(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from simulator.catalog import bundled_scenario_paths
    from simulator.report import views

    rubric = open_rubric("ocr-l2-unit7")
    missed = {c.code: "not_yet" for c in rubric.criteria}
    paths = [p for p in bundled_scenario_paths() if p.name.startswith(("faulty-kettle", "router"))]
    monkeypatch.setattr(views, "bundled_scenario_paths", lambda: paths)
    both = views.practise_next(rubric, missed, views.Library(), current="faulty-kettle")
    assert [(s.id, s.current) for s in both.suggestions] == [
        ("router-helpline", False),
        ("faulty-kettle", True),
    ]
    monkeypatch.setattr(views, "bundled_scenario_paths", lambda: paths[:1])
    alone = views.practise_next(rubric, missed, views.Library(), current="faulty-kettle")
    assert [(s.id, s.current) for s in alone.suggestions] == [("faulty-kettle", True)]
