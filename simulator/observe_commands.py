"""``roleplay cards`` and ``roleplay observe``: live role-plays in threes (customer, agent,
observer), and the observation record that ``roleplay sheet`` prints for an observed session.

Exit codes as everywhere: 0 done; 1 bad input (an unknown scenario or rubric, a file that cannot
be written, a store that cannot be opened); 2 a usage error (no observer's name, no terminal,
PDF without its extra).
"""

from __future__ import annotations

import sqlite3
import sys
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from simulator import __version__
from simulator.cards import CardPack, card_pack
from simulator.cli import EXIT_INPUT, EXIT_OK, EXIT_USAGE
from simulator.commands import _open_rubric, _report_output, open_or_report, open_store
from simulator.engine import Session
from simulator.lint import bundled_behaviours
from simulator.model import Rubric, Scenario
from simulator.playthrough import Playthrough
from simulator.report.views import SheetView
from simulator.store import SessionRecord, Store, StoreError

OBSERVED = "observed"


def _now() -> str:
    return datetime.now(UTC).strftime("%d %B %Y, %H:%M UTC")


@dataclass(frozen=True)
class CardsView:
    """What cards.html renders."""

    pack: CardPack
    """The pack."""
    version: str = __version__
    """customer-roleplay's version, printed on the page."""
    generated: str = field(default_factory=_now)
    """When the pack was made."""


@dataclass(frozen=True)
class ObservationView:
    """What observation.html renders: the session's sheet view and who observed it."""

    sheet: SheetView
    """The session's sheet, as `roleplay sheet` builds it."""
    observer: str
    """Who observed the role-play."""
    version: str = __version__
    """customer-roleplay's version."""
    generated: str = field(default_factory=_now)
    """When the record was printed."""


# -- cards ------------------------------------------------------------------------------------
def cmd_cards(ref: str, fmt: str, output: Path | None) -> int:
    """Print the customer's card, the agent's brief and the observer's tick-sheet."""
    from simulator import report

    if fmt == "pdf" and not report.weasyprint_available():
        print(f"roleplay: {report.PDF_HINT}", file=sys.stderr)
        return EXIT_USAGE
    opened = open_or_report(ref)
    if opened is None:
        return EXIT_INPUT
    scenario = opened.scenario
    rubric = _open_rubric(scenario.rubric) if scenario.rubric else None
    if scenario.rubric and rubric is None:
        return EXIT_INPUT
    html = report.render("cards.html", CardsView(card_pack(scenario, rubric, bundled_behaviours())))
    if fmt == "html":
        return _report_output(output, html)
    try:
        return _report_output(output, report.pdf_from_html(html))
    except report.PdfUnavailable as exc:
        print(f"roleplay: {exc}", file=sys.stderr)
        return EXIT_USAGE


# -- observe ----------------------------------------------------------------------------------
def begin_observation(
    store: Store,
    scenario: Scenario,
    scenario_text: str | None,
    rubric: Rubric | None,
    learner: str,
    learner_ref: str | None,
    group: str | None,
    observer: str,
) -> Playthrough:
    """Start an observed session of ``learner`` (the agent) recorded by ``observer``."""
    who = store.learner(learner, learner_ref, group)
    session_id = store.start_session(
        who,
        scenario,
        OBSERVED,
        rubric.id if rubric else None,
        rubric.version if rubric else None,
        scenario_text=scenario_text,
        observer=observer,
    )
    play = Playthrough(store, who, scenario, rubric, OBSERVED, session_id, Session.start(scenario))
    if play.session.steps:  # the start node may run automatic steps
        store.record_steps(session_id, play.session, play.session.steps, None)
    return play


def cmd_observe(
    store_path: Path | None,
    ref: str,
    learner: str,
    learner_ref: str | None,
    group: str | None,
    observer: str,
    rubric_ref: str | None,
) -> int:
    """Open the observer's screen; print the stored session's id at the end."""
    if not learner.strip():
        print("roleplay: --learner needs the agent's name", file=sys.stderr)
        return EXIT_USAGE
    if not observer.strip():
        print("roleplay: --observer needs the observer's name", file=sys.stderr)
        return EXIT_USAGE
    opened = open_or_report(ref)
    if opened is None:
        return EXIT_INPUT
    scenario = opened.scenario
    wanted = rubric_ref or scenario.rubric
    rubric = _open_rubric(wanted) if wanted else None
    if wanted and rubric is None:
        return EXIT_INPUT
    if not (sys.stdout.isatty() and sys.stdin.isatty()):
        print(
            "roleplay: observing needs a terminal (it is done with the keyboard)", file=sys.stderr
        )
        return EXIT_USAGE
    try:
        text = opened.path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        text = None  # still playable: it was just read; the record only lacks its own copy
    store = open_store(store_path)
    if store is None:
        return EXIT_INPUT
    from simulator.ui.observe import ObserveApp

    with store:
        play = begin_observation(
            store, scenario, text, rubric, learner.strip(), learner_ref, group,
            observer.strip(),
        )  # fmt: skip
        app = ObserveApp(play, observer.strip())
        app.run()
        state = "ended" if play.session.ended else "not finished"
        print(f"session {play.session_id} ({state}): roleplay sheet {play.session_id}")
    return app.return_code or EXIT_OK


# -- the observation record -------------------------------------------------------------------
def observer_of(store_path: Path, session_id: int) -> str:
    """Return who observed a session (empty if no one is recorded)."""
    try:
        with Store.open_to_read(store_path) as store:
            row = store.db.execute(
                "SELECT observer FROM sessions WHERE id = ?", (session_id,)
            ).fetchone()
    except (StoreError, sqlite3.Error):
        return ""
    return str(row[0]) if row is not None and row[0] else ""


def observation_record(
    store_path: Path, record: SessionRecord, view: SheetView, fmt: str = "html"
) -> str:
    """Return the observation record of an observed session (its sheet), as HTML or Markdown."""
    from simulator import report

    observer = observer_of(store_path, record.id)
    template = "observation.md" if fmt == "md" else "observation.html"
    return report.render(template, ObservationView(view, observer))
