"""The HTML reports in a real browser: headless Chromium renders them without a console message
and prints them to A4.

Skipped when Chromium is not installed, except on CI (the CI variable is set), where it must be.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from simulator.cli import main

FIXTURES = Path(__file__).parent / "fixtures" / "report"
DISTINCTION = (
    "sorry-tell-me,probe-fault,safety-advice,ask-date-proof,bank-statement-ok,take-notes,"
    "repeat-back,go-to-manager,brief-clearly,list-options,recommend-refund-discount,"
    "policy-and-reasons,offer-three,recommend-clearview,justify-balance,check-understanding,"
    "correct-timing,fill-returns-form,"
    "check-with-returns,call-customer"
)
A4 = (595.0, 842.0)  # points
TIMEOUT = 60
FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
)


def chromium() -> str:
    """Return the Chromium executable; skip without it, but fail on CI."""
    found = shutil.which("chromium")
    if found is None:
        if os.environ.get("CI"):
            pytest.fail("chromium is not installed, and CI must run the browser tests")
        pytest.skip("chromium not installed (Debian package chromium); CI installs it")
    return found


def browse(tmp: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """Run headless Chromium with a fresh profile."""
    profile = tmp / "profile"
    profile.mkdir(exist_ok=True)
    return subprocess.run(
        [chromium(), *FLAGS, f"--user-data-dir={profile}", *args],
        capture_output=True,
        text=True,
        timeout=TIMEOUT,
        check=False,
    )


@pytest.fixture(scope="module")
def pages(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """The sheet of a Distinction session, of a poor one and of a hostile one, and the class
    report, written by the real commands from sessions played into a real store."""
    tmp = tmp_path_factory.mktemp("browser")
    db = str(tmp / "s.db")
    runs = [
        ("faulty-kettle", DISTINCTION, "Alice Adams"),
        ("faulty-kettle", "ask-receipt-first,defend-shop,threaten-leave", "Bob Brown"),
        ("router-helpline", "skip-security,jargon-diag,repeat-jargon,wait-for-granddaughter", "Bob Brown"),
        (str(FIXTURES / "script-tags.scenario.yaml"), "ask-open,probe", "<script>alert(1)</script>"),
    ]  # fmt: skip
    for scenario, choose, learner in runs:
        args = ["run", scenario, "--choose", choose, "--learner", learner, "--group", "7B"]
        assert main([*args, "--save", "--store", db]) == 0
    out = {
        "sheet": tmp / "sheet.html",
        "poor-sheet": tmp / "poor-sheet.html",
        "hostile-sheet": tmp / "hostile-sheet.html",
        "class-report": tmp / "class-report.html",
    }
    extra = ["--store", db, "--scenarios", str(FIXTURES)]
    assert main(["sheet", "1", "-o", str(out["sheet"]), *extra]) == 0
    assert main(["sheet", "2", "-o", str(out["poor-sheet"]), *extra]) == 0
    assert main(["sheet", "4", "-o", str(out["hostile-sheet"]), *extra]) == 0
    assert main(["class-report", "-o", str(out["class-report"]), *extra]) == 0
    return out


def console_messages(stderr: str, page: Path) -> list[str]:
    """Return the console messages (errors, CSP refusals, uncaught exceptions) about a page."""
    return [
        line
        for line in stderr.splitlines()
        if ("CONSOLE" in line and page.as_uri() in line) or "Uncaught" in line
    ]


@pytest.mark.parametrize("name", ["sheet", "poor-sheet", "hostile-sheet", "class-report"])
def test_prints_to_a4(pages: dict[str, Path], tmp_path: Path, name: str) -> None:
    pdf = tmp_path / "out.pdf"
    done = browse(tmp_path, f"--print-to-pdf={pdf}", "--no-pdf-header-footer", pages[name].as_uri())
    assert done.returncode == 0, done.stderr[-2000:]
    data = pdf.read_bytes()
    assert data.startswith(b"%PDF")
    boxes = re.findall(rb"/MediaBox\s*\[\s*0\s+0\s+([\d.]+)\s+([\d.]+)\s*\]", data)
    assert boxes, "no page in the PDF"
    for width, height in boxes:
        assert abs(float(width) - A4[0]) <= 2 and abs(float(height) - A4[1]) <= 2, boxes
    if name == "sheet":  # a full session's transcript runs over several pages
        assert len(boxes) > 2


@pytest.mark.parametrize("name", ["sheet", "poor-sheet", "hostile-sheet", "class-report"])
def test_renders_without_console_messages(
    pages: dict[str, Path], tmp_path: Path, name: str
) -> None:
    page = pages[name]
    done = browse(tmp_path, "--enable-logging=stderr", "--v=0", "--dump-dom", page.as_uri())
    assert done.returncode == 0, done.stderr[-2000:]
    assert "PRACTICE FEEDBACK" in done.stdout  # rendered: the DOM has our page in it
    assert "</main>" in done.stdout and "<footer>" in done.stdout
    assert console_messages(done.stderr, page) == []
    if name == "hostile-sheet":  # the learner's <script> is text, not an element
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in done.stdout
        assert "<script>" not in done.stdout


def test_console_messages_are_caught(pages: dict[str, Path], tmp_path: Path) -> None:
    """The check above can fail: a page with a script error and a blocked fetch is caught."""
    html = pages["sheet"].read_text(encoding="utf-8")
    bad = tmp_path / "bad.html"
    broken = '<script>throw new Error("boom")</script><img src="https://example.invalid/x.png">'
    bad.write_text(html.replace("<main>", "<main>" + broken), encoding="utf-8")
    done = browse(tmp_path, "--enable-logging=stderr", "--v=0", "--dump-dom", bad.as_uri())
    messages = console_messages(done.stderr, bad)
    assert messages, done.stderr[-2000:]
    assert any("Content Security Policy" in m or "Uncaught" in m for m in messages)


def test_readable_on_a_phone(pages: dict[str, Path], tmp_path: Path) -> None:
    shot = tmp_path / "phone.png"
    done = browse(
        tmp_path,
        "--hide-scrollbars",
        f"--screenshot={shot}",
        "--window-size=390,1200",
        pages["sheet"].as_uri(),
    )
    assert done.returncode == 0, done.stderr[-2000:]
    png = shot.read_bytes()
    assert png.startswith(b"\x89PNG")
    assert int.from_bytes(png[16:20], "big") == 390  # IHDR width: laid out at phone width


SCORING = Path(__file__).parent / "fixtures" / "scoring"
SCORING_FILES = [
    "--scenarios", str(SCORING / "scoring-shop.scenario.yaml"),
    "--scenarios", str(SCORING / "scoring-serious.scenario.yaml"),
]  # fmt: skip


@pytest.fixture(scope="module")
def decided_pages(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """A sheet with a serious error and a tutor's decision, the portfolio and the class report
    around it, from the small scoring fixtures (not the bundled scenarios)."""
    tmp = tmp_path_factory.mktemp("decided")
    db = str(tmp / "s.db")
    runs = [
        (SCORING / "scoring-shop.scenario.yaml", "sorry,ask-what,to-solution,goodbye"),
        (SCORING / "scoring-serious.scenario.yaml", "read-address,ask,misstate,put-right,more,bye"),
    ]
    for scenario, choose in runs:
        args = ["run", str(scenario), "--choose", choose, "--learner", "Amy Khan", "--group", "7B"]
        assert main([*args, "--rubric", "ocr-l2-unit7", "--save", "--store", db]) == 0
    confirm = ["confirm", "2", "P6", "--verdict", "not_yet", "--by", "R. Patel"]
    assert main([*confirm, "--note", "put right too late", "--store", db, *SCORING_FILES]) == 0
    out = {
        "serious-sheet": tmp / "serious-sheet.html",
        "portfolio": tmp / "portfolio.html",
        "decided-class-report": tmp / "class-report.html",
    }
    extra = ["--store", db, *SCORING_FILES]
    assert main(["sheet", "2", "-o", str(out["serious-sheet"]), *extra]) == 0
    portfolio = ["portfolio", "Amy Khan", "--format", "html"]
    assert main([*portfolio, "-o", str(out["portfolio"]), *extra]) == 0
    assert main(["class-report", "-o", str(out["decided-class-report"]), *extra]) == 0
    return out


@pytest.mark.parametrize("name", ["serious-sheet", "portfolio", "decided-class-report"])
def test_serious_errors_and_decisions_render_and_print(
    decided_pages: dict[str, Path], tmp_path: Path, name: str
) -> None:
    page = decided_pages[name]
    done = browse(tmp_path, "--enable-logging=stderr", "--v=0", "--dump-dom", page.as_uri())
    assert done.returncode == 0, done.stderr[-2000:]
    assert "PRACTICE FEEDBACK" in done.stdout and "Serious errors" in done.stdout
    assert "R. Patel" in done.stdout  # the tutor's decision
    assert console_messages(done.stderr, page) == []
    pdf = tmp_path / "out.pdf"
    done = browse(tmp_path, f"--print-to-pdf={pdf}", "--no-pdf-header-footer", page.as_uri())
    assert done.returncode == 0, done.stderr[-2000:]
    boxes = re.findall(rb"/MediaBox\s*\[\s*0\s+0\s+([\d.]+)\s+([\d.]+)\s*\]", pdf.read_bytes())
    assert boxes and all(abs(float(w) - A4[0]) <= 2 for w, _ in boxes)
