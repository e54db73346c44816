"""``roleplay cards``: the customer's card, the agent's brief and the observer's tick-sheet for a
live role-play in threes, as A4 pages (checked in headless Chromium)."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from simulator import report
from simulator.cards import card_pack
from simulator.catalog import open_rubric, open_scenario
from simulator.cli import main
from simulator.lint import bundled_behaviours

A4 = (595.0, 842.0)  # points


@pytest.fixture(scope="module")
def kettle_cards(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The faulty kettle's pack, written by the command."""
    out = tmp_path_factory.mktemp("cards") / "kettle.html"
    assert main(["cards", "faulty-kettle", "-o", str(out)]) == 0
    return out


def test_the_pack_is_drawn_from_the_scenario_and_its_rubric() -> None:
    scenario = open_scenario("faulty-kettle").scenario
    rubric = open_rubric("ocr-l2-unit7")
    pack = card_pack(scenario, rubric, bundled_behaviours())
    card = pack.customer
    assert card.name == "Mr Tomasz Nowak"
    assert card.feelings == ("Angry", "Frustrated", "Unreasonable")
    assert card.starting_mood.startswith("very upset")
    assert "Empathy" in card.calms and "Patronising" in card.inflames
    assert not set(card.calms) & set(card.inflames)
    assert card.lines[0].startswith("Excuse me. EXCUSE me.")
    assert [p for p, _ in pack.agent.policies][:1] == ["faulty-within-30-days"]
    assert pack.agent.refer_to == "Dev Patel, Duty manager"
    codes = [g.code for g in pack.observer.groups]
    assert codes == [c.code for c in rubric.session_criteria if c.rule is not None]
    assert all(g.look_for for g in pack.observer.groups)
    assert "Gets the customer's rights wrong" in pack.observer.serious


def test_the_printed_pack_has_three_cards_with_their_content(kettle_cards: Path) -> None:
    html = kettle_cards.read_text(encoding="utf-8")
    assert "@page { size: A4" in html
    assert html.count('<section class="card') == 3
    assert "You are Mr Tomasz Nowak" in html  # the customer's card
    assert "What calms you" in html and "Lines you may use" in html
    assert "We cannot insist on a credit note for faulty goods" in html  # a policy, on the brief
    assert "Refer it to Dev Patel, Duty manager" in html
    for heading in ("P2:", "P3:", "P4:"):  # the observer's sheet, grouped by criterion
        assert f"<h2>{heading}" in html
    assert "What the agent said" in html  # space for quotes


def test_cards_to_stdout(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["cards", "router-helpline"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("<!DOCTYPE html>") and "Customer's card" in out


def test_unknown_scenario(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["cards", "faulty-ketle"]) == 1
    err = capsys.readouterr().err
    assert "faulty-ketle" in err and "did you mean" in err and "Traceback" not in err


def test_unwritable_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    target = tmp_path / "no-such-folder" / "cards.html"
    assert main(["cards", "faulty-kettle", "-o", str(target)]) == 1
    assert f"cannot write {target}" in capsys.readouterr().err
    assert not target.exists()


def test_pdf_without_its_extra_is_refused(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    if report.weasyprint_available():
        pytest.skip("WeasyPrint is installed here: the refusal cannot happen")
    target = tmp_path / "cards.pdf"
    assert main(["cards", "faulty-kettle", "--format", "pdf", "-o", str(target)]) == 2
    assert "pip install 'customer-roleplay[pdf]'" in capsys.readouterr().err
    assert not target.exists()


def chromium() -> str:
    """Return the Chromium executable; skip without it, but fail on CI."""
    found = shutil.which("chromium")
    if found is None:
        if os.environ.get("CI"):
            pytest.fail("chromium is not installed, and CI must run the browser tests")
        pytest.skip("chromium not installed (Debian package chromium); CI installs it")
    return found


def test_chromium_prints_each_card_on_its_own_a4_page(kettle_cards: Path, tmp_path: Path) -> None:
    pdf = tmp_path / "cards.pdf"
    profile = tmp_path / "profile"
    done = subprocess.run(
        [
            chromium(), "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
            "--disable-background-networking", "--disable-component-update", "--disable-sync",
            f"--user-data-dir={profile}", f"--print-to-pdf={pdf}", "--no-pdf-header-footer",
            kettle_cards.as_uri(),
        ],
        capture_output=True, text=True, timeout=60, check=False,
    )  # fmt: skip
    assert pdf.is_file(), done.stderr[-2000:]
    data = pdf.read_bytes()
    boxes = re.findall(rb"/MediaBox\s*\[\s*0\s+0\s+([\d.]+)\s+([\d.]+)\s*\]", data)
    assert boxes
    for width, height in boxes:
        assert abs(float(width) - A4[0]) <= 2 and abs(float(height) - A4[1]) <= 2, boxes
    pages = len(re.findall(rb"/Type\s*/Page[^s]", data))
    assert pages >= 3  # the customer, the agent and the observer each start a page


def test_the_pack_is_pure() -> None:
    """simulator.cards is core: building a pack loads neither the interface nor the templates."""
    code = (
        "import sys, simulator.cards; "
        "assert 'textual' not in sys.modules and 'jinja2' not in sys.modules, sorted(sys.modules)"
    )

    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stderr
